"""Keras 3 MusicVAE (Magenta's architecture and loss), training-side only.

Importing this package imports Keras (and its backend); the runtime never does. Public API:

- :class:`MusicVAE` / :func:`build_model(config)` — the model for a :mod:`riffforge.configs` config.
- ``model.encode(inputs, lengths, controls)`` -> (mu, sigma);
  ``model.sample(z, controls, temperature)`` -> (classes [B, T, K], per-head logits);
  ``model.losses_for_batch(...)`` -> Magenta's loss terms.
- ``model.get_canonical_weights()`` / ``model.set_canonical_weights(dict)`` — the canonical weight dict
  shared with the Magenta importer and the NumPy runtime (Magenta names, Keras LSTM layout).
"""
from .lstm import keras_to_magenta_lstm, magenta_to_keras_lstm
from .vae import MusicVAE, WeightsMismatchError, build_model

__all__ = ["MusicVAE", "WeightsMismatchError", "build_model", "magenta_to_keras_lstm", "keras_to_magenta_lstm"]
