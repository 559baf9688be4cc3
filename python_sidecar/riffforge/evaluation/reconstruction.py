"""MusicVAE-paper reconstruction accuracy of a bundle on a corpus' validation split.

The two numbers the MusicVAE paper reports (Roberts et al., ICML 2018, Table 1): per-step accuracy of
the decoder's argmax against the target

- **teacher-forced**: the decoder is fed the true previous step (next-step prediction), z drawn from the
  posterior with a fixed seed;
- **sampled**: the decoder runs free from z = the posterior mean, fed its own argmax output.

Both are computed exactly as ``riffforge train`` computes its validation metrics
(:meth:`riffforge.training.trainer.Trainer.evaluate` on the Keras model holding the bundle's weights), so
the numbers are comparable with the training curves. Needs the train extra (TensorFlow/Keras).
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict

import numpy as np

#: The MusicVAE paper's 2-bar figures (flat models, trained to convergence on ~1.5M MIDI files) for scale.
PAPER_2BAR = {"drums": {"teacher_forced": 0.979, "sampled": 0.917},
              "melody": {"teacher_forced": 0.986, "sampled": 0.951}}


def bundle_weights(bundle_path: Path) -> Dict[str, np.ndarray]:
    """The bundle's canonical weights as float32 (control arrays dropped)."""
    with np.load(Path(bundle_path) / "weights.npz", allow_pickle=False) as data:
        return {k: np.asarray(data[k], np.float32) for k in data.files if not k.startswith("control/")}


def reconstruction_accuracy(config, weights: Dict[str, np.ndarray], corpus_dir: Path, split: str = "validation",
                            limit: int = 512, seed: int = 0) -> Dict[str, float]:
    """``{"teacher_forced", "sampled", "loss", "examples"}`` of ``weights`` on ``corpus_dir``/``split``."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ..corpus.shards import load_split
    from ..model import build_model
    from ..training.data import to_batch
    from ..training.trainer import Trainer

    ds = load_split(corpus_dir, split)
    if len(ds) == 0:
        raise ValueError(f"{corpus_dir}: split {split!r} is empty")
    if len(ds) > limit:
        ds = ds.subset(np.sort(np.random.default_rng(seed).choice(len(ds), limit, replace=False)))
    batch = to_batch(ds, config)
    model = build_model(config)
    model.set_canonical_weights(weights)
    trainer = Trainer(model, config, jit_compile=False)
    m = trainer.evaluate(batch, batch_size=min(256, len(batch)), seed=seed)
    return {"teacher_forced": float(m["accuracy_teacher_forced"]), "sampled": float(m["accuracy_sampling"]),
            "loss": float(m.get("loss", float("nan"))), "examples": int(len(batch))}
