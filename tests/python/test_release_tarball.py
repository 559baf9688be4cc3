"""The release tarball users install with the Package Manager's "Add package from tarball", assembled by
build/assemble_package.py (what the workflow's release job runs) from per-platform tarballs of a fake frozen
sidecar: one root folder ``package/`` (as ``npm pack`` makes), the manifest at ``package/package.json``, the
package's own folders, every platform under ``package/Sidecar~/<platform>/`` with its executable bit kept, and
nothing of the repository outside ``unity_package/``; with the repository's URL, the released package.json
links its documentation, changelog and licence as Unity's package manifest reference defines them
(https://docs.unity3d.com/Manual/upm-manifestPkg.html: documentationUrl, changelogUrl, licensesUrl).

The fake executables are small files, not PyInstaller builds, so reading their frozen module list is replaced
by a fixed, clean list; tests/python/test_build_package.py does the same assembly on a real frozen build."""
from __future__ import annotations

import json
import stat
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "build"))

import assemble_package  # noqa: E402
import bundle_audit  # noqa: E402
import sidecar_layout  # noqa: E402

VERSION = json.loads((REPO / "unity_package" / "package.json").read_text(encoding="utf-8"))["version"]


@pytest.fixture
def artifacts(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(bundle_audit, "archive_modules", lambda executable: ["riffforge", "numpy", "mido"])
    staging, out = tmp_path / "staging", tmp_path / "artifacts"
    out.mkdir()
    for platform in assemble_package.DEFAULT_REQUIRED:
        folder = staging / platform
        (folder / "_internal").mkdir(parents=True)
        exe = folder / sidecar_layout.executable_name(platform)
        exe.write_bytes(b"fake frozen sidecar for " + platform.encode())
        exe.chmod(0o755)
        (folder / "_internal" / "base_library.zip").write_bytes(b"PK fake")
        bundle_audit.write_manifest(folder, version=VERSION, protocol="1.0", platform=platform, executable=exe.name)
        with tarfile.open(out / assemble_package.tarball_name(platform), "w:gz") as tar:
            tar.add(str(folder), arcname=platform)
    return out


def test_release_tarball_has_the_npm_pack_layout_unity_installs(artifacts, tmp_path):
    result = assemble_package.main(["--artifacts", str(artifacts), "--out", str(tmp_path / "dist"),
                                    "--version", f"v{VERSION}"])
    assert result == 0
    tgz = tmp_path / "dist" / f"com.riffforge.unity-{VERSION}.tgz"
    with tarfile.open(tgz, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        manifest = json.load(tar.extractfile("package/package.json"))
    assert {name.split("/", 1)[0] for name in members} == {"package"}
    assert manifest["name"] == "com.riffforge.unity" and manifest["version"] == VERSION
    for folder in ("Runtime", "Editor", "Documentation~", "Samples~", "Sidecar~"):
        assert members[f"package/{folder}"].isdir(), folder
    for platform in assemble_package.DEFAULT_REQUIRED:
        exe = members[f"package/Sidecar~/{platform}/{sidecar_layout.executable_name(platform)}"]
        assert exe.isfile()
        if not platform.startswith("win"):
            assert exe.mode & stat.S_IXUSR, f"{exe.name}: executable bit lost"
        assert f"package/Sidecar~/{platform}/_internal/base_library.zip" in members
        assert f"package/Sidecar~/{platform}/manifest.json" in members
    # Only the package travels: none of the repository's other top-level folders.
    for outside in ("python_sidecar", "bench", "build", "tests", "protocol"):
        assert not any(name.startswith(f"package/{outside}/") for name in members), outside
    assert all(m.uid == 0 and m.uname == "" for m in members.values())


def test_release_tarball_refuses_a_missing_intel_mac_build(artifacts, tmp_path, capsys):
    (artifacts / assemble_package.tarball_name("osx-x64")).unlink()
    assert assemble_package.main(["--artifacts", str(artifacts), "--out", str(tmp_path / "dist")]) == 1
    err = capsys.readouterr().err
    assert "no sidecar tarball for osx-x64" in err and "riffforge-sidecar-<platform>.tar.gz" in err
    assert not (tmp_path / "dist").exists()


# A stand-in for the repository the workflow runs in ("$GITHUB_SERVER_URL/$GITHUB_REPOSITORY").
REPOSITORY_URL = "https://github.com/example-studio/riffforge"


def test_release_package_json_links_documentation_changelog_and_licence_at_the_tag(artifacts, tmp_path):
    assert assemble_package.main(["--artifacts", str(artifacts), "--out", str(tmp_path / "dist"),
                                  "--version", f"v{VERSION}", "--repository-url", REPOSITORY_URL]) == 0
    with tarfile.open(tmp_path / "dist" / f"com.riffforge.unity-{VERSION}.tgz", "r:gz") as tar:
        manifest = json.load(tar.extractfile("package/package.json"))
        names = set(tar.getnames())
    base = f"{REPOSITORY_URL}/blob/v{VERSION}/unity_package/"
    assert manifest["documentationUrl"] == base + "Documentation~/index.md"
    assert manifest["changelogUrl"] == base + "CHANGELOG.md"
    assert manifest["licensesUrl"] == base + "LICENSE.md"
    for key in ("documentationUrl", "changelogUrl", "licensesUrl"):
        assert "package/" + manifest[key][len(base):] in names, f"{key} links a file the package lacks"
    # Everything else in the manifest is the committed one.
    committed = json.loads((REPO / "unity_package" / "package.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in manifest.items() if k not in assemble_package.MANIFEST_LINKS} == \
        {k: v for k, v in committed.items() if k not in assemble_package.MANIFEST_LINKS}


@pytest.mark.parametrize("url", ["http://github.com/a/b", "https://github.com/a", "https://github.com/a/b/",
                                 "github.com/a/b", "https://gitlab.com/a/b"])
def test_release_refuses_a_repository_url_that_is_not_a_github_repository(artifacts, tmp_path, capsys, url):
    assert assemble_package.main(["--artifacts", str(artifacts), "--out", str(tmp_path / "dist"),
                                  "--repository-url", url]) == 1
    err = capsys.readouterr().err
    assert "--repository-url" in err and "https://github.com/OWNER/NAME" in err


def test_committed_package_json_links_are_all_or_none_and_open_package_files():
    # Installs from a git URL or disk read the committed package.json: if it carries the links, it carries
    # all three, on one repository, each to a file the package has.
    manifest = json.loads((REPO / "unity_package" / "package.json").read_text(encoding="utf-8"))
    present = [k for k in assemble_package.MANIFEST_LINKS if k in manifest]
    assert present in ([], list(assemble_package.MANIFEST_LINKS)), present
    bases = set()
    for key in present:
        base, _, path = manifest[key].partition("/unity_package/")
        assert assemble_package.REPOSITORY_URL_RE.match(base.rsplit("/blob/", 1)[0]), manifest[key]
        assert (REPO / "unity_package" / path).is_file(), f"package.json {key}: no unity_package/{path}"
        bases.add(base)
    assert len(bases) <= 1, bases
