"""Which track of a file is the guitar, the bass and the drums: a scored choice, explained.

Each track (a NoteSequence instrument: one MIDI track/channel/program with notes) is scored for each
role from three clues, and the manifest's overrides win over all of them:

- **name**: the track name has a role word (guitar: ``guitar gtr rhythm lead riff dist distortion
  overdrive``, +1 more for ``rhythm``; bass: ``bass``; drums: ``drum drums kit perc percussion``). +3;
  a word of *another* role costs 3 (a "Bass" track on a guitar program is the bass). ``bass drum`` is a
  drum name.
- **program**: channel 10 (``is_drum``) +4 for drums; a GM program in ``guitar_programs`` (default 24-31)
  or ``bass_programs`` (32-39) +2.
- **register**: the median pitch: guitar 40..76 (E2..E5), bass below 52 (E3). +1.

A role needs a score of 2 or more (a name or a program; register alone only breaks ties). Roles are
filled best score first, one track each (ties: more notes, then the earlier track); when the drums are on
channel 10, every other channel-10 track joins them (a kit split over several tracks is one kit).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median
from typing import Dict, List, Optional, Sequence, Tuple

from .labels import ROLES, TrackRef

ROLE_WORDS = {
    "guitar": {"guitar", "guitars", "gtr", "gtrs", "guit", "rhythm", "lead", "riff", "dist", "distortion",
               "overdrive", "overdriven"},
    "bass": {"bass", "bas"},
    "drums": {"drum", "drums", "kit", "perc", "percussion", "drumkit"},
}
MIN_SCORE = 2
GUITAR_REGISTER = (40, 76)
BASS_BELOW = 52


@dataclass
class TrackInfo:
    number: int  # 1-based, in instrument order (what the report lists and a manifest override names)
    instrument: int  # NoteSequence instrument index
    name: str
    program: int
    is_drum: bool
    notes: int
    median_pitch: Optional[float]

    def describe(self) -> str:
        what = "channel 10" if self.is_drum else f"program {self.program}"
        return f"{self.number} {self.name!r} ({what})" if self.name else f"{self.number} ({what})"


@dataclass
class RoleChoice:
    role: str
    tracks: List[TrackInfo]  # the chosen track (plus other channel-10 tracks for drums)
    why: List[str]  # "override (manifest row 3)", "name 'Distortion Guitar'", "program 30", "register E3"
    score: int = 0

    def to_dict(self) -> Dict:
        return {"tracks": [t.number for t in self.tracks], "names": [t.name for t in self.tracks],
                "why": ", ".join(self.why), "score": self.score}


def _words(name: str) -> set:
    return set(re.findall(r"[a-z]+", name.lower()))


def track_table(ns) -> List[TrackInfo]:
    """The file's tracks (instruments with notes), numbered 1.. in instrument order."""
    names = {info.instrument: info.name for info in ns.instrument_infos}
    grouped: Dict[int, List] = {}
    for n in ns.notes:
        grouped.setdefault(int(n.instrument), []).append(n)
    out = []
    for number, inst in enumerate(sorted(grouped), start=1):
        notes = grouped[inst]
        drum = any(n.is_drum for n in notes)
        pitched = [n.pitch for n in notes if not n.is_drum]
        out.append(TrackInfo(number=number, instrument=inst, name=str(names.get(inst, "") or "").strip(),
                             program=int(notes[0].program), is_drum=drum, notes=len(notes),
                             median_pitch=float(median(pitched)) if pitched else None))
    return out


def _pitch_name(p: float) -> str:
    names = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
    q = int(round(p))
    return f"{names[q % 12]}{q // 12 - 1}"


def score(track: TrackInfo, role: str, guitar_programs: Sequence[int], bass_programs: Sequence[int]
          ) -> Tuple[int, List[str]]:
    """``(score, reasons)`` of ``track`` for ``role``."""
    words = _words(track.name)
    if "drum" in words or "drums" in words:  # "Bass Drum" is a drum
        words = words - ROLE_WORDS["bass"]
    total, why = 0, []
    if words & ROLE_WORDS[role]:
        total += 3 + (role == "guitar" and "rhythm" in words)  # the rhythm guitar plays the riff, not the lead
        why.append(f"name {track.name!r}")
    if any(words & ROLE_WORDS[other] for other in ROLES if other != role):
        total -= 3
    if role == "drums":
        if track.is_drum:
            total += 4
            why.append("channel 10")
        return total, why
    if track.is_drum:  # a channel-10 track plays drum sounds, whatever it is called
        return -10, []
    programs = guitar_programs if role == "guitar" else bass_programs
    if track.program in programs:
        total += 2
        why.append(f"program {track.program}")
    p = track.median_pitch
    if p is not None and ((role == "guitar" and GUITAR_REGISTER[0] <= p <= GUITAR_REGISTER[1])
                          or (role == "bass" and p < BASS_BELOW)):
        total += 1
        why.append(f"register (median {_pitch_name(p)})")
    return total, why


def resolve(ref: TrackRef, tracks: Sequence[TrackInfo]) -> Optional[TrackInfo]:
    """The track a manifest override names (number or case-insensitive name), or None."""
    if isinstance(ref.value, int):
        return next((t for t in tracks if t.number == ref.value), None)
    want = ref.value.lower()
    return next((t for t in tracks if t.name.lower() == want), None)


def choose_roles(tracks: Sequence[TrackInfo], guitar_programs: Sequence[int], bass_programs: Sequence[int],
                 overrides: Optional[Dict[str, TrackRef]] = None, override_from: Optional[Dict[str, str]] = None
                 ) -> Dict[str, RoleChoice]:
    """``{role: RoleChoice}`` for the roles some track fills (see the module docstring).

    An override naming no track raises ``LookupError`` (the caller reports the file and manifest row)."""
    chosen: Dict[str, RoleChoice] = {}
    used = set()
    for role, ref in (overrides or {}).items():
        track = resolve(ref, tracks)
        if track is None:
            raise LookupError(role)
        where = (override_from or {}).get(role, "manifest")
        chosen[role] = RoleChoice(role, [track], [f"override {ref.describe()} ({where})"], score=100)
        used.add(track.number)
    candidates = []
    for role in ROLES:
        if role in chosen:
            continue
        for t in tracks:
            s, why = score(t, role, guitar_programs, bass_programs)
            if s >= MIN_SCORE:
                candidates.append((-s, -t.notes, t.number, ROLES.index(role), role, t, why))
    for neg_s, _n, number, _r, role, t, why in sorted(candidates, key=lambda c: c[:4]):
        if role in chosen or number in used:
            continue
        chosen[role] = RoleChoice(role, [t], why, score=-neg_s)
        used.add(number)
    drums = chosen.get("drums")
    if drums is not None and drums.tracks[0].is_drum and "drums" not in (overrides or {}):
        extra = [t for t in tracks if t.is_drum and t.number not in used]
        if extra:
            drums.tracks += extra
            drums.why.append(f"with the other channel-10 track(s) {', '.join(str(t.number) for t in extra)}")
    return {r: chosen[r] for r in ROLES if r in chosen}
