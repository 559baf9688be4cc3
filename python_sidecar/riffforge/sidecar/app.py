"""Wiring for ``riffforge sidecar``: socket, dispatcher, service, worker, watchdog; READY line; exit code."""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Optional, TextIO, Tuple

from .. import __version__
from ..generation import Generator
from ..protocol.constants import BIND_ADDRESS, DEFAULT_HEARTBEAT_TIMEOUT_MS, PROTOCOL_VERSION, READY_PREFIX
from .dispatcher import SidecarDispatcher
from .server import SidecarServer
from .service import SidecarService
from .watchdog import ParentWatch, Watchdog

log = logging.getLogger("riffforge.sidecar")


@dataclass
class SidecarOptions:
    token: str
    host_port: Optional[int] = None
    parent_pid: Optional[int] = None
    heartbeat_timeout: float = DEFAULT_HEARTBEAT_TIMEOUT_MS / 1000.0
    port: int = 0
    prefetch_depth: int = 2
    warm_styles: Tuple[str, ...] = field(default_factory=tuple)
    show_token: bool = False


class Sidecar:
    """One sidecar. ``serve()`` blocks until quit / parent gone / heartbeat timeout / reject / ``stop()``
    and returns the exit code; it can run on any thread (tests run it in-process)."""

    def __init__(self, generator: Generator, options: SidecarOptions) -> None:
        self.options = options
        self.dispatcher = SidecarDispatcher(options.token)
        self.server = SidecarServer(self.dispatcher, options.port)
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self.exit_code: Optional[int] = None
        self.exit_reason = ""
        host = (BIND_ADDRESS, options.host_port) if options.host_port else None
        self.service = SidecarService(generator, options.token, self.server.send, host, options.heartbeat_timeout,
                                      self.stop, prefetch_depth=options.prefetch_depth)
        self.service.register(self.dispatcher)
        self.service.set_peer = self.server.set_peer
        self.server.on_peer_unreachable = self.service.peer_unreachable
        self.service.connect_initial_host()
        self.watchdog = Watchdog(self.service, ParentWatch(options.parent_pid), options.heartbeat_timeout,
                                 self.stop, self._stopped, self.server.shutdown)
        self.serving = threading.Event()

    @property
    def port(self) -> int:
        return self.server.port

    def ready_line(self) -> str:
        line = f"{READY_PREFIX} port={self.port} pid={os.getpid()} protocol={PROTOCOL_VERSION} version={__version__}"
        if self.options.show_token:
            line += f" token={self.options.token}"
        return line

    def stop(self, code: int = 0, reason: str = "stopped") -> None:
        """Ask the sidecar to exit (first reason wins). Safe from any thread, including handlers."""
        with self._stop_lock:
            if self.exit_code is None:
                self.exit_code, self.exit_reason = code, reason
                log.info("stopping: %s", reason)
        self._stopped.set()

    def serve(self, ready_stream: Optional[TextIO] = None) -> int:
        self.service.start()
        if self.options.warm_styles:
            self.service.warm(self.options.warm_styles)
        if ready_stream is not None:
            ready_stream.write(self.ready_line() + "\n")
            ready_stream.flush()
        self.service.send_hello()
        self.watchdog.start()
        self.serving.set()
        try:
            self.server.serve_forever(poll_interval=0.05)
        finally:
            self.service.worker.stop(timeout=0.3)
            self.server.server_close()
            log.info("exit %s (%s); wire counters %s; service counters %s", self.exit_code, self.exit_reason,
                     self.dispatcher.counters(), self.service.counters())
        return self.exit_code or 0
