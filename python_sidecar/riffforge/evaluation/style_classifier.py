"""Does a source's riff *sound like* the style it was asked for? A style classifier trained on procedural riffs.

Features of a 2-bar riff (:func:`riff_features`, names in :data:`FEATURES`): the window figures of
:mod:`riffforge.metrics.metal` (bass doubling and register, chord and pedal shares, guitar onsets and kicks
per bar, double-bass / blast / snare-on-2-and-4 flags, tempo) plus register and picking features: the
guitar's lowest and median pitch, the share of guitar onsets on the off-8th 16ths (odd steps), the share of
guitar onsets one step after the previous one (tremolo picking), the mean guitar note length, bass onsets
and snare hits per bar.

:class:`StyleClassifier` standardises the features (mean and spread of the training set; a missing feature,
nan, becomes the training mean) and fits a multinomial logistic regression in NumPy: softmax over the
styles, full-batch gradient descent for a fixed number of iterations with an L2 penalty, initial weights
drawn from a seeded generator — so the same training set always gives the same classifier.

:func:`train_on_procedural` trains it on procedural riffs of every style at intensities drawn uniformly from
[0, 1] (seeds from :data:`TRAIN_SEED`, far from the evaluation's request seeds); :func:`score` tests it on
a source's riffs (the evaluation uses those at intensity 0.5): accuracy over the styles and the confusion
matrix (rows: requested style, columns: predicted style). The evaluation's check passes when the fine-tuned
source reaches :data:`ACCURACY_LIMIT`.
"""
from __future__ import annotations

import math
import random
import statistics
from typing import Dict, List, Mapping, Sequence

import numpy as np

from ..metrics.metal import WINDOW_FIGURES, window_figures, windows
from ..metrics.view import RiffView
from ..music.riff import STYLES, Riff

#: Accuracy over the styles that the fine-tuned source must reach for the check to pass.
ACCURACY_LIMIT = 0.7
#: First request seed of the classifier's procedural training riffs (the evaluation requests seeds from its
#: ``--seed``, by default 1234, up to a few hundred thousand above it).
TRAIN_SEED = 50_000_000
EXTRA_FEATURES = ("guitar_lowest_pitch", "guitar_median_pitch", "guitar_16th_share", "guitar_tremolo_share",
                  "guitar_mean_length", "bass_onsets_per_bar", "snare_per_bar")
FEATURES = tuple(k for k, _ in WINDOW_FIGURES) + EXTRA_FEATURES
NAN = float("nan")


def riff_features(riff: Riff) -> np.ndarray:
    """The :data:`FEATURES` of a riff's first 2-bar window (nan where an instrument is missing)."""
    w = windows(riff)[0]
    fig = window_figures(w)
    v = RiffView(w)
    guitar = w.notes("guitar")
    extra = dict.fromkeys(EXTRA_FEATURES, NAN)
    if guitar:
        onsets = sorted(v.onsets["guitar"])
        extra["guitar_lowest_pitch"] = float(min(n.pitch for n in guitar))
        extra["guitar_median_pitch"] = float(statistics.median(n.pitch for n in guitar))
        extra["guitar_16th_share"] = sum(s % 2 == 1 for s in onsets) / len(onsets)
        gaps = [b - a for a, b in zip(onsets, onsets[1:])]
        extra["guitar_tremolo_share"] = sum(g == 1 for g in gaps) / len(gaps) if gaps else 0.0
        extra["guitar_mean_length"] = sum(n.length for n in guitar) / len(guitar)
    if v.has_bass:
        extra["bass_onsets_per_bar"] = len(v.onsets["bass"]) / v.bars
    if v.has_drums:
        extra["snare_per_bar"] = len(v.snare) / v.bars
    return np.array([fig[k] for k, _ in WINDOW_FIGURES] + [extra[k] for k in EXTRA_FEATURES], dtype=np.float64)


def feature_matrix(riffs: Sequence[Riff]) -> np.ndarray:
    """[len(riffs), len(FEATURES)] features."""
    if not riffs:
        return np.zeros((0, len(FEATURES)))
    return np.stack([riff_features(r) for r in riffs])


class StyleClassifier:
    """Standardised features -> multinomial logistic regression (NumPy, seeded, fixed iterations, L2)."""

    def __init__(self, labels: Sequence[str] = STYLES, iterations: int = 600, learning_rate: float = 0.5,
                 l2: float = 1e-3, seed: int = 0):
        self.labels = list(labels)
        self.iterations = int(iterations)
        self.learning_rate = float(learning_rate)
        self.l2 = float(l2)
        self.seed = int(seed)
        self.mean = self.scale = self.weights = self.bias = None

    def _standardise(self, x: np.ndarray) -> np.ndarray:
        z = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        return np.where(np.isnan(z), 0.0, z)

    def fit(self, x: np.ndarray, y: Sequence[str]) -> "StyleClassifier":
        """Fit on features ``x`` [N, F] and style names ``y`` (each one of ``labels``)."""
        x = np.asarray(x, dtype=np.float64)
        unknown = sorted(set(y) - set(self.labels))
        if unknown:
            raise ValueError(f"style classifier: labels {unknown} are not among {self.labels}")
        if x.ndim != 2 or len(x) != len(y) or len(x) == 0:
            raise ValueError(f"style classifier: features {x.shape} do not match {len(y)} labels")
        with np.errstate(invalid="ignore"), _quiet():
            mean = np.nanmean(x, axis=0)
            scale = np.nanstd(x, axis=0)
        self.mean = np.where(np.isnan(mean), 0.0, mean)
        self.scale = np.where(np.isnan(scale) | (scale < 1e-9), 1.0, scale)
        z = self._standardise(x)
        target = np.zeros((len(y), len(self.labels)))
        target[np.arange(len(y)), [self.labels.index(s) for s in y]] = 1.0
        rng = np.random.default_rng(self.seed)
        w = rng.normal(0.0, 0.01, size=(z.shape[1], len(self.labels)))
        b = np.zeros(len(self.labels))
        n = len(z)
        for _ in range(self.iterations):
            p = _softmax(z @ w + b)
            grad = p - target
            w -= self.learning_rate * (z.T @ grad / n + self.l2 * w)
            b -= self.learning_rate * grad.mean(axis=0)
        self.weights, self.bias = w, b
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        if self.weights is None:
            raise ValueError("style classifier: call fit() before predicting")
        return _softmax(self._standardise(x) @ self.weights + self.bias)

    def predict(self, x: np.ndarray) -> List[str]:
        if len(x) == 0:
            return []
        return [self.labels[i] for i in np.argmax(self.predict_proba(x), axis=1)]


def _softmax(a: np.ndarray) -> np.ndarray:
    a = a - a.max(axis=1, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=1, keepdims=True)


class _quiet:
    """Silences NumPy's "mean of empty slice" warning (an all-nan feature column; its mean becomes 0)."""

    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        self._w.__exit__(*exc)


def procedural_training_set(styles: Sequence[str] = STYLES, per_style: int = 120, seed: int = TRAIN_SEED):
    """``(riffs, labels)``: ``per_style`` 2-bar procedural riffs per style, requested through the same
    :class:`~riffforge.generation.RiffRequest` path as the evaluation, at intensities uniform in [0, 1]
    (seeded) and request seeds ``seed + i``."""
    from ..generation import RiffRequest
    from ..music.procedural import ProceduralGenerator

    gen = ProceduralGenerator()
    rng = random.Random(seed)
    riffs, labels = [], []
    for si, style in enumerate(styles):
        for i in range(per_style):
            req = RiffRequest(intensity=rng.uniform(0.0, 1.0), style=style, bars=2, seed=seed + si * per_style + i)
            riffs.append(gen.generate(req))
            labels.append(style)
    return riffs, labels


def train_on_procedural(styles: Sequence[str] = STYLES, per_style: int = 120, seed: int = TRAIN_SEED) -> StyleClassifier:
    """A :class:`StyleClassifier` fitted on :func:`procedural_training_set`."""
    riffs, labels = procedural_training_set(styles, per_style, seed)
    return StyleClassifier(labels=styles, seed=seed).fit(feature_matrix(riffs), labels)


def score(classifier: StyleClassifier, riffs_by_style: Mapping[str, Sequence[Riff]]) -> Dict:
    """Accuracy and confusion matrix of ``classifier`` on riffs labelled by the style they were requested in:
    ``{"accuracy", "n", "labels", "confusion"}`` (``confusion[i][j]``: riffs of ``labels[i]`` predicted as
    ``labels[j]``)."""
    labels = classifier.labels
    confusion = [[0] * len(labels) for _ in labels]
    for style, riffs in riffs_by_style.items():
        if style not in labels:
            raise ValueError(f"style classifier: style {style!r} is not among {labels}")
        for pred in classifier.predict(feature_matrix(list(riffs))):
            confusion[labels.index(style)][labels.index(pred)] += 1
    n = sum(map(sum, confusion))
    correct = sum(confusion[i][i] for i in range(len(labels)))
    return {"accuracy": correct / n if n else math.nan, "n": n, "labels": list(labels), "confusion": confusion}
