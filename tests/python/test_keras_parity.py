"""Keras MusicVAE == real Magenta 2.1.4 on every fixture in ../shared/fixtures/magenta.

Each checkpoint goes through `riffforge import-magenta` (TF-free) into a RUN directory, is loaded into the
Keras model with ``set_canonical_weights``, and must reproduce Magenta's golden values: encoder mu and
sigma (1e-4), greedy decoded classes (identical) and the logits along that path (1e-4). The same weights
must also survive a Keras round trip (get_canonical_weights) bit for bit.
"""
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("keras", reason="needs the `train` extra")

from riffforge.cli import main  # noqa: E402
from riffforge.configs import get_config  # noqa: E402
from riffforge.model import build_model  # noqa: E402
from riffforge.training.rundir import load_run  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "magenta"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "golden.json").is_file()) if FIXTURES.is_dir() else []


def test_fixtures_are_present():
    assert {"cat-drums_2bar_small", "cat-mel_2bar_small"} <= set(NAMES), f"fixtures missing under {FIXTURES}"


@pytest.fixture(scope="module", params=NAMES)
def imported(request, tmp_path_factory):
    name = request.param
    out = tmp_path_factory.mktemp(name) / "run"
    assert main(["import-magenta", str(FIXTURES / name / "checkpoint"), "--config", name, "--out", str(out)]) == 0
    weights, meta = load_run(out)
    model = build_model(get_config(meta["config"]))
    model.set_canonical_weights(weights)
    golden = json.loads((FIXTURES / name / "golden.json").read_text())
    return name, model, weights, golden


def test_encoder_mu_sigma_match_magenta(imported):
    name, model, _, golden = imported
    assert golden["config"] == name and golden["encode"]
    x = np.stack([np.array(e["input_tensor"], np.float32) for e in golden["encode"]])
    mu, sigma = model.encode(x, np.full((len(x),), x.shape[1], np.int32))
    np.testing.assert_allclose(np.asarray(mu), np.array([e["mu"] for e in golden["encode"]]), atol=1e-4)
    np.testing.assert_allclose(np.asarray(sigma), np.array([e["sigma"] for e in golden["encode"]]), atol=1e-4)


def test_greedy_decode_classes_and_logits_match_magenta(imported):
    _, model, _, golden = imported
    assert golden["decode"]
    z = np.stack([np.array(d["z"], np.float32) for d in golden["decode"]])
    temperature = golden["decode"][0]["temperature"]
    classes, logits = model.sample(z, temperature=temperature)
    classes = np.asarray(classes)[:, :, 0]
    for i, d in enumerate(golden["decode"]):
        assert classes[i].tolist() == d["classes"], f"decode[{i}] classes differ"
        np.testing.assert_allclose(np.asarray(logits[0])[i], np.array(d["logits"]), atol=1e-4)


def test_canonical_weights_round_trip_exactly(imported):
    _, model, weights, _ = imported
    got = model.get_canonical_weights()
    assert set(got) == set(weights)
    for k, v in weights.items():
        np.testing.assert_array_equal(got[k], v)


def test_teacher_forced_accuracy_on_golden_examples_is_high(imported):
    """The 300-step fixtures reconstruct their own golden inputs better than chance (sanity: the encoder
    and teacher-forced decoder paths, not only the sampler, are wired to Magenta's weights)."""
    _, model, _, golden = imported
    x = np.stack([np.array(e["input_tensor"], np.float32) for e in golden["encode"]])
    t = np.stack([np.array(e["output_classes"], np.int32) for e in golden["encode"]])[..., None]
    mu, _ = model.encode(x)
    logits = np.asarray(model.decoder_logits(t, mu)[0])
    acc = float((logits.argmax(-1) == t[..., 0]).mean())
    chance = 1.0 / logits.shape[-1]
    assert acc > 10 * chance, acc
