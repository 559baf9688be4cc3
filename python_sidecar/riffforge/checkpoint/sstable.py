"""Reader for the LevelDB-style immutable table TensorFlow writes as a checkpoint's ``.index`` file.

Layout (tensorflow/core/lib/io/table_builder.cc): data blocks, a meta-index block, an index block, and a
48-byte footer = meta-index handle + index handle (varint offset, varint size), zero padding, and the 8-byte
magic ``0xdb4775248b80fb57``. Every block is followed by a 5-byte trailer: compression type (0 = none,
1 = snappy) and the masked CRC-32C of block + type byte. A block holds prefix-compressed entries
``shared, non_shared, value_length (varints), key suffix, value`` then a ``uint32`` restart array and its
count. The index block maps a separator key to each data block's handle.
"""
from __future__ import annotations

import struct
from typing import Iterator, Tuple

from .crc32c import crc32c, unmask
from .protowire import WireError, read_varint

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
BLOCK_TRAILER_SIZE = 5


class TableError(ValueError):
    """The table bytes are not a valid (uncompressed) LevelDB table."""


def _read_block(data: bytes, offset: int, size: int, what: str) -> bytes:
    end = offset + size
    if offset < 0 or end + BLOCK_TRAILER_SIZE > len(data):
        raise TableError(f"{what} block [{offset}, {end}) lies outside the file ({len(data)} bytes)")
    block = data[offset:end]
    ctype = data[end]
    (stored,) = struct.unpack_from("<I", data, end + 1)
    actual = crc32c(bytes(block) + bytes([ctype]))
    if unmask(stored) != actual:
        raise TableError(f"{what} block at offset {offset}: CRC-32C mismatch (stored {unmask(stored):#010x}, "
                         f"computed {actual:#010x})")
    if ctype != 0:
        raise TableError(f"{what} block at offset {offset}: compression type {ctype} is not supported "
                         "(TensorFlow writes checkpoint indexes uncompressed)")
    return bytes(block)


def _iter_block(block: bytes, what: str) -> Iterator[Tuple[bytes, bytes]]:
    if len(block) < 4:
        raise TableError(f"{what} block too short")
    (num_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 - 4 * num_restarts
    if limit < 0:
        raise TableError(f"{what} block: restart count {num_restarts} exceeds the block size")
    pos = 0
    key = b""
    try:
        while pos < limit:
            shared, pos = read_varint(block, pos)
            non_shared, pos = read_varint(block, pos)
            value_len, pos = read_varint(block, pos)
            if shared > len(key) or pos + non_shared + value_len > limit:
                raise TableError(f"{what} block: entry at byte {pos} is corrupt")
            key = key[:shared] + block[pos:pos + non_shared]
            pos += non_shared
            value = block[pos:pos + value_len]
            pos += value_len
            yield key, value
    except WireError as exc:
        raise TableError(f"{what} block: {exc}") from None


def iter_table(data: bytes) -> Iterator[Tuple[bytes, bytes]]:
    """Yield every ``(key, value)`` of the table in key order."""
    if len(data) < FOOTER_SIZE:
        raise TableError(f"file is {len(data)} bytes, shorter than the {FOOTER_SIZE}-byte table footer")
    footer = data[-FOOTER_SIZE:]
    (magic,) = struct.unpack_from("<Q", footer, 40)
    if magic != MAGIC:
        raise TableError(f"bad table magic {magic:#018x} (expected {MAGIC:#018x}): not a TensorFlow "
                         "checkpoint index")
    try:
        _, pos = read_varint(footer, 0)        # meta-index offset
        _, pos = read_varint(footer, pos)      # meta-index size
        index_offset, pos = read_varint(footer, pos)
        index_size, pos = read_varint(footer, pos)
    except WireError as exc:
        raise TableError(f"footer: {exc}") from None
    index = _read_block(data, index_offset, index_size, "index")
    for _, handle in _iter_block(index, "index"):
        try:
            offset, p = read_varint(handle, 0)
            size, _ = read_varint(handle, p)
        except WireError as exc:
            raise TableError(f"index block handle: {exc}") from None
        yield from _iter_block(_read_block(data, offset, size, "data"), "data")
