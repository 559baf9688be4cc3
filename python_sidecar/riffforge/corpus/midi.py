"""MIDI -> quantized 4/4 sections with candidate tracks, via note-seq (train extra only).

:func:`read_sections` parses a file with note-seq, splits it at every tempo and time-signature change
(``split_note_sequence_on_time_changes``, as MusicVAE's converters do), quantizes each piece at 4 steps
per quarter and keeps the pieces with 16 steps per bar (4/4, and 2/2 which Magenta treats alike).
Each kept :class:`Section` lists its tracks by role: the guitar, the bass and the drums the file's role
choice (:mod:`.roles`: name, GM program and register, manifest overrides first) picked, one track each
(the drums: the chosen track plus any other channel-10 track); every other track is ``other``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

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


def parse_sequence_bytes(data: bytes):
    """A serialized NoteSequence (one TFRecord record) -> NoteSequence, or SourceError."""
    import note_seq
    from google.protobuf.message import DecodeError

    try:
        return note_seq.NoteSequence.FromString(data)
    except (DecodeError, ValueError) as exc:
        raise SourceError(f"not a NoteSequence ({type(exc).__name__})") from None


def role_of_instrument(roles) -> Dict[int, str]:
    """``{instrument: role}`` from :func:`.roles.choose_roles`' answer."""
    return {t.instrument: role for role, choice in roles.items() for t in choice.tracks}


def read_sections(ns, roles: Optional[Dict[int, str]] = None) -> ParsedFile:
    """Split, quantize and filter a NoteSequence into 4/4 sections; ``roles`` maps an instrument to the
    role it plays (``guitar``/``bass``/``drums``; default: the role choice with the default programs)."""
    from note_seq import sequences_lib

    if roles is None:
        from .roles import choose_roles, track_table

        roles = role_of_instrument(choose_roles(track_table(ns), GUITAR_PROGRAMS, BASS_PROGRAMS))

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
        by_part: Dict[Tuple[str, int], List[Note4]] = {}
        programs: Dict[Tuple[str, int], int] = {}
        for n in q.notes:
            role = roles.get(int(n.instrument), "other")
            key = (role, -1 if role != "other" else int(n.instrument))  # a role's tracks play as one part
            programs.setdefault(key, int(n.program))
            by_part.setdefault(key, []).append(
                (int(n.quantized_start_step), int(n.quantized_end_step), int(n.pitch), int(n.velocity)))
        for (kind, inst), notes in sorted(by_part.items()):
            notes.sort()
            name = kind if inst < 0 else f"instrument {inst} (program {programs[(kind, inst)]})"
            section.tracks.setdefault(kind, []).append(Track(name=name, kind=kind, program=programs[(kind, inst)],
                                                             notes=notes))
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
