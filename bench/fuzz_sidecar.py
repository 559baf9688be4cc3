"""Fuzz bench of issue 2: >= 100,000 hostile datagrams at a real sidecar process: `./run bench fuzz_sidecar`.

A sidecar is spawned as Unity would spawn it. The host's own socket fires seeded fuzz packets
(riffforge.protocol.fuzz: random bytes, mutated valid packets, well-formed messages with hostile arguments
under the real token, messages under a wrong token, oversized datagrams) in batches; after each batch a
ping through the real client proves the sidecar has drained the batch and is alive, and every 10 batches
a real riff request must succeed. At the end the sidecar's own counters (from its exit log line) must
account for every packet it received, with 0 handler errors, and it must exit 0 on quit. The fuzz comes
from the host's address because the sidecar's socket is connected to its host: datagrams from any other
port never reach the sidecar (``bench/flood.py`` measures that); the client drops the replies it gets.
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
import tempfile
import time

from tqdm import tqdm

from riffforge.client import SidecarClient
from riffforge.protocol import fuzz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    log = tempfile.NamedTemporaryFile("w+", suffix=".log", prefix="riffforge-fuzz-")
    client = SidecarClient.spawn(stderr=log, log_level="INFO")  # INFO: the exit line carries the counters
    sent = health_ok = health_failed = 0
    start = time.perf_counter()
    batch = []
    bar = tqdm(total=args.packets, desc="fuzz packets", unit="pkt", file=sys.stderr)

    def health(with_request: bool):
        nonlocal health_ok, health_failed
        try:
            for attempt in range(3):  # UDP: a ping may be crowded out of a full buffer; retry
                try:
                    client.ping(timeout=1.0)
                    break
                except Exception:
                    if attempt == 2:
                        raise
            if with_request:
                client.welcome()  # fuzzed welcomes with bad versions may have ended the session
                time.sleep(0.002)
                assert client.request(0.5, style="death", seed=health_ok + 1, timeout=2.0).seed == health_ok + 1
            health_ok += 1
        except Exception as exc:  # noqa: BLE001 - a failed health check is the finding
            health_failed += 1
            print(f"health check failed after {sent} packets: {exc}", file=sys.stderr)

    try:
        for i, packet in enumerate(fuzz.packets(args.seed, client.token, args.packets)):
            batch.append(packet)
            if len(batch) == args.batch or i == args.packets - 1:
                for data in batch:
                    try:
                        client.sock.send(data)
                    except OSError:  # e.g. EMSGSIZE for an oversized datagram: counts as not delivered
                        continue
                    sent += 1
                bar.update(len(batch))
                batch.clear()
                health(with_request=(i // args.batch) % 10 == 0)
        bar.close()
        elapsed = time.perf_counter() - start
        health(with_request=True)
        alive = client.process.alive()
    finally:
        code = client.close()
    log.seek(0)
    text = log.read()
    match = re.search(r"wire counters (\{.*?\})", text)
    counters = ast.literal_eval(match.group(1)) if match else {}
    accounted = sum(counters.get(k, 0) for k in ("handled", "dropped_malformed", "dropped_unauthenticated",
                                                 "dropped_foreign", "dropped_unhandled"))
    rows = [
        ("fuzz packets generated / sent", f"{args.packets} / {sent}"),
        ("sidecar datagrams received (incl. client traffic)", str(counters.get("received", "?"))),
        ("  dropped malformed", str(counters.get("dropped_malformed", "?"))),
        ("  dropped unauthenticated (wrong token)", str(counters.get("dropped_unauthenticated", "?"))),
        ("  dropped unhandled (sidecar-bound only)", str(counters.get("dropped_unhandled", "?"))),
        ("  handled (well-formed, right token)", str(counters.get("handled", "?"))),
        ("  handler errors", str(counters.get("handler_errors", "?"))),
        ("replies the client dropped (unknown ids, bad datagrams)",
         str(client.stats["unknown_answers"] + client.stats["dropped_malformed"])),
        ("health checks passed / failed", f"{health_ok} / {health_failed}"),
        ("alive at the end, exit code after quit", f"{alive}, {code}"),
        ("rate", f"{sent / elapsed:,.0f} packets/s over {elapsed:.1f} s"),
    ]
    width = max(len(r[0]) for r in rows)
    print("\nRiffForge sidecar fuzz bench (seed %d)" % args.seed)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    ok = (sent >= min(args.packets, 100_000) * 0.99 and health_failed == 0 and alive and code == 0
          and counters.get("handler_errors", 1) == 0 and accounted == counters.get("received", -1))
    print("PASS: every packet accounted for, no handler error, served throughout" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
