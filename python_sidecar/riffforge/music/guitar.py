"""Guitar figures for the procedural generator, and their voicing as power chords.

A figure yields, per bar, :class:`Hit` events ``(step, length, degree, accent, chromatic)`` where ``degree``
is a semitone offset from the key's tonic. Figures:

* ``sustain``: ringing power chords on half / dotted-quarter / whole-note rhythms (doom, calm sections);
* ``chug8`` / ``chug16``: palm-muted pedal tone on the tonic in 8ths / 16ths, accented chords breaking out;
* ``pedal8``: the pedal-point riff: the pedal on every beat answered by a moving note on each off-beat 8th,
  now and then a 16th pickup on the pedal or a rest (thrash's and groove's everyday figure, about 8 onsets a bar);
* ``gallop``: ``x.xx`` (8th + two 16ths) on every beat on the pedal, chord accents on beat starts;
* ``tremolo``: every 16th picked, the chord changing every 4 or 8 steps;
* ``syncopated``: groove-metal stabs with rests between them;
* ``djent``: a polymetric cell (3, 5, 7 or 9 steps) repeated across the bar lines; the drums lock to it.

:func:`voice` turns a hit into MIDI pitches: a palm-muted pedal hit is mostly a single note, an accented or
moving hit a power chord (root, fifth, optional octave, sometimes an octave dyad or the inversion) with the
style's probability (``StyleSpec.chord_p`` / ``pedal_chord_p``), when the chord's fifth stays in the mode or
the move is a deliberate chromatic one; otherwise the root alone.

Phrases: the motif repeats bar by bar (the answering bars of a phrase take the answer's chords); a riff of
8 bars or more may change its progression at the phrase boundary (bar 5), and a repeated bar is now and then
varied in one note, so a phrase is a figure repeated *with variation*, as real riffs are.
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
# pedal8 cells, one entry per 8th of the bar: on beats 1 = pedal, 2 = two 16th pedal notes, 3 = a moving
# note on the beat; off-beats 1 = moving note, 0 = rest.
_PEDAL_CELLS = ((1, 1, 1, 1, 3, 1, 1, 1), (1, 1, 2, 1, 1, 1, 3, 1), (1, 1, 3, 0, 1, 1, 1, 1),
                (2, 1, 1, 1, 3, 1, 1, 0), (1, 0, 3, 1, 1, 0, 3, 1), (1, 1, 1, 1, 2, 1, 1, 1))
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
        self.accent_steps = sorted(rng.sample([2, 6, 7, 10, 12, 14], k=3 + (x > 0.5)))
        self.progression = [0] + [rng.choice(self.degrees) for _ in range(3)]
        self.answer = [0] + [rng.choice(self.degrees) for _ in range(3)]
        self.sustain_rhythm = rng.choice(_SUSTAIN_RHYTHMS)
        self.sync_rhythm = rng.choice(_SYNCOPATED_RHYTHMS)
        self.cell = rng.choice(_DJENT_CELLS)
        self.tremolo_span = 8 if x < 0.4 and rng.random() < 0.5 else 4
        self.pedal_cell = rng.choice(_PEDAL_CELLS)
        # djent: which cell starts (and which other steps) leave the pedal, fixed per riff so the figure repeats
        self.djent_first = [rng.random() < 0.6 for _ in range(8)]
        self.djent_moves = [rng.random() < 0.2 for _ in range(32)]
        # a second progression for the second 4-bar phrase (a change at the phrase boundary)
        self.change = rng.random() < 0.6
        self.progression2 = [0] + [rng.choice(self.degrees) for _ in range(3)]
        self.answer2 = [0] + [rng.choice(self.degrees) for _ in range(3)]

    def _chords(self, bar: int) -> List[int]:
        if self.change and (bar // 4) % 2 == 1:
            return self.answer2 if bar % 2 else self.progression2
        return self.answer if bar % 2 else self.progression

    def bar_hits(self, bar: int) -> List[Hit]:
        hits = self._figure_hits(bar)
        if bar >= 2 and len(hits) >= 2 and len(self.degrees) > 1 and self.rng.random() < (0.5 if len(hits) > 3 else 0.6):
            i = self.rng.randrange(1, len(hits))  # a variation: one note of the repeated figure moves
            h = hits[i]
            deg = self.rng.choice([d for d in self.degrees if d != h.degree] or [h.degree])
            hits[i] = Hit(h.step, h.length, deg, h.accent, h.chromatic)
        return hits

    def _figure_hits(self, bar: int) -> List[Hit]:
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
        elif f == "pedal8":
            for i, s in enumerate(range(0, 16, 2)):
                kind = self.pedal_cell[i]
                if i % 2 == 0:  # on the beat: the pedal (a 16th pickup pair when the cell says so)
                    if kind == 3 and s:
                        hits.append(Hit(base + s, 2, chords[(i // 2) % 4] or chords[1], accent=True))
                    elif kind == 2:
                        hits += [Hit(base + s, 1, 0), Hit(base + s + 1, 1, 0)]
                    else:
                        hits.append(Hit(base + s, 2, 0, accent=s == 0))
                elif kind:  # off-beat 8th: a moving note (a rest where the cell has 0)
                    hits.append(Hit(base + s, 2, chords[1 + (i // 2) % 3], accent=True))
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
                deg = 0 if i % 3 == 0 else chords[1 + i % 3]
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
                    idx = s - phrase_start
                    move = self.djent_first[(idx // len(cell)) % 8] if first else self.djent_moves[idx % 32]
                    deg = chords[(idx // len(cell)) % len(chords)] if move else 0
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
          rng: random.Random, chord_p: float = 0.55, pedal_chord_p: float = 0.05) -> Tuple[int, ...]:
    """MIDI pitches for ``hit`` (see the module docstring)."""
    root = tonic + hit.degree + (12 if up_octave else 0)
    while root + 12 > tuning.highest:
        root -= 12
    fifth_ok = (root + 7) % 12 in scale
    plain_pedal = hit.degree == 0 and not hit.accent
    if not (fifth_ok or hit.chromatic) or rng.random() >= (pedal_chord_p if plain_pedal else chord_p):
        return (root,)
    if hit.accent and root - 5 >= tuning.lowest and rng.random() < 0.12:
        return (root - 5, root) if rng.random() < 0.5 else (root - 5, root, root + 7)
    if rng.random() < 0.12:
        return (root, root + 12)
    if hit.accent or rng.random() < 0.3:
        return (root, root + 7, root + 12)
    return (root, root + 7)
