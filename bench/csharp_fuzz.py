#!/usr/bin/env python3
"""Fuzz the C# decoders (OSC reader, msgpack reader, chunk assembler) with mutated real packets.

Collects every captured datagram of ``protocol/vectors/`` (and the msgpack payloads inside them: riffs,
the hello's capabilities, requests, the chunked riff), builds RiffForge.Core and
``bench/csharp/FuzzBench.cs`` with Mono's mcs like the other C# benches, and runs the harness: N mutations
(bit flips, interesting bytes and ints, inserts, deletes, truncation, duplication, splices), each fed where
``SidecarClient`` feeds its decoders. Target: 0 unhandled exceptions; memory after ~ memory before.

    ./run bench csharp_fuzz                    # 1,000,000 mutations, seed 1
    python bench/csharp_fuzz.py --iterations 100000 --seed 2
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import List

from csharp_host import OUT, ROOT, build

VECTORS = ROOT / "protocol" / "vectors"


def corpus_lines() -> List[str]:
    """``datagram <hex>`` / ``payload <hex>`` for every captured packet and msgpack blob in the vectors."""
    lines = []
    for path in sorted(VECTORS.glob("*.json")):
        data = json.loads(path.read_text())
        if "payload_hex" in data:
            lines.append(f"payload {data['payload_hex']}")
        for vector in data.get("vectors", []):
            if vector.get("hex"):
                lines.append(f"datagram {vector['hex']}")
            for arg in vector.get("args", []):
                if arg.get("type") == "b" and arg.get("hex"):
                    lines.append(f"payload {arg['hex']}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    exe = build("FuzzBench")
    corpus = OUT / "fuzz_corpus.txt"
    corpus.write_text("\n".join(corpus_lines()) + "\n")
    proc = subprocess.run(["mono", str(exe), str(corpus), str(args.iterations), str(args.seed)], cwd=OUT,
                          stdout=subprocess.PIPE, text=True, check=True)
    r = {k: float(v) for k, v in (line.split() for line in proc.stdout.splitlines() if line.strip())}
    print(f"C# decoder fuzz: {int(r['iterations'])} mutations of {int(r['seed_datagrams'])} captured datagrams and "
          f"{int(r['seed_payloads'])} msgpack payloads from protocol/vectors (seed {args.seed})")
    rows = [
        ("unhandled exceptions", f"{int(r['unhandled_exceptions'])}", "0"),
        ("datagrams decoded / rejected", f"{int(r['datagrams_decoded'])} / {int(r['datagrams_rejected'])}", ""),
        ("chunked riffs assembled", f"{int(r['chunked_riffs_assembled'])}", ""),
        ("riff payloads decoded", f"{int(r['riffs_decoded'])}", ""),
        ("chunk assembler max pending requests", f"{int(r['assembler_max_pending'])}", "<= 64"),
        ("managed memory before / after (KiB)",
         f"{r['memory_before_bytes'] / 1024:.0f} / {r['memory_after_bytes'] / 1024:.0f}", "after ~ before"),
    ]
    for label, value, target in rows:
        print(f"{label:40s} {value:>22s}   {target}")
    return 0 if r["unhandled_exceptions"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
