"""Magenta's monophonic melody encoding (``note_seq.Melody`` + ``MelodyOneHotEncoding(21, 109)``).

A melody is a list of per-step *events*: a MIDI pitch (note onset), :data:`NOTE_OFF_EVENT` (-1) or
:data:`NO_EVENT` (-2, "keep doing what you did"). Classes: 0 = no event, 1 = note off,
``2 + pitch - 21`` for pitches 21..108, so 90 classes. The encoder input is the one-hot of the classes.

:func:`melody_events` ports ``Melody.from_quantized_sequence`` (with ``ignore_polyphonic_notes``):
notes sorted by onset then pitch descending; of notes starting on the same step only the highest is
kept; a note starting while another sounds cuts it; each note writes its onset and a note-off at its
end step. :func:`decode_melody` ports ``Melody.to_sequence``: a note sounds from its onset to the next
onset or note-off (or the end of the sequence).
"""
from __future__ import annotations

from typing import Iterable, List, Optional, Sequence, Tuple

import numpy as np

MIN_PITCH = 21
MAX_PITCH = 108
NO_EVENT = -2
NOTE_OFF_EVENT = -1
NUM_SPECIAL = 2
NO_EVENT_CLASS = 0
NOTE_OFF_CLASS = 1
NUM_CLASSES = MAX_PITCH - MIN_PITCH + 1 + NUM_SPECIAL  # 90
DEFAULT_VELOCITY = 80  # Magenta's OUTPUT_VELOCITY


class MelodyEncodingError(ValueError):
    """A pitch or class is outside the melody range."""


def event_to_class(event: int) -> int:
    if event >= 0:
        if not MIN_PITCH <= event <= MAX_PITCH:
            raise MelodyEncodingError(f"melody pitch {event}: outside {MIN_PITCH}..{MAX_PITCH}; transpose it")
        return event - MIN_PITCH + NUM_SPECIAL
    if event not in (NO_EVENT, NOTE_OFF_EVENT):
        raise MelodyEncodingError(f"melody event {event}: not a pitch, NOTE_OFF (-1) or NO_EVENT (-2)")
    return event + NUM_SPECIAL


def class_to_event(cls: int) -> int:
    cls = int(cls)
    if not 0 <= cls < NUM_CLASSES:
        raise MelodyEncodingError(f"melody class {cls}: must be 0..{NUM_CLASSES - 1}")
    return cls - NUM_SPECIAL if cls < NUM_SPECIAL else cls - NUM_SPECIAL + MIN_PITCH


def encode_events(events: Sequence[int]) -> np.ndarray:
    """Melody events -> int32 classes."""
    return np.array([event_to_class(int(e)) for e in events], np.int32)


def decode_events(classes: Sequence[int]) -> List[int]:
    return [class_to_event(c) for c in np.asarray(classes).tolist()]


def _add_note(events: List[int], pitch: int, start: int, end: int) -> None:
    """``Melody._add_note``: resize to ``end + 1``, onset at start, note-off at end, no-events between."""
    if len(events) < end + 1:
        events.extend([NO_EVENT] * (end + 1 - len(events)))
    else:
        del events[end + 1:]
    events[start] = pitch
    events[end] = NOTE_OFF_EVENT
    for i in range(start + 1, end):
        events[i] = NO_EVENT


def _last_on_off(events: List[int]) -> Tuple[int, int]:
    last_off = len(events)
    for i in range(len(events) - 1, -1, -1):
        if events[i] == NOTE_OFF_EVENT:
            last_off = i
        if events[i] >= 0:
            return i, last_off
    raise ValueError("no events")


def melody_events(
    notes: Iterable[Tuple[int, int, int]],
    origin: int = 0,
    gap_steps: Optional[int] = None,
    lowest: bool = False,
) -> Tuple[List[int], int]:
    """Monophonic events from ``(start_step, end_step, pitch)`` notes, Magenta's way.

    Event index 0 is step ``origin``; notes starting before ``origin`` must be filtered by the caller.
    With ``gap_steps``, stops before the first note that starts ``gap_steps`` or more after the last
    note-off (Magenta's ``gap_bars``). Returns ``(events, consumed)`` where ``consumed`` is the number of
    notes used or skipped before the gap (so the caller can resume extraction after it). The final
    note-off is kept (callers strip it as Magenta does). Where notes start together the highest is kept
    (Magenta), or with ``lowest`` the lowest (a riff's root line).
    """
    sign = 1 if lowest else -1
    ordered = sorted(notes, key=lambda n: (n[0], sign * n[2]))
    events: List[int] = []
    for k, (start, end, pitch) in enumerate(ordered):
        s, e = start - origin, end - origin
        if e <= s:
            e = s + 1
        if events:
            last_on, last_off = _last_on_off(events)
            if s == last_on:
                continue  # polyphony: the pitch sorted first (highest, or lowest) already holds this step
            if gap_steps is not None and s - last_off >= gap_steps:
                return events, k
        _add_note(events, pitch, s, e)
    return events, len(ordered)


def finish_events(events: List[int], steps_per_bar: int = 16, pad_end: bool = True) -> List[int]:
    """Strip the final note-off, then pad to a whole bar as Magenta's ``pad_end`` (+ ``set_length``)."""
    events = list(events)
    if events and events[-1] == NOTE_OFF_EVENT:
        del events[-1]
    if pad_end:
        return set_length(events, len(events) + (-len(events) % steps_per_bar))
    return events


def set_length(events: List[int], steps: int) -> List[int]:
    """``Melody.set_length`` (right side): truncate, or pad with no-events ending a sustained note."""
    old = len(events)
    if steps <= old:
        return list(events[:steps])
    out = list(events) + [NO_EVENT] * (steps - old)
    for i in range(old - 1, -1, -1):
        if out[i] == NOTE_OFF_EVENT:
            break
        if out[i] != NO_EVENT:
            out[old] = NOTE_OFF_EVENT
            break
    return out


def decode_melody(classes: Sequence[int]) -> List[Tuple[int, int, int]]:
    """Classes -> ``(start_step, end_step, pitch)`` notes, exactly as ``Melody.to_sequence`` plays them."""
    notes: List[Tuple[int, int, int]] = []
    current: Optional[List[int]] = None
    events = decode_events(classes)
    for step, ev in enumerate(events):
        if ev >= 0:
            if current is not None:
                current[1] = step
                notes.append(tuple(current))  # type: ignore[arg-type]
            current = [step, step, ev]
        elif ev == NOTE_OFF_EVENT and current is not None:
            current[1] = step
            notes.append(tuple(current))  # type: ignore[arg-type]
            current = None
    if current is not None:
        current[1] = len(events)
        notes.append(tuple(current))  # type: ignore[arg-type]
    return notes


def melody_to_notes(classes: Sequence[int], velocity: int = DEFAULT_VELOCITY, offset: int = 0):
    """Classes -> ``riffforge.music.Note`` list in 16th steps."""
    from ..music.riff import Note

    return [Note(start=offset + s, length=e - s, pitch=p, velocity=velocity) for s, e, p in decode_melody(classes)]


def notes_to_melody(notes, steps: int, offset: int = 0) -> np.ndarray:
    """``Note`` list -> classes ``[steps]`` of the window ``offset .. offset + steps``.

    Uses Magenta's event rules on the whole note list, then slices the window; notes outside
    21..108 are dropped (Magenta's pitch filter). A note sounding across the window start is not
    re-struck (its onset lies outside the window), as in Magenta's sliding windows.
    """
    triples = [(n.start, n.end, n.pitch) for n in notes if MIN_PITCH <= n.pitch <= MAX_PITCH]
    events, _ = melody_events(triples, origin=0)
    events = set_length(events, max(len(events), offset + steps))
    return encode_events(events[offset:offset + steps])


def one_hot_input(classes: np.ndarray) -> np.ndarray:
    """Magenta's melody encoder input: one-hot of the classes, float32 ``[..., T, 90]``."""
    from . import one_hot

    return one_hot(classes, NUM_CLASSES)
