"""Talk to a sidecar given by its COMMAND (frozen binary or source), with the reference client.

The reference client (``riffforge.client``, imported from the source tree) spawns ``python -m riffforge
sidecar`` by default; :func:`spawn_client` runs any sidecar command instead, e.g. ``[".../riffforge-sidecar"]``,
and shakes hands exactly as Unity does (host socket first, READY line, hello, welcome).
:func:`smoke_test` is what ``build_sidecar.py`` runs on every build: READY line, handshake, one riff, clean
quit.
"""
from __future__ import annotations

import contextlib
import inspect
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

REPO = Path(__file__).resolve().parents[1]
SOURCE_PACKAGE = REPO / "python_sidecar"
if str(SOURCE_PACKAGE) not in sys.path:
    sys.path.insert(0, str(SOURCE_PACKAGE))

from riffforge.client import SidecarClient  # noqa: E402  (after the sys.path line on purpose)
from riffforge.client import client as _client_module  # noqa: E402
from riffforge.music.riff import INSTRUMENTS  # noqa: E402


def source_command(python: Optional[str] = None) -> List[str]:
    """The source sidecar: ``PYTHON -m riffforge sidecar``."""
    return [python or sys.executable, "-m", "riffforge", "sidecar"]


@contextlib.contextmanager
def _command_patched(command: Sequence[str]):
    """Make ``SidecarClient.spawn`` start ``command`` instead of ``python -m riffforge sidecar``.

    The client builds its command with ``sidecar_command(...)`` (source prefix, then the launch arguments);
    the prefix is swapped and the arguments kept, so the binary is launched exactly as the client launches
    the source sidecar.
    """
    original = _client_module.sidecar_command
    prefix = source_command()

    def frozen_command(*args, **kwargs):
        cmd = original(*args, **kwargs)
        if cmd[:len(prefix)] != prefix:
            raise RuntimeError(f"riffforge.client.sidecar_command changed shape ({cmd[:4]}); update "
                               f"build/sidecar_smoke.py to launch {list(command)}")
        return list(command) + cmd[len(prefix):]

    _client_module.sidecar_command = frozen_command
    try:
        yield
    finally:
        _client_module.sidecar_command = original


def spawn_client(command: Optional[Sequence[str]] = None, **spawn_kwargs) -> SidecarClient:
    """``SidecarClient.spawn`` for any sidecar ``command`` (None: the source sidecar of this Python)."""
    if command is None:
        return SidecarClient.spawn(**spawn_kwargs)
    if "command" in inspect.signature(SidecarClient.spawn).parameters:  # a client that takes it directly
        return SidecarClient.spawn(command=list(command), **spawn_kwargs)
    with _command_patched(command):
        return SidecarClient.spawn(**spawn_kwargs)


@dataclass
class SmokeResult:
    ready: Dict[str, str]
    handshake_s: float
    riff_s: float
    notes: Dict[str, int]
    exit_code: Optional[int]

    def describe(self) -> str:
        notes = ", ".join(f"{k} {v}" for k, v in self.notes.items())
        return (f"READY {self.ready.get('version')} (protocol {self.ready.get('protocol')}), handshake in "
                f"{self.handshake_s * 1000:.0f} ms, one riff in {self.riff_s * 1000:.0f} ms ({notes} notes), "
                f"exit code {self.exit_code}")


class SmokeError(RuntimeError):
    """The built sidecar failed its smoke test; the message says which step."""


def smoke_test(command: Sequence[str], timeout: float = 30.0) -> SmokeResult:
    """READY line, handshake, one 2-bar thrash riff with all instruments, quit -> exit code 0."""
    start = time.perf_counter()
    try:
        client = spawn_client(command, heartbeat_timeout=10.0, ready_timeout=timeout, handshake_timeout=10.0)
    except Exception as exc:
        raise SmokeError(f"{' '.join(command)}: no READY line / handshake: {exc}") from exc
    handshake_s = time.perf_counter() - start
    try:
        ready = dict(client.process.ready)
        t0 = time.perf_counter()
        try:
            riff = client.request(0.6, style="thrash", bars=2, seed=1234, timeout=5.0, retries=1)
        except Exception as exc:
            raise SmokeError(f"{' '.join(command)}: handshake ok but no riff: {exc}") from exc
        riff_s = time.perf_counter() - t0
        notes = {inst: len(riff.tracks.get(inst, [])) for inst in INSTRUMENTS}
        if riff.bars != 2 or riff.style != "thrash" or riff.seed != 1234 or not all(notes.values()):
            raise SmokeError(f"{' '.join(command)}: unexpected riff: bars={riff.bars} style={riff.style} "
                             f"seed={riff.seed} notes={notes}")
    finally:
        exit_code = client.close()
    if exit_code != 0:
        raise SmokeError(f"{' '.join(command)}: exited with code {exit_code} after quit (expected 0)")
    return SmokeResult(ready, handshake_s, riff_s, notes, exit_code)
