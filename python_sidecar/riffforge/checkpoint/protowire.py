"""A minimal protobuf wire-format decoder: enough for TensorFlow's BundleHeaderProto and BundleEntryProto.

No protobuf dependency: a message is decoded into ``{field_number: [values]}`` where varints are ints,
fixed32/fixed64 are ints and length-delimited fields are ``bytes`` (decode nested messages by calling
:func:`decode_message` again).
"""
from __future__ import annotations

from typing import Dict, List, Tuple, Union

Value = Union[int, bytes]


class WireError(ValueError):
    """Malformed protobuf bytes."""


def read_varint(buf: bytes, pos: int) -> Tuple[int, int]:
    """Decode one base-128 varint at ``pos``; returns ``(value, new_pos)``."""
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise WireError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError("varint longer than 10 bytes")


def decode_message(buf: bytes) -> Dict[int, List[Value]]:
    fields: Dict[int, List[Value]] = {}
    pos = 0
    n = len(buf)
    while pos < n:
        key, pos = read_varint(buf, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = read_varint(buf, pos)
        elif wire_type == 1:
            if pos + 8 > n:
                raise WireError("truncated fixed64")
            value = int.from_bytes(buf[pos:pos + 8], "little")
            pos += 8
        elif wire_type == 2:
            length, pos = read_varint(buf, pos)
            if pos + length > n:
                raise WireError(f"field {number}: length {length} runs past the end of the message")
            value = bytes(buf[pos:pos + length])
            pos += length
        elif wire_type == 5:
            if pos + 4 > n:
                raise WireError("truncated fixed32")
            value = int.from_bytes(buf[pos:pos + 4], "little")
            pos += 4
        else:
            raise WireError(f"field {number}: unsupported wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


def first(fields: Dict[int, List[Value]], number: int, default: Value = 0) -> Value:
    values = fields.get(number)
    return values[-1] if values else default  # proto3: the last occurrence wins
