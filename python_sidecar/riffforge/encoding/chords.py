"""Magenta's 49-class triad chord controls (``note_seq.TriadChordOneHotEncoding``).

Class 0 is "no chord" (``N.C.``); ``1 + 12 * quality + root`` otherwise, quality 0 major, 1 minor,
2 augmented, 3 diminished, root a pitch class (C = 0). Chord figures are parsed for the triad only
(``"Em7"`` -> E minor); figures with no triad (``"E5"`` power chords, ``"Esus4"``) raise
:class:`ChordEncodingError`, exactly as Magenta refuses them.
"""
from __future__ import annotations

import re
from typing import Iterable, List, Optional, Sequence, Tuple

NO_CHORD = "N.C."
NUM_CLASSES = 49
QUALITIES = ("", "m", "aug", "dim")
MAJOR, MINOR, AUGMENTED, DIMINISHED = range(4)
PITCH_CLASS_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")  # Magenta's spelling
_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_FIGURE = re.compile(r"^([A-G])([#b]*)(.*)$")


class ChordEncodingError(ValueError):
    """A chord figure is not a standard triad (or not a chord at all)."""


def class_of(root: int, quality: int) -> int:
    if not 0 <= quality < 4:
        raise ChordEncodingError(f"chord quality {quality}: must be 0..3 (major, minor, aug, dim)")
    return 1 + 12 * quality + int(root) % 12


def root_and_quality(cls: int) -> Tuple[int, int]:
    """Class 1..48 -> (root pitch class, quality)."""
    if not 1 <= int(cls) < NUM_CLASSES:
        raise ChordEncodingError(f"chord class {cls}: must be 1..48 (0 is no chord)")
    return (int(cls) - 1) % 12, (int(cls) - 1) // 12


def parse_figure(figure: str) -> Tuple[int, int]:
    """``"F#m7"`` -> (6, MINOR). Raises :class:`ChordEncodingError` for non-triads."""
    m = _FIGURE.match(figure.strip())
    if not m:
        raise ChordEncodingError(f"chord {figure!r}: not a chord symbol (expected e.g. 'C', 'Am', 'Bdim')")
    root = (_NATURAL[m.group(1)] + m.group(2).count("#") - m.group(2).count("b")) % 12
    rest = m.group(3).split("/")[0]
    if rest.startswith(("m7b5", "ø")):
        return root, DIMINISHED
    if rest.startswith(("dim", "o", "°")):
        return root, DIMINISHED
    if rest.startswith(("aug", "+")):
        return root, AUGMENTED
    if rest.startswith(("min", "m", "-")) and not rest.startswith("maj"):
        return root, MINOR
    if rest == "" or rest.startswith(("maj", "M", "7", "9", "11", "13", "6", "add")):
        return root, MAJOR
    raise ChordEncodingError(f"chord {figure!r}: not a standard triad (power or suspended chord)")


def encode_chord(figure: str) -> int:
    """Chord figure -> class (0 for ``N.C.``)."""
    if figure == NO_CHORD:
        return 0
    root, quality = parse_figure(figure)
    return class_of(root, quality)


def decode_chord(cls: int) -> str:
    """Class -> Magenta's figure (``"Ebm"``, ``"Caug"``; ``"N.C."`` for 0)."""
    if int(cls) == 0:
        return NO_CHORD
    root, quality = root_and_quality(cls)
    return PITCH_CLASS_NAMES[root] + QUALITIES[quality]


def root_line_controls(notes: Iterable[Sequence[int]], total_steps: int) -> List[int]:
    """Per step, the 49-class chord control of a guitar part's root line: the pitch class of its lowest
    sounding note (else of its latest onset), held through rests, 0 before its first note. ``notes`` are
    ``(start, end, pitch, ...)`` in steps: a MIDI track's notes when a corpus is built, the decoded guitar
    line when the runtime conditions the bass on it, so both see the same control.

    A power chord has no third, so the control uses the major-triad slot of the root (:func:`class_of`): a
    model conditioned on it (Magenta's ``cat-mel_2bar_med_chords`` pattern) learns "the guitar's root is r"
    per step.
    """
    low: List[Optional[int]] = [None] * total_steps
    starts = {}
    for n in notes:
        s, e, p = int(n[0]), int(n[1]), int(n[2])
        if s >= total_steps:
            continue
        starts[s] = min(p, starts.get(s, p))
        for t in range(s, min(e, total_steps)):
            if low[t] is None or p < low[t]:
                low[t] = p
    out, last = [], None
    for t in range(total_steps):
        if t in starts:
            last = starts[t]
        pitch = low[t] if low[t] is not None else last
        out.append(0 if pitch is None else class_of(pitch % 12, MAJOR))
    return out
