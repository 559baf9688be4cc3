"""Assemble the release UPM package: ``unity_package/`` plus every platform's frozen sidecar.

    python build/assemble_package.py --artifacts artifacts/ --out dist/
    python build/assemble_package.py --artifacts artifacts/ --out dist/ --require linux-x64   # a local try

``--artifacts`` holds the per-platform tarballs the CI build jobs upload (``riffforge-sidecar-<platform>.tar.gz``,
each with one top folder ``<platform>/``). Each is unpacked into ``package/Sidecar~/<platform>/`` keeping its
executable bits, checked against its manifest (no smoke run: the binaries are for other OSes), and the
result is written as ``com.riffforge.unity-<version>.tgz`` with the ``package/`` root that Unity's Package
Manager expects ("Add package from tarball"). Fails when a required platform is missing, a manifest does not
match, versions disagree, or a tarball tries to write outside its folder.

``--repository-url https://github.com/OWNER/NAME`` (the release workflow passes the repository it runs in)
adds the Package Manager's links to the released ``package.json``: ``documentationUrl``, ``changelogUrl`` and
``licensesUrl`` (Unity's package manifest reference: https://docs.unity3d.com/Manual/upm-manifestPkg.html),
each pointing at that file of ``unity_package/`` at the release tag.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence

BUILD_DIR = Path(__file__).resolve().parent
if str(BUILD_DIR) not in sys.path:
    sys.path.insert(0, str(BUILD_DIR))

import sidecar_layout  # noqa: E402
from verify_sidecar import verify_folder  # noqa: E402

DEFAULT_REQUIRED = ("linux-x64", "osx-arm64", "osx-x64", "win-x64")
TARBALL_RE = re.compile(r"^riffforge-sidecar-(?P<platform>[a-z]+-[a-z0-9]+)\.tar\.gz$")
REPOSITORY_URL_RE = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
# package.json link -> the file of unity_package/ it opens (the Package Manager shows them as links).
MANIFEST_LINKS = {"documentationUrl": "Documentation~/index.md", "changelogUrl": "CHANGELOG.md",
                  "licensesUrl": "LICENSE.md"}


class AssembleError(RuntimeError):
    """The package cannot be assembled; the message names the file and the fix."""


def tarball_name(platform: str) -> str:
    return f"riffforge-sidecar-{platform}.tar.gz"


def find_tarballs(artifacts: Path) -> Dict[str, Path]:
    """``{platform: tarball}`` for every ``riffforge-sidecar-<platform>.tar.gz`` under ``artifacts``."""
    found: Dict[str, Path] = {}
    for path in sorted(artifacts.rglob("riffforge-sidecar-*.tar.gz")):
        match = TARBALL_RE.match(path.name)
        if not match:
            continue
        platform = match.group("platform")
        if platform not in sidecar_layout.PLATFORMS:
            raise AssembleError(f"{path}: unknown platform {platform!r}; expected one of "
                                f"{', '.join(sidecar_layout.PLATFORMS)}")
        if platform in found:
            raise AssembleError(f"{path}: second tarball for {platform} (first: {found[platform]}); keep one")
        found[platform] = path
    return found


def unpack_platform(tarball: Path, platform: str, sidecar_root: Path) -> Path:
    """Unpack ``tarball`` (one top folder ``<platform>/``) into ``sidecar_root``; returns the folder."""
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            top = Path(member.name).parts[0] if member.name else ""
            if top != platform:
                raise AssembleError(f"{tarball}: member {member.name!r} is outside {platform}/; build the tarball "
                                    f"with `tar -czf {tarball.name} -C Sidecar~ {platform}`")
        # The "tar" filter refuses absolute paths, '..', and links out of the folder, and keeps modes.
        try:
            tar.extractall(sidecar_root, filter="tar")
        except tarfile.FilterError as exc:
            raise AssembleError(f"{tarball}: refused to unpack {exc}; rebuild the tarball with "
                                f"`tar -czf {tarball.name} -C Sidecar~ {platform}`") from None
    return sidecar_root / platform


def package_version(package_dir: Path) -> str:
    path = package_dir / "package.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as exc:
        raise AssembleError(f"{path}: cannot read \"version\" ({exc}); fix package.json") from None


def manifest_links(repository_url: str, ref: str) -> Dict[str, str]:
    """``documentationUrl``, ``changelogUrl``, ``licensesUrl`` for the package at ``ref`` of the repository."""
    if not REPOSITORY_URL_RE.match(repository_url):
        raise AssembleError(f"--repository-url {repository_url!r}: expected https://github.com/OWNER/NAME "
                            f"(in the workflow: \"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY\")")
    return {key: f"{repository_url}/blob/{ref}/unity_package/{path}" for key, path in MANIFEST_LINKS.items()}


def _add_tree(tar: tarfile.TarFile, root: Path, arc_root: str) -> None:
    """Add ``root`` recursively in sorted order (stable archives), owner names dropped."""
    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info
    tar.add(str(root), arcname=arc_root, recursive=False, filter=clean)
    for path in sorted(root.rglob("*")):
        tar.add(str(path), arcname=f"{arc_root}/{path.relative_to(root).as_posix()}", recursive=False, filter=clean)


def assemble(artifacts: Path, out_dir: Path, required: Sequence[str] = DEFAULT_REQUIRED,
             package_dir: Path = sidecar_layout.PACKAGE_DIR, expect_version: Optional[str] = None,
             repository_url: Optional[str] = None) -> Path:
    """Build the release tarball; returns its path."""
    tarballs = find_tarballs(artifacts)
    missing = [p for p in required if p not in tarballs]
    if missing:
        raise AssembleError(f"{artifacts}: no sidecar tarball for {', '.join(missing)} (found: "
                            f"{', '.join(sorted(tarballs)) or 'none'}); every build job must upload "
                            f"{tarball_name('<platform>')}")
    version = package_version(package_dir)
    if expect_version is not None and expect_version.lstrip("v") != version:
        raise AssembleError(f"{package_dir / 'package.json'}: version {version} but the release is "
                            f"{expect_version}; bump package.json (and riffforge.__version__) before tagging")
    links = manifest_links(repository_url, expect_version or f"v{version}") if repository_url else {}
    with tempfile.TemporaryDirectory(prefix="riffforge-upm-") as tmp:
        staging = Path(tmp) / "package"
        # The package as committed; local Sidecar~/<platform>/ builds are left out (the release ships CI's).
        shutil.copytree(package_dir, staging, ignore=lambda d, names: (
            [n for n in names if n in sidecar_layout.PLATFORMS] if Path(d).name == sidecar_layout.SIDECAR_FOLDER
            else []))
        for key, path in MANIFEST_LINKS.items():
            if links and not (staging / path).is_file():
                raise AssembleError(f"{package_dir / path}: missing, but package.json's {key} links to it")
        if links:
            manifest_path = staging / "package.json"
            package_manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            package_manifest.update(links)
            manifest_path.write_text(json.dumps(package_manifest, indent=2) + "\n", encoding="utf-8")
        sidecar_root = staging / sidecar_layout.SIDECAR_FOLDER
        sidecar_root.mkdir(exist_ok=True)
        problems: List[str] = []
        for platform, tarball in sorted(tarballs.items()):
            folder = unpack_platform(tarball, platform, sidecar_root)
            problems += verify_folder(folder, run=False, expect_platform=platform)
            manifest = json.loads((folder / sidecar_layout.MANIFEST_NAME).read_text(encoding="utf-8"))
            if manifest.get("version") != version:
                problems.append(f"{tarball}: sidecar version {manifest.get('version')} != package.json version "
                                f"{version}; keep riffforge.__version__ and package.json in step")
        if problems:
            raise AssembleError("sidecar folders failed their checks:\n  " + "\n  ".join(problems))
        out_dir.mkdir(parents=True, exist_ok=True)
        result = out_dir / f"com.riffforge.unity-{version}.tgz"
        with tarfile.open(result, "w:gz") as tar:
            _add_tree(tar, staging, "package")
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="assemble_package.py", description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=Path, required=True, help="folder with riffforge-sidecar-*.tar.gz")
    parser.add_argument("--out", type=Path, required=True, help="where to write com.riffforge.unity-<version>.tgz")
    parser.add_argument("--require", default=",".join(DEFAULT_REQUIRED),
                        help=f"comma-separated platforms that must be present (default {','.join(DEFAULT_REQUIRED)})")
    parser.add_argument("--version", default=None, help="the release tag (e.g. v0.1.0); must match package.json")
    parser.add_argument("--repository-url", default=None,
                        help="https://github.com/OWNER/NAME: add documentationUrl, changelogUrl and licensesUrl "
                             "(at the release tag) to the released package.json")
    args = parser.parse_args(argv)
    required = [p for p in args.require.split(",") if p]
    try:
        result = assemble(args.artifacts, args.out, required, expect_version=args.version,
                          repository_url=args.repository_url)
    except AssembleError as exc:
        print(f"assemble_package.py: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {result} ({result.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
