"""Finding source MIDI files, hashing them and assigning each file to one split.

A file never feeds two splits. When a source folder (or any folder above a file inside the source)
holds GMD's ``info.csv`` (columns ``midi_filename`` and ``split``), that split is used. Other files are
grouped by content hash (identical copies are one source) and assigned deterministically: sorted by
hash, the first ``train`` share goes to train, then validation, then test, so the same files always
give the same splits.

A TFRecord of Magenta NoteSequences (``*.tfrecord*``) is a source of many pieces: :func:`expand_tfrecords`
turns it into one :class:`SourceFile` per record (see :mod:`.tfrecord`).
"""
from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .storage import absolute, as_path, is_url, walk_files

MIDI_SUFFIXES = (".mid", ".midi")
SPLIT_ALIASES = {"train": "train", "validation": "validation", "valid": "validation", "eval": "validation",
                 "test": "test"}


@dataclass
class SourceFile:
    path: Path  # absolute
    rel: str  # path shown in the report/manifest: relative to its SRC root, prefixed by the root's name
    size: int = -1
    sha1: str = ""
    split: str = ""
    error: str = ""  # reason it cannot be read at all (permissions, vanished, ...)
    src: str = ""  # the SRC it was found under, as given
    inner: str = ""  # path relative to SRC (posix; the file name for a SRC that is a file)
    record: Optional[Tuple[int, int]] = None  # TFRecord: (data offset, length) of this piece's NoteSequence
    names: Tuple[str, ...] = ()  # TFRecord: the record's NoteSequence filename and id (manifest matching)
    container: str = ""  # TFRecord: the ``rel`` of the TFRecord file holding this piece
    label: Optional[object] = None  # labels.Label: style and track overrides

    @property
    def match_names(self) -> Tuple[str, ...]:
        """What a manifest path or glob may name this file by."""
        inner, rel = self.inner, self.rel
        if self.record is not None:  # a TFRecord piece is matched by its TFRecord's paths and its own names
            inner, rel = inner.rsplit("#", 1)[0], self.container
        return tuple(n for n in (inner, rel, self.path.as_posix()) + self.names if n)


def is_source_name(name: str) -> bool:
    from .tfrecord import is_tfrecord_name

    return name.lower().endswith(MIDI_SUFFIXES) or is_tfrecord_name(name)


def walk_sources(roots: Sequence[Path], on_error=None) -> Tuple[List[SourceFile], List[Tuple[str, str]]]:
    """All ``.mid``/``.midi`` and ``*.tfrecord*`` files (any case) under ``roots`` recursively, sorted; plus
    unreadable dirs. A root may be a URL of a Beam filesystem (:mod:`.storage`), listed with one recursive
    ``FileSystems.match``."""
    files: List[SourceFile] = []
    problems: List[Tuple[str, str]] = []
    seen = set()
    for root in roots:
        root = as_path(root)
        label = root.name or str(root)
        root_is_dir = False
        if is_url(root):
            listed = walk_files(root, is_source_name)
            root_is_dir = bool(listed)
            candidates = ([(p, f"{label}/{rel}") for p, rel in listed if is_source_name(p.name)] if listed
                          else [(root, label)] if root.is_file() else None)
            if candidates is None:
                problems.append((str(root), "source does not exist"))
                continue
        elif root.is_file():
            candidates = [(root, label)]
        elif root.is_dir():
            root_is_dir = True
            candidates = []

            def onerror(exc: OSError, _root=root, _label=label):
                rel = os.path.relpath(getattr(exc, "filename", "") or str(_root), _root)
                problems.append((f"{_label}/{rel}", f"cannot list folder ({exc.strerror or exc})"))

            for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
                dirnames.sort()
                for name in sorted(filenames):
                    if is_source_name(name):
                        p = Path(dirpath) / name
                        candidates.append((p, f"{label}/{p.relative_to(root).as_posix()}"))
        else:
            problems.append((str(root), "source does not exist"))
            continue
        for p, rel in candidates:
            key = absolute(p)
            if key not in seen:
                seen.add(key)
                inner = rel.split("/", 1)[1] if root_is_dir else rel
                files.append(SourceFile(path=as_path(key), rel=rel, src=str(root), inner=inner))
    return files, problems


def expand_tfrecords(files: Sequence[SourceFile]) -> List[SourceFile]:
    """Replace every TFRecord file by one source per record (raises ``tfrecord.TFRecordError``)."""
    from .tfrecord import index_records, is_tfrecord_name

    out: List[SourceFile] = []
    for f in files:
        if not is_tfrecord_name(f.path.name):
            out.append(f)
            continue
        for r in index_records(f.path):
            shown = f"{f.rel}#{r.index}" + (f" ({r.filename})" if r.filename else "")
            out.append(SourceFile(path=f.path, rel=shown, size=r.length, sha1=r.sha1, src=f.src,
                                  inner=f"{f.inner}#{r.index}", record=(r.offset, r.length),
                                  names=tuple(n for n in (r.filename, r.id) if n), container=f.rel))
    return out


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file, refusing files over ``max_bytes`` before reading them (raises OSError/ValueError)."""
    path = as_path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (raise --max-file-mb)")
    with path.open("rb") as handle:
        return handle.read()


def hash_file(path: Path) -> Tuple[int, str]:
    h = hashlib.sha1()
    size = 0
    with as_path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            size += len(block)
            h.update(block)
    return size, h.hexdigest()


def gmd_splits(files: Iterable[SourceFile]) -> Dict[str, str]:
    """abs path -> split from every ``info.csv`` found in the folders holding the files (and above)."""
    out: Dict[str, str] = {}
    checked = set()
    for f in files:
        for folder in f.path.parents:
            if folder in checked:
                continue
            checked.add(folder)
            info = folder / "info.csv"
            if not info.is_file():
                continue
            try:
                with info.open(newline="", encoding="utf-8") as handle:
                    for row in csv.DictReader(handle):
                        name, split = row.get("midi_filename"), SPLIT_ALIASES.get((row.get("split") or "").strip())
                        if name and split:
                            out[absolute(folder / name)] = split
            except (OSError, UnicodeDecodeError, csv.Error):
                continue
    return out


def assign_splits(files: Sequence[SourceFile], ratios: Tuple[float, float, float] = (0.8, 0.1, 0.1)) -> None:
    """Set ``f.split`` for every hashed file (GMD's info.csv first, else by sorted content hash)."""
    known = gmd_splits(files)
    rest: Dict[str, List[SourceFile]] = {}
    for f in files:
        if f.error:
            continue
        split = known.get(str(f.path))
        if split:
            f.split = split
        else:
            rest.setdefault(f.sha1, []).append(f)
    hashes = sorted(rest)
    n = len(hashes)
    n_val = int(round(n * ratios[1]))
    n_test = int(round(n * ratios[2]))
    if n >= 3:
        n_val = max(n_val, 1 if ratios[1] > 0 else 0)
        n_test = max(n_test, 1 if ratios[2] > 0 else 0)
    n_train = max(0, n - n_val - n_test)
    for i, h in enumerate(hashes):
        split = "train" if i < n_train else ("validation" if i < n_train + n_val else "test")
        for f in rest[h]:
            f.split = split


def parse_programs(text: Optional[str], default: Sequence[int]) -> Tuple[int, ...]:
    """``"24-31"`` / ``"24,25,30"`` / ``"0-7,24-31"`` -> sorted program numbers (0-based GM)."""
    if text is None:
        return tuple(default)
    out = set()
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        a, b = int(lo), int(hi) if hi else int(lo)
        if not (0 <= a <= 127 and 0 <= b <= 127 and a <= b):
            raise ValueError(f"program range {part!r}: programs are 0..127 (0-based GM), e.g. 24-31")
        out.update(range(a, b + 1))
    return tuple(sorted(out))
