"""`riffforge generate`: MIDI + PNG from a bundle, or from the procedural fallback."""
from pathlib import Path

from riffforge.cli import main
from riffforge.configs import get_config
from riffforge.music.midi import midi_to_riff
from riffforge.runtime import random_canonical_weights, save_bundle


def test_generate_with_model_writes_midi_and_png(tmp_path, capsys):
    cfg = get_config("tiny-trio_2bar")
    save_bundle(tmp_path / "models" / "band", cfg, random_canonical_weights(cfg, seed=4, scale=2.0))
    out, png = tmp_path / "riff.mid", tmp_path / "riff.png"
    rc = main(["generate", "--style", "thrash", "--intensity", "0.8", "--bars", "2", "--seed", "7", "--out", str(out),
               "--png", str(png), "--model", str(tmp_path / "models")])
    assert rc == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    riff = midi_to_riff(out)
    assert riff.style == "thrash" and riff.seed == 7 and riff.bars == 2 and riff.model_id == "band"
    assert "model band" in capsys.readouterr().out


def test_generate_fallback_and_errors(tmp_path, capsys):
    out = tmp_path / "p.mid"
    assert main(["generate", "--style", "doom", "--intensity", "0.2", "--seed", "1", "--out", str(out),
                 "--model", str(tmp_path)]) == 0
    assert midi_to_riff(out).model_id == "procedural"
    assert main(["generate", "--intensity", "3", "--out", str(out)]) == 2
    assert "intensity=3.0: must be a number within 0..1" in capsys.readouterr().err


def test_generate_count_writes_numbered_files_with_consecutive_seeds(tmp_path, capsys):
    out = tmp_path / "riff.mid"
    assert main(["generate", "--style", "groove", "--seed", "40", "--count", "3", "--bars", "2", "--out", str(out),
                 "--png", str(tmp_path / "riff.png")]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [p.name for p in sorted(tmp_path.glob("riff_*.mid"))] == ["riff_1.mid", "riff_2.mid", "riff_3.mid"]
    assert len(list(tmp_path.glob("riff_*.png"))) == 3 and len(printed) == 3
    assert [line.split("seed ")[1].split()[0].rstrip(":") for line in printed] == ["40", "41", "42"]
    # the second one is the riff --seed 41 gives alone
    alone = tmp_path / "alone.mid"
    assert main(["generate", "--style", "groove", "--seed", "41", "--bars", "2", "--out", str(alone)]) == 0
    assert alone.read_bytes() == (tmp_path / "riff_2.mid").read_bytes()
    assert main(["generate", "--count", "0", "--out", str(out)]) == 2
    assert "--count 0: must be 1 or more" in capsys.readouterr().err
