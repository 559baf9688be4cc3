"""Model bundles: what ``riffforge export`` writes and the sidecar loads, with NumPy only.

A bundle is a directory::

    MODEL_DIR/model.json    format, config (architecture, sizes), encoding, role, arrays (name -> shape,
                            dtype), metadata (source run, steps, training corpus hash, validation metrics,
                            license / attribution of the training data), control summary, and ``styles``:
                            the styles the bundle can steer (those with a ``style/<name>`` centroid)
    MODEL_DIR/weights.npz   canonical weights (float32, or float16 where export verified parity) plus
                            control arrays under ``control/`` (intensity direction, style centroids)

``role`` says what the bundle plays: ``"band"`` (a trio model: guitar = melody head, bass, drums), or one
of ``"drums"``, ``"guitar"``, ``"bass"`` for single-instrument models. :func:`load_bundle` checks every
array against ``model.json`` and the config, and fails with a message naming the array.
"""
from __future__ import annotations

import json
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Mapping, Optional, Union

import numpy as np

from ..atomic import atomic_write, write_json_atomic
from ..configs import MusicVAEConfig
from .model import MusicVAE
from .weights import canonical_shapes

FORMAT = "riffforge-model-bundle"
FORMAT_VERSION = 1
MODEL_JSON = "model.json"
WEIGHTS = "weights.npz"
CONTROL_PREFIX = "control/"
STYLE_PREFIX = "style/"  # a control named style/<name> is that style's latent centroid
ROLES = ("band", "drums", "guitar", "bass")
#: Instruments a role's heads map to, in head order.
ROLE_INSTRUMENTS = {"band": ("guitar", "bass", "drums"), "drums": ("drums",), "guitar": ("guitar",),
                    "bass": ("bass",)}


class BundleError(ValueError):
    """A model bundle is missing, corrupt or inconsistent; the message names the file/array and the fix."""


@dataclass
class Bundle:
    """A loaded bundle: its model, metadata and control arrays."""

    path: Path
    config: MusicVAEConfig
    role: str
    model: MusicVAE
    metadata: Dict
    controls: Dict[str, np.ndarray] = field(default_factory=dict)
    info: Dict = field(default_factory=dict)

    @property
    def model_id(self) -> str:
        return str(self.info.get("model_id") or self.path.name)

    @property
    def instruments(self):
        return ROLE_INSTRUMENTS[self.role]

    @property
    def styles(self):
        """The styles this bundle can steer: those with a style centroid among its controls."""
        return steerable_styles(self.controls)


def steerable_styles(controls: Mapping[str, object]):
    """Styles with a ``style/<name>`` centroid in ``controls``, in :data:`riffforge.music.riff.STYLES` order."""
    from ..music.riff import STYLES

    return tuple(s for s in STYLES if STYLE_PREFIX + s in controls)


def default_role(config: MusicVAEConfig) -> str:
    return {"trio": "band", "drums": "drums", "melody": "guitar"}[config.encoding]


def save_bundle(out: Union[str, Path], config: MusicVAEConfig, weights: Mapping[str, np.ndarray], *,
                role: Optional[str] = None, metadata: Optional[Dict] = None,
                controls: Optional[Mapping[str, np.ndarray]] = None, float16: bool = False,
                model_id: Optional[str] = None, encoding: Optional[Dict] = None) -> Path:
    """Write a bundle directory (atomically per file). Returns its path."""
    role = role or default_role(config)
    if role not in ROLES:
        raise BundleError(f"role={role!r}: use one of {', '.join(ROLES)}")
    expected = canonical_shapes(config)
    arrays: Dict[str, np.ndarray] = {}
    for name in expected:
        a = np.asarray(weights[name], np.float32)
        arrays[name] = a.astype(np.float16) if float16 else a
    for name, a in (controls or {}).items():
        arrays[CONTROL_PREFIX + name] = np.asarray(a, np.float32)
    if encoding is None:
        from ..encoding import encoding_info

        encoding = encoding_info(config.encoding, config.bars, chords=bool(config.control_depth))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    info = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_id": model_id or out.name,
        "role": role,
        "instruments": list(ROLE_INSTRUMENTS[role]),
        "config": config.to_dict(),
        "encoding": encoding,
        "arrays": {k: {"shape": list(v.shape), "dtype": str(v.dtype)} for k, v in arrays.items()},
        "float16": bool(float16),
        "controls": sorted(controls or {}),
        "styles": list(steerable_styles(controls or {})),
        "metadata": {"exported_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **(metadata or {})},
    }
    atomic_write(out / WEIGHTS, lambda h: np.savez(h, **arrays))
    write_json_atomic(out / MODEL_JSON, info)
    return out


def read_info(path: Union[str, Path]) -> Dict:
    path = Path(path)
    mj = path / MODEL_JSON
    if not mj.is_file():
        raise BundleError(f"{mj}: missing; a model bundle needs {MODEL_JSON} and {WEIGHTS} "
                          "(write one with `riffforge export RUN --out DIR`)")
    try:
        info = json.loads(mj.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BundleError(f"{mj}: corrupt JSON ({exc}); re-export the bundle") from None
    if info.get("format") != FORMAT:
        raise BundleError(f"{mj}: field 'format' is {info.get('format')!r}, expected {FORMAT!r}")
    if int(info.get("format_version", 0)) > FORMAT_VERSION:
        raise BundleError(f"{mj}: format_version {info.get('format_version')} is newer than this runtime "
                          f"({FORMAT_VERSION}); upgrade riffforge")
    return info


def load_bundle(path: Union[str, Path]) -> Bundle:
    """Load and validate a bundle; any missing or mismatched array is a :class:`BundleError` naming it."""
    path = Path(path)
    info, config, role, weights, controls = read_bundle_arrays(path)
    return Bundle(path=path, config=config, role=role, model=MusicVAE(config, weights),
                  metadata=info.get("metadata", {}), controls=controls, info=info)


def read_bundle_arrays(path: Union[str, Path]):
    """``(info, config, role, weights, controls)`` of a validated bundle, weights upcast to float32
    (``riffforge train --init BUNDLE`` fine-tunes from them)."""
    path = Path(path)
    info = read_info(path)
    try:
        config = MusicVAEConfig.from_dict(info["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"{path / MODEL_JSON}: field 'config' is invalid ({exc})") from None
    role = info.get("role", default_role(config))
    if role not in ROLES:
        raise BundleError(f"{path / MODEL_JSON}: field 'role' is {role!r}; use one of {', '.join(ROLES)}")
    wpath = path / WEIGHTS
    if not wpath.is_file():
        raise BundleError(f"{wpath}: missing; re-export the bundle")
    try:
        with np.load(wpath, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise BundleError(f"{wpath}: corrupt weights file ({type(exc).__name__}: {exc}); re-export the bundle") from None
    declared = info.get("arrays", {})
    expected = canonical_shapes(config)
    for name, shape in expected.items():
        if name not in arrays:
            raise BundleError(f"{wpath}: array {name!r} is missing (config {config.name!r} needs it, shape "
                              f"{list(shape)}); re-export the bundle")
        if tuple(arrays[name].shape) != tuple(shape):
            raise BundleError(f"{wpath}: array {name!r} has shape {list(arrays[name].shape)}, config "
                              f"{config.name!r} expects {list(shape)}")
    for name, a in arrays.items():
        d = declared.get(name)
        if d is None:
            raise BundleError(f"{wpath}: array {name!r} is not declared in {MODEL_JSON}; re-export the bundle")
        if list(a.shape) != list(d.get("shape", [])):
            raise BundleError(f"{wpath}: array {name!r} has shape {list(a.shape)} but {MODEL_JSON} declares "
                              f"{d.get('shape')}")
        if name not in expected and not name.startswith(CONTROL_PREFIX):
            raise BundleError(f"{wpath}: unexpected array {name!r} for config {config.name!r}")
    for name in declared:
        if name not in arrays:
            raise BundleError(f"{wpath}: array {name!r} declared in {MODEL_JSON} is missing; re-export the bundle")
    weights = {k: np.asarray(arrays[k], np.float32) for k in expected}
    controls = {k[len(CONTROL_PREFIX):]: np.asarray(v, np.float32) for k, v in arrays.items()
                if k.startswith(CONTROL_PREFIX)}
    bad = [k for k, v in controls.items() if not np.isfinite(v).all()]
    if bad or not all(np.isfinite(w).all() for w in weights.values()):
        raise BundleError(f"{wpath}: non-finite values in {bad or 'weights'}; re-export the bundle")
    return info, config, role, weights, controls


def find_bundles(models_dir: Union[str, Path]) -> Dict[str, Path]:
    """``{model_id: path}`` of every bundle directly in ``models_dir`` (or ``models_dir`` itself)."""
    models_dir = Path(models_dir)
    found: Dict[str, Path] = {}
    if (models_dir / MODEL_JSON).is_file():
        found[models_dir.name] = models_dir
        return found
    if models_dir.is_dir():
        for sub in sorted(models_dir.iterdir()):
            if (sub / MODEL_JSON).is_file():
                found[sub.name] = sub
    return found
