"""The in-engine runtime's style table and render vectors stay in step with the Python runtime.

The C# rendering (``RiffForge.Engine.EngineRender`` / ``EngineFeel`` / ``StyleTable``) reads the package's
``styles.json`` and is tested against ``tests/vectors/engine/render.json``; both are written from the Python
tables and renderer, so a change there must regenerate them (the messages say how).
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from riffforge.music.riff import STYLES
from riffforge.music.styles import STYLE_SPECS
from riffforge.music.theory import MODES, TUNINGS
from riffforge.runtime.engine_styles import style_table, style_table_json

ROOT = Path(__file__).resolve().parents[2]
STYLES_JSON = ROOT / "unity_package" / "Runtime" / "Resources" / "RiffForgeEngine" / "styles.json"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_styles_json_equals_a_fresh_style_table():
    assert STYLES_JSON.read_text(encoding="utf-8") == style_table_json(), (
        f"{STYLES_JSON.relative_to(ROOT)} is stale: run python build/engine_assets.py")
    meta = STYLES_JSON.with_name("styles.json.meta").read_text(encoding="utf-8")
    # Unity imports .json as a Text Asset (https://docs.unity3d.com/Manual/class-TextAsset.html)
    assert "TextScriptImporter" in meta


def test_build_script_writes_the_style_table():
    engine_assets = _load(ROOT / "build" / "engine_assets.py", "engine_assets_for_styles_test")
    assert engine_assets.style_assets() == {"styles.json": style_table_json().encode("utf-8")}
    assert engine_assets.style_assets in engine_assets.PRODUCERS


def test_style_table_is_the_python_tables_in_their_order():
    table = json.loads(style_table_json())
    assert table == style_table()
    assert [s["name"] for s in table["styles"]] == list(STYLES)
    for entry in table["styles"]:
        spec = STYLE_SPECS[entry["name"]]
        assert tuple(entry["tempo"]) == spec.tempo
        assert [tuple(t) for t in entry["tunings"]] == list(spec.tunings)  # order decides the weighted draw
        assert [tuple(m) for m in entry["modes"]] == list(spec.modes)
        assert (entry["chord_p"], entry["pedal_chord_p"]) == (spec.chord_p, spec.pedal_chord_p)
    for entry in table["tunings"]:
        t = TUNINGS[entry["name"]]
        assert (entry["lowest"], entry["highest"], entry["bass_lowest"], entry["bass_highest"]) == (
            t.lowest, t.highest, t.bass_lowest, t.bass_highest)
    assert {m["name"]: tuple(m["intervals"]) for m in table["modes"]} == MODES
    assert table["melody"] == {"min_pitch": 21, "max_pitch": 108, "no_event_class": 0, "note_off_class": 1,
                               "num_classes": 90}
    assert table["drums"]["type_pitches"] == [36, 38, 42, 46, 45, 48, 50, 49, 51]


def test_committed_render_vectors_equal_a_fresh_regeneration():
    make = _load(ROOT / "tests" / "vectors" / "make_engine_render_vectors.py", "make_engine_render_vectors")
    assert make.OUT.read_bytes() == make.render(), (
        "tests/vectors/engine/render.json is stale: run python tests/vectors/make_engine_render_vectors.py")


def test_render_vectors_exercise_every_branch_they_claim():
    vectors = json.loads((ROOT / "tests" / "vectors" / "engine" / "render.json").read_text(encoding="utf-8"))
    cases = vectors["render"]
    assert {c["style"] for c in cases} == set(STYLES)
    assert {c["bars"] for c in cases} >= {1, 2, 4, 8, 16}
    assert {(c["separate_keys"], c["bass_follows"]) for c in cases} == {(False, False), (True, True), (True, False)}
    # the voicing drew (chords are voiced) and some notes became chords
    assert sum(c["voicing_seed"] != c["voicing_state_after"] for c in cases) > 50
    chords = sum(len(c["tracks"].get("guitar", [])) > len({n[0] for n in c["tracks"].get("guitar", [])}) for c in cases)
    assert chords > 40
    # the bass doubles the guitar where it has no line, and a guitar of rests gives an empty guitar track
    assert any("bass" not in c["heads"] and "bass" in c["tracks"] for c in cases)
    assert any(c["tracks"].get("guitar") == [] for c in cases)
    feel = vectors["feel"]
    assert {f["feel"]["tuning"] for f in feel} >= {"E standard", "7-string", "drop B"}
    assert any(f["key"] is None and f["tempo"] is None for f in feel)
    assert any(f["key"] == "Bb" and f["feel"]["key"] == "Bb" for f in feel)
