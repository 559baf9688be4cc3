"""The style classifier of the evaluation: features, the NumPy logistic regression, accuracy on procedural riffs."""
from __future__ import annotations

import math

import numpy as np
import pytest

from riffforge.evaluation.style_classifier import (FEATURES, StyleClassifier, feature_matrix, procedural_training_set,
                                                   riff_features, score, train_on_procedural)
from riffforge.generation import RiffRequest
from riffforge.music.procedural import ProceduralGenerator
from riffforge.music.riff import STYLES


def _clusters(seed: int, per_class: int = 30):
    """Three well separated Gaussian clusters in 4 features; feature 3 is missing (nan) now and then."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0, 0], [10, 0, -10, 5], [0, 10, 10, -5]], dtype=float)
    x = np.concatenate([c + rng.normal(0, 1.0, size=(per_class, 4)) for c in centres])
    x[rng.random(len(x)) < 0.2, 3] = np.nan
    y = [lab for lab in ("a", "b", "c") for _ in range(per_class)]
    return x, y


def test_perfect_on_separable_features():
    x, y = _clusters(0)
    clf = StyleClassifier(labels=("a", "b", "c"), iterations=200, seed=3).fit(x, y)
    assert clf.predict(x) == y
    xt, yt = _clusters(1)
    assert clf.predict(xt) == yt
    p = clf.predict_proba(xt)
    assert p.shape == (90, 3) and np.allclose(p.sum(axis=1), 1.0)


def test_fit_is_deterministic_and_checks_its_input():
    x, y = _clusters(2)
    a = StyleClassifier(labels=("a", "b", "c"), seed=5).fit(x, y)
    b = StyleClassifier(labels=("a", "b", "c"), seed=5).fit(x, y)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)
    with pytest.raises(ValueError, match="not among"):
        StyleClassifier(labels=("a", "b")).fit(x, y)
    with pytest.raises(ValueError, match="do not match"):
        StyleClassifier(labels=("a", "b", "c")).fit(x[:5], y)
    with pytest.raises(ValueError, match="fit"):
        StyleClassifier().predict(x)


def test_riff_features():
    gen = ProceduralGenerator()
    riff = gen.generate(RiffRequest(intensity=0.5, style="black", bars=2, seed=7))
    f = riff_features(riff)
    assert f.shape == (len(FEATURES),) and not np.isnan(f).any()
    named = dict(zip(FEATURES, f))
    assert named["tempo"] == riff.tempo
    assert named["guitar_lowest_pitch"] == min(n.pitch for n in riff.notes("guitar"))
    assert 0.0 <= named["guitar_16th_share"] <= 1.0 and 0.0 <= named["guitar_tremolo_share"] <= 1.0
    no_drums = riff.with_tracks({"guitar": riff.notes("guitar"), "bass": riff.notes("bass"), "drums": []})
    g = dict(zip(FEATURES, riff_features(no_drums)))
    assert math.isnan(g["kicks_per_bar"]) and math.isnan(g["snare_per_bar"]) and not math.isnan(g["tempo"])
    # an 8-bar riff is described by its first 2-bar window
    long = gen.generate(RiffRequest(intensity=0.5, style="black", bars=8, seed=7))
    assert riff_features(long).shape == (len(FEATURES),)
    assert feature_matrix([]).shape == (0, len(FEATURES))


def test_training_set_is_seeded_and_spans_intensity():
    riffs, labels = procedural_training_set(("thrash", "doom"), per_style=10, seed=99)
    again, _ = procedural_training_set(("thrash", "doom"), per_style=10, seed=99)
    assert labels == ["thrash"] * 10 + ["doom"] * 10
    assert [r.to_dict() for r in riffs] == [r.to_dict() for r in again]
    xs = [r.intensity for r in riffs]
    assert min(xs) < 0.3 and max(xs) > 0.7


def test_recognises_held_out_procedural_riffs():
    clf = train_on_procedural(STYLES, per_style=60)
    gen = ProceduralGenerator()
    held_out = {s: [gen.generate(RiffRequest(intensity=0.5, style=s, bars=2, seed=1234 + i)) for i in range(20)]
                for s in STYLES}
    res = score(clf, held_out)
    assert res["labels"] == list(STYLES) and res["n"] == 120
    assert sum(map(sum, res["confusion"])) == 120 and all(sum(row) == 20 for row in res["confusion"])
    assert res["accuracy"] >= 0.8
    assert score(clf, held_out) == res                     # deterministic
    with pytest.raises(ValueError, match="polka"):
        score(clf, {"polka": held_out["doom"]})
