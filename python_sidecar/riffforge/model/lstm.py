"""LSTM cells and sequence runners for the Keras MusicVAE, written with ``keras.ops``.

Magenta builds every LSTM from ``LSTMBlockCell`` (fused kernel ``[input + H, 4H]``, gates ``i, j, f, o``,
``forget_bias=1.0`` added inside the cell). Here each cell holds Keras' layout instead, which is also the
canonical weight layout (see ``/tmp/rf/INTERFACES.md``): ``kernel [input_dim, 4H]``,
``recurrent_kernel [H, 4H]``, ``bias [4H]`` with gates ``i, f, c, o`` and the +1.0 forget bias already
folded into the ``f`` block. The two layouts compute identical functions; :func:`magenta_to_keras_lstm`
converts (used by tests that read Magenta checkpoints directly).

Speed on CPU: the input half of every gate (``x @ kernel + bias``) is computed for all time steps in one
matmul before the recurrence, so the time loop only does ``h @ recurrent_kernel``. Every time loop is a
``keras.ops.scan`` (a ``tf.while_loop`` on TensorFlow, ``lax.scan`` on JAX): graphs stay small and trace
in a second whatever the sequence length; ``UNROLL_MAX_STEPS`` unrolls very short loops.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import keras
import numpy as np
from keras import ops

#: Time loops up to this many steps are unrolled (0: never; while loops trace much faster).
UNROLL_MAX_STEPS = 0

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
    xs = ops.transpose(xw, (1, 0, 2))
    if mask is None:
        def body(carry, x_t):
            c, h = cell.step(x_t, carry)
            return (c, h), h

        final, ys = time_scan(body, state, xs)
    else:
        ms = ops.expand_dims(ops.transpose(mask, (1, 0)), -1)

        def body(carry, inp):
            x_t, m = inp
            c_old, h_old = carry
            c_new, h_new = cell.step(x_t, carry)
            c = c_old + m * (c_new - c_old)
            h = h_old + m * (h_new - h_old)
            return (c, h), m * h_new

        final, ys = time_scan(body, state, (xs, ms))
    return ops.transpose(ys, (1, 0, 2)), tuple(final)


def time_scan(body, init, xs):
    """``jax.lax.scan`` semantics over the leading (time) axis of ``xs`` (a tensor or nested tuple):
    ``body(carry, x_t) -> (carry, y_t)``; returns (final carry, stacked ys).

    TensorFlow: a ``tf.while_loop`` over TensorArrays (``keras.ops.scan`` cannot be used: its TF
    version requires ys shaped like the carry). JAX: ``jax.lax.scan``. Other backends, and loops of at
    most ``UNROLL_MAX_STEPS`` steps: a Python loop.
    """
    backend = keras.backend.backend()
    leaves = _flatten(xs)
    steps = int(leaves[0].shape[0])
    if backend == "jax" and steps > UNROLL_MAX_STEPS:
        import jax

        return jax.lax.scan(body, init, xs)
    if backend == "tensorflow" and steps > UNROLL_MAX_STEPS:
        return _tf_scan(body, init, xs, steps)
    carry, ys = init, []
    for t in range(steps):
        carry, y = body(carry, _map(lambda a: a[t], xs))
        ys.append(y)
    return carry, _map_many(lambda *a: ops.stack(a, axis=0), ys)


def _flatten(tree):
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in _flatten(item)]
    return [tree]


def _map(fn, tree):
    if isinstance(tree, (tuple, list)):
        return type(tree)(_map(fn, item) for item in tree)
    return fn(tree)


def _map_many(fn, trees):
    first = trees[0]
    if isinstance(first, (tuple, list)):
        return type(first)(_map_many(fn, [t[i] for t in trees]) for i in range(len(first)))
    return fn(*trees)


def _tf_scan(body, init, xs, steps: int):
    import tensorflow as tf

    flat_xs = [tf.convert_to_tensor(x) for x in tf.nest.flatten(xs)]
    xs_ta = [tf.TensorArray(x.dtype, size=steps, element_shape=x.shape[1:]).unstack(x) for x in flat_xs]

    def read(i):
        return tf.nest.pack_sequence_as(xs, [ta.read(i) for ta in xs_ta])

    # Peel step 0: it gives the structure and shapes of ys for the TensorArrays.
    carry, y0 = body(init, read(0))
    flat_y0 = tf.nest.flatten(y0)
    ys_ta = [tf.TensorArray(y.dtype, size=steps, element_shape=y.shape).write(0, y) for y in flat_y0]
    carry = tf.nest.map_structure(tf.convert_to_tensor, carry)
    shape_invariants = tf.nest.map_structure(lambda c: c.shape, carry)

    def cond(i, *_):
        return i < steps

    def loop(i, carry, ys_ta):
        new_carry, y = body(carry, read(i))
        new_carry = tf.nest.map_structure(tf.convert_to_tensor, new_carry)
        ys_ta = [ta.write(i, v) for ta, v in zip(ys_ta, tf.nest.flatten(y))]
        return i + 1, new_carry, ys_ta

    _, carry, ys_ta = tf.while_loop(
        cond, loop, (tf.constant(1), carry, ys_ta),
        shape_invariants=(tf.TensorShape([]), shape_invariants, [tf.TensorShape(None)] * len(ys_ta)),
        maximum_iterations=steps - 1,
    )
    ys = tf.nest.pack_sequence_as(y0, [ta.stack() for ta in ys_ta])
    return carry, ys


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
