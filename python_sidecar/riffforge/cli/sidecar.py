"""``riffforge sidecar``: the OSC sidecar the Unity package launches (see protocol/SPEC.md section 2).

Keeps its imports lean (no TensorFlow, matplotlib or scipy) so that the handshake comes fast. By default it
serves the Metal models bundled with riffforge through the NumPy runtime; ``--procedural`` serves the
procedural generator instead (also the fallback when no bundle is installed).

Exit codes (protocol/SPEC.md section 7; hosts restart only what a restart can fix):

==  =========================================================================================================
0   stopped the orderly way: quit, SIGINT/SIGTERM, parent process gone, heartbeat timeout
2   usage error: a bad option value (``--port -5``, a bad token, ``--models`` not a directory, ...)
3   rejected by the host at the handshake
4   could not start: a broken model bundle or generator, the UDP socket cannot be bound
==  =========================================================================================================

2, 3 and 4 fail the same way again when retried; anything else (1: an uncaught error, a signal) is a crash.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import sys
from pathlib import Path

from ..protocol.constants import TOKEN_ENV
from . import CliError

log = logging.getLogger("riffforge.sidecar")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host-port", type=int, default=None,
                        help="UDP port of the host on 127.0.0.1; hello is sent there after the READY line")
    parser.add_argument("--token", default=None,
                        help="session token (8..128 of A-Z a-z 0-9 _ -); better set RIFFFORGE_TOKEN, which other "
                             "local users cannot read in the process list; if neither, one is made up and printed "
                             "in the READY line")
    parser.add_argument("--parent-pid", type=int, default=None,
                        help="exit within 2 s once this process is gone (the Unity editor / player)")
    parser.add_argument("--models", type=Path, default=None,
                        help="model bundle directory (default: the Metal models bundled with riffforge, or the "
                             "procedural generator when none are installed)")
    parser.add_argument("--procedural", action="store_true",
                        help="serve the procedural generator even when model bundles are installed")
    parser.add_argument("--heartbeat-timeout", type=float, default=10.0,
                        help="exit after this many seconds without a message from the host (0: never; "
                             "default 10)")
    parser.add_argument("--port", type=int, default=0, help="UDP port to bind on 127.0.0.1 (default: ephemeral)")
    parser.add_argument("--prefetch-depth", type=int, default=2,
                        help="riffs kept ready per (style, intensity bucket); 0 disables prefetch")
    parser.add_argument("--warm", default="", metavar="STYLES",
                        help="comma-separated styles to prefetch for every intensity bucket at start")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def load_generator(models, procedural: bool = False):
    """The generator to serve: the model runtime for ``--models DIR`` or the bundled default models, or the
    procedural generator (``--procedural``, or no bundles installed)."""
    if procedural:
        if models is not None:
            raise CliError("--models and --procedural exclude each other; pass one of them")
        from ..music.procedural import ProceduralGenerator
        return ProceduralGenerator()
    if models is not None and not models.is_dir():
        raise CliError(f"--models {models}: not a directory; pass a model bundle directory or leave --models out")
    from ..runtime import load_generator as load_runtime  # lazy: NumPy only, never TensorFlow
    generator = load_runtime(models)
    if models is not None and generator.capabilities().extra.get("kind") == "procedural":
        log.warning("--models %s holds no model bundle: serving the procedural generator; pass a folder of "
                    "exported bundles (riffforge export) or --procedural to ask for it", models)
    unsteered = generator.capabilities().unsteered_styles
    if unsteered:
        log.warning("the models cannot steer towards %s (no style centroid in a bundle: its corpus labelled no "
                    "windows with them); requests for them keep the style's tuning and tempo only. Label the corpus "
                    "(riffforge corpus build --manifest or --styles-from folders) and export again",
                    ", ".join(unsteered))
    return generator


def _stop_on_signals(sidecar) -> None:
    """SIGINT (Ctrl-C) and SIGTERM stop the sidecar the orderly way (exit code 0, counters logged)."""
    import signal

    def handler(signum, _frame):
        sidecar.stop(0, f"signal {signal.Signals(signum).name}")

    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handler)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level),
                        format="riffforge-sidecar %(levelname)s %(message)s")
    if args.token:
        log.warning("--token on the command line is visible to every local user (ps); pass it in %s instead",
                    TOKEN_ENV)
    token = args.token or os.environ.get(TOKEN_ENV)
    show_token = False
    if not token:
        token, show_token = secrets.token_hex(16), True
    if not TOKEN_RE.match(token):
        raise CliError("--token: must be 8..128 characters of A-Z a-z 0-9 _ - (use e.g. 32 random hex digits)")
    if args.host_port is not None and not 1 <= args.host_port <= 65535:
        raise CliError(f"--host-port {args.host_port}: must be a UDP port 1..65535")
    if args.heartbeat_timeout < 0:
        raise CliError("--heartbeat-timeout: must be >= 0 seconds (0 disables it)")
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port {args.port}: must be a UDP port 0..65535 (0: any free port)")
    if args.prefetch_depth < 0:
        raise CliError(f"--prefetch-depth {args.prefetch_depth}: must be >= 0 (0 disables prefetch)")
    if args.parent_pid is not None and args.parent_pid <= 0:
        raise CliError(f"--parent-pid {args.parent_pid}: must be a process id > 0")
    # Hand the GIL to the network thread quickly while the worker thread generates.
    sys.setswitchinterval(0.0005)
    from ..sidecar import Sidecar, SidecarOptions
    try:
        generator = load_generator(args.models, args.procedural)
        warm = tuple(s.strip() for s in args.warm.split(",") if s.strip())
        styles = generator.capabilities().styles
        if any(s not in styles for s in warm):
            raise CliError(f"--warm {args.warm!r}: use styles from {', '.join(styles)}")
        sidecar = Sidecar(generator, SidecarOptions(
            token=token, host_port=args.host_port, parent_pid=args.parent_pid,
            heartbeat_timeout=args.heartbeat_timeout, port=args.port, prefetch_depth=args.prefetch_depth,
            warm_styles=warm, show_token=show_token))
    except CliError:
        raise
    except OSError as exc:
        print(f"riffforge sidecar: error: cannot bind 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 4
    except Exception as exc:
        print(f"riffforge sidecar: error: could not start: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 4
    _stop_on_signals(sidecar)
    code = sidecar.serve(ready_stream=sys.stdout)
    # Exit now, whatever the worker thread is doing: the 2-second exit promise beats a half-done riff.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
