"""Stacked bidirectional LSTM encoder (Magenta's ``BidirectionalLstmEncoder``).

Layer ``l`` runs a forward and a backward LSTM over its input; the next layer's input is the
concatenation of both directions' outputs (``stack_bidirectional_dynamic_rnn``). The encoding is the
final forward ``h`` and the final backward ``h`` of the last layer, concatenated. The backward direction
reverses each sequence within its length, so padded steps never reach it.
"""
from __future__ import annotations

from typing import Dict, Sequence

import keras
from keras import ops

from .lstm import LstmCell, maybe_dropout, reverse_sequence, run_layer, sequence_mask, zero_state


class BidirectionalLstmEncoder(keras.layers.Layer):
    def __init__(self, layer_sizes: Sequence[int], input_dim: int, dropout_keep_prob: float = 1.0,
                 scope: str = "encoder", **kwargs):
        super().__init__(**kwargs)
        self.layer_sizes = [int(s) for s in layer_sizes]
        self.dropout_keep_prob = float(dropout_keep_prob)
        self.scope = scope
        self.fw, self.bw = [], []
        dim = int(input_dim)
        for i, units in enumerate(self.layer_sizes):
            self.fw.append(LstmCell(units, dim, name=f"enc_fw_{i}"))
            self.bw.append(LstmCell(units, dim, name=f"enc_bw_{i}"))
            dim = 2 * units
        self.output_dim = dim
        self.seed_generator = keras.random.SeedGenerator(17) if self.dropout_keep_prob < 1.0 else None
        self.built = True

    def canonical_cells(self) -> Dict[str, LstmCell]:
        """Magenta's scope of every cell (``encoder/cell_L/bidirectional_rnn/fw|bw/...``)."""
        out = {}
        for i, (fw, bw) in enumerate(zip(self.fw, self.bw)):
            base = f"{self.scope}/cell_{i}/bidirectional_rnn"
            out[f"{base}/fw/multi_rnn_cell/cell_0/lstm_cell"] = fw
            out[f"{base}/bw/multi_rnn_cell/cell_0/lstm_cell"] = bw
        return out

    def call(self, sequence, lengths=None, training: bool = False):
        """``sequence`` ``[B, T, D]`` (controls already concatenated), ``lengths`` ``[B]`` or None."""
        steps = int(sequence.shape[1])
        batch = ops.shape(sequence)[0]
        mask = None if lengths is None else sequence_mask(lengths, steps)
        x = sequence
        h_fw = h_bw = None
        for fw, bw in zip(self.fw, self.bw):
            x = maybe_dropout(x, self.dropout_keep_prob, training, self.seed_generator)
            out_fw, (_, h_fw) = run_layer(fw, fw.input_projection(x), zero_state(batch, fw.units), mask)
            x_rev = reverse_sequence(x, lengths, steps)
            out_bw_rev, (_, h_bw) = run_layer(bw, bw.input_projection(x_rev), zero_state(batch, bw.units), mask)
            out_bw = reverse_sequence(out_bw_rev, lengths, steps)
            x = ops.concatenate([out_fw, out_bw], axis=-1)
        return ops.concatenate([h_fw, h_bw], axis=-1)
