"""Magenta MusicVAE variables <-> the canonical weight dict (the hub between import, Keras and the runtime).

Magenta (TF1, ``rnn.LSTMBlockCell``) stores each LSTM as one fused kernel ``[input_dim + H, 4H]`` acting on
``concat(x, h)`` and a bias ``[4H]``, gate blocks ordered ``i, j, f, o`` (``j`` = cell candidate), and adds
``forget_bias = 1.0`` to ``f`` at run time. The canonical dict keeps Magenta's variable names but stores
every LSTM in Keras' layout: ``<scope>/lstm_cell/kernel [input_dim, 4H]``,
``<scope>/lstm_cell/recurrent_kernel [H, 4H]`` and ``<scope>/lstm_cell/bias [4H]`` with gates ordered
``i, f, c, o`` and the forget bias already added to the ``f`` block. Dense layers (``encoder/mu``,
``encoder/sigma``, ``*/z_to_initial_state``, ``*/output_projection``, conductor ``initial_state``) keep
Magenta's names and shapes; ``z_to_initial_state`` keeps Magenta's per-layer ``(c, h)`` output order.

Variable names per architecture (``P`` = decoder prefix):

- encoder layer ``l``: ``encoder/cell_{l}/bidirectional_rnn/{fw,bw}/multi_rnn_cell/cell_0/lstm_cell/*``
  (input: data + controls for ``l = 0``, else the previous layer's ``[fw, bw]`` outputs)
- ``encoder/mu/*``, ``encoder/sigma/*`` on ``[h_fw_last, h_bw_last]``
- flat decoder, ``P = decoder/``: ``P multi_rnn_cell/cell_{l}/lstm_cell/*`` (input of layer 0:
  previous output one-hot + z + controls), ``P z_to_initial_state/*``, ``P output_projection/*``
- hierarchical: conductor ``decoder/hierarchical_level_{k}/cell_{l}/lstm_cell/*`` (input: a zero of width
  1, autoregression disabled) and ``decoder/hierarchical_level_{k}/initial_state/*``; core decoder(s)
  ``P = core_decoder/decoder/`` or, split per output head, ``P = core_decoder/core_decoder_{i}/decoder/``
  whose "z" is the conductor output (width ``dec_rnn_size[-1]``).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, Mapping, Tuple

import numpy as np

from ..configs import MusicVAEConfig
from ..runtime.weights import (canonical_shapes, compare_shapes, dense_specs, lstm_specs,  # noqa: F401
                               random_canonical_weights)  # re-exported for the tests' tiny checkpoints
from .reader import is_optimizer_slot

FORGET_BIAS = 1.0
# Magenta i,j,f,o -> Keras i,f,c(=j),o
_MAGENTA_TO_KERAS = (0, 2, 1, 3)
_KERAS_TO_MAGENTA = (0, 2, 1, 3)  # the permutation is its own inverse
IGNORED = ("global_step",)


class MappingError(ValueError):
    """Variables do not match the config; the message names every unknown, missing or mis-shaped one."""


def magenta_shapes(config: MusicVAEConfig) -> "OrderedDict[str, Tuple[int, ...]]":
    """Every variable a Magenta checkpoint of ``config`` holds (``global_step`` and slots excluded)."""
    shapes: "OrderedDict[str, Tuple[int, ...]]" = OrderedDict()
    for scope, (i, h) in lstm_specs(config).items():
        shapes[f"{scope}/kernel"] = (i + h, 4 * h)
        shapes[f"{scope}/bias"] = (4 * h,)
    for scope, (i, o) in dense_specs(config).items():
        shapes[f"{scope}/kernel"] = (i, o)
        shapes[f"{scope}/bias"] = (o,)
    return shapes



# ----------------------------------------------------------------------------------------------------------
# Conversion
# ----------------------------------------------------------------------------------------------------------
def _reorder_gates(a: np.ndarray, order: Tuple[int, ...]) -> np.ndarray:
    blocks = np.split(a, 4, axis=-1)
    return np.concatenate([blocks[k] for k in order], axis=-1)


def check_variables(variables: Mapping[str, np.ndarray], expected: Mapping[str, Tuple[int, ...]],
                    what: str, config_name: str) -> None:
    """Raise :class:`MappingError` naming every unknown, missing and mis-shaped variable."""
    kept = {n: v for n, v in variables.items() if n not in IGNORED and not is_optimizer_slot(n)}
    unknown, missing, bad = compare_shapes(kept, expected)
    problems = []
    if unknown:
        problems.append(f"unknown variable(s) {', '.join(unknown)}")
    if missing:
        problems.append(f"missing variable(s) {', '.join(missing)}")
    if bad:
        problems.append(f"shape mismatch {'; '.join(bad)}")
    if problems:
        raise MappingError(f"{what} does not match config {config_name!r}: " + ". ".join(problems)
                           + ". Check --config (the checkpoint may be another architecture).")


def magenta_to_canonical(variables: Mapping[str, np.ndarray], config: MusicVAEConfig) -> Dict[str, np.ndarray]:
    """Convert Magenta checkpoint variables to the canonical dict (float32). See the module docstring."""
    check_variables(variables, magenta_shapes(config), "Magenta checkpoint", config.name)
    out: Dict[str, np.ndarray] = {}
    for scope, (i, h) in lstm_specs(config).items():
        fused = np.asarray(variables[f"{scope}/kernel"], dtype=np.float32)
        bias = _reorder_gates(np.asarray(variables[f"{scope}/bias"], dtype=np.float32), _MAGENTA_TO_KERAS)
        bias[h:2 * h] += FORGET_BIAS
        fused = _reorder_gates(fused, _MAGENTA_TO_KERAS)
        out[f"{scope}/kernel"] = np.ascontiguousarray(fused[:i])
        out[f"{scope}/recurrent_kernel"] = np.ascontiguousarray(fused[i:])
        out[f"{scope}/bias"] = bias
    for scope in dense_specs(config):
        for part in ("kernel", "bias"):
            out[f"{scope}/{part}"] = np.array(variables[f"{scope}/{part}"], dtype=np.float32)
    return out


def canonical_to_magenta(weights: Mapping[str, np.ndarray], config: MusicVAEConfig) -> Dict[str, np.ndarray]:
    """The inverse of :func:`magenta_to_canonical` (used by tests and for exporting to Magenta)."""
    check_variables(weights, canonical_shapes(config), "canonical weights", config.name)
    out: Dict[str, np.ndarray] = {}
    for scope, (i, h) in lstm_specs(config).items():
        fused = np.concatenate([weights[f"{scope}/kernel"], weights[f"{scope}/recurrent_kernel"]], axis=0)
        bias = np.array(weights[f"{scope}/bias"], dtype=np.float32)
        bias[h:2 * h] -= FORGET_BIAS
        out[f"{scope}/kernel"] = _reorder_gates(fused.astype(np.float32), _KERAS_TO_MAGENTA)
        out[f"{scope}/bias"] = _reorder_gates(bias, _KERAS_TO_MAGENTA)
    for scope in dense_specs(config):
        for part in ("kernel", "bias"):
            out[f"{scope}/{part}"] = np.array(weights[f"{scope}/{part}"], dtype=np.float32)
    return out
