"""The sidecar's UDP socket: a python-osc ``BlockingOSCUDPServer`` bound to 127.0.0.1 only.

Datagrams are handled one at a time on the serving thread (handlers only decode, look up caches and
enqueue work, so this is fast); replies are raw datagrams sent back from the same socket. The dispatcher
decides what a datagram means; the server only moves bytes.

Once the sidecar knows its host's port (``--host-port``, or the address a ``welcome`` came from) the socket
is ``connect()``-ed to it, so the kernel discards datagrams from every other address before they cost the
process anything; the session token stays the second wall. Platform rules this relies on:

* Linux: a connected UDP socket only receives from its peer (connect(2)); connecting with ``AF_UNSPEC``
  dissolves the association (https://sourceware.org/glibc/manual/latest/html_node/Sending-Datagrams.html);
  an ICMP port-unreachable for the peer is reported by the next ``recv`` as ``ECONNREFUSED`` (udp(7),
  https://manpages.ubuntu.com/manpages/focal/man7/udp.7.html).
* Windows: "Any datagrams received from an address other than the destination address specified will be
  discarded"; connecting to an all-zero address disconnects
  (https://learn.microsoft.com/en-us/previous-versions/aa916058(v=msdn.10),
  https://learn.microsoft.com/en-us/previous-versions/windows/embedded/ee494317(v=winembedded.60)); the port
  unreachable shows up as ``WSAECONNRESET`` on the next ``recvfrom``
  (https://learn.microsoft.com/en-us/windows/desktop/api/winsock/nf-winsock-recvfrom).
* macOS/BSD: the same filter; ``sendto`` with an address on a connected socket fails (``EISCONN``), so a
  connected socket only ever uses ``send``; ``AF_UNSPEC`` dissolves the association and may report
  ``EAFNOSUPPORT`` although it worked (https://newosxbook.com/code/xnu-3247.1.106/bsd/man/man2/connect.2.auto.html,
  https://doc.servo.org/rustix/net/fn.connect_unspec.html).

The socket goes back to listening (unconnected) when the peer is proven gone (port unreachable) or silent,
so a host that lost its state and comes back from a new port can ``connect`` again.
"""
from __future__ import annotations

import errno
import logging
import socket
import socketserver
import sys
import threading
from typing import Callable, Optional, Tuple

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
        for attempt in range(20):
            # Bind a named port, never 0: Linux keeps an ephemeral (port 0) binding only while connected
            # and drops it when the association is dissolved; a named port stays bound.
            try:
                super().__init__((BIND_ADDRESS, port or _free_port()), dispatcher)
                break
            except OSError as exc:
                if port or exc.errno != errno.EADDRINUSE or attempt == 19:
                    raise
        self.RequestHandlerClass = _DatagramHandler
        try:  # room for bursts (a flood of junk must not crowd out the host's next ping)
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        except OSError:  # pragma: no cover - platform refuses; the default still works
            pass
        self._send_lock = threading.Lock()
        self.send_errors = 0
        self._peer: Optional[Tuple[str, int]] = None
        self.sends_not_to_peer = 0   # answers for an address that is no longer the peer (an old session)
        self.peer_unreachable = 0    # port-unreachable reports for the peer (its socket is closed)
        self.on_peer_unreachable: Callable[[Tuple[str, int]], None] = lambda address: None

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def peer(self) -> Optional[Tuple[str, int]]:
        """The host address the socket is connected to (only it can reach the sidecar), or None."""
        return self._peer

    def set_peer(self, address: Optional[Tuple[str, int]]) -> None:
        """Connect the socket to ``address`` (None: dissolve the association and listen to everyone)."""
        with self._send_lock:
            if address == self._peer:
                return
            try:
                if address is None:
                    _dissolve_association(self.socket)
                else:
                    self.socket.connect(address)
            except OSError as exc:  # the socket keeps its previous association; both walls still hold
                log.warning("could not %s the UDP socket: %s", f"connect to {address!r}" if address else
                            "disconnect", exc)
                return
            self._peer = address
        log.info("socket %s", f"connected to host port {address[1]}" if address else "listening for any host")

    def get_request(self):  # type: ignore[override]
        try:
            return super().get_request()
        except (ConnectionRefusedError, ConnectionResetError):
            # The peer's port is closed (ICMP port unreachable after our last send). Without a peer
            # (Windows reports it for unconnected sockets too) there is nothing to forget.
            peer = self._peer
            if peer is not None:
                self.peer_unreachable += 1
                self.on_peer_unreachable(peer)
            raise

    def verify_request(self, request, client_address) -> bool:  # type: ignore[override]
        return True  # every datagram goes to the dispatcher, which validates and counts drops

    def handle_error(self, request, client_address) -> None:  # type: ignore[override]
        log.exception("error while handling a datagram from %r", client_address)

    def send(self, datagram: bytes, address: Tuple[str, int]) -> None:
        if len(datagram) > MAX_DATAGRAM_BYTES:  # an encoder bug must not put an illegal datagram on the wire
            raise ValueError(f"refusing to send a {len(datagram)}-byte datagram (limit {MAX_DATAGRAM_BYTES})")
        try:
            with self._send_lock:
                if self._peer is None:
                    self.socket.sendto(datagram, address)
                elif address == self._peer:
                    self.socket.send(datagram)
                else:
                    self.sends_not_to_peer += 1
        except OSError as exc:  # e.g. the host's port is gone; the watchdog decides when to stop
            self.send_errors += 1
            log.debug("send to %r failed: %s", address, exc)


def _free_port() -> int:
    """A UDP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((BIND_ADDRESS, 0))
        return probe.getsockname()[1]


def _dissolve_association(sock: socket.socket) -> None:
    """Undo ``connect()`` on a UDP socket, keeping its bound address (see the module docstring)."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds
        sock.connect(("0.0.0.0", 0))
        return
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    unspec = (ctypes.c_ubyte * 16)()  # all zero: sa_family (and BSD's sa_len) 0 = AF_UNSPEC
    if libc.connect(sock.fileno(), unspec, ctypes.sizeof(unspec)) != 0:
        code = ctypes.get_errno()
        if code not in (errno.EAFNOSUPPORT, errno.EINVAL):  # BSD reports these after a successful dissolve
            raise OSError(code, f"connect(AF_UNSPEC): {errno.errorcode.get(code, code)}")
    if sock.getsockname()[0] != BIND_ADDRESS:  # pragma: no cover - BSD resets the local address
        log.warning("the UDP socket is bound to %r after leaving its peer; only %s is served (the dispatcher "
                    "drops the rest)", sock.getsockname(), BIND_ADDRESS)
