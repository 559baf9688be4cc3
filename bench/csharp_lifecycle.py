#!/usr/bin/env python3
"""C# host lifecycle with the real sidecar: main-thread Dispose time, start->first sound, stop->process gone.

Builds RiffForge.Core, the engine-free playback layer (unity_package/Runtime/Playback) and
bench/csharp/LifecycleBench.cs with Mono's mcs into bench/out/csharp/, runs it under mono against the source
sidecar (``<python> -m riffforge sidecar``) and, when present, the frozen sidecar in ``unity_package/Sidecar~/``.
Each run: a SidecarSession starts the sidecar, a baked riff answers at once (the stand-in while it starts), a
seeded request gets a generated riff, then Dispose (quit is sent; wait, kill and reap run in the background).
Target: Dispose <= 50 ms on the caller's (Unity's main) thread.

    ./run bench csharp_lifecycle             # 10 runs
    python bench/csharp_lifecycle.py --runs 5
"""
from __future__ import annotations

import argparse
import sys

from csharp_host import ROOT, build, run_against_sidecars

PLAYBACK = ROOT / "unity_package" / "Runtime" / "Playback"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    args = parser.parse_args()
    exe = build("LifecycleBench", [f"-recurse:{PLAYBACK}/*.cs"])
    results = run_against_sidecars(exe, args.python, [str(args.runs)])

    rows = [
        ("Dispose on the caller's thread, p50 (ms)", "dispose_p50_ms", "<= 50"),
        ("Dispose on the caller's thread, max (ms)", "dispose_max_ms", "<= 50"),
        ("Dispose -> sidecar process gone, p50 (ms)", "gone_p50_ms", "quit honoured: < 1500"),
        ("Dispose -> sidecar process gone, max (ms)", "gone_max_ms", ""),
        ("start -> first baked riff (stand-in), p50 (ms)", "first_baked_p50_ms", "one frame"),
        ("start -> first baked riff (stand-in), max (ms)", "first_baked_max_ms", ""),
        ("start -> first generated riff, p50 (s)", "first_generated_p50_s", ""),
        ("start -> first generated riff, max (s)", "first_generated_max_s", ""),
    ]
    kinds = list(results)
    print(f"C# SidecarSession (Mono) -> real sidecar, {args.runs} start/stop runs each")
    print(f"{'measurement':50s} " + " ".join(f"{k:>10s}" for k in kinds) + "   target")
    for label, key, target in rows:
        cells = [f"{r[key]:.3f}" for r in results.values()]
        print(f"{label:50s} " + " ".join(f"{c:>10s}" for c in cells) + f"   {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
