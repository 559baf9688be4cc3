"""Listening without a DAW: `riffforge render` (the Unity sampler's sounds mixed in NumPy), labelled piano rolls,
`riffforge interpolate` and `riffforge reconstruct` on the shipped models, and their one-line errors."""
from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
import tomllib
import wave
from pathlib import Path

import mido
import numpy as np
import pytest

from riffforge.cli import main
from riffforge.generation import RiffRequest
from riffforge.music import audio
from riffforge.music import pianoroll as pr
from riffforge.music.bitmapfont import CELL_H, draw_text
from riffforge.music.midi import midi_to_riff, riff_to_midi
from riffforge.music.riff import Note, Riff
from riffforge.runtime import load_generator
from riffforge.runtime.render import tracks_to_classes
from riffforge.runtime.reconstruct import reconstruct

ROOT = Path(__file__).resolve().parents[2]
UNITY_SOUNDS = ROOT / "unity_package" / "Runtime" / "Resources" / "RiffForgeSounds"
RATE = audio.DEFAULT_RATE


def _riff(tracks, tempo=120.0, bars=1, style="thrash", intensity=0.5) -> Riff:
    return Riff(tempo=tempo, bars=bars, key="E", mode="aeolian", style=style, intensity=intensity, seed=3,
                tracks=tracks)


def _read(path):
    with wave.open(str(path)) as w:
        params = (w.getnchannels(), w.getsampwidth(), w.getframerate())
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768.0
    return params, x


def _rms(x) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


def _dominant_hz(x, rate=RATE) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1.0 / rate)
    spectrum[freqs < 20] = 0
    return float(freqs[int(np.argmax(spectrum))])


@pytest.fixture(scope="module")
def band():
    return load_generator()


@pytest.fixture(scope="module")
def two_riffs(tmp_path_factory, band):
    folder = tmp_path_factory.mktemp("riffs")
    a = band.generate(RiffRequest(intensity=0.8, style="thrash", bars=2, seed=7))
    b = band.generate(RiffRequest(intensity=0.3, style="doom", bars=2, seed=3))
    return riff_to_midi(a, folder / "a.mid"), riff_to_midi(b, folder / "b.mid")


# ------------------------------------------------------------------------------------------ the sounds
def test_package_copy_of_the_sounds_equals_the_unity_package_files():
    package = sorted(p.name for p in audio.PACKAGE_SOUNDS.glob("*.wav"))
    unity = sorted(p.name for p in UNITY_SOUNDS.glob("*.wav"))
    assert package == unity == sorted(f"{n}.wav" for n in audio.SOUND_NAMES)
    stale = [n for n in package if (audio.PACKAGE_SOUNDS / n).read_bytes() != (UNITY_SOUNDS / n).read_bytes()]
    assert not stale, (f"{stale} differ: run cp unity_package/Runtime/Resources/RiffForgeSounds/*.wav "
                       "python_sidecar/riffforge/sounds/")
    assert audio.find_sounds() == audio.PACKAGE_SOUNDS


def test_wheel_package_data_carries_the_sounds():
    project = tomllib.loads((ROOT / "python_sidecar" / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["riffforge"]
    for name in audio.SOUND_NAMES:
        assert any(fnmatch.fnmatch(f"sounds/{name}.wav", p) for p in patterns), patterns


def test_frozen_sidecar_finds_the_sounds_of_the_unity_package_it_sits_in(tmp_path, monkeypatch):
    package = tmp_path / "com.riffforge.unity"
    sounds = package / "Runtime" / "Resources" / "RiffForgeSounds"
    sounds.mkdir(parents=True)
    for name in audio.SOUND_NAMES:
        (sounds / f"{name}.wav").write_bytes((UNITY_SOUNDS / f"{name}.wav").read_bytes())
    exe = package / "Sidecar~" / "linux-x64" / "riffforge-sidecar"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"")
    monkeypatch.setattr(audio, "PACKAGE_SOUNDS", tmp_path / "missing")
    monkeypatch.setattr(audio, "CHECKOUT_SOUNDS", tmp_path / "missing")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert audio.find_sounds() == sounds.resolve()
    monkeypatch.setattr(sys, "frozen", False)
    with pytest.raises(audio.AudioError, match="built-in sounds .* are in none of .*; reinstall riffforge"):
        audio.find_sounds()


def test_sample_choice_matches_the_unity_sampler():
    # nearest sampled note, the lower one on a tie (SamplerPlanner.PitchedSound); rate 2^(semitones/12)
    assert audio.pitched_sound("guitar", 40) == ("guitar_38", pytest.approx(2 ** (2 / 12)))
    assert audio.pitched_sound("guitar", 44) == ("guitar_38", pytest.approx(2 ** (6 / 12)))
    assert audio.pitched_sound("guitar", 45) == ("guitar_50", pytest.approx(2 ** (-5 / 12)))
    assert audio.pitched_sound("bass", 34) == ("bass_28", pytest.approx(2 ** (6 / 12)))
    assert audio.pitched_sound("bass", 52) == ("bass_40", pytest.approx(2.0))
    # DrumKitMap.SoundFor
    assert [audio.DRUM_SOUNDS.get(p) for p in (36, 38, 42, 44, 46, 49, 51, 52, 45, 54)] == [
        "kick", "snare", "hat_closed", "hat_closed", "hat_open", "crash", "ride", "china", "tom_mid", None]
    assert audio.note_volume("drums", 127) == pytest.approx(0.8)
    assert audio.note_volume("guitar", 64) == pytest.approx(0.8 * 0.8 * (64 / 127) ** 1.6)


def test_note_length_release_and_hihat_choke_in_the_voice_plan():
    riff = _riff({"guitar": [Note(0, 2, 40, 100), Note(4, 16, 40, 100)],
                  "drums": [Note(0, 1, 46, 100), Note(2, 1, 42, 100), Note(8, 1, 99, 100)]}, tempo=120, bars=2)
    voices = audio.plan_voices(riff, audio.SoundBank())
    sps = riff.seconds_per_step
    short, long_ = [v for v in voices if v.instrument == "guitar"]
    assert short.end == pytest.approx(2 * sps)                 # cut at the note's length ...
    assert long_.end is None                                   # ... or rings out when the sample is shorter
    hat_open, hat_closed = [v for v in voices if v.instrument == "drums"]  # pitch 99 has no sound
    assert (hat_open.sound, hat_open.end) == ("hat_open", pytest.approx(2 * sps))  # choked by the closed hat
    assert hat_closed.end is None


# ------------------------------------------------------------------------------------------ the mix
def test_render_writes_a_valid_wav_of_the_riffs_length(tmp_path):
    riff = _riff({"guitar": [Note(0, 4, 40, 110), Note(16, 4, 43, 110)], "bass": [Note(0, 8, 28, 100)],
                  "drums": [Note(s, 1, 36, 110) for s in range(0, 32, 4)]}, tempo=150, bars=2)
    path = audio.save_wav(riff, tmp_path / "r.wav")
    params, x = _read(path)
    assert params == (1, 2, RATE)
    assert len(x) == round((2 * 16 * 60 / 150 / 4 + audio.DEFAULT_TAIL_SECONDS) * RATE)   # 3.2 s + tail
    assert _rms(x) > 0.05 and np.max(np.abs(x)) <= audio.PEAK + 1e-4
    _, twice = _read(audio.save_wav(riff, tmp_path / "r2.wav", repeat=2, tail=0.0, rate=22050))
    assert len(twice) == round(6.4 * 22050)
    # the second pass repeats the first (the bar-1 kick at 3.2 s sounds like the one at 0 s)
    first, again = twice[:2000], twice[round(3.2 * 22050):round(3.2 * 22050) + 2000]
    assert np.corrcoef(first, again)[0, 1] > 0.9


@pytest.mark.parametrize("instrument,pitch", [("guitar", 40), ("guitar", 43), ("guitar", 46), ("bass", 33),
                                              ("bass", 38)])
def test_a_notes_dominant_frequency_follows_its_pitch(instrument, pitch):
    riff = _riff({instrument: [Note(0, 16, pitch, 110)]})
    x = audio.render_riff(riff, tail=0.0)
    f0 = 440.0 * 2 ** ((pitch - 69) / 12)
    found = _dominant_hz(x[int(0.1 * RATE):int(0.1 * RATE) + 32768])
    assert found == pytest.approx(f0, rel=0.02)


def test_a_higher_note_sounds_higher():
    low = audio.render_riff(_riff({"guitar": [Note(0, 16, 40, 110)]}), tail=0.0)[4410:4410 + 32768]
    fifth = audio.render_riff(_riff({"guitar": [Note(0, 16, 47, 110)]}), tail=0.0)[4410:4410 + 32768]
    octave = audio.render_riff(_riff({"guitar": [Note(0, 16, 52, 110)]}), tail=0.0)[4410:4410 + 32768]
    # 52 plays guitar_50 sped up, 40 guitar_38: different samples, one octave apart in the spectrum
    spectra = [np.abs(np.fft.rfft(s * np.hanning(len(s)))) for s in (low, fifth, octave)]
    freqs = np.fft.rfftfreq(32768, 1.0 / RATE)

    def centroid(sp):
        band = (freqs > 40) & (freqs < 2000)
        return float(np.sum(freqs[band] * sp[band]) / np.sum(sp[band]))

    assert centroid(spectra[0]) < centroid(spectra[1]) < centroid(spectra[2])


def test_drums_sound_where_the_hits_are():
    riff = _riff({"drums": [Note(0, 1, 36, 120), Note(8, 1, 38, 120)]}, tempo=60)   # kick at 0 s, snare at 2 s
    x = audio.render_riff(riff, tail=0.0)
    kick, gap, snare = x[:int(0.3 * RATE)], x[int(1.0 * RATE):int(1.9 * RATE)], x[int(2.0 * RATE):int(2.3 * RATE)]
    assert _rms(kick) > 0.05 and _rms(snare) > 0.05 and _rms(gap) < 1e-3
    # the snare is brighter than the kick
    assert _dominant_hz(kick) < 150 < _dominant_hz(snare)


def test_velocity_sets_the_level():
    loud = audio.render_riff(_riff({"drums": [Note(0, 1, 36, 127)]}), tail=0.0)
    soft = audio.render_riff(_riff({"drums": [Note(0, 1, 36, 64)]}), tail=0.0)
    assert np.max(np.abs(soft)) / np.max(np.abs(loud)) == pytest.approx((64 / 127) ** 1.6, rel=1e-3)


def test_a_sound_override_replaces_a_built_in_sound(tmp_path):
    quiet = np.zeros(2205)
    quiet[0] = 0.5
    (tmp_path / "kick.wav").write_bytes(audio.wav_bytes(quiet, 22050))
    riff = _riff({"drums": [Note(0, 1, 36, 127)]})
    x = audio.render_riff(riff, bank=audio.SoundBank(overrides=tmp_path), tail=0.0)
    assert _rms(x[100:]) < 1e-4
    with pytest.raises(audio.AudioError, match="--sounds .*: not a folder"):
        audio.SoundBank(overrides=tmp_path / "nope")


# ------------------------------------------------------------------------------------------ piano rolls
def test_labelled_piano_roll_has_title_bar_numbers_and_lane_labels(tmp_path):
    riff = _riff({"guitar": [Note(0, 2, 40, 100), Note(16, 2, 47, 100)], "bass": [Note(0, 4, 28, 90)],
                  "drums": [Note(0, 1, 36, 100), Note(4, 1, 38, 100)]}, tempo=183, bars=2, intensity=0.8)
    assert pr.title_lines(riff) == ("thrash  intensity 0.80",
                                    "183 BPM  4/4  E aeolian  (E standard)  2 bars  seed 3", "model procedural")
    path = pr.save_piano_roll(riff, tmp_path / "r.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = pr.render_piano_roll(riff)
    bare = pr.render_piano_roll(riff, labels=False)
    assert img.shape[0] > bare.shape[0] and img.shape[1] > bare.shape[1]
    # the title, drawn at twice the size in the top-left corner
    expected = np.zeros_like(img)
    draw_text(expected, pr.MARGIN_PX, pr.MARGIN_PX, "thrash  intensity 0.80", (1, 1, 1), 2)
    ink = expected.any(axis=2)
    assert ink.sum() > 200 and (img[ink] == pr.TITLE_COLOUR).all()
    # lane headers in the lane colours, kit-piece names in text colour
    for name in ("guitar", "bass", "drums"):
        assert (img == pr.COLOURS[name]).all(axis=2).sum() > 150   # colour strip + header letters
    # bar lines every 16 steps, bar numbers 1 and 2 just right of the first two
    bar_lines = np.flatnonzero((img == pr.BAR_LINE).all(axis=2).sum(axis=0) > 20)
    assert len(bar_lines) == 3 and np.diff(bar_lines).tolist() == [16 * pr.STEP_PX] * 2
    def drawn_at(x, text):
        """The rows y at which ``text`` is drawn in the text colour with its left edge at x."""
        rows = []
        for y in range(img.shape[0] - CELL_H):
            canvas = np.zeros_like(img)
            draw_text(canvas, x, y, text, (1, 1, 1))
            mask = canvas.any(axis=2)
            if (img[mask] == pr.TEXT_COLOUR).all():
                rows.append(y)
        return rows

    for number, x in zip("12", bar_lines):
        assert len(drawn_at(x + 3, number)) == 1
    # kit pieces named beside their rows: "kick" drawn left of the drum lane's bottom row
    drum_rows = np.flatnonzero((img[:, bar_lines[0] - pr.LEFT_PX] == pr.COLOURS["drums"]).all(axis=1))
    kick_top = drum_rows.max() - pr.DRUM_ROW_PX + 1
    grid_x = bar_lines[0] - pr.LEFT_PX
    assert drawn_at(grid_x - 4 - (len("kick") * 6 - 1), "kick") == [kick_top + pr.DRUM_ROW_PX // 2 - CELL_H // 2]
    assert drawn_at(grid_x - 4 - (len("E2") * 6 - 1), "E2")   # guitar and bass rows named on C and E


def test_every_glyph_is_drawn_and_unknown_characters_become_a_question_mark():
    from riffforge.music.bitmapfont import GLYPHS

    a = np.zeros((CELL_H, 6, 3), np.uint8)
    b = np.zeros_like(a)
    draw_text(a, 0, 0, "~", (9, 9, 9))
    draw_text(b, 0, 0, "?", (9, 9, 9))
    assert (a == b).all() and a.any()
    assert all(g.shape == (7, 5) for g in GLYPHS.values()) and all(GLYPHS[c].any() for c in "AZ09#")


# ------------------------------------------------------------------------------------------ CLI: render
def test_render_cli_writes_wav_and_png_and_refuses_to_overwrite(tmp_path, capsys, two_riffs):
    a, _ = two_riffs
    wav, png = tmp_path / "a.wav", tmp_path / "a.png"
    assert main(["render", str(a), "--out", str(wav), "--png", str(png)]) == 0
    riff = midi_to_riff(a)
    params, x = _read(wav)
    assert params == (1, 2, RATE) and len(x) == round(audio.riff_seconds(riff) * RATE) and _rms(x) > 0.02
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "2 bars at 183 BPM" in capsys.readouterr().out
    before = wav.read_bytes()
    assert main(["render", str(a), "--out", str(wav), "--repeat", "2"]) == 2
    assert f"--out: {wav} already exists; pass --force to overwrite" in capsys.readouterr().err
    assert wav.read_bytes() == before
    assert main(["render", str(a), "--out", str(wav), "--repeat", "2", "--force"]) == 0
    assert len(_read(wav)[1]) == round(audio.riff_seconds(riff, repeat=2) * RATE)


def test_render_cli_errors_name_the_file_and_the_fix(tmp_path, capsys):
    missing = tmp_path / "missing.mid"
    assert main(["render", str(missing), "--out", str(tmp_path / "x.wav")]) == 2
    assert f"{missing}: file not found; pass an existing .mid file" in capsys.readouterr().err
    text = tmp_path / "notes.mid"
    text.write_text("not a midi file")
    assert main(["render", str(text), "--out", str(tmp_path / "x.wav")]) == 2
    err = capsys.readouterr().err
    assert f"{text}: not a readable standard MIDI file" in err and len(err.strip().splitlines()) == 1
    empty = tmp_path / "empty.mid"
    mid = mido.MidiFile()
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000)]))
    mid.save(str(empty))
    assert main(["render", str(empty), "--out", str(tmp_path / "x.wav")]) == 2
    assert f"{empty}: no notes on any guitar, bass or drum track" in capsys.readouterr().err
    riff = tmp_path / "r.mid"
    riff_to_midi(_riff({"drums": [Note(0, 1, 36, 100)]}), riff)
    assert main(["render", str(riff), "--rate", "100"]) == 2
    assert "--rate 100: use a sample rate of 8000..192000 Hz" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.wav"))


def test_generate_wav_numbers_its_files_like_the_midi(tmp_path, capsys):
    # --model on a folder without bundles: the procedural generator (fast)
    assert main(["generate", "--style", "groove", "--seed", "4", "--count", "2", "--out", str(tmp_path / "g.mid"),
                 "--wav", str(tmp_path / "g.wav"), "--model", str(tmp_path)]) == 0
    for k in (1, 2):
        riff = midi_to_riff(tmp_path / f"g_{k}.mid")
        params, x = _read(tmp_path / f"g_{k}.wav")
        assert params == (1, 2, RATE) and len(x) == round(audio.riff_seconds(riff) * RATE) and _rms(x) > 0.01
    assert capsys.readouterr().out.count(".wav") == 2


# ------------------------------------------------------------------------------------------ CLI: models
def test_interpolate_cli_on_the_shipped_models(tmp_path, capsys, two_riffs):
    a, b = two_riffs
    out = tmp_path / "morph"
    assert main(["interpolate", str(a), str(b), "--steps", "3", "--out", str(out), "--wav"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in printed] == ["interpolate_1", "interpolate_2", "interpolate_3"]
    riffs = [midi_to_riff(out / f"interpolate_{i}.mid") for i in (1, 2, 3)]
    assert [r.style for r in riffs] == ["thrash", "doom", "doom"]            # style and key switch at the midpoint
    assert [r.tempo for r in riffs] == [183, 123.5, 64]                       # the tempo moves linearly
    assert all(r.bars == 2 and r.model_id == "metal-guitar+metal-bass+metal-drums" for r in riffs)
    for i, riff in enumerate(riffs, 1):
        assert (out / f"interpolate_{i}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        params, x = _read(out / f"interpolate_{i}.wav")
        assert len(x) == round(audio.riff_seconds(riff) * RATE) and _rms(x) > 0.01
    # the ends are the models' greedy reconstructions: A's end has A's drums as reconstruct decodes them
    end = reconstruct(load_generator(), midi_to_riff(a)).riff
    assert riffs[0].notes("drums") == [Note(n.start, n.length, n.pitch, n.velocity) for n in end.notes("drums")]
    # nothing is overwritten without --force
    stamp = (out / "interpolate_2.mid").read_bytes()
    assert main(["interpolate", str(b), str(a), "--steps", "3", "--out", str(out)]) == 2
    assert (f"--out: {out / 'interpolate_1.mid'} already exists (and 5 more); pass --force"
            in capsys.readouterr().err)
    assert (out / "interpolate_2.mid").read_bytes() == stamp
    assert main(["interpolate", str(b), str(a), "--steps", "3", "--out", str(out), "--force"]) == 0
    assert midi_to_riff(out / "interpolate_1.mid").style == "doom"


def test_interpolate_cli_errors(tmp_path, capsys, two_riffs):
    a, b = two_riffs
    assert main(["interpolate", str(a), str(b), "--steps", "1", "--out", str(tmp_path / "o")]) == 2
    assert "--steps 1: need at least 2 (the two end points)" in capsys.readouterr().err
    assert main(["interpolate", str(a), str(tmp_path / "nope.mid"), "--out", str(tmp_path / "o")]) == 2
    assert f"{tmp_path / 'nope.mid'}: file not found" in capsys.readouterr().err
    assert main(["interpolate", str(a), str(b), "--out", str(tmp_path / "o"), "--model", str(tmp_path)]) == 2
    assert f"--model {tmp_path}: no model bundles (model.json + weights.npz) found" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["interpolate", str(a), str(b), "--out", str(tmp_path / "file")]) == 2
    assert "exists and is not a folder; choose another --out" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def _foreign_drums(path: Path) -> Path:
    """A drum-only MIDI file the way a DAW writes it (no riffforge metadata): 2 bars of a rock beat."""
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(140))])
    events = []
    for step in range(32):
        pitches = [42] + ([36] if step % 8 == 0 else []) + ([38] if step % 8 == 4 else [])
        for p in pitches:
            events += [(step * 120, "note_on", p, 100), (step * 120 + 60, "note_off", p, 0)]
    now = 0
    for tick, kind, pitch, velocity in sorted(events, key=lambda e: (e[0], e[1] == "note_on")):
        track.append(mido.Message(kind, channel=9, note=pitch, velocity=velocity, time=tick - now))
        now = tick
    mid.tracks.append(track)
    mid.save(str(path))
    return path


def test_reconstruct_cli_reports_per_instrument_accuracy(tmp_path, capsys, two_riffs):
    a, _ = two_riffs
    out = tmp_path / "rec"
    assert main(["reconstruct", str(a), "--out", str(out), "--wav"]) == 0
    printed = capsys.readouterr().out
    report = json.loads((out / "reconstruction.json").read_text())
    assert set(report["instruments"]) == {"guitar", "bass", "drums"} and report["steps"] == 32
    for name, row in report["instruments"].items():
        assert 0.0 <= row["step_accuracy"] <= 1.0 and 0.0 <= row["onset_accuracy"] <= 1.0
        assert f"{name}" in printed and f"step accuracy {row['step_accuracy']:.3f}" in printed
    rebuilt, source = midi_to_riff(out / "reconstruction.mid"), midi_to_riff(a)
    # the drum score is the share of steps whose kit combination came back (drum classes render losslessly)
    mine, theirs = (tracks_to_classes(r.tracks, ("drums",), 32)[:, 0] for r in (rebuilt, source))
    assert report["instruments"]["drums"]["step_accuracy"] == pytest.approx(np.mean(mine == theirs), abs=1e-4)
    for name in ("input.png", "reconstruction.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _rms(_read(out / "reconstruction.wav")[1]) > 0.01
    assert main(["reconstruct", str(a), "--out", str(out)]) == 2
    assert "already exists (and 3 more); pass --force" in capsys.readouterr().err


def test_reconstruct_cli_scores_only_the_instruments_a_foreign_file_has(tmp_path, capsys):
    drums = _foreign_drums(tmp_path / "beat.mid")
    assert main(["reconstruct", str(drums), "--out", str(tmp_path / "rec")]) == 0
    report = json.loads((tmp_path / "rec" / "reconstruction.json").read_text())
    assert list(report["instruments"]) == ["drums"] and report["instruments"]["drums"]["onset_steps"] == 32
    rebuilt = midi_to_riff(tmp_path / "rec" / "reconstruction.mid")
    assert set(rebuilt.tracks) == {"drums"} and rebuilt.style == "thrash" and rebuilt.tempo == 140
    assert "drums  step accuracy" in capsys.readouterr().out


def test_demo_wav_renders_every_riff(tmp_path):
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "riffforge", "demo", "--out", str(out), "--wav", "--procedural",
                             "--styles", "groove"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    for intensity in ("0.2", "0.5", "0.9"):
        riff = midi_to_riff(out / f"groove_{intensity}.mid")
        params, x = _read(out / f"groove_{intensity}.wav")
        assert params == (1, 2, RATE) and len(x) == round(audio.riff_seconds(riff) * RATE) and _rms(x) > 0.01
    assert "MIDI + piano-roll PNG + WAV per riff" in result.stdout.splitlines()[-1]


def test_interpolate_and_reconstruct_take_a_band_bundle_with_model(tmp_path, capsys, two_riffs):
    from riffforge.configs import get_config
    from riffforge.runtime import random_canonical_weights, save_bundle

    cfg = get_config("tiny-trio_2bar")
    save_bundle(tmp_path / "models" / "band", cfg, random_canonical_weights(cfg, seed=4, scale=2.0))
    a, b = two_riffs
    models = str(tmp_path / "models")
    assert main(["reconstruct", str(a), "--out", str(tmp_path / "rec"), "--model", models]) == 0
    report = json.loads((tmp_path / "rec" / "reconstruction.json").read_text())
    assert report["model_id"] == "band" and list(report["instruments"]) == ["guitar", "bass", "drums"]
    assert main(["interpolate", str(a), str(b), "--steps", "2", "--out", str(tmp_path / "m"), "--model", models]) == 0
    assert [midi_to_riff(tmp_path / "m" / f"interpolate_{i}.mid").model_id for i in (1, 2)] == ["band", "band"]
    assert "reconstructed by band" in capsys.readouterr().out
