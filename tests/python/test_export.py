"""`riffforge export`: RUN -> bundle with metadata, corpus controls (intensity direction, style centroids)."""
import json
from pathlib import Path

import numpy as np
import pytest

from riffforge.cli import main
from riffforge.configs import get_config
from riffforge.corpus import shards as shard_io
from riffforge.encoding import encoding_info
from riffforge.runtime import load_bundle, random_canonical_weights
from riffforge.training.rundir import save_json, save_weights


def _run(tmp_path, name="tiny-drums_2bar", seed=0):
    run = tmp_path / "run"
    save_weights(run, random_canonical_weights(get_config(name), seed=seed, scale=2.0))
    save_json(run / "run.json", {"config": name, "step": 123, "source": "riffforge-train",
                                 "corpus": {"license": "CC BY 4.0", "attribution": "Groove MIDI Dataset"},
                                 "val_metrics": {"accuracy": 0.5}})
    return run


def _styled_corpus(root: Path, n=60):
    """A drums corpus whose sources are labelled (as `corpus build --manifest` writes them); 'thrash' windows are
    dense, 'doom' sparse."""
    (root / shard_io.SHARD_DIR).mkdir(parents=True)
    rng = np.random.default_rng(0)
    targets = np.zeros((n, 32, 1), np.int64)
    src = np.arange(n) % 2
    for i in range(n):
        if src[i] == 0:   # thrash: kick+snare+hat often
            targets[i, :, 0] = rng.choice([1, 3, 5, 7, 0], 32)
        else:             # doom: sparse
            targets[i, ::8, 0] = rng.choice([1, 2], 4)
    name = shard_io.shard_name("train", 0)
    size = shard_io.write_shard(root / shard_io.SHARD_DIR / name, targets, np.full(n, 32, np.int32),
                                src.astype(np.int32), None)
    manifest = {"format": shard_io.FORMAT, "format_version": shard_io.FORMAT_VERSION, "kind": "drums",
                "encoding": encoding_info("drums", 2), "shards": [{"file": name, "split": "train", "examples": n,
                                                                    "bytes": size}],
                "sources": [{"file": "a/riff_001.mid", "style": "thrash"}, {"file": "b/riff_002.mid", "style": "doom"}]}
    shard_io.write_json_atomic(root / shard_io.MANIFEST, manifest)
    return root


def test_export_with_corpus_controls(tmp_path, capsys):
    run = _run(tmp_path)
    corpus = _styled_corpus(tmp_path / "corpus")
    out = tmp_path / "bundle"
    assert main(["export", str(run), "--out", str(out), "--corpus", str(corpus), "--float16",
                 "--calibration-samples", "64"]) == 0
    report = json.loads(capsys.readouterr().out)
    b = load_bundle(out)
    assert b.role == "drums" and b.config.name == "tiny-drums_2bar"
    assert set(b.controls) >= {"intensity_direction", "energy_quantiles", "style/thrash", "style/doom"}
    md = b.metadata
    assert md["steps"] == 123 and md["val_metrics"] == {"accuracy": 0.5}
    assert md["license"] == "CC BY 4.0" and md["attribution"] == "Groove MIDI Dataset"
    assert len(md["corpus"]["manifest_sha256"]) == 64 and md["corpus"]["styles_found"] == ["doom", "thrash"]
    assert b.styles == ("thrash", "doom") and b.info["styles"] == ["thrash", "doom"]  # only what it can steer
    q = b.controls["energy_quantiles"]
    assert np.all(np.diff(q) >= 0)
    assert report["float16"] == report["float16_parity"]["classes_identical"]


def test_export_errors_are_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nope"), "--out", str(tmp_path / "b")]) == 2
    assert "no such RUN directory" in capsys.readouterr().err
    run = _run(tmp_path, "tiny-mel_2bar")
    corpus = _styled_corpus(tmp_path / "corpus")
    assert main(["export", str(run), "--out", str(tmp_path / "b"), "--corpus", str(corpus)]) == 2
    assert "does not fit config 'tiny-mel_2bar'" in capsys.readouterr().err


def test_export_magenta_import_round_trip(tmp_path):
    fixtures = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "magenta"
    run = tmp_path / "run"
    assert main(["import-magenta", str(fixtures / "cat-mel_2bar_small" / "checkpoint"), "--config",
                 "cat-mel_2bar_small", "--out", str(run)]) == 0
    assert main(["export", str(run), "--out", str(tmp_path / "guitar"), "--role", "guitar",
                 "--calibration-samples", "32"]) == 0
    b = load_bundle(tmp_path / "guitar")
    golden = json.loads((fixtures / "cat-mel_2bar_small" / "golden.json").read_text())
    for ex in golden["decode"]:
        assert b.model.decode(np.array(ex["z"], np.float32), 1e-5).classes[0, :, 0].tolist() == ex["classes"]
    assert b.metadata["source"] == "magenta-import" and b.metadata["steps"] == 300
