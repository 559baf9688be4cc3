"""`riffforge train --distribute data`: Keras data parallelism on the JAX backend, here over two virtual CPU
devices (XLA_FLAGS=--xla_force_host_platform_device_count=2, set in a subprocess before JAX is imported).
At equal global batch the loss curve is one device's; checkpoints and --resume work as on one device."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from train_corpus_util import make_corpus

from riffforge.cli import main

ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter: XLA_FLAGS and KERAS_BACKEND only take effect before jax/keras are imported.
SCRIPT = textwrap.dedent("""
    import json, sys
    import jax, keras, numpy as np
    from riffforge.cli import main

    corpus, work = sys.argv[1], sys.argv[2]
    base = ["train", "--config", "tiny-drums_2bar", "--corpus", corpus, "--batch-size", "16", "--log-every", "2",
            "--checkpoint-every", "6", "--eval-every", "6", "--no-progress", "--seed", "3"]
    out = {"devices": keras.distribution.list_devices(), "backend": keras.backend.backend()}
    # Each run stops after its first checkpoint and is resumed: on one device, then on two.
    for name, extra in (("one", []), ("two", ["--distribute", "data"])):
        first = main(base + ["--out", work + "/" + name, "--steps", "6"] + extra)
        out[name] = (first, main(base + ["--out", work + "/" + name, "--steps", "12", "--resume"] + extra))
    out["odd_batch"] = main(base[:5] + ["--batch-size", "15", "--out", work + "/odd", "--steps", "2",
                                        "--distribute", "data"])

    # What the distributed step really runs on: a batch split in halves, the variables on both devices.
    from riffforge.configs import get_config
    from riffforge.model import build_model
    from riffforge.training.jax_steps import data_parallel
    from riffforge.training.trainer import Trainer
    distribution = data_parallel()
    keras.distribution.set_distribution(distribution)
    config = get_config("tiny-drums_2bar")
    model = build_model(config)
    trainer = Trainer(model, config, distribution=distribution)
    batch = trainer.jax_steps._shard(np.zeros((16, 32, 9), np.float32))
    out["batch_shards"] = sorted(tuple(s.data.shape) for s in batch.addressable_shards)
    out["variable_devices"] = len(model.trainable_variables[0].value.sharding.device_set)
    print("RESULT " + json.dumps(out))
""")


def _rows(run: Path, split: str = "train"):
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [r for r in rows if r["split"] == split]


def test_two_devices_give_one_devices_loss_curve_and_resume(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", "drums", train=64, validation=16)
    env = dict(os.environ, KERAS_BACKEND="jax", XLA_FLAGS="--xla_force_host_platform_device_count=2",
               JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(corpus), str(tmp_path)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["backend"] == "jax" and out["devices"] == ["cpu:0", "cpu:1"]
    assert out["one"] == out["two"] == [0, 0]
    assert out["batch_shards"] == [[8, 32, 9], [8, 32, 9]] and out["variable_devices"] == 2

    one, two = _rows(tmp_path / "one"), _rows(tmp_path / "two")
    assert [r["step"] for r in one] == [r["step"] for r in two] == list(range(2, 13, 2))
    for a, b in zip(one, two):  # before the checkpoint and after --resume
        for key in ("loss", "r_loss", "kl_bits", "accuracy", "global_norm", "learning_rate"):
            assert abs(a[key] - b[key]) <= 1e-4 * max(1.0, abs(a[key])), (key, a, b)
    assert one[-1]["loss"] < one[0]["loss"]  # it trains
    val_one, val_two = _rows(tmp_path / "one", "validation"), _rows(tmp_path / "two", "validation")
    assert [round(r["loss"], 3) for r in val_one] == [round(r["loss"], 3) for r in val_two]

    meta = json.loads((tmp_path / "two" / "run.json").read_text())
    assert meta["backend"] == "jax" and meta["distribute"] == {"mode": "data", "devices": ["cpu:0", "cpu:1"]}
    assert json.loads((tmp_path / "one" / "run.json").read_text())["distribute"] is None
    assert sorted(p.name for p in (tmp_path / "two" / "checkpoints").glob("*.npz")) == [
        "ckpt-00000006.npz", "ckpt-00000012.npz"]
    assert out["odd_batch"] == 2
    assert "--batch-size 15: --distribute data splits each batch over 2 devices" in proc.stderr
    assert "use a multiple of 2" in proc.stderr


def test_distribute_on_the_tensorflow_backend_is_one_clear_error(tmp_path, capsys):
    import keras

    assert keras.backend.backend() == "tensorflow"  # the test suite's backend
    corpus = make_corpus(tmp_path / "corpus", "drums", train=32, validation=0)
    code = main(["train", "--config", "tiny-drums_2bar", "--corpus", str(corpus), "--out", str(tmp_path / "run"),
                 "--steps", "2", "--distribute", "data", "--no-progress"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--distribute data: needs the JAX backend, Keras is on 'tensorflow'; run with KERAS_BACKEND=jax" in err
    assert not (tmp_path / "run").exists()
