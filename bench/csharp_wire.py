#!/usr/bin/env python3
"""C# client -> real sidecar: request->riff latency (p50/p99 over N requests) and supervisor cold start.

Builds RiffForge.Core and bench/csharp/WireBench.cs with Mono's mcs into bench/out/csharp/, runs it under
mono against the source sidecar (``<python> -m riffforge sidecar``) and, when present, the frozen sidecar in
``unity_package/Sidecar~/``; prints a table. Targets (foundation issue): p50 <= 15 ms (miss), p99 <= 40 ms.

    ./run bench csharp_wire                  # 1,000 requests, 5 cold starts
    python bench/csharp_wire.py --requests 200 --cold-starts 3
"""
from __future__ import annotations

import argparse
import sys

from csharp_host import ROOT, build, run_against_sidecars


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--cold-starts", type=int, default=5)
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    args = parser.parse_args()
    exe = build("WireBench")
    results = run_against_sidecars(exe, args.python, [str(args.requests), str(args.cold_starts)])

    rows = [
        ("cold start -> handshake, median of %d (s)" % args.cold_starts, "cold_start_median_s", "<= 1.5 (source)"),
        ("cold start min / max (s)", None, ""),
        ("request->riff p50, miss (seeded) (ms)", "miss_p50_ms", "<= 15"),
        ("request->riff p99, miss (seeded) (ms)", "miss_p99_ms", "<= 40"),
        ("request->riff max, miss (ms)", "miss_max_ms", ""),
        ("request->riff p50, auto (prefetch-eligible) (ms)", "auto_p50_ms", "<= 2 if served from prefetch"),
        ("request->riff p99, auto (ms)", "auto_p99_ms", "<= 40"),
        ("sidecar restarts during the run", "restarts", "0"),
    ]
    kinds = list(results)
    print(f"C# client (RiffForge.Core under Mono) -> real sidecar, {args.requests} requests each, thrash, 2 bars")
    print(f"{'measurement':52s} " + " ".join(f"{k:>12s}" for k in kinds) + "   target")
    for label, key, target in rows:
        if key is None:
            cells = [f"{r['cold_start_min_s']:.3f}/{r['cold_start_max_s']:.3f}" for r in results.values()]
        else:
            cells = [f"{r[key]:.3f}" if r[key] % 1 else f"{int(r[key])}" for r in results.values()]
        print(f"{label:52s} " + " ".join(f"{c:>12s}" for c in cells) + f"   {target}")
    print(f"(auto requests are spaced {int(results['source']['auto_pause_ms'])} ms apart so the prefetch cache can refill)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
