"""The band that plays together: guitar root line and its voicing, the guitar-conditioned bass, drum
vocabulary by style, and phrases longer than one chunk."""
import numpy as np
import pytest

from riffforge.configs import get_config
from riffforge.corpus.extract import extract_melodies
from riffforge.encoding.chords import root_line_controls
from riffforge.encoding import melody as mel_enc
from riffforge.generation import RiffRequest
from riffforge.metrics.metal import phrase_figures, window_figures
from riffforge.metrics.rhythm import blast_bars
from riffforge.music.riff import Note, Riff
from riffforge.runtime import load_generator, random_canonical_weights, save_bundle
from riffforge.runtime.generator import ModelGenerator, blast_bar_counts, compose, phrase_plan
from riffforge.runtime.render import render_drums, render_guitar, root_controls


def test_root_line_extraction_keeps_the_power_chords_root():
    # E5 (E2 B2 E3) on 1 and 3, a G5 on 2: the root line is E2 G2 E2, Magenta's top voice E3 G3 E3
    notes = []
    for s, root in ((0, 40), (4, 43), (8, 40)):
        notes += [(s, s + 4, root, 100), (s, s + 4, root + 7, 100), (s, s + 4, root + 12, 100)]
    def pitches(voice):
        (_, classes), = extract_melodies(notes, voice=voice)
        return [p for _, _, p in mel_enc.decode_melody([int(c) for c in classes])]
    assert pitches("root") == [40, 43, 40]
    assert pitches("top") == [52, 55, 52]
    with pytest.raises(ValueError, match="voice"):
        extract_melodies(notes, voice="middle")


def test_bass_controls_are_the_guitars_root_per_step_in_corpus_and_runtime_alike():
    notes = [(0, 2, 40, 100), (0, 2, 47, 100), (4, 8, 43, 100), (12, 14, 45, 100)]
    corpus = root_line_controls(notes, 32)
    assert corpus[0] == 1 + 4 and corpus[4] == 1 + 7 and corpus[12] == 1 + 9   # E, G, A in the major slot
    assert corpus[2] == corpus[0] and corpus[20] == corpus[12]                 # held through rests
    (_, classes), = extract_melodies(notes, voice="root", min_bars=1)
    padded = np.zeros(32, np.int64)
    padded[: len(classes)] = classes[:32]
    runtime = root_controls(padded, 49).argmax(1)
    assert list(runtime[: len(classes)]) == corpus[: len(classes)]
    assert root_controls(np.zeros(32, np.int64), 49)[:, 0].all()                # no note yet: "no chord"


def test_guitar_voicing_follows_the_style_probabilities():
    triples = [(s, s + 2, 40) for s in range(0, 32, 2) if s % 8] + [(s, s + 2, 45) for s in range(0, 32, 8)]
    scale = frozenset({4, 6, 7, 9, 11, 0, 2})   # E aeolian
    rng = np.random.default_rng(0)
    never = render_guitar(triples, 0, 40, 88, 40, 100, scale, chord_p=0.0, pedal_chord_p=0.0, rng=rng)
    assert len(never) == len(triples)
    always = render_guitar(triples, 0, 40, 88, 40, 100, scale, chord_p=1.0, pedal_chord_p=1.0, rng=rng)
    by_start = {}
    for n in always:
        by_start.setdefault(n.start, []).append(n.pitch)
    assert all(len(p) >= 2 and min(p) in (40, 45) for p in by_start.values())
    # a repeated figure is voiced identically: bar pair 2 equals bar pair 1
    some = render_guitar(triples * 1, 0, 40, 88, 40, 100, scale, 0.5, 0.2, np.random.default_rng(3))
    first = sorted((n.start % 32, n.pitch) for n in some)
    assert first == sorted((n.start, n.pitch) for n in some)


def test_phrase_plan_repeats_the_figure_and_ends_with_a_turnaround():
    rng = np.random.default_rng(1)
    assert phrase_plan(1, rng) == [((0, 0), (0, 1))]
    assert phrase_plan(2, rng) == [((0, 0), (0, 1)), ((0, 0), (1, 1))]
    plan = phrase_plan(4, rng)
    assert plan[0] == ((0, 0), (0, 1)) and plan[1] == ((0, 0), (1, 1)) and plan[3] == ((3, 0), (3, 1))
    chunks = [np.full(32, k) for k in range(4)]
    chunks = [np.concatenate([np.full(16, 10 * k), np.full(16, 10 * k + 1)]) for k in range(4)]
    bars = compose(chunks, plan).reshape(8, 16)[:, 0].tolist()
    assert bars[:4] == [0, 1, 0, 11] and bars[6:] == [30, 31]
    drums = compose(chunks, plan, drums=True).reshape(8, 16)[:, 0].tolist()
    assert drums == [0, 1, 0, 1, 0, 1, 0, 31]   # the groove holds; the last bar is the fill


def test_blast_counts_agree_with_the_blast_metric():
    rng = np.random.default_rng(5)
    classes = rng.integers(0, 512, (40, 32))
    classes[:5, :16] = 0b1 | 0b100000000           # kick + ride on every step: a blast bar
    for row in classes:
        r = Riff(tempo=120, bars=2, key="E", mode="aeolian", style="thrash", intensity=0.5, seed=0,
                 tracks={"drums": render_drums(row, 100)}, model_id="t", tuning="E standard")
        assert blast_bar_counts(row[None])[0] == sum(blast_bars(r))


@pytest.fixture(scope="module")
def conditioned_band(tmp_path_factory):
    """Tiny guitar, guitar-conditioned bass and drums bundles (random weights)."""
    root = tmp_path_factory.mktemp("cond")
    for role, name, seed in (("guitar", "tiny-mel_2bar", 1), ("bass", "tiny-mel_2bar_chords", 2),
                             ("drums", "tiny-drums_2bar", 3)):
        cfg = get_config(name)
        save_bundle(root / role, cfg, random_canonical_weights(cfg, seed=seed, scale=2.0), role=role)
    return root


def test_conditioned_bass_decodes_with_the_guitars_root_line(conditioned_band, monkeypatch):
    g = load_generator(conditioned_band)
    assert g._bass_conditioned()
    seen = {}
    bass_model = g.parts["bass"].model
    real = bass_model.decode

    def spy(z, *a, controls=None, **kw):
        seen["controls"] = controls
        return real(z, *a, controls=controls, **kw)

    monkeypatch.setattr(bass_model, "decode", spy)
    heads = g._decode_parts(RiffRequest(intensity=0.6, style="thrash", bars=4, seed=3), 0.6, 0.3,
                            np.random.default_rng(0))
    assert set(heads) == {"guitar", "bass", "drums"} and len(heads["bass"]) == 64
    want = np.stack([root_controls(heads["guitar"][k * 32:(k + 1) * 32], 49) for k in range(2)])
    assert np.array_equal(seen["controls"], want)
    r = g.generate(RiffRequest(intensity=0.6, style="groove", bars=8, seed=9))
    assert r.bars == 8 and set(r.tracks) == {"guitar", "bass", "drums"}
    assert r == g.generate(RiffRequest(intensity=0.6, style="groove", bars=8, seed=9))   # seeded
    a, b = g.generate(RiffRequest(intensity=0.3, style="thrash", seed=1)), g.generate(
        RiffRequest(intensity=0.8, style="thrash", seed=2))
    assert len(g.interpolate(a, b, 3)) == 3


def test_drum_vocabulary_keeps_blasts_out_of_thrash():
    g = ModelGenerator.__new__(ModelGenerator)
    classes = np.zeros((3, 32, 1), np.int64)
    classes[1, :16, 0] = 0b1 | 0b100000000
    bonus = g._vocabulary_bonus("thrash", classes, ("drums",), None)
    assert bonus[1] < bonus[0] == bonus[2] == 0
    assert g._vocabulary_bonus("death", classes, ("drums",), None) is None


def test_phrases_from_the_default_band_repeat_with_variation():
    g = load_generator()
    for seed in range(3):
        r = g.generate(RiffRequest(intensity=0.5, style="thrash", bars=8, seed=seed))
        p = phrase_figures(r)
        assert 2 <= p["distinct_bars"] <= 8 and p["repeat_two_back"] >= 1 / 6, p
        assert not np.isnan(window_figures(r)["kicks_per_bar"])


def test_a_blast_in_a_style_without_blasts_is_decoded_again_lower_on_the_intensity_axis(conditioned_band,
                                                                                         monkeypatch):
    g = load_generator(conditioned_band)
    d = g.parts["drums"]
    blast = np.full(32, 0b1 | 0b100000000)
    calm = np.zeros(32, np.int64)
    calm[::8] = 1
    asked = []

    class Result:
        def __init__(self, row):
            self.classes = row[None, :, None]

    def decode(z, temperature=1.0, rng=None, **kw):
        asked.append(z.copy())
        return Result(calm)

    monkeypatch.setattr(d.model, "decode", decode)
    noise = np.zeros(d.config.z_size, np.float32)
    rng = np.random.default_rng(0)
    kept = g._keep_vocabulary(d, "thrash", 0.9, 0.5, rng, blast, noise)
    assert np.array_equal(kept, calm) and len(asked) == 1
    assert np.allclose(asked[0], g._latents(d, "thrash", 0.7, 1, rng, noise[None]))   # 0.2 lower
    assert g._keep_vocabulary(d, "death", 0.9, 0.5, rng, blast, noise) is blast        # death keeps its blasts
    assert g._keep_vocabulary(d, "thrash", 0.9, 0.5, rng, calm, noise) is calm and len(asked) == 1
