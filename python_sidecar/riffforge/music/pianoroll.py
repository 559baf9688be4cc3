"""Piano-roll PNG of a riff: numpy raster + a tiny PNG writer (zlib/struct), no plotting library.

Three lanes from top to bottom: guitar (orange), bass (blue), drums (green). Time runs left to right, one
16th step is :data:`STEP_PX` pixels; bar lines are bright, beat lines dim. Guitar and bass rows are MIDI
pitches (high at the top) spanning the notes played plus a margin; the drum lane has one row per drum
pitch played, ordered kick at the bottom and cymbals at the top. Velocity sets the brightness of a note.
Labels (title, bar numbers, lane headers, note and kit-piece names) are drawn with the 5x7 pixel font of
:mod:`riffforge.music.bitmapfont`.
"""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np

from .bitmapfont import CELL_H, draw_text, text_size
from .riff import PITCH_CLASS_NAMES, Riff

STEP_PX = 8
PITCH_ROW_PX = 3
DRUM_ROW_PX = 9  # tall enough for a kit piece's name beside the row
LANE_GAP_PX = 4
LEFT_PX = 6  # a strip in the lane colour, so lanes are identifiable even without labels
MARGIN_PX = 6
TITLE_COLOUR = (245, 245, 250)
TEXT_COLOUR = (200, 200, 208)
MUTED_COLOUR = (130, 130, 140)
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
#: Row labels of the drum lane (General MIDI percussion, shortened).
DRUM_NAMES: Dict[int, str] = {
    35: "kick 2", 36: "kick", 37: "stick", 38: "snare", 39: "clap", 40: "snare 2", 41: "floor lo", 43: "floor",
    45: "tom lo", 47: "tom mid", 48: "tom hi", 50: "tom hi 2", 42: "hat", 44: "hat foot", 46: "hat open",
    49: "crash", 57: "crash 2", 55: "splash", 52: "china", 51: "ride", 59: "ride 2", 53: "bell",
}


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


def _lanes(riff: Riff) -> List[Tuple[str, list, List[int], int]]:
    """``(instrument, notes, rows top to bottom, row height)`` of the three lanes."""
    lanes = []
    for name in ("guitar", "bass", "drums"):
        notes = riff.notes(name)
        if name == "drums":
            rows, row_px = _drum_rows([n.pitch for n in notes]) or [36], DRUM_ROW_PX
        else:
            rows, row_px = _pitch_rows([n.pitch for n in notes]), PITCH_ROW_PX
        lanes.append((name, notes, rows, row_px))
    return lanes


def _draw_lane(riff: Riff, name: str, notes, rows: List[int], row_px: int) -> np.ndarray:
    """One lane: the colour strip, octave guides, beat and bar lines, and the notes."""
    steps = max(1, riff.total_steps)
    lane = np.empty((len(rows) * row_px, LEFT_PX + steps * STEP_PX + 1, 3), dtype=np.uint8)
    lane[:] = BACKGROUND
    lane[:, LEFT_PX:] = LANE_BACKGROUND
    lane[:, :LEFT_PX - 2] = COLOURS[name]
    beat_steps = 16 // riff.meter[1] if riff.meter[1] <= 16 else 1
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
    return lane


def note_name(pitch: int) -> str:
    """MIDI pitch -> scientific pitch name (40 -> ``E2``, 61 -> ``C#4``)."""
    return f"{PITCH_CLASS_NAMES[pitch % 12]}{pitch // 12 - 1}"


def _row_label(name: str, pitch: int) -> str:
    if name == "drums":
        return DRUM_NAMES.get(pitch, str(pitch))
    return note_name(pitch) if pitch % 12 in (0, 4) else ""  # every C (octave guide) and E (Metal's home key)


def _lane_header(name: str, notes) -> str:
    if not notes:
        return f"{name}: no notes"
    if name == "drums":
        return f"drums: {len(notes)} hits"
    pitches = [n.pitch for n in notes]
    return f"{name}: {len(notes)} notes, {note_name(min(pitches))}-{note_name(max(pitches))}"


def title_lines(riff: Riff) -> Tuple[str, str, str]:
    """The three title lines of a labelled roll: style and intensity; tempo, meter, key, mode, tuning, bars
    and seed; the model."""
    num, den = riff.meter
    return (f"{riff.style}  intensity {riff.intensity:.2f}",
            f"{riff.tempo:g} BPM  {num}/{den}  {riff.key} {riff.mode}  ({riff.tuning})  {riff.bars} "
            f"bar{'s' if riff.bars != 1 else ''}  "
            f"seed {riff.seed}",
            f"model {riff.model_id}")


def render_piano_roll(riff: Riff, labels: bool = True) -> np.ndarray:
    """The piano roll of ``riff`` as a ``uint8`` array ``[height, width, 3]``.

    ``labels`` (default): a title (style and intensity; tempo, meter, key and mode, tuning, bars, seed; the
    model), bar numbers over the bar lines, a header per lane (instrument, note count, range) and row labels
    (note names on the C and E rows, kit pieces on the drum rows). ``labels=False``: the bare lanes, with
    the grid starting at x = :data:`LEFT_PX` and the first lane at y = :data:`LANE_GAP_PX`.
    """
    lanes = [(name, notes, rows, row_px, _draw_lane(riff, name, notes, rows, row_px))
             for name, notes, rows, row_px in _lanes(riff)]
    if not labels:
        width = lanes[0][4].shape[1]
        height = sum(lane.shape[0] for *_, lane in lanes) + LANE_GAP_PX * (len(lanes) + 1)
        img = np.empty((height, width, 3), dtype=np.uint8)
        img[:] = BACKGROUND
        y = LANE_GAP_PX
        for *_, lane in lanes:
            img[y:y + lane.shape[0]] = lane
            y += lane.shape[0] + LANE_GAP_PX
        return img

    line_h = CELL_H + 4
    row_labels = [_row_label(name, p) for name, notes, rows, _, _ in lanes if notes for p in rows]
    label_w = MARGIN_PX + max(text_size(t)[0] for t in row_labels + ["bar"]) + 4
    grid_x = label_w
    titles = title_lines(riff)
    title_sizes = [text_size(titles[0], 2)] + [text_size(t) for t in titles[1:]]
    grid_w = lanes[0][4].shape[1]
    width = max(grid_x + grid_w, MARGIN_PX + max(w for w, _ in title_sizes)) + MARGIN_PX
    top = MARGIN_PX + sum(h + 4 for _, h in title_sizes) + 4
    height = (top + line_h + sum(lane.shape[0] + line_h + LANE_GAP_PX for *_, lane in lanes) + MARGIN_PX)
    img = np.empty((height, width, 3), dtype=np.uint8)
    img[:] = BACKGROUND
    y = MARGIN_PX
    for k, (text, (_, h)) in enumerate(zip(titles, title_sizes)):
        draw_text(img, MARGIN_PX, y, text, TITLE_COLOUR if k == 0 else TEXT_COLOUR, 2 if k == 0 else 1)
        y += h + 4
    y = top
    draw_text(img, MARGIN_PX, y, "bar", MUTED_COLOUR)
    for bar in range(riff.bars):
        draw_text(img, grid_x + LEFT_PX + bar * riff.steps_per_bar * STEP_PX + 3, y, str(bar + 1), TEXT_COLOUR)
    y += line_h
    for name, notes, rows, row_px, lane in lanes:
        draw_text(img, grid_x + LEFT_PX, y, _lane_header(name, notes), COLOURS[name])
        y += line_h
        img[y:y + lane.shape[0], grid_x:grid_x + grid_w] = lane
        for i, pitch in enumerate(rows if notes else []):  # an empty lane's rows are placeholders
            text = _row_label(name, pitch)
            if text:
                cy = y + i * row_px + row_px // 2 - CELL_H // 2
                draw_text(img, grid_x - 4 - text_size(text)[0], cy, text, TEXT_COLOUR)
        y += lane.shape[0] + LANE_GAP_PX
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


def save_piano_roll(riff: Riff, path: Union[str, os.PathLike], labels: bool = True) -> Path:
    """Render ``riff`` (three lanes, bar lines, velocity as brightness; labelled unless ``labels`` is False)
    and write it to ``path`` as PNG."""
    path = Path(path)
    path.write_bytes(encode_png(render_piano_roll(riff, labels)))
    return path
