"""``riffforge train``: train or fine-tune a MusicVAE (Keras 3 / TensorFlow) on a corpus.

    riffforge train --config NAME --corpus DIR --out RUN [--init RUN_DIR] [--steps N]
                    [--batch-size B] [--resume]

Writes RUN/weights.npz + RUN/run.json at every checkpoint (so ``riffforge export RUN`` works while it
runs), RUN/checkpoints/ for --resume, RUN/tensorboard/, RUN/metrics.jsonl and RUN/curves.png.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from . import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="MusicVAE config name, e.g. cat-drums_2bar_small")
    parser.add_argument("--corpus", required=True, type=Path, help="corpus directory (riffforge corpus build)")
    parser.add_argument("--out", required=True, type=Path, help="RUN directory to write")
    parser.add_argument("--init", type=Path, default=None,
                        help="fine-tune from a RUN directory (ours or `riffforge import-magenta`'s)")
    parser.add_argument("--init-step", choices=("continue", "reset"), default="continue",
                        help="with --init: continue the init run's step for the LR/KL/sampling schedules "
                             "(Magenta's behaviour when restoring a checkpoint) or restart them at 0")
    parser.add_argument("--hparams", default="", help="Magenta-style config overrides, e.g. "
                        "'learning_rate=0.0005,free_bits=32' (recorded in run.json)")
    parser.add_argument("--steps", type=int, default=2000, help="optimisation steps for this run (default 2000)")
    parser.add_argument("--batch-size", type=int, default=None, help="batch size (default: the config's)")
    parser.add_argument("--resume", action="store_true", help="continue RUN from its latest checkpoint")
    parser.add_argument("--checkpoint-every", type=int, default=500, help="steps between checkpoints")
    parser.add_argument("--eval-every", type=int, default=None, help="steps between validations "
                        "(default: at each checkpoint)")
    parser.add_argument("--log-every", type=int, default=10, help="steps between logged points")
    parser.add_argument("--val-examples", type=int, default=512, help="validation examples to evaluate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--xla", action="store_true", help="compile the train step with XLA (minutes to "
                        "compile and, with the while-loop LSTMs, not faster on CPU; for experiments)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ..training.loop import TrainError, TrainOptions, run_training

    for flag in ("checkpoint_every", "log_every", "val_examples"):
        if getattr(args, flag) < 1:
            raise CliError(f"--{flag.replace('_', '-')} {getattr(args, flag)}: must be >= 1")
    opts = TrainOptions(
        config=args.config, corpus=args.corpus, out=args.out, init=args.init, steps=args.steps,
        batch_size=args.batch_size, resume=args.resume, init_step=args.init_step, hparams=args.hparams,
        checkpoint_every=args.checkpoint_every, eval_every=args.eval_every, log_every=args.log_every,
        val_examples=args.val_examples, seed=args.seed, jit_compile=args.xla, progress=not args.no_progress,
    )
    try:
        meta = run_training(opts)
    except TrainError as exc:
        raise CliError(str(exc)) from None
    vm = meta.get("val_metrics") or {}
    line = f"riffforge train: {args.out} at step {meta['step']}"
    if vm:
        line += (f"; validation loss {vm.get('loss', float('nan')):.3f}, accuracy teacher-forced "
                 f"{vm.get('accuracy_teacher_forced', float('nan')):.3f}, sampling "
                 f"{vm.get('accuracy_sampling', float('nan')):.3f}")
    print(line)
    return 0
