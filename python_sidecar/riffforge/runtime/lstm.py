"""NumPy LSTM cells laid out for speed.

The canonical weights (Keras layout, gates ``i, f, c, o``, forget bias included) are re-packed once at load
time into ``i, f, o, c`` with the ``i, f, o`` columns pre-scaled by 0.5, so that one ``tanh`` over the whole
gate vector yields all four activations: ``sigmoid(x) = 0.5 * tanh(x / 2) + 0.5``. A step then costs one
``tanh`` on ``4H`` values plus a few in-place element-wise ops, with no temporaries allocated.
"""
from __future__ import annotations

from typing import Mapping, Optional

import numpy as np


def pack_gates(a: np.ndarray) -> np.ndarray:
    """Keras ``i, f, c, o`` columns -> runtime ``i, f, o, c`` with ``i, f, o`` halved."""
    a = np.asarray(a, dtype=np.float32)
    H = a.shape[-1] // 4
    out = np.empty(a.shape, np.float32)
    np.multiply(a[..., :2 * H], 0.5, out=out[..., :2 * H])          # i, f
    np.multiply(a[..., 3 * H:], 0.5, out=out[..., 2 * H:3 * H])     # o
    out[..., 3 * H:] = a[..., 2 * H:3 * H]                          # c
    return out


class PackedLSTM:
    """One LSTM layer: ``kernel`` [in, 4H], ``recurrent`` [H, 4H], ``bias`` [4H], all packed."""

    __slots__ = ("units", "input_dim", "kernel", "recurrent", "bias")

    def __init__(self, weights: Mapping[str, np.ndarray], scope: str):
        self.kernel = pack_gates(weights[f"{scope}/kernel"])
        self.recurrent = pack_gates(weights[f"{scope}/recurrent_kernel"])
        self.bias = pack_gates(weights[f"{scope}/bias"])
        self.units = self.recurrent.shape[0]
        self.input_dim = self.kernel.shape[0]


def activate(gates: np.ndarray, c: np.ndarray, h_out: np.ndarray, tmp: np.ndarray) -> None:
    """Advance ``(c, h)`` in place from pre-activation ``gates`` [..., 4H] (packed layout).

    ``c`` [..., H] is updated in place; the new ``h`` is written into ``h_out`` (may be a view); ``tmp`` is a
    [..., H] scratch buffer. ``gates`` is clobbered. Leading dimensions (batch, stacked decoders) are free.
    """
    H = c.shape[-1]
    np.tanh(gates, out=gates)
    ifo = gates[..., : 3 * H]
    ifo += 1.0
    ifo *= 0.5
    np.multiply(c, gates[..., H:2 * H], out=c)              # f * c
    np.multiply(gates[..., :H], gates[..., 3 * H:], out=tmp)  # i * g
    c += tmp
    np.tanh(c, out=tmp)
    np.multiply(gates[..., 2 * H:3 * H], tmp, out=h_out)     # o * tanh(c)


def run_sequence(cell: PackedLSTM, x: np.ndarray, lengths: Optional[np.ndarray] = None,
                 reverse: bool = False) -> np.ndarray:
    """Run ``cell`` over ``x`` [B, T, in] from a zero state; returns outputs [B, T, H].

    With ``lengths``, steps at or beyond a sequence's length keep its state frozen and output zeros (as
    TensorFlow's ``dynamic_rnn``). ``reverse`` processes each sequence's valid prefix backwards (as
    ``bidirectional_dynamic_rnn``'s backward direction), and returns outputs in input order.
    """
    B, T, _ = x.shape
    H = cell.units
    if lengths is None:
        lengths = np.full(B, T, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    if reverse:
        # index of the t-th processed element for each sequence: length-1-t inside the valid prefix.
        t = np.arange(T)[None, :]
        idx = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)
        x = np.take_along_axis(x, idx[:, :, None], axis=1)
    xw = x.reshape(B * T, -1).astype(np.float32) @ cell.kernel
    xw = xw.reshape(B, T, 4 * H)
    xw += cell.bias
    c = np.zeros((B, H), np.float32)
    h = np.zeros((B, H), np.float32)
    tmp = np.empty((B, H), np.float32)
    gates = np.empty((B, 4 * H), np.float32)
    out = np.zeros((B, T, H), np.float32)
    full = bool(np.all(lengths == T))
    for t in range(T):
        np.matmul(h, cell.recurrent, out=gates)
        gates += xw[:, t]
        if full:
            activate(gates, c, h, tmp)
            out[:, t] = h
        else:
            live = (t < lengths)[:, None]
            c_old = c.copy()
            h_new = np.empty_like(h)
            activate(gates, c, h_new, tmp)
            np.copyto(c, c_old, where=~live)
            np.copyto(h, h_new, where=live)
            out[:, t] = np.where(live, h_new, 0.0)
    if reverse:
        out = np.take_along_axis(out, idx[:, :, None], axis=1)
        out[np.arange(T)[None, :] >= lengths[:, None]] = 0.0
    return out
