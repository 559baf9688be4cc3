"""Fast checks of the freezing recipe (no PyInstaller run here; test_build_frozen_interop.py and
test_build_package.py use a real frozen build): the layout agrees with the C# supervisor, the spec excludes the
training stack, the TensorFlow audit finds what it must (and nothing else), manifests catch every kind of
tampering, the build fails and installs nothing when the audit fails, and the frozen entry point's argv."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "build"))

import build_sidecar  # noqa: E402
import bundle_audit  # noqa: E402
import sidecar_layout  # noqa: E402
import verify_sidecar  # noqa: E402

CS_SIDECAR = REPO / "unity_package" / "Runtime" / "Core" / "Sidecar"


# -- layout: the same names as the C# supervisor ----------------------------------------------------------

def test_layout_matches_the_csharp_locator():
    locator = (CS_SIDECAR / "SidecarLocator.cs").read_text(encoding="utf-8")
    arch = (CS_SIDECAR / "BinaryArchitecture.cs").read_text(encoding="utf-8")
    assert re.search(r'FolderName\s*=\s*"([^"]+)"', locator).group(1) == sidecar_layout.SIDECAR_FOLDER
    assert re.search(r'ExecutableBaseName\s*=\s*"([^"]+)"', locator).group(1) == sidecar_layout.EXECUTABLE_BASE_NAME
    assert sidecar_layout.SIDECAR_FOLDER.endswith("~"), "Unity would import the binaries as assets"
    # CurrentOs() / CurrentCpu() spell the platform folder names.
    for os_name in sidecar_layout.OS_NAMES:
        assert f'return "{os_name}";' in arch
    for cpu in sidecar_layout.ARCH_NAMES:
        assert f'return "{cpu}";' in arch
    assert '".exe"' in locator and sidecar_layout.executable_name("win-x64") == "riffforge-sidecar.exe"
    assert sidecar_layout.executable_name("osx-arm64") == "riffforge-sidecar"


@pytest.mark.parametrize("machine, arch", [("x86_64", "x64"), ("AMD64", "x64"), ("arm64", "arm64"),
                                           ("aarch64", "arm64")])
def test_machine_names_map_to_platform_arch(machine, arch):
    assert sidecar_layout.current_arch(machine) == arch


def test_unknown_machine_is_a_clear_error():
    with pytest.raises(RuntimeError, match="unsupported CPU architecture 'mips'"):
        sidecar_layout.current_arch("mips")


def test_platform_dir_rejects_unknown_platform():
    assert sidecar_layout.platform_dir("linux-x64").parts[-2:] == ("Sidecar~", "linux-x64")
    with pytest.raises(ValueError, match="unknown platform"):
        sidecar_layout.platform_dir("amiga-68k")


def test_print_platform_cli():
    out = subprocess.run([sys.executable, str(REPO / "build" / "build_sidecar.py"), "--print-platform"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == sidecar_layout.current_platform()


def test_built_binaries_are_git_ignored_but_the_readme_is_not():
    def ignored(rel):
        return subprocess.run(["git", "check-ignore", "-q", rel], cwd=REPO).returncode == 0
    for platform in sidecar_layout.PLATFORMS:
        exe = sidecar_layout.executable_name(platform)
        assert ignored(f"unity_package/Sidecar~/{platform}/{exe}"), platform
        assert ignored(f"unity_package/Sidecar~/{platform}/_internal/libpython3.11.so")
    assert not ignored("unity_package/Sidecar~/README.md")
    assert ignored("build/work/x") and ignored("build/tools/node_modules/x")


# -- the spec ---------------------------------------------------------------------------------------------

def _spec_excludes():
    tree = ast.parse((REPO / "build" / "sidecar.spec").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXCLUDES" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("EXCLUDES not found in build/sidecar.spec")


def test_spec_is_onedir_and_excludes_the_training_stack():
    excludes = set(_spec_excludes())
    for name in ("tensorflow", "keras", "note_seq", "matplotlib", "scipy", "librosa", "numba", "pandas"):
        assert name in excludes, name
    spec = (REPO / "build" / "sidecar.spec").read_text(encoding="utf-8")
    assert "exclude_binaries=True" in spec and "COLLECT(" in spec, "onedir needs EXE(exclude_binaries) + COLLECT"
    assert "riffforge.cli.sidecar" in spec
    # Everything the audit forbids is excluded up front too.
    for name in bundle_audit.FORBIDDEN:
        assert name in excludes or name.startswith("tensorflow_"), name


# -- the TensorFlow audit ---------------------------------------------------------------------------------

def _touch(root: Path, rel: str, data: bytes = b"x") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_audit_finds_tensorflow_keras_and_friends(tmp_path):
    _touch(tmp_path, "_internal/tensorflow/python/__init__.py")
    _touch(tmp_path, "_internal/tensorflow/lite/x.so")
    _touch(tmp_path, "_internal/keras-3.15.0.dist-info/METADATA")
    _touch(tmp_path, "_internal/libtensorflow_framework.so.2")
    _touch(tmp_path, "_internal/scipy.libs/libgfortran.so")
    found = bundle_audit.forbidden_in_bundle(tmp_path, modules=["numpy", "keras.src.layers", "scipy.linalg",
                                                                "riffforge.sidecar"])
    assert found == ["module keras.src.layers", "module scipy.linalg",
                     "file _internal/keras-3.15.0.dist-info", "file _internal/libtensorflow_framework.so.2",
                     "file _internal/scipy.libs", "file _internal/tensorflow"]


def test_audit_passes_the_runtime_stack(tmp_path):
    # numpy ships an OpenBLAS whose file name mentions scipy: that is numpy's, not scipy.
    _touch(tmp_path, "_internal/numpy.libs/libscipy_openblas64_-32a4b2a6.so")
    _touch(tmp_path, "_internal/numpy/_core/_multiarray_umath.so")
    _touch(tmp_path, "_internal/msgpack/_cmsgpack.so")
    _touch(tmp_path, "_internal/riffforge/models/default/weights.npz")
    assert bundle_audit.forbidden_in_bundle(tmp_path, modules=["numpy", "pythonosc.udp_client", "msgpack",
                                                               "riffforge.runtime.model"]) == []


def test_audit_refuses_a_non_pyinstaller_executable(tmp_path):
    exe = _touch(tmp_path, "riffforge-sidecar", b"#!/bin/sh\necho hi\n")
    with pytest.raises(bundle_audit.NotAFrozenSidecar, match="not a PyInstaller executable"):
        bundle_audit.forbidden_in_bundle(tmp_path, executable=exe)


def test_build_fails_and_installs_nothing_when_tensorflow_is_in_the_bundle(tmp_path, monkeypatch):
    def fake_pyinstaller(dist_dir, work_dir, name):
        built = dist_dir / name
        _touch(built, "riffforge-sidecar", b"\x7fELF")
        _touch(built, "_internal/tensorflow/__init__.py")
        return built
    monkeypatch.setattr(build_sidecar, "run_pyinstaller", fake_pyinstaller)
    monkeypatch.setattr(bundle_audit, "archive_modules", lambda exe: ["tensorflow.python", "riffforge"])
    out = tmp_path / "out" / "linux-x64"
    with pytest.raises(build_sidecar.BuildError) as info:
        build_sidecar.build(out, work_dir=tmp_path / "work", smoke=False, log=lambda m: None)
    message = str(info.value)
    assert "module tensorflow.python" in message and "file _internal/tensorflow" in message
    assert "EXCLUDES" in message and "sidecar.spec" in message
    assert not out.exists(), "a build with TensorFlow inside must not be installed"


def test_build_refuses_to_replace_an_unrelated_folder(tmp_path, monkeypatch):
    def fake_pyinstaller(dist_dir, work_dir, name):
        built = dist_dir / name
        _touch(built, sidecar_layout.executable_name(sidecar_layout.current_platform()), b"\x7fELF")
        return built
    monkeypatch.setattr(build_sidecar, "run_pyinstaller", fake_pyinstaller)
    monkeypatch.setattr(bundle_audit, "archive_modules", lambda exe: ["riffforge"])
    out = tmp_path / "precious"
    _touch(out, "my-notes.txt")
    with pytest.raises(build_sidecar.BuildError, match="does not look like a sidecar build"):
        build_sidecar.build(out, work_dir=tmp_path / "work", smoke=False, log=lambda m: None)
    assert (out / "my-notes.txt").exists()


# -- manifests --------------------------------------------------------------------------------------------

def _fake_build(root: Path, platform: str = "linux-x64") -> Path:
    exe = _touch(root, sidecar_layout.executable_name(platform), b"\x7fELF-fake-binary")
    exe.chmod(0o755)
    _touch(root, "_internal/libpython3.11.so.1.0", b"lib" * 100)
    _touch(root, "_internal/riffforge/models/README.txt", b"models")
    bundle_audit.write_manifest(root, version="0.1.0", protocol="1.0", platform=platform,
                                executable=sidecar_layout.executable_name(platform))
    return root


def test_manifest_lists_every_file_with_size_and_sha256(tmp_path):
    root = _fake_build(tmp_path / "linux-x64")
    manifest = json.loads((root / "manifest.json").read_text())
    assert (manifest["version"], manifest["os"], manifest["arch"]) == ("0.1.0", "linux", "x64")
    paths = [f["path"] for f in manifest["files"]]
    assert paths == sorted(paths) and "manifest.json" not in paths and len(paths) == manifest["file_count"] == 3
    entry = next(f for f in manifest["files"] if f["path"] == "_internal/libpython3.11.so.1.0")
    assert entry["size"] == 300 and entry["sha256"] == bundle_audit.sha256_file(root / entry["path"])
    assert manifest["size_bytes"] == sum(f["size"] for f in manifest["files"])
    assert bundle_audit.verify_manifest(root) == []


def test_manifest_catches_changed_missing_extra_files(tmp_path):
    root = _fake_build(tmp_path / "linux-x64")
    (root / "_internal" / "libpython3.11.so.1.0").write_bytes(b"LIB" * 100)  # same size, other bytes
    (root / "_internal" / "riffforge" / "models" / "README.txt").unlink()
    _touch(root, "_internal/sneaky.py")
    problems = bundle_audit.verify_manifest(root)
    assert problems == ["_internal/riffforge/models/README.txt: listed in manifest.json but missing on disk",
                        "_internal/sneaky.py: on disk but not listed in manifest.json",
                        "_internal/libpython3.11.so.1.0: SHA-256 differs from manifest.json"]


@pytest.mark.skipif(os.name == "nt", reason="Windows has no executable bit")
def test_manifest_catches_a_lost_executable_bit(tmp_path):
    root = _fake_build(tmp_path / "linux-x64")
    (root / "riffforge-sidecar").chmod(0o644)
    problems = bundle_audit.verify_manifest(root)
    assert len(problems) == 1 and "lost its executable bit" in problems[0] and "chmod +x" in problems[0]


def test_missing_manifest_names_the_fix(tmp_path):
    assert "build/build_sidecar.py" in bundle_audit.verify_manifest(tmp_path)[0]


def test_verify_folder_catches_a_platform_folder_mix_up(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_audit, "archive_modules", lambda exe: ["riffforge"])
    root = _fake_build(tmp_path / "osx-arm64", platform="linux-x64")
    problems = verify_sidecar.verify_folder(root, run=False)
    assert any("folder name says osx-arm64" in p and "Sidecar~/linux-x64/" in p for p in problems), problems


# -- the frozen entry point -------------------------------------------------------------------------------

def test_entry_point_runs_the_sidecar_command(monkeypatch, capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location("sidecar_entry", REPO / "build" / "sidecar_entry.py")
    entry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(entry)
    calls = []
    monkeypatch.setattr(entry, "main", lambda argv: calls.append(argv) or 0)
    assert entry.frozen_main(["--host-port", "5000", "--token", "abcdefgh"]) == 0
    assert entry.frozen_main(["sidecar", "--parent-pid", "7"]) == 0
    assert entry.frozen_main([]) == 0
    assert calls == [["sidecar", "--host-port", "5000", "--token", "abcdefgh"], ["sidecar", "--parent-pid", "7"],
                     ["sidecar"]]
    assert entry.frozen_main(["--version"]) == 0 and calls[-1] == ["sidecar"]
    from riffforge import __version__
    assert capsys.readouterr().out.strip() == f"riffforge-sidecar {__version__}"


def test_source_fingerprint_is_stable_and_tracks_the_spec(monkeypatch):
    first = build_sidecar.source_fingerprint()
    assert first == build_sidecar.source_fingerprint() and len(first) == 64
    changed = REPO / "build" / "work" / "test-fingerprint" / "sidecar.spec"  # git-ignored scratch space
    changed.parent.mkdir(parents=True, exist_ok=True)
    changed.write_text((REPO / "build" / "sidecar.spec").read_text() + "\n# changed\n")
    monkeypatch.setattr(build_sidecar, "SPEC", changed)
    assert build_sidecar.source_fingerprint() != first
