"""TensorFlow-free MusicVAE runtime: model bundles, NumPy inference, and riff generation controls.

``load_generator(models_dir)`` is what the sidecar calls: the model-backed band generator when bundles are
found (in ``models_dir``, else in the packaged default ``riffforge/models/``), otherwise the procedural
generator. Importing this package imports NumPy and the numpy-only riffforge modules, never TensorFlow.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Union

from .blas import limit_blas_threads
from .bundle import Bundle, BundleError, find_bundles, load_bundle, save_bundle
from .model import DecodeResult, MusicVAE
from .weights import WeightsError, canonical_shapes, check_weights, random_canonical_weights

DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
limit_blas_threads(1)

__all__ = ["Bundle", "BundleError", "DecodeResult", "MusicVAE", "WeightsError", "canonical_shapes",
           "check_weights", "random_canonical_weights", "find_bundles", "load_bundle", "save_bundle",
           "load_generator", "load_bundles", "DEFAULT_MODELS_DIR"]


def load_bundles(models_dir: Union[str, Path]) -> List[Bundle]:
    """Every bundle in ``models_dir`` (a bundle directory or a folder of them), loaded and validated."""
    return [load_bundle(p) for p in find_bundles(models_dir).values()]


def load_generator(models_dir: Optional[Union[str, Path]] = None, candidates: Optional[int] = None):
    """The generator the sidecar serves requests with.

    ``models_dir`` given: its bundles must load (a broken bundle raises :class:`BundleError` naming the
    array); a directory without bundles falls back to the procedural generator. ``None``: the packaged
    default models, or the procedural generator when none are installed.
    """
    from .generator import ModelGenerator

    where = Path(models_dir) if models_dir is not None else DEFAULT_MODELS_DIR
    if models_dir is not None and not where.exists():
        raise BundleError(f"{where}: models directory does not exist")
    bundles = load_bundles(where) if where.exists() else []
    if bundles:
        return ModelGenerator(bundles) if candidates is None else ModelGenerator(bundles, candidates=candidates)
    from ..music.procedural import ProceduralGenerator

    return ProceduralGenerator()
