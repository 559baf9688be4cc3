"""Freeze the RiffForge sidecar for THIS machine into the Unity package, check it, describe it, smoke test it.

    python build/build_sidecar.py            # -> unity_package/Sidecar~/<platform>/
    python build/build_sidecar.py --out DIR  # anywhere else (tests, CI staging)

Steps: PyInstaller with ``build/sidecar.spec`` (onedir), then FAIL if TensorFlow/Keras (or any other
training-stack package) reached the bundle, install the folder where the C# supervisor looks
(``Sidecar~/<platform>/riffforge-sidecar[.exe]``, see ``sidecar_layout.py``), write ``manifest.json``
(version, OS, architecture, size, SHA-256 per file) and run the smoke test (READY line, handshake, one riff,
clean quit) with the reference client from the source tree. Exit status 0 only if every step passed.

Needs the ``freeze`` extra: ``pip install -e "python_sidecar[freeze]"`` (``./run setup`` does it). The
output is a release artifact: ``Sidecar~/*/`` is git-ignored and never committed.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import platform as _platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

BUILD_DIR = Path(__file__).resolve().parent
if str(BUILD_DIR) not in sys.path:
    sys.path.insert(0, str(BUILD_DIR))

import bundle_audit  # noqa: E402
import sidecar_layout  # noqa: E402
from sidecar_layout import MANIFEST_NAME, REPO  # noqa: E402

SPEC = BUILD_DIR / "sidecar.spec"
ENTRY = BUILD_DIR / "sidecar_entry.py"
SOURCE_PACKAGE = REPO / "python_sidecar" / "riffforge"
DEFAULT_WORK = BUILD_DIR / "work"
MAX_SIZE_MB = 120  # the target for the onedir folder


class BuildError(RuntimeError):
    """A build step failed; the message names the step, the path and the fix."""


@dataclass
class BuildResult:
    out_dir: Path
    executable: Path
    manifest: Dict
    seconds: float
    smoke: Optional[object] = None  # sidecar_smoke.SmokeResult when the smoke test ran


def read_version() -> str:
    """``riffforge.__version__`` read from the source file (no import: the build may run in a bare Python)."""
    text = (SOURCE_PACKAGE / "__init__.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise BuildError(f"{SOURCE_PACKAGE / '__init__.py'}: no __version__ line; add `__version__ = \"X.Y.Z\"`")


def read_protocol_version() -> str:
    text = (SOURCE_PACKAGE / "protocol" / "constants.py").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("PROTOCOL_VERSION"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise BuildError(f"{SOURCE_PACKAGE / 'protocol' / 'constants.py'}: no PROTOCOL_VERSION line")


def pyinstaller_version() -> str:
    try:
        import PyInstaller
    except ImportError:
        raise BuildError("PyInstaller is not installed in this Python; run `./run setup` or "
                         "`pip install -e \"python_sidecar[freeze]\"`") from None
    return PyInstaller.__version__


def source_fingerprint() -> str:
    """SHA-256 over everything that shapes the frozen build: riffforge sources and models, the spec, the
    entry script, and the Python / PyInstaller / platform used. Same fingerprint -> same build."""
    digest = hashlib.sha256()
    files = [p for p in SOURCE_PACKAGE.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")]
    for path in sorted(files + [SPEC, ENTRY, BUILD_DIR / "sidecar_layout.py"]):
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    digest.update(f"{sys.version}|{pyinstaller_version()}|{sys.platform}|{_platform.machine()}".encode())
    return digest.hexdigest()


def run_pyinstaller(dist_dir: Path, work_dir: Path, name: str) -> Path:
    """Freeze into ``dist_dir/<name>/``; returns that folder. PyInstaller's log goes to work_dir."""
    work_dir.mkdir(parents=True, exist_ok=True)
    log_path = work_dir / "pyinstaller.log"
    cmd = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--distpath", str(dist_dir),
           "--workpath", str(work_dir / "pyinstaller"), "--log-level", "WARN"]
    env = dict(os.environ, RIFFFORGE_SIDECAR_NAME=name, PYTHONPATH=str(REPO / "python_sidecar"))
    with log_path.open("w", encoding="utf-8") as log_file:
        code = subprocess.call(cmd, cwd=str(REPO), stdout=log_file, stderr=subprocess.STDOUT, env=env)
    if code != 0:
        tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-25:])
        raise BuildError(f"PyInstaller failed with exit code {code}; full log: {log_path}\n{tail}")
    out = dist_dir / name
    if not out.is_dir():
        raise BuildError(f"PyInstaller succeeded but {out} is missing; see {log_path}")
    return out


def _replace_dir(built: Path, out_dir: Path) -> None:
    """Move ``built`` to ``out_dir``, replacing an earlier build there (never an unrelated folder)."""
    if out_dir.exists():
        base = sidecar_layout.EXECUTABLE_BASE_NAME
        ours = (out_dir / MANIFEST_NAME).is_file() or not any(out_dir.iterdir()) or any(
            (out_dir / exe).exists() for exe in (base, base + ".exe"))
        if not ours:
            raise BuildError(f"{out_dir}: exists and does not look like a sidecar build (no {MANIFEST_NAME}); "
                             f"move it away or pass another --out")
        shutil.rmtree(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(built), str(out_dir))


def build(out_dir: Optional[Path] = None, work_dir: Path = DEFAULT_WORK, smoke: bool = True,
          log: Callable[[str], None] = print) -> BuildResult:
    """Build, audit, install, describe and smoke test the sidecar for this machine."""
    from tqdm import tqdm

    started = time.perf_counter()
    platform = sidecar_layout.current_platform()
    out_dir = Path(out_dir) if out_dir is not None else sidecar_layout.platform_dir(platform)
    exe_name = sidecar_layout.executable_name(platform)
    name = sidecar_layout.EXECUTABLE_BASE_NAME
    steps = ["freeze (PyInstaller)", "audit (no TensorFlow)", "install", "manifest"] + (["smoke test"] if smoke else [])
    bar = tqdm(total=len(steps), desc="build sidecar", unit="step", file=sys.stderr,
               bar_format="{desc}: {n_fmt}/{total_fmt} steps |{bar:20}| {elapsed}<{remaining} {postfix}")
    smoke_result = None
    try:
        bar.set_postfix_str(steps[0])
        dist_dir = Path(work_dir) / "dist"
        if (dist_dir / name).exists():
            shutil.rmtree(dist_dir / name)
        fingerprint = source_fingerprint()
        built = run_pyinstaller(dist_dir, Path(work_dir), name)
        bar.update()

        bar.set_postfix_str(steps[1])
        offenders = bundle_audit.forbidden_in_bundle(built, executable=built / exe_name)
        if offenders:
            raise BuildError("the frozen sidecar contains the training stack, which the runtime must never import:\n  "
                             + "\n  ".join(offenders[:40]) + f"\nbuild left in {built}. Fix: find who imports it "
                             f"(see {Path(work_dir) / 'pyinstaller'}/sidecar/xref-sidecar.html) and add it to "
                             f"EXCLUDES in {SPEC}, or remove the import from the runtime.")
        bar.update()

        bar.set_postfix_str(steps[2])
        _replace_dir(built, out_dir)
        executable = out_dir / exe_name
        if not executable.is_file():
            raise BuildError(f"{executable}: missing after install; see {Path(work_dir) / 'pyinstaller.log'}")
        bar.update()

        bar.set_postfix_str(steps[3])
        manifest = bundle_audit.write_manifest(
            out_dir, version=read_version(), protocol=read_protocol_version(), platform=platform,
            executable=exe_name, extra={
                "python": _platform.python_version(), "pyinstaller": pyinstaller_version(),
                "source_sha256": fingerprint, "mode": "onedir",
                "built_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        bar.update()

        if smoke:
            bar.set_postfix_str(steps[4])
            import sidecar_smoke
            try:
                smoke_result = sidecar_smoke.smoke_test([str(executable)])
            except sidecar_smoke.SmokeError as exc:
                raise BuildError(f"smoke test failed: {exc}. Run `{executable} --host-port 9 --heartbeat-timeout 3` "
                                 f"by hand to see its errors.") from exc
            bar.update()
    finally:
        bar.close()
    result = BuildResult(out_dir, executable, manifest, time.perf_counter() - started, smoke_result)
    size_mb = manifest["size_bytes"] / 1e6
    log(f"built {executable} ({platform}, riffforge {manifest['version']}, {manifest['file_count']} files, "
        f"{size_mb:.1f} MB) in {result.seconds:.0f} s")
    if size_mb > MAX_SIZE_MB:
        log(f"WARNING: {size_mb:.1f} MB is over the {MAX_SIZE_MB} MB target; look for unwanted packages in "
            f"{out_dir / '_internal'}")
    if smoke_result is not None:
        log(f"smoke test passed: {smoke_result.describe()}")
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="build_sidecar.py", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: unity_package/Sidecar~/<this platform>)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="PyInstaller work folder (default: build/work, git-ignored)")
    parser.add_argument("--no-smoke", action="store_true", help="skip the smoke test (CI runs it as its own step)")
    parser.add_argument("--print-platform", action="store_true",
                        help="print this machine's platform folder name (e.g. linux-x64) and exit")
    args = parser.parse_args(argv)
    if args.print_platform:
        print(sidecar_layout.current_platform())
        return 0
    try:
        build(args.out, args.work, smoke=not args.no_smoke)
    except (BuildError, RuntimeError, ValueError, OSError) as exc:
        print(f"build_sidecar.py: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
