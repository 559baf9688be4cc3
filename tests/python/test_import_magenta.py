"""`riffforge import-magenta` and the Magenta -> canonical mapping, checked against Magenta's own outputs."""
import json
from pathlib import Path

import numpy as np
import pytest

from riffforge.checkpoint import MappingError, canonical_to_magenta, magenta_shapes, magenta_to_canonical, read_checkpoint
from riffforge.cli import main
from riffforge.configs import CONFIGS, get_config
from riffforge.runtime import MusicVAE, canonical_shapes, random_canonical_weights
from riffforge.training.rundir import load_run

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / ".." / "shared" / "fixtures" / "magenta"
NAMES = ["cat-drums_2bar_small", "cat-mel_2bar_small"]


@pytest.mark.parametrize("name", NAMES)
def test_cli_import_then_parity_with_magenta_golden(name, tmp_path):
    out = tmp_path / "run"
    assert main(["import-magenta", str(FIXTURES / name / "checkpoint"), "--config", name, "--out", str(out)]) == 0
    weights, meta = load_run(out)
    assert meta["config"] == name and meta["source"] == "magenta-import" and meta["step"] == 300
    assert {k: v.shape for k, v in weights.items()} == dict(canonical_shapes(get_config(name)))
    golden = json.loads((FIXTURES / name / "golden.json").read_text())
    model = MusicVAE(get_config(name), weights)
    for ex in golden["encode"]:
        mu, sigma = model.encode(np.array(ex["input_tensor"], np.float32)[None])
        np.testing.assert_allclose(mu[0], ex["mu"], atol=1e-4)
        np.testing.assert_allclose(sigma[0], ex["sigma"], atol=1e-4)
    for ex in golden["decode"]:
        r = model.decode(np.array(ex["z"], np.float32)[None], temperature=ex["temperature"], return_logits=True)
        assert r.classes[0, :, 0].tolist() == ex["classes"]
        np.testing.assert_allclose(r.logits[0], np.array(ex["logits"]), atol=1e-4)


def test_lstm_layout_forget_bias_and_gate_order():
    cfg = get_config("cat-drums_2bar_small")
    v = read_checkpoint(FIXTURES / cfg.name / "checkpoint")
    w = magenta_to_canonical(v, cfg)
    scope = "decoder/multi_rnn_cell/cell_1/lstm_cell"
    H = 256
    mk, mb = v[f"{scope}/kernel"], v[f"{scope}/bias"]
    # Magenta i,j,f,o ; Keras i,f,c,o ; forget bias +1 in Keras f.
    np.testing.assert_array_equal(w[f"{scope}/kernel"][:, H:2 * H], mk[:256, 2 * H:3 * H])
    np.testing.assert_array_equal(w[f"{scope}/recurrent_kernel"][:, 2 * H:3 * H], mk[256:, H:2 * H])
    np.testing.assert_allclose(w[f"{scope}/bias"][H:2 * H], mb[2 * H:3 * H] + 1.0)
    back = canonical_to_magenta(w, cfg)
    for k in back:
        np.testing.assert_allclose(back[k], v[k], atol=1e-7)


@pytest.mark.parametrize("name", sorted(n for n in CONFIGS if n.startswith("tiny-")))
def test_roundtrip_all_tiny_architectures(name):
    cfg = get_config(name)
    w = random_canonical_weights(cfg, seed=3)
    m = canonical_to_magenta(w, cfg)
    assert {k: a.shape for k, a in m.items()} == dict(magenta_shapes(cfg))
    back = magenta_to_canonical(m, cfg)
    for k in w:
        np.testing.assert_allclose(back[k], w[k], atol=1e-6)


def test_magenta_names_for_hierarchical_trio():
    names = magenta_shapes(get_config("hierdec-trio_16bar"))
    assert names["decoder/hierarchical_level_0/cell_1/lstm_cell/kernel"] == (2048, 4096)
    assert names["decoder/hierarchical_level_0/initial_state/kernel"] == (512, 4096)
    assert names["core_decoder/core_decoder_2/decoder/multi_rnn_cell/cell_0/lstm_cell/kernel"] == (512 + 1024 + 1024, 4096)
    assert names["core_decoder/core_decoder_0/decoder/output_projection/kernel"] == (1024, 90)
    assert names["encoder/cell_1/bidirectional_rnn/bw/multi_rnn_cell/cell_0/lstm_cell/kernel"] == (4096 + 2048, 8192)


def test_unknown_and_missing_variables_are_named(tmp_path):
    cfg = get_config("tiny-drums_2bar")
    m = canonical_to_magenta(random_canonical_weights(cfg), cfg)
    m["decoder/extra/kernel"] = np.zeros((2, 2), np.float32)
    del m["encoder/mu/bias"]
    m["decoder/Adam"] = np.zeros(1)  # optimizer slots are ignored
    with pytest.raises(MappingError) as e:
        magenta_to_canonical(m, cfg)
    msg = str(e.value)
    assert "unknown variable(s) decoder/extra/kernel" in msg and "missing variable(s) encoder/mu/bias" in msg
    assert "decoder/Adam" not in msg


def test_cli_config_mismatch_is_one_clear_error(tmp_path, capsys):
    rc = main(["import-magenta", str(FIXTURES / "cat-drums_2bar_small" / "checkpoint"), "--config",
               "cat-mel_2bar_small", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert rc == 2 and "shape mismatch" in err and "decoder/output_projection/kernel: [256, 512]" in err
    rc = main(["import-magenta", str(tmp_path / "missing"), "--config", "cat-drums_2bar_small", "--out",
               str(tmp_path / "r")])
    assert rc == 2 and "no checkpoint here" in capsys.readouterr().err
    assert not (tmp_path / "r" / "weights.npz").exists()
