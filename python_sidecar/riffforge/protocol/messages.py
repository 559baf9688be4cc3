"""Typed protocol messages and their datagrams.

Every message is a small frozen dataclass whose fields are the OSC arguments in order (the token first).
:func:`encode_message` turns one into a datagram, :func:`decode_message` turns a datagram into one and
raises :class:`ProtocolError` for anything that is not exactly a message of this protocol. Blobs stay raw
``bytes`` here; :mod:`.payloads` decodes the msgpack inside them. Token *checking* is the receiver's job
(the sidecar dispatcher, the client), not this module's.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Dict, Type, Union

from . import osc
from .constants import MAX_CHUNK_COUNT, MAX_DATAGRAM_BYTES, REQUEST_ID_MAX, REQUEST_ID_MIN
from .errors import ProtocolError


@dataclass(frozen=True)
class Hello:
    """sidecar -> host, first message: who I am and what I can do (capabilities: msgpack map)."""

    token: str
    protocol_version: str
    sidecar_version: str
    capabilities: bytes
    ADDRESS = "/riffforge/hello"
    TAGS = ",sssb"


@dataclass(frozen=True)
class Connect:
    """host -> sidecar: please (re)send hello to me."""

    token: str
    host_version: str
    ADDRESS = "/riffforge/connect"
    TAGS = ",ss"


@dataclass(frozen=True)
class Welcome:
    """host -> sidecar: hello accepted; the sender address is now the host address."""

    token: str
    protocol_version: str
    host_version: str
    ADDRESS = "/riffforge/welcome"
    TAGS = ",sss"


@dataclass(frozen=True)
class Reject:
    """host -> sidecar: hello refused; the sidecar exits with code 3."""

    token: str
    reason: str
    ADDRESS = "/riffforge/reject"
    TAGS = ",ss"


@dataclass(frozen=True)
class Request:
    """host -> sidecar: generate a riff (payload: msgpack request map)."""

    token: str
    request_id: int
    payload: bytes
    ADDRESS = "/riffforge/request"
    TAGS = ",sib"


@dataclass(frozen=True)
class RiffChunk:
    """sidecar -> host: chunk ``chunk_index`` of ``chunk_count`` of the msgpack riff answering ``request_id``."""

    token: str
    request_id: int
    chunk_index: int
    chunk_count: int
    chunk: bytes
    ADDRESS = "/riffforge/riff"
    TAGS = ",siiib"


@dataclass(frozen=True)
class Error:
    """sidecar -> host: request ``request_id`` (0: the session) failed with a stable ``code``."""

    token: str
    request_id: int
    code: str
    message: str
    ADDRESS = "/riffforge/error"
    TAGS = ",siss"


@dataclass(frozen=True)
class Ping:
    """either direction: are you there? Answered by a pong with the same seq."""

    token: str
    seq: int
    ADDRESS = "/riffforge/ping"
    TAGS = ",si"


@dataclass(frozen=True)
class Pong:
    """answer to a ping, same seq."""

    token: str
    seq: int
    ADDRESS = "/riffforge/pong"
    TAGS = ",si"


@dataclass(frozen=True)
class Quit:
    """host -> sidecar: exit now (no answer)."""

    token: str
    ADDRESS = "/riffforge/quit"
    TAGS = ",s"


Message = Union[Hello, Connect, Welcome, Reject, Request, RiffChunk, Error, Ping, Pong, Quit]
MESSAGE_TYPES: Dict[str, Type] = {cls.ADDRESS: cls for cls in
                                  (Hello, Connect, Welcome, Reject, Request, RiffChunk, Error, Ping, Pong, Quit)}
_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in MESSAGE_TYPES.values()}


def encode_message(message: Message) -> bytes:
    """The datagram for ``message``; raises :class:`ProtocolError` if it would break a protocol limit."""
    data = osc.encode(message.ADDRESS, message.TAGS, [getattr(message, name) for name in _FIELDS[type(message)]])
    if len(data) > MAX_DATAGRAM_BYTES:
        raise ProtocolError(f"{message.ADDRESS} would be {len(data)} bytes, over the {MAX_DATAGRAM_BYTES}-byte "
                            f"datagram limit; send riffs in chunks (riffforge.protocol.chunking)")
    return data


def decode_message(data: bytes) -> Message:
    """Decode one datagram; raise :class:`ProtocolError` when it is not a valid message of this protocol."""
    address, tags, args = osc.decode(data)
    cls = MESSAGE_TYPES.get(address)
    if cls is None:
        raise ProtocolError(f"unknown address {address!r}")
    if tags != cls.TAGS:
        raise ProtocolError(f"{address} must have type tags {cls.TAGS!r}, got {tags!r}")
    message = cls(*args)
    if cls is Request and not REQUEST_ID_MIN <= message.request_id <= REQUEST_ID_MAX:
        raise ProtocolError(f"request_id={message.request_id}: must be {REQUEST_ID_MIN}..{REQUEST_ID_MAX}")
    if cls is RiffChunk and not (1 <= message.chunk_count <= MAX_CHUNK_COUNT
                                 and 0 <= message.chunk_index < message.chunk_count):
        raise ProtocolError(f"chunk {message.chunk_index} of {message.chunk_count}: need 0 <= chunk_index < "
                            f"chunk_count <= {MAX_CHUNK_COUNT}")
    return message
