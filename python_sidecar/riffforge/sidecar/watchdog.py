"""Keeps the sidecar from outliving its host: parent pid watch, heartbeat timeout, orderly stop.

A sidecar that outlives a crashed Unity editor is a leaked process on a player's machine, so the checks
are conservative: the parent counts as gone when its pid no longer exists, when it is a zombie (killed
but not yet reaped), or when this process has been re-parented away from it.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Callable, Optional

log = logging.getLogger("riffforge.sidecar")
POLL_SECONDS = 0.1


class ParentWatch:
    """``alive()`` is False once process ``pid`` has exited. ``pid=None`` watches nothing."""

    def __init__(self, pid: Optional[int]) -> None:
        self.pid = pid
        self._was_parent = pid is not None and hasattr(os, "getppid") and os.getppid() == pid
        self._handle = None
        self._unwatchable = False
        if pid is not None and sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
            import ctypes
            from ctypes import wintypes
            synchronize, query_limited, error_invalid_parameter = 0x00100000, 0x1000, 87
            self._kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
            self._kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
            self._kernel32.OpenProcess.restype = wintypes.HANDLE
            self._kernel32.WaitForSingleObject.argtypes = [wintypes.HANDLE, wintypes.DWORD]
            self._kernel32.WaitForSingleObject.restype = wintypes.DWORD
            # Opening the handle once also pins the process object, so a reused pid cannot fool us.
            self._handle = self._kernel32.OpenProcess(synchronize | query_limited, False, pid)
            if not self._handle and ctypes.get_last_error() != error_invalid_parameter:
                # e.g. access denied: we cannot watch it; the heartbeat timeout still protects us
                self._unwatchable = True
                log.warning("cannot watch parent process %d (error %d); relying on the heartbeat", pid,
                            ctypes.get_last_error())

    def alive(self) -> bool:
        pid = self.pid
        if pid is None:
            return True
        if sys.platform == "win32":  # pragma: no cover
            if self._unwatchable:
                return True
            if not self._handle:
                return False  # no such process
            wait_object_0 = 0
            return self._kernel32.WaitForSingleObject(self._handle, 0) != wait_object_0
        if self._was_parent and os.getppid() != pid:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        try:  # Linux: a killed parent that nobody reaped yet is a zombie, i.e. gone
            with open(f"/proc/{pid}/stat", "rb") as fh:
                stat = fh.read()
            return stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3] not in (b"Z", b"X")
        except OSError:
            return True


class Watchdog:
    """A daemon thread that checks, every 0.1 s, whether the sidecar should stop, and pings a quiet host.

    ``service`` provides ``last_heard``, ``last_ping_sent`` and ``ping_host()``; ``stop(code, reason)`` is
    called once when the parent is gone or the host has been silent for ``heartbeat_timeout`` seconds;
    ``stopped`` is an event set by whoever decided to stop; ``on_stopped`` then shuts the server down.
    """

    def __init__(self, service, parent: ParentWatch, heartbeat_timeout: float, stop: Callable[[int, str], None],
                 stopped: threading.Event, on_stopped: Callable[[], None]) -> None:
        self.service = service
        self.parent = parent
        self.heartbeat_timeout = heartbeat_timeout
        self._stop = stop
        self._stopped = stopped
        self._on_stopped = on_stopped
        self._thread = threading.Thread(target=self._run, name="riffforge-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def check(self, now: float) -> None:
        if not self.parent.alive():
            self._stop(0, f"parent process {self.parent.pid} is gone")
            return
        timeout = self.heartbeat_timeout
        if timeout > 0:
            quiet = now - self.service.last_heard
            if quiet > timeout:
                self._stop(0, f"no message from the host for {quiet:.1f} s (heartbeat timeout {timeout:g} s)")
            elif quiet > timeout / 2 and now - self.service.last_ping_sent > timeout / 4:
                self.service.ping_host()
        self.service.check_peer(now)

    def _run(self) -> None:
        while not self._stopped.wait(POLL_SECONDS):
            try:
                self.check(time.monotonic())
            except Exception:  # the watchdog must keep watching
                log.exception("watchdog check failed")
        self._on_stopped()
