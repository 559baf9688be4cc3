"""Release assembly and folder verification on a real frozen build (``build/frozen_cache.py``: built once per
source state): the smoke test and verify_sidecar.py pass on it, and assemble_package.py turns per-platform
tarballs into one UPM tarball (package/ root, executable bits kept) and refuses a missing platform, a
tampered file, a tarball that writes outside its folder, and a tag that disagrees with package.json."""
from __future__ import annotations

import io
import json
import os
import shutil
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "build"))

import assemble_package  # noqa: E402
import bundle_audit  # noqa: E402
import frozen_cache  # noqa: E402
import sidecar_layout  # noqa: E402
import sidecar_smoke  # noqa: E402
import verify_sidecar  # noqa: E402

PLATFORMS = assemble_package.DEFAULT_REQUIRED
VERSION = json.loads((REPO / "unity_package" / "package.json").read_text())["version"]


@pytest.fixture(scope="module")
def frozen_dir() -> Path:
    return frozen_cache.cached_frozen_sidecar(log=lambda msg: print(msg, file=sys.stderr))


def test_smoke_test_and_verify_pass_on_the_frozen_build(frozen_dir, capsys):
    exe = frozen_cache.frozen_executable(frozen_dir)
    result = sidecar_smoke.smoke_test([str(exe)])
    assert result.exit_code == 0 and all(result.notes.values()) and result.ready["version"] == VERSION
    assert verify_sidecar.main([str(frozen_dir)]) == 0
    assert "smoke test passed" in capsys.readouterr().out


def _mini_build(frozen_dir: Path, root: Path, platform: str) -> Path:
    """A platform folder holding only the real PyInstaller executable (renamed for the platform) + manifest:
    enough for assembly and file checks, small enough to tar four times in a test."""
    folder = root / platform
    folder.mkdir(parents=True)
    exe = folder / sidecar_layout.executable_name(platform)
    shutil.copy2(frozen_cache.frozen_executable(frozen_dir), exe)
    bundle_audit.write_manifest(folder, version=VERSION, protocol="1.0", platform=platform, executable=exe.name)
    return folder


def _tar(folder: Path, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / assemble_package.tarball_name(folder.name)
    with tarfile.open(path, "w:gz") as tar:
        tar.add(str(folder), arcname=folder.name)
    return path


@pytest.fixture
def artifacts(frozen_dir, tmp_path) -> Path:
    staging, out = tmp_path / "staging", tmp_path / "artifacts"
    for platform in PLATFORMS:
        _tar(_mini_build(frozen_dir, staging, platform), out)
    return out


def test_assemble_puts_every_platform_into_one_upm_tarball(artifacts, tmp_path):
    result = assemble_package.assemble(artifacts, tmp_path / "dist", expect_version=f"v{VERSION}")
    assert result.name == f"com.riffforge.unity-{VERSION}.tgz"
    with tarfile.open(result, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        package_json = json.load(tar.extractfile("package/package.json"))
    assert package_json["name"] == "com.riffforge.unity"
    assert all(name == "package" or name.startswith("package/") for name in members)
    for platform in PLATFORMS:
        exe = members[f"package/Sidecar~/{platform}/{sidecar_layout.executable_name(platform)}"]
        assert f"package/Sidecar~/{platform}/manifest.json" in members
        if not platform.startswith("win-"):
            assert exe.mode & 0o111 == 0o111, f"{platform}: executable bit lost"
        # Only what the artifact holds: a local build's _internal/ must not leak into the release.
        assert not any(n.startswith(f"package/Sidecar~/{platform}/_internal") for n in members)
    assert "package/Runtime/Core/Sidecar/SidecarLocator.cs" in members
    # the in-engine runtime: its assembly and the engine models it loads
    assert "package/Runtime/Engine/RiffForge.Engine.asmdef" in members
    assert "package/Runtime/Engine/LstmDecoder.cs" in members
    for name in ("metal-guitar", "metal-bass", "metal-drums"):
        assert f"package/Runtime/Resources/RiffForgeEngine/{name}.bytes" in members


def test_assemble_refuses_a_missing_platform(artifacts, tmp_path):
    (artifacts / assemble_package.tarball_name("osx-x64")).unlink()
    with pytest.raises(assemble_package.AssembleError, match="no sidecar tarball for osx-x64"):
        assemble_package.assemble(artifacts, tmp_path / "dist")


def test_assemble_refuses_a_tag_that_disagrees_with_package_json(artifacts, tmp_path):
    with pytest.raises(assemble_package.AssembleError, match="bump package.json"):
        assemble_package.assemble(artifacts, tmp_path / "dist", expect_version="v99.0.0")


def test_assemble_refuses_a_tampered_file(frozen_dir, artifacts, tmp_path):
    folder = _mini_build(frozen_dir, tmp_path / "tampered", "linux-x64")
    with open(folder / "riffforge-sidecar", "ab") as f:
        f.write(b"\0")
    _tar(folder, artifacts)  # replaces the good linux-x64 tarball
    with pytest.raises(assemble_package.AssembleError, match="size .* != manifest"):
        assemble_package.assemble(artifacts, tmp_path / "dist")


@pytest.mark.parametrize("member, message", [
    ("linux-x64/../../evil.txt", "refused to unpack"),
    ("elsewhere/evil.txt", "outside linux-x64/"),
])
def test_assemble_refuses_a_tarball_that_writes_outside_its_folder(artifacts, tmp_path, member, message):
    path = artifacts / assemble_package.tarball_name("linux-x64")
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(member)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(assemble_package.AssembleError, match=message):
        assemble_package.assemble(artifacts, tmp_path / "dist")
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.skipif(os.name == "nt", reason="Windows has no executable bit")
def test_verify_reports_a_lost_executable_bit_on_the_real_build(frozen_dir, tmp_path):
    folder = _mini_build(frozen_dir, tmp_path, "linux-x64")
    (folder / "riffforge-sidecar").chmod(0o644)
    problems = verify_sidecar.verify_folder(folder, run=False)
    assert any("lost its executable bit" in p for p in problems), problems
