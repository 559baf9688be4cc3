"""Magenta's event extraction and windowing, on plain quantized notes (no note-seq needed).

Input is one *section* of a file (constant tempo, 16 steps per bar) already quantized at 4 steps per
quarter, and one candidate track of it: ``(start_step, end_step, pitch, velocity)`` tuples. These
functions port, step for step, what MusicVAE's data converters do after quantizing:

- :func:`extract_drum_tracks` = ``DrumsConverter`` pitch mapping + ``extract_drum_tracks(min_bars=1,
  gap_bars=1, pad_end=True, max_steps_truncate=100 bars)``;
- :func:`extract_melodies` = ``OneHotMelodyConverter`` pitch filter (21..108) + ``extract_melodies(
  min_bars=1, gap_bars=1, min_unique_pitches=1, ignore_polyphonic_notes=True, pad_end=True,
  max_steps_truncate=100 bars)``;
- :func:`slice_windows` = the converters' ``slice_bars`` windows with a one-bar hop;
- :func:`trio_windows` = ``TrioConverter`` (whole-section melody/bass/drum encodings, bar coverage
  with ``gap_bars=2`` filling, cross product of candidate tracks, windows where all three play).

Each extracted sequence is an int32 class array (see :mod:`riffforge.encoding`), plus its start step.
"""
from __future__ import annotations

import itertools
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ..encoding import drums as drum_enc
from ..encoding import melody as mel_enc

Note4 = Tuple[int, int, int, int]  # start_step, end_step, pitch, velocity
STEPS_PER_BAR = 16
MAX_BARS = 100  # Magenta's max_bars for the 2-bar and 16-bar melody/drum configs


def _round_up(value: int, multiple: int) -> int:
    return value + (-value % multiple)


# -- drums -----------------------------------------------------------------------------------------
def _drum_hits(notes: Sequence[Note4]) -> List[Tuple[int, int]]:
    """(start_step, drum type) for mapped, non-zero-velocity hits (unknown pitches are dropped)."""
    return [(s, drum_enc.PITCH_TO_TYPE[p]) for s, _e, p, v in notes if v and p in drum_enc.PITCH_TO_TYPE]


def _drum_track(hits: List[Tuple[int, int]], search: int, gap_steps: float, spb: int):
    grouped: Dict[int, int] = {}
    for s, t in hits:
        if s >= search:
            grouped[s] = grouped.get(s, 0) | (1 << t)
    if not grouped:
        return None
    steps = sorted(grouped)
    track_start = steps[0] - (steps[0] - search) % spb
    events: List[int] = []
    gap_start = 0
    for s in steps:
        idx = s - track_start
        if events and idx - gap_start >= gap_steps:
            break
        if len(events) < idx + 1:
            events.extend([0] * (idx + 1 - len(events)))
        events[idx] = grouped[s]
        gap_start = idx + 1
    events.extend([0] * (-len(events) % spb))
    return track_start, events


def extract_drum_tracks(
    notes: Sequence[Note4],
    gap_bars: float = 1.0,
    min_bars: int = 1,
    max_bars: int = MAX_BARS,
    spb: int = STEPS_PER_BAR,
) -> List[Tuple[int, np.ndarray]]:
    """Drum tracks of one track's notes: ``[(start_step, classes[int32])]`` (512-class bitmasks)."""
    hits = _drum_hits(notes)
    out: List[Tuple[int, np.ndarray]] = []
    search = 0
    gap_steps = gap_bars * spb if gap_bars else float("inf")
    while True:
        found = _drum_track(hits, search, gap_steps, spb)
        if found is None:
            break
        start, events = found
        search = _round_up(start + len(events), spb)
        if len(events) < spb * min_bars:
            continue
        if max_bars and len(events) > max_bars * spb:
            events = events[: max_bars * spb]
        out.append((start, np.array(events, np.int32)))
    return out


# -- melodies --------------------------------------------------------------------------------------
MELODY_VOICES = ("root", "top")


def _melody_notes(notes: Sequence[Note4]) -> List[Note4]:
    return [n for n in notes if mel_enc.MIN_PITCH <= n[2] <= mel_enc.MAX_PITCH]


def extract_melodies(
    notes: Sequence[Note4],
    gap_bars: float = 1.0,
    min_bars: int = 1,
    max_bars: int = MAX_BARS,
    spb: int = STEPS_PER_BAR,
    voice: str = "top",
) -> List[Tuple[int, np.ndarray]]:
    """Monophonic melodies of one track: ``[(start_step, classes[int32])]`` (90 classes).

    ``voice`` picks the note kept where several start together: ``"top"`` the highest (Magenta's melody
    extraction), ``"root"`` the lowest, which for a riff is its root line (the power chord's root, the
    palm-muted pedal), the part a riff is built on; the voicing on top is rendered separately.
    """
    if voice not in MELODY_VOICES:
        raise ValueError(f"voice={voice!r}: use one of {', '.join(MELODY_VOICES)}")
    sign = -1 if voice == "top" else 1
    usable = _melody_notes(notes)
    out: List[Tuple[int, np.ndarray]] = []
    search = 0
    gap_steps = gap_bars * spb if gap_bars else None
    while True:
        candidates = sorted((n for n in usable if n[0] >= search), key=lambda n: (n[0], sign * n[2]))
        if not candidates:
            break
        start = candidates[0][0] - (candidates[0][0] - search) % spb
        voiced = [(s, e, p) for s, e, p, v in candidates if v]
        events, _ = mel_enc.melody_events(voiced, origin=start, gap_steps=gap_steps, lowest=voice == "root")
        if not events:
            break
        events = mel_enc.finish_events(events, spb, pad_end=True)
        search = _round_up(start + len(events), spb)
        if len(events) < spb * min_bars:
            continue
        if max_bars and len(events) > max_bars * spb:
            events = mel_enc.set_length(events, max_bars * spb)
        if not any(e >= 0 for e in events):  # min_unique_pitches=1
            continue
        out.append((start, mel_enc.encode_events(events)))
    return out


# -- windows ---------------------------------------------------------------------------------------
def slice_windows(classes: np.ndarray, window_steps: int, hop_steps: int = STEPS_PER_BAR) -> List[Tuple[int, np.ndarray]]:
    """``[(offset, classes[offset:offset+window])]`` for every full window, hop one bar (Magenta)."""
    return [(i - window_steps, classes[i - window_steps:i]) for i in range(window_steps, len(classes) + 1, hop_steps)]


# -- trio ------------------------------------------------------------------------------------------
def _full_length(start: int, classes: np.ndarray, total_steps: int, fill: int) -> np.ndarray:
    """Left-pad by ``start`` and right-pad/truncate to ``total_steps`` (``pad_to_total_time``)."""
    out = np.full(total_steps, fill, np.int32)
    seg = classes[: max(0, total_steps - start)]
    out[start:start + len(seg)] = seg
    return out


def _melody_full(notes: Sequence[Note4], total_steps: int, spb: int, voice: str = "top"):
    mels = extract_melodies(notes, gap_bars=0, max_bars=0, spb=spb, voice=voice)
    if not mels:
        return None
    start, classes = mels[0]
    events = mel_enc.decode_events(classes)
    # Melody.set_length on the right ends a sustained note with a note-off at the old end.
    if start + len(events) < total_steps:
        events = mel_enc.set_length(events, total_steps - start)
        classes = mel_enc.encode_events(events)
    return _full_length(start, classes, total_steps, mel_enc.NO_EVENT_CLASS)


def _drums_full(notes: Sequence[Note4], total_steps: int, spb: int):
    tracks = extract_drum_tracks(notes, gap_bars=0, max_bars=0, spb=spb)
    if not tracks:
        return None
    start, classes = tracks[0]
    return _full_length(start, classes, total_steps, 0)


def trio_windows(
    melody_tracks: Sequence[Sequence[Note4]],
    bass_tracks: Sequence[Sequence[Note4]],
    drum_tracks: Sequence[Sequence[Note4]],
    total_steps: int,
    window_bars: int = 16,
    gap_bars: int = 2,
    max_bars: int = 1024,
    spb: int = STEPS_PER_BAR,
    voice: str = "top",
) -> List[Tuple[int, Tuple[int, int, int], np.ndarray]]:
    """TrioConverter windows: ``[(offset, (mel_idx, bass_idx, drum_idx), classes[T, 3])]`` (``voice``: the
    note the melody keeps where several start together, see :func:`extract_melodies`)."""
    total_bars = min(int(np.ceil(total_steps / spb)), max_bars)
    if total_bars < window_bars or not (melody_tracks and bass_tracks and drum_tracks):
        return []
    steps = total_bars * spb
    groups = [list(melody_tracks), list(bass_tracks), list(drum_tracks)]
    encoded: List[List] = []
    coverage: List[List[np.ndarray]] = []
    for kind, tracks in enumerate(groups):
        enc_row, cov_row = [], []
        for notes in tracks:
            cov = np.zeros(total_bars, bool)
            for s, e, _p, _v in notes:
                start_bar, end_bar = s // spb, int(np.ceil(e / spb))
                if start_bar < total_bars:
                    cov[start_bar:min(end_bar, total_bars)] = True
            classes = (_drums_full(notes, steps, spb) if kind == 2 else
                       _melody_full(notes, steps, spb, voice if kind == 0 else "top"))
            if classes is None:
                cov[:] = False
            enc_row.append(classes)
            cov_row.append(cov)
        encoded.append(enc_row)
        coverage.append(cov_row)
    # Fill coverage gaps up to gap_bars on each side.
    filled = [[np.array([c[max(0, j - gap_bars):min(total_bars, j + gap_bars) + 1].any() for j in range(total_bars)])
               for c in row] for row in coverage]
    out = []
    for grp in itertools.product(*(range(len(g)) for g in groups)):
        if any(encoded[k][i] is None for k, i in enumerate(grp)):
            continue
        covs = np.stack([filled[k][i] for k, i in enumerate(grp)], axis=1)
        grp_cov = covs.all(axis=1)
        grp_cov[:gap_bars] = covs[:gap_bars].any()
        grp_cov[-gap_bars:] = covs[-gap_bars:].any()
        stacked = np.stack([encoded[k][i] for k, i in enumerate(grp)], axis=1)
        for j in range(total_bars - window_bars + 1):
            if grp_cov[j:j + window_bars].all():
                a, b = j * spb, (j + window_bars) * spb
                out.append((a, tuple(grp), stacked[a:b]))
    return out
