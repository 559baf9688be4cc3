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

Speed (see ``bench/runtime.py``): every decode, single model, trio or several models together, steps
through :class:`_Cores`: one GEMV per layer per step (a layer's output times its own recurrent kernel and
the next layer's input kernel, biases folded in as an extra row), the z (or embedding) contribution to the
first layer computed once per segment, the previous output entering as a row gather, element-wise work on
1-D views at batch 1, and temperature-scaled Gumbel noise drawn up front so sampling is an add and an
argmax.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from ..configs import MusicVAEConfig
from .lstm import PackedLSTM, activate, run_sequence
from .weights import check_weights, decoder_prefixes, num_conductor_levels

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
        self._steps = _Cores(self.cores)

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
        if rng is None and not all(t <= GREEDY_TEMPERATURE for t in temps):
            rng = np.random.default_rng()
        # Gumbel noise per (head, step, row, class), drawn up front in one call per head, so the same seed
        # gives the same riff however the decode is split into segments.
        noise = [None if t <= GREEDY_TEMPERATURE else gumbel_noise(rng, (T, B, d), t)
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
            self._steps.decode_segment(z, 0, T, None, ctrl, noise, classes, logits, self.offsets)
            return DecodeResult(classes, logits)
        seg_len = cfg.level_lengths[-1]
        prev = None
        for seg, emb in enumerate(self._conductor_embeddings(z)):
            prev = self._steps.decode_segment(emb, seg * seg_len, seg_len, prev, ctrl, noise, classes, logits,
                                              self.offsets)
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


def gumbel_noise(rng: np.random.Generator, shape: Tuple[int, ...], temperature: float) -> np.ndarray:
    """``temperature`` times standard Gumbel noise, float32: sampling from ``softmax(logits / T)`` is then
    ``argmax(logits + noise)`` (the Gumbel-max trick, scaled by ``T`` so that the logits need no division).

    Drawn as ``-log(E)`` with ``E`` a float64 standard exponential (NumPy's ziggurat), three times faster than
    ``Generator.gumbel`` and never infinite. A stream with its own ``gumbel_noise`` (the portable stream of
    :mod:`.portable`, which C# draws identically) draws it itself.
    """
    own = getattr(rng, "gumbel_noise", None)
    if own is not None:
        return own(shape, temperature)
    e = rng.standard_exponential(shape)
    np.log(e, out=e)
    return np.multiply(e, -float(temperature), dtype=np.float32, casting="same_kind")


#: Up to this many rows, a step's product runs as one GEMV per row: OpenBLAS's GEMM repacks the whole
#: weight matrix on every call, which at 2 rows costs about 7 GEMVs (see bench/runtime.py, batch rows).
ROW_GEMV_MAX = 8


def _products(h: np.ndarray, w: np.ndarray, out: np.ndarray, rows: int, stacked: bool = False) -> List[Tuple]:
    """The ``(a, b, out)`` operands of ``out = h @ w`` as ``np.matmul`` calls: one call, or one per batch row
    when there are a few (``h`` [rows, in], or ``stacked`` [K, rows, in] against ``w`` [K, in, X])."""
    if not 1 < rows <= ROW_GEMV_MAX:
        return [(h, w, out)]
    if stacked:
        return [(h[:, b:b + 1], w, out[:, b:b + 1]) for b in range(rows)]
    return [(h[b], w, out[b]) for b in range(rows)]


class _Cores:
    """K core decoders (K >= 1) with equal LSTM sizes, stepped together in one time loop.

    Every per-step product runs once for all K decoders (a stacked ``matmul`` over a leading decoder axis)
    and every element-wise LSTM update is one set of ufunc calls on [K, B, ...] arrays. The weights are laid
    out so that a step costs one product per layer:

    - each layer's output ``h_l`` (with a constant 1 appended) multiplies ``[[R_l, A_l], [0, b]]``, where
      ``R_l`` is its own recurrent kernel (consumed at the next step) and ``A_l`` the next layer's input kernel
      (or, for the top layer of a single decoder, the output projection), ``b`` that layer's bias;
    - the previous output enters the first layer as a row gather of its kernel; the latent code's
      contribution (and the first layer's bias) is computed once per segment;
    - sampling adds pre-drawn, temperature-scaled Gumbel noise (:func:`gumbel_noise`) and takes the argmax
      straight into the output buffer.

    Single-instrument models, trio models (melody, bass, drums heads fed one embedding) and several models
    decoded together (:class:`DecodeTogether`, one code each) all decode through this class.
    """

    def __init__(self, cores: List[_CoreDecoder]):
        self.k = K = len(cores)
        self.sizes = sizes = cores[0].sizes
        if any(c.sizes != sizes or c.z_dim != cores[0].z_dim for c in cores):
            raise ValueError("decoding several core decoders together needs equal LSTM sizes and code sizes")
        n = len(sizes)
        self.cores, self.depths = cores, [c.depth for c in cores]
        # the top layer's product includes the output projection when there is one decoder (K = 1); with
        # several, output depths differ (trio: 90, 90, 512) and each head projects on its own
        self.top_merged = K == 1
        self.w_z = np.stack([c.w_z for c in cores])                                        # [K, E, 4H0]
        self.bias0 = np.stack([c.cells[0].bias for c in cores])[:, None, :]                 # [K, 1, 4H0]
        self.w_c = np.stack([c.w_c for c in cores]) if cores[0].control_depth else None
        self.table = np.concatenate([c.w_prev for c in cores])                             # [sum depth, 4H0]
        self.table_off = np.concatenate([[0], np.cumsum(self.depths)[:-1]]).astype(np.int64)[:, None]
        self.w = []
        for l, H in enumerate(sizes):
            mats = []
            for c in cores:
                if l < n - 1:
                    a, b = c.cells[l + 1].kernel, c.cells[l + 1].bias
                elif self.top_merged:
                    a, b = c.out.kernel, c.out.bias
                else:
                    a = b = None
                rec = c.cells[l].recurrent
                if a is None:
                    mats.append(np.concatenate([rec, np.zeros((1, 4 * H), np.float32)]))
                else:
                    top = np.concatenate([rec, a], axis=1)
                    bottom = np.concatenate([np.zeros(4 * H, np.float32), b])[None]
                    mats.append(np.concatenate([top, bottom]))
            self.w.append(np.ascontiguousarray(np.stack(mats)))                          # [K, H+1, 4H+X]
        self.out = None if self.top_merged else [
            np.ascontiguousarray(np.concatenate([c.out.kernel, c.out.bias[None]])) for c in cores]  # [H+1, D]

    def decode_segment(self, emb: np.ndarray, start: int, length: int, prev: Optional[np.ndarray],
                       ctrl: Optional[np.ndarray], noise: Sequence[Optional[np.ndarray]], classes: np.ndarray,
                       logits: Optional[np.ndarray], head_offsets: np.ndarray) -> np.ndarray:
        """Decode steps ``start .. start+length`` from ``emb`` ([B, E] shared by all decoders, or [K, B, E]
        one code each); ``prev`` [K, B] are the previous segment's last classes (None: zero input).

        ``noise[k]`` [T, B, depth_k] is decoder k's temperature-scaled Gumbel noise (None: greedy). Writes
        ``classes[:, start + t, k]`` (and ``logits`` when given); returns the last classes [K, B].
        """
        K, sizes, n, w = self.k, self.sizes, len(self.sizes), self.w
        per_core = emb.ndim == 3
        B = emb.shape[1] if per_core else emb.shape[0]
        # Element-wise work runs on views without the size-1 leading axes: NumPy's per-call overhead is about
        # half for 1-D arrays, and a riff at batch 1 from one model is all 1-D.
        if K == 1:
            sq = (lambda a: a[0, 0]) if B == 1 else (lambda a: a[0])
        else:
            sq = (lambda a: a[:, 0]) if B == 1 else (lambda a: a)
        init = np.stack([np.tanh(c.z_to_state(emb[k] if per_core else emb))
                         for k, c in enumerate(self.cores)]).astype(np.float32)          # [K, B, 2*sum(H)]
        c_st, h_aug, m, gates, tmp, pos = [], [], [], [], [], 0
        for l, H in enumerate(sizes):
            c_st.append(sq(np.ascontiguousarray(init[:, :, pos:pos + H])))
            h = np.ones((K, B, H + 1), np.float32)
            h[:, :, :H] = init[:, :, pos + H:pos + 2 * H]
            h_aug.append(h)
            m.append(np.empty((K, B, w[l].shape[2]), np.float32))
            m[l][:, :, :4 * H] = np.matmul(h[:, :, :H], w[l][:, :H, :4 * H])  # recurrent part, for step 0
            gates.append(sq(np.empty((K, B, 4 * H), np.float32)))
            tmp.append(sq(np.empty((K, B, H), np.float32)))
            pos += 2 * H
        # product operands: one 2-D (or 1-D) GEMV for a single decoder, a stacked matmul for several
        mm = [_products(sq(h_aug[l]), w[l][0], sq(m[l]), B) if K == 1 else _products(h_aug[l], w[l], m[l], B, True)
              for l in range(n)]
        h_views = [sq(h_aug[l])[..., :H] for l, H in enumerate(sizes)]
        m_rec = [sq(m[l])[..., :4 * H] for l, H in enumerate(sizes)]
        m_in = [sq(m[l])[..., 4 * H:] for l, H in enumerate(sizes)]
        zc = sq(np.matmul(emb if per_core else emb[None], self.w_z) + self.bias0)            # [K, B, 4H0]
        ctrl_t = None
        if ctrl is not None and self.w_c is not None:
            ctrl_w = np.matmul(ctrl[None, :, start:start + length], self.w_c[:, None])      # [K, B, T, 4H0]
            ctrl_t = [sq(ctrl_w[:, :, t]) for t in range(length)]
        hist = np.empty((length, K, B), np.int64)
        table, off = self.table, self.table_off
        if prev is None:
            idx = None
        else:
            idx = sq(np.asarray(prev, np.int64).reshape(K, B) + off)
            idx = int(idx) if idx.ndim == 0 else idx
        top = n - 1
        if self.top_merged:
            heads = [(m_in[top], None)]
        else:
            top_h = sq(h_aug[top])
            heads = []
            for k, d in enumerate(self.depths):
                lg = np.empty((B, d) if B > 1 else (d,), np.float32)
                heads.append((lg, _products(top_h[k], self.out[k], lg, B)))
        steps = [(None if nz is None else (nz[start:start + length, 0] if B == 1 else nz[start:start + length]),
                  np.empty((B, d) if B > 1 else (d,), np.float32)) for nz, d in zip(noise, self.depths)]
        g0, c0, hv0, tmp0, rec0 = gates[0], c_st[0], h_views[0], tmp[0], m_rec[0]
        mm0 = mm[0]
        upper = [(m_in[l - 1], m_rec[l], gates[l], c_st[l], h_views[l], tmp[l], mm[l]) for l in range(1, n)]
        for t in range(length):
            np.add(rec0, zc, out=g0)
            if idx is not None:
                g0 += table[idx]
            if ctrl_t is not None:
                g0 += ctrl_t[t]
            activate(g0, c0, hv0, tmp0)
            for a, b, o in mm0:
                np.matmul(a, b, out=o)
            for below, rec, gl, cl, hvl, tmpl, mml in upper:
                np.add(below, rec, out=gl)
                activate(gl, cl, hvl, tmpl)
                for a, b, o in mml:
                    np.matmul(a, b, out=o)
            row = hist[t]
            for k, (lg, proj) in enumerate(heads):
                if proj is not None:
                    for a, b, o in proj:
                        np.matmul(a, b, out=o)
                if logits is not None:
                    logits[:, start + t, head_offsets[k]:head_offsets[k + 1]] = lg
                nz, scratch = steps[k]
                if nz is not None:
                    lg = np.add(lg, nz[t], out=scratch)
                if B == 1:
                    row[k, 0] = lg.argmax()
                else:
                    np.argmax(lg, axis=1, out=row[k])
            if K == 1:
                idx = int(row[0, 0]) if B == 1 else row[0]
            else:
                idx = sq(row + off)
        classes[:, start:start + length, :K] = hist.transpose(2, 0, 1)
        return hist[-1].copy()


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
        self._steps = _Cores([m.cores[0] for m in self.models])
        self.offsets = np.concatenate([[0], np.cumsum(self._steps.depths)]).astype(int)

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
        depths = self._steps.depths
        if rng is None:
            rng = np.random.default_rng()
        shared = shared_noise or {}
        noise = [None if t <= GREEDY_TEMPERATURE or k in shared else gumbel_noise(rng, (T, B, d), t)
                 for k, (t, d) in enumerate(zip(temps, depths))]
        for k, j in shared.items():
            if temps[k] > GREEDY_TEMPERATURE:
                if depths[k] != depths[j] or noise[j] is None:
                    raise ValueError(f"shared_noise {k}->{j}: decoders need equal depths and {j} must sample")
                noise[k] = noise[j] if temps[k] == temps[j] else noise[j] * np.float32(temps[k] / temps[j])
        classes = np.zeros((B, T, K), np.int64)
        logits = np.zeros((B, T, int(self.offsets[-1])), np.float32) if return_logits else None
        self._steps.decode_segment(z, 0, T, None, None, noise, classes, logits, self.offsets)
        return DecodeResult(classes, logits)
