#!/usr/bin/env python3
"""Reproduce RiffForge's bundled default Metal models (see riffforge/recipes/default.py and README).

    .venv/bin/python build/recipe_default.py --work /tmp/riffforge-recipe            # everything
    .venv/bin/python build/recipe_default.py --work /tmp/riffforge-recipe --stages evaluate
    .venv/bin/python build/recipe_default.py --work /tmp/riffforge-recipe --dry-run  # print the commands

Needs the train extra (``pip install -e python_sidecar[train]``, which includes music21). Stages skip
finished work and resume interrupted training runs, so re-running after a stop continues the recipe.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python_sidecar"))

from riffforge.recipes.default import STAGES, RecipeOptions, run_recipe  # noqa: E402


def main() -> int:
    d = RecipeOptions(work=Path("."))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, required=True, help="work folder for corpora and runs (outside the repo)")
    ap.add_argument("--models-dir", type=Path, default=d.models_dir, help="where the default bundles go")
    ap.add_argument("--report-dir", type=Path, default=None, help="evaluation report folder (default WORK/report)")
    ap.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    for field in ("metal_riffs", "base_drum_steps", "base_mel_steps", "ft_drum_steps", "ft_guitar_steps", "ft_bass_steps", "trio_steps", "batch_size",
                  "base_mel_batch_size", "checkpoint_every", "val_examples", "eval_per_intensity"):
        ap.add_argument("--" + field.replace("_", "-"), type=int, default=getattr(d, field))
    ap.add_argument("--dry-run", action="store_true", help="print the commands only")
    a = ap.parse_args()
    opts = RecipeOptions(work=a.work, models_dir=a.models_dir, report_dir=a.report_dir, stages=a.stages,
                         dry_run=a.dry_run, **{f: getattr(a, f) for f in (
                             "metal_riffs", "base_drum_steps", "base_mel_steps", "ft_drum_steps", "ft_guitar_steps", "ft_bass_steps", "trio_steps", "batch_size", "base_mel_batch_size",
                             "checkpoint_every", "val_examples", "eval_per_intensity")})
    run_recipe(opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
