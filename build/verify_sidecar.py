"""Check frozen sidecar folders: manifest matches the files, no training stack inside, and (for this
machine's platform) the binary passes the smoke test.

    python build/verify_sidecar.py unity_package/Sidecar~/linux-x64     # one folder, smoke test included
    python build/verify_sidecar.py --no-run unity_package/Sidecar~/*    # folders of other OSes: no smoke

CI runs it after each build and again in the release job on every downloaded platform folder.
Exit status 0 only when every folder passed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Optional

BUILD_DIR = Path(__file__).resolve().parent
if str(BUILD_DIR) not in sys.path:
    sys.path.insert(0, str(BUILD_DIR))

import bundle_audit  # noqa: E402
import sidecar_layout  # noqa: E402


def verify_folder(folder: Path, run: bool = True, expect_platform: Optional[str] = None) -> List[str]:
    """Problems found in one platform folder (empty list: it is good)."""
    manifest_path = folder / sidecar_layout.MANIFEST_NAME
    if not manifest_path.is_file():
        return [f"{manifest_path}: missing; build the folder with `python build/build_sidecar.py`"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    platform = manifest.get("platform", "")
    problems = []
    if expect_platform and platform != expect_platform:
        problems.append(f"{manifest_path}: platform {platform!r}, but the folder is for {expect_platform!r}")
    if folder.name in sidecar_layout.PLATFORMS and folder.name != platform:
        problems.append(f"{folder}: folder name says {folder.name}, manifest says {platform!r}; the C# "
                        f"supervisor looks in Sidecar~/<platform>/, so move it to Sidecar~/{platform}/")
    exe = folder / manifest.get("executable", "")
    if manifest.get("executable") != sidecar_layout.executable_name(platform or folder.name):
        problems.append(f"{manifest_path}: executable {manifest.get('executable')!r}; the C# supervisor starts "
                        f"{sidecar_layout.executable_name(platform or folder.name)!r}")
    problems += [f"{folder}: {p}" for p in bundle_audit.verify_manifest(folder)]
    try:
        offenders = bundle_audit.forbidden_in_bundle(folder, executable=exe if exe.is_file() else None)
    except bundle_audit.NotAFrozenSidecar as exc:
        offenders = []
        problems.append(str(exc))
    problems += [f"{folder}: contains {o} (the runtime must not ship the training stack)" for o in offenders]
    if run and not problems:
        if platform != sidecar_layout.current_platform():
            problems.append(f"{folder}: built for {platform}, cannot run it on {sidecar_layout.current_platform()}; "
                            f"pass --no-run to check only its files")
        else:
            import sidecar_smoke
            try:
                result = sidecar_smoke.smoke_test([str(exe)])
                print(f"{folder}: smoke test passed: {result.describe()}")
            except sidecar_smoke.SmokeError as exc:
                problems.append(f"{folder}: smoke test failed: {exc}")
    return problems


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="verify_sidecar.py", description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="platform folders (Sidecar~/<platform>)")
    parser.add_argument("--no-run", action="store_true", help="check files only; do not start the binary")
    args = parser.parse_args(argv)
    failed = 0
    for folder in args.folders:
        problems = verify_folder(folder, run=not args.no_run)
        if problems:
            failed += 1
            for p in problems:
                print(f"FAIL {p}", file=sys.stderr)
        else:
            print(f"ok   {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
