"""One frozen build per source state, shared by test sessions and benches.

``cached_frozen_sidecar()`` returns a platform folder (``<cache>/<fingerprint>/<platform>/``) built by
``build_sidecar.build`` from the current sources, building it only when no build with the same source
fingerprint (riffforge sources + models, spec, entry script, Python and PyInstaller versions) exists. A build
takes ~15 s here; a cache hit is free. ``RIFFFORGE_FROZEN_SIDECAR=DIR`` skips all of this and uses ``DIR``
(CI points it at the folder its build step made). Cached builds of other source states are deleted
once they are an hour old (each is ~90 MB).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Iterator, Optional

BUILD_DIR = Path(__file__).resolve().parent
if str(BUILD_DIR) not in sys.path:
    sys.path.insert(0, str(BUILD_DIR))

import build_sidecar  # noqa: E402
import sidecar_layout  # noqa: E402

DEFAULT_CACHE = BUILD_DIR / "work" / "frozen-cache"
ENV_OVERRIDE = "RIFFFORGE_FROZEN_SIDECAR"
STALE_AFTER_S = 3600.0  # cached builds of other source states older than this are deleted


@contextlib.contextmanager
def _locked(path: Path, timeout: float = 600.0) -> Iterator[None]:
    """An exclusive lock file, so parallel test sessions build once, not twice, into the same cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: sessions there do not share a cache concurrently
            yield
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{path}: another build held the lock for {timeout:g} s; delete the file "
                                       f"if no build is running") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def cached_frozen_sidecar(cache_root: Path = DEFAULT_CACHE, log=print) -> Path:
    """The platform folder of a frozen sidecar built from the current sources (see the module docstring)."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        folder = Path(override)
        if not folder.is_dir():
            raise FileNotFoundError(f"{ENV_OVERRIDE}={override}: no such folder; build one with "
                                    f"`python build/build_sidecar.py` or unset {ENV_OVERRIDE}")
        return folder
    platform = sidecar_layout.current_platform()
    fingerprint = build_sidecar.source_fingerprint()[:16]
    folder = cache_root / fingerprint / platform
    exe = folder / sidecar_layout.executable_name(platform)
    with _locked(cache_root / ".lock"):
        if exe.is_file() and (folder / sidecar_layout.MANIFEST_NAME).is_file():
            return folder
        # Drop builds of older source states, but not one another test session may still be running.
        for old in cache_root.iterdir():
            if old.is_dir() and old.name not in (fingerprint, "work") and \
                    time.time() - old.stat().st_mtime > STALE_AFTER_S:
                shutil.rmtree(old, ignore_errors=True)
        log(f"building the frozen sidecar for {platform} into {folder} (source fingerprint {fingerprint})")
        build_sidecar.build(folder, work_dir=cache_root / "work", smoke=False, log=log)
    return folder


def frozen_executable(folder: Optional[Path] = None) -> Path:
    folder = folder or cached_frozen_sidecar()
    return folder / sidecar_layout.executable_name(sidecar_layout.current_platform())


def install_into_package(folder: Path, package_dir: Path = sidecar_layout.PACKAGE_DIR) -> Path:
    """Copy the cached build ``folder`` to ``<package>/Sidecar~/<platform>/`` (where the C# supervisor and
    ``build_sidecar.py`` put it), unless the build there already has the same source fingerprint.
    Returns the package's platform folder. The folder is git-ignored, so this never dirties the checkout."""
    import json
    platform = sidecar_layout.current_platform()
    target = sidecar_layout.platform_dir(platform, package_dir)

    def fingerprint(path: Path) -> Optional[str]:
        try:
            return json.loads((path / sidecar_layout.MANIFEST_NAME).read_text(encoding="utf-8"))["source_sha256"]
        except (OSError, ValueError, KeyError):
            return None

    wanted = fingerprint(folder)
    if wanted is not None and fingerprint(target) == wanted:
        return target
    with _locked(DEFAULT_CACHE / ".install-lock"):
        staging = target.with_name(target.name + ".installing")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(folder, staging, symlinks=True)
        build_sidecar._replace_dir(staging, target)
    return target
