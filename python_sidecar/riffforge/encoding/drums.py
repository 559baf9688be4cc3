"""Magenta's drum encoding (``note_seq.drums_encoder_decoder`` + MusicVAE's ``DrumsConverter``).

Nine drum types, each a list of General MIDI pitches; the first pitch of each list is the exemplar
used when decoding. A step's hits form a set of types; the output class is the bitmask
``sum(2 ** type)`` (512 classes; class 0 = no hit). The ``roll_input`` encoder input used by the
``cat-drums_2bar_*`` configs is the 9 hit bits followed by a "no hit" bit (depth 10).

:data:`DRUM_TYPE_PITCHES` is the single source of truth for the 9-class map; the music engineer
re-exports it from :mod:`riffforge.music.theory`.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, Sequence, Tuple

import numpy as np

#: Magenta's DEFAULT_DRUM_TYPE_PITCHES (= MusicVAE's REDUCED_DRUM_PITCH_CLASSES), in class order.
DRUM_TYPE_PITCHES: Tuple[Tuple[int, ...], ...] = (
    (36, 35),  # 0 bass drum (kick)
    (38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85),  # 1 snare
    (42, 44, 54, 68, 69, 70, 71, 73, 78, 80, 22),  # 2 closed hi-hat
    (46, 67, 72, 74, 79, 81, 26),  # 3 open hi-hat
    (45, 29, 41, 43, 61, 64, 84),  # 4 low tom
    (48, 47, 60, 63, 77, 86, 87),  # 5 mid tom
    (50, 30, 62, 76, 83),  # 6 high tom
    (49, 52, 55, 57, 58),  # 7 crash cymbal
    (51, 53, 59, 82),  # 8 ride cymbal
)
DRUM_TYPE_NAMES: Tuple[str, ...] = (
    "kick", "snare", "closed_hihat", "open_hihat", "low_tom", "mid_tom", "high_tom", "crash", "ride",
)
NUM_DRUM_TYPES = len(DRUM_TYPE_PITCHES)
NUM_CLASSES = 2 ** NUM_DRUM_TYPES  # 512
ROLL_INPUT_DEPTH = NUM_DRUM_TYPES + 1  # 10: hit bits + no-hit bit
#: GM pitch -> drum type index, for every pitch Magenta maps (others are dropped on encode).
PITCH_TO_TYPE: Dict[int, int] = {p: t for t, pitches in enumerate(DRUM_TYPE_PITCHES) for p in pitches}
#: Drum type index -> exemplar GM pitch written when decoding.
TYPE_EXEMPLAR: Tuple[int, ...] = tuple(p[0] for p in DRUM_TYPE_PITCHES)
DEFAULT_VELOCITY = 80  # Magenta's OUTPUT_VELOCITY


def types_to_class(types: Iterable[int]) -> int:
    """A set of drum type indices -> output class (bitmask)."""
    return int(sum(1 << t for t in set(types)))


def class_to_types(cls: int) -> Tuple[int, ...]:
    """Output class -> sorted drum type indices (Magenta's ``decode_event``)."""
    if not 0 <= int(cls) < NUM_CLASSES:
        raise ValueError(f"drum class {cls}: must be 0..{NUM_CLASSES - 1}")
    return tuple(t for t in range(NUM_DRUM_TYPES) if (int(cls) >> t) & 1)


def pitches_to_class(pitches: Iterable[int]) -> int:
    """GM drum pitches hit on one step -> output class; pitches outside Magenta's map are ignored."""
    return types_to_class(PITCH_TO_TYPE[p] for p in pitches if p in PITCH_TO_TYPE)


def encode_drums(step_pitches: Sequence[Iterable[int]]) -> np.ndarray:
    """Per-step collections of GM pitches -> int32 classes ``[T]``."""
    return np.array([pitches_to_class(s) for s in step_pitches], np.int32)


def decode_drums(classes: Sequence[int]) -> List[FrozenSet[int]]:
    """Classes ``[T]`` -> per-step frozensets of exemplar GM pitches (what Magenta's decoder plays)."""
    return [frozenset(TYPE_EXEMPLAR[t] for t in class_to_types(c)) for c in np.asarray(classes).tolist()]


def roll(classes: np.ndarray) -> np.ndarray:
    """int classes ``[..., T]`` -> float32 hit roll ``[..., T, 9]``."""
    classes = np.asarray(classes, np.int64)
    bits = (classes[..., None] >> np.arange(NUM_DRUM_TYPES)) & 1
    return bits.astype(np.float32)


def roll_input(classes: np.ndarray) -> np.ndarray:
    """Magenta's ``roll_input`` tensor: 9 hit bits + no-hit bit, float32 ``[..., T, 10]``."""
    r = roll(classes)
    nohit = (np.asarray(classes)[..., None] == 0).astype(np.float32)
    return np.concatenate([r, nohit], axis=-1)


def classes_from_roll(rolled: np.ndarray) -> np.ndarray:
    """Inverse of :func:`roll` / :func:`roll_input` (extra no-hit column ignored)."""
    bits = np.asarray(rolled)[..., :NUM_DRUM_TYPES] > 0.5
    return (bits * (1 << np.arange(NUM_DRUM_TYPES))).sum(-1).astype(np.int32)


def drums_to_notes(classes: Sequence[int], velocity: int = DEFAULT_VELOCITY, offset: int = 0):
    """Classes -> ``riffforge.music.Note`` list (one step long, exemplar pitches), sorted."""
    from ..music.riff import Note

    notes = []
    for step, pitches in enumerate(decode_drums(classes)):
        for p in sorted(pitches):
            notes.append(Note(start=offset + step, length=1, pitch=p, velocity=velocity))
    return notes


def notes_to_drums(notes, steps: int, offset: int = 0) -> np.ndarray:
    """``Note`` list (16th steps) -> classes ``[steps]``; onsets outside ``offset..offset+steps`` dropped."""
    per_step: List[List[int]] = [[] for _ in range(steps)]
    for n in notes:
        s = n.start - offset
        if 0 <= s < steps:
            per_step[s].append(n.pitch)
    return encode_drums(per_step)
DRUM_CLASS_NAMES = DRUM_TYPE_NAMES  # alias used by riffforge.music.theory
