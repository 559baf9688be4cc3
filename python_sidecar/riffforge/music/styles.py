"""Style vocabularies for the procedural generator: tempo range, tunings, modes, drum and guitar ladders.

A *ladder* lists ``(name, centre, width, weight)``: at intensity ``x`` an entry is picked with probability
proportional to ``weight * exp(-((x - centre) / width) ** 2)``, so raising the intensity slides the choice
continuously from the calm end of a style's vocabulary to its extreme end.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

Ladder = Tuple[Tuple[str, float, float, float], ...]


@dataclass(frozen=True)
class StyleSpec:
    name: str
    tempo: Tuple[float, float]  # BPM at intensity 0 and 1
    tunings: Tuple[Tuple[str, float], ...]
    modes: Tuple[Tuple[str, float], ...]
    drums: Ladder
    guitar: Ladder
    chromatic: float  # probability of a b2/b5 chromatic move at a phrase end
    chord_p: float = 0.55  # probability that an accented or moving guitar hit is voiced as a chord
    pedal_chord_p: float = 0.05  # probability that a plain (palm-muted) pedal hit is a chord


# Calibrated so that the corpus's own figures (riffforge.metrics.metal) fall inside the real-Metal ranges of
# riffforge.metrics.reference: thrash and groove against the measured table (guitar onsets per bar ~8, a third
# of the onsets chords, kicks ~3 per bar, double-bass windows ~1 in 10, almost no blasts), death, black, doom
# and djent against the musicology targets there (blasts and tremolo in death and black, slow sustained chords
# in doom, locked low-string chugs in djent). `./run bench metal` prints the corpus's figures beside the ranges.
STYLE_SPECS: Dict[str, StyleSpec] = {s.name: s for s in (
    StyleSpec(
        "thrash", (115, 200),
        (("E standard", 6), ("drop D", 1), ("D standard", 1)),
        (("aeolian", 3), ("phrygian", 4), ("harmonic minor", 1), ("phrygian dominant", 1), ("diminished", 1)),
        (("backbeat", 0.0, 0.3, 1.2), ("halftime", 0.0, 0.15, 0.3), ("dbeat", 0.4, 0.2, 1.4),
         ("gallop", 0.6, 0.15, 0.25), ("skank", 0.75, 0.18, 1.6),
         ("double_bass", 0.95, 0.1, 0.35)),
        (("sustain", 0.0, 0.15, 0.5), ("pedal8", 0.4, 0.35, 2.0), ("chug8", 0.3, 0.25, 1.0),
         ("gallop", 0.6, 0.15, 0.35), ("chug16", 0.9, 0.12, 0.25)),
        0.35, chord_p=0.6, pedal_chord_p=0.06),
    StyleSpec(
        "death", (130, 235),
        (("drop B", 2), ("B standard", 2), ("C standard", 1), ("drop C", 1), ("D standard", 1)),
        (("phrygian", 4), ("aeolian", 2), ("locrian", 1), ("hungarian minor", 1), ("diminished", 2)),
        (("halftime", 0.0, 0.15, 0.5), ("backbeat", 0.1, 0.2, 0.6), ("dbeat", 0.3, 0.15, 1.0),
         ("skank", 0.45, 0.15, 1.0), ("double_bass", 0.62, 0.14, 1.0), ("blast_traditional", 0.85, 0.12, 1.0),
         ("blast_bomb", 0.92, 0.1, 0.8), ("blast_hammer", 1.0, 0.1, 0.5)),
        (("sustain", 0.0, 0.15, 0.5), ("chug8", 0.2, 0.2, 1.0), ("pedal8", 0.4, 0.25, 1.2),
         ("chug16", 0.55, 0.15, 0.5), ("gallop", 0.45, 0.15, 0.4), ("tremolo", 0.9, 0.15, 1.2)),
        0.45, chord_p=0.5, pedal_chord_p=0.05),
    StyleSpec(
        "black", (140, 235),
        (("E standard", 4), ("D standard", 2), ("C standard", 1)),
        (("aeolian", 4), ("harmonic minor", 3), ("phrygian", 2), ("locrian", 1)),
        (("backbeat", 0.0, 0.2, 0.6), ("dbeat", 0.25, 0.15, 0.8), ("skank", 0.45, 0.15, 1.5),
         ("double_bass", 0.62, 0.13, 1.0), ("blast_traditional", 0.85, 0.12, 1.6),
         ("blast_hammer", 1.0, 0.1, 0.6)),
        (("sustain", 0.0, 0.2, 1.0), ("chug8", 0.3, 0.2, 0.5), ("tremolo", 0.7, 0.35, 1.8)),
        0.3, chord_p=0.55, pedal_chord_p=0.4),
    StyleSpec(
        "doom", (50, 95),
        (("drop C", 2), ("C standard", 2), ("B standard", 1), ("drop B", 1), ("D standard", 1)),
        (("aeolian", 3), ("phrygian", 2), ("blues", 2), ("locrian", 1), ("harmonic minor", 1)),
        (("halftime", 0.1, 0.35, 1.5), ("backbeat", 0.55, 0.2, 0.8), ("dbeat", 0.8, 0.12, 0.4),
         ("double_bass_halftime", 1.0, 0.07, 0.12)),
        (("sustain", 0.1, 0.4, 2.0), ("chug8", 0.75, 0.2, 0.6)),
        0.3, chord_p=0.85, pedal_chord_p=0.5),
    StyleSpec(
        "djent", (100, 150),
        (("7-string", 3), ("8-string", 2), ("drop B", 1), ("drop C", 1)),
        (("phrygian", 4), ("aeolian", 2), ("locrian", 1), ("diminished", 1), ("hungarian minor", 1)),
        (("locked_halftime", 0.2, 0.35, 1.4), ("locked_backbeat", 0.6, 0.2, 1.0),
         ("double_bass", 1.0, 0.1, 0.35)),
        (("djent", 0.5, 0.6, 2.0), ("chug16", 0.97, 0.06, 0.15)),
        0.4, chord_p=0.35, pedal_chord_p=0.08),
    StyleSpec(
        "groove", (85, 160),
        (("drop D", 2), ("D standard", 1), ("E standard", 3), ("drop C", 1)),
        (("blues", 3), ("aeolian", 2), ("phrygian dominant", 2), ("phrygian", 1)),
        (("halftime", 0.05, 0.15, 0.5), ("backbeat", 0.25, 0.3, 1.6), ("locked_backbeat", 0.55, 0.2, 1.0),
         ("dbeat", 0.7, 0.15, 0.5), ("double_bass", 1.0, 0.08, 0.3)),
        (("sustain", 0.0, 0.15, 0.4), ("syncopated", 0.45, 0.35, 2.0), ("pedal8", 0.7, 0.2, 0.6),
         ("chug16", 0.95, 0.08, 0.2)),
        0.35, chord_p=0.5, pedal_chord_p=0.05),
)}


def ladder_weights(ladder: Ladder, x: float) -> Tuple[Tuple[str, ...], Tuple[float, ...]]:
    names = tuple(n for n, _, _, _ in ladder)
    weights = tuple(w * math.exp(-((x - c) / width) ** 2) + 1e-9 for _, c, width, w in ladder)
    return names, weights


def pick(ladder: Ladder, x: float, rng: random.Random) -> str:
    """Draw one entry of ``ladder`` at intensity ``x`` (see the module docstring)."""
    names, weights = ladder_weights(ladder, x)
    return rng.choices(names, weights)[0]


def weighted(options: Sequence[Tuple[str, float]], rng: random.Random) -> str:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]
