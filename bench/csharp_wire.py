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
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "csharp"
CORE = ROOT / "unity_package" / "Runtime" / "Core"
SIDECARS = ROOT / "unity_package" / "Sidecar~"


def build() -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    core = OUT / "RiffForge.Core.dll"
    subprocess.run(["mcs", "-langversion:7.2", "-optimize+", "-nologo", "-target:library", f"-out:{core}",
                    f"-recurse:{CORE}/*.cs"], check=True)
    exe = OUT / "WireBench.exe"
    subprocess.run(["mcs", "-langversion:7.2", "-optimize+", "-nologo", f"-out:{exe}", f"-r:{core}",
                    str(ROOT / "bench" / "csharp" / "WireBench.cs")], check=True)
    return exe


def run(exe: Path, kind: str, target: str, requests: int, cold_starts: int) -> dict:
    proc = subprocess.run(["mono", str(exe), kind, target, str(requests), str(cold_starts)], cwd=OUT,
                          stdout=subprocess.PIPE, text=True, check=True)  # progress/ETA goes to stderr
    return {key: float(value) for key, value in (line.split() for line in proc.stdout.splitlines() if line.strip())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--cold-starts", type=int, default=5)
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    args = parser.parse_args()
    exe = build()
    results = {"source": run(exe, "source", args.python, args.requests, args.cold_starts)}
    platforms = [p for p in SIDECARS.iterdir() if p.is_dir()] if SIDECARS.is_dir() else []
    if any((p / "riffforge-sidecar").exists() or (p / "riffforge-sidecar.exe").exists() for p in platforms):
        try:
            results["frozen"] = run(exe, "frozen", str(SIDECARS), args.requests, args.cold_starts)
        except subprocess.CalledProcessError as exc:
            print(f"frozen sidecar bench failed: {exc}", file=sys.stderr)

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
