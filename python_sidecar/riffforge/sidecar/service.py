"""The sidecar side of the protocol: handshake, riff requests, caches, ping/pong, quit.

Handlers run on the network thread and return reply datagrams; generation runs on the worker thread,
which sends its answer itself. Thread-shared state is either immutable, guarded by a lock, or a counter
written by a single thread.
"""
from __future__ import annotations

import logging
import time
from typing import Callable, List, Optional, Sequence, Tuple

from .. import __version__
from ..generation import Generator, RiffRequest, RiffRequestError
from ..music.riff import Riff, RiffError
from ..music.theory import MODES
from ..protocol import chunking, payloads
from ..protocol.constants import (EXIT_OK, EXIT_REJECTED, MAX_PENDING_REQUESTS, MAX_STRING_BYTES, PROTOCOL_VERSION,
                                  SEED_MAX, SEED_MIN, ErrorCode)
from ..protocol.errors import PayloadError, ProtocolError
from ..protocol.messages import (Connect, Error, Hello, Ping, Pong, Quit, Reject, Request, RiffChunk, Welcome,
                                 encode_message)
from ..protocol.version import check_versions
from .cache import PrefetchCache, ResponseCache, bucket_request, prefetch_key
from .ratelog import RateLimitedLog
from .worker import FOREGROUND, PREFETCH, GenerationWorker

log = logging.getLogger("riffforge.sidecar")
Address = Tuple[str, int]

# A connected host that said nothing for this long is pinged (a closed port answers with ICMP port
# unreachable, which ends the session at once) and after PEER_RELEASE_SECONDS the socket listens to any
# host again, so a host that lost its state can come back from a new port with ``connect``.
PEER_PROBE_SECONDS = 1.0
PEER_RELEASE_SECONDS = 3.0


class SidecarService:
    """Protocol logic, independent of sockets: give it a ``send(datagram, address)`` function."""

    def __init__(self, generator: Generator, token: str, send: Callable[[bytes, Address], None],
                 host_address: Optional[Address], heartbeat_timeout: float,
                 on_stop: Callable[[int, str], None], prefetch_depth: int = 2,
                 response_cache_size: int = 1024) -> None:
        self.generator = generator
        self.token = token
        self.send = send
        self.host_address = host_address
        self.heartbeat_timeout = heartbeat_timeout
        self._on_stop = on_stop
        caps = generator.capabilities()
        self.capabilities = caps
        # The modes a request may name: the generator's own list, else every mode the music theory knows (what
        # a generator resolves a mode name with). Requests are checked against exactly what hello announces.
        self.modes: Tuple[str, ...] = tuple(caps.extra["modes"]) if caps.extra.get("modes") else tuple(MODES)
        self.capabilities_blob = payloads.encode_capabilities(caps, int(heartbeat_timeout * 1000), self.modes)
        self.worker = GenerationWorker()
        self.prefetch = PrefetchCache(prefetch_depth)
        self.responses = ResponseCache(response_cache_size)
        self.welcomed = False
        self.last_heard = time.monotonic()
        self.last_ping_sent = 0.0
        self._ping_seq = 0
        self.pongs_received = 0
        self.requests = 0
        self.errors_sent = 0
        self.connects = 0
        self._connect_log = RateLimitedLog(log, logging.INFO)
        self.sessions_ended = 0
        self.abandoned = 0
        # Set by the transport: connect the socket to the session's host (None: listen to every host).
        self.set_peer: Callable[[Optional[Address]], None] = lambda address: None
        self._peer: Optional[Address] = None

    # -- wiring ----------------------------------------------------------------------------------------
    def register(self, dispatcher) -> None:
        for message_type, handler in ((Connect, self.on_connect), (Welcome, self.on_welcome),
                                      (Reject, self.on_reject), (Request, self.on_request), (Ping, self.on_ping),
                                      (Pong, self.on_pong), (Quit, self.on_quit)):
            dispatcher.on(message_type, self._heard(handler))

    def _heard(self, handler):
        """Any authenticated message from the host proves it is alive (resets the heartbeat clock)."""
        def wrapped(message, address):
            self.last_heard = time.monotonic()
            if self._peer is None and self.welcomed and address == self.host_address:
                self._connect_peer(address)  # the session's host spoke again after a silence
            return handler(message, address)
        return wrapped

    def start(self) -> None:
        self.worker.start()

    # -- the session's peer ------------------------------------------------------------------------------
    def _connect_peer(self, address: Optional[Address]) -> None:
        self._peer = address
        self.set_peer(address)

    def connect_initial_host(self) -> None:
        """``--host-port`` named the host: only it can reach the socket from the start."""
        if self.host_address is not None:
            self._connect_peer(self.host_address)

    def peer_unreachable(self, address: Address) -> None:
        """Transport thread: the host's port is closed, so its session is over; listen to every host."""
        if address == self.host_address:
            self.welcomed = False
            self.sessions_ended += 1
            log.info("host port %d is closed: session ended, waiting for a host to connect", address[1])
        self._connect_peer(None)

    def check_peer(self, now: float) -> None:
        """Watchdog thread: probe a quiet peer, release a silent one (see PEER_PROBE_SECONDS)."""
        peer = self._peer
        if peer is None:
            return
        quiet = now - self.last_heard
        if quiet > PEER_RELEASE_SECONDS:
            log.info("host port %d silent for %.1f s: listening for any host again", peer[1], quiet)
            self._connect_peer(None)
        elif quiet > PEER_PROBE_SECONDS and now - self.last_ping_sent > PEER_PROBE_SECONDS:
            self.ping_host()

    def hello(self) -> bytes:
        return encode_message(Hello(self.token, PROTOCOL_VERSION, __version__, self.capabilities_blob))

    def send_hello(self) -> None:
        if self.host_address is not None:
            self.send(self.hello(), self.host_address)

    def _error(self, request_id: int, code: str, message: str) -> bytes:
        self.errors_sent += 1
        data = message.encode("utf-8")
        if len(data) > MAX_STRING_BYTES:  # keep whole characters
            message = data[:MAX_STRING_BYTES - 3].decode("utf-8", "ignore") + "..."
        return encode_message(Error(self.token, request_id, code, message))

    # -- handshake ---------------------------------------------------------------------------------------
    def on_connect(self, message: Connect, address: Address) -> List[bytes]:
        self.connects += 1
        self._connect_log("connect from port %d (host version %s): sending hello", address[1], message.host_version)
        return [self.hello()]

    def on_welcome(self, message: Welcome, address: Address) -> List[bytes]:
        check = check_versions(message.protocol_version, PROTOCOL_VERSION)
        if not check.ok:
            log.error("%s", check.message)
            self.welcomed = False
            return [self._error(0, ErrorCode.VERSION_MISMATCH, check.message or "protocol version mismatch")]
        if check.outcome == "warning":
            log.warning("%s", check.message)
        self.welcomed = True
        self.host_address = address
        self._connect_peer(address)
        self.responses.clear()  # a new session: request ids start over
        log.info("welcomed by host %s (protocol %s) on port %d", message.host_version, message.protocol_version,
                 address[1])
        return []

    def on_reject(self, message: Reject, address: Address) -> List[bytes]:
        log.error("the host rejected this sidecar: %s", message.reason)
        self._on_stop(EXIT_REJECTED, f"rejected by the host: {message.reason}")
        return []

    # -- liveness ----------------------------------------------------------------------------------------
    def on_ping(self, message: Ping, address: Address) -> List[bytes]:
        return [encode_message(Pong(self.token, message.seq))]

    def on_pong(self, message: Pong, address: Address) -> List[bytes]:
        self.pongs_received += 1
        return []

    def on_quit(self, message: Quit, address: Address) -> List[bytes]:
        self._on_stop(EXIT_OK, "quit received")
        return []

    def ping_host(self) -> None:
        """Called by the watchdog when the host has been quiet for half the heartbeat timeout."""
        if self.host_address is None:
            return
        self._ping_seq = (self._ping_seq + 1) & 0x7FFFFFFF
        self.last_ping_sent = time.monotonic()
        self.send(encode_message(Ping(self.token, self._ping_seq)), self.host_address)

    # -- requests ----------------------------------------------------------------------------------------
    def on_request(self, message: Request, address: Address) -> List[bytes]:
        self.requests += 1
        rid = message.request_id
        if not self.welcomed or address != self.host_address:
            return [self._error(rid, ErrorCode.HANDSHAKE_REQUIRED, "request before welcome: answer hello with "
                                                                   "welcome first (send connect to get a hello)")]
        state, datagrams = self.responses.lookup(address, rid, message.payload)
        if state == "replay":
            return list(datagrams or [])
        if state == "pending":
            return []
        if state == "conflict":
            return [self._error(rid, ErrorCode.BAD_REQUEST, f"request_id={rid} was already used for a different "
                                                            f"request; use a fresh id per request")]
        try:
            request = payloads.decode_request(message.payload, self.capabilities.styles, self.capabilities.max_bars,
                                              self.capabilities.instruments, self.modes)
        except PayloadError as exc:
            return self._finish(address, rid, message.payload, [self._error(rid, exc.code, exc.message)])
        key = prefetch_key(request)
        if key is not None:
            payload = self.prefetch.take(key)
            if payload is not None:
                # Send first, then queue the refill: the worker must not compete for the GIL before the
                # answer is on the wire.
                for datagram in self._finish(address, rid, message.payload, self._riff_datagrams(rid, payload)):
                    self.send(datagram, address)
                self._refill(key)
                return []
        # The busy limit is per host session (its address): another sender with the token cannot use it up.
        if self.worker.foreground_pending(address) >= MAX_PENDING_REQUESTS:
            return [self._error(rid, ErrorCode.BUSY, f"{MAX_PENDING_REQUESTS} requests of this session are "
                                                     f"already waiting; retry later")]
        self.responses.begin(address, rid, message.payload)
        self.worker.submit(lambda: self._generate_answer(address, rid, message.payload, request, key), FOREGROUND,
                           session=address)
        return []

    def _finish(self, address: Address, rid: int, request_bytes: bytes, datagrams: List[bytes]) -> List[bytes]:
        """Remember the answer (for retries) and return it for the requester."""
        self.responses.finish(address, rid, request_bytes, datagrams)
        return datagrams

    def _riff_datagrams(self, rid: int, payload: bytes) -> List[bytes]:
        parts = chunking.split_payload(payload)
        return [encode_message(RiffChunk(self.token, rid, i, len(parts), part)) for i, part in enumerate(parts)]

    def _generate_answer(self, address: Address, rid: int, request_bytes: bytes, request: RiffRequest,
                         key) -> None:
        """Worker thread: generate, encode, chunk, remember, send to the requester."""
        if not self.welcomed or address != self.host_address:
            # Its session is over (the host left or another host welcomed): nobody can receive the answer.
            self.responses.abandon(address, rid)
            self.abandoned += 1
            return
        try:
            payload = self.generate_payload(request)
            datagrams = self._riff_datagrams(rid, payload)
        except PayloadError as exc:
            datagrams = [self._error(rid, exc.code, exc.message)]
        except ProtocolError as exc:
            datagrams = [self._error(rid, ErrorCode.INTERNAL, str(exc))]
        self.responses.finish(address, rid, request_bytes, datagrams)
        for datagram in datagrams:
            self.send(datagram, address)
        if key is not None:
            self._refill(key)

    def generate_payload(self, request: RiffRequest) -> bytes:
        """Run the generator and encode its riff; every failure becomes a PayloadError with a stable code."""
        try:
            riff = self.generator.generate(request)
        except RiffRequestError as exc:
            raise PayloadError(ErrorCode.UNSUPPORTED, str(exc)) from None
        except Exception as exc:
            log.exception("generator failed for %r", request)
            raise PayloadError(ErrorCode.INTERNAL, f"generator failed: {type(exc).__name__}: {exc}") from None
        if not isinstance(riff, Riff):
            raise PayloadError(ErrorCode.INTERNAL, f"generator returned {type(riff).__name__}, not a Riff")
        if not SEED_MIN <= int(riff.seed) <= SEED_MAX:
            raise PayloadError(ErrorCode.INTERNAL, f"generator returned seed={riff.seed}, outside "
                                                   f"{SEED_MIN}..{SEED_MAX}; fix the generator's seed range")
        try:
            return payloads.encode_riff(riff)
        except (RiffError, TypeError, ValueError) as exc:
            if isinstance(exc, PayloadError):
                raise
            raise PayloadError(ErrorCode.INTERNAL, f"generator returned an invalid riff: {exc}") from None

    # -- prefetch ----------------------------------------------------------------------------------------
    def _refill(self, key) -> None:
        for _ in range(self.prefetch.wanted(key)):
            self.worker.submit(lambda: self._prefetch_one(key), PREFETCH)

    def _prefetch_one(self, key) -> None:
        payload = None
        try:
            payload = self.generate_payload(bucket_request(key))
        except PayloadError as exc:
            log.warning("prefetch for %r failed: %s", key, exc.message)
        finally:
            self.prefetch.put(key, payload)

    def warm(self, styles: Sequence[str], bars: int = 2) -> None:
        """Queue prefetch for every intensity bucket of ``styles`` (all instruments, ``bars`` bars)."""
        for style in styles:
            for bucket in range(11):
                key = prefetch_key(RiffRequest(intensity=bucket / 10, style=style, bars=bars,
                                               instruments=self.capabilities.instruments))
                self._refill(key)

    def counters(self) -> dict:
        return {"requests": self.requests, "errors_sent": self.errors_sent, "prefetch_hits": self.prefetch.hits,
                "prefetch_misses": self.prefetch.misses, "replays": self.responses.replays,
                "generated": self.worker.completed, "pongs_received": self.pongs_received,
                "sessions_ended": self.sessions_ended, "abandoned": self.abandoned, "connects": self.connects}
