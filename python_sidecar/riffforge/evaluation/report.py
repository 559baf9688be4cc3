"""The evaluation run behind ``riffforge evaluate``: sample, measure, compare, write ``report.md``.

For every model source (see :mod:`.sources`), style and intensity, ``per_intensity`` riffs are requested
(2 bars, seeds ``seed + i``), exactly as the sidecar would request them; every riff is measured with
:func:`riffforge.metrics.riff_metrics`. Reference MIDI (GMD rock) is measured as it is. The report has

- the headline table: the Metal metrics that fine-tuning should raise (double-kick rate, blast rate,
  gallop match, power-chord ratio, modal fit = share of guitar notes in the declared mode, kick-guitar
  synchrony), mean per source, with the check "fine-tuned > base" overall and in every style;
- per-style tables, the intensity control (Spearman rho of requested intensity vs measured energy);
- novelty: share of riffs duplicating a training example (per style, see :mod:`.novelty`) and pairwise
  diversity;
- reconstruction accuracy of every bundle on every validation split of its kind, beside the MusicVAE
  paper's 2-bar figures (:mod:`.reconstruction`);
- figures: metric distributions, the headline bars, piano rolls of typical samples.

``results.json`` next to the report holds every number in the report.
"""
from __future__ import annotations

import json
import math
import operator
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from ..metrics import riff_metrics, spearman, summarize
from ..music.riff import STYLES
from .novelty import duplicate_rates, pairwise_diversity, training_keys
from .sources import EvaluationError, Source, load_reference, parse_model_spec

#: (metric, label) that fine-tuning on Metal should raise. Blast beats count in the styles whose drum
#: vocabulary has them (:func:`blast_styles`); elsewhere a blast is a wrong note (``blast_off_style``, which
#: should fall; ``blast_rate`` over all styles is reported beside them).
HEADLINE = (("double_kick_rate", "double-kick rate"), ("blast_in_style", "blast rate in blast styles"),
            ("gallop_match", "gallop match"), ("power_chord_ratio", "power-chord ratio"),
            ("mode_share", "modal fit"), ("kick_guitar_synchrony", "kick–guitar sync"))
#: (metric, label) that fine-tuning on Metal should lower.
FALLING = (("blast_off_style", "blast rate in the other styles"),)
EXTRA = ("blast_rate", "energy", "tempo", "drum_onsets_per_bar", "skank_match", "backbeat_share", "best_mode_share",
         "pitch_class_entropy", "bass_guitar_root_agreement")
DUPLICATE_LIMIT = 0.05


@dataclass
class EvalOptions:
    models: Sequence[str]
    out: Path
    references: Sequence[Path] = ()
    reference_genre: Optional[str] = "rock"
    reference_max: int = 600
    styles: Sequence[str] = STYLES
    intensities: Sequence[float] = (0.1, 0.3, 0.5, 0.7, 0.9)
    per_intensity: int = 40
    seed: int = 1234
    train_corpora: Mapping[str, Path] = field(default_factory=dict)   # instrument -> corpus dir
    val_corpora: Sequence[Path] = ()
    val_examples: int = 512
    compare: Optional[Sequence[str]] = None   # (base, fine-tuned) source names; default: first two models
    progress: bool = True
    command: str = ""


def _fmt(x, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _table(header: Sequence[str], rows: Sequence[Sequence]) -> List[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join([" --- "] + [" ---: "] * (len(header) - 1)) + "|"]
    out += ["| " + " | ".join(_fmt(c) for c in r) + " |" for r in rows]
    return out


def blast_styles(styles: Sequence[str]) -> List[str]:
    """The styles whose drum ladder (:mod:`riffforge.music.styles`) has a blast beat centred inside intensity
    0..1 (death, black): where a blast is Metal vocabulary rather than noise."""
    from ..music.styles import STYLE_SPECS

    return [s for s in styles if any(n.startswith("blast") and c <= 1.0 for n, c, _, _ in STYLE_SPECS[s].drums)]


def add_blast_scopes(summary: Dict[str, Dict], per_style: Dict[str, Dict[str, Dict]], styles: Sequence[str]) -> None:
    """Add ``blast_in_style`` / ``blast_off_style``: the blast rate over the blast styles and over the others
    (per style: the style's blast rate on its side, nan on the other). Reference sources have no styles:
    both are their overall blast rate."""
    inside = set(blast_styles(styles))
    for name, s in summary.items():
        by_style = per_style.get(name)
        if by_style is None:
            s["blast_in_style"] = s["blast_off_style"] = s.get("blast_rate", math.nan)
            continue
        for key, want in (("blast_in_style", True), ("blast_off_style", False)):
            vals = []
            for st, m in by_style.items():
                mine = (st in inside) == want
                m[key] = m["blast_rate"] if mine else math.nan
                if mine and not math.isnan(m["blast_rate"]):
                    vals.append(m["blast_rate"])
            s[key] = sum(vals) / len(vals) if vals else math.nan


def sample_sources(sources: Sequence[Source], opts: EvalOptions):
    """``(samples, rows)``: ``{source: {style: [Riff]}}`` and the matching metric rows."""
    from tqdm import tqdm

    total = len(sources) * len(opts.styles) * len(opts.intensities) * opts.per_intensity
    samples: Dict[str, Dict[str, list]] = {}
    rows: Dict[str, Dict[str, list]] = {}
    with tqdm(total=total, unit="riff", desc="sampling", disable=not opts.progress) as bar:
        for src in sources:
            for si, style in enumerate(opts.styles):
                riffs, metrics = [], []
                for ii, x in enumerate(opts.intensities):
                    seed = opts.seed + 10_000 * (si * len(opts.intensities) + ii)
                    for riff in src.sample(style, x, opts.per_intensity, seed):
                        riffs.append(riff)
                        metrics.append(riff_metrics(riff))
                        bar.update(1)
                samples.setdefault(src.name, {})[style] = riffs
                rows.setdefault(src.name, {})[style] = metrics
    return samples, rows


def reconstruction_table(sources: Sequence[Source], val_corpora: Sequence[Path], limit: int, progress: bool) -> List[Dict]:
    """One row per (bundle, validation corpus of the bundle's encoding kind)."""
    from ..corpus.shards import read_manifest
    from .reconstruction import PAPER_2BAR, bundle_weights, reconstruction_accuracy

    kinds = {}
    for c in val_corpora:
        kinds[Path(c)] = read_manifest(c).get("kind")
    import hashlib

    out = []
    for src in sources:
        groups: Dict[str, list] = {}  # identical weights (e.g. one melody base playing guitar and bass): once
        loaded = {}
        for b in src.bundles:
            w = bundle_weights(b.path)
            h = hashlib.sha1()
            for k in sorted(w):
                h.update(k.encode() + w[k].tobytes())
            loaded[h.hexdigest()] = w
            groups.setdefault(h.hexdigest(), []).append(b)
        for digest, same in groups.items():
            b = same[0]
            label = "/".join(x.model_id for x in same)
            weights = loaded[digest]
            for corpus, kind in kinds.items():
                if kind != b.config.encoding:
                    continue
                if progress:
                    print(f"[evaluate] reconstruction: {src.name}/{label} on {corpus.name}", flush=True)
                acc = reconstruction_accuracy(b.config, weights, corpus, limit=limit)
                paper = PAPER_2BAR.get(kind, {})
                out.append({"source": src.name, "bundle": label, "role": b.role, "config": b.config.name,
                            "steps": b.metadata.get("steps"), "corpus": corpus.name, **acc,
                            "paper_teacher_forced": paper.get("teacher_forced"), "paper_sampled": paper.get("sampled")})
    return out


def run_evaluation(opts: EvalOptions) -> Dict:
    started = time.time()
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    sources = [parse_model_spec(s) for s in opts.models]
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise EvaluationError(f"--models: source names {names} are not unique; name them NAME=PATH")
    refs = [load_reference(Path(d), genre=opts.reference_genre, max_riffs=opts.reference_max) for d in opts.references]
    model_sources = [s for s in sources if s.kind == "model"]
    compare = list(opts.compare or [s.name for s in model_sources][:2])
    if len(compare) == 2 and any(c not in names for c in compare):
        raise EvaluationError(f"--compare {compare}: each must be one of the --models names {names}")

    samples, rows = sample_sources(sources, opts)
    ref_rows = {r.name: [riff_metrics(x) for x in r.riffs] for r in refs}
    all_rows = {name: [row for st in by_style.values() for row in st] for name, by_style in rows.items()}
    all_rows.update(ref_rows)
    summary = {name: summarize(rs) for name, rs in all_rows.items()}
    per_style = {name: {st: summarize(rs) for st, rs in by_style.items()} for name, by_style in rows.items()}
    add_blast_scopes(summary, per_style, opts.styles)
    control = {name: {st: spearman([float(r["intensity"]) for r in rs], [float(r["energy"]) for r in rs])
                      for st, rs in by_style.items()} for name, by_style in rows.items()}

    # novelty
    keys = {inst: training_keys(Path(d), inst) for inst, d in opts.train_corpora.items()}
    novelty: Dict[str, Dict[str, Dict[str, float]]] = {}
    for src in sources:
        insts = [i for i in ("guitar", "bass", "drums") if i in src.instruments]
        for style, riffs in samples[src.name].items():
            rates = duplicate_rates(riffs, {i: k for i, k in keys.items() if i in insts}) if keys else {}
            novelty.setdefault(src.name, {})[style] = {**{f"dup_{k}": v for k, v in rates.items()},
                                                        **pairwise_diversity(riffs, insts)}

    recon = reconstruction_table(model_sources, opts.val_corpora, opts.val_examples, opts.progress) \
        if opts.val_corpora else []

    # acceptance checks
    checks = []
    if len(compare) == 2:
        base, ft = compare
        for (metric, label), rise in [(h, True) for h in HEADLINE] + [(f, False) for f in FALLING]:
            better = operator.gt if rise else operator.lt
            overall = better(summary[ft][metric], summary[base][metric])
            scored = [st for st in opts.styles if not math.isnan(per_style[ft][st][metric])]
            styles_ok = [st for st in scored if better(per_style[ft][st][metric], per_style[base][st][metric])]
            checks.append({"check": f"{label}: {ft} {'>' if rise else '<'} {base}", "metric": metric,
                           "base": summary[base][metric], "fine_tuned": summary[ft][metric], "overall": bool(overall),
                           "styles_better": len(styles_ok), "styles": len(scored)})
        if keys:
            worst = max(novelty[ft][st]["dup_all"] for st in opts.styles)
            checks.append({"check": f"exact duplicates of training examples <= {DUPLICATE_LIMIT:.0%} of riffs in every "
                                    f"style ({ft}; worst style)", "metric": "dup_all", "fine_tuned": worst,
                           "overall": bool(worst <= DUPLICATE_LIMIT)})

    results = {"command": opts.command, "seed": opts.seed, "styles": list(opts.styles),
               "intensities": list(opts.intensities), "per_intensity": opts.per_intensity,
               "sources": {s.name: {"kind": s.kind, "path": str(s.path) if s.path else None,
                                    "bundles": [{"id": b.model_id, "role": b.role, "config": b.config.name,
                                                 "steps": b.metadata.get("steps"), "float16": b.info.get("float16")}
                                                for b in s.bundles]} for s in sources + refs},
               "reference_windows": {r.name: len(r.riffs) for r in refs},
               "summary": summary, "per_style": per_style, "intensity_spearman": control, "novelty": novelty,
               "reconstruction": recon, "checks": checks, "compare": compare,
               "blast_styles": blast_styles(opts.styles)}

    # figures
    from .plots import plot_distributions, plot_headline, save_typical_rolls

    plot_distributions(all_rows, out / "metrics.png")
    plot_headline({n: summary[n] for n in summary}, [m for m, _ in HEADLINE], out / "headline.png")
    rolls = save_typical_rolls(samples, rows, out)
    results["seconds"] = round(time.time() - started, 1)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    (out / "report.md").write_text(render_markdown(results, rolls, opts) + "\n")
    return results


def render_markdown(res: Dict, rolls: Mapping[str, Mapping[str, Path]], opts: EvalOptions) -> str:
    names = list(res["summary"])
    L: List[str] = ["# RiffForge evaluation: does fine-tuning on Metal work?", ""]
    L += [f"Generated by `{res['command'] or 'riffforge evaluate'}` in {res['seconds']} s.", "",
          f"Each model source answered {res['per_intensity']} requests per style and intensity "
          f"({', '.join(str(x) for x in res['intensities'])}) — {res['per_intensity'] * len(res['intensities'])} "
          f"2-bar riffs per style, seeds from {res['seed']} — through the same request path the sidecar uses. "
          "Reference sources are real MIDI cut into 2-bar windows: "
          + (", ".join(f"{k} ({v} windows)" for k, v in res["reference_windows"].items()) or "none") + ".", ""]
    L += ["Sources:", ""]
    for name, s in res["sources"].items():
        desc = s["kind"]
        if s["bundles"]:
            desc += ": " + ", ".join(f"{b['id']} ({b['role']}, {b['config']}, step {b['steps']})" for b in s["bundles"])
        L.append(f"- **{name}** — {desc}")
    L += ["", "## Headline: Metal metrics that fine-tuning should raise", ""]
    L += _table(["metric"] + names, [[label] + [res["summary"][n][m] for n in names] for m, label in HEADLINE])
    L += ["", f"Blast styles: {', '.join(res['blast_styles'])} (their drum vocabulary has blast beats; see "
          "`riffforge.evaluation.report.blast_styles`). Fine-tuning should also make blasts rarer where the style "
          "has none:", ""]
    L += _table(["metric (should fall)"] + names, [[label] + [res["summary"][n][m] for n in names] for m, label in FALLING])
    L += [""]
    if res["checks"]:
        L += ["Checks:", ""]
        for c in res["checks"]:
            mark = "PASS" if c["overall"] else "FAIL"
            extra = f" (better in {c['styles_better']}/{c['styles']} styles)" if "styles_better" in c else ""
            L.append(f"- {mark} — {c['check']}: {_fmt(c.get('base'))} → {_fmt(c['fine_tuned'])}{extra}")
        L.append("")
    L += ["![headline](headline.png)", "", "## Other metrics (means)", ""]
    L += _table(["metric"] + names, [[m] + [res["summary"][n][m] for n in names] for m in EXTRA])
    L += ["", "Definitions: `riffforge.metrics` (docstrings). Distributions:", "", "![metrics](metrics.png)", ""]
    L += ["## Per style", ""]
    gen_names = list(res["per_style"])
    for m, label in HEADLINE + FALLING:
        L += [f"**{label}** (`{m}`)", ""]
        L += _table(["style"] + gen_names, [[st] + [res["per_style"][n][st][m] for n in gen_names]
                                            for st in res["styles"]])
        L.append("")
    L += ["## Intensity control", "", "Spearman ρ between requested intensity and measured `energy`, per style:", ""]
    L += _table(["style"] + gen_names, [[st] + [res["intensity_spearman"][n][st] for n in gen_names] for st in res["styles"]])
    L += ["", "## Novelty and variety", "",
          "`dup`: share of sampled riffs that exactly duplicate a training example of the Metal corpora (every "
          "track equal to a training window; melodies compared transposition- and octave-invariantly, so this is "
          "an upper bound); `any`: share with at least one copied track; `diversity`: mean pairwise normalised "
          "Hamming distance between riffs' per-step codes (0 = identical); `distinct`: share of distinct riffs. "
          "See `riffforge.evaluation.novelty`.", ""]
    header = ["style"]
    cols = []
    for n in gen_names:
        for k, lab in (("dup_all", "dup"), ("dup_any", "any"), ("diversity", "diversity"), ("unique", "distinct")):
            header.append(f"{n} {lab}")
            cols.append((n, k))
    L += _table(header, [[st] + [res["novelty"][n][st].get(k, float("nan")) for n, k in cols] for st in res["styles"]])
    inst_cols = [(n, k) for n in gen_names for k in ("dup_guitar", "dup_bass", "dup_drums")
                 if any(k in res["novelty"][n][st] for st in res["styles"])]
    if inst_cols:
        L += ["", "Per instrument (mean over styles):", ""]
        L += _table(["source", "guitar", "bass", "drums"],
                    [[n] + [_mean([res["novelty"][n][st].get(k, float("nan")) for st in res["styles"]])
                            for k in ("dup_guitar", "dup_bass", "dup_drums")] for n in gen_names])
    L += ["", "## Reconstruction accuracy (validation splits)", "",
          "As in the MusicVAE paper: per-step accuracy with teacher forcing and with free-running sampling from "
          "the posterior mean. Paper figures: flat 2-bar models (2048-unit LSTMs, trained to convergence on "
          "~1.5M files) — listed for scale only.", ""]
    if res["reconstruction"]:
        L += _table(["source", "bundle", "config", "step", "validation split of", "examples", "teacher-forced",
                     "sampled", "paper TF", "paper sampled"],
                    [[r["source"], r["bundle"], r["config"], r["steps"], r["corpus"], r["examples"], r["teacher_forced"],
                      r["sampled"], r["paper_teacher_forced"], r["paper_sampled"]] for r in res["reconstruction"]])
    else:
        L.append("(no --val-corpus given)")
    L += ["", "## Typical samples", "", "The riff closest to the median energy of each source and style "
          "(guitar, bass, drums lanes):", ""]
    for src, by_style in rolls.items():
        L.append(f"**{src}**")
        L.append("")
        L.append(" ".join(f"![{src} {st}]({p.name})" for st, p in by_style.items()))
        L.append("")
    return "\n".join(L)


def _mean(values: Sequence[float]) -> float:
    vals = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
    return sum(vals) / len(vals) if vals else float("nan")
