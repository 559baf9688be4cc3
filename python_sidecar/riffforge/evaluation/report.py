"""The evaluation run behind ``riffforge evaluate``: sample, measure, compare with real Metal, write ``report.md``.

For every model source (see :mod:`.sources`), style and intensity, ``per_intensity`` riffs are requested
(2 bars, seeds ``seed + i``), exactly as the sidecar would request them, plus ``phrases`` 8-bar riffs per
style at intensity 0.5; every riff is measured with :func:`riffforge.metrics.riff_metrics` and with the
real-Metal figures of :mod:`riffforge.metrics.metal`. Reference MIDI (GMD rock) is measured as it is. The
report has

- the headline: per style, how many real-Metal figures of each source lie inside the real range
  (:mod:`riffforge.metrics.reference`), and the figures where fine-tuning moved toward it
  (:mod:`.real_metal`) — the "fine-tuning works" verdict is given per figure, only where it moved toward
  real Metal;
- per style, every figure of every source beside the reference (median [IQR] or rate, and its basis);
- the style classifier check (:mod:`.style_classifier`): does a riff sound like the style it was asked for;
- the intensity control (Spearman rho of requested intensity vs measured energy, per style);
- novelty: share of riffs duplicating a training example (per style, see :mod:`.novelty`) and pairwise
  diversity;
- reconstruction accuracy of every bundle on every validation split of its kind, beside the MusicVAE
  paper's 2-bar figures (:mod:`.reconstruction`);
- descriptive Metal metric means (double-kick, blast, gallop ... rates: more is not better, real Metal is
  the yardstick), figures: metric distributions, piano rolls of typical samples.

``results.json`` next to the report holds every number in the report.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from ..metrics import riff_metrics, spearman, summarize
from ..music.riff import STYLES
from .novelty import duplicate_rates, pairwise_diversity, training_keys
from .real_metal import (PHRASE_BARS, PHRASE_INTENSITY, fine_tuning_checks, format_summary, mark, real_metal_section,
                         source_summary)
from .sources import EvaluationError, Source, load_reference, parse_model_spec

#: (metric, label) of the descriptive Metal metric table (means per source). They are not scored: more
#: double-kick or more blasts is not better; the real-Metal figures (:mod:`.real_metal`) are the yardstick.
#: Blast beats are split by the styles whose drum vocabulary has them (:func:`blast_styles`).
METAL_METRICS = (("double_kick_rate", "double-kick rate"), ("blast_in_style", "blast rate in blast styles"),
                 ("blast_off_style", "blast rate in the other styles"), ("gallop_match", "gallop match"),
                 ("power_chord_ratio", "power-chord ratio"), ("mode_share", "modal fit"),
                 ("kick_guitar_synchrony", "kick–guitar sync"))
EXTRA = ("blast_rate", "energy", "tempo", "drum_onsets_per_bar", "skank_match", "backbeat_share", "best_mode_share",
         "pitch_class_entropy", "bass_guitar_root_agreement")
#: Most exact duplicates of training examples allowed (share of riffs, in every style).
DUPLICATE_LIMIT = 0.0
#: Least Spearman rho of requested intensity vs measured energy, in every style.
INTENSITY_RHO_LIMIT = 0.9
#: Intensity of the riffs the style classifier is tested on.
CLASSIFIER_INTENSITY = 0.5


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
    phrases: int = 20                          # 8-bar riffs per source and style (phrase figures)
    classifier_per_style: int = 120            # procedural training riffs per style (style classifier)
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
    with tqdm(total=total, unit="riff", desc="sampling", disable=None if opts.progress else True) as bar:
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


#: Offset of the request seeds of the 8-bar phrases and of extra intensity-0.5 riffs from ``--seed`` (the
#: 2-bar requests use offsets below 10 000 per style and intensity, i.e. below a million for six styles).
PHRASE_SEED_OFFSET = 5_000_000
CLASSIFIER_SEED_OFFSET = 6_000_000


def sample_phrases(sources: Sequence[Source], opts: EvalOptions) -> Dict[str, Dict[str, list]]:
    """``{source: {style: [Riff]}}``: ``opts.phrases`` 8-bar riffs per source and style at intensity 0.5,
    through the same request path (seeds ``seed + PHRASE_SEED_OFFSET + 10 000 * style index + i``)."""
    out: Dict[str, Dict[str, list]] = {}
    for src in sources:
        for si, style in enumerate(opts.styles):
            seed = opts.seed + PHRASE_SEED_OFFSET + 10_000 * si
            out.setdefault(src.name, {})[style] = (
                src.sample(style, PHRASE_INTENSITY, opts.phrases, seed, bars=PHRASE_BARS) if opts.phrases else [])
    return out


def riffs_at_intensity(src: Source, samples: Mapping[str, Sequence], opts: EvalOptions,
                       intensity: float) -> Dict[str, list]:
    """``{style: [Riff]}`` of ``src`` requested at ``intensity``: the evaluation's own riffs when it samples
    that intensity, else ``per_intensity`` more requests (seeds from ``seed + CLASSIFIER_SEED_OFFSET``)."""
    hit = [i for i, x in enumerate(opts.intensities) if abs(x - intensity) < 1e-9]
    out = {}
    for si, style in enumerate(opts.styles):
        if hit:
            lo = hit[0] * opts.per_intensity
            out[style] = list(samples[style][lo: lo + opts.per_intensity])
        else:
            out[style] = src.sample(style, intensity, opts.per_intensity,
                                    opts.seed + CLASSIFIER_SEED_OFFSET + 10_000 * si)
    return out


def style_classifier_check(sources: Sequence[Source], samples: Mapping[str, Mapping[str, Sequence]],
                           opts: EvalOptions) -> Dict:
    """Train the style classifier on procedural riffs of the evaluated styles, test it on every source's
    riffs at :data:`CLASSIFIER_INTENSITY` (see :mod:`.style_classifier`)."""
    from .style_classifier import ACCURACY_LIMIT, FEATURES, TRAIN_SEED, score, train_on_procedural

    clf = train_on_procedural(opts.styles, opts.classifier_per_style, TRAIN_SEED)
    scores = {src.name: score(clf, riffs_at_intensity(src, samples[src.name], opts, CLASSIFIER_INTENSITY))
              for src in sources}
    return {"labels": list(opts.styles), "intensity": CLASSIFIER_INTENSITY, "limit": ACCURACY_LIMIT,
            "features": list(FEATURES),
            "train": {"source": "procedural", "per_style": opts.classifier_per_style, "seed": TRAIN_SEED,
                      "intensities": "uniform in [0, 1]"},
            "sources": scores}


def reconstruction_table(sources: Sequence[Source], val_corpora: Sequence[Path], limit: int, progress: bool) -> List[Dict]:
    """One row per (bundle, validation corpus of the bundle's encoding kind)."""
    from ..corpus.shards import read_manifest
    from .reconstruction import PAPER_2BAR, bundle_weights, reconstruction_accuracy

    kinds, control_depths = {}, {}
    for c in val_corpora:
        manifest = read_manifest(c)
        kinds[Path(c)] = manifest.get("kind")
        control_depths[Path(c)] = int(manifest.get("encoding", {}).get("control_depth", 0))
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
                # a bundle is measured on corpora of its own encoding and conditioning (a guitar-conditioned
                # bass on the corpus that carries the guitar's root per step, an unconditioned one without)
                if kind != b.config.encoding or control_depths[corpus] != b.config.control_depth:
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

    # real Metal: window figures on the 2-bar riffs, phrase figures on 8-bar riffs at intensity 0.5
    generated = [s for s in sources if s.kind != "reference"]
    if opts.progress:
        print(f"[evaluate] real Metal: {opts.phrases} 8-bar riffs per source and style, style classifier", flush=True)
    phrases = sample_phrases(generated, opts)
    figures = {src.name: {st: source_summary(samples[src.name][st], phrases[src.name][st]) for st in opts.styles}
               for src in generated}
    real_metal = real_metal_section(figures, opts.styles, compare if len(compare) == 2 else [])
    classifier = style_classifier_check(generated, samples, opts)

    # acceptance checks
    checks = []
    if len(compare) == 2:
        base, ft = compare
        checks += fine_tuning_checks(real_metal)
        rhos = control[ft]
        worst_rho = min((r for r in rhos.values() if not math.isnan(r)), default=math.nan)
        checks.append({"check": f"intensity control: Spearman rho of intensity vs energy >= {INTENSITY_RHO_LIMIT} in "
                                f"every style ({ft}; worst style)", "metric": "intensity_spearman",
                       "base": min((r for r in control[base].values() if not math.isnan(r)), default=math.nan),
                       "fine_tuned": worst_rho,
                       "overall": bool(all(not math.isnan(r) and r >= INTENSITY_RHO_LIMIT for r in rhos.values()))})
        if keys:
            worst = max(novelty[ft][st]["dup_all"] for st in opts.styles)
            limit = "none" if DUPLICATE_LIMIT == 0 else f"<= {DUPLICATE_LIMIT:.0%} of riffs"
            checks.append({"check": f"exact duplicates of training examples: {limit} in every style "
                                    f"({ft}; share in the worst style)", "metric": "dup_all", "fine_tuned": worst,
                           "base": max(novelty[base][st]["dup_all"] for st in opts.styles),
                           "overall": bool(worst <= DUPLICATE_LIMIT)})
        acc = classifier["sources"][ft]["accuracy"]
        checks.append({"check": f"style classifier (trained on procedural riffs) recognises the requested style of "
                                f"{ft}'s riffs at intensity {CLASSIFIER_INTENSITY}: accuracy >= {classifier['limit']}",
                       "metric": "style_accuracy", "base": classifier["sources"][base]["accuracy"],
                       "fine_tuned": acc, "overall": bool(not math.isnan(acc) and acc >= classifier["limit"])})

    results = {"command": opts.command, "seed": opts.seed, "styles": list(opts.styles),
               "intensities": list(opts.intensities), "per_intensity": opts.per_intensity, "phrases": opts.phrases,
               "sources": {s.name: {"kind": s.kind, "path": str(s.path) if s.path else None,
                                    "bundles": [{"id": b.model_id, "role": b.role, "config": b.config.name,
                                                 "steps": b.metadata.get("steps"), "float16": b.info.get("float16")}
                                                for b in s.bundles]} for s in sources + refs},
               "reference_windows": {r.name: len(r.riffs) for r in refs},
               "real_metal": real_metal, "style_classifier": classifier,
               "summary": summary, "per_style": per_style, "intensity_spearman": control, "novelty": novelty,
               "reconstruction": recon, "checks": checks, "compare": compare,
               "blast_styles": blast_styles(opts.styles)}

    # figures
    from .plots import plot_distributions, plot_headline, plot_real_metal, save_typical_rolls

    plot_distributions(all_rows, out / "metrics.png")
    plot_real_metal(real_metal["headline"], out / "real_metal.png")
    plot_headline({n: summary[n] for n in summary}, [m for m, _ in METAL_METRICS], out / "metal_metrics.png")
    rolls = save_typical_rolls(samples, rows, out)
    results["seconds"] = round(time.time() - started, 1)
    (out / "results.json").write_text(json.dumps(results, indent=1, default=float) + "\n")
    (out / "report.md").write_text(render_markdown(results, rolls, opts) + "\n")
    return results


def _basis(ref: Optional[Mapping]) -> str:
    if not ref:
        return "–"
    text = ref.get("basis", "")
    if ref.get("iqr_basis"):
        text += f" (IQR: {ref['iqr_basis']})"
    return text


def render_real_metal(res: Dict) -> List[str]:
    """The headline (figures inside the real range per style and source, the per-figure verdict) and the
    per-style tables of the real-Metal section."""
    rm = res["real_metal"]
    names = list(next(iter(rm["headline"].values()))["inside"]) if rm["headline"] else []
    compare = rm.get("compare") or []
    L = ["## Headline: how close to real Metal?", "",
         f"Yardstick — {rm['source']}", "",
         "Every figure (definitions: `riffforge.metrics.metal`) is measured on the 2-bar riffs above (all "
         f"intensities); the 8-bar phrase figures on {res.get('phrases', 0)} 8-bar riffs per source and style at "
         "intensity 0.5. A median figure is *inside* when its median lies in the reference interquartile range; a "
         "rate when it lies within half to twice the reference rate (at most 3 % where the reference is at most "
         "1 %). Figures inside the real range, per style:", ""]
    header = ["style"] + [f"{n} inside" for n in names]
    if compare:
        header += ["fine-tuning works for", "not (yet) for"]
    rows = []
    for st, h in rm["headline"].items():
        row = [st] + [f"{h['inside'][n]}/{h['scored'][n]}" for n in names]
        if compare:
            row += [", ".join(h["works"]) or "none", ", ".join(h["not_yet"]) or "none"]
        rows.append(row)
    L += _table(header, rows)
    if compare:
        L += ["", f"Fine-tuning *works* on a figure when it moves it toward real Metal: `{compare[1]}` is closer to "
              f"the range than `{compare[0]}` (distance in units of the reference spread, "
              "`riffforge.metrics.reference.distance`), or both are inside. It is claimed only for those figures."]
    L += ["", "![real Metal](real_metal.png)", "", "## Real Metal, per style", ""]
    for st, table in rm["styles"].items():
        L += [f"**{st}**", ""]
        header = ["figure", "real Metal", "basis"]
        for n in names:
            header += [n, "inside"]
        if compare:
            header.append("toward real Metal")
        rows = []
        for key, cell in table.items():
            row = [f"{cell['label']} (`{key}`)", format_summary(cell["reference"], key), _basis(cell["reference"])]
            for n in names:
                row += [format_summary(cell["sources"][n], key), mark(cell["sources"][n]["inside"])]
            if compare:
                row.append(mark(cell["moved_toward"]))
            rows.append(row)
        L += _table(header, rows)
        L.append("")
    return L


def render_style_classifier(res: Dict) -> List[str]:
    sc = res["style_classifier"]
    labels = sc["labels"]
    L = ["## Style classifier: does a riff sound like its style?", "",
         f"A multinomial logistic regression (NumPy; `riffforge.evaluation.style_classifier`) on {len(sc['features'])} "
         f"standardised features per 2-bar riff ({', '.join(f'`{f}`' for f in sc['features'])}), trained on "
         f"{sc['train']['per_style']} procedural riffs per style at intensities {sc['train']['intensities']} "
         f"(seeds from {sc['train']['seed']}), tested on each source's riffs at intensity {sc['intensity']}. "
         f"The check asks the fine-tuned source for accuracy >= {sc['limit']}.", ""]
    L += _table(["source", "accuracy", "riffs"], [[n, s["accuracy"], s["n"]] for n, s in sc["sources"].items()])
    for n, s in sc["sources"].items():
        L += ["", f"Confusion of **{n}** (rows: requested style, columns: predicted):", ""]
        L += _table(["requested"] + labels, [[lab] + list(row) for lab, row in zip(labels, s["confusion"])])
    L.append("")
    return L


def render_markdown(res: Dict, rolls: Mapping[str, Mapping[str, Path]], opts: EvalOptions) -> str:
    names = list(res["summary"])
    L: List[str] = ["# RiffForge evaluation: does fine-tuning on Metal work?", ""]
    L += [f"Generated by `{res['command'] or 'riffforge evaluate'}` in {res['seconds']} s.", "",
          f"Each model source answered {res['per_intensity']} requests per style and intensity "
          f"({', '.join(str(x) for x in res['intensities'])}) — {res['per_intensity'] * len(res['intensities'])} "
          f"2-bar riffs per style, seeds from {res['seed']} — and {res.get('phrases', 0)} 8-bar requests per style "
          "at intensity 0.5, through the same request path the sidecar uses. "
          "Reference sources are real MIDI cut into 2-bar windows: "
          + (", ".join(f"{k} ({v} windows)" for k, v in res["reference_windows"].items()) or "none") + ".", ""]
    L += ["Sources:", ""]
    for name, s in res["sources"].items():
        desc = s["kind"]
        if s["bundles"]:
            desc += ": " + ", ".join(f"{b['id']} ({b['role']}, {b['config']}, step {b['steps']})" for b in s["bundles"])
        L.append(f"- **{name}** — {desc}")
    L.append("")
    L += render_real_metal(res)
    if res["checks"]:
        L += ["## Checks", ""]
        for c in res["checks"]:
            mark_ = "PASS" if c["overall"] else "FAIL"
            value = "" if c["metric"] == "real_metal" else f": {_fmt(c.get('base'))} → {_fmt(c['fine_tuned'])}"
            L.append(f"- {mark_} — {c['check']}{value}")
        L.append("")
    L += render_style_classifier(res)
    gen_names = list(res["per_style"])
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
    L += ["", "## Metal metrics (descriptive means)", "",
          "Means of the Metal metrics of `riffforge.metrics` over all sampled riffs. They describe, they do not "
          "score: more double-kick or more blasts is not better — the real-Metal figures above are the yardstick. "
          f"Blast styles: {', '.join(res['blast_styles']) or 'none evaluated'} (their drum vocabulary has blast beats; see "
          "`riffforge.evaluation.report.blast_styles`).", ""]
    L += _table(["metric"] + names, [[label] + [res["summary"][n][m] for n in names] for m, label in METAL_METRICS])
    L += [""]
    L += _table(["metric"] + names, [[m] + [res["summary"][n][m] for n in names] for m in EXTRA])
    L += ["", "![Metal metrics](metal_metrics.png)", "", "Definitions: `riffforge.metrics` (docstrings). "
          "Distributions:", "", "![metrics](metrics.png)", ""]
    for m, label in METAL_METRICS:
        L += [f"**{label}** (`{m}`), per style", ""]
        L += _table(["style"] + gen_names, [[st] + [res["per_style"][n][st][m] for n in gen_names]
                                            for st in res["styles"]])
        L.append("")
    L += ["## Typical samples", "", "The riff closest to the median energy of each source and style "
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
