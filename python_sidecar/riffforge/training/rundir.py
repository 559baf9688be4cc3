"""RUN directories: what ``riffforge train`` writes and what ``--init`` / ``--resume`` / ``export`` read.

Layout (see INTERFACES "RUN DIRECTORY")::

    RUN/weights.npz           canonical weight dict, float32 (Magenta names, Keras LSTM layout)
    RUN/run.json              {"config", "step", "source", "corpus", "val_metrics", ...}
    RUN/checkpoints/ckpt-00001000.npz   model + Adam state for --resume (last few kept)
    RUN/metrics.jsonl         one JSON line per logged step (train and validation)
    RUN/tensorboard/          TensorBoard event files
    RUN/curves.png            training curves, written at the end

Every file is written to a temporary name and renamed into place, so an interrupted run never leaves
a half-written weights file. Readers turn any unreadable file into one :class:`RunDirError` that
names the file and the fix.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..atomic import atomic_write, write_json_atomic

WEIGHTS = "weights.npz"
RUN_JSON = "run.json"
CHECKPOINTS = "checkpoints"
METRICS = "metrics.jsonl"


class RunDirError(ValueError):
    """A RUN directory or checkpoint is missing, corrupt or does not fit; the message says the fix."""


def save_text(path: Path, text: str) -> None:
    atomic_write(Path(path), lambda h: h.write(text.encode("utf-8")))


def save_npz(path: Path, arrays: Dict[str, np.ndarray]) -> None:
    atomic_write(Path(path), lambda h: np.savez(h, **arrays))


def save_json(path: Path, data: Dict) -> None:
    write_json_atomic(path, data)


def load_npz(path: Path, what: str = "weights") -> Dict[str, np.ndarray]:
    """Read every array of an .npz; a truncated or garbled file is a RunDirError naming it."""
    path = Path(path)
    if not path.is_file():
        raise RunDirError(f"{path}: no such {what} file")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: np.asarray(data[k]) for k in data.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise RunDirError(f"{path}: corrupt {what} file ({type(exc).__name__}: {exc}); delete it and re-run "
                          "the training or import that wrote it") from None


def save_weights(run_dir: Path, weights: Dict[str, np.ndarray]) -> None:
    save_npz(Path(run_dir) / WEIGHTS, {k: np.asarray(v, np.float32) for k, v in weights.items()})


def read_run_json(run_dir: Path) -> Dict:
    path = Path(run_dir) / RUN_JSON
    if not path.is_file():
        raise RunDirError(f"{path}: missing; a RUN directory needs {WEIGHTS} and {RUN_JSON} "
                          "(written by `riffforge train` or `riffforge import-magenta`)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunDirError(f"{path}: corrupt run.json ({exc}); re-run the training or import that wrote it") from None
    if not isinstance(data, dict) or not isinstance(data.get("config"), str):
        raise RunDirError(f"{path}: field 'config' (the config name) is missing")
    return data


def load_run(path) -> Tuple[Dict[str, np.ndarray], Dict]:
    """(canonical weights, run.json) of a RUN directory (or of a ``weights.npz`` beside its run.json)."""
    path = Path(path)
    if path.is_file() and path.suffix == ".npz":
        run_dir = path.parent
        weights_path = path
    else:
        if not path.is_dir():
            raise RunDirError(f"{path}: no such RUN directory (expected {WEIGHTS} + {RUN_JSON} inside)")
        run_dir, weights_path = path, path / WEIGHTS
    meta = read_run_json(run_dir)
    weights = load_npz(weights_path, "weights")
    if not weights:
        raise RunDirError(f"{weights_path}: holds no variables; the file is corrupt")
    return weights, meta


def load_init(path) -> Tuple[Dict[str, np.ndarray], Dict]:
    """(float32 weights, run.json-like meta) of what ``--init`` names: a RUN directory or a model bundle
    (``model.json`` + ``weights.npz``, as ``riffforge export`` writes and the package ships). A bundle's
    meta has its config name, ``step`` = the steps it was trained for and ``source`` = ``"bundle"``;
    float16 bundle weights are upcast to float32."""
    path = Path(path)
    if path.is_dir() and (path / "model.json").is_file():
        from ..runtime.bundle import BundleError, read_bundle_arrays

        try:
            info, config, role, weights, _controls = read_bundle_arrays(path)
        except BundleError as exc:
            raise RunDirError(str(exc)) from None
        steps = (info.get("metadata") or {}).get("steps")
        return weights, {"config": config.name, "step": int(steps) if isinstance(steps, int) else 0,
                         "source": "bundle", "role": role, "model_id": info.get("model_id")}
    if path.is_dir() and not (path / RUN_JSON).is_file():
        raise RunDirError(f"{path}: neither a RUN directory ({WEIGHTS} + {RUN_JSON}) nor a model bundle "
                          f"(model.json + {WEIGHTS}); pass a `riffforge train` RUN folder or a bundle folder "
                          "such as python_sidecar/riffforge/models/metal-guitar")
    return load_run(path)


# -- resumable checkpoints ---------------------------------------------------------------------
def checkpoint_path(run_dir: Path, step: int) -> Path:
    return Path(run_dir) / CHECKPOINTS / f"ckpt-{int(step):08d}.npz"


def list_checkpoints(run_dir: Path) -> List[Path]:
    folder = Path(run_dir) / CHECKPOINTS
    return sorted(folder.glob("ckpt-*.npz")) if folder.is_dir() else []


def save_checkpoint(run_dir: Path, step: int, weights: Dict[str, np.ndarray], optimizer_state: List[np.ndarray],
                    state: Dict, keep: int = 3) -> Path:
    arrays = {f"model/{k}": np.asarray(v, np.float32) for k, v in weights.items()}
    for i, v in enumerate(optimizer_state):
        arrays[f"optimizer/{i:05d}"] = np.asarray(v)
    arrays["state_json"] = np.frombuffer(json.dumps(state).encode(), np.uint8)
    path = checkpoint_path(run_dir, step)
    save_npz(path, arrays)
    for old in list_checkpoints(run_dir)[:-keep]:
        old.unlink(missing_ok=True)
    return path


def load_checkpoint(path: Path) -> Tuple[Dict[str, np.ndarray], List[np.ndarray], Dict]:
    arrays = load_npz(path, "checkpoint")
    if "state_json" not in arrays:
        raise RunDirError(f"{path}: not a riffforge training checkpoint (no state_json); delete it")
    try:
        state = json.loads(arrays.pop("state_json").tobytes().decode())
    except ValueError as exc:
        raise RunDirError(f"{path}: corrupt checkpoint state ({exc}); delete it to resume from an older one") from None
    weights = {k[len("model/"):]: v for k, v in arrays.items() if k.startswith("model/")}
    opt = [arrays[k] for k in sorted(k for k in arrays if k.startswith("optimizer/"))]
    return weights, opt, state


def latest_checkpoint(run_dir: Path) -> Optional[Path]:
    found = list_checkpoints(run_dir)
    return found[-1] if found else None
