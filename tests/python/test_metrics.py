"""Metal metrics on hand-built riffs (known answers) and on the procedural corpus (acceptance, small)."""
import math
import random

import pytest

from riffforge import metrics as M
from riffforge.music.procedural import generate
from riffforge.music.riff import Note, Riff
from riffforge.music.theory import GM, power_chord

K, S, HH, RIDE, CRASH, TOM = GM.KICK, GM.SNARE, GM.HH_CLOSED, GM.RIDE, GM.CRASH, GM.TOM_HIGH


def drums(bars, per_bar, tempo=120, **kw):
    """``per_bar``: list (one per bar) of {pitch: steps}."""
    notes = [Note(b * 16 + s, 1, p, 100) for b, bar in enumerate(per_bar) for p, steps in bar.items() for s in steps]
    return Riff(tempo=tempo, bars=bars, key="E", mode="phrygian", style="thrash", intensity=0.5, seed=0,
                tracks={"drums": notes}, **kw)


BACKBEAT = {K: [0, 8], S: [4, 12], HH: range(0, 16, 2)}
HALFTIME = {K: [0, 10], S: [8], CRASH: [0, 4, 8, 12]}
BLAST = {K: range(0, 16, 2), S: range(1, 16, 2), RIDE: range(16)}
SKANK = {K: [0, 4, 8, 12], S: [2, 6, 10, 14], RIDE: range(0, 16, 2)}
DBEAT = {K: [0, 6, 8], S: [4, 12], RIDE: range(0, 16, 2)}
GALLOP = {K: [b + c for b in (0, 4, 8, 12) for c in (0, 2, 3)], S: [4, 12], CRASH: [0, 4, 8, 12]}
DOUBLE = {K: range(16), S: [4, 12], CRASH: [0, 4, 8, 12]}


def test_density_kicks_and_runs():
    r = drums(2, [DOUBLE, BACKBEAT])
    assert M.onset_density(r, "drums") == (16 + 8) / 2
    assert M.longest_kick_run(r) == 17  # bar 1's 16 kicks run on into bar 2's downbeat kick
    # 16 of the 18 kicks follow a kick on the previous step (15 inside bar 1, plus bar 2's downbeat)
    assert M.double_kick_rate(r) == pytest.approx(16 / 18)
    assert math.isnan(M.double_kick_rate(drums(1, [{S: [4]}])))
    assert M.notes_per_second(drums(1, [{K: [0, 4, 8, 12]}], tempo=120), "drums") == pytest.approx(2.0)


def test_blast_detector_thresholds():
    assert M.blast_bars(drums(3, [BLAST, DOUBLE, BACKBEAT])) == [True, False, False]
    # 12 kick/snare steps + 8 cymbal steps is exactly enough; 11 or 7 is not
    edge = {K: range(12), RIDE: range(0, 16, 2)}
    assert M.blast_bars(drums(1, [edge])) == [True]
    assert M.blast_bars(drums(1, [{K: range(11), RIDE: range(0, 16, 2)}])) == [False]
    assert M.blast_bars(drums(1, [{K: range(12), RIDE: range(0, 14, 2)}])) == [False]
    assert M.blast_rate(drums(4, [BLAST, BLAST, BLAST, HALFTIME])) == 0.75
    china_blast = {K: range(16), S: range(0, 16, 2), GM.CHINA: range(0, 16, 2)}
    assert M.blast_bars(drums(1, [china_blast])) == [True]  # China (52) counts as a cymbal


@pytest.mark.parametrize("bar,name", [(SKANK, "skank"), (DBEAT, "dbeat"), (GALLOP, "gallop")])
def test_templates_match_themselves_and_not_others(bar, name):
    r = drums(1, [bar])
    assert M.template_match(r, name) == 1.0
    for other in {"skank", "dbeat", "gallop"} - {name}:
        assert M.template_match(r, other) < M.TEMPLATE_THRESHOLD


def test_gallop_or_skank_and_sixteenths_are_not_a_gallop():
    assert M.has_gallop_or_skank(drums(2, [BACKBEAT, GALLOP]))
    assert M.has_gallop_or_skank(drums(1, [SKANK]))
    assert not M.has_gallop_or_skank(drums(2, [DOUBLE, BACKBEAT]))  # 16th kicks: Jaccard 0.75 < 0.8
    rev = {K: [b + c for b in (0, 4, 8, 12) for c in (0, 1, 3)], S: [4, 12]}
    assert M.template_match(drums(1, [rev]), "gallop") == 1.0


def test_backbeat_and_halftime_shares():
    r = drums(4, [BACKBEAT, BACKBEAT, HALFTIME, BLAST])
    assert M.backbeat_share(r) == 0.5
    assert M.halftime_share(r) == 0.25
    ghosts = {K: [0, 8], S: [4, 12, 7, 15, 10], HH: range(0, 16, 2)}
    assert M.backbeat_share(drums(1, [ghosts])) == 1.0


def test_lhl_weights_and_syncopation():
    assert M.metrical_weights(16) == [0, -4, -3, -4, -2, -4, -3, -4, -1, -4, -3, -4, -2, -4, -3, -4]
    on_beats = drums(1, [{K: [0, 4, 8, 12]}])
    assert M.syncopation(on_beats) == 0
    # kick on the "a" of 2 (step 7, weight -4) held over beat 3 (step 8, weight -1): -1 - (-4) = 3;
    # the downbeat kick is the strongest position, so its silence does not syncopate
    anticip = drums(1, [{K: [0, 7]}])
    assert M.syncopation(anticip) == 3
    assert M.syncopation(drums(1, [{K: [0, 15]}])) == 0  # the "a" of 4 runs straight into the downbeat
    offbeat = drums(1, [{S: [2, 6, 10, 14]}])  # 8th offbeats (-3) each skip a beat (-2 / -1 / 0)
    assert M.syncopation(offbeat) == (1 + 2 + 1 + 3)


def _band(guitar, bass=(), kicks=(), key="E", mode="phrygian", bars=1, tuning="E standard"):
    tracks = {"guitar": list(guitar)}
    if bass:
        tracks["bass"] = list(bass)
    if kicks:
        tracks["drums"] = [Note(s, 1, K, 100) for s in kicks]
    return Riff(tempo=180, bars=bars, key=key, mode=mode, style="thrash", intensity=0.5, seed=0, tracks=tracks,
                tuning=tuning)


def _chord(start, length, pitches, vel=100):
    return [Note(start, length, p, vel) for p in pitches]


def test_power_chord_ratio_counts_onset_events():
    g = (_chord(0, 4, power_chord(40)) + _chord(4, 4, power_chord(41, octave=False))
         + _chord(8, 4, power_chord(47, inversion=True)) + _chord(12, 4, [40]))
    assert M.power_chord_ratio(_band(g)) == 0.75
    assert M.power_chord_ratio(_band(_chord(0, 4, [40, 44, 47]))) == 0  # a triad is not a power chord


def test_modal_fit_and_declared_mode_share():
    # E phrygian notes only (E F G A B C D) -> declared share 1, best fit phrygian on E (fewest-notes tie-break)
    g = [Note(i * 2, 2, p, 100) for i, p in enumerate([40, 41, 43, 45, 47, 48, 50, 40])]
    r = _band(g)
    assert M.mode_share(r) == 1.0
    key, mode, share = M.best_modal_fit(r)
    assert share == 1.0 and (key, mode) in {("E", "phrygian"), ("A", "aeolian"), ("B", "locrian")}
    assert key == "E"  # E is the most frequent pitch class
    off = _band(g + [Note(0, 1, 46, 100), Note(4, 1, 46, 100)])  # Bb twice: outside E phrygian
    assert M.mode_share(off) == pytest.approx(8 / 10)
    assert math.isnan(M.mode_share(_band(g, mode="unknown")))


def test_bass_guitar_root_agreement_on_strong_beats():
    g = _chord(0, 8, power_chord(40)) + _chord(8, 8, power_chord(45, inversion=True))  # E5, A5/E
    good = [Note(0, 8, 28, 100), Note(8, 8, 33, 100)]
    bad = [Note(0, 8, 28, 100), Note(8, 8, 28, 100)]  # stays on E under the A5 (inverted, E in the bass)
    assert M.bass_guitar_root_agreement(_band(g, good)) == 1.0
    assert M.bass_guitar_root_agreement(_band(g, bad)) == 0.5
    assert math.isnan(M.bass_guitar_root_agreement(_band(g)))


def test_entropy_empty_beats_consistency_and_synchrony():
    one_pc = _band([Note(0, 16, 40, 100), Note(0, 16, 52, 100)])
    assert M.pitch_class_entropy(one_pc) == 0
    two = _band([Note(0, 8, 40, 100), Note(8, 8, 47, 100)])
    assert M.pitch_class_entropy(two) == pytest.approx(1.0)
    sparse = _band([Note(0, 4, 40, 100), Note(12, 2, 40, 100)])
    assert M.empty_beat_rate(sparse) == 0.5
    same = drums(3, [BACKBEAT] * 3)
    assert M.groove_consistency(same) == 1.0 and M.groove_consistency_jaccard(same) == 1.0
    mixed = drums(2, [{K: [0]}, {K: [8]}])
    assert M.groove_consistency(mixed) == 1 - 2 / 16
    assert M.groove_consistency_jaccard(mixed) == 0.0
    assert math.isnan(M.groove_consistency(drums(1, [BACKBEAT])))
    locked = _band(_chord(0, 2, [40, 47]) + _chord(3, 2, [40, 47]), kicks=[0, 3])
    assert M.kick_guitar_synchrony(locked) == 1.0
    half = _band(_chord(0, 2, [40, 47]) + _chord(3, 2, [40, 47]), kicks=[0, 8])
    assert M.kick_guitar_synchrony(half) == pytest.approx(1 / 3)


def test_drum_pattern_consistency_on_ticks():
    sixteenths = [i * 120 for i in range(16)]  # 480 per beat
    triplets = [i * 160 for i in range(12)]
    assert M.drum_pattern_consistency_ticks(sixteenths, 480) == 1.0
    assert M.drum_in_pattern_rate_ticks(triplets, 480, "triplet") == 1.0
    assert M.drum_in_pattern_rate_ticks(triplets, 480, "16th") == pytest.approx(4 / 12)
    assert M.drum_pattern_consistency_ticks(triplets, 480) == 1.0
    sloppy = [t + 7 for t in sixteenths]
    assert M.drum_pattern_consistency_ticks(sloppy, 480) < 0.5
    assert M.drum_pattern_consistency_ticks(sloppy, 480, tolerance=10) == 1.0
    assert M.drum_pattern_consistency(drums(1, [BACKBEAT])) == 1.0


def test_energy_orders_drum_classes_and_handles_partial_riffs():
    e = {name: M.energy(drums(2, [bar, bar], tempo=180)) for name, bar in
         [("halftime", HALFTIME), ("backbeat", BACKBEAT), ("dbeat", DBEAT), ("gallop", GALLOP),
          ("skank", SKANK), ("double", DOUBLE), ("blast", BLAST)]}
    order = ["halftime", "backbeat", "dbeat", "skank", "double", "blast"]
    assert all(e[a] < e[b] for a, b in zip(order, order[1:])), e
    assert M.drum_bar_classes(drums(3, [BLAST, GALLOP, SKANK])) == ["blast", "gallop", "skank"]
    assert M.energy(drums(1, [BACKBEAT], tempo=240)) > M.energy(drums(1, [BACKBEAT], tempo=90))
    slow = _band([Note(0, 16, 40, 100), Note(0, 16, 47, 100)])
    trem = _band([n for s in range(16) for n in _chord(s, 1, [40, 47])])
    assert 0 <= M.energy(slow) < M.energy(trem) <= 1
    empty = Riff(tempo=120, bars=1, key="E", mode="aeolian", style="doom", intensity=0, seed=0, tracks={})
    assert M.energy(empty) == pytest.approx(0.3 * (120 - 40) / 210)


def test_riff_metrics_row_has_every_metric_and_spearman_works():
    row = M.riff_metrics(generate("death", 0.9, bars=2, seed=4))
    assert set(M.METRIC_NAMES) <= set(row)
    assert M.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert M.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert M.spearman([1, 2, 2, 3], [1, 2, 2, 3]) == pytest.approx(1.0)
    assert math.isnan(M.spearman([1, 1, 1], [1, 2, 3]))


# ------------------------------------------------------------- acceptance of issue 3, on a small sample
N_SMALL = 60


@pytest.fixture(scope="module")
def corpus_rows():
    rows = {}
    for style in ("thrash", "death", "black", "doom", "djent", "groove"):
        rows[style] = []
        for i in range(N_SMALL):
            x = random.Random(f"test/{style}/{i}").random()
            rows[style].append(M.riff_metrics(generate(style, x, bars=4, seed=50_000 + i)))
    return rows


def test_acceptance_energy_monotonic_in_intensity(corpus_rows):
    for style, rows in corpus_rows.items():
        rho = M.spearman([r["intensity"] for r in rows], [r["energy"] for r in rows])
        assert rho >= 0.9, (style, rho)


def test_acceptance_blasts_gallops_and_harmony(corpus_rows):
    for style in ("death", "black"):
        hi = [r for r in corpus_rows[style] if r["intensity"] >= 0.8]
        assert hi and M.nanmean(r["blast_rate"] for r in hi) >= 0.6, style
    assert M.nanmean(r["blast_rate"] for r in corpus_rows["doom"]) <= 0.02
    thrash = [r for r in corpus_rows["thrash"] if r["intensity"] >= 0.5]
    assert M.nanmean(r["gallop_or_skank"] for r in thrash) >= 0.5
    for style, rows in corpus_rows.items():
        # real Metal voices about a third of the guitar onsets as chords (riffforge.metrics.reference);
        # the per-figure real-Metal checks of the corpus are in test_metal_figures.py
        assert 0.1 <= M.nanmean(r["power_chord_ratio"] for r in rows) <= 0.9, style
        assert min(r["in_tuning_range"] for r in rows) == 1.0, style
        assert min(r["mode_share"] for r in rows) >= 0.9, style
        assert M.nanmean(r["bass_guitar_root_agreement"] for r in rows) >= 0.8, style
