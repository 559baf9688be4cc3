"""Pitch metrics: power chords, modal fit, bass–guitar roots, pitch-class entropy, playable range.

Each function returns a float (``nan`` when undefined, e.g. a drums-only riff) unless stated otherwise.
"""
from __future__ import annotations

import math
from typing import List, Optional, Tuple

from ..music.riff import PITCH_CLASS_NAMES
from ..music.theory import MODES, TUNINGS, chord_root, power_chord_root, scale_pitch_classes
from .view import RiffLike, as_view

NAN = float("nan")


def power_chord_ratio(riff: RiffLike) -> float:
    """Share of guitar onset events (all notes starting on one step) that form a power chord: root +
    fifth, root + fifth + octave, or the inversions fifth-below + root (+ fifth above). Single notes and
    other chords count against it. nan without guitar."""
    groups = as_view(riff).onset_groups("guitar")
    if not groups:
        return NAN
    return sum(1 for ps in groups.values() if power_chord_root(ps) is not None) / len(groups)


def mode_share(riff: RiffLike, key: Optional[str] = None, mode: Optional[str] = None,
               instruments: Tuple[str, ...] = ("guitar",)) -> float:
    """Share of the notes of ``instruments`` whose pitch class is in ``key`` ``mode`` (default: the
    riff's declared key and mode). nan without notes or when the mode is not one of
    :data:`riffforge.music.theory.MODES`."""
    v = as_view(riff)
    key = key or v.riff.key
    mode = mode or v.riff.mode
    if mode not in MODES:
        return NAN
    scale = scale_pitch_classes(key, mode)
    notes = [n for i in instruments for n in v.riff.notes(i)]
    if not notes:
        return NAN
    return sum(1 for n in notes if n.pitch % 12 in scale) / len(notes)


def _pitch_class_counts(v) -> List[int]:
    """How many guitar and bass notes fall on each of the 12 pitch classes."""
    counts = [0] * 12
    for i in ("guitar", "bass"):
        for n in v.riff.notes(i):
            counts[n.pitch % 12] += 1
    return counts


def best_modal_fit(riff: RiffLike) -> Tuple[Optional[str], Optional[str], float]:
    """The (key, mode) among 12 roots x :data:`MODES` with the largest share of guitar and bass notes in
    it, and that share. Ties go to the mode with fewer notes (more specific), then to the root that is
    the most frequent pitch class, then to the order of :data:`MODES`. ``(None, None, nan)`` without
    pitched notes."""
    counts = _pitch_class_counts(as_view(riff))
    total = sum(counts)
    if not total:
        return None, None, NAN
    best = None
    for mi, (mode, offsets) in enumerate(MODES.items()):
        for root in range(12):
            inside = sum(counts[(root + o) % 12] for o in offsets)
            score = (inside / total, -len(offsets), counts[root], -mi)
            if best is None or score > best[0]:
                best = (score, PITCH_CLASS_NAMES[root], mode)
    return best[1], best[2], best[0][0]


def bass_guitar_root_agreement(riff: RiffLike) -> float:
    """On strong beats (every beat start: steps 0, 4, 8, 12 of a 4/4 bar) where both guitar and bass
    sound, the share where the bass's lowest sounding pitch class equals the guitar chord's root pitch
    class (the power-chord root when the sounding notes form one, else the lowest note). nan when they
    never sound together on a strong beat."""
    v = as_view(riff)
    if not (v.has_guitar and v.has_bass):
        return NAN
    beat = 16 // v.riff.meter[1] if v.riff.meter[1] <= 16 else 1
    g, b = v.sounding("guitar"), v.sounding("bass")
    agree = total = 0
    for s in range(0, v.total, beat):
        if g[s] and b[s]:
            total += 1
            agree += int(min(b[s]) % 12 == chord_root(g[s]) % 12)
    return agree / total if total else NAN


def pitch_class_entropy(riff: RiffLike) -> float:
    """Shannon entropy (bits) of the normalised pitch-class histogram of guitar and bass notes (MusPy's
    pitch-class entropy; drums ignored). 0 = one pitch class, log2(12) ≈ 3.58 = uniform. nan without
    pitched notes."""
    counts = _pitch_class_counts(as_view(riff))
    total = sum(counts)
    if not total:
        return NAN
    return -sum(c / total * math.log2(c / total) for c in counts if c)


def in_tuning_range_share(riff: RiffLike) -> float:
    """Share of guitar notes inside the playable range of the riff's tuning (open lowest string to the
    top string's 24th fret). nan without guitar or with an unknown tuning."""
    v = as_view(riff)
    notes = v.riff.notes("guitar")
    tuning = TUNINGS.get(v.riff.tuning)
    if not notes or tuning is None:
        return NAN
    return sum(1 for n in notes if tuning.in_range(n.pitch)) / len(notes)


__all__ = ["power_chord_ratio", "mode_share", "best_modal_fit", "bass_guitar_root_agreement",
           "pitch_class_entropy", "in_tuning_range_share"]
