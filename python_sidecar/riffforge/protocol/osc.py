"""Strict OSC 1.0 messages with the three argument types this protocol uses: ``s``, ``i``, ``b``.

Encoding follows the OSC 1.0 specification exactly (big-endian, 4-byte alignment, strings NUL-terminated
and NUL-padded, blobs size-prefixed and NUL-padded), so python-osc and any other OSC 1.0 implementation
produce the same bytes. Decoding is strict — anything that is not exactly one well-formed message raises
:class:`ProtocolError` (bundles, unknown tags, truncation, trailing bytes, invalid UTF-8) — because the
sidecar must log and drop hostile packets, never crash or guess.
"""
from __future__ import annotations

import struct
from typing import List, Sequence, Tuple, Union

from .constants import MAX_DATAGRAM_BYTES
from .errors import ProtocolError

Arg = Union[str, int, bytes]
_INT = struct.Struct(">i")
_PAD = (b"", b"\x00\x00\x00", b"\x00\x00", b"\x00")  # indexed by len % 4 for blobs
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def encode_string(value: str) -> bytes:
    data = value.encode("utf-8")
    if b"\x00" in data:
        raise ProtocolError(f"OSC string {value!r} contains a NUL character; remove it")
    return data + b"\x00" * (4 - len(data) % 4)


def encode_blob(value: bytes) -> bytes:
    return _INT.pack(len(value)) + bytes(value) + _PAD[len(value) % 4]


def encode(address: str, tags: str, args: Sequence[Arg]) -> bytes:
    """Encode one OSC message. ``tags`` is the type tag string including the leading comma."""
    if not address.startswith("/"):
        raise ProtocolError(f"OSC address {address!r} must start with '/'")
    if not tags.startswith(",") or len(tags) - 1 != len(args):
        raise ProtocolError(f"type tags {tags!r} do not match {len(args)} argument(s)")
    parts = [encode_string(address), encode_string(tags)]
    for tag, arg in zip(tags[1:], args):
        if tag == "s":
            if not isinstance(arg, str):
                raise ProtocolError(f"argument {arg!r} for tag 's' must be a str")
            parts.append(encode_string(arg))
        elif tag == "i":
            if not isinstance(arg, int) or isinstance(arg, bool) or not INT32_MIN <= arg <= INT32_MAX:
                raise ProtocolError(f"argument {arg!r} for tag 'i' must be an int32")
            parts.append(_INT.pack(arg))
        elif tag == "b":
            if not isinstance(arg, (bytes, bytearray, memoryview)):
                raise ProtocolError(f"argument for tag 'b' must be bytes, got {type(arg).__name__}")
            parts.append(encode_blob(bytes(arg)))
        else:
            raise ProtocolError(f"type tag {tag!r} is not used by this protocol (only s, i, b)")
    return b"".join(parts)


def _read_string(data: bytes, pos: int, what: str) -> Tuple[str, int]:
    end = data.find(b"\x00", pos)
    if end < 0:
        raise ProtocolError(f"{what} at byte {pos} has no NUL terminator")
    try:
        text = data[pos:end].decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(f"{what} at byte {pos} is not valid UTF-8") from None
    return text, (end + 4) & ~3


def decode(data: bytes) -> Tuple[str, str, List[Arg]]:
    """Decode one OSC message into ``(address, tags, args)``; raise :class:`ProtocolError` if malformed."""
    size = len(data)
    if size == 0:
        raise ProtocolError("empty datagram")
    if size > MAX_DATAGRAM_BYTES:
        raise ProtocolError(f"datagram of {size} bytes is larger than {MAX_DATAGRAM_BYTES}")
    if size % 4:
        raise ProtocolError(f"datagram length {size} is not a multiple of 4")
    if data[0] != 0x2F:  # '/'
        if data.startswith(b"#bundle"):
            raise ProtocolError("OSC bundles are not used by this protocol")
        raise ProtocolError("datagram does not start with an OSC address ('/')")
    address, pos = _read_string(data, 0, "address")
    if pos >= size:
        raise ProtocolError(f"message {address!r} has no type tag string")
    tags, pos = _read_string(data, pos, "type tag string")
    if not tags.startswith(","):
        raise ProtocolError(f"type tag string {tags!r} does not start with ','")
    args: List[Arg] = []
    for tag in tags[1:]:
        if tag == "i":
            if pos + 4 > size:
                raise ProtocolError(f"int32 argument at byte {pos} runs past the end ({size} bytes)")
            args.append(_INT.unpack_from(data, pos)[0])
            pos += 4
        elif tag == "s":
            if pos >= size:
                raise ProtocolError(f"string argument at byte {pos} runs past the end ({size} bytes)")
            text, pos = _read_string(data, pos, "string argument")
            args.append(text)
        elif tag == "b":
            if pos + 4 > size:
                raise ProtocolError(f"blob size at byte {pos} runs past the end ({size} bytes)")
            length = _INT.unpack_from(data, pos)[0]
            if length < 0 or pos + 4 + length > size:
                raise ProtocolError(f"blob of {length} bytes at byte {pos} does not fit in {size} bytes")
            args.append(bytes(data[pos + 4:pos + 4 + length]))
            pos = (pos + 4 + length + 3) & ~3
        else:
            raise ProtocolError(f"type tag {tag!r} is not used by this protocol (only s, i, b)")
    if pos != size:
        raise ProtocolError(f"{size - pos} byte(s) left after the last argument of {address!r}")
    return address, tags, args
