"""Scale-out: the corpus build locally vs as an Apache Beam pipeline, and training on one vs two JAX devices.

    ./run bench scale                       # the whole GMD folder (../shared/data/gmd), 30 timed train steps
    .venv/bin/python bench/scale.py --source DIR --train-steps 10 --skip-beam-multiprocess

Corpus: ``riffforge corpus build`` of the GMD drums (2-bar windows) with the local runner (``--jobs`` worker
processes) and with ``--runner beam`` on Beam's DirectRunner, in-process and with
``--direct_running_mode=multi_processing --direct_num_workers=JOBS``; wall time, files/s and whether every
Beam corpus equals the local one (:func:`riffforge.corpus.beam.corpus_differences`: shards, report,
manifest, apart from build time and runner).

Training: ``cat-drums_2bar_small`` on the JAX backend (and, for reference, TensorFlow on one device), batches
from the GMD corpus just built, the same seed and global batch on one device and, with ``--distribute data``'s
DataParallel, on two virtual CPU devices (``XLA_FLAGS=--xla_force_host_platform_device_count=2``), each in its
own process; steps/s after the compile steps and the largest loss difference between the two curves. Two virtual devices on a 2-core machine
are the same cores split in two, so the steps/s ratio is no measure of multi-device scaling (that needs real
devices): this shows that the distributed step is correct and what it costs here.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GMD = REPO / ".." / "shared" / "data" / "gmd"
sys.path.insert(0, str(REPO / "python_sidecar"))


def _build(kind: str, source: Path, out: Path, jobs: int, beam_options=None):
    from riffforge.corpus.build import BuildOptions, build_corpus
    from riffforge.corpus.windows import WindowOptions

    opts = BuildOptions(sources=[source], out=out, window=WindowOptions(kind="drums", bars=2), jobs=jobs,
                        progress=False)
    t0 = time.perf_counter()
    if kind == "local":
        summary = build_corpus(opts)
    else:
        from riffforge.corpus.beam import build_corpus_beam

        summary = build_corpus_beam(opts, beam_options or [])
    return summary, time.perf_counter() - t0


def corpus_part(args, tmp: Path):
    from riffforge.corpus.beam import corpus_differences

    runs = [("local", f"local, --jobs {args.jobs}", None),
            ("beam", "beam DirectRunner, in-process", ["--runner=DirectRunner"])]
    if not args.skip_beam_multiprocess:
        runs.append(("beam", f"beam DirectRunner, {args.jobs} worker processes",
                     ["--runner=DirectRunner", "--direct_running_mode=multi_processing",
                      f"--direct_num_workers={args.jobs}"]))
    rows = []
    local_dir = None
    for i, (kind, label, options) in enumerate(runs):
        out = tmp / f"corpus{i}"
        summary, seconds = _build(kind, args.source, out, args.jobs, options)
        if local_dir is None:
            local_dir = out
            same = "(reference)"
        else:
            diff = corpus_differences(local_dir, out)
            same = "identical" if not diff else "DIFFERS: " + "; ".join(diff[:3])
        windows = sum(summary.windows.values())
        rows.append((label, f"{seconds:.1f}", f"{summary.files / seconds:.1f}", f"{windows / seconds:.0f}", windows,
                     same))
    print(f"corpus build: {summary.files} MIDI files from {args.source.resolve()}, drums, 2-bar windows, "
          f"{os.cpu_count()} cores")
    _table(("runner", "wall s", "files/s", "windows/s", "windows", "output vs local"), rows)
    return local_dir


def _table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    for line in [header, tuple("-" * w for w in widths)] + list(rows):
        print(" | ".join(str(x).ljust(w) for x, w in zip(line, widths)))
    print()


def train_worker(corpus: str, devices: int, steps: int, warmup: int, batch: int) -> None:
    """Runs in its own process (XLA_FLAGS set by the parent): time ``steps`` train steps, print JSON."""
    import keras

    from riffforge.configs import get_config
    from riffforge.model import build_model
    from riffforge.training.data import train_batches
    from riffforge.training.jax_steps import data_parallel
    from riffforge.training.trainer import Trainer

    found = keras.distribution.list_devices() if keras.backend.backend() == "jax" else ["cpu"]
    distribution = data_parallel(found) if devices > 1 else None
    keras.distribution.set_distribution(distribution)
    keras.utils.set_random_seed(0)
    config = get_config("cat-drums_2bar_small")
    trainer = Trainer(build_model(config), config, jit_compile=False, distribution=distribution)  # the CLI default
    batches = train_batches(corpus, config, batch, seed=0)
    losses, t_compile, t0 = [], time.perf_counter(), None
    for i in range(warmup + steps):
        if i == warmup:
            t0 = time.perf_counter()
            t_compile = t0 - t_compile
        losses.append(trainer.train_step(next(batches)[1])["loss"])
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"backend": keras.backend.backend(), "devices": found if distribution else found[:1],
                                  "losses": losses,
                                  "steps_per_s": steps / seconds, "compile_s": t_compile}))


def train_part(args, corpus: Path):
    rows, curves = [], {}
    for backend, devices in (("jax", 1), ("jax", 2), ("tensorflow", 1)):
        env = dict(os.environ, KERAS_BACKEND=backend, JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
        if devices > 1:
            env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
        proc = subprocess.run([sys.executable, __file__, "--train-worker", str(corpus), "--devices", str(devices),
                               "--train-steps", str(args.train_steps), "--batch-size", str(args.batch_size)],
                              env=env, capture_output=True, text=True)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
            raise SystemExit(f"training worker on {devices} device(s) failed")
        result = json.loads(lines[-1][len("RESULT "):])
        if backend == "jax":
            curves[devices] = result["losses"]
        rows.append((backend, f"{devices} ({', '.join(result['devices'])})", f"{result['compile_s']:.1f}",
                     f"{result['steps_per_s']:.2f}", f"{result['steps_per_s'] * args.batch_size:.0f}",
                     f"{result['losses'][0]:.3f} -> {result['losses'][-1]:.3f}"))
    diff = max(abs(a - b) for a, b in zip(curves[1], curves[2]))
    rel = max(abs(a - b) / max(abs(a), 1e-9) for a, b in zip(curves[1], curves[2]))
    print(f"training: cat-drums_2bar_small on JAX, global batch {args.batch_size} (two devices: "
          f"{args.batch_size // 2} each), {args.train_steps} timed steps after 2 compile steps")
    _table(("backend", "devices", "compile s", "steps/s", "examples/s", "loss first -> last"), rows)
    print(f"JAX loss curves, one vs two devices: largest difference {diff:.2e} (relative {rel:.1e}) over "
          f"{len(curves[1])} steps (TensorFlow draws other random numbers: its curve is not comparable step by step)")
    speeds = {r[1].split()[0]: float(r[3]) for r in rows if r[0] == "jax"}
    print(f"two virtual devices / one: {speeds['2'] / speeds['1']:.2f}x steps/s. The two virtual devices are this "
          f"machine's {os.cpu_count()} CPU cores split in two, so this is no measure of multi-device scaling (real "
          "GPUs, TPU cores or hosts are where --distribute data pays), and other load on a shared machine moves it "
          "from run to run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=GMD)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--train-steps", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--skip-beam-multiprocess", action="store_true")
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--train-worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--devices", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.train_worker:
        train_worker(args.train_worker, args.devices, args.train_steps, 2, args.batch_size)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        corpus = corpus_part(args, Path(tmp))
        if not args.skip_train:
            train_part(args, corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
