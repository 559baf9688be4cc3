"""``riffforge client``: talk to a running sidecar (``--port`` + ``--token``) or spawn one.

    riffforge client request --intensity 0.7 --style thrash --out riff.mid [--png riff.png]
    riffforge client request --port 50123 --token TOKEN --intensity 0.2 --style doom --seed 5
    riffforge client ping --port 50123 --token TOKEN
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from . import CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..music.riff import INSTRUMENTS, STYLES

    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    req = sub.add_parser("request", help="request one riff and write it as MIDI (and a piano-roll PNG)")
    ping = sub.add_parser("ping", help="measure the round trip to a running sidecar")
    for p in (req, ping):
        p.add_argument("--port", type=int, default=None,
                       help="UDP port of a running sidecar on 127.0.0.1 (default: spawn one)")
        p.add_argument("--token", default=None,
                       help="session token of the running sidecar (or RIFFFORGE_TOKEN); needed with --port")
        p.add_argument("--models", type=Path, default=None, help="model bundle directory for a spawned sidecar")
        p.add_argument("--timeout", type=float, default=3.0, help="seconds to wait per attempt (default 3)")
    req.add_argument("--intensity", type=float, required=True, help="0..1")
    req.add_argument("--style", default="thrash", choices=STYLES)
    req.add_argument("--bars", type=int, default=2)
    req.add_argument("--tempo", type=float, default=None, help="BPM (default: auto)")
    req.add_argument("--key", default=None, help="root pitch class, e.g. E, F# (default: auto)")
    req.add_argument("--mode", default=None, help="mode name (default: auto)")
    req.add_argument("--seed", type=int, default=None, help="default: the sidecar picks one (printed)")
    req.add_argument("--temperature", type=float, default=None)
    req.add_argument("--instruments", default=",".join(INSTRUMENTS), help="comma list of guitar,bass,drums")
    req.add_argument("--retries", type=int, default=2, help="re-sends of the same request after a timeout")
    req.add_argument("--out", type=Path, default=Path("riff.mid"), help="MIDI file to write (default riff.mid)")
    req.add_argument("--png", type=Path, default=None, help="also write a piano-roll PNG here")
    ping.add_argument("--count", type=int, default=5)


def _open_client(args):
    from ..client import ClientError, SidecarClient

    try:
        if args.port is not None:
            token = args.token or os.environ.get("RIFFFORGE_TOKEN")
            if not token:
                raise CliError("--port needs the sidecar's --token (or RIFFFORGE_TOKEN); it is in the sidecar's "
                               "READY line when it made one up")
            return SidecarClient.connect(args.port, token, handshake_timeout=args.timeout)
        return SidecarClient.spawn(models=args.models, log_level="WARNING")
    except ClientError as exc:
        raise CliError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    if args.action is None:
        raise CliError("choose an action: `riffforge client request ...` or `riffforge client ping ...`")
    from ..client import ClientError
    from ..generation import RiffRequest, RiffRequestError

    if args.action == "request":
        try:
            request = RiffRequest(intensity=args.intensity, style=args.style, bars=args.bars, tempo=args.tempo,
                                  key=args.key, mode=args.mode, seed=args.seed, temperature=args.temperature,
                                  instruments=tuple(s.strip() for s in args.instruments.split(",") if s.strip()))
        except RiffRequestError as exc:
            raise CliError(str(exc)) from None
    start = time.perf_counter()
    client = _open_client(args)
    connected = time.perf_counter() - start
    try:
        if args.action == "ping":
            rtts = [client.ping(args.timeout) * 1000 for _ in range(args.count)]
            print(f"sidecar on port {client.sidecar_port}: {len(rtts)} pings, round trip "
                  f"min {min(rtts):.2f} ms, max {max(rtts):.2f} ms")
            return 0
        pending = client.submit(request)
        try:
            riff = pending.result(timeout=args.timeout, retries=args.retries)
        except ClientError as exc:
            raise CliError(str(exc)) from None
    finally:
        client.close(quit=args.port is None)  # never stop a sidecar we did not start
    from ..music.files import riff_summary, write_riff_files

    written = write_riff_files(riff, args.out, args.png)
    how = f"port {args.port}" if args.port is not None else f"spawned sidecar (handshake {connected * 1000:.0f} ms)"
    print(f"{riff_summary(riff)}; model {riff.model_id}; {pending.latency * 1000:.1f} ms "
          f"from {how} -> {', '.join(written)}")
    return 0
