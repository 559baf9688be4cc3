"""riffforge.configs: Magenta's hyper-parameters by name, tiny variants, clear errors."""
import pytest

from riffforge.configs import CONFIGS, MAGENTA_CONFIG_NAMES, ConfigError, MusicVAEConfig, get_config


def test_all_magenta_names_present():
    assert set(MAGENTA_CONFIG_NAMES) == {
        "cat-drums_2bar_small", "cat-drums_2bar_big", "cat-mel_2bar_small", "cat-mel_2bar_big",
        "cat-mel_2bar_med_chords", "hierdec-mel_16bar", "hierdec-trio_16bar"}


def test_cat_drums_2bar_small_matches_magenta():
    c = get_config("cat-drums_2bar_small")
    assert (c.z_size, c.enc_rnn_size, c.dec_rnn_size) == (256, (512,), (256, 256))
    assert (c.free_bits, c.max_beta, c.beta_rate) == (48, 0.2, 0.0)
    assert (c.learning_rate, c.decay_rate, c.min_learning_rate) == (0.001, 0.9999, 0.00001)
    assert (c.sampling_schedule, c.sampling_rate) == ("inverse_sigmoid", 1000)
    assert (c.input_depth, c.output_depths, c.max_seq_len, c.batch_size) == (10, (512,), 32, 512)


def test_mel_and_hierarchical_configs():
    m = get_config("cat-mel_2bar_big")
    assert (m.z_size, m.enc_rnn_size, m.dec_rnn_size, m.max_beta, m.beta_rate) == (
        512, (2048,), (2048, 2048, 2048), 0.5, 0.99999)
    ch = get_config("cat-mel_2bar_med_chords")
    assert (ch.control_depth, ch.enc_rnn_size, ch.dec_rnn_size, ch.free_bits, ch.max_beta) == (
        49, (1024,), (512, 512, 512), 0.0, 1.0)
    t = get_config("hierdec-trio_16bar")
    assert t.hierarchical and t.level_lengths == (16, 16) and t.output_depths == (90, 90, 512)
    assert (t.batch_size, t.input_depth, t.free_bits, t.sampling_schedule) == (256, 692, 256, "constant")
    assert t.bars == 16 and t.segment_length == 16


def test_unknown_name_lists_known_ones():
    with pytest.raises(ConfigError) as e:
        get_config("cat-drums_3bar")
    assert "cat-drums_3bar" in str(e.value) and "cat-drums_2bar_small" in str(e.value)


def test_frozen_and_roundtrip():
    c = get_config("tiny-trio_4bar")
    with pytest.raises(Exception):
        c.z_size = 3  # type: ignore[misc]
    assert MusicVAEConfig.from_dict(c.to_dict()) == c
    for cfg in CONFIGS.values():
        assert MusicVAEConfig.from_dict(cfg.to_dict()) == cfg


def test_inconsistent_config_names_field():
    with pytest.raises(ConfigError, match="level_lengths"):
        get_config("tiny-mel_4bar").replace(level_lengths=(3, 16))
    with pytest.raises(ConfigError, match="unknown field"):
        MusicVAEConfig.from_dict({**get_config("tiny-drums_2bar").to_dict(), "zsize": 3})


def test_band_trio_config_is_not_a_magenta_name():
    c = get_config("band-trio_2bar")
    assert c.hierarchical and c.level_lengths == (2, 16) and c.output_depths == (90, 90, 512)
    assert c.dec_rnn_size == (256, 256) and "band-trio_2bar" not in MAGENTA_CONFIG_NAMES
