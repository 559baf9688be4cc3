"""The engine model file (``.rfem``) the in-engine C# runtime loads: round trip, errors, export, committed assets
and decode vectors in step with the Python runtime."""
import importlib.util
import json
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from riffforge.cli import main
from riffforge.configs import get_config
from riffforge.runtime import load_bundle, random_canonical_weights
from riffforge.runtime.bundle import read_bundle_arrays
from riffforge.runtime.engine_file import (ENGINE_FILE, FORMAT_VERSION, EngineFileError, engine_model_bytes,
                                           parse_engine_model, read_engine_model, write_engine_model)
from riffforge.training.rundir import save_json, save_weights

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "python_sidecar" / "riffforge" / "models"


def _load_script(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, dtype", [("metal-guitar", np.float32), ("metal-bass", np.float16),
                                         ("metal-drums", np.float16)])
def test_round_trip_keeps_decoder_and_controls_in_the_bundles_dtype(tmp_path, name, dtype):
    path = write_engine_model(MODELS / name, tmp_path / "m.rfem")
    header, arrays = read_engine_model(path)
    info, config, role, weights, controls = read_bundle_arrays(MODELS / name)
    assert header["model_id"] == name and header["role"] == role
    cfg = header["config"]
    assert (cfg["z_size"], cfg["max_seq_len"], cfg["output_depth"], cfg["control_depth"], cfg["bars"],
            cfg["steps_per_bar"]) == (config.z_size, config.max_seq_len, config.output_depth,
                                      config.control_depth, 2, 16)
    assert cfg["dec_rnn_size"] == [256, 256] and cfg["level_lengths"] == []
    decoder = [k for k in weights if k.startswith("decoder/")]
    assert sorted(k for k in arrays if not k.startswith("control/")) == sorted(decoder)  # no encoder
    for k in decoder:
        assert arrays[k].dtype == dtype
        np.testing.assert_array_equal(arrays[k].astype(np.float32), weights[k])
    assert header["controls"] == sorted(controls)
    for k, v in controls.items():
        assert arrays["control/" + k].dtype == np.float32
        np.testing.assert_array_equal(arrays["control/" + k], v)
    data = path.read_bytes()
    assert data[:4] == b"RFEM" and struct.unpack_from("<I", data, 4)[0] == FORMAT_VERSION
    start = (12 + struct.unpack_from("<I", data, 8)[0] + 15) // 16 * 16
    assert all((start + e["offset"]) % 16 == 0 for e in header["arrays"])
    assert engine_model_bytes(load_bundle(MODELS / name)) == data, "deterministic; a Bundle or a folder"


@pytest.fixture(scope="module")
def bass_bytes():
    return engine_model_bytes(MODELS / "metal-bass")


def _error(data, match):
    with pytest.raises(EngineFileError, match=match) as info:
        parse_engine_model(data, "metal-bass.bytes")
    message = str(info.value)
    assert message.startswith("metal-bass.bytes: ") and "build/engine_assets.py" in message
    assert "\n" not in message
    return message


def test_bad_magic_names_the_field(bass_bytes):
    _error(b"PK\x03\x04" + bass_bytes[4:], r"field 'magic' is b'PK\\x03\\x04', expected b'RFEM'")


def test_other_version_names_the_field(bass_bytes):
    data = bytearray(bass_bytes)
    struct.pack_into("<I", data, 4, 2)
    _error(bytes(data), r"field 'format_version' is 2, this runtime reads 1")


def test_truncated_files_name_what_is_cut(bass_bytes):
    _error(bass_bytes[:5], r"truncated \(5 bytes")
    _error(bass_bytes[:200], r"truncated: field 'header_len'")
    _error(bass_bytes[:-8], r"truncated: array 'control/")


def test_malformed_header_is_named(bass_bytes):
    header_len = struct.unpack_from("<I", bass_bytes, 8)[0]
    broken = bytearray(bass_bytes)
    broken[12] = ord("[")
    _error(bytes(broken), r"field 'header' is not UTF-8 JSON")
    other = json.dumps({"format": "other"}).encode()
    _error(b"RFEM" + struct.pack("<II", 1, len(other)) + other, r"field 'header.format' is 'other'")
    assert header_len > 100


def test_reading_a_missing_file_names_it(tmp_path):
    with pytest.raises(EngineFileError, match=r"nothing\.rfem: cannot read the engine model"):
        read_engine_model(tmp_path / "nothing.rfem")


def test_export_writes_the_engine_file_beside_the_bundle(tmp_path, capsys):
    name = "tiny-drums_2bar"
    run = tmp_path / "run"
    save_weights(run, random_canonical_weights(get_config(name), seed=0, scale=2.0))
    save_json(run / "run.json", {"config": name, "step": 1, "source": "riffforge-train"})
    out = tmp_path / "bundle"
    assert main(["export", str(run), "--out", str(out), "--calibration-samples", "16"]) == 0
    capsys.readouterr()
    header, arrays = read_engine_model(out / ENGINE_FILE)
    bundle = load_bundle(out)  # the extra file does not disturb the bundle
    assert header["model_id"] == "bundle" and header["role"] == bundle.role
    assert header["config"]["name"] == name
    np.testing.assert_array_equal(arrays["decoder/output_projection/bias"],
                                  read_bundle_arrays(out)[3]["decoder/output_projection/bias"])


def test_committed_engine_assets_are_up_to_date():
    engine_assets = _load_script(ROOT / "build" / "engine_assets.py", "engine_assets_under_test")
    assert engine_assets.stale() == [], "run python build/engine_assets.py"
    for name in engine_assets.ENGINE_MODELS:
        meta = engine_assets.OUT / (name + ".meta")
        assert meta.read_text(encoding="utf-8") == engine_assets.meta_for(engine_assets.OUT / name)


def test_committed_decode_vectors_equal_a_fresh_regeneration():
    """Inputs (codes, controls, Gumbel noise) and classes exactly; logits to 1e-6, since a BLAS on another CPU
    may sum in another order."""
    make = _load_script(ROOT / "tests" / "vectors" / "make_engine_decode_vectors.py", "engine_decode_vectors")
    for name in make.BUNDLES:
        assert make.differences(name) == [], "run python tests/vectors/make_engine_decode_vectors.py"
        index, _ = make.build(name)
        assert len(index["cases"]) == 9 and sum(c["gumbel"] is None for c in index["cases"]) == 3
        assert (index["control_depth"] > 0) == (name == "metal-bass")


def test_vector_check_catches_a_changed_class(tmp_path, monkeypatch):
    make = _load_script(ROOT / "tests" / "vectors" / "make_engine_decode_vectors.py", "engine_decode_vectors")
    for name in ("metal-guitar",):
        for file in (f"decode_{name}.json", f"decode_{name}.bin"):
            (tmp_path / file).write_bytes((make.OUT / file).read_bytes())
    text = json.loads((tmp_path / "decode_metal-guitar.json").read_text())
    text["cases"][0]["classes"][5] += 1
    (tmp_path / "decode_metal-guitar.json").write_text(json.dumps(text))
    monkeypatch.setattr(make, "OUT", tmp_path)
    monkeypatch.setattr(make, "ROOT", tmp_path)
    assert make.differences("metal-guitar") == ["decode_metal-guitar.json: cases differ"]
