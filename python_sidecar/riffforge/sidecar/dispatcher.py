"""Datagram -> validated, authenticated message -> handler.

:class:`SidecarDispatcher` plugs into python-osc's server exactly where python-osc's own ``Dispatcher``
does (``call_handlers_for_packet(data, client_address)``), but decodes with the strict
:mod:`riffforge.protocol` decoder (checked against ``protocol/vectors``) instead of python-osc's permissive
one, checks the session token in constant time, and counts everything it drops. A bad packet is logged
(rate-limited) and dropped; nothing a peer sends can raise out of here.
"""
from __future__ import annotations

import hmac
import logging
from typing import Callable, Dict, List, Optional, Tuple, Type

from pythonosc.dispatcher import Dispatcher

from ..protocol.constants import BIND_ADDRESS, MAX_DATAGRAM_BYTES
from ..protocol.errors import ProtocolError
from ..protocol.messages import Message, decode_message
from .ratelog import RateLimitedLog

log = logging.getLogger("riffforge.sidecar")
Address = Tuple[str, int]
Handler = Callable[[Message, Address], Optional[List[bytes]]]


class DropLog:
    """Logs drops at a bounded rate, separately per reason (a flood of one kind never hides another): the
    first few of each reason in full, then at most one line per ``interval`` seconds with the count of drops
    not logged since (see :class:`~riffforge.sidecar.ratelog.RateLimitedLog`)."""

    def __init__(self, burst: int = 5, interval: float = 5.0) -> None:
        self.burst = burst
        self.interval = interval
        self._by_reason: Dict[str, RateLimitedLog] = {}

    def __call__(self, reason: str, detail: str) -> None:
        limiter = self._by_reason.get(reason)
        if limiter is None:
            limiter = self._by_reason[reason] = RateLimitedLog(log, logging.WARNING, self.burst, self.interval)
        limiter("dropped %s packet: %s", reason, detail)


class SidecarDispatcher(Dispatcher):
    """Routes each datagram to the handler registered for its message type (see :meth:`on`).

    Counters: ``received``, ``handled``, ``dropped_malformed``, ``dropped_unauthenticated``,
    ``dropped_foreign`` (not from 127.0.0.1), ``dropped_unhandled`` (no handler), ``handler_errors``.
    """

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token.encode("utf-8")
        self._handlers: Dict[Type, Handler] = {}
        self._drop_log = DropLog()
        self.received = 0
        self.handled = 0
        self.dropped_malformed = 0
        self.dropped_unauthenticated = 0
        self.dropped_foreign = 0
        self.dropped_unhandled = 0
        self.handler_errors = 0

    def on(self, message_type: Type, handler: Handler) -> None:
        """Register ``handler(message, client_address) -> [reply datagrams] | None`` for a message type."""
        self._handlers[message_type] = handler

    @property
    def dropped(self) -> int:
        return (self.dropped_malformed + self.dropped_unauthenticated + self.dropped_foreign
                + self.dropped_unhandled)

    def counters(self) -> Dict[str, int]:
        return {name: getattr(self, name) for name in (
            "received", "handled", "dropped_malformed", "dropped_unauthenticated", "dropped_foreign",
            "dropped_unhandled", "handler_errors")}

    def authentic(self, token: str) -> bool:
        return hmac.compare_digest(token.encode("utf-8"), self._token)

    def call_handlers_for_packet(self, data: bytes, client_address: Address) -> List[bytes]:  # type: ignore[override]
        """Handle one datagram; returns the reply datagrams for ``client_address`` (possibly none)."""
        self.received += 1
        if not client_address or client_address[0] != BIND_ADDRESS:
            self.dropped_foreign += 1
            self._drop_log("foreign", f"from {client_address!r}: only {BIND_ADDRESS} may talk to the sidecar")
            return []
        if len(data) > MAX_DATAGRAM_BYTES:
            self.dropped_malformed += 1
            self._drop_log("malformed", f"{len(data)} bytes from {client_address[1]}: over {MAX_DATAGRAM_BYTES}")
            return []
        try:
            message = decode_message(data)
        except ProtocolError as exc:
            self.dropped_malformed += 1
            self._drop_log("malformed", f"{len(data)} bytes from port {client_address[1]}: {exc}")
            return []
        except Exception as exc:  # the decoder is strict; anything else is a bug, but never fatal
            self.dropped_malformed += 1
            self._drop_log("malformed", f"{len(data)} bytes: decoder raised {type(exc).__name__}: {exc}")
            return []
        if not self.authentic(message.token):
            self.dropped_unauthenticated += 1
            self._drop_log("unauthenticated", f"{message.ADDRESS} from port {client_address[1]} without the "
                                              f"session token")
            return []
        handler = self._handlers.get(type(message))
        if handler is None:
            self.dropped_unhandled += 1
            self._drop_log("unhandled", f"{message.ADDRESS} is not something the sidecar receives")
            return []
        try:
            replies = handler(message, client_address)
        except Exception:
            self.handler_errors += 1
            log.exception("handler for %s failed", message.ADDRESS)
            return []
        self.handled += 1
        return replies or []
