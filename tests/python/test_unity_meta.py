"""The UPM package's .meta files: every asset has one, GUIDs are stable (derived from the path), unique,
and no .meta is orphaned. `python build/gen_meta.py` writes missing ones."""
from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "unity_package"


def _gen_meta():
    spec = importlib.util.spec_from_file_location("gen_meta", ROOT / "build" / "gen_meta.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


gen_meta = _gen_meta()


def test_every_package_asset_has_a_valid_meta():
    assert gen_meta.problems(PACKAGE) == []


def test_guids_are_derived_from_the_path_and_stable():
    assert gen_meta.guid_for("Runtime/Core/Riff.cs") == gen_meta.guid_for("Runtime/Core/Riff.cs")
    assert gen_meta.guid_for("Runtime/Core/Riff.cs") != gen_meta.guid_for("Runtime/Core/Note.cs")
    meta = (PACKAGE / "Runtime" / "Core" / "Riff.cs.meta").read_text(encoding="utf-8")
    assert f"guid: {gen_meta.guid_for('Runtime/Core/Riff.cs')}" in meta


def test_a_missing_meta_fails_the_check_and_generation_fixes_it(tmp_path):
    package = tmp_path / "unity_package"
    (package / "Runtime").mkdir(parents=True)
    (package / "Runtime" / "Thing.cs").write_text("class Thing {}\n", encoding="utf-8")
    (package / "Sidecar~" / "linux-x64").mkdir(parents=True)  # ignored by Unity: needs no meta
    (package / ".hidden").write_text("x", encoding="utf-8")
    issues = gen_meta.problems(package)
    assert any("missing" in i and "Thing.cs.meta" in i for i in issues)
    assert any("missing" in i and "Runtime.meta" in i for i in issues)
    written = gen_meta.generate(package)
    assert {p.name for p in written} == {"Runtime.meta", "Thing.cs.meta"}
    assert gen_meta.problems(package) == []
    first = (package / "Runtime" / "Thing.cs.meta").read_text(encoding="utf-8")
    assert "MonoImporter" in first
    (package / "Runtime" / "Thing.cs.meta").unlink()
    gen_meta.generate(package)
    assert (package / "Runtime" / "Thing.cs.meta").read_text(encoding="utf-8") == first, "GUIDs must be stable"
    (package / "Runtime" / "Thing.cs").unlink()
    assert any("orphaned" in i for i in gen_meta.problems(package))


def test_duplicate_guids_are_reported(tmp_path):
    package = tmp_path / "unity_package"
    shutil.copytree(PACKAGE / "Runtime" / "Core" / "Osc", package / "Osc")
    gen_meta.generate(package)
    metas = sorted((package / "Osc").glob("*.cs.meta"))
    metas[1].write_text(metas[0].read_text(encoding="utf-8"), encoding="utf-8")
    assert any("duplicate guid" in i for i in gen_meta.problems(package))


@pytest.mark.parametrize("name", ["package.json", "README.md", "CHANGELOG.md", "LICENSE.md", "Third Party Notices.md"])
def test_package_files_exist(name):
    assert (PACKAGE / name).is_file()


def test_package_json_fields():
    data = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))
    assert data["name"] == "com.riffforge.unity"
    assert data["version"] == "0.1.0"
    assert data["unity"] == "2021.3"
    assert data["displayName"] and data["description"]


def test_every_wav_meta_has_explicit_tight_onset_import_settings():
    """Decompress On Load, PCM, preloaded: https://docs.unity3d.com/Manual/class-AudioClip.html."""
    metas = sorted(PACKAGE.rglob("*.wav.meta"))
    assert metas, "the package ships its sampler sounds as .wav"
    for meta in metas:
        text = meta.read_text(encoding="utf-8")
        assert "\nAudioImporter:\n" in text, meta.name
        for line in ("    loadType: 0", "    compressionFormat: 0", "  preloadAudioData: 1", "  loadInBackground: 0", "  forceToMono: 0"):
            assert f"\n{line}\n" in text, f"{meta.name} lacks '{line.strip()}'"


def test_a_guid_only_wav_meta_is_reported_and_rewritten_with_its_guid(tmp_path):
    package = tmp_path / "unity_package"
    package.mkdir()
    (package / "hit.wav").write_bytes(b"RIFF")
    (package / "hit.wav.meta").write_text("fileFormatVersion: 2\nguid: " + "ab" * 16 + "\n", encoding="utf-8")
    assert any("loadType: 0" in i for i in gen_meta.problems(package))
    gen_meta.generate(package)
    text = (package / "hit.wav.meta").read_text(encoding="utf-8")
    assert "guid: " + "ab" * 16 in text and "AudioImporter:" in text
    assert gen_meta.problems(package) == []
