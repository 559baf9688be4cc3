"""MIDI -> quantized 4/4 sections with candidate tracks, via note-seq (train extra only).

:func:`read_sections` parses a file with note-seq, splits it at every tempo and time-signature change
(``split_note_sequence_on_time_changes``, as MusicVAE's converters do), quantizes each piece at 4 steps
per quarter and keeps the pieces with 16 steps per bar (4/4, and 2/2 which Magenta treats alike).
Each kept :class:`Section` lists its candidate tracks by instrument kind: ``drums`` (``is_drum``),
``guitar`` and ``bass`` (by GM program, 0-based). Tracks are never merged: two guitar tracks are two
candidates.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from .extract import Note4

GUITAR_PROGRAMS = tuple(range(24, 32))
BASS_PROGRAMS = tuple(range(32, 40))
STEPS_PER_QUARTER = 4
STEPS_PER_BAR = 16


class SourceError(Exception):
    """A file cannot be used at all; ``str(exc)`` is the one-line reason for the report."""


@dataclass
class Track:
    name: str  # "instrument 3 (program 30)" — for the report
    kind: str  # "drums" | "guitar" | "bass" | "other"
    program: int
    notes: List[Note4]


@dataclass
class Section:
    index: int
    qpm: float
    total_steps: int
    tracks: Dict[str, List[Track]] = field(default_factory=dict)
    ns: Optional[object] = None  # the quantized NoteSequence (for chord inference)


@dataclass
class ParsedFile:
    sections: List[Section]
    dropped: List[str]  # reasons for dropped sections ("3/4 section at 12.0 s", ...)
    tempo_changes: int
    time_signature_changes: int


def classify(is_drum: bool, program: int, guitar_programs: Sequence[int], bass_programs: Sequence[int]) -> str:
    if is_drum:
        return "drums"
    if program in guitar_programs:
        return "guitar"
    if program in bass_programs:
        return "bass"
    return "other"


def parse_midi_bytes(data: bytes):
    """Bytes -> NoteSequence, or SourceError with a reason."""
    import note_seq

    if not data:
        raise SourceError("empty file (0 bytes)")
    if data[:4] != b"MThd":
        raise SourceError("not a MIDI file (no 'MThd' header)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return note_seq.midi_io.midi_to_note_sequence(data)
        except Exception as exc:  # pretty_midi/mido raise many types on corrupt data
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SourceError(f"corrupt or truncated MIDI ({msg[:120]})") from None


def read_sections(
    ns,
    guitar_programs: Sequence[int] = GUITAR_PROGRAMS,
    bass_programs: Sequence[int] = BASS_PROGRAMS,
) -> ParsedFile:
    """Split, quantize and filter a NoteSequence into 4/4 sections with classified tracks."""
    from note_seq import sequences_lib

    tempo_changes = max(0, len({(t.time, t.qpm) for t in ns.tempos}) - 1)
    ts_changes = max(0, len({(t.time, t.numerator, t.denominator) for t in ns.time_signatures}) - 1)
    if not ns.notes:
        raise SourceError("no notes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pieces = sequences_lib.split_note_sequence_on_time_changes(ns)
    sections: List[Section] = []
    dropped: List[str] = []
    for index, piece in enumerate(pieces):
        if not piece.notes:
            continue
        t0 = piece.subsequence_info.start_time_offset if piece.HasField("subsequence_info") else 0.0
        try:
            q = sequences_lib.quantize_note_sequence(piece, STEPS_PER_QUARTER)
            spb = sequences_lib.steps_per_bar_in_quantized_sequence(q)
        except Exception as exc:  # BadTimeSignature, NegativeTime, MultipleTempo, ...
            dropped.append(f"section at {t0:.1f} s: {type(exc).__name__}")
            continue
        if spb != STEPS_PER_BAR:
            ts = q.time_signatures[0] if q.time_signatures else None
            meter = f"{ts.numerator}/{ts.denominator}" if ts else "?"
            dropped.append(f"{meter} section at {t0:.1f} s")
            continue
        section = Section(index=index, qpm=float(q.tempos[0].qpm) if q.tempos else 120.0,
                          total_steps=int(q.total_quantized_steps), ns=q)
        by_instrument: Dict[Tuple[int, int, bool], List[Note4]] = {}
        for n in q.notes:
            by_instrument.setdefault((n.instrument, n.program, n.is_drum), []).append(
                (int(n.quantized_start_step), int(n.quantized_end_step), int(n.pitch), int(n.velocity)))
        for (inst, program, is_drum), notes in sorted(by_instrument.items()):
            kind = classify(is_drum, program, guitar_programs, bass_programs)
            name = f"instrument {inst} ({'drums' if is_drum else f'program {program}'})"
            section.tracks.setdefault(kind, []).append(Track(name=name, kind=kind, program=program, notes=notes))
        sections.append(section)
    return ParsedFile(sections=sections, dropped=dropped, tempo_changes=tempo_changes, time_signature_changes=ts_changes)


def section_chords(section: Section) -> Optional[List[int]]:
    """Per-step 49-class chord indices for a section (inferred when the file has none), or None.

    Returns None when Magenta would drop the section (inference fails, coincident or non-triad chords).
    """
    import note_seq

    from ..encoding import chords as chord_enc

    q = section.ns
    chord_type = note_seq.NoteSequence.TextAnnotation.CHORD_SYMBOL
    if not any(ta.annotation_type == chord_type for ta in q.text_annotations):
        try:
            note_seq.infer_chords_for_sequence(q)
        except Exception:
            return None
    marks = sorted((ta.quantized_step, ta.text) for ta in q.text_annotations if ta.annotation_type == chord_type)
    steps = [s for s, _ in marks]
    if len(steps) != len(set(steps)):
        return None
    out = [0] * max(section.total_steps, 1)
    for k, (step, text) in enumerate(marks):
        try:
            cls = chord_enc.encode_chord(text)
        except chord_enc.ChordEncodingError:
            return None
        end = marks[k + 1][0] if k + 1 < len(marks) else len(out)
        for s in range(max(0, step), min(end, len(out))):
            out[s] = cls
    return out
