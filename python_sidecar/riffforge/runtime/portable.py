"""A random stream that Python and the in-engine C# runtime draw identically: SplitMix64.

NumPy's ``Generator`` (PCG64, ziggurat normals and exponentials) and ``random.Random`` (Mersenne Twister)
are not specified for re-implementation, so a riff generated in Python cannot be generated again elsewhere
from its seed. :class:`PortableRandom` is a stream both sides implement from this description alone
(``unity_package/Runtime/Engine/PortableRandom.cs`` is the C# side; the tests pin its first values):

- the state is a ``uint64``; each draw adds ``0x9E3779B97F4A7C15`` (wrapping) and returns the SplitMix64
  mix of the new state (``z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB;
  z ^= z >> 31``);
- ``uniform = (u64 >> 11) * 2**-53`` (a float64 in [0, 1));
- ``standard_normal``: Box-Muller, one normal per two uniforms ``u1, u2`` drawn in that order:
  ``sqrt(-2 * log(1 - u1)) * cos(2 * pi * u2)``;
- ``standard_exponential`` = ``-log(1 - u)``;
- arrays are drawn in C order (the last index fastest), results are float64 as NumPy's.

The transcendental functions are the C library's (:mod:`math` here, ``System.Math`` in C#), one value at a
time, never NumPy's vectorised ones (which differ in the last bit between CPUs with and without AVX-512).

The methods a generator calls are duck-typed on ``numpy.random.Generator`` (``random``, ``standard_normal``,
``standard_exponential``) and ``random.Random`` (``random``, ``choices``), so the same generator code runs on
either stream. :meth:`PortableRandom.gumbel_noise` is what :func:`riffforge.runtime.model.gumbel_noise` uses
for a portable stream. :func:`request_stream` seeds a request's streams from its seed and style.
"""
from __future__ import annotations

import bisect
import itertools
import math
from typing import Optional, Sequence, Tuple, Union

import numpy as np

GOLDEN_GAMMA = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1
_TWO_PI = 2.0 * math.pi
_U53 = 2.0 ** -53
#: The smallest exponential a Gumbel draw takes the logarithm of (``-log(1 - u)`` is 0 only for ``u = 0``).
_MIN_EXPONENTIAL = 2.0 ** -53

#: Stream numbers of one request (see :func:`request_stream`).
REQUEST_STREAM, VOICING_STREAM, FEEL_STREAM = 0, 1, 2

Shape = Union[None, int, Tuple[int, ...]]


def mix64(z: int) -> int:
    """The SplitMix64 output function of one ``uint64``."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _mix64_array(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def stream_seed(seed: int, style_index: int, stream: int) -> int:
    """The initial state of a request's stream: ``mix64(seed << 16 | style_index << 8 | stream)`` (seed
    0 .. 2**31 - 1, style index 0 .. 255 in :data:`riffforge.music.riff.STYLES`, stream 0 .. 255)."""
    if not 0 <= style_index < 256 or not 0 <= stream < 256 or seed < 0:
        raise ValueError(f"stream_seed({seed}, {style_index}, {stream}): need seed >= 0, style index and stream 0..255")
    return mix64((int(seed) << 16) | (int(style_index) << 8) | int(stream))


def request_stream(seed: int, style_index: int, stream: int) -> "PortableRandom":
    """A request's stream: :data:`REQUEST_STREAM` (latent codes, sampling, phrase plan), :data:`VOICING_STREAM`
    (the guitar's chord voicings), :data:`FEEL_STREAM` (tuning, mode, tempo)."""
    return PortableRandom(stream_seed(seed, style_index, stream))


def _count(shape: Shape) -> Tuple[int, Tuple[int, ...]]:
    dims = () if shape is None else ((int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape))
    return int(np.prod(dims, dtype=np.int64)) if dims else 1, dims


class PortableRandom:
    """SplitMix64 stream with the draws the generator uses (see the module docstring)."""

    def __init__(self, seed: int):
        self.state = int(seed) & _MASK

    # ------------------------------------------------------------------------------------ raw draws
    def next_uint64(self) -> int:
        self.state = (self.state + GOLDEN_GAMMA) & _MASK
        return mix64(self.state)

    def uint64s(self, n: int) -> np.ndarray:
        """The next ``n`` outputs as a uint64 array (the stream is a counter: output k mixes state + k * gamma)."""
        if n <= 0:
            return np.zeros(0, np.uint64)
        with np.errstate(over="ignore"):
            steps = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(GOLDEN_GAMMA)
            states = steps + np.uint64(self.state)
        self.state = (self.state + n * GOLDEN_GAMMA) & _MASK
        return _mix64_array(states)

    def uniforms(self, n: int) -> np.ndarray:
        """The next ``n`` uniforms in [0, 1), float64."""
        return (self.uint64s(n) >> np.uint64(11)).astype(np.float64) * _U53

    # ------------------------------------------------------------------------------------ numpy-like
    def random(self, size: Shape = None):
        """Uniform in [0, 1): a float for ``size=None`` (as ``numpy`` and ``random.Random``), else an array."""
        if size is None:
            return (self.next_uint64() >> 11) * _U53
        n, dims = _count(size)
        return self.uniforms(n).reshape(dims)

    def standard_normal(self, size: Shape = None, dtype=np.float64):
        """Box-Muller normals, one per two uniforms, in C order."""
        n, dims = _count(size)
        u = self.uniforms(2 * n).tolist()
        log, sqrt, cos = math.log, math.sqrt, math.cos
        out = np.array([sqrt(-2.0 * log(1.0 - u[2 * i])) * cos(_TWO_PI * u[2 * i + 1]) for i in range(n)],
                       np.float64)
        if size is None:
            return float(out[0])
        return out.reshape(dims).astype(dtype, copy=False)

    def standard_exponential(self, size: Shape = None):
        """``-log(1 - u)``, float64, in C order."""
        n, dims = _count(size)
        log = math.log
        out = np.array([-log(1.0 - u) for u in self.uniforms(n).tolist()], np.float64)
        return float(out[0]) if size is None else out.reshape(dims)

    def gumbel_noise(self, shape: Tuple[int, ...], temperature: float) -> np.ndarray:
        """``temperature`` times standard Gumbel noise as float32, the portable form of
        :func:`riffforge.runtime.model.gumbel_noise`: per value (C order) ``g = log(max(e, 2**-53))`` of one
        standard exponential ``e``, then ``float32(g) * float32(-temperature)``."""
        n, dims = _count(shape)
        log = math.log
        g = np.array([log(max(-log(1.0 - u), _MIN_EXPONENTIAL)) for u in self.uniforms(n).tolist()], np.float64)
        return np.multiply(g.reshape(dims), -float(temperature), dtype=np.float32, casting="same_kind")

    # ------------------------------------------------------------------------------------ random.Random-like
    def choices(self, population: Sequence, weights: Sequence[float], k: int = 1) -> list:
        """``random.Random.choices`` with weights: one uniform per pick, ``bisect`` into the running sums."""
        cum = list(itertools.accumulate(weights))
        total = cum[-1] + 0.0
        hi = len(cum) - 1
        return [population[bisect.bisect(cum, self.random() * total, 0, hi)] for _ in range(k)]


def sequential_dot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a[i] * b[i])`` in float64, summed left to right (BLAS reduction orders differ by library and CPU)."""
    prod = np.asarray(a, np.float64) * np.asarray(b, np.float64)
    return float(np.cumsum(prod)[-1]) if prod.size else 0.0


def sequential_norm(v: np.ndarray) -> float:
    """Euclidean norm in float64, summed left to right (see :func:`sequential_dot`)."""
    return math.sqrt(sequential_dot(v, v))


def portable_slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """:func:`riffforge.runtime.control.slerp` with left-to-right sums and the C library's trigonometry, so
    C# computes the same float32 values."""
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    na, nb = sequential_norm(a), sequential_norm(b)
    if na == 0 or nb == 0:
        return ((1 - t) * a + t * b).astype(np.float32)
    cos = min(1.0, max(-1.0, sequential_dot(a / na, b / nb)))
    omega = math.acos(cos)
    if omega < 1e-6 or math.pi - omega < 1e-6:
        return ((1 - t) * a + t * b).astype(np.float32)
    s = math.sin(omega)
    return (math.sin((1 - t) * omega) / s * a + math.sin(t * omega) / s * b).astype(np.float32)
