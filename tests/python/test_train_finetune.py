"""Fine-tuning an imported Magenta checkpoint (the thesis' method), at tiny sizes.

A TF1 name-based checkpoint with Magenta's variable names and layout (fused LSTMBlockCell kernels, gates
i,j,f,o, forget bias not folded, ``global_step``) is written with ``tf.compat.v1.train.Saver`` — exactly
the format ``music_vae_train`` writes — then imported with ``riffforge import-magenta``, fine-tuned with
``riffforge train --init``: validation loss on the small corpus falls, the schedules continue from the
imported global step, and the result still loads and samples.
"""
import json
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="needs the `train` extra")

from train_corpus_util import make_corpus  # noqa: E402

from riffforge.checkpoint import canonical_to_magenta  # noqa: E402
from riffforge.checkpoint.magenta import random_canonical_weights  # noqa: E402
from riffforge.cli import main  # noqa: E402
from riffforge.configs import get_config  # noqa: E402
from riffforge.model import build_model  # noqa: E402
from riffforge.training.data import validation_set  # noqa: E402
from riffforge.training.rundir import load_run  # noqa: E402
from riffforge.training.trainer import Trainer  # noqa: E402

CONFIG = "tiny-drums_2bar"
MAGENTA_STEP = 300


def write_magenta_checkpoint(folder: Path, variables: dict, step: int) -> Path:
    folder.mkdir(parents=True)
    graph = tf.Graph()
    with graph.as_default():
        for name, value in variables.items():
            tf.compat.v1.get_variable(name, initializer=tf.constant(np.asarray(value, np.float32)))
        tf.compat.v1.get_variable("global_step", initializer=tf.constant(step, tf.int64), trainable=False)
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            saver.save(sess, str(folder / "model.ckpt"), write_meta_graph=False)
    return folder


def _val_metrics(weights, cfg, corpus, step):
    model = build_model(cfg)
    model.set_canonical_weights(weights)
    trainer = Trainer(model, cfg, step_offset=step)
    return trainer.evaluate(validation_set(corpus, cfg, seed=0), batch_size=16, seed=0), model


def test_finetune_imported_magenta_checkpoint_lowers_validation_loss(tmp_path, capsys):
    cfg = get_config(CONFIG)
    start = random_canonical_weights(cfg, seed=5, scale=0.3)
    ckpt = write_magenta_checkpoint(tmp_path / "magenta", canonical_to_magenta(start, cfg), MAGENTA_STEP)
    imported = tmp_path / "imported"
    assert main(["import-magenta", str(ckpt), "--config", CONFIG, "--out", str(imported)]) == 0
    weights, meta = load_run(imported)
    assert meta["source"] == "magenta-import" and meta["step"] == MAGENTA_STEP

    corpus = make_corpus(tmp_path / "corpus", "drums", train=64, validation=16, seed=1)
    before, _ = _val_metrics(weights, cfg, corpus, MAGENTA_STEP)

    run = tmp_path / "finetuned"
    assert main(["train", "--config", CONFIG, "--corpus", str(corpus), "--out", str(run), "--init", str(imported),
                 "--steps", "40", "--batch-size", "16", "--checkpoint-every", "40", "--no-progress"]) == 0
    capsys.readouterr()
    tuned, run_meta = load_run(run)
    assert run_meta["step"] == MAGENTA_STEP + 40  # Magenta's schedules continue from the imported step
    assert run_meta["init"]["source"] == "magenta-import" and run_meta["init"]["step"] == MAGENTA_STEP
    after, model = _val_metrics(tuned, cfg, corpus, run_meta["step"])
    assert after["loss"] < before["loss"] - 5, (before["loss"], after["loss"])
    assert after["r_loss"] < before["r_loss"]
    assert after["accuracy_teacher_forced"] > before["accuracy_teacher_forced"]
    # the run's own validation numbers are the same evaluation
    assert run_meta["val_metrics"]["loss"] == pytest.approx(after["loss"], rel=1e-4)

    # still loads and samples
    z = np.random.default_rng(0).standard_normal((3, cfg.z_size)).astype(np.float32)
    classes, logits = model.sample(z, temperature=0.5, seed=3)
    classes = np.asarray(classes)
    assert classes.shape == (3, cfg.max_seq_len, 1) and classes.min() >= 0 and classes.max() < 512
    assert np.isfinite(np.asarray(logits[0])).all()
    assert json.loads((run / "run.json").read_text())["source"] == "riffforge-train"
