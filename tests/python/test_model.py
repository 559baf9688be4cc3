"""The Keras MusicVAE: canonical weights, LSTM layout, masking, decoder consistency, Magenta's loss."""
import math

import numpy as np
import pytest

keras = pytest.importorskip("keras", reason="needs the `train` extra")

from riffforge.checkpoint.magenta import canonical_shapes, random_canonical_weights  # noqa: E402
from riffforge.configs import get_config  # noqa: E402
from riffforge.model import WeightsMismatchError, build_model, keras_to_magenta_lstm, magenta_to_keras_lstm  # noqa: E402
from riffforge.training import schedules  # noqa: E402

TINY = ["tiny-drums_2bar", "tiny-mel_2bar", "tiny-mel_2bar_chords", "tiny-mel_4bar", "tiny-trio_4bar", "tiny-trio_2bar"]


def _controls(cfg, rng, batch):
    if not cfg.control_depth:
        return None
    c = np.zeros((batch, cfg.max_seq_len, cfg.control_depth), np.float32)
    c[np.arange(batch)[:, None], np.arange(cfg.max_seq_len)[None], rng.integers(0, cfg.control_depth,
                                                                                  (batch, cfg.max_seq_len))] = 1
    return c


@pytest.mark.parametrize("name", TINY + ["cat-drums_2bar_small", "cat-mel_2bar_small"])
def test_canonical_names_and_shapes_match_the_importer(name):
    """Same variable set and shapes as riffforge.checkpoint's Magenta mapping (the runtime's contract)."""
    cfg = get_config(name)
    model = build_model(cfg)
    assert model.canonical_shapes() == {k: tuple(v) for k, v in canonical_shapes(cfg).items()}
    # every canonical variable is trained, and nothing else is
    assert {id(v) for v in model.canonical_variables().values()} == {id(v) for v in model.trainable_variables}


def test_hierarchical_trio_uses_magentas_scopes():
    names = set(build_model(get_config("tiny-trio_4bar")).canonical_variables())
    assert "decoder/hierarchical_level_0/cell_1/lstm_cell/recurrent_kernel" in names
    assert "decoder/hierarchical_level_0/initial_state/kernel" in names
    for k in range(3):
        assert f"core_decoder/core_decoder_{k}/decoder/multi_rnn_cell/cell_0/lstm_cell/kernel" in names
        assert f"core_decoder/core_decoder_{k}/decoder/output_projection/bias" in names
    assert "encoder/cell_1/bidirectional_rnn/bw/multi_rnn_cell/cell_0/lstm_cell/bias" in names


def test_set_get_canonical_round_trip_and_clear_errors():
    cfg = get_config("tiny-mel_4bar")
    weights = random_canonical_weights(cfg, seed=3)
    model = build_model(cfg)
    model.set_canonical_weights(weights)
    got = model.get_canonical_weights()
    assert set(got) == set(weights)
    for k in weights:
        np.testing.assert_array_equal(got[k], weights[k].astype(np.float32))
    bad = dict(weights)
    bad["encoder/mu/kernel"] = np.zeros((3, 3), np.float32)
    with pytest.raises(WeightsMismatchError) as err:
        model.set_canonical_weights(bad, source="x.npz")
    msg = str(err.value)
    assert "encoder/mu/kernel" in msg and "(3, 3)" in msg and str(tuple(weights["encoder/mu/kernel"].shape)) in msg
    missing = dict(weights)
    del missing["decoder/hierarchical_level_0/initial_state/bias"]
    with pytest.raises(WeightsMismatchError, match="missing 1 variable.*initial_state/bias"):
        model.set_canonical_weights(missing)
    # a failed load leaves the model untouched
    np.testing.assert_array_equal(model.get_canonical_weights()["encoder/mu/kernel"], weights["encoder/mu/kernel"])


def _block_cell_reference(x, c, h, kernel, bias, forget_bias=1.0):
    """Magenta's LSTMBlockCell math: gates i, j(=c~), f, o on [x, h] @ W + b."""
    z = np.concatenate([x, h], -1) @ kernel + bias
    i, j, f, o = np.split(z, 4, axis=-1)
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    c_new = c * sig(f + forget_bias) + sig(i) * np.tanh(j)
    return c_new, np.tanh(c_new) * sig(o)


def test_lstm_conversion_matches_lstm_block_cell_math():
    from riffforge.model.lstm import LstmCell

    rng = np.random.default_rng(0)
    units, in_dim = 5, 3
    kernel = rng.standard_normal((in_dim + units, 4 * units)).astype(np.float32)
    bias = rng.standard_normal(4 * units).astype(np.float32)
    k, rk, b = magenta_to_keras_lstm(kernel, bias)
    cell = LstmCell(units, in_dim)
    cell.kernel.assign(k)
    cell.recurrent_kernel.assign(rk)
    cell.bias.assign(b)
    x = rng.standard_normal((2, in_dim)).astype(np.float32)
    c = rng.standard_normal((2, units)).astype(np.float32)
    h = rng.standard_normal((2, units)).astype(np.float32)
    c_ref, h_ref = _block_cell_reference(x, c, h, kernel, bias)
    c_new, h_new = cell.step(cell.input_projection(x), (c, h))
    np.testing.assert_allclose(np.asarray(c_new), c_ref, atol=1e-5)
    np.testing.assert_allclose(np.asarray(h_new), h_ref, atol=1e-5)
    k2, b2 = keras_to_magenta_lstm(k, rk, b)
    np.testing.assert_allclose(k2, kernel)
    np.testing.assert_allclose(b2, bias, atol=1e-6)


@pytest.mark.parametrize("name", ["tiny-mel_2bar_chords", "tiny-trio_4bar"])
def test_encoder_ignores_steps_past_each_length(name):
    cfg = get_config(name)
    model = build_model(cfg)
    model.set_canonical_weights(random_canonical_weights(cfg, seed=1, scale=1.0))
    rng = np.random.default_rng(2)
    x = rng.random((2, cfg.max_seq_len, cfg.input_depth)).astype(np.float32)
    c = _controls(cfg, rng, 2)
    lengths = np.array([cfg.max_seq_len, 9], np.int32)
    mu, sigma = model.encode(x, lengths, c)
    x2 = x.copy()
    x2[1, 9:] = rng.random(x2[1, 9:].shape)  # garbage past the end must not matter
    mu2, sigma2 = model.encode(x2, lengths, c)
    np.testing.assert_allclose(np.asarray(mu), np.asarray(mu2), atol=1e-6)
    np.testing.assert_allclose(np.asarray(sigma), np.asarray(sigma2), atol=1e-6)
    # ... and the length does matter (the backward direction starts at the last valid step)
    mu3, _ = model.encode(x, np.array([cfg.max_seq_len, 10], np.int32), c)
    assert not np.allclose(np.asarray(mu)[1], np.asarray(mu3)[1])


@pytest.mark.parametrize("name", TINY)
def test_teacher_forcing_on_own_greedy_samples_reproduces_sampling_logits(name):
    """Feeding the greedy samples back with teacher forcing must give the very same logits: checks the
    shifted inputs, segment start inputs (hierarchical) and per-head inputs (trio) of both paths."""
    cfg = get_config(name)
    model = build_model(cfg)
    model.set_canonical_weights(random_canonical_weights(cfg, seed=4, scale=1.5))
    rng = np.random.default_rng(3)
    z = rng.standard_normal((3, cfg.z_size)).astype(np.float32)
    c = _controls(cfg, rng, 3)
    classes, logits = model.sample(z, c, temperature=None)
    classes = np.asarray(classes)
    assert classes.shape == (3, cfg.max_seq_len, len(cfg.output_depths))
    assert len(set(classes.reshape(-1).tolist())) > 1  # not a degenerate constant decode
    tf_logits = model.decoder_logits(classes, z, c)
    for a, b in zip(logits, tf_logits):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-4)
    # scheduled sampling with probability 0 is teacher forcing
    sched = model.decoder_logits(classes, z, c, sampling_probability=0.0, scheduled=True)
    for a, b in zip(sched, tf_logits):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-5)


def test_temperature_sampling_is_seeded_and_varies():
    cfg = get_config("tiny-drums_2bar")
    model = build_model(cfg)
    model.set_canonical_weights(random_canonical_weights(cfg, seed=4, scale=0.5))
    z = np.zeros((4, cfg.z_size), np.float32)
    a, _ = model.sample(z, temperature=1.0, seed=7)
    b, _ = model.sample(z, temperature=1.0, seed=7)
    c, _ = model.sample(z, temperature=1.0, seed=8)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))


def test_loss_terms_are_magentas():
    cfg = get_config("tiny-drums_2bar").replace(free_bits=2.0, max_beta=0.5, beta_rate=0.9)
    model = build_model(cfg)
    rng = np.random.default_rng(0)
    B, T = 4, cfg.max_seq_len
    targets = rng.integers(0, 512, (B, T, 1)).astype(np.int32)
    inputs = rng.random((B, T, cfg.input_depth)).astype(np.float32)
    lengths = np.array([T, T, 20, 5], np.int32)
    eps = rng.standard_normal((B, cfg.z_size)).astype(np.float32)
    terms = model.losses_for_batch(inputs, targets, lengths, step=3, training=False, eps=eps)
    mu, sigma = (np.asarray(t, np.float64) for t in model.encode(inputs, lengths))
    z = mu + sigma * eps
    logits = np.asarray(model.decoder_logits(targets, z.astype(np.float32))[0], np.float64)
    logp = logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True)) \
        - logits.max(-1, keepdims=True)
    ce = -np.take_along_axis(logp, targets, -1)[..., 0]
    mask = np.arange(T)[None] < lengths[:, None]
    r_loss = (ce * mask).sum(1)
    kl = (0.5 * (mu ** 2 + sigma ** 2 - 1) - np.log(sigma)).sum(1)
    kl_cost = np.maximum(kl - 2.0 * math.log(2.0), 0)
    beta = (1 - 0.9 ** 3) * 0.5
    np.testing.assert_allclose(float(terms["r_loss"]), r_loss.mean(), rtol=1e-4)
    np.testing.assert_allclose(float(terms["kl_loss"]), kl_cost.mean(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(float(terms["beta"]), beta, rtol=1e-6)
    np.testing.assert_allclose(float(terms["loss"]), r_loss.mean() + beta * kl_cost.mean(), rtol=1e-4)
    acc = ((logits.argmax(-1) == targets[..., 0]) * mask).sum() / mask.sum()
    np.testing.assert_allclose(float(terms["accuracy"]), acc, atol=1e-6)


def test_schedules():
    cfg = get_config("cat-mel_2bar_small")
    assert float(schedules.beta(cfg, 0)) == 0.0
    # float32 like Magenta's tf.pow(beta_rate, to_float(global_step)) (0.99999 is not exact in float32)
    f32 = (np.float32(1) - np.power(np.float32(0.99999), np.float32(1000))) * np.float32(0.2)
    np.testing.assert_allclose(float(schedules.beta(cfg, 1000)), f32, rtol=1e-4)
    np.testing.assert_allclose(float(schedules.learning_rate(cfg, 5000)), (1e-3 - 1e-5) * 0.9999 ** 5000 + 1e-5,
                               rtol=2e-4)  # float32 pow, as in Magenta
    np.testing.assert_allclose(float(schedules.sampling_probability(cfg, 5000)),
                               1 - 1000 / (1000 + math.exp(5)), rtol=1e-5)
    assert schedules.uses_scheduled_sampling(cfg)
    assert not schedules.uses_scheduled_sampling(get_config("hierdec-mel_16bar"))
    drums = get_config("cat-drums_2bar_small")  # beta_rate 0: full beta from step 1
    assert float(schedules.beta(drums, 1)) == pytest.approx(0.2)
    lr = schedules.MagentaLearningRate(1e-3, 0.9999, 1e-5, step_offset=100)
    np.testing.assert_allclose(float(lr(0)), (1e-3 - 1e-5) * 0.9999 ** 100 + 1e-5, rtol=1e-4)
