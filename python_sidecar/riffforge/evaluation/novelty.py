"""Novelty and variety of sampled riffs: exact duplicates of training examples, pairwise diversity.

Every track is reduced to a per-step code sequence over its first 2 bars (32 16th steps):

- drums: Magenta's 9-class kit class per step (:func:`riffforge.encoding.drums.notes_to_drums`), exactly
  the drum model's training target;
- guitar / bass: the melody encoding (guitar: lowest note per onset, i.e. the power-chord root), turned
  into a **transposition- and octave-invariant** key: per step ``-1`` (hold/nothing new), ``-2`` (note off)
  or the pitch class relative to the first note's. The runtime transposes and octave-folds decoded
  melodies onto the requested key, so exact pitch equality would hide copies; this key counts every
  transposed copy as a duplicate (an upper bound on copying).

A sampled track is a *duplicate* when its key equals the key of any training window of that instrument.
A riff is an *exact duplicate of a training example* (``all``) when every one of its tracks is (the
necessary condition for the riff to copy a training riff; an upper bound, since the matches may come
from different training riffs); ``any`` (one or more tracks copied) is the stricter view, also reported. *Pairwise diversity* is the mean normalised Hamming
distance between the code sequences of every pair of riffs (0 = all identical, 1 = no step in common).
"""
from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import numpy as np

from ..encoding import melody as mel_enc
from ..music.riff import Riff
from ..runtime.render import tracks_to_classes

STEPS = 32
HOLD, OFF = -1, -2


def melody_key(classes: Sequence[int]) -> Tuple[int, ...]:
    """Transposition/octave-invariant key of a melody class sequence (see the module docstring)."""
    first = None
    out = []
    for c in classes:
        c = int(c)
        if c == mel_enc.NO_EVENT_CLASS:
            out.append(HOLD)
        elif c == mel_enc.NOTE_OFF_CLASS:
            out.append(OFF)
        else:
            pitch = mel_enc.class_to_event(c)
            first = pitch if first is None else first
            out.append((pitch - first) % 12)
    return tuple(out)


def track_key(riff: Riff, instrument: str, steps: int = STEPS) -> Optional[Tuple[int, ...]]:
    """Key of one track's first ``steps`` steps; None when the riff has no notes on it."""
    if not riff.tracks.get(instrument):
        return None
    classes = tracks_to_classes(riff.tracks, (instrument,), steps)[:, 0]
    if instrument == "drums":
        return tuple(int(c) for c in classes)
    return melody_key(classes)


def training_keys(corpus_dir: Path, instrument: str, split: str = "train") -> Set[Tuple[int, ...]]:
    """Keys of every window in a corpus split (drum corpus for drums, melody corpus for guitar/bass)."""
    from ..corpus.shards import load_split

    ds = load_split(corpus_dir, split)
    targets = np.asarray(ds.targets)[:, :STEPS, 0]
    if instrument == "drums":
        return {tuple(int(c) for c in row) for row in targets}
    return {melody_key(row) for row in targets}


def duplicate_rates(riffs: Sequence[Riff], keys: Dict[str, Set[Tuple[int, ...]]]) -> Dict[str, float]:
    """Share of riffs whose track duplicates a training window: per instrument, ``any`` track, ``all`` tracks."""
    per: Dict[str, List[bool]] = {inst: [] for inst in keys}
    any_dup, all_dup = [], []
    for riff in riffs:
        hits = []
        for inst, known in keys.items():
            k = track_key(riff, inst)
            if k is None:
                continue
            d = k in known
            per[inst].append(d)
            hits.append(d)
        any_dup.append(any(hits))
        all_dup.append(bool(hits) and all(hits))
    out = {inst: (float(np.mean(v)) if v else float("nan")) for inst, v in per.items()}
    out["any"] = float(np.mean(any_dup)) if any_dup else float("nan")
    out["all"] = float(np.mean(all_dup)) if all_dup else float("nan")
    return out


def riff_codes(riff: Riff, instruments: Iterable[str]) -> np.ndarray:
    """Concatenated per-step codes of the given instruments (missing track = all ``HOLD``)."""
    parts = []
    for inst in instruments:
        k = track_key(riff, inst)
        parts.append(np.array(k if k is not None else (HOLD,) * STEPS, np.int64))
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def pairwise_diversity(riffs: Sequence[Riff], instruments: Sequence[str], max_riffs: int = 200) -> Dict[str, float]:
    """``{"diversity": mean pairwise normalised Hamming distance, "unique": share of distinct riffs}``."""
    riffs = list(riffs)[:max_riffs]
    if len(riffs) < 2:
        return {"diversity": float("nan"), "unique": float("nan")}
    codes = np.stack([riff_codes(r, instruments) for r in riffs])
    n = len(codes)
    dists = [(codes[i] != codes[j]).mean() for i, j in combinations(range(n), 2)]
    unique = len({c.tobytes() for c in codes}) / n
    return {"diversity": float(np.mean(dists)), "unique": float(unique)}
