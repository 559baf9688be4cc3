"""Start a sidecar process exactly as the Unity package does, and read its READY line.

The host binds its UDP socket first, then starts ``riffforge sidecar --host-port P --token T --parent-pid
PID``; the token travels in ``RIFFFORGE_TOKEN`` so it does not show in process listings.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from ..protocol.constants import READY_PREFIX, TOKEN_ENV
from .errors import ClientError


def parse_ready_line(line: str) -> Dict[str, str]:
    """``RIFFFORGE READY port=1 pid=2 ...`` -> ``{"port": "1", "pid": "2", ...}`` (unknown keys kept)."""
    if not line.startswith(READY_PREFIX + " "):
        raise ClientError(f"expected a line starting with {READY_PREFIX!r}, got {line[:200]!r}")
    fields = {}
    for part in line[len(READY_PREFIX):].split():
        key, sep, value = part.partition("=")
        if sep:
            fields[key] = value
    for key in ("port", "pid", "protocol", "version"):
        if key not in fields:
            raise ClientError(f"READY line lacks {key}=: {line!r}")
    return fields


def sidecar_command(host_port: int, parent_pid: int, models: Optional[Path] = None,
                    heartbeat_timeout: Optional[float] = None, extra: Sequence[str] = (),
                    python: Optional[str] = None) -> List[str]:
    cmd = [python or sys.executable, "-m", "riffforge", "sidecar", "--host-port", str(host_port),
           "--parent-pid", str(parent_pid)]
    if models is not None:
        cmd += ["--models", str(models)]
    if heartbeat_timeout is not None:
        cmd += ["--heartbeat-timeout", f"{heartbeat_timeout:g}"]
    return cmd + list(extra)


class SidecarProcess:
    """A spawned sidecar: ``ready`` holds the READY fields; ``stop()`` never leaves it running."""

    def __init__(self, cmd: List[str], token: str, ready_timeout: float = 15.0, stderr=None,
                 env: Optional[Dict[str, str]] = None) -> None:
        full_env = dict(os.environ if env is None else env)
        full_env[TOKEN_ENV] = token
        self.cmd = cmd
        self.started = time.monotonic()
        self.popen = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
                                      env=full_env, text=True, bufsize=1)
        self.ready = self._read_ready(ready_timeout)
        self.port = int(self.ready["port"])
        self.pid = self.popen.pid

    def _read_ready(self, timeout: float) -> Dict[str, str]:
        box: List[str] = []
        reader = threading.Thread(target=lambda: box.append(self.popen.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not box:
            self.kill()
            raise ClientError(f"sidecar printed no READY line within {timeout:g} s: {' '.join(self.cmd)}")
        if not box[0]:
            code = self.popen.wait(timeout=5)
            raise ClientError(f"sidecar exited with code {code} before its READY line; run "
                              f"`{' '.join(self.cmd)}` by hand to see why")
        return parse_ready_line(box[0].strip())

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait(self, timeout: float) -> Optional[int]:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        if self.popen.stdout:
            self.popen.stdout.close()

    def stop(self, grace: float = 2.0) -> Optional[int]:
        """Wait up to ``grace`` seconds for a clean exit (after quit), then kill. Returns the exit code."""
        code = self.wait(grace)
        if code is None:
            self.kill()
            code = self.popen.returncode
        elif self.popen.stdout:
            self.popen.stdout.close()
        return code
