"""A step-indexed view of a riff that every metric reads (built once, shared by all metrics).

Conventions used by every metric in :mod:`riffforge.metrics`:

* time is in 16th *steps*; a bar has ``riff.steps_per_bar`` steps (16 in 4/4);
* an *onset step* of an instrument is a step on which at least one of its notes starts;
* drum roles come from General MIDI pitches: kick 35/36, snare 37-40, toms 41/43/45/47/48/50,
  cymbal = hi-hats (42/44/46), crashes (49/57), ride (51/59), ride bell (53), China (52), splash (55);
* a note *sounds* at step ``s`` when ``start <= s < start + length``.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, List, Set, Union

from ..music.riff import Riff
from ..music.theory import CYMBALS, KICKS, SNARES, TOMS


class RiffView:
    """Onset sets per role and per instrument, per-step sounding pitches, bar geometry."""

    def __init__(self, riff: Riff):
        self.riff = riff
        self.spb = riff.steps_per_bar
        self.bars = riff.bars
        self.total = riff.total_steps
        drums = riff.notes("drums")
        self.has_drums = bool(drums)
        self.kick: Set[int] = {n.start for n in drums if n.pitch in KICKS}
        self.snare: Set[int] = {n.start for n in drums if n.pitch in SNARES}
        self.tom: Set[int] = {n.start for n in drums if n.pitch in TOMS}
        self.cymbal: Set[int] = {n.start for n in drums if n.pitch in CYMBALS}
        self.drum_onsets: Set[int] = {n.start for n in drums}
        self.onsets: Dict[str, Set[int]] = {name: {n.start for n in riff.notes(name)}
                                            for name in ("guitar", "bass", "drums")}
        self.has_guitar = bool(riff.notes("guitar"))
        self.has_bass = bool(riff.notes("bass"))

    def bar_slice(self, steps: Set[int], bar: int) -> FrozenSet[int]:
        """Positions (0..spb-1) of ``steps`` that fall in ``bar``."""
        lo = bar * self.spb
        return frozenset(s - lo for s in steps if lo <= s < lo + self.spb)

    def sounding(self, instrument: str) -> List[List[int]]:
        """Per step, the pitches of ``instrument`` sounding there."""
        out: List[List[int]] = [[] for _ in range(self.total)]
        for n in self.riff.notes(instrument):
            for s in range(n.start, min(n.end, self.total)):
                out[s].append(n.pitch)
        return out

    def onset_groups(self, instrument: str) -> Dict[int, List[int]]:
        """Onset step -> pitches starting there (one guitar "event", e.g. a power chord)."""
        groups: Dict[int, List[int]] = {}
        for n in self.riff.notes(instrument):
            groups.setdefault(n.start, []).append(n.pitch)
        return groups

    @property
    def seconds(self) -> float:
        return self.total * self.riff.seconds_per_step


RiffLike = Union[Riff, RiffView]


def as_view(obj: RiffLike) -> RiffView:
    return obj if isinstance(obj, RiffView) else RiffView(obj)
