"""The one riff type used everywhere: CLI, sidecar, protocol payload, evaluation.

A riff is a few bars of a band playing together. Time is counted in 16th-note *steps* from the start of
the riff (step 0 is the downbeat of bar 1). Every track holds note events ``(start, length, pitch,
velocity)`` in steps; drums use General MIDI drum pitches and a nominal length of 1 step.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Tuple

INSTRUMENTS: Tuple[str, ...] = ("guitar", "bass", "drums")
STYLES: Tuple[str, ...] = ("thrash", "death", "black", "doom", "djent", "groove")
PITCH_CLASS_NAMES: Tuple[str, ...] = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
STEPS_PER_QUARTER = 4
#: Flat spellings a key may use, and the sharp in :data:`PITCH_CLASS_NAMES` each one means.
FLAT_KEYS: Dict[str, str] = {"Db": "C#", "Eb": "D#", "Gb": "F#", "Ab": "G#", "Bb": "A#"}


class RiffError(ValueError):
    """A riff or a riff field is invalid. The message names the field and the fix."""


@dataclass(frozen=True, order=True)
class Note:
    """One note event. ``start`` and ``length`` are in 16th steps; ``pitch`` and ``velocity`` are MIDI."""

    start: int
    length: int
    pitch: int
    velocity: int

    def __post_init__(self) -> None:
        if self.start < 0:
            raise RiffError(f"note.start={self.start}: must be >= 0")
        if self.length < 1:
            raise RiffError(f"note.length={self.length}: must be >= 1 step")
        if not 0 <= self.pitch <= 127:
            raise RiffError(f"note.pitch={self.pitch}: must be a MIDI pitch 0..127")
        if not 1 <= self.velocity <= 127:
            raise RiffError(f"note.velocity={self.velocity}: must be 1..127")

    @property
    def end(self) -> int:
        return self.start + self.length


def pitch_class(name: str) -> int:
    """``"E"`` -> 4. Accepts sharps (``F#``) and flats (``Bb``)."""
    canonical = FLAT_KEYS.get(name, name)
    if canonical not in PITCH_CLASS_NAMES:
        raise RiffError(f"key={name!r}: not a pitch class; use one of {', '.join(PITCH_CLASS_NAMES)}")
    return PITCH_CLASS_NAMES.index(canonical)


@dataclass
class Riff:
    """A multi-instrument riff.

    ``key`` is the root pitch class name (``"E"``), ``mode`` a mode name from
    :mod:`riffforge.music.theory`. ``meter`` is ``(numerator, denominator)``; 4/4 is the only meter the
    generators produce now, others are representable. ``tracks`` maps an instrument name from
    :data:`INSTRUMENTS` to its notes sorted by (start, pitch).
    """

    tempo: float
    bars: int
    key: str
    mode: str
    style: str
    intensity: float
    seed: int
    meter: Tuple[int, int] = (4, 4)
    tracks: Dict[str, List[Note]] = field(default_factory=dict)
    model_id: str = "procedural"
    tuning: str = "E standard"

    def __post_init__(self) -> None:
        self.meter = (int(self.meter[0]), int(self.meter[1]))
        if self.bars < 1:
            raise RiffError(f"bars={self.bars}: must be >= 1")
        if not 0.0 <= float(self.intensity) <= 1.0:
            raise RiffError(f"intensity={self.intensity}: must be within 0..1")
        if not 20.0 <= float(self.tempo) <= 400.0:
            raise RiffError(f"tempo={self.tempo}: must be 20..400 BPM")
        pitch_class(self.key)
        for name in self.tracks:
            if name not in INSTRUMENTS:
                raise RiffError(f"tracks[{name!r}]: unknown instrument; use one of {', '.join(INSTRUMENTS)}")
        self.tracks = {name: sorted(notes, key=lambda n: (n.start, n.pitch)) for name, notes in self.tracks.items()}

    # -- geometry -------------------------------------------------------------------------------------
    @property
    def steps_per_bar(self) -> int:
        """16th steps in one bar of ``meter`` (16 in 4/4, 12 in 3/4, 14 in 7/8)."""
        num, den = self.meter
        return num * 16 // den

    @property
    def total_steps(self) -> int:
        return self.bars * self.steps_per_bar

    @property
    def seconds_per_step(self) -> float:
        return 60.0 / float(self.tempo) / STEPS_PER_QUARTER

    @property
    def root_pitch_class(self) -> int:
        return pitch_class(self.key)

    def notes(self, instrument: str) -> List[Note]:
        return self.tracks.get(instrument, [])

    # -- plain data (protocol payload, JSON) ----------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain types only (msgpack/JSON friendly). Notes are ``[start, length, pitch, velocity]``."""
        return {
            "tempo": float(self.tempo),
            "meter": [self.meter[0], self.meter[1]],
            "bars": int(self.bars),
            "key": self.key,
            "mode": self.mode,
            "style": self.style,
            "intensity": float(self.intensity),
            "seed": int(self.seed),
            "model_id": self.model_id,
            "tuning": self.tuning,
            "tracks": {
                name: [[n.start, n.length, n.pitch, n.velocity] for n in notes]
                for name, notes in self.tracks.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "Riff":
        try:
            tracks = {
                str(name): [Note(*map(int, ev)) for ev in events]
                for name, events in dict(data.get("tracks", {})).items()
            }
            return cls(
                tempo=float(data["tempo"]),
                meter=tuple(data.get("meter", (4, 4))),  # type: ignore[arg-type]
                bars=int(data["bars"]),
                key=str(data["key"]),
                mode=str(data["mode"]),
                style=str(data["style"]),
                intensity=float(data["intensity"]),
                seed=int(data["seed"]),
                model_id=str(data.get("model_id", "procedural")),
                tuning=str(data.get("tuning", "E standard")),
                tracks=tracks,
            )
        except KeyError as exc:
            raise RiffError(f"riff payload is missing field {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            if isinstance(exc, RiffError):
                raise
            raise RiffError(f"riff payload is malformed: {exc}") from None

    def with_tracks(self, tracks: Mapping[str, Iterable[Note]]) -> "Riff":
        data = self.to_dict()
        data["tracks"] = {k: [[n.start, n.length, n.pitch, n.velocity] for n in v] for k, v in tracks.items()}
        return Riff.from_dict(data)
