"""The sidecar's UDP socket: a python-osc ``BlockingOSCUDPServer`` bound to 127.0.0.1 only.

Datagrams are handled one at a time on the serving thread (handlers only decode, look up caches and
enqueue work, so this is fast); replies are raw datagrams sent back from the same socket. The dispatcher
decides what a datagram means; the server only moves bytes.
"""
from __future__ import annotations

import logging
import socket
import socketserver
import threading
from typing import Tuple

from pythonosc.osc_server import BlockingOSCUDPServer

from ..protocol.constants import BIND_ADDRESS, MAX_DATAGRAM_BYTES
from .dispatcher import SidecarDispatcher

log = logging.getLogger("riffforge.sidecar")


class _DatagramHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data, sock = self.request
        server: SidecarServer = self.server  # type: ignore[assignment]
        for reply in server.dispatcher.call_handlers_for_packet(data, self.client_address):
            server.send(reply, self.client_address)


class SidecarServer(BlockingOSCUDPServer):
    """UDP server on ``127.0.0.1:port`` (0 = ephemeral). ``send`` is safe to call from any thread."""

    # Read more than a legal datagram so an oversized one is seen (and dropped) whole, not truncated.
    max_packet_size = 65536

    def __init__(self, dispatcher: SidecarDispatcher, port: int = 0) -> None:
        super().__init__((BIND_ADDRESS, port), dispatcher)
        self.RequestHandlerClass = _DatagramHandler
        try:  # room for bursts (a flood of junk must not crowd out the host's next ping)
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        except OSError:  # pragma: no cover - platform refuses; the default still works
            pass
        self._send_lock = threading.Lock()
        self.send_errors = 0

    @property
    def port(self) -> int:
        return self.server_address[1]

    def verify_request(self, request, client_address) -> bool:  # type: ignore[override]
        return True  # every datagram goes to the dispatcher, which validates and counts drops

    def handle_error(self, request, client_address) -> None:  # type: ignore[override]
        log.exception("error while handling a datagram from %r", client_address)

    def send(self, datagram: bytes, address: Tuple[str, int]) -> None:
        if len(datagram) > MAX_DATAGRAM_BYTES:  # an encoder bug must not put an illegal datagram on the wire
            raise ValueError(f"refusing to send a {len(datagram)}-byte datagram (limit {MAX_DATAGRAM_BYTES})")
        try:
            with self._send_lock:
                self.socket.sendto(datagram, address)
        except OSError as exc:  # e.g. the host's port is gone; the watchdog decides when to stop
            self.send_errors += 1
            log.debug("send to %r failed: %s", address, exc)
