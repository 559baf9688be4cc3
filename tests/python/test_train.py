"""`riffforge train` on tiny configs: loss falls, RUN directory contents, --resume, clear errors."""
import json
import struct
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorflow", reason="needs the `train` extra")

from train_corpus_util import make_corpus  # noqa: E402

from riffforge.cli import main  # noqa: E402
from riffforge.configs import get_config  # noqa: E402
from riffforge.model import build_model  # noqa: E402
from riffforge.training.loop import TrainOptions, run_training  # noqa: E402
from riffforge.training.rundir import latest_checkpoint, load_checkpoint, load_run  # noqa: E402


def _train_rows(run: Path, split="train"):
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [r for r in rows if r["split"] == split]


def test_cli_trains_tiny_drums_writes_run_and_resumes(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=64, validation=16)
    run = tmp_path / "run"
    args = ["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out", str(run), "--batch-size", "16",
            "--checkpoint-every", "20", "--log-every", "5", "--no-progress"]
    assert main(args + ["--steps", "40"]) == 0
    assert "at step 40" in capsys.readouterr().out
    rows = _train_rows(run)
    assert rows[-1]["loss"] < rows[0]["loss"] - 10, (rows[0]["loss"], rows[-1]["loss"])
    assert rows[-1]["accuracy"] > rows[0]["accuracy"]

    meta = json.loads((run / "run.json").read_text())
    assert meta["config"] == "tiny-drums_2bar" and meta["step"] == 40 and meta["source"] == "riffforge-train"
    assert meta["corpus"]["examples"]["train"] == 64
    vm = meta["val_metrics"]
    assert {"loss", "r_loss", "kl_bits", "accuracy_teacher_forced", "accuracy_sampling"} <= set(vm)
    assert 0 <= vm["accuracy_sampling"] <= 1 and 0 <= vm["accuracy_teacher_forced"] <= 1
    weights, _ = load_run(run)
    model = build_model(get_config("tiny-drums_2bar"))
    model.set_canonical_weights(weights)
    assert (run / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    events = list((run / "tensorboard").glob("events.out.tfevents.*"))
    assert events and sum(e.stat().st_size for e in events) > 1000
    assert [p.name for p in sorted((run / "checkpoints").glob("*.npz"))] == ["ckpt-00000020.npz", "ckpt-00000040.npz"]

    # --resume continues the same run (weights, Adam state, step) up to --steps
    before = load_checkpoint(latest_checkpoint(run))
    assert main(args + ["--steps", "50", "--resume"]) == 0
    meta = json.loads((run / "run.json").read_text())
    assert meta["step"] == 50
    _, opt_state, _ = load_checkpoint(latest_checkpoint(run))
    assert int(opt_state[0]) == 50  # Adam's iteration counter carried over
    assert int(before[1][0]) == 40
    steps = [r["step"] for r in _train_rows(run)]
    assert steps[-1] == 50 and steps == sorted(set(steps))  # no duplicated or missing log rows
    assert steps == [5, 10, 15, 20, 25, 30, 35, 40, 45, 50]


@pytest.mark.parametrize("name,kind,bars,chords", [("tiny-trio_2bar", "trio", 2, False),
                                                   ("tiny-mel_2bar_chords", "melody", 2, True)])
def test_hierarchical_trio_and_chord_conditioned_loss_falls(tmp_path, name, kind, bars, chords):
    corpus = make_corpus(tmp_path / "corpus", kind, bars=bars, train=32, validation=8, chords=chords)
    meta = run_training(TrainOptions(config=name, corpus=corpus, out=tmp_path / "run", steps=20, batch_size=8,
                                     checkpoint_every=20, log_every=5, progress=False, hparams="learning_rate=0.01"))
    rows = _train_rows(tmp_path / "run")
    assert rows[-1]["r_loss"] < 0.8 * rows[0]["r_loss"], (rows[0]["r_loss"], rows[-1]["r_loss"])
    assert meta["step"] == 20 and meta["hparams"] == {"learning_rate": 0.01}
    assert 0 <= meta["val_metrics"]["accuracy_sampling"] <= 1


def _error(capsys, argv):
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err  # one clear line, no traceback
    return err


def test_empty_corpus_is_one_clear_error(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=0, validation=4)
    err = _error(capsys, ["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out",
                          str(tmp_path / "run"), "--steps", "5"])
    assert "'train' split has no examples" in err
    assert not (tmp_path / "run").exists()


def test_corpus_of_another_kind_is_one_clear_error(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=8, validation=0)
    err = _error(capsys, ["train", "--config", "tiny-mel_2bar", "--corpus", str(corpus), "--out",
                          str(tmp_path / "run"), "--steps", "5"])
    assert "kind is 'drums'" in err and "tiny-mel_2bar" in err


def _fake_run(path: Path, config: str, weights=None) -> Path:
    path.mkdir(parents=True)
    (path / "run.json").write_text(json.dumps({"config": config, "step": 7, "source": "riffforge-train"}))
    if weights is not None:
        np.savez(path / "weights.npz", **weights)
    return path


def test_corrupt_init_checkpoint_is_one_clear_error(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=8, validation=0)
    init = _fake_run(tmp_path / "init", "tiny-drums_2bar")
    good = build_model(get_config("tiny-drums_2bar")).get_canonical_weights()
    np.savez(init / "weights.npz", **good)
    data = (init / "weights.npz").read_bytes()
    (init / "weights.npz").write_bytes(data[: len(data) // 2])  # truncated download
    err = _error(capsys, ["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out",
                          str(tmp_path / "run"), "--init", str(init), "--steps", "5"])
    assert "weights.npz" in err and "corrupt" in err


def test_corrupt_resume_checkpoint_is_one_clear_error(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=8, validation=0)
    run = _fake_run(tmp_path / "run", "tiny-drums_2bar")
    (run / "checkpoints").mkdir()
    (run / "checkpoints" / "ckpt-00000010.npz").write_bytes(b"PK\x03\x04" + struct.pack("<I", 99) + b"garbage")
    err = _error(capsys, ["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out", str(run),
                          "--resume", "--steps", "20"])
    assert "ckpt-00000010.npz" in err and "corrupt" in err


def test_config_shape_mismatch_names_the_variable(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=8, validation=0)
    small = build_model(get_config("tiny-drums_2bar")).get_canonical_weights()
    init = _fake_run(tmp_path / "init", "tiny-drums_2bar", small)
    err = _error(capsys, ["train", "--config", "cat-drums_2bar_small", "--corpus", str(corpus), "--out",
                          str(tmp_path / "run"), "--init", str(init), "--steps", "5", "--batch-size", "8"])
    # e.g. "variable 'decoder/output_projection/kernel' has shape (16, 512), config ... expects (256, 512)"
    assert "variable '" in err and "has shape (" in err and "expects (" in err and "cat-drums_2bar_small" in err


def test_existing_run_needs_resume(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=8, validation=0)
    run = _fake_run(tmp_path / "run", "tiny-drums_2bar")
    (run / "checkpoints").mkdir()
    (run / "checkpoints" / "ckpt-00000010.npz").write_bytes(b"x")
    err = _error(capsys, ["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out", str(run),
                          "--steps", "5"])
    assert "--resume" in err
