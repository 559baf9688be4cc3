"""Decoded MusicVAE classes <-> riff tracks (NumPy + the numpy-only :mod:`riffforge.encoding`).

Rendering a head into notes:

- drums (512 classes): Magenta's 9-class kit -> GM pitches (:func:`riffforge.encoding.drums.drums_to_notes`),
  velocity from the intensity with accents on the beat.
- guitar / bass (90 melody classes): Magenta's melody decoding, then one transposition shared by guitar and
  bass (so a trio's harmony survives) that puts the riff's tonal centre on the requested key, then octave
  folding into the instrument's range for the tuning; low guitar notes become power chords (root + fifth).

:func:`tracks_to_classes` is the inverse used to *encode* a riff (for morphing): guitar takes the lowest
note of each onset (the power-chord root), bass and drums as they are.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..encoding import drums as drum_enc
from ..encoding import melody as mel_enc
from ..music.riff import Note

STEPS_PER_BAR = 16


def tonal_centre(triples: Sequence[Tuple[int, int, int]]) -> Optional[int]:
    """Pitch class that best serves as the riff's root: duration-weighted, with low notes counting more."""
    if not triples:
        return None
    weights = np.zeros(12)
    low = min(p for _, _, p in triples)
    for s, e, p in triples:
        weights[p % 12] += (e - s) * (2.0 if p - low < 7 else 1.0)
        if s % 4 == 0:
            weights[p % 12] += 1.0
    return int(np.argmax(weights))


def key_shift(centre: Optional[int], key_pc: int) -> int:
    """Semitones in -6..5 that move pitch class ``centre`` onto ``key_pc``."""
    if centre is None:
        return 0
    return (key_pc - centre + 6) % 12 - 6


def _sounding_on_beats(triples: Sequence[Tuple[int, int, int]], total: int, beat: int = 4) -> Dict[int, int]:
    """Lowest sounding pitch at every beat start ``0, beat, ..`` below ``total`` (beats where one sounds)."""
    out: Dict[int, int] = {}
    for s, e, p in triples:
        for b in range(-(-s // beat) * beat, min(e, total), beat):
            if b not in out or p < out[b]:
                out[b] = p
    return out


def follow_shift(lead: Sequence[Tuple[int, int, int]], lead_shift: int, line: Sequence[Tuple[int, int, int]],
                 default: int, total: int) -> int:
    """Transposition (-6..5) for ``line`` (a separately decoded bass) that makes its beat notes land on the
    pitch classes of ``lead`` (the guitar, shifted by ``lead_shift``) most often; ties keep ``default`` (the
    line's own tonal centre on the key) or the shift closest to it. The notes stay the model's; only where
    the whole line sits follows the guitar's root movement."""
    lead_pc = {b: (p + lead_shift) % 12 for b, p in _sounding_on_beats(lead, total).items()}
    line_pc = {b: p % 12 for b, p in _sounding_on_beats(line, total).items() if b in lead_pc}
    if not line_pc:
        return default
    scores = np.zeros(12, int)
    for b, pc in line_pc.items():
        scores[(lead_pc[b] - pc) % 12] += 1
    best = [(k + 6) % 12 - 6 for k in np.flatnonzero(scores == scores.max())]
    return min(best, key=lambda k: (k != default, abs(k - default)))


def fold_into(pitches: Sequence[int], lo: int, hi: int, anchor: int) -> int:
    """Octave offset (multiple of 12) that puts the lowest pitch closest above ``anchor`` inside [lo, hi]."""
    if not pitches:
        return 0
    low = min(pitches)
    k = int(np.floor((anchor - low) / 12.0 + 0.5)) * 12
    if low + k < lo:
        k += 12
    return k


def melody_triples(classes: Sequence[int]) -> List[Tuple[int, int, int]]:
    return [(int(s), int(e), int(p)) for s, e, p in mel_enc.decode_melody([int(c) for c in classes])]


def render_melodic(triples, shift: int, lo: int, hi: int, anchor: int, velocity: int, power_chords: bool,
                   offset: int = 0) -> List[Note]:
    pitched = [(s, e, p + shift) for s, e, p in triples]
    k = fold_into([p for _, _, p in pitched], lo, hi, anchor)
    notes: List[Note] = []
    for s, e, p in pitched:
        p += k
        while p > hi:
            p -= 12
        while p < lo:
            p += 12
        if e <= s:
            continue
        v = min(127, velocity + (8 if s % 4 == 0 else 0))
        notes.append(Note(offset + s, e - s, int(p), int(v)))
        if power_chords and p + 7 <= hi and p < lo + 12:
            notes.append(Note(offset + s, e - s, int(p + 7), int(v)))
    return notes


_CLASS_PITCHES: List[Tuple[int, ...]] = [tuple(sorted(drum_enc.decode_drums([c])[0]))
                                          for c in range(drum_enc.NUM_CLASSES)]
_ACCENTED = frozenset((35, 36, 38, 40))
_CYMBALS = frozenset((42, 44, 46, 51, 53))


def render_drums(classes: Sequence[int], velocity: int, offset: int = 0) -> List[Note]:
    """Drum classes -> GM notes (Magenta's exemplar pitch per class), accents on the beat for kick/snare."""
    notes = []
    for step, c in enumerate(classes):
        for p in _CLASS_PITCHES[int(c)]:
            v = velocity + (10 if step % 4 == 0 and p in _ACCENTED else 0) - (8 if p in _CYMBALS else 0)
            notes.append(Note(offset + step, 1, p, 1 if v < 1 else 127 if v > 127 else v))
    return notes


def tracks_to_classes(tracks: Dict[str, List[Note]], instruments: Sequence[str], steps: int,
                      offset: int = 0) -> np.ndarray:
    """Riff tracks -> classes [steps, heads] for the given head instruments (guitar/bass: melody, drums)."""
    out = np.zeros((steps, len(instruments)), np.int64)
    for h, inst in enumerate(instruments):
        notes = tracks.get(inst, [])
        if inst == "drums":
            out[:, h] = drum_enc.notes_to_drums(notes, steps, offset)
        else:
            if inst == "guitar":  # lowest note per onset = the power-chord root
                by_start: Dict[int, Note] = {}
                for n in notes:
                    if n.start not in by_start or n.pitch < by_start[n.start].pitch:
                        by_start[n.start] = n
                notes = sorted(by_start.values())
            out[:, h] = mel_enc.notes_to_melody(notes, steps, offset)
    return out


def encoder_inputs(classes: np.ndarray, encoding: str) -> np.ndarray:
    """Model encoder input [T, input_depth] from classes [T, heads] (drums: roll input; else one-hot)."""
    if encoding == "drums":
        return drum_enc.roll_input(classes[:, 0]).astype(np.float32)
    from ..encoding import one_hot

    depths = {"melody": (mel_enc.NUM_CLASSES,), "trio": (mel_enc.NUM_CLASSES, mel_enc.NUM_CLASSES,
                                                         drum_enc.NUM_CLASSES)}[encoding]
    return np.concatenate([one_hot(classes[:, h], d) for h, d in enumerate(depths)], axis=-1)
