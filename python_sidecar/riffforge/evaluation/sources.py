"""What an evaluation compares: model bundles, the procedural generator, and real reference MIDI.

A *source* yields :class:`~riffforge.music.riff.Riff` objects for (style, intensity, seed). Model and
procedural sources go through the same :class:`~riffforge.generation.RiffRequest` path the sidecar uses,
so the evaluation measures what a game would hear. A reference source has no style or intensity: it is a
fixed list of real 2-bar windows, reported once beside the generated ones.

Spec strings (``--models``): ``NAME=PATH`` or ``PATH`` (name = folder name) for a bundle or a folder of
bundles, and the word ``procedural`` for the procedural generator.
"""
from __future__ import annotations

import csv
import dataclasses
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

from ..generation import RiffRequest
from ..music.riff import Riff

PROCEDURAL = "procedural"


class EvaluationError(ValueError):
    """A bad ``--models`` / ``--reference`` argument or unreadable input; the message names it and the fix."""


@dataclass
class Source:
    name: str
    kind: str                      # "model" | "procedural" | "reference"
    generator: object = None       # a riffforge.generation.Generator for model/procedural sources
    bundles: list = field(default_factory=list)   # loaded runtime bundles (model sources)
    riffs: List[Riff] = field(default_factory=list)  # reference windows
    path: Optional[Path] = None

    @property
    def instruments(self) -> Sequence[str]:
        if self.kind == "reference":
            return sorted({k for r in self.riffs for k, v in r.tracks.items() if v})
        if self.kind == "procedural":
            return ("guitar", "bass", "drums")
        return tuple(self.generator.capabilities().instruments)

    def sample(self, style: str, intensity: float, n: int, seed: int, bars: int = 2) -> List[Riff]:
        """``n`` riffs for ``style`` at ``intensity``; riff ``i`` uses seed ``seed + i`` (reproducible)."""
        if self.kind == "reference":
            raise EvaluationError(f"{self.name}: a reference source is not sampled by style/intensity")
        out = []
        for i in range(n):
            req = RiffRequest(intensity=float(intensity), style=style, bars=bars, seed=int(seed + i))
            out.append(self.generator.generate(req))
        return out


def parse_model_spec(spec: str) -> Source:
    """``procedural`` | ``NAME=PATH`` | ``PATH`` -> a loaded :class:`Source`."""
    name, _, path = spec.partition("=")
    if not path:
        name, path = "", spec
    if path == PROCEDURAL:
        from ..music.procedural import ProceduralGenerator

        return Source(name=name or PROCEDURAL, kind="procedural", generator=ProceduralGenerator())
    p = Path(path)
    from ..runtime import BundleError, find_bundles, load_bundle
    from ..runtime.generator import ModelGenerator

    if not p.exists():
        raise EvaluationError(f"--models {spec}: {p} does not exist (give a bundle, a folder of bundles or "
                              f"'{PROCEDURAL}')")
    found = find_bundles(p)
    if not found:
        raise EvaluationError(f"--models {spec}: {p} holds no model bundle (model.json); export one with "
                              "`riffforge export RUN --out DIR`")
    try:
        bundles = [load_bundle(b) for b in found.values()]
    except BundleError as exc:
        raise EvaluationError(f"--models {spec}: {exc}") from None
    return Source(name=name or p.name, kind="model", generator=ModelGenerator(bundles), bundles=bundles, path=p)


def _windows(riff: Riff, bars: int, limit: int) -> List[Riff]:
    """Non-overlapping ``bars``-bar windows of a riff that have notes, at most ``limit``."""
    spb = riff.steps_per_bar
    span = bars * spb
    out = []
    for start in range(0, riff.total_steps - span + 1, span):
        tracks = {k: [dataclasses.replace(n, start=n.start - start, length=min(n.length, start + span - n.start))
                      for n in v if start <= n.start < start + span] for k, v in riff.tracks.items()}
        if sum(len(v) for v in tracks.values()) == 0:
            continue
        out.append(dataclasses.replace(riff, bars=bars, tracks=tracks))
        if len(out) >= limit:
            break
    return out


def load_reference(directory: Path, name: Optional[str] = None, genre: Optional[str] = "rock", bars: int = 2,
                   max_riffs: int = 600, per_file: int = 4, seed: int = 0) -> Source:
    """Real MIDI as 2-bar reference windows.

    With GMD's ``info.csv`` in ``directory`` only 4/4 performances whose style starts with ``genre`` are
    used (``rock`` and ``rock/halftime`` ...); otherwise every ``.mid`` below it. Up to ``per_file`` windows
    per file, ``max_riffs`` in all, files visited in a seeded shuffled order.
    """
    from ..music.midi import midi_to_riff

    directory = Path(directory)
    if not directory.is_dir():
        raise EvaluationError(f"--reference {directory}: not a directory of MIDI files")
    info = directory / "info.csv"
    if info.is_file():
        with open(info, newline="") as handle:
            rows = list(csv.DictReader(handle))
        files = [directory / r["midi_filename"] for r in rows
                 if r.get("time_signature") == "4-4" and (genre is None or r.get("style", "").split("/")[0] == genre)]
        label = f"GMD {genre}" if genre else "GMD"
    else:
        files = sorted(p for p in directory.rglob("*") if p.suffix.lower() in (".mid", ".midi"))
        label = directory.name
    files = sorted(files)
    random.Random(seed).shuffle(files)
    riffs: List[Riff] = []
    for f in files:
        try:
            riff = midi_to_riff(f)
        except Exception:  # unreadable reference files are skipped; the count is reported
            continue
        if tuple(riff.meter) != (4, 4):
            continue
        riffs.extend(_windows(riff, bars, per_file))
        if len(riffs) >= max_riffs:
            break
    if not riffs:
        raise EvaluationError(f"--reference {directory}: no usable 4/4 MIDI windows found"
                              + (f" with style {genre!r}" if info.is_file() and genre else ""))
    return Source(name=name or label, kind="reference", riffs=riffs[:max_riffs], path=directory)
