"""The msgpack payloads: capabilities (in hello), request (in request), riff (in riff chunks).

Encoders write the *canonical* form (``protocol.json`` → ``msgpack.canonical_encoding``): keys in schema
order, smallest ints, float64, str never bin — so Python and C# produce identical bytes. Decoders are
liberal in order and unknown keys, strict in types and ranges, and raise :class:`PayloadError` with a
stable error code and a message that names the field, the bad value and the fix.
"""
from __future__ import annotations

import math
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

import msgpack

from ..generation import Capabilities, RiffRequest, RiffRequestError
from ..music.riff import INSTRUMENTS, STYLES, Riff, RiffError, pitch_class
from .constants import (MAX_BARS, MAX_CAPABILITIES_PAYLOAD_BYTES, MAX_DATAGRAM_BYTES, MAX_REQUEST_PAYLOAD_BYTES,
                        MAX_RIFF_PAYLOAD_BYTES, SEED_MAX, SEED_MIN, ErrorCode)
from .errors import PayloadError

AUTO = "auto"
REQUEST_KEYS = ("intensity", "style", "bars", "tempo", "key", "mode", "seed", "instruments", "temperature")
CAPABILITY_KEYS = ("styles", "instruments", "max_bars", "model_ids", "heartbeat_timeout_ms", "max_datagram")
RIFF_KEYS = ("tempo", "meter", "bars", "key", "mode", "style", "intensity", "seed", "model_id", "tuning", "tracks")
TEMPO_RANGE = (40.0, 320.0)
TEMPERATURE_MAX = 4.0


def pack(obj: Any) -> bytes:
    """Canonical msgpack (dict insertion order is the key order)."""
    return msgpack.packb(obj, use_bin_type=True, use_single_float=False)


def unpack(data: bytes, limit: int, what: str) -> Any:
    """Decode msgpack from an untrusted peer; anything odd becomes a ``bad_request`` PayloadError."""
    if len(data) > limit:
        raise PayloadError(ErrorCode.BAD_REQUEST, f"{what} payload is {len(data)} bytes; the limit is {limit}")
    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=True, use_list=True)
    except Exception as exc:  # msgpack raises many types (ExtraData, FormatError, ValueError, ...)
        raise PayloadError(ErrorCode.BAD_REQUEST, f"{what} payload is not valid msgpack: "
                                                  f"{type(exc).__name__}: {exc}") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- capabilities ----------------------------------------------------------------------------------------
def encode_capabilities(caps: Capabilities, heartbeat_timeout_ms: int,
                        modes: Optional[Sequence[str]] = None) -> bytes:
    data: Dict[str, Any] = {
        "styles": list(caps.styles),
        "instruments": list(caps.instruments),
        "max_bars": int(min(caps.max_bars, MAX_BARS)),
        "model_ids": list(caps.model_ids),
        "heartbeat_timeout_ms": int(heartbeat_timeout_ms),
        "max_datagram": MAX_DATAGRAM_BYTES,
    }
    if modes:
        data["modes"] = list(modes)
    # always sent (empty: every style is steered), so a host tells "none" from an older sidecar's silence
    data["unsteered_styles"] = [s for s in caps.unsteered_styles if s in caps.styles]
    return pack(data)


def decode_capabilities(blob: bytes) -> Dict[str, Any]:
    data = unpack(blob, MAX_CAPABILITIES_PAYLOAD_BYTES, "capabilities")
    if not isinstance(data, dict):
        raise PayloadError(ErrorCode.BAD_REQUEST, "capabilities payload must be a msgpack map")
    for key in CAPABILITY_KEYS:
        if key not in data:
            raise PayloadError(ErrorCode.BAD_REQUEST, f"capabilities is missing {key!r}")
    optional = tuple(k for k in ("modes", "unsteered_styles") if k in data)
    for key in ("styles", "instruments", "model_ids") + optional:
        if not isinstance(data[key], list) or not all(isinstance(x, str) for x in data[key]):
            raise PayloadError(ErrorCode.BAD_REQUEST, f"capabilities.{key} must be a list of strings")
    stray = [s for s in data.get("unsteered_styles", []) if s not in data["styles"]]
    if stray:
        raise PayloadError(ErrorCode.BAD_REQUEST, f"capabilities.unsteered_styles: {stray[0]!r} is not in "
                                                  "capabilities.styles; list only styles a request may ask for")
    for key in ("max_bars", "heartbeat_timeout_ms", "max_datagram"):
        if not _is_int(data[key]) or data[key] < 0:
            raise PayloadError(ErrorCode.BAD_REQUEST, f"capabilities.{key}={data[key]!r} must be an int >= 0")
    return data


# -- request ---------------------------------------------------------------------------------------------
def request_to_map(request: RiffRequest) -> Dict[str, Any]:
    """The canonical request map (all nine keys, schema order)."""
    return {
        "intensity": float(request.intensity),
        "style": request.style,
        "bars": int(request.bars),
        "tempo": AUTO if request.tempo is None else float(request.tempo),
        "key": AUTO if request.key is None else request.key,
        "mode": AUTO if request.mode is None else request.mode,
        "seed": None if request.seed is None else int(request.seed),
        "instruments": list(request.instruments),
        "temperature": None if request.temperature is None else float(request.temperature),
    }


def encode_request(request: RiffRequest) -> bytes:
    return pack(request_to_map(request))


def decode_request(blob: bytes, styles: Iterable[str] = STYLES, max_bars: int = MAX_BARS,
                   instruments: Iterable[str] = INSTRUMENTS, modes: Optional[Iterable[str]] = None) -> RiffRequest:
    """Validate a request payload against the protocol and the generator's capabilities."""
    data = unpack(blob, MAX_REQUEST_PAYLOAD_BYTES, "request")
    if not isinstance(data, dict):
        raise PayloadError(ErrorCode.BAD_REQUEST, f"request payload must be a msgpack map, got "
                                                  f"{type(data).__name__}")
    return request_from_map(data, styles=tuple(styles), max_bars=max_bars, instruments=tuple(instruments),
                            modes=None if modes is None else tuple(modes))


def _bad(field: str, value: Any, fix: str, code: str = ErrorCode.BAD_REQUEST) -> PayloadError:
    return PayloadError(code, f"{field}={value!r}: {fix}")


def request_from_map(data: Mapping[str, Any], styles: Tuple[str, ...] = STYLES, max_bars: int = MAX_BARS,
                     instruments: Tuple[str, ...] = INSTRUMENTS,
                     modes: Optional[Tuple[str, ...]] = None) -> RiffRequest:
    if "intensity" not in data:
        raise PayloadError(ErrorCode.BAD_REQUEST, "request is missing 'intensity' (a number 0..1)")
    intensity = data["intensity"]
    if not _is_number(intensity):
        raise _bad("intensity", intensity, "must be a number 0..1")
    if not 0.0 <= intensity <= 1.0:
        raise _bad("intensity", intensity, "must be within 0..1", ErrorCode.OUT_OF_RANGE)

    style = data.get("style", "thrash")
    if not isinstance(style, str):
        raise _bad("style", style, f"must be a string, one of {', '.join(styles)}")
    if style not in styles:
        raise _bad("style", style, f"unknown style; use one of {', '.join(styles)}", ErrorCode.UNKNOWN_STYLE)

    bars = data.get("bars", 2)
    if not _is_int(bars):
        raise _bad("bars", bars, f"must be an integer 1..{max_bars}")
    if not 1 <= bars <= max_bars:
        raise _bad("bars", bars, f"must be an integer 1..{max_bars}", ErrorCode.OUT_OF_RANGE)

    tempo = data.get("tempo", AUTO)
    if tempo == AUTO:
        tempo = None
    elif not _is_number(tempo):
        raise _bad("tempo", tempo, "must be a number of BPM or \"auto\"")
    elif not TEMPO_RANGE[0] <= tempo <= TEMPO_RANGE[1]:
        raise _bad("tempo", tempo, f"must be {TEMPO_RANGE[0]:g}..{TEMPO_RANGE[1]:g} BPM or \"auto\"",
                   ErrorCode.OUT_OF_RANGE)

    key = data.get("key", AUTO)
    if key == AUTO:
        key = None
    elif not isinstance(key, str):
        raise _bad("key", key, "must be a pitch class name (E, F#, Bb, ...) or \"auto\"")
    else:
        try:
            pitch_class(key)
        except RiffError:
            raise _bad("key", key, "not a pitch class; use C C# Db D D# Eb E F F# Gb G G# Ab A A# Bb B or "
                                   "\"auto\"", ErrorCode.UNSUPPORTED) from None

    mode = data.get("mode", AUTO)
    if mode == AUTO:
        mode = None
    elif not isinstance(mode, str):
        raise _bad("mode", mode, "must be a mode name or \"auto\"")
    elif modes is not None and mode not in modes:
        raise _bad("mode", mode, f"unknown mode; use one of {', '.join(modes)} or \"auto\"", ErrorCode.UNSUPPORTED)

    seed = data.get("seed")
    if seed is not None:
        if not _is_int(seed):
            raise _bad("seed", seed, f"must be an integer {SEED_MIN}..{SEED_MAX} or nil")
        if not SEED_MIN <= seed <= SEED_MAX:
            raise _bad("seed", seed, f"must be {SEED_MIN}..{SEED_MAX} or nil", ErrorCode.OUT_OF_RANGE)

    wanted = data.get("instruments", list(instruments))
    if not isinstance(wanted, list) or not wanted or not all(isinstance(i, str) for i in wanted):
        raise _bad("instruments", wanted, f"must be a non-empty list of {', '.join(instruments)}")
    if len(set(wanted)) != len(wanted):
        raise _bad("instruments", wanted, "must not repeat an instrument")
    unknown = [i for i in wanted if i not in instruments]
    if unknown:
        raise _bad("instruments", wanted, f"unknown {unknown[0]!r}; use a subset of {', '.join(instruments)}",
                   ErrorCode.UNSUPPORTED)

    temperature = data.get("temperature")
    if temperature is not None:
        if not _is_number(temperature):
            raise _bad("temperature", temperature, f"must be a number in (0, {TEMPERATURE_MAX:g}] or nil")
        if not 0.0 < temperature <= TEMPERATURE_MAX:
            raise _bad("temperature", temperature, f"must be in (0, {TEMPERATURE_MAX:g}] or nil",
                       ErrorCode.OUT_OF_RANGE)
    try:
        return RiffRequest(intensity=float(intensity), style=style, bars=bars,
                           tempo=None if tempo is None else float(tempo), key=key, mode=mode, seed=seed,
                           instruments=tuple(wanted),
                           temperature=None if temperature is None else float(temperature))
    except RiffRequestError as exc:  # the generic validation is stricter than ours: say so, don't crash
        raise PayloadError(ErrorCode.BAD_REQUEST, str(exc)) from None


# -- riff ------------------------------------------------------------------------------------------------
def encode_riff(riff: Riff) -> bytes:
    """The canonical riff payload (``Riff.to_dict()``); raises PayloadError if it is too big to send."""
    data = pack(riff.to_dict())
    if len(data) > MAX_RIFF_PAYLOAD_BYTES:
        raise PayloadError(ErrorCode.INTERNAL, f"riff payload is {len(data)} bytes, over the "
                                               f"{MAX_RIFF_PAYLOAD_BYTES}-byte limit; ask for fewer bars")
    return data


def decode_riff(blob: bytes) -> Riff:
    data = unpack(blob, MAX_RIFF_PAYLOAD_BYTES, "riff")
    if not isinstance(data, dict):
        raise PayloadError(ErrorCode.BAD_REQUEST, "riff payload must be a msgpack map")
    missing = [k for k in RIFF_KEYS if k not in data]
    if missing:
        raise PayloadError(ErrorCode.BAD_REQUEST, f"riff payload is missing {', '.join(missing)}")
    tracks = data["tracks"]
    if not isinstance(tracks, dict) or not all(
            isinstance(ev, list) and len(ev) == 4 and all(_is_int(x) for x in ev)
            for events in tracks.values() if isinstance(events, list) for ev in events) \
            or not all(isinstance(events, list) for events in tracks.values()):
        raise PayloadError(ErrorCode.BAD_REQUEST, "riff.tracks must map instrument -> [[start, length, pitch, "
                                                  "velocity], ...] (ints)")
    for key in ("tempo", "intensity"):
        if not _is_number(data[key]) or not math.isfinite(data[key]):
            raise PayloadError(ErrorCode.BAD_REQUEST, f"riff.{key}={data[key]!r} must be a number")
    if not _is_int(data["seed"]) or not _is_int(data["bars"]):
        raise PayloadError(ErrorCode.BAD_REQUEST, "riff.seed and riff.bars must be integers")
    try:
        return Riff.from_dict(data)
    except RiffError as exc:
        raise PayloadError(ErrorCode.BAD_REQUEST, f"riff payload: {exc}") from None
