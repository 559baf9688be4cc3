"""Guitar figures for the procedural generator, and their voicing as power chords.

A figure yields, per bar, :class:`Hit` events ``(step, length, degree, accent, chromatic)`` where ``degree``
is a semitone offset from the key's tonic. Figures:

* ``sustain``: ringing power chords on half / dotted-quarter / whole-note rhythms (doom, calm sections);
* ``chug8`` / ``chug16``: palm-muted pedal tone on the tonic in 8ths / 16ths, accented chords breaking out;
* ``gallop``: ``x.xx`` (8th + two 16ths) on every beat on the pedal, chord accents on beat starts;
* ``tremolo``: every 16th picked, the chord changing every 4 or 8 steps;
* ``syncopated``: groove-metal stabs with rests between them;
* ``djent``: a polymetric cell (3, 5, 7 or 9 steps) repeated across the bar lines; the drums lock to it.

:func:`voice` turns a hit into MIDI pitches: a power chord (root, fifth, optional octave, sometimes the
inversion) when the chord's fifth stays in the mode or the move is a deliberate chromatic one, else the
root alone.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import FrozenSet, List, Sequence, Tuple

from .theory import Tuning


@dataclass(frozen=True)
class Hit:
    step: int  # within the riff (not the bar)
    length: int
    degree: int
    accent: bool = False
    chromatic: bool = False


_SUSTAIN_RHYTHMS = (
    ((0, 8), (8, 8)), ((0, 6), (6, 6), (12, 4)), ((0, 16),), ((0, 4), (4, 4), (8, 8)),
    ((0, 3), (3, 3), (6, 2), (8, 8)), ((0, 12), (12, 4)),
)
_SYNCOPATED_RHYTHMS = (
    (0, 3, 6, 8, 11, 14), (0, 3, 6, 10, 12), (0, 2, 5, 8, 10, 13), (0, 1, 4, 7, 10, 12, 14), (0, 3, 7, 8, 11),
)
_DJENT_CELLS = ((1, 0, 0), (1, 0, 1, 0, 0), (1, 1, 0, 1, 0, 0, 0), (1, 0, 0, 1, 0, 0, 1, 0, 0),
                (1, 0, 1, 0, 0, 1, 0), (1, 1, 0, 0, 0))


class FigureWriter:
    """Writes one riff's guitar part: a one-bar motif, varied on the answering bars of each phrase."""

    def __init__(self, figure: str, bars: int, degrees: Sequence[int], x: float, rng: random.Random):
        self.figure = figure
        self.bars = bars
        self.degrees = list(degrees) or [0]
        self.x = x
        self.rng = rng
        # motif choices, drawn once per riff
        self.accent_steps = sorted(rng.sample([2, 6, 7, 10, 12, 14], k=2 + (x > 0.5)))
        self.progression = [0] + [rng.choice(self.degrees) for _ in range(3)]
        self.answer = [0] + [rng.choice(self.degrees) for _ in range(3)]
        self.sustain_rhythm = rng.choice(_SUSTAIN_RHYTHMS)
        self.sync_rhythm = rng.choice(_SYNCOPATED_RHYTHMS)
        self.cell = rng.choice(_DJENT_CELLS)
        self.tremolo_span = 8 if x < 0.6 or rng.random() < 0.4 else 4

    def _chords(self, bar: int) -> List[int]:
        return self.answer if bar % 2 else self.progression

    def bar_hits(self, bar: int) -> List[Hit]:
        base = bar * 16
        chords = self._chords(bar)
        f = self.figure
        hits: List[Hit] = []
        if f == "sustain":
            for i, (s, n) in enumerate(self.sustain_rhythm):
                hits.append(Hit(base + s, n, chords[i % len(chords)], accent=True))
        elif f in ("chug8", "chug16"):
            every = 2 if f == "chug8" else 1
            accents = set(self.accent_steps)
            s = 0
            while s < 16:
                if s in accents:
                    deg = chords[1 + (s // 4) % 3]
                    hits.append(Hit(base + s, 2, deg, accent=True))
                    s += 2
                    continue
                hits.append(Hit(base + s, every, 0))
                s += every
        elif f == "gallop":
            for beat in range(4):
                deg = chords[beat] if beat in (0, 2) or self.x > 0.7 else 0
                b = base + beat * 4
                hits += [Hit(b, 2, deg, accent=deg != 0), Hit(b + 2, 1, deg), Hit(b + 3, 1, deg)]
        elif f == "tremolo":
            for s in range(16):
                deg = chords[(s // self.tremolo_span) % len(chords)]
                hits.append(Hit(base + s, 1, deg, accent=s % self.tremolo_span == 0))
        elif f == "syncopated":
            onsets = list(self.sync_rhythm)
            for i, s in enumerate(onsets):
                nxt = onsets[i + 1] if i + 1 < len(onsets) else 16
                length = max(1, min(nxt - s, 2 if self.x > 0.5 else 3))
                deg = 0 if i % 2 == 0 else chords[(i // 2) % len(chords)]
                hits.append(Hit(base + s, length, deg, accent=deg != 0))
        elif f == "djent":
            cell = self.cell
            phrase_start = (bar // 2) * 32  # the polymeter re-aligns every two bars
            for s in range(base, base + 16):
                pos = (s - phrase_start) % len(cell)
                if cell[pos]:
                    nxt = s + 1
                    while nxt < base + 16 and not cell[(nxt - phrase_start) % len(cell)]:
                        nxt += 1
                    length = max(1, min(nxt - s, 2))
                    first = pos == 0
                    deg = chords[((s - phrase_start) // len(cell)) % len(chords)] if first and self.rng.random() < 0.3 else 0
                    hits.append(Hit(s, length, deg, accent=first))
        else:  # pragma: no cover - a StyleSpec names an unknown figure
            raise ValueError(f"unknown guitar figure {f!r}")
        return hits


def chromatic_turnaround(hits: List[Hit], bar: int, rng: random.Random) -> List[Hit]:
    """Replace the last beat of ``bar`` with a b2 or b5 move (or a chromatic walk down to the tonic)."""
    base = bar * 16 + 12
    kept = [h for h in hits if not base <= h.step < base + 4]
    kept = [Hit(h.step, min(h.length, base - h.step), h.degree, h.accent, h.chromatic) if h.step < base <= h.step + h.length - 1 else h
            for h in kept]
    move = rng.choice(("b2", "b5", "walk"))
    if move == "b2":
        new = [Hit(base, 2, 1, True, True), Hit(base + 2, 2, 0, True)]
    elif move == "b5":
        new = [Hit(base, 2, 6, True, True), Hit(base + 2, 2, 5, True, True)]
    else:
        new = [Hit(base, 1, 3, True, True), Hit(base + 1, 1, 2, True, True), Hit(base + 2, 2, 1, True, True)]
    return kept + new


def voice(hit: Hit, tonic: int, tuning: Tuning, scale: FrozenSet[int], up_octave: bool,
          rng: random.Random) -> Tuple[int, ...]:
    """MIDI pitches for ``hit`` (see the module docstring)."""
    root = tonic + hit.degree + (12 if up_octave else 0)
    while root + 12 > tuning.highest:
        root -= 12
    fifth_ok = (root + 7) % 12 in scale
    if not (fifth_ok or hit.chromatic):
        return (root,)
    if hit.accent and root - 5 >= tuning.lowest and rng.random() < 0.12:
        return (root - 5, root) if rng.random() < 0.5 else (root - 5, root, root + 7)
    if hit.accent or rng.random() < 0.3:
        return (root, root + 7, root + 12)
    return (root, root + 7)
