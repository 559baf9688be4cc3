"""The canonical MusicVAE weight dict: which arrays a config has, their shapes, and validation.

The canonical dict (see ``/tmp/rf/INTERFACES.md``) is keyed by Magenta's variable names; every LSTM is in
Keras layout (``kernel`` [in, 4H], ``recurrent_kernel`` [H, 4H], ``bias`` [4H], gates ``i, f, c, o``,
forget bias added). This module is NumPy-only: the runtime, the Magenta importer
(:mod:`riffforge.checkpoint.magenta`) and the Keras model all use it to agree on names and shapes.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, List, Mapping, Tuple

import numpy as np

from ..configs import MusicVAEConfig


class WeightsError(ValueError):
    """Arrays do not match the config; the message names every unknown, missing or mis-shaped one."""


# ----------------------------------------------------------------------------------------------------------
# Architecture description: which LSTMs and dense layers a config has, with their shapes.
# ----------------------------------------------------------------------------------------------------------
def lstm_specs(config: MusicVAEConfig) -> "OrderedDict[str, Tuple[int, int]]":
    """``{lstm_scope: (input_dim, units)}`` for every LSTM of ``config`` (scope ends in ``/lstm_cell``)."""
    specs: "OrderedDict[str, Tuple[int, int]]" = OrderedDict()
    in_dim = config.input_depth + config.control_depth
    for l, h in enumerate(config.enc_rnn_size):
        for d in ("fw", "bw"):
            specs[f"encoder/cell_{l}/bidirectional_rnn/{d}/multi_rnn_cell/cell_0/lstm_cell"] = (in_dim, h)
        in_dim = 2 * h
    for prefix, z_dim, head_depth in decoder_prefixes(config):
        in_dim = head_depth + z_dim + config.control_depth
        for l, h in enumerate(config.dec_rnn_size):
            specs[f"{prefix}multi_rnn_cell/cell_{l}/lstm_cell"] = (in_dim, h)
            in_dim = h
    for k in range(num_conductor_levels(config)):
        in_dim = 1
        for l, h in enumerate(config.dec_rnn_size):
            specs[f"decoder/hierarchical_level_{k}/cell_{l}/lstm_cell"] = (in_dim, h)
            in_dim = h
    return specs


def num_conductor_levels(config: MusicVAEConfig) -> int:
    return len(config.level_lengths) - 1 if config.hierarchical else 0


def decoder_prefixes(config: MusicVAEConfig) -> List[Tuple[str, int, int]]:
    """``[(variable prefix, width of its z input, its output depth)]`` for each (core) decoder."""
    if not config.hierarchical:
        return [("decoder/", config.z_size, config.output_depth)]
    emb = config.dec_rnn_size[-1]
    if len(config.output_depths) == 1:
        return [("core_decoder/decoder/", emb, config.output_depths[0])]
    return [(f"core_decoder/core_decoder_{i}/decoder/", emb, d) for i, d in enumerate(config.output_depths)]


def dense_specs(config: MusicVAEConfig) -> "OrderedDict[str, Tuple[int, int]]":
    """``{dense_scope: (in, out)}`` for every dense layer."""
    specs: "OrderedDict[str, Tuple[int, int]]" = OrderedDict()
    enc_out = 2 * config.enc_rnn_size[-1]
    specs["encoder/mu"] = (enc_out, config.z_size)
    specs["encoder/sigma"] = (enc_out, config.z_size)
    state = 2 * sum(config.dec_rnn_size)
    for prefix, z_dim, head_depth in decoder_prefixes(config):
        specs[f"{prefix}z_to_initial_state"] = (z_dim, state)
        specs[f"{prefix}output_projection"] = (config.dec_rnn_size[-1], head_depth)
    for k in range(num_conductor_levels(config)):
        specs[f"decoder/hierarchical_level_{k}/initial_state"] = (
            config.z_size if k == 0 else config.dec_rnn_size[-1], state)
    return specs


def canonical_shapes(config: MusicVAEConfig) -> "OrderedDict[str, Tuple[int, ...]]":
    """Every array of the canonical weight dict of ``config``, with its shape."""
    shapes: "OrderedDict[str, Tuple[int, ...]]" = OrderedDict()
    for scope, (i, h) in lstm_specs(config).items():
        shapes[f"{scope}/kernel"] = (i, 4 * h)
        shapes[f"{scope}/recurrent_kernel"] = (h, 4 * h)
        shapes[f"{scope}/bias"] = (4 * h,)
    for scope, (i, o) in dense_specs(config).items():
        shapes[f"{scope}/kernel"] = (i, o)
        shapes[f"{scope}/bias"] = (o,)
    return shapes



def compare_shapes(arrays: Mapping[str, np.ndarray], expected: Mapping[str, Tuple[int, ...]]
                   ) -> Tuple[List[str], List[str], List[str]]:
    """``(unknown, missing, mis-shaped)`` names of ``arrays`` against ``expected`` shapes; the mis-shaped
    entries read ``"name: [found] (expected [shape])"``."""
    unknown = sorted(set(arrays) - set(expected))
    missing = sorted(set(expected) - set(arrays))
    bad = [f"{n}: {list(np.shape(arrays[n]))} (expected {list(expected[n])})"
           for n in expected if n in arrays and tuple(np.shape(arrays[n])) != tuple(expected[n])]
    return unknown, missing, bad


def check_weights(weights: Mapping[str, np.ndarray], config: MusicVAEConfig, what: str = "weights") -> None:
    """Raise :class:`WeightsError` naming every unknown, missing or mis-shaped canonical array."""
    unknown, missing, bad = compare_shapes(weights, canonical_shapes(config))
    problems = []
    if missing:
        problems.append(f"missing array(s) {', '.join(missing)}")
    if bad:
        problems.append(f"shape mismatch {'; '.join(bad)}")
    if unknown:
        problems.append(f"unknown array(s) {', '.join(unknown)}")
    if problems:
        raise WeightsError(f"{what} do not match config {config.name!r}: " + ". ".join(problems))


def lstm_scope_names(config: MusicVAEConfig) -> List[str]:
    return list(lstm_specs(config))


def random_canonical_weights(config: MusicVAEConfig, seed: int = 0, scale: float = 0.3) -> Dict[str, np.ndarray]:
    """Randomly initialised canonical weights (tests and benchmarks of untrained architectures)."""
    rng = np.random.default_rng(seed)
    return {name: (rng.standard_normal(shape) * (scale / np.sqrt(shape[0]) if len(shape) == 2 else scale * 0.3))
            .astype(np.float32) for name, shape in canonical_shapes(config).items()}
