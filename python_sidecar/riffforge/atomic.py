"""Atomic file writes: a temp file in the target's folder, fsync, then rename over the target.

A reader (a training run streaming shards, the sidecar loading a bundle) never sees half a file, and an
interrupted writer (Ctrl-C, a crash) leaves the previous file or nothing, never a truncated one.
Standard library only: the sidecar runtime uses it too.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Union

PathLike = Union[str, Path]


def atomic_write(path: PathLike, write: Callable[[BinaryIO], Any]) -> Path:
    """Call ``write(handle)`` on a temp file next to ``path`` and rename it to ``path`` (mode 0644).

    Creates ``path``'s folder when missing. A URL path (``corpus.storage.UrlPath``) writes itself: its Beam
    filesystem stores the bytes under a temporary name and renames it into place."""
    if hasattr(path, "atomic_write"):
        return path.atomic_write(write)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json_atomic(path: PathLike, data: Any) -> Path:
    """Write ``data`` as indented JSON (keys in the given order, trailing newline), atomically."""
    return atomic_write(path, lambda h: h.write((json.dumps(data, indent=2) + "\n").encode("utf-8")))
