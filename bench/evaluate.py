#!/usr/bin/env python3
"""Evaluation headline of the default models: base vs fine-tuned vs procedural vs GMD rock.

    ./run bench evaluate                                   # print the table of docs/evaluation/results.json
    ./run bench evaluate --work /tmp/riffforge-recipe      # re-run `riffforge evaluate` (recipe stage
                                                           # 'evaluate', needs the recipe's corpora and base
                                                           # bundles there), then print the table

The numbers come from ``riffforge evaluate`` (see riffforge.evaluation); this script only reruns and prints.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python_sidecar"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=None, help="recipe work folder: re-run the evaluation first")
    ap.add_argument("--report-dir", type=Path, default=ROOT / "docs" / "evaluation")
    a = ap.parse_args()
    if a.work is not None:
        from riffforge.recipes.default import RecipeOptions, run_recipe

        run_recipe(RecipeOptions(work=a.work, report_dir=a.report_dir, stages=["evaluate"]))
    res = json.loads((a.report_dir / "results.json").read_text())
    from riffforge.evaluation.report import HEADLINE

    names = list(res["summary"])
    rows = [(label, *[res["summary"][n][m] for n in names]) for m, label in HEADLINE]
    styles = res["styles"]
    gen = list(res["intensity_spearman"])
    rows.append(("intensity rho (mean)", *[sum(res["intensity_spearman"][n].values()) / len(styles) if n in gen
                                            else float("nan") for n in names]))
    rows.append(("duplicate riffs (worst style)", *[max(res["novelty"][n][s]["dup_all"] for s in styles)
                                                    if n in res["novelty"] else float("nan") for n in names]))
    rows.append(("pairwise diversity (mean)", *[sum(res["novelty"][n][s]["diversity"] for s in styles) / len(styles)
                                                if n in res["novelty"] else float("nan") for n in names]))
    w = max(len(r[0]) for r in rows)
    print(f"{'metric':<{w}}  " + "  ".join(f"{n:>11}" for n in names))
    for r in rows:
        print(f"{r[0]:<{w}}  " + "  ".join(f"{v:>11.3f}" if v == v else f"{'-':>11}" for v in r[1:]))
    print()
    for c in res["checks"]:
        print(("PASS " if c["overall"] else "FAIL ") + c["check"])
    print()
    print(f"{'reconstruction':<42} {'teacher-forced':>14} {'sampled':>8} {'paper TF':>9} {'paper smp':>9}")
    for r in res["reconstruction"]:
        print(f"{r['source'] + '/' + r['bundle'] + ' on ' + r['corpus']:<42} {r['teacher_forced']:>14.3f} "
              f"{r['sampled']:>8.3f} {r['paper_teacher_forced']:>9.3f} {r['paper_sampled']:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
