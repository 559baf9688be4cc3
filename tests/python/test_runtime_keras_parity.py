"""The NumPy runtime and the Keras model agree on the same canonical weights (every architecture kind).

Magenta fixtures only exist for flat decoders; this covers hierarchical, split trio and chord-conditioned
decoders and multi-layer / variable-length encoders against the training engineer's Keras model.
"""
import numpy as np
import pytest

keras_model = pytest.importorskip("riffforge.model", reason="needs the `train` extra (Keras)")

from riffforge.configs import get_config  # noqa: E402
from riffforge.runtime import MusicVAE, random_canonical_weights  # noqa: E402


@pytest.mark.parametrize("name", ["tiny-drums_2bar", "tiny-mel_2bar_chords", "tiny-mel_4bar", "tiny-trio_4bar"])
def test_greedy_decode_and_encode_match_keras(name):
    cfg = get_config(name)
    weights = random_canonical_weights(cfg, seed=11, scale=1.5)
    ours = MusicVAE(cfg, weights)
    theirs = keras_model.build_model(cfg)
    theirs.set_canonical_weights(weights)
    rng = np.random.default_rng(5)
    B, T = 3, cfg.max_seq_len
    z = rng.standard_normal((B, cfg.z_size)).astype(np.float32) * 2
    controls = None
    if cfg.control_depth:
        controls = np.zeros((B, T, cfg.control_depth), np.float32)
        controls[np.arange(B)[:, None], np.arange(T)[None], rng.integers(0, cfg.control_depth, (B, T))] = 1
    k_classes, k_logits = theirs.sample(z, controls, temperature=None)
    r = ours.decode(z, temperature=1e-5, controls=controls, return_logits=True)
    np.testing.assert_array_equal(r.classes, np.asarray(k_classes))
    np.testing.assert_allclose(r.logits, np.concatenate([np.asarray(l) for l in k_logits], axis=-1), atol=1e-4)
    # encoder, with ragged lengths
    inputs = rng.random((B, T, cfg.input_depth)).astype(np.float32)
    lengths = np.array([T, T - 5, 7])
    k_mu, k_sigma = theirs.encode(inputs, lengths, controls)
    mu, sigma = ours.encode(inputs, lengths, controls)
    np.testing.assert_allclose(mu, np.asarray(k_mu), atol=1e-4)
    np.testing.assert_allclose(sigma, np.asarray(k_sigma), atol=1e-4)
