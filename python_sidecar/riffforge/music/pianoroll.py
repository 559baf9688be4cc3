"""Piano-roll PNG of a riff: numpy raster + a tiny PNG writer (zlib/struct), no plotting library.

Three lanes from top to bottom: guitar (orange), bass (blue), drums (green). Time runs left to right, one
16th step is :data:`STEP_PX` pixels; bar lines are bright, beat lines dim. Guitar and bass rows are MIDI
pitches (high at the top) spanning the notes played plus a margin; the drum lane has one row per drum
pitch played, ordered kick at the bottom and cymbals at the top. Velocity sets the brightness of a note.
"""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np

from .riff import Riff

STEP_PX = 8
PITCH_ROW_PX = 3
DRUM_ROW_PX = 7
LANE_GAP_PX = 4
LEFT_PX = 6  # a strip in the lane colour, so lanes are identifiable without text
BACKGROUND = (18, 18, 22)
LANE_BACKGROUND = (32, 32, 38)
OCTAVE_LINE = (44, 44, 52)
BEAT_LINE = (60, 60, 70)
BAR_LINE = (170, 170, 180)
COLOURS: Dict[str, Tuple[int, int, int]] = {
    "guitar": (255, 140, 20),
    "bass": (70, 150, 255),
    "drums": (90, 220, 110),
}
# Drum rows bottom-to-top: kick, snare family, toms low->high, hi-hats, rides, crashes/china/splash.
_DRUM_ORDER = [35, 36, 37, 38, 40, 39, 41, 43, 45, 47, 48, 50, 44, 42, 46, 51, 59, 53, 49, 57, 55, 52]


def _drum_rows(pitches: Sequence[int]) -> List[int]:
    present = set(pitches)
    ordered = [p for p in _DRUM_ORDER if p in present]
    ordered += sorted(present - set(_DRUM_ORDER))
    return ordered[::-1]  # top row first


def _pitch_rows(pitches: Sequence[int], minimum_span: int = 24) -> List[int]:
    if not pitches:
        return list(range(52, 52 - 12, -1))
    low, high = min(pitches) - 2, max(pitches) + 2
    if high - low + 1 < minimum_span:
        pad = minimum_span - (high - low + 1)
        low -= pad // 2
        high += pad - pad // 2
    return list(range(high, low - 1, -1))


def render_piano_roll(riff: Riff) -> np.ndarray:
    """Return the piano roll of ``riff`` as a ``uint8`` array of shape ``[height, width, 3]``."""
    steps = max(1, riff.total_steps)
    width = LEFT_PX + steps * STEP_PX + 1
    lanes = []
    for name in ("guitar", "bass", "drums"):
        notes = riff.notes(name)
        if name == "drums":
            rows, row_px = _drum_rows([n.pitch for n in notes]) or [36], DRUM_ROW_PX
        else:
            rows, row_px = _pitch_rows([n.pitch for n in notes]), PITCH_ROW_PX
        lanes.append((name, notes, rows, row_px))
    height = sum(len(rows) * row_px for _, _, rows, row_px in lanes) + LANE_GAP_PX * (len(lanes) + 1)
    img = np.empty((height, width, 3), dtype=np.uint8)
    img[:] = BACKGROUND
    y = LANE_GAP_PX
    beat_steps = 16 // riff.meter[1] if riff.meter[1] <= 16 else 1
    for name, notes, rows, row_px in lanes:
        lane_h = len(rows) * row_px
        lane = img[y:y + lane_h]
        lane[:, LEFT_PX:] = LANE_BACKGROUND
        lane[:, :LEFT_PX - 2] = COLOURS[name]
        if name != "drums":
            for i, pitch in enumerate(rows):
                if pitch % 12 == 0:  # C rows: faint octave guide
                    lane[i * row_px + row_px - 1, LEFT_PX:] = OCTAVE_LINE
        for step in range(0, steps + 1, beat_steps):
            lane[:, LEFT_PX + step * STEP_PX] = BEAT_LINE
        for step in range(0, steps + 1, riff.steps_per_bar):
            lane[:, LEFT_PX + step * STEP_PX] = BAR_LINE
        index = {p: i for i, p in enumerate(rows)}
        colour = np.array(COLOURS[name], dtype=np.float32)
        for n in notes:
            row = index.get(n.pitch)
            if row is None or n.start >= steps:
                continue
            x0 = LEFT_PX + n.start * STEP_PX + 1
            x1 = LEFT_PX + min(n.end, steps) * STEP_PX - 1
            if x1 <= x0:
                x1 = x0 + 1
            brightness = 0.3 + 0.7 * (n.velocity / 127.0)
            lane[row * row_px:(row + 1) * row_px - (1 if row_px > 2 else 0), x0:x1] = \
                (colour * brightness).astype(np.uint8)
        y += lane_h + LANE_GAP_PX
    return img


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(rgb: np.ndarray) -> bytes:
    """Encode an ``[H, W, 3]`` ``uint8`` array as an 8-bit RGB PNG (filter 0 on every row)."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"image shape {rgb.shape}: expected [height, width, 3] uint8")
    h, w, _ = rgb.shape
    raw = np.concatenate([np.zeros((h, 1), dtype=np.uint8), rgb.reshape(h, w * 3)], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6))
            + _chunk(b"IEND", b""))


def save_piano_roll(riff: Riff, path: Union[str, os.PathLike]) -> Path:
    """Render ``riff`` (three lanes, bar lines, velocity as brightness) and write it to ``path`` as PNG."""
    path = Path(path)
    path.write_bytes(encode_png(render_piano_roll(riff)))
    return path
