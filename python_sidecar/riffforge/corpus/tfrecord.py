"""TFRecord files of Magenta ``NoteSequence`` protos as corpus input (what Magenta's data tools write).

A TFRecord is a sequence of records, each framed as::

    uint64 length (little-endian) | uint32 masked CRC-32C of the length | data[length] | uint32 masked CRC-32C of data

(masked CRC = ``((crc >> 15) | (crc << 17)) + 0xa282ead8``, as TensorFlow's ``tf.io.TFRecordWriter`` writes
it). :func:`index_records` reads a file once, checks both CRCs of every record and that every record parses
as a ``note_seq.NoteSequence``, and returns where each record lies, so worker processes read one record
each (:func:`read_record`) without TensorFlow. A bad frame or a record that is no NoteSequence is a
:class:`TFRecordError` naming the file, the record and the fix.

The data CRCs are computed with NumPy a batch of records at a time (:func:`crc32c_batch`, ~100 MB/s against
~7 MB/s byte by byte in Python): every record is cut into 1 KiB chunks whose CRCs run side by side, and
since the CRC is linear over GF(2), a record's CRC is its chunks' CRCs chained through the map "append 1 KiB
of zeros" (``crc(A || B) = Z_len(B)(crc(A)) xor crc0(B)``, with ``crc0`` started from a zero register).
"""
from __future__ import annotations

import hashlib
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence

import numpy as np

from .storage import as_path, is_url

_POLY = 0x82F63B78  # CRC-32C (Castagnoli), reflected


def _table() -> List[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _table()


def crc32c(data: bytes) -> int:
    crc, table = 0xFFFFFFFF, _TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _mask(crc: int) -> int:
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def masked_crc(data: bytes) -> int:
    return _mask(crc32c(data))


CHUNK = 1024  # bytes per chunk in crc32c_batch
BATCH_BYTES = 32 << 20  # record data checked per batch
_NP_TABLE = np.array(_TABLE, np.uint32)
_LANES = None  # (zeros_from_init[l] for l in 0..CHUNK, the 4x256 byte tables of "append CHUNK zeros")


def _through_zeros(registers: np.ndarray, count: int) -> np.ndarray:
    for _ in range(count):
        registers = _NP_TABLE[registers & 0xFF] ^ (registers >> 8)
    return registers


def _lanes():
    global _LANES
    if _LANES is None:
        regs = [0xFFFFFFFF]
        for _ in range(CHUNK):
            regs.append(_TABLE[regs[-1] & 0xFF] ^ (regs[-1] >> 8))
        byte = np.arange(256, dtype=np.uint32)
        shift = np.stack([_through_zeros(byte << np.uint32(8 * k), CHUNK) for k in range(4)])
        _LANES = (np.array(regs, np.uint32), shift)
    return _LANES


def crc32c_batch(datas: Sequence[bytes]) -> List[int]:
    """:func:`crc32c` of every item, vectorized with NumPy (see the module docstring)."""
    if not datas:
        return []
    from_init, shift = _lanes()
    lengths = [len(d) for d in datas]
    chunks = np.array([max(1, -(-n // CHUNK)) for n in lengths])
    starts = np.concatenate([[0], np.cumsum(chunks)[:-1]])
    grid = np.zeros((int(chunks.sum()), CHUNK), np.uint8)
    for d, n, m, row in zip(datas, lengths, chunks.tolist(), starts.tolist()):
        # left-padded with zeros: zeros are neutral for a register that starts at 0
        grid[row:row + m].reshape(-1)[CHUNK * m - n:] = np.frombuffer(d, np.uint8)
    columns = np.ascontiguousarray(grid.T)
    h = np.zeros(len(grid), np.uint32)  # crc0 of every chunk
    for j in range(CHUNK):
        h = _NP_TABLE[(h ^ columns[j]) & 0xFF] ^ (h >> 8)
    first = np.array([n - CHUNK * (m - 1) if n else 0 for n, m in zip(lengths, chunks.tolist())])
    reg = from_init[first] ^ h[starts]  # the register after each record's (short) first chunk
    for j in range(1, int(chunks.max())):
        act = np.nonzero(chunks > j)[0]
        r = reg[act]
        reg[act] = (shift[0][r & 0xFF] ^ shift[1][(r >> 8) & 0xFF] ^ shift[2][(r >> 16) & 0xFF]
                    ^ shift[3][r >> 24] ^ h[starts[act] + j])
    return [int(x) ^ 0xFFFFFFFF for x in reg]


def is_tfrecord_name(name: str) -> bool:
    """``data.tfrecord``, ``train.tfrecord-00000-of-00010``, ``x.tfrecords``."""
    return ".tfrecord" in name.lower()


class TFRecordError(Exception):
    """A TFRecord file is truncated, corrupt or holds no NoteSequences; one-line message."""


@dataclass
class Record:
    index: int  # 0-based position in the file
    offset: int  # byte offset of the data
    length: int
    sha1: str
    filename: str  # NoteSequence.filename (Magenta: the source MIDI path), may be ""
    id: str  # NoteSequence.id, may be ""


def _fix(path) -> str:
    return (f"re-export it (note_seq NoteSequences written with tf.io.TFRecordWriter) or remove {as_path(path).name} "
            "from SRC")


def write_records(path, payloads) -> None:
    """Write ``payloads`` (bytes) as a TFRecord file (the tests' and tools' writer; no TensorFlow)."""
    payloads = [bytes(p) for p in payloads]
    with open(path, "wb") as handle:
        for data, crc in zip(payloads, crc32c_batch(payloads)):
            header = struct.pack("<Q", len(data))
            handle.write(header + struct.pack("<I", masked_crc(header)) + data + struct.pack("<I", _mask(crc)))


def index_records(path) -> List[Record]:
    """Every record of the TFRecord ``path`` (framing and CRCs checked, each parsed as a NoteSequence)."""
    path = as_path(path)
    try:
        if is_url(path):  # a Beam filesystem URL: no file descriptor to map, so the bytes are read whole
            blob = path.read_bytes()
            if not blob:
                raise TFRecordError(f"SRC {path}: the TFRecord is empty (0 bytes); {_fix(path)}")
            return _index(path, blob)
        with open(path, "rb") as handle:
            if not path.stat().st_size:
                raise TFRecordError(f"SRC {path}: the TFRecord is empty (0 bytes); {_fix(path)}")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as blob:
                return _index(path, blob)
    except OSError as exc:
        raise TFRecordError(f"SRC {path}: cannot read the TFRecord ({exc.strerror or exc})") from None


def _check_batch(path: Path, batch: List, records: List[Record]) -> None:
    """Data CRCs of ``batch`` = [(k, pos, start, length, data, crc)], then parse each as a NoteSequence."""
    import note_seq
    from google.protobuf.message import DecodeError

    for (k, pos, start, length, data, expected), got in zip(batch, crc32c_batch([b[4] for b in batch])):
        if _mask(got) != expected:
            raise TFRecordError(f"SRC {path}: record {k} at byte {pos}: data CRC mismatch (corrupt); {_fix(path)}")
        try:
            ns = note_seq.NoteSequence.FromString(data)
        except (DecodeError, ValueError) as exc:
            raise TFRecordError(f"SRC {path}: record {k} is not a NoteSequence ({type(exc).__name__}: {exc}); "
                                "pass TFRecords of Magenta NoteSequence protos (note_seq.NoteSequence)") from None
        records.append(Record(index=k, offset=start, length=length, sha1=hashlib.sha1(data).hexdigest(),
                              filename=str(ns.filename or ""), id=str(ns.id or "")))
    batch.clear()


def _index(path: Path, blob) -> List[Record]:
    records: List[Record] = []
    batch: List = []
    batch_bytes = 0
    pos = k = 0

    def fail(message: str) -> None:
        _check_batch(path, batch, records)  # an earlier record's error comes first
        raise TFRecordError(f"SRC {path}: record {k} at byte {pos}: {message}")

    while pos < len(blob):
        if pos + 12 > len(blob):
            fail(f"truncated header ({len(blob) - pos} bytes left, a header is 12); the file is cut short, "
                 f"{_fix(path)}")
        header = blob[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", blob[pos + 8:pos + 12])
        if masked_crc(header) != header_crc:
            fail(f"length CRC mismatch, not a TFRecord or corrupt; {_fix(path)}")
        start, end = pos + 12, pos + 12 + length
        if end + 4 > len(blob):
            fail(f"truncated data (needs {length} bytes, {max(0, len(blob) - start)} left); the file is cut short, "
                 f"{_fix(path)}")
        (data_crc,) = struct.unpack("<I", blob[end:end + 4])
        batch.append((k, pos, start, length, blob[start:end], data_crc))
        batch_bytes += length
        if batch_bytes >= BATCH_BYTES:
            _check_batch(path, batch, records)
            batch_bytes = 0
        pos, k = end + 4, k + 1
    _check_batch(path, batch, records)
    return records


def read_record(path, offset: int, length: int) -> bytes:
    with as_path(path).open("rb") as handle:
        handle.seek(offset)
        data = handle.read(length)
    if len(data) != length:
        raise OSError(f"record at byte {offset} is cut short (the file changed during the build)")
    return data
