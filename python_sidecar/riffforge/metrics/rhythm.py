"""Rhythm metrics: density, kick runs, blasts, groove templates, syncopation, consistency.

Each function takes a :class:`~riffforge.music.riff.Riff` (or a :class:`~riffforge.metrics.view.RiffView`)
and returns a float; ``nan`` means "undefined for this riff" (e.g. no kick at all), and aggregations use
nan-aware means. Conventions (steps, roles, onset steps) are in :mod:`riffforge.metrics.view`.
"""
from __future__ import annotations

import math
from typing import Dict, FrozenSet, Iterable, List, Sequence, Tuple

from .view import RiffLike, RiffView, as_view

NAN = float("nan")

# Bar templates on the 16-step grid (4/4), mirroring riffforge.music.drumkit.
GALLOP = frozenset(b + c for b in (0, 4, 8, 12) for c in (0, 2, 3))
REVERSE_GALLOP = frozenset(b + c for b in (0, 4, 8, 12) for c in (0, 1, 3))
TEMPLATES: Dict[str, Dict[str, FrozenSet[int]]] = {
    "dbeat": {"kick": frozenset({0, 6, 8}), "snare": frozenset({4, 12})},
    "skank": {"kick": frozenset({0, 4, 8, 12}), "snare": frozenset({2, 6, 10, 14})},
}
TEMPLATE_THRESHOLD = 0.8  # (16th chugs score 0.75 against the gallop) a bar "is" a gallop / d-beat / skank when its Jaccard match reaches this


def jaccard(a: Iterable, b: Iterable) -> float:
    """|A ∩ B| / |A ∪ B|; 1.0 when both are empty."""
    a, b = set(a), set(b)
    union = a | b
    return 1.0 if not union else len(a & b) / len(union)


# ------------------------------------------------------------------------------------------- density
def onset_density(riff: RiffLike, instrument: str) -> float:
    """Onset steps of ``instrument`` per bar (distinct steps with a note starting; chords count once)."""
    v = as_view(riff)
    return len(v.onsets[instrument]) / v.bars


def notes_per_second(riff: RiffLike, instrument: str) -> float:
    """Notes (drum hits) of ``instrument`` per second at the riff's tempo."""
    v = as_view(riff)
    return len(v.riff.notes(instrument)) / v.seconds


# -------------------------------------------------------------------------------------------- kicks
def longest_kick_run(riff: RiffLike) -> int:
    """Longest run of consecutive steps that all have a kick (0 without kicks)."""
    v = as_view(riff)
    best = run = 0
    prev = None
    for s in sorted(v.kick):
        run = run + 1 if prev is not None and s == prev + 1 else 1
        best = max(best, run)
        prev = s
    return best


def double_kick_rate(riff: RiffLike) -> float:
    """Share of kick onsets whose previous step also has a kick (16ths only a double pedal plays fast);
    nan without kicks."""
    v = as_view(riff)
    if not v.kick:
        return NAN
    return sum(1 for s in v.kick if s - 1 in v.kick) / len(v.kick)


# -------------------------------------------------------------------------------------------- blasts
def blast_bars(riff: RiffLike) -> List[bool]:
    """Per bar: True when it is a blast beat.

    A bar is a blast when kick or snare sounds on at least 75% of its steps (12 of 16 in 4/4) and a
    cymbal (hi-hat, ride, bell, crash, China, splash) on at least half of them (8 of 16).
    """
    v = as_view(riff)
    ks = v.kick | v.snare
    need_ks = math.ceil(0.75 * v.spb)
    need_cym = math.ceil(0.5 * v.spb)
    return [len(v.bar_slice(ks, b)) >= need_ks and len(v.bar_slice(v.cymbal, b)) >= need_cym
            for b in range(v.bars)]


def blast_rate(riff: RiffLike) -> float:
    """Share of bars that are blast beats (see :func:`blast_bars`); nan without drums."""
    v = as_view(riff)
    if not v.has_drums:
        return NAN
    bars = blast_bars(v)
    return sum(bars) / len(bars)


# ---------------------------------------------------------------------------------------- templates
def _bar_template_scores(v: RiffView, name: str) -> List[float]:
    if v.spb != 16:
        return []
    scores = []
    for b in range(v.bars):
        if name in ("gallop",):
            cands = []
            if v.has_drums:
                k = v.bar_slice(v.kick, b)
                cands += [jaccard(k, GALLOP), jaccard(k, REVERSE_GALLOP)]
            if v.has_guitar:
                g = v.bar_slice(v.onsets["guitar"], b)
                cands += [jaccard(g, GALLOP), jaccard(g, REVERSE_GALLOP)]
            scores.append(max(cands) if cands else NAN)
        else:
            if not v.has_drums:
                scores.append(NAN)
                continue
            t = TEMPLATES[name]
            mine = {("k", s) for s in v.bar_slice(v.kick, b)} | {("s", s) for s in v.bar_slice(v.snare, b)}
            want = {("k", s) for s in t["kick"]} | {("s", s) for s in t["snare"]}
            scores.append(jaccard(mine, want))
    return scores


def template_match(riff: RiffLike, name: str) -> float:
    """Best per-bar Jaccard match of the riff to a groove template (``gallop``, ``dbeat``, ``skank``).

    * gallop: the bar's kick onsets or guitar onsets vs ``x.xx`` (gallop) and ``xx.x`` (reverse gallop)
      on every beat, the best of the four;
    * dbeat: the bar's (kick, step) and (snare, step) pairs vs kick {0, 6, 8} + snare {4, 12};
    * skank: the same pairs vs kick on every beat {0, 4, 8, 12} + snare on every "&" {2, 6, 10, 14}.

    Returns the maximum over bars; nan for non-4/4 riffs or when the needed tracks are missing.
    """
    scores = [s for s in _bar_template_scores(as_view(riff), name) if not math.isnan(s)]
    return max(scores) if scores else NAN


def template_bars(riff: RiffLike, name: str, threshold: float = TEMPLATE_THRESHOLD) -> List[bool]:
    """Per bar: the template match (see :func:`template_match`) reaches ``threshold``."""
    return [not math.isnan(s) and s >= threshold for s in _bar_template_scores(as_view(riff), name)]


def has_gallop_or_skank(riff: RiffLike, threshold: float = TEMPLATE_THRESHOLD) -> bool:
    """True when at least one bar matches the gallop or the skank template at ``threshold``."""
    v = as_view(riff)
    return any(template_bars(v, "gallop", threshold)) or any(template_bars(v, "skank", threshold))


# ---------------------------------------------------------------------------------- backbeat / half
def _snare_feel(v: RiffView) -> Tuple[List[bool], List[bool]]:
    back, half = [], []
    q = v.spb // 4 if v.riff.meter == (4, 4) else None
    for b in range(v.bars):
        sn = v.bar_slice(v.snare, b)
        if q is None:
            back.append(False)
            half.append(False)
            continue
        light = 2 * len(sn) < v.spb  # snare on fewer than half the steps: not a roll or a blast
        back.append(q in sn and 3 * q in sn and light)
        half.append(2 * q in sn and q not in sn and 3 * q not in sn and light)
    return back, half


def backbeat_share(riff: RiffLike) -> float:
    """Share of bars with a backbeat: snare on beats 2 and 4 (steps 4 and 12) and on fewer than half of
    the bar's steps (ghost notes allowed; rolls and blasts do not count). nan without drums or outside
    4/4."""
    v = as_view(riff)
    if not v.has_drums or v.riff.meter != (4, 4):
        return NAN
    back, _ = _snare_feel(v)
    return sum(back) / v.bars


def halftime_share(riff: RiffLike) -> float:
    """Share of bars in half-time: snare on beat 3 (step 8), not on 2 or 4, and on fewer than half of
    the bar's steps. nan without drums or outside 4/4."""
    v = as_view(riff)
    if not v.has_drums or v.riff.meter != (4, 4):
        return NAN
    _, half = _snare_feel(v)
    return sum(half) / v.bars


# ------------------------------------------------------------------------------------- syncopation
def metrical_weights(steps_per_bar: int, beat_steps: int = 4) -> List[int]:
    """Longuet-Higgins & Lee metrical weights per step: 0 on the downbeat, -1 on the half bar (even
    number of beats), -2 on beats, -3 on 8ths, -4 on 16ths. For 4/4:
    ``[0,-4,-3,-4,-2,-4,-3,-4,-1,-4,-3,-4,-2,-4,-3,-4]``."""
    weights = []
    beats = steps_per_bar // beat_steps if beat_steps else 0
    for p in range(steps_per_bar):
        if p == 0:
            w = 0
        elif beats % 2 == 0 and beats and p == steps_per_bar // 2:
            w = -1
        elif beat_steps and p % beat_steps == 0:
            w = -2
        elif p % 2 == 0:
            w = -3
        else:
            w = -4
        weights.append(w)
    return weights


def syncopation(riff: RiffLike, instrument: str = "drums") -> float:
    """Longuet-Higgins–Lee syncopation per bar.

    For every onset at step ``n`` followed by silence up to the next onset ``m`` (the riff loops, so the
    last onset wraps to the first), if a step strictly between them has a higher metrical weight than
    ``n`` (see :func:`metrical_weights`), the syncopation is ``max weight in (n, m) - weight(n)``. The sum
    over onsets is divided by the number of bars. For ``drums`` the onsets are kick and snare only (hats
    and cymbals keep time, they do not syncopate). nan without onsets.
    """
    v = as_view(riff)
    steps = sorted(v.kick | v.snare) if instrument == "drums" else sorted(v.onsets[instrument])
    if not steps:
        return NAN
    beat = 16 // v.riff.meter[1] if v.riff.meter[1] <= 16 else 1
    weights = metrical_weights(v.spb, beat)
    total = 0
    for i, n in enumerate(steps):
        m = steps[i + 1] if i + 1 < len(steps) else steps[0] + v.total
        wn = weights[n % v.spb]
        gap = [weights[p % v.spb] for p in range(n + 1, m)]
        if gap and max(gap) > wn:
            total += max(gap) - wn
    return total / v.bars


def kick_guitar_synchrony(riff: RiffLike) -> float:
    """Jaccard overlap of kick onset steps and guitar onset steps over the whole riff (1 = every chug is
    doubled by the kick and vice versa); nan when either is missing."""
    v = as_view(riff)
    if not v.kick or not v.onsets["guitar"]:
        return NAN
    return jaccard(v.kick, v.onsets["guitar"])


# ------------------------------------------------------------------------------------- consistency
def empty_beat_rate(riff: RiffLike) -> float:
    """Share of the riff's beats in which no note of any instrument sounds (MusPy's empty-beat rate, on
    the riff's own length: a note covers the beats from its start to its last sounding step)."""
    v = as_view(riff)
    beat = 16 // v.riff.meter[1] if v.riff.meter[1] <= 16 else 1
    n_beats = max(1, math.ceil(v.total / beat))
    full = [False] * n_beats
    for name in ("guitar", "bass", "drums"):
        for n in v.riff.notes(name):
            for b in range(n.start // beat, min(n_beats, (n.end - 1) // beat + 1)):
                full[b] = True
    return 1.0 - sum(full) / n_beats


def _bar_onsets(v: RiffView) -> List[FrozenSet[int]]:
    every = v.onsets["guitar"] | v.onsets["bass"] | v.onsets["drums"]
    return [v.bar_slice(every, b) for b in range(v.bars)]


def groove_consistency(riff: RiffLike) -> float:
    """MusPy groove consistency: ``1 - sum_i hamming(G_i, G_{i+1}) / (steps_per_bar * (bars - 1))``
    where ``G_i`` is bar i's binary onset vector over all instruments. nan for one-bar riffs."""
    v = as_view(riff)
    if v.bars < 2:
        return NAN
    bars = _bar_onsets(v)
    dist = sum(len(a ^ b) for a, b in zip(bars, bars[1:]))
    return 1.0 - dist / (v.spb * (v.bars - 1))


def groove_consistency_jaccard(riff: RiffLike) -> float:
    """Jaccard variant: ``1 - mean_i (1 - jaccard(G_i, G_{i+1}))`` over consecutive bars' onset sets (the
    distance ignores steps silent in both bars, so sparse riffs are not called consistent for their
    rests). nan for one-bar riffs."""
    v = as_view(riff)
    if v.bars < 2:
        return NAN
    bars = _bar_onsets(v)
    return sum(jaccard(a, b) for a, b in zip(bars, bars[1:])) / (v.bars - 1)


def drum_in_pattern_rate_ticks(onset_ticks: Sequence[int], ticks_per_beat: int, grid: str,
                               tolerance: int = 0) -> float:
    """MusPy drum-in-pattern rate on raw MIDI ticks: share of drum onsets whose position inside the beat
    lies on the grid: ``"16th"`` = multiples of a 16th (MusPy's duple pattern), ``"triplet"`` = multiples
    of an 8th-note triplet (MusPy's triple pattern). ``tolerance`` (ticks) accepts onsets that far from a
    grid point (0 = MusPy's exact test). nan without onsets."""
    if not onset_ticks:
        return NAN
    div = {"16th": 4, "triplet": 3}[grid]
    hits = 0
    for t in onset_ticks:
        pos = t % ticks_per_beat
        nearest = round(pos * div / ticks_per_beat) * ticks_per_beat / div
        if abs(pos - nearest) <= tolerance:
            hits += 1
    return hits / len(onset_ticks)


def drum_pattern_consistency_ticks(onset_ticks: Sequence[int], ticks_per_beat: int, tolerance: int = 0) -> float:
    """MusPy drum-pattern consistency: the larger of the 16th-grid and triplet-grid drum-in-pattern rates
    (see :func:`drum_in_pattern_rate_ticks`)."""
    if not onset_ticks:
        return NAN
    return max(drum_in_pattern_rate_ticks(onset_ticks, ticks_per_beat, g, tolerance) for g in ("16th", "triplet"))


def drum_pattern_consistency(riff: RiffLike) -> float:
    """Drum-pattern consistency of a riff's drum onsets (steps expressed as ticks at 96 per beat). A riff
    lives on the 16th grid, so this is 1.0 whenever it has drums; it is informative on raw performances
    (:func:`drum_pattern_consistency_ticks`). nan without drums."""
    v = as_view(riff)
    ticks = [n.start * 24 for n in v.riff.notes("drums")]
    return drum_pattern_consistency_ticks(ticks, 96)
