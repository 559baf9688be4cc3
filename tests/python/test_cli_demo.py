"""`riffforge demo` (what `./run demo` runs): spawns a sidecar like Unity, writes MIDI + PNG per riff."""
from __future__ import annotations

import subprocess
import sys

from riffforge.music.midi import midi_to_riff

STYLES = ("thrash", "doom")
INTENSITIES = ("0.2", "0.5", "0.9")


def test_demo_writes_a_midi_and_a_png_per_riff_and_prints_a_table(tmp_path):
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "riffforge", "demo", "--out", str(out)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert "spawn to handshake" in lines[0]
    rows = [line.split() for line in lines if line.split()[:1] and line.split()[0] in STYLES]
    assert [(r[0], r[1]) for r in rows] == [(s, i) for s in STYLES for i in INTENSITIES]
    for style in STYLES:
        for intensity in INTENSITIES:
            midi = out / f"{style}_{intensity}.mid"
            png = out / f"{style}_{intensity}.png"
            assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
            riff = midi_to_riff(midi)
            assert riff.style == style and abs(riff.intensity - float(intensity)) < 1e-9
            assert set(riff.tracks) == {"guitar", "bass", "drums"}
    assert "exited with code 0" in lines[-1]
    log = (out / "sidecar.log").read_text()
    assert "quit received" in log and "dropped_malformed': 0" in log
