"""Read a TensorFlow (TF1 name-based, "V2" bundle) checkpoint without TensorFlow.

A checkpoint ``PREFIX`` is ``PREFIX.index`` — a LevelDB table (:mod:`.sstable`) whose ``""`` key holds a
``BundleHeaderProto`` and whose other keys are variable names mapped to ``BundleEntryProto`` (dtype, shape,
shard_id, offset, size, crc32c) — and the shards ``PREFIX.data-SSSSS-of-NNNNN`` holding the raw
little-endian tensor bytes. Every tensor is checked against its recorded size and masked CRC-32C.

:func:`open_checkpoint` accepts a checkpoint directory (uses its ``checkpoint`` state file, or its only
``.index``), a prefix, the ``.index`` path itself, or a ``.tar``/``.tar.gz`` as Magenta publishes them.
"""
from __future__ import annotations

import re
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np

from .crc32c import crc32c, unmask
from .protowire import WireError, decode_message, first
from .sstable import TableError, iter_table

# tensorflow/core/framework/types.proto -> numpy (little endian)
DTYPES = {
    1: np.dtype("<f4"), 2: np.dtype("<f8"), 3: np.dtype("<i4"), 4: np.dtype("u1"), 5: np.dtype("<i2"),
    6: np.dtype("i1"), 9: np.dtype("<i8"), 10: np.dtype("?"), 17: np.dtype("<u2"), 19: np.dtype("<f2"),
    22: np.dtype("<u4"), 23: np.dtype("<u8"),
}
DTYPE_NAMES = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8", 7: "string",
               9: "int64", 10: "bool", 14: "bfloat16", 17: "uint16", 19: "float16", 22: "uint32", 23: "uint64"}


class CheckpointError(ValueError):
    """The checkpoint is missing, unreadable or corrupt; the message names the file and the variable."""


@dataclass(frozen=True)
class TensorEntry:
    """One variable's BundleEntryProto."""

    name: str
    dtype: int
    shape: Tuple[int, ...]
    shard_id: int
    offset: int
    size: int
    crc32c: int  # masked, as stored

    @property
    def dtype_name(self) -> str:
        return DTYPE_NAMES.get(self.dtype, f"dtype#{self.dtype}")


def _parse_shape(buf: bytes) -> Tuple[int, ...]:
    msg = decode_message(buf)
    dims = []
    for dim in msg.get(2, []):
        size = first(decode_message(dim), 1, 0)
        if size >= 1 << 63:  # int64 two's complement (-1 = unknown)
            size -= 1 << 64
        dims.append(int(size))
    return tuple(dims)


def _parse_entry(name: str, value: bytes) -> TensorEntry:
    msg = decode_message(value)
    if 7 in msg:
        raise CheckpointError(f"variable {name!r} is stored as partitioned slices, which this reader does not "
                              "support; re-save the checkpoint unpartitioned")
    shape_bytes = first(msg, 2, b"")
    return TensorEntry(name=name, dtype=int(first(msg, 1)), shape=_parse_shape(shape_bytes) if shape_bytes else (),
                       shard_id=int(first(msg, 3)), offset=int(first(msg, 4)), size=int(first(msg, 5)),
                       crc32c=int(first(msg, 6)))


class _Files:
    """Byte access to ``PREFIX.index`` and its shards, on disk or inside a tar archive."""

    def __init__(self, index: Callable[[], bytes], shard: Callable[[int, int], bytes], where: str):
        self.index, self.shard, self.where = index, shard, where


def _disk_files(prefix: Path) -> _Files:
    def index() -> bytes:
        return Path(str(prefix) + ".index").read_bytes()

    def shard(i: int, n: int) -> bytes:
        p = Path(f"{prefix}.data-{i:05d}-of-{n:05d}")
        if not p.is_file():
            raise CheckpointError(f"{p}: data shard {i} of {n} is missing")
        return p.read_bytes()

    return _Files(index, shard, str(prefix))


def _tar_files(path: Path) -> _Files:
    try:
        tar = tarfile.open(path)
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
    except (tarfile.TarError, OSError) as exc:
        raise CheckpointError(f"{path}: not a readable tar archive ({exc})") from None
    indexes = [n for n in members if n.endswith(".index")]
    if len(indexes) != 1:
        raise CheckpointError(f"{path}: expected exactly one .index inside the archive, found "
                              f"{indexes or 'none'}")
    prefix = indexes[0][: -len(".index")]

    def read(name: str) -> bytes:
        f = tar.extractfile(members[name])
        assert f is not None
        return f.read()

    def shard(i: int, n: int) -> bytes:
        name = f"{prefix}.data-{i:05d}-of-{n:05d}"
        if name not in members:
            raise CheckpointError(f"{path}: data shard {name!r} is missing from the archive")
        return read(name)

    return _Files(lambda: read(indexes[0]), shard, f"{path}:{prefix}")


def resolve(path: Union[str, Path]) -> _Files:
    """Find the checkpoint named by ``path`` (directory, prefix, .index file, or .tar archive)."""
    p = Path(path)
    if p.is_file() and (tarfile.is_tarfile(p) if not p.name.endswith(".index") else False):
        return _tar_files(p)
    if p.is_file() and p.name.endswith(".index"):
        return _disk_files(Path(str(p)[: -len(".index")]))
    if p.is_dir():
        state = p / "checkpoint"
        if state.is_file():
            m = re.search(r'^model_checkpoint_path:\s*"([^"]+)"', state.read_text(), re.M)
            if m:
                prefix = Path(m.group(1))
                prefix = prefix if prefix.is_absolute() else p / prefix
                if Path(str(prefix) + ".index").is_file():
                    return _disk_files(prefix)
                # Checkpoints copied elsewhere keep absolute paths in the state file: retry by basename.
                local = p / prefix.name
                if Path(str(local) + ".index").is_file():
                    return _disk_files(local)
        indexes = sorted(p.glob("*.index"))
        if len(indexes) == 1:
            return _disk_files(Path(str(indexes[0])[: -len(".index")]))
        tars = sorted(p.glob("*.tar")) + sorted(p.glob("*.tar.gz"))
        if not indexes and len(tars) == 1:
            return _tar_files(tars[0])
        raise CheckpointError(f"{p}: cannot tell which checkpoint to read (found "
                              f"{[i.name for i in indexes] or 'no .index file'}); pass the prefix "
                              "(e.g. DIR/model.ckpt-300)")
    if Path(str(p) + ".index").is_file():
        return _disk_files(p)
    raise CheckpointError(f"{p}: no checkpoint here; pass a checkpoint directory, a prefix whose .index "
                          "exists, or a Magenta .tar archive")


class CheckpointReader:
    """Variables of one checkpoint: ``entries`` (metadata) and :meth:`read` (verified numpy arrays)."""

    def __init__(self, path: Union[str, Path]):
        self.path = str(path)
        self._files = resolve(path)
        self.where = self._files.where
        try:
            raw = self._files.index()
        except OSError as exc:
            raise CheckpointError(f"{self.where}.index: cannot read ({exc})") from None
        self.num_shards = 1
        self.entries: Dict[str, TensorEntry] = {}
        try:
            for key, value in iter_table(raw):
                name = key.decode("utf-8")
                if name == "":
                    header = decode_message(value)
                    self.num_shards = int(first(header, 1, 1)) or 1
                    if int(first(header, 2, 0)) != 0:
                        raise CheckpointError(f"{self.where}.index: big-endian checkpoints are not supported")
                    continue
                self.entries[name] = _parse_entry(name, value)
        except (TableError, WireError, UnicodeDecodeError) as exc:
            raise CheckpointError(f"{self.where}.index: corrupt checkpoint index: {exc}") from None
        self._shards: Dict[int, bytes] = {}

    def names(self) -> List[str]:
        return sorted(self.entries)

    def _shard(self, i: int) -> bytes:
        if i not in self._shards:
            if not 0 <= i < self.num_shards:
                raise CheckpointError(f"{self.where}: shard id {i} outside 0..{self.num_shards - 1}")
            try:
                self._shards[i] = self._files.shard(i, self.num_shards)
            except OSError as exc:
                raise CheckpointError(f"{self.where}: cannot read data shard {i} ({exc})") from None
        return self._shards[i]

    def read(self, name: str, verify: bool = True) -> np.ndarray:
        e = self.entries.get(name)
        if e is None:
            raise CheckpointError(f"{self.where}: no variable {name!r}")
        dtype = DTYPES.get(e.dtype)
        if dtype is None:
            raise CheckpointError(f"{self.where}: variable {name!r} has dtype {e.dtype_name}, not supported")
        count = int(np.prod(e.shape, dtype=np.int64)) if e.shape else 1
        if count * dtype.itemsize != e.size:
            raise CheckpointError(f"{self.where}: variable {name!r}: recorded size {e.size} bytes does not match "
                                  f"shape {list(e.shape)} x {dtype} = {count * dtype.itemsize} bytes")
        data = self._shard(e.shard_id)
        if e.offset + e.size > len(data):
            raise CheckpointError(f"{self.where}.data-{e.shard_id:05d}-of-{self.num_shards:05d}: variable {name!r} "
                                  f"needs bytes [{e.offset}, {e.offset + e.size}) but the shard has {len(data)}: "
                                  "the data file is truncated")
        raw = data[e.offset:e.offset + e.size]
        if verify:
            actual = crc32c(raw)
            if actual != unmask(e.crc32c):
                raise CheckpointError(f"{self.where}.data-{e.shard_id:05d}-of-{self.num_shards:05d}: variable "
                                      f"{name!r} fails its CRC-32C check (stored {unmask(e.crc32c):#010x}, computed "
                                      f"{actual:#010x}): the checkpoint is corrupt")
        return np.frombuffer(raw, dtype=dtype).reshape(e.shape).astype(dtype.newbyteorder("="), copy=True)

    def read_all(self, names: Optional[Iterable[str]] = None, verify: bool = True) -> Dict[str, np.ndarray]:
        return {n: self.read(n, verify) for n in (self.names() if names is None else names)}


def read_checkpoint(path: Union[str, Path], skip_optimizer_slots: bool = True,
                    verify: bool = True) -> Dict[str, np.ndarray]:
    """All variables of a checkpoint as numpy arrays (optimizer slots such as ``*/Adam`` skipped)."""
    reader = CheckpointReader(path)
    names = [n for n in reader.names() if not (skip_optimizer_slots and is_optimizer_slot(n))]
    return reader.read_all(names, verify)


_SLOT_RE = re.compile(r"/(Adam|Adam_1|Momentum|RMSProp|RMSProp_1|Adagrad|ExponentialMovingAverage)$|^beta[12]_power")


def is_optimizer_slot(name: str) -> bool:
    return bool(_SLOT_RE.search(name))
