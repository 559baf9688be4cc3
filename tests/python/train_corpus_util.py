"""Test helper: tiny synthetic corpora in the real shard format (riffforge.corpus.shards).

Drum/melody/trio examples are drawn from a handful of fixed patterns, so a tiny model can learn them
in a few dozen steps and a falling loss is a meaningful signal.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from riffforge.corpus import shards as shard_io
from riffforge.encoding import encoding_info


def _patterns(kind: str, steps: int, rng: np.random.Generator, n_patterns: int) -> np.ndarray:
    heads = {"drums": [512], "melody": [90], "trio": [90, 90, 512]}[kind]
    pats = []
    for _ in range(n_patterns):
        cols = []
        for depth in heads:
            if depth == 512:
                bar = rng.choice([0, 1, 2, 4, 5, 33], size=16)
            else:
                bar = rng.choice([0, 0, 1, 40, 42, 45, 47], size=16)
            cols.append(np.tile(bar, steps // 16))
        pats.append(np.stack(cols, -1))
    return np.stack(pats)  # [P, T, K]


def make_corpus(root: Path, kind: str = "drums", bars: int = 2, train: int = 64, validation: int = 16,
                chords: bool = False, seed: int = 0, n_patterns: int = 4, shard_size: int = 32) -> Path:
    """Write a complete corpus (shards + manifest) under ``root`` and return it."""
    root = Path(root)
    (root / shard_io.SHARD_DIR).mkdir(parents=True, exist_ok=True)
    enc = encoding_info(kind, bars, chords=chords)
    steps = enc["steps"]
    rng = np.random.default_rng(seed)
    pats = _patterns(kind, steps, rng, n_patterns)
    entries = []
    for split, n in (("train", train), ("validation", validation)):
        if n == 0:
            continue
        targets = pats[rng.integers(0, n_patterns, n)]
        controls = rng.integers(0, 49, (n, steps)) if chords else None
        for i, start in enumerate(range(0, n, shard_size)):
            name = shard_io.shard_name(split, i)
            sl = slice(start, start + shard_size)
            size = shard_io.write_shard(root / shard_io.SHARD_DIR / name, targets[sl],
                                        np.full(len(targets[sl]), steps, np.int32), np.zeros(len(targets[sl]), np.int32),
                                        None if controls is None else controls[sl])
            entries.append({"file": name, "split": split, "examples": int(len(targets[sl])), "bytes": size})
    manifest = {"format": shard_io.FORMAT, "format_version": shard_io.FORMAT_VERSION, "kind": kind,
                "encoding": enc, "shards": entries, "sources": []}
    shard_io.write_json_atomic(root / shard_io.MANIFEST, manifest)
    return root


def shared_dir() -> Path:
    return Path(__file__).resolve().parents[2] / ".." / "shared"
