"""``riffforge train``: train or fine-tune a MusicVAE (Keras 3 / TensorFlow) on a corpus.

    riffforge train --config NAME --corpus DIR --out RUN [--init RUN_OR_BUNDLE] [--steps N]
                    [--batch-size B] [--resume]

Keras trains on its configured backend (``KERAS_BACKEND``, default TensorFlow); ``KERAS_BACKEND=jax`` trains the
same model on JAX, and ``--distribute data`` spreads each batch over every JAX device (data parallelism).

``--init`` takes a RUN directory or a model bundle (``riffforge export``'s output, or a shipped one such
as ``python_sidecar/riffforge/models/metal-guitar``; its config must be ``--config``).

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
                        help="fine-tune from a RUN directory (ours or `riffforge import-magenta`'s) or a model "
                             "bundle folder (model.json + weights.npz, e.g. a shipped one in riffforge/models)")
    parser.add_argument("--init-step", choices=("continue", "reset"), default="continue",
                        help="with --init: continue the init run's step for the LR/KL/sampling schedules "
                             "(Magenta's behaviour when restoring a checkpoint) or restart them at 0")
    parser.add_argument("--hparams", default="", help="Magenta-style config overrides, e.g. "
                        "'learning_rate=0.0005,free_bits=32' (recorded in run.json)")
    parser.add_argument("--steps", type=int, default=2000, help="optimisation steps for this run (default 2000)")
    parser.add_argument("--batch-size", type=int, default=None, help="batch size (default: the config's)")
    parser.add_argument("--resume", action="store_true", help="continue RUN from its latest checkpoint")
    parser.add_argument("--checkpoint-every", type=int, default=None, help="steps between checkpoints "
                        "(default 500; --resume keeps the run's)")
    parser.add_argument("--eval-every", type=int, default=None, help="steps between validations "
                        "(default: at each checkpoint; --resume keeps the run's)")
    parser.add_argument("--log-every", type=int, default=10, help="steps between logged points")
    parser.add_argument("--val-examples", type=int, default=512, help="validation examples to evaluate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--xla", action="store_true", help="compile the train step with XLA (minutes to "
                        "compile and, with the while-loop LSTMs, not faster on CPU; for experiments)")
    parser.add_argument("--distribute", choices=("data",), default=None,
                        help="data: data parallelism over every device keras.distribution.list_devices() finds "
                             "(the JAX backend, KERAS_BACKEND=jax; the scale extra); each batch is split across "
                             "them, so --batch-size must be a multiple of the device count")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ..training.loop import TrainError, TrainOptions, run_training

    for flag in ("checkpoint_every", "eval_every", "batch_size", "log_every", "val_examples"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            fix = " (leave it out for the config's)" if flag == "batch_size" else ""
            raise CliError(f"--{flag.replace('_', '-')} {value}: must be >= 1{fix}")
    opts = TrainOptions(
        config=args.config, corpus=args.corpus, out=args.out, init=args.init, steps=args.steps,
        batch_size=args.batch_size, resume=args.resume, init_step=args.init_step, hparams=args.hparams,
        checkpoint_every=args.checkpoint_every, eval_every=args.eval_every, log_every=args.log_every,
        val_examples=args.val_examples, seed=args.seed, jit_compile=args.xla, distribute=args.distribute,
        progress=not args.no_progress,
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
