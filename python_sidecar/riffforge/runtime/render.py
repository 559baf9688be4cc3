"""Decoded MusicVAE classes <-> riff tracks (NumPy + the numpy-only :mod:`riffforge.encoding`).

Rendering a head into notes:

- drums (512 classes): Magenta's 9-class kit -> GM pitches (:func:`riffforge.encoding.drums.drums_to_notes`),
  velocity from the intensity with accents on the beat.
- guitar / bass (90 melody classes): Magenta's melody decoding, then one transposition shared by guitar and
  bass (so a trio's harmony survives) that puts the riff's tonal centre on the requested key, then octave
  folding into the instrument's range for the tuning. The guitar model plays the riff's *root line* (the
  lowest note of every onset); :func:`render_guitar` voices it the way the style does
  (:class:`riffforge.music.styles.StyleSpec` ``chord_p``/``pedal_chord_p``, shared with the procedural
  generator): palm-muted pedal notes mostly single, moving and accented notes power chords, octaves or
  single notes, and a repeated figure voiced as it was the first time.

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


def tonic_fold(pitches: Sequence[int], anchor: int) -> Optional[int]:
    """Octave offset that puts the lowest note of ``anchor``'s pitch class (the tonic, a riff's pedal) on
    ``anchor`` (the tuning's lowest tonic), or None when the line never plays the tonic."""
    tonics = [p for p in pitches if p % 12 == anchor % 12]
    return None if not tonics else anchor - min(tonics)


def render_melodic(triples, shift: int, lo: int, hi: int, anchor: int, velocity: int, power_chords: bool,
                   offset: int = 0, on_tonic: bool = False) -> List[Note]:
    """Notes of a decoded line, shifted by ``shift`` and folded into [lo, hi]: its lowest note near
    ``anchor``, or with ``on_tonic`` its lowest tonic on ``anchor`` (a riff's pedal on the open low string,
    notes below it an octave up), as the guitar and the bass play a riff."""
    pitched = [(s, e, p + shift) for s, e, p in triples]
    k = tonic_fold([p for _, _, p in pitched], anchor) if on_tonic else None
    if k is None:
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


def render_guitar(triples, shift: int, lo: int, hi: int, anchor: int, velocity: int, scale: frozenset,
                  chord_p: float, pedal_chord_p: float, rng: np.random.Generator) -> List[Note]:
    """Voice a decoded root line (see the module docstring). ``scale``: pitch classes of the key's mode
    (a power chord is only added where its fifth stays in the mode)."""
    roots = render_melodic(triples, shift, lo, hi, anchor, velocity, False, on_tonic=True)
    if not roots:
        return []
    pedal = min(n.pitch for n in roots)
    voicings: Dict[tuple, Tuple[int, ...]] = {}
    notes: List[Note] = []
    for n in roots:
        plain_pedal = n.pitch == pedal and n.length <= 2 and n.start % 16 != 0
        key = (n.start % 32, n.length, n.pitch)
        if key not in voicings:
            chord = rng.random() < (pedal_chord_p if plain_pedal else chord_p) and (n.pitch + 7) % 12 in scale
            if not chord:
                voicings[key] = (0,)
            elif n.pitch + 12 <= hi and rng.random() < 0.12:
                voicings[key] = (0, 12)
            elif n.pitch + 12 <= hi and not plain_pedal and rng.random() < 0.3:
                voicings[key] = (0, 7, 12)
            else:
                voicings[key] = (0, 7)
        for k in voicings[key]:
            if n.pitch + k <= hi:
                notes.append(Note(n.start, n.length, n.pitch + k, n.velocity))
    return notes


def root_controls(classes: Sequence[int], depth: int) -> np.ndarray:
    """One-hot chord controls [T, depth] from decoded guitar classes: the guitar's root line per step, built
    by the same :func:`riffforge.encoding.chords.root_line_controls` as the guitar-conditioned bass corpus."""
    from ..encoding import one_hot
    from ..encoding.chords import root_line_controls

    return one_hot(np.array(root_line_controls(melody_triples(classes), len(classes))), depth)


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
