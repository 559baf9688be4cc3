#!/usr/bin/env python3
"""Evaluation of the default models against real Metal: base vs fine-tuned vs procedural, per style.

    ./run bench evaluate                                   # print docs/evaluation/results.json
    ./run bench evaluate --work /tmp/riffforge-recipe      # re-run `riffforge evaluate` (recipe stage
                                                           # 'evaluate', needs the recipe's corpora and base
                                                           # bundles there), then print

Per style: every real-Metal figure (riffforge.metrics.metal) of every generated source beside the real range
(riffforge.metrics.reference) with in/out marks, the 8-bar phrase figures, and whether fine-tuning moved the
figure toward real Metal; then the style-classifier accuracy, the intensity control (Spearman rho per style),
exact duplicates of training examples, the checks and the reconstruction accuracy. The numbers come from
``riffforge evaluate`` (see riffforge.evaluation); this script only reruns and prints. A FAIL check is a
result, not an error: the exit status is non-zero only when results.json is missing or unreadable.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python_sidecar"))


def _num(v, width: int = 11) -> str:
    return f"{v:>{width}.3f}" if isinstance(v, (int, float)) and not math.isnan(v) else f"{'-':>{width}}"


def print_real_metal(res: dict) -> None:
    from riffforge.evaluation.real_metal import PHRASE_KEYS, format_summary, mark

    rm = res["real_metal"]
    names = list(next(iter(rm["headline"].values()))["inside"]) if rm["headline"] else []
    compare = rm.get("compare") or []
    print("Yardstick: " + rm["source"])
    print()
    cell = 26
    for style, table in rm["styles"].items():
        print(f"{style:<24} {'real Metal':<{cell}} {'basis':<20} "
              + " ".join(f"{n:<{cell}}" for n in names) + ("  toward" if compare else ""))
        for key, c in table.items():
            if key == PHRASE_KEYS[0]:
                print(f"  -- 8-bar phrases ({res.get('phrases', '?')} per source, intensity 0.5) --")
            basis = c["reference"].get("basis", "") if c["reference"] else ""
            vals = [f"{format_summary(c['sources'][n], key)} ({'in' if c['sources'][n]['inside'] else 'out'})"
                    if c["sources"][n]["inside"] is not None else "-" for n in names]
            print(f"  {key:<22} {format_summary(c['reference'], key):<{cell}} {basis[:20]:<20} "
                  + " ".join(f"{v:<{cell}}" for v in vals) + (f"  {mark(c['moved_toward'])}" if compare else ""))
        h = rm["headline"][style]
        print(f"  {'inside the real range':<22} {'':<{cell}} {'':<20} "
              + " ".join(f"{str(h['inside'][n]) + '/' + str(h['scored'][n]):<{cell}}" for n in names))
        if compare:
            print(f"  fine-tuning works for: {', '.join(h['works']) or 'none'}")
            print(f"  not (yet) for:         {', '.join(h['not_yet']) or 'none'}")
        print()


def print_style_classifier(res: dict) -> None:
    sc = res["style_classifier"]
    print(f"style classifier (trained on {sc['train']['per_style']} procedural riffs per style; tested at intensity "
          f"{sc['intensity']}; check: fine-tuned accuracy >= {sc['limit']})")
    for n, s in sc["sources"].items():
        print(f"  {n:<20} accuracy {_num(s['accuracy'], 6)}  ({s['n']} riffs)")
    print()


def print_control_and_novelty(res: dict) -> None:
    styles = res["styles"]
    gen = list(res["intensity_spearman"])
    print(f"{'style':<24}" + "".join(f"{'rho ' + n:>20}" for n in gen) + "".join(f"{'dup ' + n:>20}" for n in gen))
    for st in styles:
        rho = [res["intensity_spearman"][n].get(st, math.nan) for n in gen]
        dup = [res["novelty"].get(n, {}).get(st, {}).get("dup_all", math.nan) for n in gen]
        print(f"{st:<24}" + "".join(_num(v, 20) for v in rho + dup))
    print()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=None, help="recipe work folder: re-run the evaluation first")
    ap.add_argument("--report-dir", type=Path, default=ROOT / "docs" / "evaluation")
    a = ap.parse_args()
    if a.work is not None:
        from riffforge.recipes.default import RecipeOptions, run_recipe

        run_recipe(RecipeOptions(work=a.work, report_dir=a.report_dir, stages=["evaluate"]))
    path = a.report_dir / "results.json"
    try:
        res = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        print(f"bench evaluate: cannot read {path} ({exc}); run `riffforge evaluate ... --out {a.report_dir}` "
              "or pass --work", file=sys.stderr)
        return 2
    if "real_metal" in res:
        print_real_metal(res)
    else:
        print(f"({path} predates the real-Metal section: re-run `riffforge evaluate` to get it)\n")
    if "style_classifier" in res:
        print_style_classifier(res)
    print_control_and_novelty(res)
    for c in res["checks"]:
        print(("PASS " if c["overall"] else "FAIL ") + c["check"])
    print()
    print(f"{'reconstruction':<42} {'teacher-forced':>14} {'sampled':>8} {'paper TF':>9} {'paper smp':>9}")
    for r in res["reconstruction"]:
        print(f"{r['source'] + '/' + r['bundle'] + ' on ' + r['corpus']:<42} {_num(r['teacher_forced'], 14)} "
              f"{_num(r['sampled'], 8)} {_num(r['paper_teacher_forced'], 9)} {_num(r['paper_sampled'], 9)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
