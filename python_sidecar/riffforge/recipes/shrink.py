"""Fit the default bundles into the repository budget: float16 encoder, float32 decoder.

``riffforge export --float16`` stores a whole bundle in float16 only when greedy decoding of random codes
is bit-identical to float32. Fine-tuned melody models fail that check on near-tie steps (two classes
within ~1e-3 logits), so they would be exported in float32 — 17 MB each, over the 30 MB budget for all
default bundles. This step keeps every array the **decoder** uses in float32 (so decoding — what the
sidecar does for every riff — stays bit-identical to the exported float32 model by construction) and
stores only the **encoder** (bidirectional LSTM, ``mu``/``sigma``) in float16. The encoder is used to
encode riffs for morphing and bass-follows-guitar conditioning; the price is measured here and recorded
in the bundle metadata (``encoder_float16``): the largest ``mu``/``sigma`` change over real corpus
examples, and whether greedy reconstructions from ``mu`` stay identical.

The bundle format allows per-array dtypes (``model.json`` declares each array's dtype; the loader casts
to float32), so no runtime change is needed. :func:`compress_bundle` rewrites ``weights.npz`` deflated
(``np.load`` reads both; about 8% smaller).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Optional

import numpy as np

from ..atomic import atomic_write, write_json_atomic
from ..runtime.bundle import MODEL_JSON, WEIGHTS, load_bundle

ENCODER_PREFIX = "encoder/"


def compress_bundle(bundle_dir: Path) -> int:
    """Rewrite ``weights.npz`` with zip deflate (same arrays, same dtypes); returns the new size in bytes."""
    path = Path(bundle_dir) / WEIGHTS
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    atomic_write(path, lambda h: np.savez_compressed(h, **arrays))
    load_bundle(bundle_dir)
    return path.stat().st_size


def encoder_float16(bundle_dir: Path, corpus_dir: Optional[Path] = None, examples: int = 256, seed: int = 0) -> Dict:
    """Rewrite ``bundle_dir`` with its encoder arrays in float16; returns the parity report stored in it."""
    bundle_dir = Path(bundle_dir)
    before = load_bundle(bundle_dir)
    info = json.loads((bundle_dir / MODEL_JSON).read_text())
    with np.load(bundle_dir / WEIGHTS, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    names = sorted(k for k in arrays if k.startswith(ENCODER_PREFIX))
    if not names:
        raise ValueError(f"{bundle_dir / WEIGHTS}: no arrays under {ENCODER_PREFIX!r}")
    for k in names:
        arrays[k] = arrays[k].astype(np.float16)
        info["arrays"][k]["dtype"] = "float16"
    atomic_write(bundle_dir / WEIGHTS, lambda h: np.savez(h, **arrays))
    after = load_bundle(bundle_dir)

    report: Dict = {"arrays": f"{len(names)} arrays under {ENCODER_PREFIX}", "decoder": "float32 (unchanged)"}
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((64, before.config.z_size)).astype(np.float32)
    a = before.model.decode(z, temperature=1e-5).classes
    b = after.model.decode(z, temperature=1e-5).classes
    report["greedy_decode_identical"] = bool(np.array_equal(a, b))
    if corpus_dir is not None:
        from ..corpus.shards import load_split

        ds = load_split(corpus_dir, "validation")
        idx = np.sort(rng.choice(len(ds), min(examples, len(ds)), replace=False))
        sub = ds.subset(idx)
        mu0, s0 = before.model.encode(sub.inputs, sub.lengths, sub.controls)
        mu1, s1 = after.model.encode(sub.inputs, sub.lengths, sub.controls)
        r0 = before.model.decode(mu0, temperature=1e-5).classes
        r1 = after.model.decode(mu1, temperature=1e-5).classes
        report.update({"corpus": str(corpus_dir), "examples": int(len(sub)),
                       "max_mu_diff": float(np.abs(mu0 - mu1).max()),
                       "max_sigma_diff": float(np.abs(s0 - s1).max()),
                       "reconstruction_steps_changed": float((r0 != r1).mean())})
    info.setdefault("metadata", {})["encoder_float16"] = report
    write_json_atomic(bundle_dir / MODEL_JSON, info)
    load_bundle(bundle_dir)  # still valid
    return report
