#!/usr/bin/env python3
"""A token-less local flood against live sessions: restarts, heartbeat losses, request p50/p99, datagrams/s.

Two hosts keep a session with their own real sidecar: the C# client under its supervisor
(``bench/csharp/FloodBench.cs``, built like the other C# benches) and the Python client. Several sender
processes then flood all four ports (each host's and each sidecar's) with wrong-token pings for
``--seconds`` while both hosts request a riff every ``--interval-ms`` and the Python host pings every
200 ms. Both sockets of each session are connected to their peer, so the kernel drops the flood before
it reaches a process. A baseline phase of the same length without flood comes first: on a machine with
few cores its tail latency shows what the CPU, not the flood, costs; ``--sender-nice 19`` lowers the
senders' CPU priority to separate the two. The senders are a small C program using ``sendmmsg``
(``bench/flood_sender.c``, compiled with the machine's C compiler on first use; ``--sender-impl python``
uses Python processes instead): at 60k datagrams/s Python senders need about a core of their own, which on a
2-core machine is taken from the sidecars and hosts under test. Targets: 0 restarts, 0 heartbeat losses, request p99 <= 50 ms,
>= 50k datagrams/s.

    ./run bench flood                         # 10 s, 4 senders
    python bench/flood.py --seconds 3         # a short look
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Dict, List, Tuple

from csharp_host import OUT, ROOT, build

sys.path.insert(0, str(ROOT / "python_sidecar"))

from riffforge.client import RequestTimeout, SidecarClient  # noqa: E402
from riffforge.protocol.messages import Ping, encode_message  # noqa: E402

WRONG_TOKEN = "flood-wrong-token-0000"


def _sender(targets: List[Tuple[str, int]], rate: float, seconds: float, start_at: float, sent,
            niceness: int) -> None:
    """One flood process: ``rate`` datagrams/s spread over ``targets``, paced in 1 ms batches."""
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    datagrams = [encode_message(Ping(WRONG_TOKEN, i)) for i in range(64)]
    while time.time() < start_at:
        time.sleep(0.001)
    begin = time.perf_counter()
    count = 0
    while True:
        elapsed = time.perf_counter() - begin
        if elapsed >= seconds:
            break
        due = int(elapsed * rate) + 1
        while count < due:
            try:
                sock.sendto(datagrams[count & 63], targets[count % len(targets)])
            except OSError:  # e.g. an ICMP error of an earlier datagram reported here
                pass
            count += 1
        if count > elapsed * rate + rate * 0.002:
            time.sleep(0.0005)
    sent.value = count
    sock.close()


def _c_sender() -> "Path":
    """The compiled C sender (``bench/flood_sender.c``), rebuilt when the source is newer."""
    from pathlib import Path
    src = Path(__file__).with_name("flood_sender.c")
    exe = OUT / "flood_sender"
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        OUT.mkdir(parents=True, exist_ok=True)
        cc = os.environ.get("CC", "cc")
        subprocess.run([cc, "-O2", "-o", str(exe), str(src)], check=True)
    return exe


def _start_c_senders(n: int, targets: List[Tuple[str, int]], rate: float, seconds: float, start_at: float,
                     niceness: int) -> List[subprocess.Popen]:
    exe = _c_sender()
    blob = OUT / "flood_datagrams.bin"
    with open(blob, "wb") as f:
        for i in range(64):
            d = encode_message(Ping(WRONG_TOKEN, i))
            f.write(len(d).to_bytes(4, "little") + d)
    prefix = ["nice", "-n", str(niceness)] if niceness else []
    return [subprocess.Popen(prefix + [str(exe), str(blob), str(rate), str(seconds), repr(start_at)]
                             + [str(p) for _, p in targets], stdout=subprocess.PIPE, text=True)
            for _ in range(n)]


def _percentile(values: List[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    rank = p / 100 * (len(s) - 1)
    lo, hi = int(rank), min(int(rank) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (rank - lo)


def _python_session(client: SidecarClient, seconds: float, interval: float, out: Dict) -> None:
    latencies, errors, lost_pongs, pings = [], 0, 0, 0
    stop = time.monotonic() + seconds

    def pinger() -> None:
        nonlocal lost_pongs, pings
        while time.monotonic() < stop:
            pings += 1
            try:
                client.ping(timeout=1.0)
            except RequestTimeout:
                lost_pongs += 1
            time.sleep(0.2)

    thread = threading.Thread(target=pinger, daemon=True)
    thread.start()
    next_at = time.monotonic()
    while time.monotonic() < stop:
        wait = next_at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
            continue
        next_at += interval
        started = time.perf_counter()
        try:
            client.request(0.7, style="thrash", bars=2, timeout=1.0, retries=4)
            latencies.append((time.perf_counter() - started) * 1000)
        except Exception as exc:  # counted and shown; the bench goes on
            errors += 1
            print(f"python request failed: {exc}", file=sys.stderr)
    thread.join(2)
    out.update(py_requests=len(latencies), py_request_errors=errors, py_request_p50_ms=_percentile(latencies, 50),
               py_request_p99_ms=_percentile(latencies, 99), py_request_max_ms=_percentile(latencies, 100),
               py_pings=pings, py_pongs_lost=lost_pongs,
               py_dropped_reaching_process=client.stats["dropped_unauthenticated"]
               + client.stats["dropped_malformed"] + client.stats["dropped_foreign"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--rate", type=float, default=60000.0, help="flood datagrams/s, all senders together")
    parser.add_argument("--interval-ms", type=int, default=50, help="time between requests of each host")
    parser.add_argument("--sender-nice", type=int, default=0, help="added niceness of the sender processes")
    parser.add_argument("--sender-impl", choices=("c", "python"), default="c",
                        help="flood senders in C with sendmmsg (default; Linux) or Python processes")
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"))
    args = parser.parse_args()

    exe = build("FloodBench")
    cs = subprocess.Popen(["mono", str(exe), "source", args.python, str(args.seconds), str(args.interval_ms)],
                          cwd=OUT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    py = SidecarClient.spawn(heartbeat_timeout=10.0, stderr=subprocess.DEVNULL)
    results: Dict[str, Dict] = {}
    counters = [mp.Value("q", 0) for _ in range(args.senders if args.rate > 0 else 0)]

    def phase(name: str, flood: bool) -> None:
        senders, c_senders = [], []
        if flood:
            start_at = time.time() + 0.3
            if args.sender_impl == "c":
                c_senders = _start_c_senders(len(counters), targets, args.rate / args.senders, args.seconds,
                                             start_at, args.sender_nice)
            else:
                senders = [mp.Process(target=_sender, args=(targets, args.rate / args.senders, args.seconds,
                                                            start_at, c, args.sender_nice)) for c in counters]
            for p in senders:
                p.start()
            while time.time() < start_at:
                time.sleep(0.001)
        cs.stdin.write(name + "\n")
        cs.stdin.flush()
        result: Dict = {}
        _python_session(py, args.seconds, args.interval_ms / 1000.0, result)
        for p in senders:
            p.join(args.seconds + 10)
        for c, proc in zip(counters, c_senders):
            out, _ = proc.communicate(timeout=args.seconds + 10)
            c.value = int(out.strip() or 0)
        for line in iter(cs.stdout.readline, ""):
            if line.strip() == "end":
                break
            key, value = line.split()
            result["cs" + key[len(name):]] = float(value)
        result["py_exited"] = int(py.process is not None and not py.process.alive())
        results[name] = result

    try:
        for _ in range(10):  # warm up the Python session too
            py.request(0.7, style="thrash", bars=2, timeout=5.0)
        line = cs.stdout.readline().split()
        if not line or line[0] != "ports":
            raise SystemExit(f"the C# host did not report its ports: {line!r}")
        cs_host, cs_sidecar = int(line[1]), int(line[2])
        py_host, py_sidecar = py.sock.getsockname()[1], py.sidecar_port
        targets = [("127.0.0.1", p) for p in (cs_host, cs_sidecar, py_host, py_sidecar)]
        phase("baseline", flood=False)
        phase("flood", flood=args.rate > 0)
        cs.stdin.write("quit\n")
        cs.stdin.flush()
        cs.communicate(timeout=60)
    finally:
        py.close()
        if cs.poll() is None:
            cs.kill()
    sent = sum(c.value for c in counters)
    print(f"flood: {len(counters)} sender processes ({args.sender_impl}), {sent} token-less datagrams in {args.seconds:g} s to ports "
          f"{', '.join(str(t[1]) for t in targets)} (C# host, C# sidecar, Python host, Python sidecar); "
          f"requests every {args.interval_ms} ms per host; senders' added niceness {args.sender_nice}; "
          f"baseline = the same {args.seconds:g} s without flood")
    print(f"{'datagrams sent/s':44s} {'':>12s} {sent / args.seconds:12.0f}   target >= 50000")
    rows = [
        ("C# host: sidecar restarts", "cs_restarts", "0"),
        ("C# host: heartbeat losses", "cs_heartbeat_losses", "0"),
        ("C# host: requests", "cs_requests", ""),
        ("C# host: failed requests", "cs_request_errors", "0"),
        ("C# host: request p50 (ms)", "cs_request_p50_ms", ""),
        ("C# host: request p99 (ms)", "cs_request_p99_ms", "<= 50"),
        ("C# host: flood datagrams that reached it", "cs_dropped_reaching_process", "0"),
        ("Python host: sidecar exits", "py_exited", "0"),
        ("Python host: pongs lost (heartbeat losses)", "py_pongs_lost", "0"),
        ("Python host: pings", "py_pings", ""),
        ("Python host: requests", "py_requests", ""),
        ("Python host: failed requests", "py_request_errors", "0"),
        ("Python host: request p50 (ms)", "py_request_p50_ms", ""),
        ("Python host: request p99 (ms)", "py_request_p99_ms", "<= 50"),
        ("Python host: flood datagrams that reached it", "py_dropped_reaching_process", "0"),
    ]
    print(f"{'':44s} {'baseline':>12s} {'flood':>12s}")
    for label, key, target in rows:
        cells = []
        for name in ("baseline", "flood"):
            value = results[name].get(key, float("nan"))
            cells.append(f"{value:.2f}" if isinstance(value, float) and value % 1 else f"{int(value)}")
        print(f"{label:44s} {cells[0]:>12s} {cells[1]:>12s}   {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
