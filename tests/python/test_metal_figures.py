"""Real-Metal figures (riffforge.metrics.metal) and the procedural corpus measured against the real yardstick."""
import math
import random

import pytest

from riffforge.metrics.metal import (PHRASE_FIGURES, WINDOW_FIGURES, phrase_figures, riff_window_figures,
                                     summarize_figures, window_figures, windows)
from riffforge.metrics.reference import MEASURED, MUSICOLOGY, inside, reference
from riffforge.music.procedural import generate
from riffforge.music.riff import STYLES, Note, Riff


def _riff(guitar=(), bass=(), drums=(), bars=2, tempo=120.0):
    return Riff(tempo=tempo, bars=bars, key="E", mode="aeolian", style="thrash", intensity=0.5, seed=0,
                tracks={"guitar": list(guitar), "bass": list(bass), "drums": list(drums)}, model_id="test",
                tuning="E standard")


def test_guitar_figures_on_a_hand_written_riff():
    # E5 power chord on 1, palm-muted E2 pedal 8ths, a G2 single note: 8 onsets in 2 bars
    g = [Note(0, 2, 40, 100), Note(0, 2, 47, 100)]
    g += [Note(s, 2, 40, 90) for s in (2, 4, 6, 16, 18, 20)]
    g += [Note(8, 4, 43, 100)]
    f = window_figures(_riff(guitar=g))
    assert f["guitar_onsets_per_bar"] == 4.0
    assert f["guitar_chord_onsets"] == pytest.approx(1 / 8)
    assert f["guitar_pedal_onsets"] == pytest.approx(7 / 8)


def test_bass_figures_follow_the_guitars_lowest_note():
    g = [Note(0, 4, 40, 100), Note(0, 4, 47, 100), Note(4, 4, 43, 100), Note(8, 8, 45, 100)]
    # bass on every guitar onset: E, G, then a C (not the guitar's A) and a passing note off the guitar's onsets
    b = [Note(0, 4, 28, 100), Note(4, 4, 31, 100), Note(8, 4, 36, 100), Note(12, 4, 33, 100)]
    f = window_figures(_riff(guitar=g, bass=b))
    assert f["bass_doubles_root"] == pytest.approx(3 / 4)   # E, G, A doubled (the A at 12 sounds over A2)
    assert f["bass_with_guitar"] == pytest.approx(3 / 4)    # the note at step 12 starts without the guitar
    assert f["bass_median_pitch"] == pytest.approx(32.0)


def test_drum_figures():
    kicks = [Note(s, 1, 36, 100) for s in range(16)] + [Note(16, 1, 36, 100), Note(24, 1, 36, 100)]
    snares = [Note(s, 1, 38, 100) for s in (4, 12, 20, 28)]
    f = window_figures(_riff(drums=kicks + snares))
    assert f["kicks_per_bar"] == 9.0 and f["double_bass"] == 1.0 and f["snare_2_4"] == 1.0 and f["blast"] == 0.0
    blast = [Note(s, 1, 36 if s % 2 == 0 else 38, 100) for s in range(16)] + [Note(s, 1, 51, 90) for s in range(16)]
    assert window_figures(_riff(drums=blast))["blast"] == 1.0
    assert math.isnan(window_figures(_riff(drums=[Note(0, 1, 36, 100)], guitar=[]))["guitar_onsets_per_bar"])


def test_windows_and_phrase_figures():
    bar_a = [Note(s, 2, 40, 100) for s in range(0, 16, 2)]
    bar_b = [Note(s, 2, 43, 100) for s in range(0, 16, 4)]
    notes = []
    for b, bar in enumerate((bar_a, bar_b, bar_a, bar_b, bar_a, bar_a, bar_b, bar_b)):
        notes += [Note(n.start + 16 * b, n.length, n.pitch, n.velocity) for n in bar]
    r = _riff(guitar=notes, bars=8)
    assert len(windows(r)) == 4 and len(riff_window_figures(r)) == 4
    p = phrase_figures(r)
    assert p["distinct_bars"] == 2.0
    assert p["repeat_two_back"] == pytest.approx(3 / 6)     # bars 3, 4, 5 equal the bar two before
    assert math.isnan(phrase_figures(_riff(guitar=bar_a))["distinct_bars"])


def test_summaries_give_medians_and_rates():
    rows = [{"kicks_per_bar": k, "blast": b} for k, b in ((1, 0), (2, 0), (3, 1), (4, 0), (float("nan"), 0))]
    s = summarize_figures(rows, ["kicks_per_bar", "blast"])
    assert s["kicks_per_bar"]["median"] == 2.5 and s["kicks_per_bar"]["n"] == 4
    assert s["blast"]["rate"] == pytest.approx(0.2)


def test_reference_table_covers_every_style_and_figure():
    keys = [k for k, _ in WINDOW_FIGURES] + [k for k, _ in PHRASE_FIGURES]
    for style in STYLES:
        for k in keys:
            ref = reference(style, k)
            assert ref is not None, (style, k)
            assert ("rate" in ref) or (ref["q1"] is not None and ref["q1"] <= ref["median"] <= ref["q3"]), (style, k)
    assert set(MUSICOLOGY) | {"thrash", "groove"} == set(STYLES)
    # the table's figures, as the issue states them
    assert MEASURED["thrash"]["guitar_pedal_onsets"] == {"median": 0.42, "q1": 0.17, "q3": 0.67}
    assert reference("groove", "kicks_per_bar")["q1"] == 2 and reference("groove", "tempo")["q3"] == 166
    assert reference("groove", "bass_median_pitch")["iqr_basis"] == "all Metal"


# ------------------------------------------------------------------- the procedural corpus, against real Metal
N = 24


@pytest.fixture(scope="module")
def procedural_figures():
    out = {}
    for style in STYLES:
        rows, phrases = [], []
        for x in (0.1, 0.3, 0.5, 0.7, 0.9):
            for i in range(N):
                rows += riff_window_figures(generate(style, x, bars=2, seed=70_000 + i))
        for i in range(N):
            phrases.append(phrase_figures(generate(style, random.Random(i).random(), bars=8, seed=80_000 + i)))
        s = summarize_figures(rows)
        s.update(summarize_figures(phrases, [k for k, _ in PHRASE_FIGURES]))
        out[style] = s
    return out


@pytest.mark.parametrize("style", STYLES)
def test_procedural_corpus_lands_inside_the_real_ranges(procedural_figures, style):
    """The corpus the default models learn from: every figure inside the real (thrash, groove) or
    musicology (death, black, doom, djent) range."""
    s = procedural_figures[style]
    outside = {k: s[k] for k in s if inside(style, k, s[k]) is False}
    assert not outside, outside


def test_styles_stay_distinct(procedural_figures):
    f = procedural_figures
    assert f["doom"]["tempo"]["median"] < f["groove"]["tempo"]["median"] < f["thrash"]["tempo"]["median"]
    assert f["black"]["blast"]["rate"] > 0.2 and f["death"]["blast"]["rate"] > 0.15
    for style in ("thrash", "groove", "doom", "djent"):
        assert f[style]["blast"]["rate"] <= 0.03, style
    assert f["djent"]["guitar_pedal_onsets"]["median"] > f["groove"]["guitar_pedal_onsets"]["median"]
    assert f["doom"]["guitar_onsets_per_bar"]["median"] < f["thrash"]["guitar_onsets_per_bar"]["median"]
