"""Acceptance bench of issue 2 (the wire): `./run bench wire`.

1. Cold start to handshake: spawn `riffforge sidecar` from source exactly as Unity does (socket first,
   subprocess with --host-port, token, --parent-pid), until hello is checked and welcome sent. Median of 5.
2. Request -> riff latency, measured in the requesting thread from send to decoded Riff, over 1,000
   requests each:
   * cache miss: every request carries a fresh seed, so every riff is generated on demand;
   * cache hit: seed-less requests for one (style, intensity bucket), answered from the prefetch cache.
     A hit is recognised by the riff's intensity (the bucket centre 0.7 for a request of 0.72); requests
     are paced 20 ms apart so the background refill keeps up, as in a game asking every few beats.
   * for information: 16-bar riffs (generated on demand; chunked when over one datagram).
3. Soak: 10,000 requests, 32 in flight, mixed styles / intensities / bars, seeded and not; every answer is
   checked against its request. Must be 0 lost, 0 duplicated, 0 mismatched.

Targets (issue 2): handshake <= 1.5 s, miss p50 <= 15 ms, hit p50 <= 2 ms, p99 <= 40 ms. Exit 1 on a miss.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import deque

from tqdm import tqdm

from riffforge.client import ClientError, SidecarClient
from riffforge.generation import RiffRequest
from riffforge.music.riff import STYLES
from riffforge.protocol import payloads
from riffforge.protocol.constants import MAX_CHUNK_BYTES

TARGETS = {"handshake_s": 1.5, "miss_p50_ms": 15.0, "hit_p50_ms": 2.0, "p99_ms": 40.0}


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def cold_starts(runs: int, generator_args):
    times, ready = [], []
    for _ in tqdm(range(runs), desc="cold start", unit="spawn", file=sys.stderr):
        start = time.perf_counter()
        client = SidecarClient.spawn(log_level="WARNING", extra_args=generator_args)
        times.append(time.perf_counter() - start)
        ready.append(client.process.started)
        client.close()
    return times


def latency(client: SidecarClient, n: int, hit: bool):
    rng = random.Random(7 if hit else 8)
    samples, hits, misses = [], 0, 0
    if hit:  # fill the bucket once
        client.request(0.72, style="thrash", timeout=5.0)
        time.sleep(0.3)
    for i in tqdm(range(n), desc="hit latency" if hit else "miss latency", unit="req", file=sys.stderr):
        if hit:
            time.sleep(0.02)
            start = time.perf_counter()
            riff = client.request(0.72, style="thrash", timeout=5.0)
            elapsed = time.perf_counter() - start
            if riff.intensity == 0.7:
                hits += 1
                samples.append(elapsed)
            else:
                misses += 1
        else:
            start = time.perf_counter()
            client.request(round(rng.random(), 3), style=rng.choice(STYLES), seed=rng.randrange(2**31), timeout=5.0)
            samples.append(time.perf_counter() - start)
    return samples, hits, misses


def soak(client: SidecarClient, n: int, window: int = 32):
    rng = random.Random(2026)
    inflight = deque()
    delivered = {}
    lost = mismatched = 0
    bar = tqdm(total=n, desc="soak", unit="req", file=sys.stderr)

    def settle(pending):
        nonlocal lost, mismatched
        req = pending.request
        try:
            riff = pending.result(timeout=3.0, retries=3)
        except ClientError:
            lost += 1
            return
        delivered[pending.request_id] = delivered.get(pending.request_id, 0) + 1
        ok = (riff.style == req.style and riff.bars == req.bars and set(riff.tracks) <= set(req.instruments))
        if req.seed is not None:
            ok = ok and riff.seed == req.seed and riff.intensity == req.intensity
        else:
            ok = ok and (riff.intensity == req.intensity or riff.intensity == round(req.intensity * 10) / 10)
        mismatched += not ok
        bar.update(1)

    for _ in range(n):
        if len(inflight) >= window:
            settle(inflight.popleft())
        seeded = rng.random() < 0.5
        request = RiffRequest(intensity=round(rng.random(), 2), style=rng.choice(STYLES), bars=rng.choice((1, 2, 4)),
                              seed=rng.randrange(2**31) if seeded else None)
        inflight.append(client.submit(request))
    while inflight:
        settle(inflight.popleft())
    bar.close()
    duplicated = sum(c - 1 for c in delivered.values())
    return {"requests": n, "delivered": len(delivered), "lost": lost, "duplicated": duplicated,
            "mismatched": mismatched + client.stats["unknown_answers"], "resent": client.stats["resent"],
            "late_duplicate_datagrams_ignored": client.stats["duplicate_answers"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--soak", type=int, default=10000)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--procedural", action="store_true",
                        help="bench the procedural generator instead of the bundled default models")
    args = parser.parse_args()
    generator_args = ["--procedural"] if args.procedural else []

    starts = cold_starts(args.starts, generator_args)
    client = SidecarClient.spawn(log_level="WARNING", extra_args=["--prefetch-depth", "4"] + generator_args)
    model_ids = ", ".join(client.capabilities["model_ids"])
    try:
        for _ in range(50):  # warm up code paths
            client.request(0.5, seed=1, timeout=5.0)
        pings = [client.ping() for _ in range(200)]
        miss, _, _ = latency(client, args.requests, hit=False)
        hit, hits, hit_misses = latency(client, args.requests, hit=True)
        long_riffs, chunk_counts = [], []
        for i in tqdm(range(100), desc="16-bar latency", unit="req", file=sys.stderr):
            start = time.perf_counter()
            riff = client.request(0.9, style="death", bars=16, seed=1000 + i, timeout=5.0)
            long_riffs.append(time.perf_counter() - start)
            chunk_counts.append(-(-len(payloads.encode_riff(riff)) // MAX_CHUNK_BYTES))
        soak_result = soak(client, args.soak)
    finally:
        code = client.close()

    handshake = statistics.median(starts)
    rows = [
        ("cold start -> handshake (median of %d)" % len(starts), f"{handshake * 1000:.0f} ms",
         f"<= {TARGETS['handshake_s'] * 1000:.0f} ms", handshake <= TARGETS["handshake_s"]),
        ("ping round trip p50 / p99", f"{percentile(pings, .5) * 1000:.2f} / {percentile(pings, .99) * 1000:.2f} ms",
         "", True),
        (f"cache miss p50 ({len(miss)} req)", f"{percentile(miss, .5) * 1000:.2f} ms",
         f"<= {TARGETS['miss_p50_ms']:g} ms", percentile(miss, .5) * 1000 <= TARGETS["miss_p50_ms"]),
        ("cache miss p99", f"{percentile(miss, .99) * 1000:.2f} ms", f"<= {TARGETS['p99_ms']:g} ms",
         percentile(miss, .99) * 1000 <= TARGETS["p99_ms"]),
        (f"16-bar riff miss p50 / p99 (100 req, {min(chunk_counts)}-{max(chunk_counts)} chunks)",
         f"{percentile(long_riffs, .5) * 1000:.2f} / {percentile(long_riffs, .99) * 1000:.2f} ms", "", True),
        (f"cache hit p50 ({hits} hits, {hit_misses} misses)", f"{percentile(hit, .5) * 1000:.2f} ms",
         f"<= {TARGETS['hit_p50_ms']:g} ms", percentile(hit, .5) * 1000 <= TARGETS["hit_p50_ms"]),
        ("cache hit p99", f"{percentile(hit, .99) * 1000:.2f} ms", f"<= {TARGETS['p99_ms']:g} ms",
         percentile(hit, .99) * 1000 <= TARGETS["p99_ms"]),
        (f"soak: {soak_result['requests']} requests, 32 in flight",
         f"lost {soak_result['lost']}, duplicated {soak_result['duplicated']}, mismatched {soak_result['mismatched']}",
         "0 / 0 / 0", soak_result["lost"] == soak_result["duplicated"] == soak_result["mismatched"] == 0),
        ("soak: retries sent / late duplicates ignored",
         f"{soak_result['resent']} / {soak_result['late_duplicate_datagrams_ignored']}", "", True),
        ("sidecar exit code after quit", str(code), "0", code == 0),
    ]
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"\nRiffForge wire bench (generator: {model_ids}; sidecar from source, {time.strftime('%Y-%m-%d %H:%M')})")
    print(f"{'measure'.ljust(width)}  {'value'.ljust(vwidth)}  {'target'.ljust(10)}  ok")
    for name, value, target, ok in rows:
        print(f"{name.ljust(width)}  {value.ljust(vwidth)}  {target.ljust(10)}  {'yes' if ok else 'NO'}")
    all_ok = all(r[3] for r in rows)
    print("all targets met" if all_ok else "SOME TARGETS MISSED")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
