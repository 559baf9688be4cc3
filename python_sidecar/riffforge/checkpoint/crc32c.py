"""CRC-32C (Castagnoli), as TensorFlow's checkpoints and LevelDB tables use it — pure Python + NumPy.

Large buffers (tensor shards of many MB) are checksummed with a lane-parallel NumPy formulation: the buffer
is cut into ``K`` equal chunks whose CRC registers advance together one byte per NumPy step; the chunk
results are then stitched together with the linear "advance over L zero bytes" operator, which is computed
in the same pass by 32 extra lanes that start from the basis vectors. Small buffers use the byte table.
"""
from __future__ import annotations

import numpy as np

_POLY = 0x82F63B78  # reflected Castagnoli polynomial
_MASK_DELTA = 0xA282EAD8


def _make_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table[i] = c
    return table


_TABLE = _make_table()
_TABLE_LIST = [int(v) for v in _TABLE]


def _extend_py(reg: int, data: bytes) -> int:
    t = _TABLE_LIST
    for b in data:
        reg = t[(reg ^ b) & 0xFF] ^ (reg >> 8)
    return reg


def _extend_lanes(regs: np.ndarray, chunks: np.ndarray) -> np.ndarray:
    """Advance every lane's register over its row of ``chunks`` ([lanes, L] uint8)."""
    regs = regs.copy()
    cols = chunks.T.astype(np.uint32)  # [L, lanes], contiguous per step
    cols = np.ascontiguousarray(cols)
    for step in range(cols.shape[0]):
        regs = _TABLE[(regs ^ cols[step]) & 0xFF] ^ (regs >> 8)
    return regs


def crc32c(data: bytes, lanes: int = 2048) -> int:
    """The CRC-32C of ``data`` (init 0xFFFFFFFF, final xor 0xFFFFFFFF, as ``crc32c::Value``)."""
    data = memoryview(data).cast("B")
    n = len(data)
    if n < 64 * 1024:
        return _extend_py(0xFFFFFFFF, bytes(data)) ^ 0xFFFFFFFF
    chunk = n // lanes
    body = np.frombuffer(data, dtype=np.uint8, count=chunk * lanes).reshape(lanes, chunk)
    # 32 basis lanes fed zeros compute the linear operator "advance over `chunk` zero bytes".
    basis = (np.uint32(1) << np.arange(32, dtype=np.uint32)).astype(np.uint32)
    regs0 = np.concatenate([np.zeros(lanes, np.uint32), basis])
    feed = np.concatenate([body, np.zeros((32, chunk), np.uint8)])
    out = _extend_lanes(regs0, feed)
    partial = [int(v) for v in out[:lanes]]
    columns = [int(v) for v in out[lanes:]]

    def advance(reg: int) -> int:
        acc = 0
        bit = 0
        while reg:
            if reg & 1:
                acc ^= columns[bit]
            reg >>= 1
            bit += 1
        return acc

    reg = 0xFFFFFFFF
    for p in partial:
        reg = advance(reg) ^ p
    reg = _extend_py(reg, bytes(data[chunk * lanes:]))
    return reg ^ 0xFFFFFFFF


def mask(crc: int) -> int:
    """LevelDB/TensorFlow's masked CRC (stored so that CRCs of CRCs stay well distributed)."""
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked: int) -> int:
    rot = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF
