"""LSTM cells and sequence runners for the Keras MusicVAE, written with ``keras.ops``.

Magenta builds every LSTM from ``LSTMBlockCell`` (fused kernel ``[input + H, 4H]``, gates ``i, j, f, o``,
``forget_bias=1.0`` added inside the cell). Here each cell holds Keras' layout instead, which is also the
canonical weight layout (see ``/tmp/rf/INTERFACES.md``): ``kernel [input_dim, 4H]``,
``recurrent_kernel [H, 4H]``, ``bias [4H]`` with gates ``i, f, c, o`` and the +1.0 forget bias already
folded into the ``f`` block. The two layouts compute identical functions; :func:`magenta_to_keras_lstm`
converts (used by tests that read Magenta checkpoints directly).

Speed on CPU: the input half of every gate (``x @ kernel + bias``) is computed for all time steps in one
matmul before the recurrence, so the time loop only does ``h @ recurrent_kernel``. Short sequences
(2-bar models: 32 steps) are unrolled in Python, which XLA/TF graph mode turn into straight-line code;
long ones (16-bar: 256 steps) run through ``keras.ops.scan``.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import keras
import numpy as np
from keras import ops

#: Sequences up to this many steps are unrolled in Python; longer ones use ``keras.ops.scan``.
UNROLL_MAX_STEPS = 64

State = Tuple[object, object]  # (c, h), Magenta's LSTMStateTuple order


class LstmCell(keras.layers.Layer):
    """One LSTM layer's weights (Keras layout) and its single-step function."""

    def __init__(self, units: int, input_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.input_dim = int(input_dim)
        h4 = 4 * self.units
        self.kernel = self.add_weight(shape=(self.input_dim, h4), initializer="glorot_uniform", name="kernel")
        # Magenta's fused kernel is glorot over [in + H, 4H]; keep the same scale for the recurrent part.
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, h4), initializer="glorot_uniform", name="recurrent_kernel"
        )
        forget_one = np.zeros((h4,), np.float32)
        forget_one[self.units:2 * self.units] = 1.0  # Magenta's forget_bias=1.0, folded in
        self.bias = self.add_weight(
            shape=(h4,), initializer=keras.initializers.Constant(forget_one), name="bias"
        )
        self.built = True

    def input_projection(self, x):
        """``x @ kernel + bias`` for any leading shape (``[..., input_dim] -> [..., 4H]``)."""
        return ops.matmul(x, self.kernel) + self.bias

    def step(self, xw, state: State) -> State:
        """One step given the precomputed input projection ``xw`` ``[B, 4H]``; returns the new (c, h)."""
        c, h = state
        gates = xw + ops.matmul(h, self.recurrent_kernel)
        i, f, g, o = ops.split(gates, 4, axis=-1)
        c_new = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
        h_new = ops.sigmoid(o) * ops.tanh(c_new)
        return c_new, h_new


def run_layer(cell: LstmCell, xw, state: State, mask=None):
    """Run ``cell`` over time given the input projections ``xw`` ``[B, T, 4H]``.

    ``mask`` (float ``[B, T]``, 1 = valid) freezes the state past each sequence's end and zeroes those
    outputs, as ``tf.nn.dynamic_rnn`` with ``sequence_length`` does. Returns (outputs ``[B, T, H]``,
    final (c, h)).
    """
    steps = int(xw.shape[1])
    if steps <= UNROLL_MAX_STEPS:
        outputs = []
        c, h = state
        for t in range(steps):
            c_new, h_new = cell.step(xw[:, t], (c, h))
            if mask is not None:
                m = mask[:, t:t + 1]
                c = m * c_new + (1.0 - m) * c
                h = m * h_new + (1.0 - m) * h
                outputs.append(m * h_new)
            else:
                c, h = c_new, h_new
                outputs.append(h_new)
        return ops.stack(outputs, axis=1), (c, h)

    xs = ops.transpose(xw, (1, 0, 2))
    ms = None if mask is None else ops.transpose(mask, (1, 0))[:, :, None]

    def body(carry, inp):
        c, h = carry
        if ms is None:
            c_new, h_new = cell.step(inp, (c, h))
            return (c_new, h_new), h_new
        x_t, m = inp
        c_new, h_new = cell.step(x_t, (c, h))
        c = m * c_new + (1.0 - m) * c
        h = m * h_new + (1.0 - m) * h
        return (c, h), m * h_new

    final, ys = ops.scan(body, state, xs if ms is None else (xs, ms))
    return ops.transpose(ys, (1, 0, 2)), tuple(final)


def zero_state(batch_size, units: int, dtype="float32") -> State:
    z = ops.zeros((batch_size, units), dtype=dtype)
    return z, z


def reverse_sequence(x, lengths, steps: int):
    """Reverse each sequence of ``x`` ``[B, T, D]`` within its length (``tf.reverse_sequence``)."""
    if lengths is None:
        return ops.flip(x, axis=1)
    t = ops.arange(steps, dtype="int32")[None, :]
    lengths = ops.cast(lengths, "int32")[:, None]
    idx = ops.where(t < lengths, lengths - 1 - t, t)
    return ops.take_along_axis(x, ops.expand_dims(idx, -1), axis=1)


def sequence_mask(lengths, steps: int, dtype="float32"):
    t = ops.arange(steps, dtype="int32")[None, :]
    return ops.cast(t < ops.cast(lengths, "int32")[:, None], dtype)


def initial_states(dense_output, units: Sequence[int]) -> List[State]:
    """Split a ``tanh(dense(z))`` vector into per-layer (c, h) in Magenta's order c0, h0, c1, h1, ..."""
    states, offset = [], 0
    for u in units:
        c = dense_output[:, offset:offset + u]
        h = dense_output[:, offset + u:offset + 2 * u]
        states.append((c, h))
        offset += 2 * u
    return states


def magenta_to_keras_lstm(kernel: np.ndarray, bias: np.ndarray, forget_bias: float = 1.0):
    """Convert a Magenta ``LSTMBlockCell`` (kernel ``[in + H, 4H]`` gates i,j,f,o; bias ``[4H]``) to
    Keras layout ``(kernel [in, 4H], recurrent_kernel [H, 4H], bias [4H])`` with gates i,f,c,o and
    ``forget_bias`` added to the f block."""
    kernel = np.asarray(kernel, np.float32)
    bias = np.asarray(bias, np.float32)
    units = bias.shape[0] // 4
    if kernel.shape[1] != 4 * units or kernel.shape[0] <= units:
        raise ValueError(f"LSTM kernel shape {kernel.shape} does not match bias shape {bias.shape}")

    def reorder(a):
        i, j, f, o = np.split(a, 4, axis=-1)
        return np.concatenate([i, f, j, o], axis=-1)

    k = reorder(kernel)
    b = reorder(bias).copy()
    b[units:2 * units] += forget_bias
    in_dim = kernel.shape[0] - units
    return np.ascontiguousarray(k[:in_dim]), np.ascontiguousarray(k[in_dim:]), b


def keras_to_magenta_lstm(kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray,
                          forget_bias: float = 1.0):
    """Inverse of :func:`magenta_to_keras_lstm`."""
    units = np.asarray(bias).shape[0] // 4
    full = np.concatenate([kernel, recurrent_kernel], axis=0)
    b = np.asarray(bias, np.float32).copy()
    b[units:2 * units] -= forget_bias

    def reorder(a):
        i, f, j, o = np.split(a, 4, axis=-1)
        return np.concatenate([i, j, f, o], axis=-1)

    return reorder(full).astype(np.float32), reorder(b).astype(np.float32)


def maybe_dropout(x, keep_prob: float, training: bool, seed_generator: Optional[object]):
    """Magenta's ``DropoutWrapper(input_keep_prob)``: dropout on each layer's input while training."""
    if not training or keep_prob >= 1.0:
        return x
    return keras.random.dropout(x, 1.0 - keep_prob, seed=seed_generator)
