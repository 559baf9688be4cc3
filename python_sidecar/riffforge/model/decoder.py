"""Categorical LSTM decoders: flat (Magenta's ``CategoricalLstmDecoder``) and hierarchical.

Decoder inputs are handled as **class indices** (``-1`` = the all-zero start input): every input Magenta
feeds its categorical decoder is a one-hot vector (or zeros at the first step), so the input half of the
first LSTM layer is a row gather instead of a ``[B*T, depth] x [depth, 4H]`` matmul.

Layer-0 input of a core decoder, in Magenta's order: ``[previous output (one-hot), z, controls]``.
Its initial state is ``tanh(dense(z))`` split per layer into (c, h) (``z_to_initial_state``).

Modes:
- teacher forcing (``sampling_probability == 0``): each layer runs over the whole sequence at once.
- scheduled sampling (``ScheduledOutputTrainingHelper``): step by step; with probability ``p`` per
  example and step the next input is a sample (temperature 1) from the previous step's logits.
- free-running sampling at a temperature (``temperature <= 1e-4`` or None: argmax, which is what
  Magenta's 1e-5 temperature amounts to).

The hierarchical decoder (``disable_autoregression=True``, as in Magenta's hierdec configs) runs a
conductor LSTM for ``level_lengths[0]`` steps on zero inputs from ``tanh(dense(z))``; its output at each
step is the embedding that replaces ``z`` for one segment's core decoder(s). For trio there is one core
decoder per output head (``SplitMultiOutLstmDecoder``), each seeing only its own previous output.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import keras
from keras import ops

from .lstm import LstmCell, initial_states, maybe_dropout, run_layer, time_scan

#: Temperatures at or below this decode greedily (argmax).
GREEDY_TEMPERATURE = 1e-4


def _small_normal():
    return keras.initializers.RandomNormal(stddev=0.001)


def _dense(units: int, in_dim: int, name: str, small: bool = False, activation=None) -> keras.layers.Dense:
    layer = keras.layers.Dense(
        units, activation=activation, name=name,
        kernel_initializer=_small_normal() if small else "glorot_uniform",
    )
    layer.build((None, in_dim))
    return layer


class CoreDecoder(keras.layers.Layer):
    """One categorical LSTM decoder with a single output head of ``output_depth`` classes."""

    def __init__(self, layer_sizes: Sequence[int], output_depth: int, z_dim: int, control_depth: int,
                 scope: str, dropout_keep_prob: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.layer_sizes = [int(s) for s in layer_sizes]
        self.output_depth = int(output_depth)
        self.z_dim = int(z_dim)
        self.control_depth = int(control_depth)
        self.scope = scope
        self.dropout_keep_prob = float(dropout_keep_prob)
        self.z_to_initial_state = _dense(2 * sum(self.layer_sizes), self.z_dim, "z_to_initial_state", small=True)
        self.cells: List[LstmCell] = []
        dim = self.output_depth + self.z_dim + self.control_depth
        for i, units in enumerate(self.layer_sizes):
            self.cells.append(LstmCell(units, dim, name=f"cell_{i}"))
            dim = units
        self.output_projection = _dense(self.output_depth, dim, "output_projection")
        self.seed_generator = keras.random.SeedGenerator(23)
        self.built = True

    # -- canonical names -------------------------------------------------------------------------
    def canonical_cells(self) -> Dict[str, LstmCell]:
        return {f"{self.scope}/multi_rnn_cell/cell_{i}/lstm_cell": c for i, c in enumerate(self.cells)}

    def canonical_dense(self) -> Dict[str, keras.layers.Dense]:
        return {f"{self.scope}/z_to_initial_state": self.z_to_initial_state,
                f"{self.scope}/output_projection": self.output_projection}

    # -- pieces ----------------------------------------------------------------------------------
    def initial_state(self, z):
        return initial_states(ops.tanh(self.z_to_initial_state(z)), self.layer_sizes)

    def _aux_projection(self, z, controls):
        """Layer-0 projection of the constant-per-step inputs (z, bias) ``[B, 4H]`` and of the
        controls ``[B, T, 4H]`` (or None)."""
        k = self.cells[0].kernel
        d, e = self.output_depth, self.z_dim
        z_part = self.cells[0].bias
        if e:
            z_part = ops.matmul(z, k[d:d + e]) + z_part
        c_part = None
        if self.control_depth and controls is not None:
            c_part = ops.matmul(controls, k[d + e:])
        return z_part, c_part

    def _prev_projection(self, prev_idx):
        """Layer-0 projection of the previous outputs given as class indices (-1 = zeros)."""
        table = self.cells[0].kernel[:self.output_depth]
        valid = ops.cast(prev_idx >= 0, table.dtype)
        rows = ops.take(table, ops.maximum(prev_idx, 0), axis=0)
        return rows * ops.expand_dims(valid, -1)

    def _step(self, xw0, states):
        """All layers, one step, given layer 0's input projection. Returns (top h, new states)."""
        new_states = []
        x = None
        for i, cell in enumerate(self.cells):
            xw = xw0 if i == 0 else cell.input_projection(x)
            c, h = cell.step(xw, states[i])
            new_states.append((c, h))
            x = h
        return x, new_states

    def _gumbel(self, batch, steps: int, seed):
        """Gumbel noise ``[T, B, depth]``: ``argmax(logits / temperature + g)`` is a categorical sample, so
        all randomness is drawn before the time loop (no random ops inside ``scan``)."""
        u = keras.random.uniform((steps, batch, self.output_depth), minval=1e-20, maxval=1.0, seed=seed)
        return -ops.log(-ops.log(u))

    # -- modes -----------------------------------------------------------------------------------
    def teacher_forced(self, prev_idx, z, controls=None, training: bool = False):
        """Logits ``[B, T, depth]`` with the given previous outputs ``prev_idx`` ``[B, T]``."""
        states = self.initial_state(z)
        if training and self.dropout_keep_prob < 1.0:
            parts = [ops.one_hot(prev_idx, self.output_depth)]  # -1 -> all zeros
            steps = int(prev_idx.shape[1])
            if self.z_dim:
                parts.append(ops.repeat(ops.expand_dims(z, 1), steps, axis=1))
            if self.control_depth:
                parts.append(controls)
            x = maybe_dropout(ops.concatenate(parts, -1), self.dropout_keep_prob, training, self.seed_generator)
            xw = self.cells[0].input_projection(x)
        else:
            z_part, c_part = self._aux_projection(z, controls)
            xw = self._prev_projection(prev_idx) + ops.expand_dims(z_part, 1)
            if c_part is not None:
                xw = xw + c_part
        out = None
        for i, cell in enumerate(self.cells):
            if i:
                x = maybe_dropout(out, self.dropout_keep_prob, training, self.seed_generator)
                xw = cell.input_projection(x)
            out, _ = run_layer(cell, xw, states[i])
        return self.output_projection(out)

    def _time_major_controls(self, c_part, steps, batch, like):
        if c_part is None:
            return ops.zeros((steps, batch, 1), dtype=like.dtype), False
        return ops.transpose(c_part, (1, 0, 2)), True

    def scheduled(self, prev_idx, z, controls, sampling_probability, training: bool = True):
        """Scheduled sampling (Magenta's ``ScheduledOutputTrainingHelper``); logits ``[B, T, depth]``.

        At every step after the first, each example independently (probability ``sampling_probability``)
        gets a sample at temperature 1 from the previous step's logits instead of the true previous
        output. No gradient flows through the sampled choice, as in Magenta."""
        steps = int(prev_idx.shape[1])
        batch = ops.shape(prev_idx)[0]
        states = self.initial_state(z)
        z_part, c_part = self._aux_projection(z, controls)
        use_sample = keras.random.uniform((steps, batch), seed=self.seed_generator) < sampling_probability
        use_sample = ops.logical_and(use_sample, (ops.arange(steps) > 0)[:, None])
        noise = self._gumbel(batch, steps, self.seed_generator)
        cs, has_c = self._time_major_controls(c_part, steps, batch, z_part)
        teacher = ops.transpose(prev_idx, (1, 0))
        init_logits = ops.zeros((batch, self.output_depth), dtype=z_part.dtype)

        def body(carry, inp):
            states_t, last_logits = carry
            t_idx, sample_here, g, c_t = inp
            drawn = ops.cast(ops.argmax(ops.stop_gradient(last_logits) + g, axis=-1), "int32")
            idx = ops.where(sample_here, drawn, t_idx)
            xw0 = self._prev_projection(idx) + z_part
            if has_c:
                xw0 = xw0 + c_t
            h, new_states = self._step(xw0, list(states_t))
            logits = self.output_projection(h)
            return (tuple(new_states), logits), logits

        _, ys = time_scan(body, (tuple(states), init_logits), (teacher, use_sample, noise, cs))
        return ops.transpose(ys, (1, 0, 2))

    def sample(self, z, steps: int, controls=None, temperature: Optional[float] = 1.0, start_idx=None,
               seed=None):
        """Free-running decode; returns (classes ``[B, steps]`` int32, logits ``[B, steps, depth]``).

        ``temperature`` None or <= ``GREEDY_TEMPERATURE`` decodes greedily (argmax)."""
        batch = ops.shape(z)[0]
        states = self.initial_state(z)
        z_part, c_part = self._aux_projection(z, controls)
        idx0 = start_idx if start_idx is not None else -ops.ones((batch,), dtype="int32")
        greedy = temperature is None or temperature <= GREEDY_TEMPERATURE
        inv_t = 1.0 if greedy else 1.0 / float(temperature)
        if greedy:
            noise = ops.zeros((steps, batch, 1), dtype=z_part.dtype)
        else:
            noise = self._gumbel(batch, steps, seed if seed is not None else self.seed_generator)
        cs, has_c = self._time_major_controls(c_part, steps, batch, z_part)

        def body(carry, inp):
            states_t, idx = carry
            g, c_t = inp
            xw0 = self._prev_projection(idx) + z_part
            if has_c:
                xw0 = xw0 + c_t
            h, new_states = self._step(xw0, list(states_t))
            logits = self.output_projection(h)
            new_idx = ops.cast(ops.argmax(logits * inv_t + g, axis=-1), "int32")
            return (tuple(new_states), new_idx), (new_idx, logits)

        _, (classes, logits) = time_scan(body, (tuple(states), idx0), (noise, cs))
        return ops.transpose(classes, (1, 0)), ops.transpose(logits, (1, 0, 2))


def shift_right(targets):
    """Decoder inputs for teacher forcing: the targets delayed one step, ``-1`` (zeros) first."""
    first = -ops.ones_like(targets[:, :1])
    return ops.concatenate([first, targets[:, :-1]], axis=1)


class FlatDecoder(keras.layers.Layer):
    """Magenta's flat ``CategoricalLstmDecoder`` (one head) over the whole sequence."""

    def __init__(self, config, **kwargs):
        super().__init__(**kwargs)
        if len(config.output_depths) != 1:
            raise ValueError(f"config {config.name!r}: a flat decoder has one output head, "
                             f"got output_depths={config.output_depths}")
        self.core = CoreDecoder(config.dec_rnn_size, config.output_depths[0], config.z_size,
                                config.control_depth, scope="decoder",
                                dropout_keep_prob=config.dropout_keep_prob, name="decoder")
        self.steps = config.max_seq_len
        self.built = True

    @property
    def cores(self) -> List[CoreDecoder]:
        return [self.core]

    def canonical_cells(self):
        return self.core.canonical_cells()

    def canonical_dense(self):
        return self.core.canonical_dense()

    def logits(self, targets, z, controls=None, sampling_probability=0.0, training=False, scheduled=False):
        """``targets`` int ``[B, T, 1]`` -> list with one logits tensor ``[B, T, depth]``."""
        prev = shift_right(targets[:, :, 0])
        if scheduled:
            return [self.core.scheduled(prev, z, controls, sampling_probability, training)]
        return [self.core.teacher_forced(prev, z, controls, training)]

    def sample(self, z, controls=None, temperature=1.0, seed=None):
        classes, logits = self.core.sample(z, self.steps, controls, temperature, seed=seed)
        return ops.expand_dims(classes, -1), [logits]


class HierarchicalDecoder(keras.layers.Layer):
    """Conductor + per-segment core decoder(s), Magenta's ``HierarchicalLstmDecoder`` with
    ``disable_autoregression=True`` (and ``SplitMultiOutLstmDecoder`` cores when several heads)."""

    def __init__(self, config, **kwargs):
        super().__init__(**kwargs)
        if len(config.level_lengths) != 2:
            raise ValueError(f"config {config.name!r}: level_lengths={config.level_lengths}; only a "
                             "two-level hierarchy (segments x steps) is supported")
        if not config.disable_autoregression:
            raise ValueError(f"config {config.name!r}: disable_autoregression=False is not supported "
                             "(Magenta's hierdec configs all disable it)")
        self.num_segments, self.segment_length = (int(v) for v in config.level_lengths)
        self.layer_sizes = [int(s) for s in config.dec_rnn_size]
        self.conductor_scope = "decoder/hierarchical_level_0"
        self.initial_state_dense = _dense(2 * sum(self.layer_sizes), config.z_size, "initial_state", small=True)
        self.conductor: List[LstmCell] = []
        dim = 1  # zero inputs of width 1 (no autoregression)
        for i, units in enumerate(self.layer_sizes):
            self.conductor.append(LstmCell(units, dim, name=f"conductor_cell_{i}"))
            dim = units
        emb = dim
        heads = list(config.output_depths)
        self._cores: List[CoreDecoder] = []
        for k, depth in enumerate(heads):
            scope = "core_decoder/decoder" if len(heads) == 1 else f"core_decoder/core_decoder_{k}/decoder"
            self._cores.append(CoreDecoder(config.dec_rnn_size, depth, emb, config.control_depth, scope=scope,
                                           dropout_keep_prob=config.dropout_keep_prob, name=f"core_{k}"))
        self.built = True

    @property
    def cores(self) -> List[CoreDecoder]:
        return list(self._cores)

    def canonical_cells(self):
        out = {f"{self.conductor_scope}/cell_{i}/lstm_cell": c for i, c in enumerate(self.conductor)}
        for core in self._cores:
            out.update(core.canonical_cells())
        return out

    def canonical_dense(self):
        out = {f"{self.conductor_scope}/initial_state": self.initial_state_dense}
        for core in self._cores:
            out.update(core.canonical_dense())
        return out

    def embeddings(self, z):
        """Conductor outputs ``[B, segments, H]``: one embedding per segment."""
        states = initial_states(ops.tanh(self.initial_state_dense(z)), self.layer_sizes)
        batch = ops.shape(z)[0]
        zeros = ops.zeros((batch, self.num_segments, 1), dtype=z.dtype)
        x = zeros
        for i, cell in enumerate(self.conductor):
            x, _ = run_layer(cell, cell.input_projection(x), states[i])
        return x

    def _to_segments(self, t):
        """``[B, S*L, ...] -> [B*S, L, ...]``."""
        shape = list(t.shape[2:])
        return ops.reshape(t, [-1, self.segment_length] + shape)

    def logits(self, targets, z, controls=None, sampling_probability=0.0, training=False, scheduled=False):
        """``targets`` int ``[B, T, K]`` -> list of K logits tensors ``[B, T, depth_k]``."""
        emb = self.embeddings(z)
        flat_emb = ops.reshape(emb, (-1, int(emb.shape[-1])))
        seg_controls = None if controls is None else self._to_segments(controls)
        total = self.num_segments * self.segment_length
        out = []
        for k, core in enumerate(self._cores):
            prev = self._to_segments(shift_right(targets[:, :, k]))
            if scheduled:
                lg = core.scheduled(prev, flat_emb, seg_controls, sampling_probability, training)
            else:
                lg = core.teacher_forced(prev, flat_emb, seg_controls, training)
            out.append(ops.reshape(lg, (-1, total, core.output_depth)))
        return out

    def sample(self, z, controls=None, temperature=1.0, seed=None):
        emb = self.embeddings(z)
        batch = ops.shape(z)[0]
        starts = [-ops.ones((batch,), dtype="int32") for _ in self._cores]
        classes = [[] for _ in self._cores]
        logits = [[] for _ in self._cores]
        for s in range(self.num_segments):
            seg_c = None
            if controls is not None:
                seg_c = controls[:, s * self.segment_length:(s + 1) * self.segment_length]
            for k, core in enumerate(self._cores):
                cl, lg = core.sample(emb[:, s], self.segment_length, seg_c, temperature, starts[k], seed=seed)
                classes[k].append(cl)
                logits[k].append(lg)
                starts[k] = cl[:, -1]
        merged = ops.stack([ops.concatenate(c, axis=1) for c in classes], axis=-1)
        return merged, [ops.concatenate(lg, axis=1) for lg in logits]
