"""MusicVAE inference in NumPy: bidirectional LSTM encoder, flat and hierarchical categorical decoders.

Faithful to Magenta's ``lstm_models.py`` (and so to the Keras model built from the same canonical
weights):

- encoder: stacked bidirectional LSTMs; ``mu = dense(h)``, ``sigma = softplus(dense(h))`` on the last
  layer's final ``[h_fw, h_bw]``.
- flat categorical decoder: initial ``(c, h)`` of every layer = ``tanh(dense(z))`` split in Magenta's
  per-layer ``(c, h)`` order; each step's input is ``[previous output one-hot, z, controls]``; logits =
  ``output_projection(h_top)``; the next class is sampled from ``softmax(logits / temperature)`` (argmax when
  the temperature is at most :data:`GREEDY_TEMPERATURE`, which is what Magenta's 1e-5 amounts to).
- hierarchical decoder: a conductor LSTM (initial state ``tanh(dense(z))``, zero inputs — Magenta's
  ``disable_autoregression``) emits one embedding per segment; the core decoder(s) decode each segment
  with that embedding in place of ``z``, starting from the previous segment's last output. Trio models
  have one core decoder per output head (melody, bass, drums), all fed the same embedding.

Speed (see ``bench/runtime.py``): the z (or embedding) contribution to the first layer's gates and the
initial state are computed once per segment; the previous output enters as a row gather of the kernel
instead of a one-hot matrix product; deeper layers use one fused ``[x, h]`` GEMV; all buffers are
preallocated per call; the batch dimension is vectorised throughout.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ..configs import MusicVAEConfig
from .lstm import PackedLSTM, activate, run_sequence
from .weights import check_weights, decoder_prefixes, lstm_scope_names, num_conductor_levels

GREEDY_TEMPERATURE = 1e-4


@dataclass
class DecodeResult:
    """``classes`` int [B, T, heads]; ``logits`` float32 [B, T, sum(output_depths)] when requested."""

    classes: np.ndarray
    logits: Optional[np.ndarray] = None


class _Dense:
    __slots__ = ("kernel", "bias")

    def __init__(self, weights: Mapping[str, np.ndarray], scope: str):
        self.kernel = np.ascontiguousarray(weights[f"{scope}/kernel"], dtype=np.float32)
        self.bias = np.ascontiguousarray(weights[f"{scope}/bias"], dtype=np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return x @ self.kernel + self.bias


class _CoreDecoder:
    """One categorical LSTM decoder (Magenta ``CategoricalLstmDecoder``) with packed weights."""

    def __init__(self, weights: Mapping[str, np.ndarray], prefix: str, z_dim: int, depth: int,
                 control_depth: int, layers: int):
        self.prefix, self.depth, self.z_dim, self.control_depth = prefix, depth, z_dim, control_depth
        self.cells = [PackedLSTM(weights, f"{prefix}multi_rnn_cell/cell_{l}/lstm_cell") for l in range(layers)]
        first = self.cells[0].kernel
        self.w_prev = np.ascontiguousarray(first[:depth])                       # row-gathered
        self.w_z = np.ascontiguousarray(first[depth:depth + z_dim])
        self.w_c = np.ascontiguousarray(first[depth + z_dim:])                   # controls
        self.z_to_state = _Dense(weights, f"{prefix}z_to_initial_state")
        self.out = _Dense(weights, f"{prefix}output_projection")
        self.sizes = [c.units for c in self.cells]

    def initial_state(self, z: np.ndarray) -> List[Tuple[np.ndarray, np.ndarray]]:
        flat = np.tanh(self.z_to_state(z)).astype(np.float32)
        states, pos = [], 0
        for h in self.sizes:
            states.append((np.ascontiguousarray(flat[:, pos:pos + h]), np.ascontiguousarray(flat[:, pos + h:pos + 2 * h])))
            pos += 2 * h
        return states


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x).astype(np.float32)


class MusicVAE:
    """A MusicVAE with canonical weights, for encoding, decoding and sampling in NumPy only."""

    def __init__(self, config: MusicVAEConfig, weights: Mapping[str, np.ndarray]):
        check_weights(weights, config)
        self.config = config
        # The encoder is packed on first use (generation never encodes; morphing and conditioning do).
        self._enc_weights = {k: weights[k] for k in weights if k.startswith("encoder/")}
        self._enc_layers = None
        self.mu = _Dense(weights, "encoder/mu")
        self.sigma = _Dense(weights, "encoder/sigma")
        self.cores = [_CoreDecoder(weights, p, z_dim, depth, config.control_depth, len(config.dec_rnn_size))
                      for p, z_dim, depth in decoder_prefixes(config)]
        self.conductors = [
            ([PackedLSTM(weights, f"decoder/hierarchical_level_{k}/cell_{l}/lstm_cell")
              for l in range(len(config.dec_rnn_size))],
             _Dense(weights, f"decoder/hierarchical_level_{k}/initial_state"))
            for k in range(num_conductor_levels(config))]
        self.offsets = np.concatenate([[0], np.cumsum(config.output_depths)]).astype(int)
        self._stack = _StackedCores(self.cores) if len(self.cores) > 1 else None

    @property
    def enc_layers(self):
        if self._enc_layers is None:
            w = self._enc_weights
            self._enc_layers = [
                (PackedLSTM(w, f"encoder/cell_{l}/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell"),
                 PackedLSTM(w, f"encoder/cell_{l}/bidirectional_rnn/bw/multi_rnn_cell/cell_0/lstm_cell"))
                for l in range(len(self.config.enc_rnn_size))]
        return self._enc_layers

    # ------------------------------------------------------------------------------------------ encode
    def encode(self, inputs: np.ndarray, lengths: Optional[Sequence[int]] = None,
               controls: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray]:
        """``inputs`` [B, T, input_depth] (as the data converter builds them) -> ``(mu, sigma)`` [B, z]."""
        x = np.asarray(inputs, dtype=np.float32)
        if x.ndim == 2:
            x = x[None]
        if controls is not None:
            c = np.asarray(controls, dtype=np.float32)
            x = np.concatenate([x, c[None] if c.ndim == 2 else c], axis=-1)
        B, T, D = x.shape
        want = self.config.input_depth + self.config.control_depth
        if D != want:
            raise ValueError(f"encode: inputs have depth {D}, config {self.config.name!r} expects {want} "
                             f"(input_depth {self.config.input_depth} + control_depth {self.config.control_depth})")
        lengths = np.full(B, T, np.int64) if lengths is None else np.asarray(lengths, np.int64)
        last = np.maximum(lengths - 1, 0)
        for fw, bw in self.enc_layers:
            out_fw = run_sequence(fw, x, lengths)
            out_bw = run_sequence(bw, x, lengths, reverse=True)
            x = np.concatenate([out_fw, out_bw], axis=-1)
        H = self.enc_layers[-1][0].units
        h_fw = x[np.arange(B), last, :H]
        h_bw = x[:, 0, H:]
        enc = np.concatenate([h_fw, h_bw], axis=-1)
        return self.mu(enc).astype(np.float32), _softplus(self.sigma(enc))

    # ------------------------------------------------------------------------------------------ decode
    def decode(self, z: np.ndarray, temperature: float = 1.0, rng: Optional[np.random.Generator] = None,
               controls: Optional[np.ndarray] = None, return_logits: bool = False,
               temperatures: Optional[Sequence[float]] = None) -> DecodeResult:
        """Decode latent vectors ``z`` [B, z_size] into classes [B, T, heads] (and optionally logits).

        ``temperature`` <= :data:`GREEDY_TEMPERATURE` means argmax. ``temperatures`` overrides it per output
        head (trio: melody, bass, drums). ``controls`` [T, C] or [B, T, C] are the per-step control inputs.
        """
        cfg = self.config
        z = np.asarray(z, dtype=np.float32)
        if z.ndim == 1:
            z = z[None]
        if z.shape[1] != cfg.z_size:
            raise ValueError(f"decode: z has size {z.shape[1]}, config {cfg.name!r} expects {cfg.z_size}")
        B, T = z.shape[0], cfg.max_seq_len
        temps = list(temperatures) if temperatures is not None else [temperature] * len(self.cores)
        greedy = all(t <= GREEDY_TEMPERATURE for t in temps)
        if rng is None and not greedy:
            rng = np.random.default_rng()
        # Gumbel noise per (head, step, row, class), drawn up front in one call per head: sampling from
        # softmax(logits / T) is then argmax(logits / T + noise) (the Gumbel-max trick), and the same seed
        # gives the same riff.
        uniforms = None if greedy else [
            None if t <= GREEDY_TEMPERATURE else rng.gumbel(size=(T, B, d)).astype(np.float32)
            for t, d in zip(temps, cfg.output_depths)]
        ctrl = None
        if cfg.control_depth:
            if controls is None:
                raise ValueError(f"decode: config {cfg.name!r} needs controls of depth {cfg.control_depth}")
            ctrl = np.asarray(controls, np.float32)
            ctrl = np.broadcast_to(ctrl if ctrl.ndim == 3 else ctrl[None], (B, T, cfg.control_depth))
        classes = np.zeros((B, T, len(self.cores)), np.int64)
        logits = np.zeros((B, T, cfg.output_depth), np.float32) if return_logits else None
        if not cfg.hierarchical:
            self._decode_segment(0, z, 0, T, None, ctrl, temps, uniforms, classes, logits)
            return DecodeResult(classes, logits)
        seg_len = cfg.level_lengths[-1]
        prev = [None] * len(self.cores)
        for seg, emb in enumerate(self._conductor_embeddings(z)):
            start = seg * seg_len
            if self._stack is not None:
                prev = self._stack.decode_segment(self, emb, start, seg_len, prev, ctrl, temps, uniforms, classes,
                                                  logits)
                continue
            for k in range(len(self.cores)):
                prev[k] = self._decode_segment(k, emb, start, seg_len, prev[k], ctrl, temps, uniforms, classes,
                                               logits)
        return DecodeResult(classes, logits)

    def _conductor_embeddings(self, z: np.ndarray) -> List[np.ndarray]:
        """Depth-first conductor outputs, one embedding per core segment, in time order."""
        levels = self.config.level_lengths[:-1]

        def recurse(level: int, initial: np.ndarray) -> List[np.ndarray]:
            if level == len(levels):
                return [initial]
            cells, init = self.conductors[level]
            flat = np.tanh(init(initial)).astype(np.float32)
            B = initial.shape[0]
            states, pos = [], 0
            for cell in cells:
                H = cell.units
                states.append([flat[:, pos:pos + H].copy(), flat[:, pos + H:pos + 2 * H].copy()])
                pos += 2 * H
            tmp_buf = [np.empty((B, c.units), np.float32) for c in cells]
            out: List[np.ndarray] = []
            for _ in range(levels[level]):
                x = None  # zero input of width 1: contributes nothing to the first layer's gates
                for l, cell in enumerate(cells):
                    c, h = states[l]
                    gates = h @ cell.recurrent + cell.bias
                    if x is not None:
                        gates += x @ cell.kernel
                    h_new = np.empty_like(h)
                    activate(gates, c, h_new, tmp_buf[l])
                    states[l][1] = h_new
                    x = h_new
                out.extend(recurse(level + 1, x))
            return out

        return recurse(0, z)

    def _decode_segment(self, k: int, z: np.ndarray, start: int, length: int, prev: Optional[np.ndarray],
                        ctrl: Optional[np.ndarray], temps: List[float], uniforms: Optional[np.ndarray],
                        classes: np.ndarray, logits: Optional[np.ndarray]) -> np.ndarray:
        """Decode ``length`` steps of core decoder ``k`` from embedding ``z``; returns the last classes."""
        core = self.cores[k]
        B = z.shape[0]
        states = core.initial_state(z)
        cells = core.cells
        n = len(cells)
        first = cells[0]
        zc = z @ core.w_z + first.bias                                    # once per segment
        ctrl_w = ctrl[:, start:start + length] @ core.w_c if ctrl is not None else None
        # Buffers: layer l>0 reads [h_{l-1}, h_l] from xh[l] with one fused GEMV.
        c = [s[0].copy() for s in states]
        h0 = states[0][1].copy()
        xh = [None] + [np.concatenate([states[l - 1][1], states[l][1]], axis=1) for l in range(1, n)]
        gates = [np.empty((B, 4 * cell.units), np.float32) for cell in cells]
        tmp = [np.empty((B, cell.units), np.float32) for cell in cells]
        top_h = h0 if n == 1 else xh[n - 1][:, cells[n - 2].units:]
        step_logits = np.empty((B, core.depth), np.float32)
        temp = temps[k]
        greedy = temp <= GREEDY_TEMPERATURE
        head_off = self.offsets[k]
        cls = prev
        for t in range(length):
            g = gates[0]
            np.matmul(h0, first.recurrent, out=g)
            g += zc
            if cls is not None:
                g += core.w_prev[cls]
            if ctrl_w is not None:
                g += ctrl_w[:, t]
            activate(g, c[0], h0, tmp[0])
            for l in range(1, n):
                H_prev = cells[l - 1].units
                buf = xh[l]
                buf[:, :H_prev] = h0 if l == 1 else xh[l - 1][:, cells[l - 2].units:]
                gl = gates[l]
                np.matmul(buf, cells[l].fused, out=gl)
                gl += cells[l].bias
                activate(gl, c[l], buf[:, H_prev:], tmp[l])
            np.matmul(top_h, core.out.kernel, out=step_logits)
            step_logits += core.out.bias
            if logits is not None:
                logits[:, start + t, head_off:head_off + core.depth] = step_logits
            if greedy:
                cls = np.argmax(step_logits, axis=1)
            else:
                cls = _sample(step_logits, temp, uniforms[k][start + t])
            classes[:, start + t, k] = cls
        return cls


def _sample(logits: np.ndarray, temperature: float, gumbel: np.ndarray) -> np.ndarray:
    """Categorical samples from ``softmax(logits / temperature)`` via Gumbel-max with pre-drawn noise."""
    scaled = logits * np.float32(1.0 / temperature)
    scaled += gumbel
    return np.argmax(scaled, axis=1)


class _StackedCores:
    """Several core decoders with equal LSTM sizes (trio: melody, bass, drums) stepped together.

    Their recurrent GEMVs run as one stacked ``matmul`` over a leading decoder axis and their element-wise
    LSTM updates as one set of ufunc calls, which divides the per-step Python/NumPy call overhead by the
    number of decoders. Previous outputs of all heads are one row gather from a concatenated table.
    """

    def __init__(self, cores: List[_CoreDecoder]):
        self.k = len(cores)
        self.sizes = cores[0].sizes
        if any(c.sizes != self.sizes or c.z_dim != cores[0].z_dim for c in cores):
            raise ValueError("stacked decoding needs equal LSTM sizes")
        n = len(self.sizes)
        self.rec0 = np.stack([c.cells[0].recurrent for c in cores])                       # [K, H, 4H]
        self.bias0 = np.stack([c.cells[0].bias for c in cores])[:, None, :]                # [K, 1, 4H]
        self.w_z = np.stack([c.w_z for c in cores])                                       # [K, E, 4H]
        self.w_c = np.stack([c.w_c for c in cores]) if cores[0].control_depth else None
        self.fused = [np.stack([c.cells[l].fused for c in cores]) for l in range(1, n)]   # [K, H+H, 4H]
        self.bias = [np.stack([c.cells[l].bias for c in cores])[:, None, :] for l in range(1, n)]
        self.table = np.concatenate([c.w_prev for c in cores])                            # [sum depth, 4H]
        self.table_off = np.concatenate([[0], np.cumsum([c.depth for c in cores])[:-1]]).astype(np.int64)
        self.cores = cores
        self.offsets = np.concatenate([[0], np.cumsum([c.depth for c in cores])]).astype(int)

    def decode_segment(self, model: "MusicVAE", emb: np.ndarray, start: int, length: int, prev: List,
                       ctrl: Optional[np.ndarray], temps: List[float], uniforms: Optional[np.ndarray],
                       classes: np.ndarray, logits: Optional[np.ndarray]) -> List[np.ndarray]:
        # ``emb`` [B, E] is shared by all decoders (trio conductor output) or [K, B, E], one code per decoder
        # (several single-instrument models decoded together, see :func:`decode_together`).
        K = self.k
        per_core = emb.ndim == 3
        B = emb.shape[1] if per_core else emb.shape[0]
        sizes = self.sizes
        n = len(sizes)
        init = np.stack([np.tanh(c.z_to_state(emb[k] if per_core else emb))
                         for k, c in enumerate(self.cores)]).astype(np.float32)          # [K, B, 2*sum]
        c_st, h_st, pos = [], [], 0
        for H in sizes:
            c_st.append(np.ascontiguousarray(init[:, :, pos:pos + H]))
            h_st.append(np.ascontiguousarray(init[:, :, pos + H:pos + 2 * H]))
            pos += 2 * H
        zc = np.matmul(emb if per_core else emb[None], self.w_z) + self.bias0             # [K, B, 4H0]
        ctrl_w = None
        if ctrl is not None and self.w_c is not None:
            ctrl_w = np.matmul(ctrl[None, :, start:start + length], self.w_c[:, None])      # [K, B, T, 4H0]
        h0 = h_st[0]
        xh = [None] + [np.concatenate([h_st[l - 1], h_st[l]], axis=2) for l in range(1, n)]
        gates = [np.empty((K, B, 4 * H), np.float32) for H in sizes]
        tmp = [np.empty((K, B, H), np.float32) for H in sizes]
        top = h0 if n == 1 else xh[n - 1][:, :, sizes[n - 2]:]
        greedy = [t <= GREEDY_TEMPERATURE for t in temps]
        cls = None
        if all(p is not None for p in prev):
            cls = np.stack(prev)                                                            # [K, B]
        out_cls = [None] * K
        for t in range(length):
            g = gates[0]
            np.matmul(h0, self.rec0, out=g)
            g += zc
            if cls is not None:
                g += self.table[(cls + self.table_off[:, None]).reshape(-1)].reshape(K, B, -1)
            if ctrl_w is not None:
                g += ctrl_w[:, :, t]
            activate(g, c_st[0], h0, tmp[0])
            for l in range(1, n):
                Hp = sizes[l - 1]
                buf = xh[l]
                buf[:, :, :Hp] = h0 if l == 1 else xh[l - 1][:, :, sizes[l - 2]:]
                gl = gates[l]
                np.matmul(buf, self.fused[l - 1], out=gl)
                gl += self.bias[l - 1]
                activate(gl, c_st[l], buf[:, :, Hp:], tmp[l])
            for k, core in enumerate(self.cores):
                lg = top[k] @ core.out.kernel
                lg += core.out.bias
                if logits is not None:
                    off = self.offsets[k]
                    logits[:, start + t, off:off + core.depth] = lg
                out_cls[k] = np.argmax(lg, axis=1) if greedy[k] else _sample(lg, temps[k], uniforms[k][start + t])
                classes[:, start + t, k] = out_cls[k]
            cls = np.stack(out_cls)
        return [cls[k] for k in range(K)]


def can_decode_together(models: Sequence[MusicVAE]) -> bool:
    """Whether flat single-head models can be stepped together (equal decoder sizes, z size and length)."""
    first = models[0].config
    return all(not m.config.hierarchical and len(m.cores) == 1 and not m.config.control_depth
               and m.config.dec_rnn_size == first.dec_rnn_size and m.config.z_size == first.z_size
               and m.config.max_seq_len == first.max_seq_len for m in models)


class DecodeTogether:
    """Decode several flat single-instrument models in one time loop (e.g. guitar, bass, drums).

    Each model ``k`` decodes its own codes ``z[k]`` [B, z]; the per-step GEMVs of all models run as one
    stacked ``matmul`` and their element-wise LSTM updates as one set of calls, so three 2-bar models cost
    about as much as one trio model. Results equal decoding each model alone (tested).
    """

    def __init__(self, models: Sequence[MusicVAE]):
        if not can_decode_together(models):
            raise ValueError("models cannot be decoded together (need flat single-head models of equal sizes)")
        self.models = list(models)
        self._stack = _StackedCores([m.cores[0] for m in self.models])

    def decode(self, z: np.ndarray, temperatures: Sequence[float], rng: Optional[np.random.Generator] = None,
               return_logits: bool = False, shared_noise: Optional[Dict[int, int]] = None) -> DecodeResult:
        """``z`` [K, B, z_size] -> classes [B, T, K] (and logits [B, T, sum(depths)]).

        ``shared_noise`` ``{k: j}`` makes decoder ``k`` sample with decoder ``j``'s Gumbel noise (equal output
        depths): correlated sampling, e.g. a bass that makes the same choices as the guitar where their
        models agree.
        """
        z = np.asarray(z, np.float32)
        K, B = z.shape[0], z.shape[1]
        T = self.models[0].config.max_seq_len
        temps = [float(t) for t in temperatures]
        if rng is None:
            rng = np.random.default_rng()
        noise = [None if t <= GREEDY_TEMPERATURE or k in (shared_noise or {})
                 else rng.gumbel(size=(T, B, c.depth)).astype(np.float32)
                 for k, (t, c) in enumerate(zip(temps, self._stack.cores))]
        for k, j in (shared_noise or {}).items():
            if temps[k] > GREEDY_TEMPERATURE:
                if self._stack.cores[k].depth != self._stack.cores[j].depth or noise[j] is None:
                    raise ValueError(f"shared_noise {k}->{j}: decoders need equal depths and {j} must sample")
                noise[k] = noise[j]
        classes = np.zeros((B, T, K), np.int64)
        logits = np.zeros((B, T, int(self._stack.offsets[-1])), np.float32) if return_logits else None
        self._stack.decode_segment(None, z, 0, T, [None] * K, None, temps, noise, classes, logits)
        return DecodeResult(classes, logits)
