"""Training on your own riffs: export never destroys a bundle, --init takes a bundle, bad input is one line."""
import json
from pathlib import Path

import numpy as np
import pytest

from cli_util import one_error_line as _error
from train_corpus_util import make_corpus

from riffforge.cli import main
from riffforge.configs import get_config
from riffforge.runtime import load_bundle, random_canonical_weights, save_bundle
from riffforge.training.rundir import load_init, save_json, save_weights

SHIPPED = Path(__file__).resolve().parents[2] / "python_sidecar" / "riffforge" / "models"


def _run(folder: Path, name: str, seed: int = 0, step: int = 10) -> Path:
    save_weights(folder, random_canonical_weights(get_config(name), seed=seed, scale=2.0))
    save_json(folder / "run.json", {"config": name, "step": step, "source": "riffforge-train"})
    return folder


def _export(run: Path, out: Path, *extra: str) -> int:
    return main(["export", str(run), "--out", str(out), "--calibration-samples", "16", *extra])


def _leftovers(folder: Path):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- export: refuse, replace atomically, check the role ------------------------------------------
def test_export_refuses_an_existing_bundle_unless_forced(tmp_path, capsys):
    drums = _run(tmp_path / "drums-run", "tiny-drums_2bar")
    bass = _run(tmp_path / "bass-run", "tiny-mel_2bar", seed=1)
    out = tmp_path / "models" / "drums"
    assert _export(drums, out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()

    err = _error(capsys, ["export", str(bass), "--out", str(out), "--role", "bass"])
    assert f"--out {out}: already holds a model bundle" in err and "--force" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    assert _export(bass, out, "--role", "bass", "--force") == 0
    b = load_bundle(out)
    assert b.role == "bass" and b.config.name == "tiny-mel_2bar" and b.model_id == "drums"
    assert _leftovers(out.parent) == []


def test_export_never_replaces_a_folder_that_is_not_a_bundle(tmp_path, capsys):
    run = _run(tmp_path / "run", "tiny-drums_2bar")
    out = tmp_path / "stuff"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    err = _error(capsys, ["export", str(run), "--out", str(out), "--force"])
    assert f"--out {out}: folder is not empty and holds no model bundle" in err
    assert (out / "notes.txt").read_text() == "mine"
    # exporting into the RUN folder itself is refused the same way
    err = _error(capsys, ["export", str(run), "--out", str(run), "--force"])
    assert "holds no model bundle" in err and (run / "run.json").is_file()


def test_failed_export_leaves_the_old_bundle_intact(tmp_path, capsys, monkeypatch):
    run = _run(tmp_path / "run", "tiny-drums_2bar")
    out = tmp_path / "models" / "drums"
    assert _export(run, out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()

    import riffforge.runtime as runtime

    def disk_full(folder, *args, **kwargs):
        (Path(folder) / "weights.npz").write_bytes(b"PK\x03\x04half")  # a half-written file, then the failure
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runtime, "save_bundle", disk_full)
    err = _error(capsys, ["export", str(run), "--out", str(out), "--force"])
    assert f"--out {out}: cannot write the bundle (No space left on device)" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _leftovers(out.parent) == []
    load_bundle(out)


@pytest.mark.parametrize("name,role,fix", [("tiny-mel_2bar", "drums", "--role guitar or --role bass"),
                                           ("tiny-drums_2bar", "band", "--role drums"),
                                           ("tiny-trio_2bar", "guitar", "--role band")])
def test_export_role_must_fit_the_config(tmp_path, capsys, name, role, fix):
    run = _run(tmp_path / "run", name)
    err = _error(capsys, ["export", str(run), "--out", str(tmp_path / "b"), "--role", role])
    assert f"--role {role}: config {name!r}" in err and f"pass {fix}" in err
    assert not (tmp_path / "b").exists()


# -- train --init BUNDLE ---------------------------------------------------------------------------
def test_init_reads_a_float16_bundle_as_float32(tmp_path):
    cfg = get_config("tiny-mel_2bar")
    weights = random_canonical_weights(cfg, seed=3)
    bundle = save_bundle(tmp_path / "bundle", cfg, weights, role="bass", float16=True,
                         metadata={"steps": 77})
    got, meta = load_init(bundle)
    assert meta["config"] == "tiny-mel_2bar" and meta["step"] == 77 and meta["source"] == "bundle"
    assert set(got) == set(weights) and all(v.dtype == np.float32 for v in got.values())
    for k, v in weights.items():
        np.testing.assert_array_equal(got[k], v.astype(np.float16).astype(np.float32))


def test_init_reads_every_shipped_bundle():
    for folder in sorted(p for p in SHIPPED.iterdir() if (p / "model.json").is_file()):
        weights, meta = load_init(folder)
        info = json.loads((folder / "model.json").read_text())
        assert meta["config"] == info["config"]["name"], folder
        assert all(v.dtype == np.float32 for v in weights.values())


def test_init_bundle_config_must_match(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=8, validation=0)
    err = _error(capsys, ["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out",
                          str(tmp_path / "run"), "--init", str(SHIPPED / "metal-guitar"), "--steps", "2"])
    assert "metal-guitar: the bundle was trained with config 'cat-mel_2bar_small'" in err
    assert "pass --config cat-mel_2bar_small" in err
    folder = tmp_path / "neither"
    folder.mkdir()
    err = _error(capsys, ["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out",
                          str(tmp_path / "run"), "--init", str(folder), "--steps", "2"])
    assert "neither a RUN directory" in err and "nor a model bundle" in err


# -- corpus build and train arguments ------------------------------------------------------------
def test_corpus_build_without_midi_files_is_an_error(tmp_path, capsys):
    missing = tmp_path / "my-riffs"
    err = _error(capsys, ["corpus", "build", str(missing), "--out", str(tmp_path / "c"), "--no-progress"])
    assert f"SRC {missing}: no such file or folder" in err
    missing.mkdir()
    (missing / "notes.txt").write_text("not midi")
    err = _error(capsys, ["corpus", "build", str(missing), "--out", str(tmp_path / "c"), "--no-progress"])
    assert f"SRC {missing}: no MIDI files (.mid/.midi) found" in err
    assert not (tmp_path / "c").exists()


def test_corpus_build_with_midi_files_but_no_windows_is_an_error(tmp_path, capsys):
    from riffforge.music.midi import riff_to_midi
    from riffforge.music.procedural import generate

    src = tmp_path / "drums-only"
    src.mkdir()
    riff = generate("thrash", 0.5, bars=2, seed=1, instruments=("drums",))
    riff_to_midi(riff, src / "beat.mid")
    out = tmp_path / "c"
    err = _error(capsys, ["corpus", "build", str(src), "--out", str(out), "--kind", "melody", "--no-progress"])
    assert f"corpus {out}: no windows from 1 MIDI file(s)" in err and "report.md" in err
    assert (out / "report.md").exists()                                  # the report says why


def test_batch_size_zero_is_an_error(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=8, validation=0)
    err = _error(capsys, ["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out",
                          str(tmp_path / "run"), "--batch-size", "0", "--steps", "2"])
    assert err.endswith("--batch-size 0: must be >= 1 (leave it out for the config's)")


def test_resume_keeps_checkpoint_and_eval_cadence(tmp_path, capsys):
    from riffforge.training.loop import TrainOptions, run_training

    corpus = make_corpus(tmp_path / "corpus", "drums", train=16, validation=8)
    run = tmp_path / "run"
    base = ["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out", str(run), "--batch-size", "8",
            "--log-every", "1", "--no-progress"]
    assert main(base + ["--steps", "2", "--checkpoint-every", "1", "--eval-every", "1"]) == 0
    out = capsys.readouterr().out
    assert f"warning: corpus {corpus} has only 8 validation windows (under 64)" in out
    meta = json.loads((run / "run.json").read_text())
    assert meta["checkpoint_every"] == 1 and meta["eval_every"] == 1

    assert main(base + ["--steps", "4", "--resume"]) == 0
    meta = json.loads((run / "run.json").read_text())
    assert meta["step"] == 4 and meta["checkpoint_every"] == 1 and meta["eval_every"] == 1
    assert [p.name for p in sorted((run / "checkpoints").glob("*.npz"))] == [
        "ckpt-00000002.npz", "ckpt-00000003.npz", "ckpt-00000004.npz"]  # one per step, as first asked
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if r["split"] == "validation"] == [1, 2, 3, 4]
    capsys.readouterr()

    # Ctrl-C during a resumed run prints a resume command with the same cadence and still draws the curves
    (run / "curves.png").unlink()

    def interrupt(row):
        if row["split"] == "train" and row["step"] == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_training(TrainOptions(config="tiny-drums_2bar", corpus=corpus, out=run, steps=8, batch_size=8,
                                  resume=True, log_every=1, progress=False, on_log=interrupt))
    assert (f"--out {run} --resume --steps 8 --checkpoint-every 1 --eval-every 1`"
            in capsys.readouterr().out)
    assert (run / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_init_from_a_bundle_fine_tunes(tmp_path, capsys):
    cfg = get_config("tiny-mel_2bar")
    bundle = save_bundle(tmp_path / "bundle", cfg, random_canonical_weights(cfg, seed=5), role="guitar",
                         float16=True, metadata={"steps": 30})
    corpus = make_corpus(tmp_path / "corpus", "melody", train=16, validation=0)
    run = tmp_path / "run"
    assert main(["train", "--config", "tiny-mel_2bar", "--corpus", str(corpus), "--out", str(run), "--init",
                 str(bundle), "--steps", "2", "--batch-size", "8", "--no-progress"]) == 0
    meta = json.loads((run / "run.json").read_text())
    assert meta["init"]["source"] == "bundle" and meta["init"]["step"] == 30 and meta["step"] == 32
    capsys.readouterr()
    assert _export(run, tmp_path / "models" / "my-guitar", "--role", "guitar") == 0
    assert load_bundle(tmp_path / "models" / "my-guitar").metadata["steps"] == 32


# -- corpus build: console and report agree, no warning noise --------------------------------------
def _beat(path: Path, velocity: int, bars: int = 4) -> Path:
    """A 4-bar rock beat on channel 10 (kick 1 and 3, snare 2 and 4, eighth hi-hats) at ``velocity``."""
    import mido

    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    events = []
    for q in range(bars * 4):
        for e in range(2):
            t = q * 480 + e * 240
            events.append((t, 42))
            if e == 0:
                events.append((t, 36 if q % 2 == 0 else 38))
    messages = sorted([(t, 1, p, velocity) for t, p in events] + [(t + 60, 0, p, 0) for t, p in events])
    now = 0
    for t, on, pitch, vel in messages:
        track.append(mido.Message("note_on" if on else "note_off", channel=9, note=pitch, velocity=vel,
                                  time=t - now))
        now = t
    mid.save(path)
    return path


def test_corpus_counts_add_up_when_a_file_only_repeats_another(tmp_path, capsys):
    src = tmp_path / "midi"
    src.mkdir()
    _beat(src / "a.mid", 100)
    _beat(src / "b.mid", 80)  # different bytes, the same drum windows (velocity is not encoded)
    assert main(["corpus", "build", str(src), "--kind", "drums", "--out", str(tmp_path / "c"), "--no-progress",
                 "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["files_found"] == 2
    assert counts["files_with_windows"] == 1 and counts["files_skipped"] == 1
    assert "from 1 of 2 files" in out and "1 skipped" in out
    assert [s["reason"] for s in manifest["skipped"]] == ["every window duplicates an earlier file's"]
    report = (tmp_path / "c" / "report.md").read_text()
    assert "| files that gave windows | 1 |" in report and "every window duplicates" in report


def test_corpus_build_prints_no_ffmpeg_warning(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "midi"
    src.mkdir()
    _beat(src / "a.mid", 100)
    proc = subprocess.run([sys.executable, "-m", "riffforge", "corpus", "build", str(src), "--kind", "drums",
                           "--out", str(tmp_path / "c"), "--no-progress"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "ffmpeg" not in proc.stderr and "Warning" not in proc.stderr, proc.stderr


def test_progress_bars_stay_out_of_logs(tmp_path):
    """Bars show on a terminal; a command whose output goes to a file or pipe writes none."""
    import subprocess
    import sys

    run = _run(tmp_path / "drums-run", "tiny-drums_2bar")
    proc = subprocess.run([sys.executable, "-m", "riffforge", "export", str(run), "--out", str(tmp_path / "b"),
                           "--calibration-samples", "16"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "%|" not in proc.stderr and "it/s" not in proc.stderr and "riff/s" not in proc.stderr, proc.stderr


def test_train_prints_no_tensorflow_log_lines(tmp_path):
    """TensorFlow's C++ log lines (oneDNN, CUDA probing, XLA) look like errors to a user: a run shows none."""
    import subprocess
    import sys

    corpus = make_corpus(tmp_path / "corpus", "drums", train=16, validation=8)
    proc = subprocess.run([sys.executable, "-m", "riffforge", "train", "--config", "tiny-drums_2bar", "--corpus",
                           str(corpus), "--out", str(tmp_path / "run"), "--steps", "2", "--batch-size", "8",
                           "--no-progress"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    noise = [line for line in proc.stderr.splitlines()
             if line.strip() and not line.startswith("riffforge train: ")]
    assert noise == [], proc.stderr
