"""The one generator interface the sidecar, the CLI and the evaluation use.

Both the procedural generator (:mod:`riffforge.music.procedural`) and the MusicVAE runtime
(:mod:`riffforge.runtime`) implement :class:`Generator`; the wire does not care which answers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Protocol, Tuple

from .music.riff import INSTRUMENTS, STYLES, RiffError, Riff, pitch_class

MAX_BARS = 16


class RiffRequestError(RiffError):
    """A riff request field is invalid; the message names the field and the fix."""


@dataclass(frozen=True)
class RiffRequest:
    """What a game asks for. ``None`` means "auto" for tempo, key and mode; a ``None`` seed means random."""

    intensity: float
    style: str = "thrash"
    bars: int = 2
    tempo: Optional[float] = None
    key: Optional[str] = None
    mode: Optional[str] = None
    seed: Optional[int] = None
    instruments: Tuple[str, ...] = INSTRUMENTS
    temperature: Optional[float] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "instruments", tuple(self.instruments))
        self.validate()

    def validate(self, styles: Tuple[str, ...] = STYLES, max_bars: int = MAX_BARS) -> None:
        if not isinstance(self.intensity, (int, float)) or not 0.0 <= float(self.intensity) <= 1.0:
            raise RiffRequestError(f"intensity={self.intensity!r}: must be a number within 0..1")
        if self.style not in styles:
            raise RiffRequestError(f"style={self.style!r}: unknown style; use one of {', '.join(styles)}")
        if not isinstance(self.bars, int) or isinstance(self.bars, bool) or not 1 <= self.bars <= max_bars:
            raise RiffRequestError(f"bars={self.bars!r}: must be an integer 1..{max_bars}")
        if self.tempo is not None and not 40.0 <= float(self.tempo) <= 320.0:
            raise RiffRequestError(f"tempo={self.tempo!r}: must be 40..320 BPM or None/'auto'")
        if self.key is not None:
            try:
                pitch_class(self.key)
            except RiffError as exc:
                raise RiffRequestError(str(exc)) from None
        if not self.instruments or any(i not in INSTRUMENTS for i in self.instruments):
            raise RiffRequestError(
                f"instruments={list(self.instruments)!r}: use a non-empty subset of {', '.join(INSTRUMENTS)}")
        if self.temperature is not None and not 0.0 < float(self.temperature) <= 4.0:
            raise RiffRequestError(f"temperature={self.temperature!r}: must be within (0, 4]")


@dataclass(frozen=True)
class Capabilities:
    model_ids: Tuple[str, ...]
    styles: Tuple[str, ...] = STYLES
    instruments: Tuple[str, ...] = INSTRUMENTS
    max_bars: int = MAX_BARS
    extra: dict = field(default_factory=dict)
    #: styles a request may ask for but the generator cannot steer towards (a model bundle without that
    #: style's centroid decodes them from its prior, not pushed towards the style); the procedural generator steers all
    unsteered_styles: Tuple[str, ...] = ()


class Generator(Protocol):
    """Anything that turns a :class:`RiffRequest` into a :class:`Riff`, deterministically for a given seed."""

    def capabilities(self) -> Capabilities: ...

    def generate(self, request: RiffRequest) -> Riff: ...
