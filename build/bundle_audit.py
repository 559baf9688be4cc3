"""Check and describe a frozen sidecar folder: no TensorFlow inside, and a manifest of every file.

* :func:`forbidden_in_bundle` lists every trace of the training stack (TensorFlow, Keras, note-seq,
  matplotlib, scipy, ...) in a onedir build: Python modules inside the executable's embedded archive and
  files or folders under ``_internal/``. The build fails when the list is not empty.
* :func:`write_manifest` / :func:`verify_manifest`: ``manifest.json`` with version, OS, architecture, total
  size and a SHA-256 per file, so a release can be checked file by file after unpacking.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from sidecar_layout import MANIFEST_NAME

MANIFEST_FORMAT = 1

# Top-level module / package / distribution names the sidecar must never carry. TensorFlow and Keras are the
# promise the issue makes; the rest are the other heavyweights of the `train` extra.
FORBIDDEN = ("tensorflow", "tensorflow_cpu", "tensorflow_intel", "tensorboard", "tf_keras", "keras", "note_seq",
             "magenta", "matplotlib", "scipy", "librosa", "numba", "llvmlite", "pandas")
# Shared libraries that only TensorFlow brings.
FORBIDDEN_LIBRARY_PREFIXES = ("libtensorflow", "_pywrap_tensorflow", "tensorflow")

_SPLIT = re.compile(r"[.\-]")


def _top_name(part: str) -> str:
    """``keras-3.15.dist-info`` -> ``keras``; ``scipy.libs`` -> ``scipy``; ``numpy`` -> ``numpy``."""
    return _SPLIT.split(part.lower(), 1)[0]


class NotAFrozenSidecar(ValueError):
    """The file is not a PyInstaller executable (no embedded archive to read)."""


def archive_modules(executable: Path) -> List[str]:
    """Python module names frozen into the executable's PYZ archive (PyInstaller's own reader)."""
    from PyInstaller.archive.readers import pkg_archive_contents
    try:
        return list(pkg_archive_contents(str(executable), recursive=True))
    except Exception as exc:  # the reader raises several types for "not an archive"
        raise NotAFrozenSidecar(f"{executable}: not a PyInstaller executable ({type(exc).__name__}: {exc}); "
                                f"rebuild it with `python build/build_sidecar.py`") from None


def forbidden_in_bundle(bundle_dir: Path, executable: Optional[Path] = None,
                        modules: Optional[Iterable[str]] = None) -> List[str]:
    """Every forbidden module or file in ``bundle_dir``, as readable strings (empty list: clean).

    ``modules`` defaults to what PyInstaller's reader finds in ``executable`` (frozen Python code lives in
    the executable of a onedir build, not in loose files).
    """
    found: List[str] = []
    if modules is None and executable is not None:
        modules = archive_modules(executable)
    for name in modules or ():
        if name.split(".", 1)[0].lower() in FORBIDDEN:
            found.append(f"module {name}")
    reported = set()
    for path in sorted(bundle_dir.rglob("*")):
        rel = path.relative_to(bundle_dir)
        for depth, part in enumerate(rel.parts, start=1):
            if _top_name(part) in FORBIDDEN or part.lower().startswith(FORBIDDEN_LIBRARY_PREFIXES):
                offender = Path(*rel.parts[:depth]).as_posix()
                if offender not in reported:  # one line per offending folder is enough to act on
                    reported.add(offender)
                    found.append(f"file {offender}")
                break
    return found


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundle_files(bundle_dir: Path) -> List[Path]:
    """Every regular file of the build, sorted, without the manifest itself."""
    return sorted(p for p in bundle_dir.rglob("*")
                  if p.is_file() and not p.is_symlink() and p.relative_to(bundle_dir).as_posix() != MANIFEST_NAME)


def size_on_disk(bundle_dir: Path) -> int:
    """Bytes of every file (symlinks counted once, as links)."""
    return sum(p.lstat().st_size for p in bundle_dir.rglob("*") if p.is_file() or p.is_symlink())


def build_manifest(bundle_dir: Path, *, version: str, protocol: str, platform: str, executable: str,
                   extra: Optional[Dict] = None) -> Dict:
    os_name, arch = platform.split("-", 1)
    files = []
    for path in bundle_files(bundle_dir):
        entry = {"path": path.relative_to(bundle_dir).as_posix(), "size": path.stat().st_size,
                 "sha256": sha256_file(path)}
        if os.access(path, os.X_OK) and os.name != "nt":
            entry["executable"] = True
        files.append(entry)
    manifest = {
        "format": MANIFEST_FORMAT,
        "name": "riffforge-sidecar",
        "version": version,
        "protocol": protocol,
        "platform": platform,
        "os": os_name,
        "arch": arch,
        "executable": executable,
        "file_count": len(files),
        "size_bytes": sum(f["size"] for f in files),
    }
    manifest.update(extra or {})
    manifest["files"] = files
    return manifest


def write_manifest(bundle_dir: Path, **kwargs) -> Dict:
    """Write ``bundle_dir/manifest.json`` (see :func:`build_manifest`) and return it."""
    manifest = build_manifest(bundle_dir, **kwargs)
    (bundle_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def verify_manifest(bundle_dir: Path) -> List[str]:
    """Differences between ``manifest.json`` and the files on disk (empty list: they match)."""
    manifest_path = bundle_dir / MANIFEST_NAME
    if not manifest_path.is_file():
        return [f"{manifest_path}: missing; rebuild with `python build/build_sidecar.py`"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems = []
    listed = {f["path"]: f for f in manifest.get("files", [])}
    on_disk = {p.relative_to(bundle_dir).as_posix(): p for p in bundle_files(bundle_dir)}
    for rel in sorted(set(listed) - set(on_disk)):
        problems.append(f"{rel}: listed in {MANIFEST_NAME} but missing on disk")
    for rel in sorted(set(on_disk) - set(listed)):
        problems.append(f"{rel}: on disk but not listed in {MANIFEST_NAME}")
    for rel in sorted(set(listed) & set(on_disk)):
        entry, path = listed[rel], on_disk[rel]
        if path.stat().st_size != entry["size"]:
            problems.append(f"{rel}: size {path.stat().st_size} != manifest {entry['size']}")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{rel}: SHA-256 differs from {MANIFEST_NAME}")
        if entry.get("executable") and os.name != "nt" and not os.access(path, os.X_OK):
            problems.append(f"{rel}: lost its executable bit; unpack with `tar -xzf` (keeps modes) or "
                            f"`chmod +x {rel}`")
    return problems
