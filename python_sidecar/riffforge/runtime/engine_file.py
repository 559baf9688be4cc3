"""The compact engine model file (``.rfem``, "RiffForge engine model") that the in-engine C# runtime loads.

A model bundle (:mod:`riffforge.runtime.bundle`) holds a whole MusicVAE as a NumPy ``.npz``; the game only
decodes, so the engine file keeps the decoder weights and the latent controls and nothing else, in a layout a
few lines of C# can read without a zip or JSON library beyond a small header parser::

    bytes 0-3    magic b"RFEM"
    bytes 4-7    uint32 format_version (FORMAT_VERSION)
    bytes 8-11   uint32 header_len
    header       UTF-8 JSON, header_len bytes (see below)
    padding      zeros up to the next multiple of 16 from the start of the file: the data start
    data         each array's raw little-endian values at ``offset`` (relative to the data start, a multiple
                 of 16), ``nbytes`` long, C order

The header::

    {"format": "riffforge-engine-model", "model_id": ..., "role": "guitar" | "bass" | "drums" | "band",
     "config": {"name", "encoding", "decoder", "z_size", "dec_rnn_size", "max_seq_len", "output_depth",
                "output_depths", "control_depth", "level_lengths", "bars", "steps_per_bar"},
     "controls": [control names, as in the bundle's model.json],
     "arrays": [{"name", "dtype": "float16" | "float32", "shape", "offset", "nbytes"}, ...]}

Array names are the canonical weight names (``decoder/multi_rnn_cell/cell_0/lstm_cell/kernel``, Keras
layout, gates ``i, f, c, o``, forget bias included) and ``control/<name>`` for each control. Weights are
float16 where the bundle stores float16, else float32; controls are float32.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Dict, Tuple, Union

import numpy as np

from ..atomic import atomic_write

MAGIC = b"RFEM"
FORMAT = "riffforge-engine-model"
FORMAT_VERSION = 1
#: The engine file's name inside a bundle folder (``riffforge export`` writes it).
ENGINE_FILE = "engine.rfem"
ALIGN = 16
_PREAMBLE = struct.Struct("<4sII")
_DTYPES = {"float16": np.dtype("<f2"), "float32": np.dtype("<f4")}
CONFIG_FIELDS = ("name", "encoding", "decoder", "z_size", "dec_rnn_size", "max_seq_len", "output_depth",
                 "output_depths", "control_depth", "level_lengths", "bars", "steps_per_bar")


class EngineFileError(ValueError):
    """An engine model file is missing, truncated or malformed; the message names the file, field and fix."""


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def engine_arrays(bundle) -> Tuple[Dict, "Dict[str, np.ndarray]"]:
    """``(header without arrays, {name: array})`` of a bundle (a :class:`~riffforge.runtime.bundle.Bundle`
    or a bundle folder): the decoder weights (not the encoder) and the controls."""
    from .bundle import Bundle, read_bundle_arrays

    path = bundle.path if isinstance(bundle, Bundle) else Path(bundle)
    info, config, role, weights, controls = read_bundle_arrays(path)
    half = bool(info.get("float16"))
    arrays: Dict[str, np.ndarray] = {}
    for name, a in weights.items():  # canonical order
        if name.startswith("encoder/"):
            continue
        arrays[name] = np.ascontiguousarray(a, dtype=np.float16 if half else np.float32)
    for name in sorted(controls):
        arrays["control/" + name] = np.ascontiguousarray(controls[name], dtype=np.float32)
    cfg = {
        "name": config.name, "encoding": config.encoding, "decoder": config.decoder, "z_size": config.z_size,
        "dec_rnn_size": list(config.dec_rnn_size), "max_seq_len": config.max_seq_len,
        "output_depth": config.output_depth, "output_depths": list(config.output_depths),
        "control_depth": config.control_depth, "level_lengths": list(config.level_lengths),
        "bars": config.bars, "steps_per_bar": int(config.steps_per_quarter * config.quarters_per_bar),
    }
    header = {"format": FORMAT, "model_id": str(info.get("model_id") or path.name), "role": role,
              "config": cfg, "controls": sorted(controls)}
    return header, arrays


def engine_model_bytes(bundle) -> bytes:
    """The engine file of ``bundle`` as bytes (deterministic: equal bundles give equal bytes)."""
    header, arrays = engine_arrays(bundle)
    entries, offset = [], 0
    for name, a in arrays.items():
        nbytes = int(a.nbytes)
        entries.append({"name": name, "dtype": str(a.dtype), "shape": list(a.shape), "offset": offset,
                        "nbytes": nbytes})
        offset = _align(offset + nbytes)
    header["arrays"] = entries
    text = json.dumps(header, separators=(",", ":"), sort_keys=False).encode("utf-8")
    start = _align(_PREAMBLE.size + len(text))
    out = bytearray(start + offset)
    _PREAMBLE.pack_into(out, 0, MAGIC, FORMAT_VERSION, len(text))
    out[_PREAMBLE.size:_PREAMBLE.size + len(text)] = text
    for entry, a in zip(entries, arrays.values()):
        pos = start + entry["offset"]
        out[pos:pos + entry["nbytes"]] = a.astype(_DTYPES[entry["dtype"]], copy=False).tobytes()
    return bytes(out)


def write_engine_model(bundle, path: Union[str, Path]) -> Path:
    """Write the engine file of ``bundle`` (a Bundle or a bundle folder) to ``path`` atomically."""
    path = Path(path)
    data = engine_model_bytes(bundle)
    atomic_write(path, lambda h: h.write(data))
    return path


def parse_engine_model(data: bytes, source: str = "engine model") -> Tuple[Dict, "Dict[str, np.ndarray]"]:
    """``(header, {name: array})`` of engine-file bytes; arrays keep their stored dtype (float16 or float32).

    Raises :class:`EngineFileError` naming ``source``, the field and the fix on a bad magic, an unknown
    version, a truncated file or a malformed header.
    """
    redo = "rewrite it with `python build/engine_assets.py` or `riffforge export`"
    if len(data) < _PREAMBLE.size:
        raise EngineFileError(f"{source}: truncated ({len(data)} bytes, the preamble alone is {_PREAMBLE.size}); "
                              f"{redo}")
    magic, version, header_len = _PREAMBLE.unpack_from(data, 0)
    if magic != MAGIC:
        raise EngineFileError(f"{source}: field 'magic' is {magic!r}, expected {MAGIC!r}: not a RiffForge engine "
                              f"model; {redo}")
    if version != FORMAT_VERSION:
        raise EngineFileError(f"{source}: field 'format_version' is {version}, this runtime reads "
                              f"{FORMAT_VERSION}; {redo} (or upgrade riffforge)")
    if _PREAMBLE.size + header_len > len(data):
        raise EngineFileError(f"{source}: truncated: field 'header_len' is {header_len} but the file has "
                              f"{len(data) - _PREAMBLE.size} bytes after the preamble; {redo}")
    try:
        header = json.loads(bytes(data[_PREAMBLE.size:_PREAMBLE.size + header_len]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise EngineFileError(f"{source}: field 'header' is not UTF-8 JSON ({exc}); {redo}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        got = header.get("format") if isinstance(header, dict) else type(header).__name__
        raise EngineFileError(f"{source}: field 'header.format' is {got!r}, expected {FORMAT!r}; {redo}")
    start = _align(_PREAMBLE.size + header_len)
    arrays: Dict[str, np.ndarray] = {}
    for i, entry in enumerate(header.get("arrays") or []):
        try:
            name, dtype = str(entry["name"]), _DTYPES[entry["dtype"]]
            shape, offset, nbytes = [int(s) for s in entry["shape"]], int(entry["offset"]), int(entry["nbytes"])
        except (KeyError, TypeError, ValueError) as exc:
            raise EngineFileError(f"{source}: field 'arrays[{i}]' is malformed ({type(exc).__name__}: {exc}); "
                                  f"{redo}") from None
        count = int(np.prod(shape)) if shape else 1
        if nbytes != count * dtype.itemsize:
            raise EngineFileError(f"{source}: field 'arrays[{i}].nbytes' of {name!r} is {nbytes}, shape {shape} "
                                  f"of {dtype.name} needs {count * dtype.itemsize}; {redo}")
        if offset < 0 or start + offset + nbytes > len(data):
            raise EngineFileError(f"{source}: truncated: array {name!r} (field 'arrays[{i}]') ends at byte "
                                  f"{start + offset + nbytes}, the file has {len(data)}; {redo}")
        arrays[name] = np.frombuffer(data, dtype, count, start + offset).reshape(shape)
    return header, arrays


def read_engine_model(path: Union[str, Path]) -> Tuple[Dict, "Dict[str, np.ndarray]"]:
    """``(header, {name: array})`` of the engine file at ``path`` (see :func:`parse_engine_model`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EngineFileError(f"{path}: cannot read the engine model ({exc.strerror or exc}); write it with "
                              "`python build/engine_assets.py` or `riffforge export`") from None
    return parse_engine_model(data, str(path))
