"""The reference host: what the tests, the demo, the benches and ``riffforge client`` use to talk to a
sidecar, and the model the C# client follows.

* spawn-or-connect: :meth:`SidecarClient.spawn` starts a sidecar like Unity does (UDP socket first, then
  the process with ``--host-port``, token and ``--parent-pid``); :meth:`SidecarClient.connect` attaches to
  a running one (``connect`` -> ``hello``).
* handshake: version rule on hello, then ``welcome`` (or ``reject`` with the reason).
* requests: ids, chunk reassembly (all-or-nothing), timeout and retry with the same id and bytes,
  many requests in flight (:meth:`submit`).
* heartbeat: a background ping every heartbeat_timeout/3; pings from the sidecar are answered.
* clean shutdown: ``quit``, wait up to 2 s, then kill — never a leftover process.
"""
from __future__ import annotations

import hmac
import itertools
import logging
import os
import secrets
import socket
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Dict, Optional, Sequence

from .. import __version__
from ..generation import RiffRequest
from ..music.riff import INSTRUMENTS, Riff
from ..protocol import chunking, payloads
from ..protocol.constants import BIND_ADDRESS, PROTOCOL_VERSION, REQUEST_ID_MAX
from ..protocol.errors import PayloadError, ProtocolError
from ..protocol.messages import (Connect, Error, Hello, Ping, Pong, Quit, Reject, Request, RiffChunk, Welcome,
                                 decode_message, encode_message)
from ..protocol.version import check_versions
from .errors import ClientError, HandshakeError, RequestTimeout, SidecarError
from .spawn import SidecarProcess, sidecar_command

log = logging.getLogger("riffforge.client")


class PendingRequest:
    """One request in flight. ``result()`` waits, re-sending the same datagram after each timeout."""

    def __init__(self, client: "SidecarClient", request_id: int, request: RiffRequest, datagram: bytes) -> None:
        self.client = client
        self.request_id = request_id
        self.request = request
        self.datagram = datagram
        self.sent_at = time.perf_counter()
        self.done_at: Optional[float] = None
        self.attempts = 1
        self._event = threading.Event()
        self.riff: Optional[Riff] = None
        self.error: Optional[ClientError] = None

    def _resolve(self, riff: Optional[Riff] = None, error: Optional[ClientError] = None) -> None:
        self.done_at = time.perf_counter()
        self.riff, self.error = riff, error
        self._event.set()

    @property
    def done(self) -> bool:
        return self._event.is_set()

    @property
    def latency(self) -> Optional[float]:
        """Seconds from the first send to the complete answer."""
        return None if self.done_at is None else self.done_at - self.sent_at

    def result(self, timeout: float = 2.0, retries: int = 2) -> Riff:
        """The riff; raises :class:`SidecarError`, or :class:`RequestTimeout` after ``retries`` re-sends."""
        for attempt in range(retries + 1):
            if self._event.wait(timeout):
                break
            if attempt < retries:
                self.attempts += 1
                self.client._resend(self)
        else:
            self.client._forget(self.request_id)
            raise RequestTimeout(f"no complete answer to request {self.request_id} after {retries + 1} attempt(s) "
                                 f"of {timeout:g} s; is the sidecar running on port {self.client.sidecar_port}?")
        if self.error is not None:
            raise self.error
        assert self.riff is not None
        return self.riff


class SidecarClient:
    """A host end of the protocol on ``127.0.0.1``. Use :meth:`spawn` or :meth:`connect`; close when done."""

    def __init__(self, sock: socket.socket, sidecar_port: int, token: str,
                 process: Optional[SidecarProcess] = None, reassembly_timeout: float = 5.0) -> None:
        self.sock = sock
        self.sidecar_port = sidecar_port
        self.sidecar_address = (BIND_ADDRESS, sidecar_port)
        # Only the sidecar can reach a connected socket: the kernel discards datagrams from every other
        # port (a flood of junk never reaches this process); the token check stays the second wall.
        # Connected, the socket sends with send(): macOS refuses sendto with an address (EISCONN).
        # See riffforge.sidecar.server for the platform rules.
        sock.connect(self.sidecar_address)
        self.token = token
        self._token_bytes = token.encode("utf-8")
        self.process = process
        self.hello: Optional[Hello] = None
        self.capabilities: Dict = {}
        self.version_warning: Optional[str] = None
        self._hello_event = threading.Event()
        self._pending: Dict[int, PendingRequest] = {}
        self._completed: "OrderedDict[int, None]" = OrderedDict()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._reassembler = chunking.Reassembler(timeout=reassembly_timeout)
        self._pongs: Dict[int, float] = {}
        self._pong_event = threading.Condition(self._lock)
        self._ping_seq = itertools.count(1)
        self._closed = threading.Event()
        self.session_errors = []
        self.stats = {"sent": 0, "resent": 0, "completed": 0, "duplicate_answers": 0, "unknown_answers": 0,
                      "dropped_unauthenticated": 0, "dropped_malformed": 0, "dropped_foreign": 0,
                      "pings_answered": 0}
        self._receiver = threading.Thread(target=self._receive_loop, name="riffforge-client-rx", daemon=True)
        self._heartbeat: Optional[threading.Thread] = None
        self._receiver.start()

    # -- construction ------------------------------------------------------------------------------------
    @staticmethod
    def _bind() -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        sock.bind((BIND_ADDRESS, 0))
        sock.settimeout(0.1)
        return sock

    @classmethod
    def spawn(cls, models: Optional[Path] = None, heartbeat_timeout: Optional[float] = None,
              extra_args: Sequence[str] = (), ready_timeout: float = 20.0, handshake_timeout: float = 5.0,
              stderr=None, heartbeat: bool = True, log_level: Optional[str] = None) -> "SidecarClient":
        """Start a sidecar as Unity does and shake hands with it. ``stderr`` receives its log."""
        sock = cls._bind()
        token = secrets.token_hex(16)
        extra = list(extra_args) + (["--log-level", log_level] if log_level else [])
        cmd = sidecar_command(sock.getsockname()[1], os.getpid(), models, heartbeat_timeout, extra)
        try:
            process = SidecarProcess(cmd, token, ready_timeout=ready_timeout, stderr=stderr)
        except BaseException:
            sock.close()
            raise
        return cls(sock, process.port, token, process=process)._open(handshake_timeout, False, heartbeat)

    @classmethod
    def connect(cls, port: int, token: str, handshake_timeout: float = 3.0, heartbeat: bool = True) -> "SidecarClient":
        """Attach to a sidecar already running on ``127.0.0.1:port`` with session ``token``."""
        return cls(cls._bind(), port, token)._open(handshake_timeout, True, heartbeat)

    def _open(self, handshake_timeout: float, send_connect: bool, heartbeat: bool) -> "SidecarClient":
        """Shake hands (closing this client if that fails), then start the heartbeat if asked."""
        try:
            self._handshake(handshake_timeout, send_connect=send_connect)
        except BaseException:
            self.close(quit=False)
            raise
        if heartbeat:
            self.start_heartbeat()
        return self

    def _send(self, message) -> None:
        self.sock.send(encode_message(message))

    def _handshake(self, timeout: float, send_connect: bool) -> None:
        deadline = time.monotonic() + timeout
        while not self._hello_event.is_set():
            if send_connect:
                self._send(Connect(self.token, __version__))
            left = deadline - time.monotonic()
            if left <= 0 or self._hello_event.wait(min(left, 0.5)):
                break
        if not self._hello_event.is_set():
            raise HandshakeError(f"no hello from the sidecar on port {self.sidecar_port} within {timeout:g} s "
                                 f"(wrong port or token?)")
        hello = self.hello
        assert hello is not None
        check = check_versions(PROTOCOL_VERSION, hello.protocol_version)
        if not check.ok:
            self._send(Reject(self.token, check.message or "protocol version mismatch"))
            raise HandshakeError(check.message or "protocol version mismatch")
        self.version_warning = check.message
        try:
            self.capabilities = payloads.decode_capabilities(hello.capabilities)
        except PayloadError as exc:
            self._send(Reject(self.token, f"bad capabilities: {exc.message}"))
            raise HandshakeError(f"sidecar sent bad capabilities: {exc.message}") from None
        self.welcome()

    def welcome(self) -> None:
        """(Re)send welcome: starts a new session on the sidecar (its response cache starts over)."""
        self._send(Welcome(self.token, PROTOCOL_VERSION, __version__))

    # -- requests ----------------------------------------------------------------------------------------
    def submit(self, request: RiffRequest) -> PendingRequest:
        """Send a request without waiting; call ``.result()`` on what comes back."""
        request_id = next(self._ids)
        if request_id > REQUEST_ID_MAX:  # pragma: no cover - 2^31 requests in one session
            raise ClientError("request ids exhausted; start a new session")
        datagram = encode_message(Request(self.token, request_id, payloads.encode_request(request)))
        pending = PendingRequest(self, request_id, request, datagram)
        with self._lock:
            self._pending[request_id] = pending
        self.sock.send(datagram)
        self.stats["sent"] += 1
        return pending

    def submit_request(self, intensity: float, **fields) -> PendingRequest:
        """``submit(RiffRequest(intensity, **fields))``."""
        if "instruments" in fields:
            fields["instruments"] = tuple(fields["instruments"])
        return self.submit(RiffRequest(intensity=intensity, **fields))

    def request(self, intensity: float, style: str = "thrash", bars: int = 2, tempo: Optional[float] = None,
                key: Optional[str] = None, mode: Optional[str] = None, seed: Optional[int] = None,
                instruments: Sequence[str] = INSTRUMENTS, temperature: Optional[float] = None,
                timeout: float = 2.0, retries: int = 2) -> Riff:
        """Ask for one riff and wait for it (re-sending the same request after each ``timeout``)."""
        request = RiffRequest(intensity=intensity, style=style, bars=bars, tempo=tempo, key=key, mode=mode,
                              seed=seed, instruments=tuple(instruments), temperature=temperature)
        return self.submit(request).result(timeout=timeout, retries=retries)

    def _resend(self, pending: PendingRequest) -> None:
        self.stats["resent"] += 1
        self.sock.send(pending.datagram)

    def _forget(self, request_id: int) -> None:
        with self._lock:
            self._pending.pop(request_id, None)
            self._reassembler.discard(request_id)

    # -- liveness ----------------------------------------------------------------------------------------
    def ping(self, timeout: float = 1.0) -> float:
        """Round-trip time of one ping, in seconds; raises RequestTimeout."""
        seq = next(self._ping_seq) & 0x7FFFFFFF
        start = time.perf_counter()
        self._send(Ping(self.token, seq))
        with self._pong_event:
            if not self._pong_event.wait_for(lambda: seq in self._pongs, timeout):
                raise RequestTimeout(f"no pong for ping {seq} within {timeout:g} s")
            return self._pongs.pop(seq) - start

    def start_heartbeat(self) -> None:
        timeout_ms = int(self.capabilities.get("heartbeat_timeout_ms", 0) or 0)
        if timeout_ms <= 0 or self._heartbeat is not None:
            return
        interval = timeout_ms / 1000.0 / 3.0

        def beat() -> None:
            while not self._closed.wait(interval):
                try:
                    self._send(Ping(self.token, next(self._ping_seq) & 0x7FFFFFFF))
                except OSError:
                    return
        self._heartbeat = threading.Thread(target=beat, name="riffforge-client-heartbeat", daemon=True)
        self._heartbeat.start()

    # -- receiving ---------------------------------------------------------------------------------------
    def _receive_loop(self) -> None:
        while not self._closed.is_set():
            try:
                data, address = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                if self._closed.is_set():
                    return
                continue  # e.g. Windows reports an ICMP port-unreachable as an error on the next recv
            try:
                self._handle(data, address)
            except Exception:  # never let one bad datagram kill the receiver
                log.exception("client failed to handle a datagram")

    def _handle(self, data: bytes, address) -> None:
        if address != self.sidecar_address:  # queued before connect(), or a platform without the filter
            self.stats["dropped_foreign"] += 1
            return
        try:
            message = decode_message(data)
        except ProtocolError:
            self.stats["dropped_malformed"] += 1
            return
        if not hmac.compare_digest(message.token.encode("utf-8"), self._token_bytes):
            self.stats["dropped_unauthenticated"] += 1
            return
        if isinstance(message, RiffChunk):
            self._on_chunk(message)
        elif isinstance(message, Error):
            self._on_error(message)
        elif isinstance(message, Ping):
            self.stats["pings_answered"] += 1
            self._send(Pong(self.token, message.seq))
        elif isinstance(message, Pong):
            with self._pong_event:
                self._pongs[message.seq] = time.perf_counter()
                if len(self._pongs) > 1024:
                    self._pongs.pop(next(iter(self._pongs)))
                self._pong_event.notify_all()
        elif isinstance(message, Hello):
            if self.hello is None:
                self.hello = message
                self.sidecar_address = address
                self.sidecar_port = address[1]
            self._hello_event.set()

    def _take(self, request_id: int) -> Optional[PendingRequest]:
        """Under the lock: the pending request, or None (counting late or unknown answers)."""
        pending = self._pending.get(request_id)
        if pending is None:
            key = "duplicate_answers" if request_id in self._completed else "unknown_answers"
            self.stats[key] += 1
        return pending

    def _complete(self, request_id: int) -> None:
        self._pending.pop(request_id, None)
        self._completed[request_id] = None
        while len(self._completed) > 65536:
            self._completed.popitem(last=False)
        self.stats["completed"] += 1

    def _on_chunk(self, chunk: RiffChunk) -> None:
        with self._lock:
            pending = self._take(chunk.request_id)
            if pending is None:
                return
            payload = self._reassembler.add(chunk.request_id, chunk.chunk_index, chunk.chunk_count, chunk.chunk)
            if payload is None:
                return
            self._complete(chunk.request_id)
        try:
            pending._resolve(riff=payloads.decode_riff(payload))
        except PayloadError as exc:
            pending._resolve(error=ClientError(f"request {chunk.request_id}: undecodable riff: {exc.message}"))

    def _on_error(self, error: Error) -> None:
        if error.request_id == 0:
            self.session_errors.append((error.code, error.message))
            log.error("sidecar session error %s: %s", error.code, error.message)
            return
        with self._lock:
            pending = self._take(error.request_id)
            if pending is None:
                return
            self._reassembler.discard(error.request_id)
            self._complete(error.request_id)
        pending._resolve(error=SidecarError(error.request_id, error.code, error.message))

    # -- shutdown ----------------------------------------------------------------------------------------
    def close(self, quit: bool = True, grace: float = 2.0) -> Optional[int]:
        """Send quit (unless ``quit=False``), wait up to ``grace`` s for a spawned sidecar, kill it if it
        lingers, stop the threads, close the socket. Returns the sidecar's exit code when we spawned it."""
        code = None
        if quit and not self._closed.is_set():
            try:
                self._send(Quit(self.token))
            except OSError:
                pass
        self._closed.set()
        if self.process is not None:
            code = self.process.stop(grace if quit else 0.0)
        self._receiver.join(1.0)
        if self._heartbeat is not None:
            self._heartbeat.join(1.0)
        self.sock.close()
        return code

    def __enter__(self) -> "SidecarClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
