"""Benchmark: build the GMD drum corpus (../shared/data/gmd) and print files/s and windows/s.

Acceptance (issue 4): under 60 s on the 2-core dev machine. Usage: ``./run bench corpus`` or
``.venv/bin/python bench/corpus.py [--jobs N] [--kind drums]``.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GMD = ROOT / ".." / "shared" / "data" / "gmd"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--kind", default="drums", choices=("drums",))
    parser.add_argument("--source", type=Path, default=GMD)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from riffforge.corpus.build import BuildOptions, build_corpus
    from riffforge.corpus.windows import WindowOptions

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = build_corpus(BuildOptions(sources=[args.source], out=Path(tmp) / "gmd", jobs=args.jobs,
                                            window=WindowOptions(kind=args.kind, bars=2)))
        seconds = time.perf_counter() - t0
        shard_bytes = sum(p.stat().st_size for p in (Path(tmp) / "gmd" / "shards").glob("*.npz"))
    windows = sum(summary.windows.values())
    rows = [
        ("source", str(args.source.resolve())),
        ("kind / window", f"{args.kind} / 2 bars"),
        ("jobs (cpu count)", f"{args.jobs} ({os.cpu_count()})"),
        ("MIDI files", summary.files),
        ("files with windows", summary.files_used),
        ("files skipped (report lines)", summary.files_skipped),
        ("windows train / validation / test",
         f"{summary.windows['train']} / {summary.windows['validation']} / {summary.windows['test']}"),
        ("windows total", windows),
        ("shard bytes", shard_bytes),
        ("wall time (s)", f"{seconds:.1f}"),
        ("files/s", f"{summary.files / seconds:.1f}"),
        ("windows/s", f"{windows / seconds:.1f}"),
        ("under 60 s", "yes" if seconds < 60 else "NO"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'metric'.ljust(width)} | value")
    print(f"{'-' * width}-|------")
    for k, v in rows:
        print(f"{k.ljust(width)} | {v}")
    return 0 if seconds < 60 else 1


if __name__ == "__main__":
    raise SystemExit(main())
