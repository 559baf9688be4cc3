"""Writing a riff to disk the way the CLI commands do: a .mid file and, when asked, its piano-roll PNG."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

from .midi import riff_to_midi
from .pianoroll import save_piano_roll
from .riff import Riff


def write_riff_files(riff: Riff, midi_path: Path, png_path: Optional[Path] = None) -> List[str]:
    """Write ``riff`` to ``midi_path`` (and a piano roll to ``png_path``), creating folders; returns the paths."""
    written = []
    for path, write in ((midi_path, riff_to_midi), (png_path, save_piano_roll)):
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            write(riff, path)
            written.append(str(path))
    return written


def riff_summary(riff: Riff) -> str:
    """One line: style, intensity, seed, bars, tempo, key and mode, note counts per instrument."""
    counts = ", ".join(f"{k} {len(v)}" for k, v in riff.tracks.items())
    return (f"{riff.style} intensity {riff.intensity:.2f} seed {riff.seed}: {riff.bars} bars at {riff.tempo:g} BPM "
            f"in {riff.key} {riff.mode} ({riff.tuning}); notes: {counts}")
