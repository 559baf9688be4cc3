"""The default Unity sampler sounds are exactly what build/make_sounds.py synthesises (their provenance)."""
from __future__ import annotations

import importlib.util
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("make_sounds", ROOT / "build" / "make_sounds.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_sounds_match_the_synthesis_and_stay_small(capsys):
    make_sounds = _load()
    assert make_sounds.main(["--check"]) == 0, capsys.readouterr().err
    files = sorted(make_sounds.OUT.glob("*.wav"))
    assert {f.stem for f in files} == set(make_sounds.SOUNDS)
    assert sum(f.stat().st_size for f in files) < 1_000_000
    for f in files:
        with wave.open(str(f)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, make_sounds.RATE)
            assert w.getnframes() > 0


def test_check_fails_when_a_sound_differs(tmp_path, capsys):
    make_sounds = _load()
    assert make_sounds.main(["--out", str(tmp_path)]) == 0
    (tmp_path / "kick.wav").write_bytes(b"RIFF not really")
    assert make_sounds.main(["--out", str(tmp_path), "--check"]) == 1
    assert "kick" in capsys.readouterr().err
