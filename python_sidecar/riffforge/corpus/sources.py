"""Finding source MIDI files, hashing them and assigning each file to one split.

A file never feeds two splits. When a source folder (or any folder above a file inside the source)
holds GMD's ``info.csv`` (columns ``midi_filename`` and ``split``), that split is used. Other files are
grouped by content hash (identical copies are one source) and assigned deterministically: sorted by
hash, the first ``train`` share goes to train, then validation, then test, so the same files always
give the same splits.
"""
from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

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


def walk_sources(roots: Sequence[Path], on_error=None) -> Tuple[List[SourceFile], List[Tuple[str, str]]]:
    """All ``.mid``/``.midi`` files (any case) under ``roots`` recursively, sorted; plus unreadable dirs."""
    files: List[SourceFile] = []
    problems: List[Tuple[str, str]] = []
    seen = set()
    for root in roots:
        root = Path(root)
        label = root.name or str(root)
        if root.is_file():
            candidates = [(root, label)]
        elif root.is_dir():
            candidates = []

            def onerror(exc: OSError, _root=root, _label=label):
                rel = os.path.relpath(getattr(exc, "filename", "") or str(_root), _root)
                problems.append((f"{_label}/{rel}", f"cannot list folder ({exc.strerror or exc})"))

            for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
                dirnames.sort()
                for name in sorted(filenames):
                    if name.lower().endswith(MIDI_SUFFIXES):
                        p = Path(dirpath) / name
                        candidates.append((p, f"{label}/{p.relative_to(root).as_posix()}"))
        else:
            problems.append((str(root), "source does not exist"))
            continue
        for p, rel in candidates:
            key = os.path.abspath(p)
            if key not in seen:
                seen.add(key)
                files.append(SourceFile(path=Path(key), rel=rel))
    return files, problems


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file, refusing files over ``max_bytes`` before reading them (raises OSError/ValueError)."""
    size = os.stat(path).st_size
    if size > max_bytes:
        raise ValueError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (raise --max-file-mb)")
    with open(path, "rb") as handle:
        return handle.read()


def hash_file(path: Path) -> Tuple[int, str]:
    h = hashlib.sha1()
    size = 0
    with open(path, "rb") as handle:
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
                with open(info, newline="", encoding="utf-8") as handle:
                    for row in csv.DictReader(handle):
                        name, split = row.get("midi_filename"), SPLIT_ALIASES.get((row.get("split") or "").strip())
                        if name and split:
                            out[os.path.abspath(folder / name)] = split
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
