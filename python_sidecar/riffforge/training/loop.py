"""The training loop behind ``riffforge train``: corpus -> MusicVAE -> RUN directory.

- Streams shuffled batches from the corpus shards (:mod:`.data`).
- Fresh start, ``--init RUN`` (fine-tune from one of our runs, an imported Magenta checkpoint or a model
  bundle such as the shipped ``riffforge/models/metal-guitar``; by
  default the schedules continue from that run's global step, as Magenta does when it restores a
  checkpoint), or ``--resume`` (model + Adam state + step from ``RUN/checkpoints``).
- tqdm bar with loss, KL, accuracy and ETA; TensorBoard scalars in ``RUN/tensorboard``; every logged
  point also goes to ``RUN/metrics.jsonl``.
- Every ``checkpoint_every`` steps (and at the end, and on Ctrl-C): a resumable checkpoint plus
  ``RUN/weights.npz`` + ``RUN/run.json``, so ``riffforge export`` works on a run in progress. run.json
  records ``checkpoint_every`` and ``eval_every``; ``--resume`` keeps them unless given again.
- Validation every ``eval_every`` steps: loss terms, teacher-forced and free-running (sampling)
  reconstruction accuracy.
- ``RUN/curves.png`` at the end, and when Ctrl-C stops the run.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from . import rundir
from .data import TrainingDataError, check_corpus, train_batches, validation_set


class TrainError(ValueError):
    """A user-facing training error (bad corpus, checkpoint, config mismatch): one line, with the fix."""


@dataclass
class TrainOptions:
    config: str
    corpus: Path
    out: Path
    init: Optional[Path] = None
    steps: int = 2000
    batch_size: Optional[int] = None
    resume: bool = False
    init_step: str = "continue"        # "continue" the init run's schedules, or "reset" them to 0
    hparams: str = ""                  # Magenta-style overrides, e.g. "learning_rate=0.0005,free_bits=32"
    checkpoint_every: Optional[int] = None  # default 500, or the resumed run's
    eval_every: Optional[int] = None   # default: the resumed run's, else at every checkpoint
    log_every: int = 10
    val_examples: int = 512
    seed: int = 0
    jit_compile: bool = False
    distribute: Optional[str] = None   # "data": data-parallel over every device (JAX backend)
    progress: bool = True
    keep_checkpoints: int = 3
    on_log: Optional[Callable[[Dict], None]] = field(default=None, repr=False)


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


def run_training(opts: TrainOptions) -> Dict:
    """Train; returns the final run.json dict. Raises :class:`TrainError` for user errors."""
    from ..configs import ConfigError, get_config

    try:
        config = get_config(opts.config)
        overrides = parse_hparams(opts.hparams, config)
        config = config.replace(**overrides) if overrides else config
    except ConfigError as exc:
        raise TrainError(str(exc)) from None
    if opts.steps < 1:
        raise TrainError(f"--steps {opts.steps}: must be >= 1")
    if opts.init_step not in ("continue", "reset"):
        raise TrainError(f"init_step={opts.init_step!r}: use 'continue' or 'reset'")
    devices = _distribution_devices(opts.distribute)
    try:
        corpus_info = check_corpus(opts.corpus, config)
    except TrainingDataError as exc:
        raise TrainError(str(exc)) from None
    out = Path(opts.out)
    n_train = corpus_info["examples"].get("train", 0)
    batch_size = int(config.batch_size if opts.batch_size is None else opts.batch_size)
    if batch_size < 1:
        raise TrainError(f"--batch-size {batch_size}: must be >= 1")
    if batch_size > n_train:
        print(f"riffforge train: note: batch size {batch_size} > {n_train} training examples; using {n_train}")
        batch_size = n_train
    if devices and batch_size % len(devices):
        raise TrainError(f"--batch-size {batch_size}: --distribute data splits each batch over {len(devices)} "
                         f"devices ({', '.join(devices)}); use a multiple of {len(devices)}")

    # --- where do we start from? ------------------------------------------------------------------
    resume_ckpt = None
    if opts.resume:
        resume_ckpt = rundir.latest_checkpoint(out)
        if resume_ckpt is None:
            raise TrainError(f"--resume: {out} has no checkpoints/ckpt-*.npz to resume from; drop --resume "
                             "to start a new run")
        prev = rundir.read_run_json(out) if (out / rundir.RUN_JSON).is_file() else {}
        if prev.get("config", config.name) != config.name:
            raise TrainError(f"--resume: {out} was trained with --config {prev['config']}, not {config.name}")
        checkpoint_every = prev.get("checkpoint_every") if opts.checkpoint_every is None else opts.checkpoint_every
        eval_every = prev.get("eval_every") if opts.eval_every is None else opts.eval_every
    elif rundir.list_checkpoints(out):
        raise TrainError(f"--out {out}: already holds a training run; pass --resume to continue it or choose "
                         "another --out")
    if opts.resume and opts.init:
        raise TrainError("--resume and --init cannot be combined: --resume continues RUN itself")
    if not opts.resume:
        checkpoint_every, eval_every = opts.checkpoint_every, opts.eval_every
    checkpoint_every = 500 if checkpoint_every is None else int(checkpoint_every)
    eval_every = checkpoint_every if eval_every is None else int(eval_every)
    for flag, value in (("--checkpoint-every", checkpoint_every), ("--eval-every", eval_every)):
        if value < 1:
            raise TrainError(f"{flag} {value}: must be >= 1")
    n_val = corpus_info["examples"].get("validation", 0)
    if 0 < n_val < 64:
        print(f"riffforge train: warning: corpus {opts.corpus} has only {n_val} validation windows (under 64); "
              "validation metrics will be noisy; add MIDI files to the corpus")

    init_weights = init_meta = None
    if opts.init:
        try:
            init_weights, init_meta = rundir.load_init(opts.init)
        except rundir.RunDirError as exc:
            raise TrainError(f"--init: {exc}") from None
        if init_meta.get("source") == "bundle" and init_meta.get("config") != config.name:
            raise TrainError(f"--init {opts.init}: the bundle was trained with config {init_meta.get('config')!r}, "
                             f"not --config {config.name}; pass --config {init_meta.get('config')}")
        if init_meta.get("config") != config.name:
            print(f"riffforge train: note: --init {opts.init} was made with config {init_meta.get('config')!r}; "
                  f"loading it into {config.name!r}")

    # --- build (Keras from here on) ---------------------------------------------------------------
    import keras

    keras.utils.set_random_seed(opts.seed)
    distribution = None
    if devices:
        from .jax_steps import data_parallel

        distribution = data_parallel(devices)
    previous_distribution = keras.distribution.distribution()
    keras.distribution.set_distribution(distribution)  # variables created from here on are laid out by it
    try:
        return _train(opts, config, overrides, corpus_info, out, batch_size, resume_ckpt, checkpoint_every,
                      eval_every, init_weights, init_meta, distribution)
    finally:
        keras.distribution.set_distribution(previous_distribution)


def _distribution_devices(distribute: Optional[str]) -> List[str]:
    """The devices ``--distribute`` trains on ([] without it); one clear error where it cannot."""
    if distribute is None:
        return []
    if distribute != "data":
        raise TrainError(f"--distribute {distribute}: the one mode is 'data' (data parallelism)")
    import keras

    if keras.backend.backend() != "jax":
        raise TrainError(f"--distribute data: needs the JAX backend, Keras is on {keras.backend.backend()!r}; "
                         "run with KERAS_BACKEND=jax (jax is in the scale extra: pip install -e "
                         "python_sidecar[train,scale])")
    return list(keras.distribution.list_devices())


def _train(opts: TrainOptions, config, overrides, corpus_info, out: Path, batch_size: int, resume_ckpt,
           checkpoint_every: int, eval_every: int, init_weights, init_meta, distribution) -> Dict:
    """The loop proper, once the options are checked and the distribution (if any) is set. TensorFlow writes
    the TensorBoard events whichever backend Keras trains on."""
    import keras
    import tensorflow as tf

    from ..model import WeightsMismatchError, build_model
    from .trainer import Trainer

    model = build_model(config)
    step_offset = 0
    run_steps = 0
    epoch = 0
    history: List[Dict] = []
    state: Dict = {}
    if resume_ckpt is not None:
        try:
            weights, opt_state, state = rundir.load_checkpoint(resume_ckpt)
            model.set_canonical_weights(weights, source=str(resume_ckpt))
        except (rundir.RunDirError, WeightsMismatchError) as exc:
            raise TrainError(f"--resume: {exc}") from None
        step_offset = int(state.get("step_offset", 0))
        epoch = int(state.get("epoch", 0)) + 1
        # Rows logged after that checkpoint (an interrupted run) are redone: drop them.
        ckpt_step = int(resume_ckpt.stem.split("-")[-1])
        history = [r for r in _read_history(out) if int(r.get("step", 0)) <= ckpt_step]
        rundir.save_text(out / rundir.METRICS, "".join(json.dumps(r) + "\n" for r in history))
    elif init_weights is not None:
        try:
            model.set_canonical_weights(init_weights, source=f"--init {opts.init}")
        except WeightsMismatchError as exc:
            raise TrainError(str(exc)) from None
        if opts.init_step == "continue":
            step_offset = int(init_meta.get("step", 0))
    trainer = Trainer(model, config, step_offset=step_offset, jit_compile=opts.jit_compile,
                      distribution=distribution)
    if resume_ckpt is not None:
        try:
            trainer.set_optimizer_state(opt_state, source=str(resume_ckpt))
        except ValueError as exc:
            raise TrainError(f"--resume: {exc}") from None
        run_steps = int(trainer.optimizer.iterations.numpy())
        if run_steps >= opts.steps:
            raise TrainError(f"--resume: {out} is already at step {run_steps} of this run; raise --steps above it")

    out.mkdir(parents=True, exist_ok=True)
    val = validation_set(opts.corpus, config, limit=opts.val_examples, seed=opts.seed)
    if val is None:
        print(f"riffforge train: note: corpus {opts.corpus} has no validation split; validation metrics skipped")
    writer = tf.summary.create_file_writer(str(out / "tensorboard"))
    from tensorflow.core.framework import summary_pb2

    scalar_metadata = summary_pb2.SummaryMetadata()
    scalar_metadata.plugin_data.plugin_name = "scalars"
    base_meta = {
        "config": config.name,
        "source": "riffforge-train",
        "corpus": corpus_info,
        "batch_size": batch_size,
        "init": None if not opts.init else {"path": str(opts.init), "config": init_meta.get("config"),
                                            "step": int(init_meta.get("step", 0)),
                                            "source": init_meta.get("source"), "init_step": opts.init_step},
        "step_offset": step_offset,
        "seed": opts.seed,
        "hparams": overrides,
    }
    if resume_ckpt is not None and state.get("meta"):
        base_meta = dict(state["meta"], corpus=corpus_info)
    base_meta.update(checkpoint_every=checkpoint_every, eval_every=eval_every,
                     backend=keras.backend.backend(), distribute=None if distribution is None else {
                         "mode": "data", "devices": list(distribution.device_mesh.devices.flatten().tolist())})
    val_metrics: Dict = {}
    if history:
        vals = [h for h in history if h.get("split") == "validation"]
        val_metrics = {k: v for k, v in vals[-1].items() if k not in ("split",)} if vals else {}

    def log(row: Dict) -> None:
        history.append(row)
        with open(out / rundir.METRICS, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
        with writer.as_default(step=row["step"]):
            for k, v in row.items():
                if k not in ("step", "split", "run_step") and isinstance(v, (int, float)):
                    # tf.summary.scalar lives in the tensorboard package (not a TF 2.21 dependency);
                    # this is the same event it writes: a float tensor tagged for the scalars plugin.
                    tf.summary.write(f"{row['split']}/{k}", tf.constant(float(v), tf.float32),
                                     metadata=scalar_metadata)
        if opts.on_log:
            opts.on_log(row)

    def evaluate() -> Dict:
        nonlocal val_metrics
        if val is None:
            return {}
        metrics = trainer.evaluate(val, batch_size=min(batch_size, 256), seed=opts.seed)
        row = {"split": "validation", "step": trainer.global_step, "run_step": run_steps, **metrics}
        log(row)
        val_metrics = {k: v for k, v in row.items() if k != "split"}
        return metrics

    def save(final: bool = False) -> None:
        weights = model.get_canonical_weights()
        meta = dict(base_meta, step=trainer.global_step, run_steps=run_steps, val_metrics=val_metrics,
                    finished=final, saved_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
        rundir.save_checkpoint(out, trainer.global_step, weights, trainer.optimizer_state(),
                               {"step_offset": step_offset, "epoch": epoch, "meta": base_meta},
                               keep=opts.keep_checkpoints)
        rundir.save_weights(out, weights)
        rundir.save_json(out / rundir.RUN_JSON, meta)

    batches = train_batches(opts.corpus, config, batch_size, seed=opts.seed, start_epoch=epoch)
    from tqdm import tqdm

    bar = tqdm(total=opts.steps, initial=run_steps, desc=f"train {config.name}", unit="step",
               disable=None if opts.progress else True, dynamic_ncols=True)
    window: Dict[str, float] = {}
    count = 0
    started = time.time()
    examples = 0
    try:
        while run_steps < opts.steps:
            try:
                epoch, batch = next(batches)
            except TrainingDataError as exc:
                raise TrainError(str(exc)) from None
            terms = trainer.train_step(batch)
            if not math.isfinite(terms["loss"]):
                raise TrainError(f"loss became {terms['loss']} at step {trainer.global_step}; lower the learning "
                                 "rate or check the corpus")
            run_steps += 1
            examples += len(batch)
            count += 1
            for k, v in terms.items():
                window[k] = window.get(k, 0.0) + v
            bar.update(1)
            if run_steps % opts.log_every == 0 or run_steps == opts.steps:
                avg = {k: v / count for k, v in window.items()}
                elapsed = max(time.time() - started, 1e-9)
                log({"split": "train", "step": trainer.global_step, "run_step": run_steps, **avg,
                     "examples_per_second": examples / elapsed})
                bar.set_postfix(loss=_fmt(avg["loss"]), kl=_fmt(avg["kl_bits"]), acc=f"{avg['accuracy']:.3f}",
                                refresh=False)
                window, count = {}, 0
            if run_steps % eval_every == 0 and run_steps < opts.steps:
                evaluate()
            if run_steps % checkpoint_every == 0 and run_steps < opts.steps:
                save()
    except KeyboardInterrupt:
        bar.close()
        save()
        _write_curves(history, out, config.name)
        print(f"riffforge train: interrupted at step {trainer.global_step}; checkpoint saved, continue with "
              f"`{resume_command(config.name, opts.corpus, out, opts.steps, checkpoint_every, eval_every)}`")
        raise
    bar.close()
    evaluate()
    save(final=True)
    _write_curves(history, out, config.name)
    return rundir.read_run_json(out)


def _write_curves(history, out: Path, config_name: str) -> None:
    """``RUN/curves.png`` from the run's logged points: at the end, and after Ctrl-C for the steps so far."""
    try:
        from .curves import plot_curves

        plot_curves(history, out / "curves.png", title=f"{config_name} — {out.name}")
    except ImportError as exc:  # matplotlib is in the train extra; say so rather than fail the run
        print(f"riffforge train: note: curves.png skipped ({exc}); install riffforge[train]")


def resume_command(config: str, corpus: Path, out: Path, steps: int, checkpoint_every: int,
                   eval_every: int) -> str:
    """The command that continues an interrupted run with the same step budget and cadence."""
    return (f"riffforge train --config {config} --corpus {corpus} --out {out} --resume --steps {steps} "
            f"--checkpoint-every {checkpoint_every} --eval-every {eval_every}")


def parse_hparams(text: str, config) -> Dict:
    """Magenta's ``--hparams`` syntax: ``name=value,name=value`` over the config's fields. Values are
    JSON (numbers, true/false, [lists]) or bare strings; lists become tuples."""
    import dataclasses

    from ..configs import ConfigError

    if not text:
        return {}
    fields = {f.name for f in dataclasses.fields(config)} - {"name", "description"}
    out: Dict = {}
    parts, depth, cur = [], 0, ""
    for ch in text:  # split on commas outside brackets
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    for part in filter(None, (p.strip() for p in parts)):
        if "=" not in part:
            raise ConfigError(f"--hparams {part!r}: expected name=value")
        key, raw = (x.strip() for x in part.split("=", 1))
        if key not in fields:
            raise ConfigError(f"--hparams {key!r}: unknown; known: {', '.join(sorted(fields))}")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        if isinstance(value, list):
            value = tuple(value)
        current = getattr(config, key)
        if isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if current is not None and not isinstance(value, type(current)):
            raise ConfigError(f"--hparams {key}={raw}: expected a {type(current).__name__}")
        out[key] = value
    return out


def _read_history(out: Path) -> List[Dict]:
    path = Path(out) / rundir.METRICS
    rows = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
    return rows
