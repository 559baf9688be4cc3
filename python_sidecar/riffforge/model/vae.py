"""The Keras 3 MusicVAE: encoder, latent code, decoder, Magenta's loss, canonical weight exchange.

Everything is written with ``keras.ops`` so the model runs on the TensorFlow backend (training) and on
JAX. Shapes follow the corpus shards (:mod:`riffforge.corpus.shards`): ``inputs`` float ``[B, T, D_in]``,
``targets`` int ``[B, T, K]`` (class per output head), ``lengths`` int ``[B]``, optional ``controls``
float ``[B, T, C]``.

Loss, exactly as Magenta's ``MusicVAE._compute_model_loss``:

- ``r_loss[b]``: softmax cross-entropy summed over heads and over the valid steps of example ``b``;
- ``kl[b]``: KL(N(mu, sigma) || N(0, I)) summed over the latent dimensions;
- ``kl_cost = max(kl - free_bits * ln 2, 0)``; ``beta = (1 - beta_rate**step) * max_beta``;
- ``loss = mean(r_loss) + beta * mean(kl_cost)``.
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional

import keras
import numpy as np
from keras import ops

from .decoder import FlatDecoder, HierarchicalDecoder, _dense
from .encoder import BidirectionalLstmEncoder
from .lstm import sequence_mask

LSTM_PARTS = ("kernel", "recurrent_kernel", "bias")


class WeightsMismatchError(ValueError):
    """A canonical weight dict does not fit the model: names the variable, expected and found."""


class MusicVAE(keras.Model):
    """Magenta's MusicVAE for one :class:`riffforge.configs.MusicVAEConfig`."""

    def __init__(self, config, **kwargs):
        super().__init__(name=kwargs.pop("name", "music_vae"), **kwargs)
        if config.residual_encoder or config.residual_decoder:
            raise ValueError(f"config {config.name!r}: residual LSTMs are not supported (no Magenta "
                             "MusicVAE config uses them)")
        self.config = config
        in_dim = config.input_depth + config.control_depth
        self.encoder = BidirectionalLstmEncoder(config.enc_rnn_size, in_dim, config.dropout_keep_prob,
                                                name="encoder")
        self.mu_dense = _dense(config.z_size, self.encoder.output_dim, "mu", small=True)
        self.sigma_dense = _dense(config.z_size, self.encoder.output_dim, "sigma", small=True)
        if config.hierarchical:
            self.decoder = HierarchicalDecoder(config, name="hier_decoder")
        else:
            self.decoder = FlatDecoder(config, name="flat_decoder")
        self.z_seed = keras.random.SeedGenerator(1234)
        self.sample_seed = keras.random.SeedGenerator(4321)
        self.built = True

    # -- forward pieces --------------------------------------------------------------------------
    def _with_controls(self, inputs, controls):
        inputs = ops.cast(inputs, "float32")
        if self.config.control_depth:
            if controls is None:
                raise ValueError(f"config {self.config.name!r} needs controls "
                                 f"(depth {self.config.control_depth}) but none were given")
            inputs = ops.concatenate([inputs, ops.cast(controls, "float32")], axis=-1)
        return inputs

    def encode(self, inputs, lengths=None, controls=None, training: bool = False):
        """Posterior parameters (mu, sigma), each ``[B, z_size]``."""
        h = self.encoder(self._with_controls(inputs, controls), lengths, training=training)
        mu = self.mu_dense(h)
        sigma = ops.softplus(self.sigma_dense(h))
        return mu, sigma

    def decoder_logits(self, targets, z, controls=None, sampling_probability=0.0, training=False,
                       scheduled: bool = False) -> List:
        """Per-head logits ``[B, T, depth_k]`` with teacher forcing (or scheduled sampling)."""
        if controls is not None:
            controls = ops.cast(controls, "float32")
        return self.decoder.logits(ops.cast(targets, "int32"), z, controls, sampling_probability,
                                   training, scheduled)

    def sample(self, z, controls=None, temperature: Optional[float] = 1.0, seed=None):
        """Free-running decode from ``z`` ``[B, z_size]``: (classes ``[B, T, K]``, per-head logits)."""
        if self.config.control_depth and controls is None:
            raise ValueError(f"config {self.config.name!r} needs controls to sample")
        if controls is not None:
            controls = ops.cast(controls, "float32")
        return self.decoder.sample(ops.cast(z, "float32"), controls, temperature,
                                   seed=seed if seed is not None else self.sample_seed)

    def call(self, inputs, training=False):
        """Keras entry point: ``inputs`` dict with inputs/targets/lengths[/controls] -> per-head logits."""
        mu, sigma = self.encode(inputs["inputs"], inputs.get("lengths"), inputs.get("controls"), training)
        return self.decoder_logits(inputs["targets"], mu, inputs.get("controls"), training=training)

    # -- loss ------------------------------------------------------------------------------------
    def losses_for_batch(self, inputs, targets, lengths, controls=None, step=0.0, training: bool = True,
                         sampling_probability=0.0, scheduled: bool = False, use_mean_z: bool = False,
                         eps=None):
        """Magenta's loss terms for one batch. Returns a dict of scalar tensors:
        ``loss``, ``r_loss``, ``kl_loss`` (beta-free kl_cost mean), ``kl_bits``, ``beta``, ``accuracy``.

        ``z = mu + sigma * eps`` with ``eps`` drawn from the model's seed generator unless given
        (validation passes a fixed ``eps`` so its loss is deterministic); ``use_mean_z`` uses ``mu``."""
        cfg = self.config
        steps = int(targets.shape[1])
        lengths = ops.minimum(ops.cast(lengths, "int32"), cfg.max_seq_len)
        mu, sigma = self.encode(inputs, lengths, controls, training)
        if use_mean_z:
            z = mu
        else:
            if eps is None:
                eps = keras.random.normal(ops.shape(mu), seed=self.z_seed)
            z = mu + sigma * eps
        logits = self.decoder_logits(targets, z, controls, sampling_probability, training, scheduled)
        mask = sequence_mask(lengths, steps)
        targets = ops.cast(targets, "int32")
        ce = 0.0
        accs = []
        valid = ops.maximum(ops.sum(mask), 1.0)
        for k, lg in enumerate(logits):
            tk = targets[:, :, k]
            ce_k = keras.losses.sparse_categorical_crossentropy(tk, lg, from_logits=True)
            ce = ce + ce_k
            hit = ops.cast(ops.equal(ops.cast(ops.argmax(lg, axis=-1), "int32"), tk), "float32")
            accs.append(ops.sum(hit * mask) / valid)
        r_loss = ops.sum(ce * mask, axis=1)
        # KL(N(mu, sigma) || N(0, 1)) summed over dims.
        kl = ops.sum(0.5 * (ops.square(mu) + ops.square(sigma) - 1.0) - ops.log(sigma), axis=-1)
        free_nats = cfg.free_bits * math.log(2.0)
        kl_cost = ops.maximum(kl - free_nats, 0.0)
        step = ops.cast(step, "float32")
        beta = (1.0 - ops.power(ops.cast(cfg.beta_rate, "float32"), step)) * cfg.max_beta
        r_mean = ops.mean(r_loss)
        kl_mean = ops.mean(kl_cost)
        loss = r_mean + beta * kl_mean
        return {
            "loss": loss,
            "r_loss": r_mean,
            "kl_loss": kl_mean,
            "kl_bits": ops.mean(kl) / math.log(2.0),
            "beta": beta,
            "accuracy": ops.mean(ops.stack(accs)),
        }

    # -- canonical weights -----------------------------------------------------------------------
    def canonical_variables(self) -> Dict[str, keras.Variable]:
        """Canonical name -> Keras variable (see INTERFACES: Magenta names, Keras LSTM layout)."""
        out: Dict[str, keras.Variable] = {}
        cells = dict(self.encoder.canonical_cells())
        cells.update(self.decoder.canonical_cells())
        for scope, cell in cells.items():
            out[f"{scope}/kernel"] = cell.kernel
            out[f"{scope}/recurrent_kernel"] = cell.recurrent_kernel
            out[f"{scope}/bias"] = cell.bias
        dense = {"encoder/mu": self.mu_dense, "encoder/sigma": self.sigma_dense}
        dense.update(self.decoder.canonical_dense())
        for scope, layer in dense.items():
            out[f"{scope}/kernel"] = layer.kernel
            out[f"{scope}/bias"] = layer.bias
        return out

    def canonical_shapes(self) -> Dict[str, tuple]:
        return {k: tuple(int(d) for d in v.shape) for k, v in self.canonical_variables().items()}

    def get_canonical_weights(self) -> Dict[str, np.ndarray]:
        return {k: np.asarray(ops.convert_to_numpy(v), np.float32) for k, v in self.canonical_variables().items()}

    def set_canonical_weights(self, weights: Dict[str, np.ndarray], source: str = "weights") -> None:
        """Load a canonical dict. Every variable must be present with the right shape; extra names
        (other than ``global_step``) are an error too. ``source`` names the file in messages."""
        variables = self.canonical_variables()
        missing = sorted(set(variables) - set(weights))
        extra = sorted(n for n in set(weights) - set(variables) if n != "global_step")
        cfg = self.config.name
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {len(missing)} variable(s): {', '.join(missing[:6])}"
                             + (" ..." if len(missing) > 6 else ""))
            if extra:
                parts.append(f"unexpected {len(extra)} variable(s): {', '.join(extra[:6])}"
                             + (" ..." if len(extra) > 6 else ""))
            raise WeightsMismatchError(f"{source} does not match config {cfg!r}: " + "; ".join(parts)
                                       + f"; check that it was trained with --config {cfg}")
        for name, var in variables.items():
            value = np.asarray(weights[name])
            want = tuple(int(d) for d in var.shape)
            if tuple(value.shape) != want:
                raise WeightsMismatchError(
                    f"{source}: variable {name!r} has shape {tuple(value.shape)}, config {cfg!r} expects "
                    f"{want}; check that it was trained with --config {cfg}")
            if not np.all(np.isfinite(value)):
                raise WeightsMismatchError(f"{source}: variable {name!r} holds NaN/inf values; the file is corrupt")
        for name, var in variables.items():
            var.assign(np.asarray(weights[name], np.float32))


def build_model(config) -> MusicVAE:
    """A freshly initialised model for ``config`` (a MusicVAEConfig or a config name)."""
    if isinstance(config, str):
        from ..configs import get_config

        config = get_config(config)
    return MusicVAE(config)
