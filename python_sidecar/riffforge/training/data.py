"""Training input pipeline: corpus shards -> fixed-size numpy batches for a config.

Reads the corpus engineer's format through :mod:`riffforge.corpus.shards` (``load_split`` /
``iter_batches``). Checks once, up front, that the corpus fits the config (kind, steps, input/output
/control depths) and that the train split is not empty, so a bad corpus is one clear error before
TensorFlow starts.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional, Tuple

import numpy as np

from ..corpus.shards import CorpusError, ExampleSet, iter_batches, load_split, read_manifest


class TrainingDataError(ValueError):
    """The corpus cannot train this config (empty, or built for another encoding)."""


@dataclass
class Batch:
    inputs: np.ndarray            # float32 [B, T, D_in]
    targets: np.ndarray           # int32 [B, T, K]
    lengths: np.ndarray           # int32 [B]
    controls: Optional[np.ndarray]  # float32 [B, T, C] or None

    def __len__(self) -> int:
        return int(self.targets.shape[0])

    def as_tensors(self) -> Dict[str, np.ndarray]:
        out = {"inputs": self.inputs, "targets": self.targets, "lengths": self.lengths}
        if self.controls is not None:
            out["controls"] = self.controls
        return out


def to_batch(examples: ExampleSet, config) -> Batch:
    steps = int(config.max_seq_len)
    controls = examples.controls
    return Batch(
        inputs=np.ascontiguousarray(examples.inputs[:, :steps], np.float32),
        targets=np.ascontiguousarray(examples.targets[:, :steps], np.int32),
        lengths=np.minimum(examples.lengths, steps).astype(np.int32),
        controls=None if controls is None else np.ascontiguousarray(controls[:, :steps], np.float32),
    )


def split_sizes(corpus_dir: Path, manifest: Dict) -> Dict[str, int]:
    """Examples per split, from the manifest when it records them, else by reading the shards."""
    sizes: Dict[str, int] = {}
    shards = manifest.get("shards", [])
    if shards and all(isinstance(s, dict) and "examples" in s for s in shards):
        for s in shards:
            sizes[s["split"]] = sizes.get(s["split"], 0) + int(s["examples"])
        return sizes
    for split in ("train", "validation", "test"):
        sizes[split] = len(load_split(corpus_dir, split))
    return sizes


def check_corpus(corpus_dir, config) -> Dict:
    """Validate ``corpus_dir`` for ``config``; returns a summary dict (kind, sizes) for run.json."""
    corpus_dir = Path(corpus_dir)
    try:
        manifest = read_manifest(corpus_dir)
    except CorpusError as exc:
        raise TrainingDataError(str(exc)) from None
    enc = manifest.get("encoding", {})
    kind = manifest.get("kind", enc.get("kind"))
    problems = []
    if kind != config.encoding:
        problems.append(f"kind is {kind!r} but config {config.name!r} trains {config.encoding!r}")
    if int(enc.get("input_depth", -1)) != config.input_depth:
        problems.append(f"input_depth is {enc.get('input_depth')} but the config expects {config.input_depth}")
    if [int(d) for d in enc.get("output_depths", [])] != list(config.output_depths):
        problems.append(f"output_depths are {enc.get('output_depths')} but the config expects "
                        f"{list(config.output_depths)}")
    if int(enc.get("control_depth", 0)) != config.control_depth:
        problems.append(f"control_depth is {enc.get('control_depth', 0)} but the config expects "
                        f"{config.control_depth}")
    steps = int(enc.get("steps", 0))
    if (config.hierarchical and steps != config.max_seq_len) or steps < 1:
        problems.append(f"examples have {steps} steps but config {config.name!r} needs {config.max_seq_len}")
    if problems:
        raise TrainingDataError(f"corpus {corpus_dir} does not fit config {config.name!r}: " + "; ".join(problems)
                                + f"; build a {config.encoding} corpus with {config.bars} bar(s) per example")
    sizes = split_sizes(corpus_dir, manifest)
    if sizes.get("train", 0) == 0:
        raise TrainingDataError(f"corpus {corpus_dir}: the 'train' split has no examples; add MIDI files and "
                                "rebuild it with `riffforge corpus build`")
    return {"path": str(corpus_dir), "kind": kind, "steps": steps,
            "examples": {k: int(v) for k, v in sizes.items()}}


def train_batches(corpus_dir, config, batch_size: int, seed: int = 0,
                  start_epoch: int = 0) -> Iterator[Tuple[int, Batch]]:
    """Endless stream of (epoch, full training batch), one seeded shuffle per epoch."""
    epoch = start_epoch
    while True:
        produced = 0
        for examples in iter_batches(corpus_dir, "train", batch_size, seed=seed + epoch, shuffle=True,
                                     drop_remainder=True):
            produced += 1
            yield epoch, to_batch(examples, config)
        if produced == 0:
            raise TrainingDataError(f"corpus {corpus_dir}: fewer training examples than one batch of "
                                    f"{batch_size}; lower --batch-size")
        epoch += 1


def validation_set(corpus_dir, config, limit: int = 512, seed: int = 0) -> Optional[Batch]:
    """Up to ``limit`` validation examples (a seeded, fixed subset), or None when the split is empty."""
    examples = load_split(corpus_dir, "validation")
    if len(examples) == 0:
        return None
    if len(examples) > limit:
        idx = np.sort(np.random.default_rng(seed).choice(len(examples), limit, replace=False))
        examples = examples.subset(idx)
    return to_batch(examples, config)
