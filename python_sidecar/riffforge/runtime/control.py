"""Latent-space controls: intensity direction, energy calibration, style centroids, and slerp.

At export (:func:`compute_controls`) the bundle's own encoder maps the training corpus to latent means
``mu``; every example gets an energy score; the controls stored in the bundle are

- ``intensity_direction`` [z]: mean ``mu`` of the top-third energy examples minus that of the bottom third
  (the attribute-vector method of the MusicVAE paper);
- ``energy_quantiles`` [11]: the corpus energy at quantiles 0, 0.1, .., 1, so a requested intensity can be
  turned into a target energy on the model's own scale;
- ``style/<name>`` [z]: mean ``mu`` of the examples labelled with that style, when the corpus has labels;
- ``intensity_direction/<name>`` [z] and ``energy_quantiles/<name>`` [11]: the same two controls within one
  style's examples (9 or more), so intensity moves a riff inside its style's vocabulary.

Energy of decoded classes (:func:`class_energy`) is a vectorised, NumPy-only score over the heads: drum
hits per step (kick, snare and toms weighted up, cymbals barely counted, and the share of steps with a kick,
snare or tom stroke), guitar/bass onsets per step. It follows :func:`riffforge.metrics.energy.energy`, whose
density counts kick, snare and tom strokes only: scored by cymbals, a bar of crashes on the quarters (a
half-time breakdown) outranked a groove with 8th-note hats, and a style's intensity axis pointed at it. It is
cheap enough to score a whole batch of candidate riffs inside one request.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import numpy as np

from ..encoding import drums as drum_enc

# weight of each of Magenta's 9 drum classes (kick, snare, closed hh, open hh, low tom, mid tom, high tom,
# crash, ride) in the energy score
_DRUM_WEIGHTS = np.array([1.5, 1.3, 0.15, 0.25, 0.9, 0.9, 0.9, 0.3, 0.15], np.float64)
_BITS = ((np.arange(drum_enc.NUM_CLASSES)[:, None] >> np.arange(drum_enc.NUM_DRUM_TYPES)[None, :]) & 1)
_DRUM_CLASS_ENERGY = (_BITS * _DRUM_WEIGHTS).sum(1)
_DRUM_CLASS_HITS = _BITS[:, [0, 1, 4, 5, 6]].sum(1)  # kick, snare and toms: the strokes that drive a groove


def class_energy(classes: np.ndarray, heads: Sequence[str]) -> np.ndarray:
    """Energy score of decoded classes [B, T, heads] (head names from ``heads``) -> [B]."""
    classes = np.asarray(classes)
    if classes.ndim == 2:
        classes = classes[None]
    B, T, _ = classes.shape
    score = np.zeros(B)
    for h, name in enumerate(heads):
        c = classes[:, :, h]
        if name == "drums":
            e = _DRUM_CLASS_ENERGY[c]
            score += e.sum(1) / T * 2.0 + (_DRUM_CLASS_HITS[c] > 0).mean(1)
        else:  # melody classes: >= 2 are note onsets
            score += (c >= 2).mean(1) * (1.5 if name in ("guitar", "melody") else 1.0)
    return score


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation between latent vectors (linear when they are (anti)parallel)."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return ((1 - t) * a + t * b).astype(np.float32)
    cos = np.clip(np.dot(a / na, b / nb), -1.0, 1.0)
    omega = np.arccos(cos)
    if omega < 1e-6 or np.pi - omega < 1e-6:
        return ((1 - t) * a + t * b).astype(np.float32)
    s = np.sin(omega)
    return (np.sin((1 - t) * omega) / s * a + np.sin(t * omega) / s * b).astype(np.float32)


def compute_controls(model, inputs: np.ndarray, targets: np.ndarray, heads: Sequence[str],
                     lengths: Optional[np.ndarray] = None, controls: Optional[np.ndarray] = None,
                     styles: Optional[Sequence[Optional[str]]] = None, batch_size: int = 256,
                     progress=None) -> Dict[str, np.ndarray]:
    """Control arrays for a bundle from a corpus split (see the module docstring)."""
    n = len(inputs)
    if n < 3:
        raise ValueError(f"need at least 3 corpus examples to compute controls, got {n}")
    mus = []
    for i in range(0, n, batch_size):
        sl = slice(i, i + batch_size)
        mu, _ = model.encode(inputs[sl], None if lengths is None else lengths[sl],
                             None if controls is None else controls[sl])
        mus.append(mu)
        if progress is not None:
            progress(min(batch_size, n - i))
    mu = np.concatenate(mus)
    energy = class_energy(targets, heads)
    order = np.argsort(energy, kind="stable")
    third = max(1, n // 3)
    low, high = order[:third], order[-third:]
    out: Dict[str, np.ndarray] = {
        "intensity_direction": (mu[high].mean(0) - mu[low].mean(0)).astype(np.float32),
        "energy_quantiles": np.quantile(energy, np.linspace(0, 1, 11)).astype(np.float32),
        "latent_mean": mu.mean(0).astype(np.float32),
        "latent_std": mu.std(0).astype(np.float32),
    }
    if styles is not None:
        labels = np.array([s or "" for s in styles])
        for name in sorted(set(labels) - {""}):
            sel = labels == name
            if sel.sum() >= 2:
                out[f"style/{name}"] = mu[sel].mean(0).astype(np.float32)
            if sel.sum() >= 9:  # the style's own intensity axis and energy scale (see the module docstring)
                idx = np.flatnonzero(sel)
                own = idx[np.argsort(energy[idx], kind="stable")]
                k = max(1, len(own) // 3)
                out[f"intensity_direction/{name}"] = (mu[own[-k:]].mean(0) - mu[own[:k]].mean(0)).astype(np.float32)
                out[f"energy_quantiles/{name}"] = np.quantile(energy[idx], np.linspace(0, 1, 11)).astype(np.float32)
    return out


def calibrate_from_samples(model, heads: Sequence[str], n: int = 384, seed: int = 0, temperature: float = 1.0,
                           riff_energy=None, batch_size: int = 64, progress=None) -> Dict[str, np.ndarray]:
    """Controls from the model's own samples (no corpus needed): ``n`` codes from the prior are decoded,
    scored, and the intensity direction is the mean code of the top-energy third minus the bottom third.

    ``riff_energy(classes [T, heads]) -> float`` scores one sample (e.g. :func:`riffforge.metrics.energy` on
    the rendered riff); default: :func:`class_energy`. ``energy_quantiles`` are always in
    :func:`class_energy` units, the score the generator uses to pick among candidates.
    """
    rng = np.random.default_rng(seed)
    cfg = model.config
    z = rng.standard_normal((n, cfg.z_size)).astype(np.float32)
    ctrl = None
    if cfg.control_depth:
        ctrl = np.zeros((cfg.max_seq_len, cfg.control_depth), np.float32)
        ctrl[:, 0] = 1.0
    classes = []
    for i in range(0, n, batch_size):
        classes.append(model.decode(z[i:i + batch_size], temperature=temperature, rng=rng, controls=ctrl).classes)
        if progress is not None:
            progress(min(batch_size, n - i))
    classes = np.concatenate(classes)
    proxy = class_energy(classes, heads)
    score = proxy if riff_energy is None else np.array([riff_energy(c) for c in classes])
    order = np.argsort(score, kind="stable")
    third = max(1, n // 3)
    return {
        "intensity_direction": (z[order[-third:]].mean(0) - z[order[:third]].mean(0)).astype(np.float32),
        "energy_quantiles": np.quantile(proxy, np.linspace(0, 1, 11)).astype(np.float32),
    }


def target_energy(quantiles: Optional[np.ndarray], intensity: float) -> Optional[float]:
    """Energy on the corpus scale for an intensity in 0..1 (linear between stored deciles)."""
    if quantiles is None or len(quantiles) < 2:
        return None
    xs = np.linspace(0, 1, len(quantiles))
    return float(np.interp(intensity, xs, quantiles))
