"""The portable random stream (SplitMix64, identical in C#) and the generator's portable mode.

``riffforge.runtime.portable.PortableRandom`` is what the in-engine C# generator draws from too
(``RiffForge.Engine.PortableRandom``, pinned to the same values in ``tests/csharp/Engine/PortableRandomTests.cs``),
so ``ModelGenerator(..., noise="portable")`` generates riffs the engine generates again from the seed. The
request vectors (``tests/vectors/engine/requests.json``) must equal a fresh generation.
"""
from __future__ import annotations

import importlib.util
import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from riffforge.generation import RiffRequest
from riffforge.music.riff import STYLES
from riffforge.music.styles import STYLE_SPECS
from riffforge.music.theory import get_tuning
from riffforge.runtime import DEFAULT_MODELS_DIR, load_bundles
from riffforge.runtime.control import slerp
from riffforge.runtime.generator import ModelGenerator
from riffforge.runtime.model import gumbel_noise
from riffforge.runtime.portable import (FEEL_STREAM, REQUEST_STREAM, VOICING_STREAM, PortableRandom, mix64,
                                        portable_slerp, request_stream, sequential_norm, stream_seed)

ROOT = Path(__file__).resolve().parents[2]

# SplitMix64's reference outputs (Vigna's splitmix64.c): seed 1234567, and the first output of seed 0
REFERENCE_1234567 = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431,
                     16408922859458223821]


def test_stream_is_splitmix64():
    r = PortableRandom(1234567)
    assert [r.next_uint64() for _ in range(5)] == REFERENCE_1234567
    assert PortableRandom(0).next_uint64() == 0xE220A8397B1DCDAF
    assert PortableRandom(1234567).uint64s(5).tolist() == REFERENCE_1234567   # the vectorised counter
    r = PortableRandom(2 ** 64 - 1)                                           # the state wraps
    first = r.next_uint64()
    assert r.state == (2 ** 64 - 1 + 0x9E3779B97F4A7C15) % 2 ** 64 and first == mix64(r.state)


def test_uniform_normal_exponential_follow_the_documented_formulas():
    a, b = PortableRandom(99), PortableRandom(99)
    u = a.random()
    assert u == (b.next_uint64() >> 11) * 2.0 ** -53 and 0.0 <= u < 1.0
    u1, u2 = b.random(), b.random()
    assert a.standard_normal() == math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
    u = b.random()
    assert a.standard_exponential() == -math.log(1.0 - u)


def test_arrays_are_drawn_in_c_order_as_float64():
    a, b = PortableRandom(5), PortableRandom(5)
    grid = a.standard_normal((2, 3))
    assert grid.dtype == np.float64 and grid.shape == (2, 3)
    assert grid.ravel().tolist() == [b.standard_normal() for _ in range(6)]
    assert a.random((4,)).tolist() == [b.random() for _ in range(4)]
    assert a.standard_exponential((2, 2)).ravel().tolist() == [b.standard_exponential() for _ in range(4)]
    assert a.state == b.state
    assert a.standard_normal((3, 2), dtype=np.float32).dtype == np.float32


def test_distributions_are_sane():
    r = PortableRandom(2024)
    u = r.random(40000)
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.003
    n = r.standard_normal(40000)
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1.0) < 0.02 and abs(np.mean(n ** 3)) < 0.06
    e = r.standard_exponential(40000)
    assert e.min() >= 0.0 and abs(e.mean() - 1.0) < 0.03
    g = r.gumbel_noise((40000,), 0.5)                      # 0.5 x standard Gumbel: mean 0.5 x Euler's gamma
    assert g.dtype == np.float32 and np.isfinite(g).all() and abs(g.mean() - 0.5 * 0.5772) < 0.02


def test_gumbel_noise_uses_the_streams_own_draw():
    a, b = PortableRandom(8), PortableRandom(8)
    noise = gumbel_noise(a, (32, 1, 90), 0.3)
    assert noise.shape == (32, 1, 90) and noise.dtype == np.float32
    e = b.standard_exponential((32, 1, 90))
    logs = np.array([math.log(max(v, 2.0 ** -53)) for v in e.ravel()]).reshape(e.shape)   # the C library's log
    want = np.multiply(logs, -0.3, dtype=np.float32, casting="same_kind")
    assert np.array_equal(noise, want)
    # NumPy's generator keeps its own path
    numpy_noise = gumbel_noise(np.random.default_rng(0), (4, 1, 3), 1.0)
    assert np.array_equal(numpy_noise, np.multiply(np.log(np.random.default_rng(0).standard_exponential((4, 1, 3))),
                                                   -1.0, dtype=np.float32, casting="same_kind"))


def test_choices_is_random_choices_on_the_same_uniforms(monkeypatch):
    values = [0.0, 0.1999, 0.2, 0.7, 0.99999]

    class Scripted(random.Random):
        def __init__(self):
            super().__init__(0)
            self.left = list(values)

        def random(self):
            return self.left.pop(0)

    ref = Scripted()
    r = PortableRandom(0)
    left = list(values)
    monkeypatch.setattr(r, "random", lambda: left.pop(0))
    options, weights = ["a", "b", "c"], [0.2, 0.5, 0.3]
    for _ in values:
        assert r.choices(options, weights) == ref.choices(options, weights)


def test_stream_seeds_follow_the_documented_formula():
    assert stream_seed(5, 2, 1) == mix64((5 << 16) | (2 << 8) | 1)
    s = request_stream(42, STYLES.index("doom"), FEEL_STREAM)
    assert s.state == mix64((42 << 16) | (3 << 8) | 2)
    assert len({stream_seed(7, 0, k) for k in (REQUEST_STREAM, VOICING_STREAM, FEEL_STREAM)}) == 3
    for bad in ((-1, 0, 0), (1, 256, 0), (1, 0, 256)):
        with pytest.raises(ValueError, match="stream_seed"):
            stream_seed(*bad)


def test_portable_geometry_agrees_with_numpys():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(256).astype(np.float32), rng.standard_normal(256).astype(np.float32)
    assert sequential_norm(a) == pytest.approx(float(np.linalg.norm(a.astype(np.float64))), rel=1e-12)
    for t in (0.0, 0.2, 0.4, 1.0):
        assert np.allclose(portable_slerp(a, b, t), slerp(a, b, t), atol=1e-6)
    assert np.array_equal(portable_slerp(a, 2 * a, 0.5), (0.5 * a + 0.5 * 2 * a).astype(np.float32))  # parallel


@pytest.fixture(scope="module")
def bundles():
    return load_bundles(DEFAULT_MODELS_DIR)


def test_noise_option_is_checked(bundles):
    assert ModelGenerator(bundles).noise == "numpy"
    with pytest.raises(ValueError, match="noise='pcg'.*portable"):
        ModelGenerator(bundles, noise="pcg")


def test_portable_generation_is_seeded_and_plays_the_style(bundles):
    gen = ModelGenerator(bundles, noise="portable")
    for style, x, bars in (("thrash", 0.8, 2), ("groove", 0.5, 4), ("death", 0.9, 8)):
        req = RiffRequest(intensity=x, style=style, bars=bars, seed=31)
        riff = gen.generate(req)
        assert riff == gen.generate(req)                                       # the seed decides
        assert riff != gen.generate(RiffRequest(intensity=x, style=style, bars=bars, seed=32))
        assert set(riff.tracks) == {"guitar", "bass", "drums"} and all(riff.tracks.values())
        lo, hi = STYLE_SPECS[style].tempo
        assert lo <= riff.tempo <= hi and riff.bars == bars
        tuning = get_tuning(riff.tuning)
        assert all(tuning.lowest <= n.pitch <= tuning.highest for n in riff.tracks["guitar"])
        assert all(tuning.bass_lowest <= n.pitch <= tuning.bass_highest for n in riff.tracks["bass"])
        assert all(n.start < bars * 16 for notes in riff.tracks.values() for n in notes)
        if style == "death":   # its fast bass runs its own line under a tremolo guitar (so in NumPy mode too)
            continue
        # the conditioned bass doubles the guitar's roots: most bass onsets fall on a guitar onset's pitch class
        roots = {}
        for n in riff.tracks["guitar"]:
            roots[n.start] = min(roots.get(n.start, 999), n.pitch)
        shared = [n for n in riff.tracks["bass"] if n.start in roots]
        assert shared and sum((n.pitch - roots[n.start]) % 12 == 0 for n in shared) >= 0.6 * len(shared)


def test_portable_and_numpy_modes_draw_different_streams(bundles):
    req = RiffRequest(intensity=0.5, style="groove", seed=4)
    assert ModelGenerator(bundles).generate(req) != ModelGenerator(bundles, noise="portable").generate(req)


def test_committed_request_vectors_equal_a_fresh_generation():
    path = ROOT / "tests" / "vectors" / "make_engine_request_vectors.py"
    spec = importlib.util.spec_from_file_location("make_engine_request_vectors", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    assert module.OUT.read_text(encoding="utf-8") == module.render_text(), (
        "tests/vectors/engine/requests.json is stale: run python tests/vectors/make_engine_request_vectors.py")
