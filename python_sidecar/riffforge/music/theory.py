"""Metal theory: tunings with playable ranges, modes, power chords, the General MIDI drum kit.

Pitches are MIDI note numbers (E2 = 40 is the low string of a standard-tuned guitar). A mode is a set of
semitone offsets from its root. A power chord is root + perfect fifth (+ octave); its inversion puts the
fifth a fourth below the root.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional, Sequence, Tuple

from .riff import RiffError, pitch_class

FRETS = 24  # playable range: open lowest string .. highest string at the 24th fret


@dataclass(frozen=True)
class Tuning:
    """A guitar tuning: open-string pitches low to high, and the bass tuning that goes with it."""

    name: str
    strings: Tuple[int, ...]
    bass_strings: Tuple[int, ...]

    @property
    def lowest(self) -> int:
        return self.strings[0]

    @property
    def highest(self) -> int:
        """Highest playable guitar pitch: top string at fret :data:`FRETS`."""
        return self.strings[-1] + FRETS

    @property
    def root_pitch_class(self) -> int:
        return self.strings[0] % 12

    @property
    def bass_lowest(self) -> int:
        return self.bass_strings[0]

    @property
    def bass_highest(self) -> int:
        return self.bass_strings[-1] + 20

    def in_range(self, pitch: int) -> bool:
        return self.lowest <= pitch <= self.highest

    def bass_in_range(self, pitch: int) -> bool:
        return self.bass_lowest <= pitch <= self.bass_highest


TUNINGS: Dict[str, Tuning] = {t.name: t for t in (
    Tuning("E standard", (40, 45, 50, 55, 59, 64), (28, 33, 38, 43)),
    Tuning("drop D", (38, 45, 50, 55, 59, 64), (26, 33, 38, 43)),
    Tuning("D standard", (38, 43, 48, 53, 57, 62), (26, 31, 36, 41)),
    Tuning("drop C", (36, 43, 48, 53, 57, 62), (24, 31, 36, 41)),
    Tuning("C standard", (36, 41, 46, 51, 55, 60), (24, 29, 34, 39)),
    Tuning("drop B", (35, 42, 47, 52, 56, 61), (23, 30, 35, 40)),
    Tuning("B standard", (35, 40, 45, 50, 54, 59), (23, 28, 33, 38)),
    Tuning("7-string", (35, 40, 45, 50, 55, 59, 64), (23, 28, 33, 38, 43)),
    Tuning("8-string", (30, 35, 40, 45, 50, 55, 59, 64), (23, 28, 33, 38, 43)),
)}


def get_tuning(name: str) -> Tuning:
    try:
        return TUNINGS[name]
    except KeyError:
        raise RiffError(f"tuning={name!r}: unknown tuning; use one of {', '.join(TUNINGS)}") from None


# Modes as semitone offsets from the root. "diminished" is the half-whole octatonic scale, the one Metal
# uses over a tonic power chord (it has b2, b3, 3, b5, 5, 6, b7).
MODES: Dict[str, Tuple[int, ...]] = {
    "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "phrygian dominant": (0, 1, 4, 5, 7, 8, 10),
    "hungarian minor": (0, 2, 3, 6, 7, 8, 11),
    "diminished": (0, 1, 3, 4, 6, 7, 9, 10),
    "blues": (0, 3, 5, 6, 7, 10),
}


def get_mode(name: str) -> Tuple[int, ...]:
    try:
        return MODES[name]
    except KeyError:
        raise RiffError(f"mode={name!r}: unknown mode; use one of {', '.join(MODES)}") from None


def scale_pitch_classes(key: str, mode: str) -> FrozenSet[int]:
    """Pitch classes of ``mode`` rooted on ``key`` (e.g. ``("E", "phrygian")``)."""
    root = pitch_class(key)
    return frozenset((root + o) % 12 for o in get_mode(mode))


def power_chord_degrees(mode: str) -> Tuple[int, ...]:
    """Offsets from the mode root whose perfect fifth is also in the mode (power chords that stay in key)."""
    offsets = set(get_mode(mode))
    return tuple(o for o in get_mode(mode) if (o + 7) % 12 in offsets)


# Power-chord shapes as intervals above the lowest note, with the offset of the chord root from the lowest.
POWER_CHORD_SHAPES: Dict[Tuple[int, ...], int] = {
    (0, 7): 0,  # root, fifth
    (0, 7, 12): 0,  # root, fifth, octave
    (0, 5): 5,  # inversion: fifth below the root
    (0, 5, 12): 5,  # inversion with the fifth doubled on top
}


def power_chord(root: int, octave: bool = True, inversion: bool = False) -> Tuple[int, ...]:
    """Pitches of the power chord on MIDI ``root``: (root, fifth[, octave]) or inverted (fifth-below, root[, fifth])."""
    if inversion:
        return (root - 5, root, root + 7) if octave else (root - 5, root)
    return (root, root + 7, root + 12) if octave else (root, root + 7)


def power_chord_root(pitches: Sequence[int]) -> Optional[int]:
    """The root pitch if ``pitches`` form a power chord (any shape in :data:`POWER_CHORD_SHAPES`), else None."""
    if len(pitches) < 2:
        return None
    low = min(pitches)
    shape = tuple(sorted({p - low for p in pitches}))
    offset = POWER_CHORD_SHAPES.get(shape)
    return None if offset is None else low + offset


def chord_root(pitches: Sequence[int]) -> int:
    """Root of a guitar onset: the power-chord root when it is one, otherwise the lowest note."""
    root = power_chord_root(pitches)
    return min(pitches) if root is None else root


# ----------------------------------------------------------------------------------------- drum kit (GM)
class GM:
    """General MIDI percussion pitches used by the generator (channel 10)."""

    KICK = 36
    KICK_2 = 35
    SNARE = 38
    RIMSHOT = 40
    SIDE_STICK = 37
    HH_CLOSED = 42
    HH_PEDAL = 44
    HH_OPEN = 46
    CRASH = 49
    CRASH_2 = 57
    RIDE = 51
    RIDE_BELL = 53
    CHINA = 52
    SPLASH = 55
    TOM_HIGH = 50
    TOM_HIGH_MID = 48
    TOM_LOW_MID = 47
    TOM_LOW = 45
    FLOOR_HIGH = 43
    FLOOR_LOW = 41


GM_DRUM_NAMES: Dict[int, str] = {
    35: "acoustic kick", 36: "kick", 37: "side stick", 38: "snare", 39: "hand clap", 40: "rimshot snare",
    41: "low floor tom", 42: "closed hi-hat", 43: "high floor tom", 44: "pedal hi-hat", 45: "low tom",
    46: "open hi-hat", 47: "low-mid tom", 48: "high-mid tom", 49: "crash", 50: "high tom", 51: "ride",
    52: "china", 53: "ride bell", 55: "splash", 57: "crash 2", 59: "ride 2",
}
KICKS: FrozenSet[int] = frozenset({35, 36})
SNARES: FrozenSet[int] = frozenset({37, 38, 39, 40})
TOMS: FrozenSet[int] = frozenset({41, 43, 45, 47, 48, 50})
HIHATS: FrozenSet[int] = frozenset({42, 44, 46})
# Everything a drummer rides or crashes on. China, splash and ride bell stay distinct pitches.
CYMBALS: FrozenSet[int] = frozenset({42, 44, 46, 49, 51, 52, 53, 55, 57, 59})

# --------------------------------------------------------------------- Magenta's 9 drum classes (models)
# Owned by the corpus engineer (riffforge.encoding.drums, numpy only); re-exported here so music code and
# metrics have one import for everything drum-related. Class i plays DRUM_TYPE_PITCHES[i][0] when decoded.
from ..encoding.drums import DRUM_TYPE_NAMES, DRUM_TYPE_PITCHES, PITCH_TO_TYPE  # noqa: E402,F401

DRUM_CLASS_NAMES = DRUM_TYPE_NAMES
PITCH_TO_DRUM_CLASS = PITCH_TO_TYPE
