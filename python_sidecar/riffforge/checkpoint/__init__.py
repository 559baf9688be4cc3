"""TensorFlow-free access to TF1 checkpoints and the Magenta -> canonical MusicVAE weight mapping.

- :func:`read_checkpoint` / :class:`CheckpointReader`: pure-Python reader (index table + data shards,
  CRC-32C verified); accepts a directory, a prefix, or Magenta's ``.tar``.
- :func:`magenta_to_canonical`: Magenta variables -> the canonical weight dict (see INTERFACES).
"""
from .reader import CheckpointError, CheckpointReader, TensorEntry, is_optimizer_slot, read_checkpoint

__all__ = ["CheckpointError", "CheckpointReader", "TensorEntry", "is_optimizer_slot", "read_checkpoint"]
from .magenta import MappingError, canonical_to_magenta, magenta_shapes, magenta_to_canonical

__all__ += ["MappingError", "canonical_to_magenta", "magenta_shapes", "magenta_to_canonical"]
