"""TensorFlow-free MusicVAE runtime: model bundles, NumPy inference, and riff generation controls."""
from .model import DecodeResult, MusicVAE
from .weights import WeightsError, canonical_shapes, check_weights, random_canonical_weights

__all__ = ["DecodeResult", "MusicVAE", "WeightsError", "canonical_shapes", "check_weights",
           "random_canonical_weights"]
