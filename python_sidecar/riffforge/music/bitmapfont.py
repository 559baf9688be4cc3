"""A 5x7 pixel font for labels drawn straight into NumPy images (the runtime has no plotting library).

Capital letters, digits and a little punctuation; lower-case text is drawn in capitals, and a character
the font lacks is drawn as ``?``. Each glyph is 7 rows of 5 columns (``#`` = ink); a character cell is
:data:`CELL_W` x :data:`CELL_H` pixels (one column of spacing), times ``scale``.
"""
from __future__ import annotations

from typing import Dict, Tuple

import numpy as np

GLYPH_W, GLYPH_H = 5, 7
CELL_W, CELL_H = GLYPH_W + 1, GLYPH_H

_ROWS = {
    "A": ".###. #...# #...# ##### #...# #...# #...#",
    "B": "####. #...# #...# ####. #...# #...# ####.",
    "C": ".###. #...# #.... #.... #.... #...# .###.",
    "D": "####. #...# #...# #...# #...# #...# ####.",
    "E": "##### #.... #.... ####. #.... #.... #####",
    "F": "##### #.... #.... ####. #.... #.... #....",
    "G": ".###. #...# #.... #.### #...# #...# .####",
    "H": "#...# #...# #...# ##### #...# #...# #...#",
    "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
    "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
    "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
    "L": "#.... #.... #.... #.... #.... #.... #####",
    "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
    "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
    "O": ".###. #...# #...# #...# #...# #...# .###.",
    "P": "####. #...# #...# ####. #.... #.... #....",
    "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
    "R": "####. #...# #...# ####. #.#.. #..#. #...#",
    "S": ".#### #.... #.... .###. ....# ....# ####.",
    "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# #...# #...# .###.",
    "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
    "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
    "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
    "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
    "Z": "##### ....# ...#. ..#.. .#... #.... #####",
    "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
    "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
    "2": ".###. #...# ....# ...#. ..#.. .#... #####",
    "3": "####. ....# ....# .###. ....# ....# ####.",
    "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
    "5": "##### #.... ####. ....# ....# #...# .###.",
    "6": "..##. .#... #.... ####. #...# #...# .###.",
    "7": "##### ....# ...#. ..#.. .#... .#... .#...",
    "8": ".###. #...# #...# .###. #...# #...# .###.",
    "9": ".###. #...# #...# .#### ....# ...#. .##..",
    " ": "..... ..... ..... ..... ..... ..... .....",
    ".": "..... ..... ..... ..... ..... .##.. .##..",
    ",": "..... ..... ..... ..... .##.. ..#.. .#...",
    ":": "..... .##.. .##.. ..... .##.. .##.. .....",
    "-": "..... ..... ..... .###. ..... ..... .....",
    "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
    "/": "....# ....# ...#. ..#.. .#... #.... #....",
    "#": ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",
    "(": "...#. ..#.. .#... .#... .#... ..#.. ...#.",
    ")": ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
    "%": "##..# ##..# ...#. ..#.. .#... #..## #..##",
    "=": "..... ..... ##### ..... ##### ..... .....",
    "_": "..... ..... ..... ..... ..... ..... #####",
    "|": "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
    "'": "..#.. ..#.. .#... ..... ..... ..... .....",
}


def _glyph(rows: str) -> np.ndarray:
    grid = np.array([[c == "#" for c in row] for row in rows.split()], dtype=bool)
    assert grid.shape == (GLYPH_H, GLYPH_W), rows
    return grid


GLYPHS: Dict[str, np.ndarray] = {ch: _glyph(rows) for ch, rows in _ROWS.items()}


def text_size(text: str, scale: int = 1) -> Tuple[int, int]:
    """``(width, height)`` in pixels of ``text`` drawn at ``scale`` (no trailing spacing column)."""
    if not text:
        return 0, CELL_H * scale
    return (len(text) * CELL_W - 1) * scale, CELL_H * scale


def draw_text(img: np.ndarray, x: int, y: int, text: str, colour, scale: int = 1) -> int:
    """Draw ``text`` with its top-left corner at (``x``, ``y``) into ``img`` [H, W, 3], clipped to the image;
    returns the x just past the text."""
    h, w = img.shape[:2]
    for ch in text.upper():
        glyph = GLYPHS.get(ch, GLYPHS["?"])
        if scale > 1:
            glyph = np.kron(glyph, np.ones((scale, scale), dtype=bool))
        gh, gw = glyph.shape
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + gw, w), min(y + gh, h)
        if x0 < x1 and y0 < y1:
            region = img[y0:y1, x0:x1]
            region[glyph[y0 - y:y1 - y, x0 - x:x1 - x]] = colour
        x += CELL_W * scale
    return x - scale
