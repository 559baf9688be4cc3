"""Per-file work: one MIDI file (or one NoteSequence of a TFRecord) -> deduplicated training windows (runs
in worker processes).

:func:`process_file` never raises for a bad file: it returns a :class:`FileResult` whose ``reason``
says why the file gave nothing (corrupt, empty, too big, no 4/4 section, no usable track, ...), and which
track became the guitar, the bass and the drums, and why (:mod:`.roles`).
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..encoding import melody as mel_enc
from ..encoding.chords import root_line_controls
from . import extract
from .midi import SourceError, Section, parse_midi_bytes, parse_sequence_bytes, read_sections, role_of_instrument
from .roles import choose_roles, track_table
from .sources import read_bytes
from .storage import as_path


@dataclass(frozen=True)
class WindowOptions:
    kind: str = "drums"  # drums | melody | trio
    bars: int = 2
    guitar_programs: Tuple[int, ...] = tuple(range(24, 32))
    bass_programs: Tuple[int, ...] = tuple(range(32, 40))
    melody_from: str = "guitar"  # guitar | bass | both (melody kind)
    transpose: Tuple[int, ...] = (0,)  # semitone shifts, 0 = original (melody and trio only)
    chords: bool = False  # 49-class chord controls (melody and trio)
    chords_from: str = "harmony"  # harmony: the file's (or inferred) triads | guitar: the guitar's root line
    melody_voice: str = "top"  # guitar note kept per onset: top (Magenta) | root (the riff's root line)
    max_file_bytes: int = 16_000_000

    @property
    def steps(self) -> int:
        return self.bars * extract.STEPS_PER_BAR


@dataclass
class FileResult:
    index: int
    rel: str
    reason: str = ""  # non-empty: skipped entirely (one report line)
    targets: Optional[np.ndarray] = None  # int16 [n, T, K]
    controls: Optional[np.ndarray] = None  # int16 [n, T]
    qpms: Optional[np.ndarray] = None  # float32 [n]
    instruments: List[str] = field(default_factory=list)  # per window: drums | guitar | bass | trio
    tracks: Dict[str, int] = field(default_factory=dict)  # tracks per role (most in one section)
    roles: Dict[str, Dict] = field(default_factory=dict)  # role -> {"tracks", "names", "why", "score"}
    track_list: List[Dict] = field(default_factory=list)  # every track: number, name, program, drum, notes
    sections: int = 0
    dropped_sections: List[str] = field(default_factory=list)
    longest_steps: int = 0  # longest extracted drum track / melody (explains "too short")
    empty_windows: int = 0
    duplicate_windows: int = 0

    @property
    def windows(self) -> int:
        return 0 if self.targets is None else int(self.targets.shape[0])


def _is_empty(window: np.ndarray, kind: str) -> bool:
    if kind == "drums":
        return not window.any()
    heads = ("melody", "bass", "drums") if kind == "trio" else ("melody",)
    for h, head in enumerate(heads):
        col = window[:, h]
        if head == "drums" and col.any():
            return False
        if head != "drums" and (col >= mel_enc.NUM_SPECIAL).any():
            return False
    return True


def _transpose(window: np.ndarray, controls: Optional[np.ndarray], kind: str, shift: int):
    """Shift melody/bass pitch classes (and chord roots) by ``shift``; None if a pitch leaves 21..108."""
    if shift == 0:
        return window, controls
    out = window.copy()
    melodic = [0] if kind == "melody" else [0, 1]
    for h in melodic:
        col = out[:, h]
        pitched = col >= mel_enc.NUM_SPECIAL
        moved = col[pitched] + shift
        if moved.size and (moved.min() < mel_enc.NUM_SPECIAL or moved.max() >= mel_enc.NUM_CLASSES):
            return None
        col[pitched] = moved
    if controls is not None:
        controls = controls.copy()
        chord = controls > 0
        controls[chord] = ((controls[chord] - 1) // 12) * 12 + ((controls[chord] - 1) % 12 + shift) % 12 + 1
    return out, controls


def _section_windows(section: Section, opts: WindowOptions, result: FileResult):
    """Yield (window[T, K], controls[T] or None, instrument label) for one 4/4 section."""
    from .midi import section_chords

    T = opts.steps
    chords = None
    if opts.chords and opts.kind != "drums":
        if opts.chords_from == "guitar":
            guitars = section.tracks.get("guitar", [])
            if not guitars:  # no guitar to take the root line from: the section gives no windows
                return
            chords = root_line_controls(guitars[0].notes, section.total_steps)
        else:
            chords = section_chords(section)
        if chords is None:
            return

    def chord_slice(a: int) -> Optional[np.ndarray]:
        if chords is None:
            return None
        seg = np.zeros(T, np.int16)
        part = chords[a:a + T]
        seg[:len(part)] = part
        if len(part) < T and len(part):
            seg[len(part):] = part[-1]
        return seg

    if opts.kind == "drums":
        for track in section.tracks.get("drums", []):
            for start, classes in extract.extract_drum_tracks(track.notes):
                result.longest_steps = max(result.longest_steps, len(classes))
                for off, w in extract.slice_windows(classes, T):
                    yield w[:, None], None, "drums"
    elif opts.kind == "melody":
        kinds = ("guitar", "bass") if opts.melody_from == "both" else (opts.melody_from,)
        for kind in kinds:
            for track in section.tracks.get(kind, []):
                voice = opts.melody_voice if kind == "guitar" else "top"
                for start, classes in extract.extract_melodies(track.notes, voice=voice):
                    result.longest_steps = max(result.longest_steps, len(classes))
                    for off, w in extract.slice_windows(classes, T):
                        yield w[:, None], chord_slice(start + off), kind
    else:
        tr = section.tracks
        for off, _grp, w in extract.trio_windows(
            [t.notes for t in tr.get("guitar", [])],
            [t.notes for t in tr.get("bass", [])],
            [t.notes for t in tr.get("drums", [])],
            section.total_steps,
            window_bars=opts.bars,
            voice=opts.melody_voice,
        ):
            result.longest_steps = max(result.longest_steps, section.total_steps)
            yield w, chord_slice(off), "trio"


def load_sequence(path: str, max_bytes: int, record: Optional[Tuple[int, int]] = None):
    """The NoteSequence of a MIDI file, or of one TFRecord record at ``record`` = (offset, length)."""
    if record is None:
        return parse_midi_bytes(read_bytes(as_path(path), max_bytes))
    from .tfrecord import read_record

    if record[1] > max_bytes:
        raise ValueError(f"record is {record[1] / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
                         "(raise --max-file-mb)")
    return parse_sequence_bytes(read_record(path, *record))


def describe_tracks(tracks, roles) -> List[Dict]:
    """The report's track list of a file: every track with the role it plays (or ``None``)."""
    role_of = {t.number: role for role, c in roles.items() for t in c.tracks}
    return [{"track": t.number, "name": t.name, "program": None if t.is_drum else t.program,
             "channel_10": t.is_drum, "notes": t.notes,
             "median_pitch": None if t.median_pitch is None else round(t.median_pitch, 1),
             "role": role_of.get(t.number)} for t in tracks]


def process_file(index: int, path: str, rel: str, opts: WindowOptions, label=None,
                 record: Optional[Tuple[int, int]] = None) -> FileResult:
    """Parse one file and return its unique, non-empty windows (or the reason it gave none). ``label``
    (:class:`.labels.Label`) brings the manifest's track overrides; ``record`` locates a TFRecord piece."""
    result = FileResult(index=index, rel=rel)
    try:
        ns = load_sequence(path, opts.max_file_bytes, record)
        tracks = track_table(ns)
        try:
            roles = choose_roles(tracks, opts.guitar_programs, opts.bass_programs,
                                 getattr(label, "overrides", None), getattr(label, "override_from", None))
        except LookupError as exc:
            role = exc.args[0]
            raise SourceError(f"{role}_track override names no track of this file") from None
        result.roles = {role: c.to_dict() for role, c in roles.items()}
        result.track_list = describe_tracks(tracks, roles)
        parsed = read_sections(ns, role_of_instrument(roles))
    except PermissionError as exc:
        result.reason = f"permission denied ({exc.strerror or exc})"
        return result
    except (SourceError, ValueError) as exc:
        result.reason = str(exc)
        return result
    except OSError as exc:
        result.reason = f"cannot read file ({exc.strerror or exc})"
        return result
    except Exception as exc:  # pragma: no cover - defensive: one bad file never stops a build
        result.reason = f"internal error while parsing ({type(exc).__name__}: {exc})"
        return result
    result.sections = len(parsed.sections)
    result.dropped_sections = parsed.dropped
    for section in parsed.sections:
        for kind, tracks in section.tracks.items():
            result.tracks[kind] = max(result.tracks.get(kind, 0), len(tracks))
    seen = set()
    windows: List[np.ndarray] = []
    controls: List[Optional[np.ndarray]] = []
    qpms: List[float] = []
    try:
        for section in parsed.sections:
            for w, c, label in _section_windows(section, opts, result):
                w = np.asarray(w, np.int16)
                if _is_empty(w, opts.kind):
                    result.empty_windows += 1
                    continue
                for shift in opts.transpose if opts.kind != "drums" else (0,):
                    moved = _transpose(w, c, opts.kind, shift)
                    if moved is None:
                        continue
                    mw, mc = moved
                    key = mw.tobytes() + (b"" if mc is None else mc.astype(np.int16).tobytes())
                    if key in seen:
                        result.duplicate_windows += 1
                        continue
                    seen.add(key)
                    windows.append(mw)
                    controls.append(mc)
                    qpms.append(section.qpm)
                    result.instruments.append(label)
    except Exception as exc:  # pragma: no cover - defensive
        result.reason = f"internal error while encoding ({type(exc).__name__}: {exc}) " + traceback.format_exc(limit=1)
        return result
    if windows:
        result.targets = np.stack(windows).astype(np.int16)
        result.qpms = np.array(qpms, np.float32)
        if opts.chords and opts.kind != "drums":
            result.controls = np.stack(controls).astype(np.int16)
    else:
        result.reason = _why_nothing(result, parsed, opts)
    return result


def _why_nothing(result: FileResult, parsed, opts: WindowOptions) -> str:
    if not parsed.sections:
        if parsed.dropped:
            return f"no 4/4 section ({'; '.join(parsed.dropped[:3])}{' ...' if len(parsed.dropped) > 3 else ''})"
        return "no 4/4 section"
    needed = {"drums": ["drums"], "trio": ["guitar", "bass", "drums"],
              "melody": ["guitar", "bass"] if opts.melody_from == "both" else [opts.melody_from]}[opts.kind]
    have = [k for k in needed if result.tracks.get(k)]
    if opts.kind == "trio" and len(have) < 3:
        return f"no trio: needs guitar, bass and drum tracks, found {', '.join(have) or 'none'}"
    if not have:
        found = ", ".join(f"{k} x{v}" for k, v in sorted(result.tracks.items())) or "no tracks"
        return (f"no {' or '.join(needed)} track (found {found}; name the track in a --manifest "
                f"({needed[0]}_track) or adjust --guitar-programs/--bass-programs)")
    changes = parsed.tempo_changes + parsed.time_signature_changes
    if changes and len(parsed.sections) > 1:
        return (f"no full {opts.bars}-bar window: {changes} tempo/time-signature changes split it into "
                f"{len(parsed.sections)} sections too short")
    if result.longest_steps < opts.steps and not result.empty_windows:
        longest = result.longest_steps / extract.STEPS_PER_BAR
        return f"{', '.join(have)} part too short: longest phrase {longest:g} bars, windows need {opts.bars}"
    return f"no non-empty {opts.bars}-bar window in the {', '.join(have)} track(s)"
