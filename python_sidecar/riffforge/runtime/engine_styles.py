"""The style table the in-engine (C#) runtime renders with: everything :func:`.generator._feel` and
:meth:`.generator.ModelGenerator._render` read from :mod:`riffforge.music.styles`,
:mod:`riffforge.music.theory` and the encodings, as plain JSON-able data.

The C# runtime (``RiffForge.Engine.StyleTable``) parses the JSON written from :func:`style_table`
(``unity_package/Runtime/Resources/RiffForgeEngine/styles.json``, by ``build/engine_assets.py``); a test
checks the committed file equals a fresh :func:`style_table`, so the two stay in step.

Lists keep their Python order wherever the order decides something: a style's tunings and modes are drawn
by cumulative weight in list order (:func:`riffforge.music.styles.weighted`), and ``styles`` is
:data:`riffforge.music.riff.STYLES` (a style's index seeds its random streams).
"""
from __future__ import annotations

import json
from typing import Dict

from ..encoding import drums as drum_enc
from ..encoding import melody as mel_enc
from ..music.riff import FLAT_KEYS, PITCH_CLASS_NAMES, STYLES
from ..music.styles import STYLE_SPECS
from ..music.theory import MODES, TUNINGS
from . import render

FORMAT_VERSION = 1


def style_table() -> Dict:
    """The table as plain data (dicts, lists, str, int, float); see the module docstring."""
    return {
        "format_version": FORMAT_VERSION,
        "styles": [
            {
                "name": name,
                "tempo": [float(STYLE_SPECS[name].tempo[0]), float(STYLE_SPECS[name].tempo[1])],
                "tunings": [[t, float(w)] for t, w in STYLE_SPECS[name].tunings],
                "modes": [[m, float(w)] for m, w in STYLE_SPECS[name].modes],
                "chord_p": float(STYLE_SPECS[name].chord_p),
                "pedal_chord_p": float(STYLE_SPECS[name].pedal_chord_p),
            }
            for name in STYLES
        ],
        "tunings": [
            {"name": t.name, "lowest": t.lowest, "highest": t.highest, "bass_lowest": t.bass_lowest,
             "bass_highest": t.bass_highest}
            for t in TUNINGS.values()
        ],
        "modes": [{"name": name, "intervals": list(intervals)} for name, intervals in MODES.items()],
        "pitch_classes": list(PITCH_CLASS_NAMES),
        "key_aliases": dict(FLAT_KEYS),
        "melody": {"min_pitch": mel_enc.MIN_PITCH, "max_pitch": mel_enc.MAX_PITCH,
                   "no_event_class": mel_enc.NO_EVENT_CLASS, "note_off_class": mel_enc.NOTE_OFF_CLASS,
                   "num_classes": mel_enc.NUM_CLASSES},
        "drums": {"type_pitches": list(drum_enc.TYPE_EXEMPLAR), "num_classes": drum_enc.NUM_CLASSES,
                  "accented": sorted(render._ACCENTED), "cymbals": sorted(render._CYMBALS)},
    }


def style_table_json() -> str:
    """:func:`style_table` as the exact text of the committed ``styles.json``: two levels expanded (one line
    per style, tuning, mode; a list of numbers or names on one line), LF line ends, a final newline."""
    return _dump(style_table(), 0) + "\n"


def _dump(value, depth: int) -> str:
    flat = isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value)
    if depth >= 2 or flat or not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, separators=(", ", ": "))
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {_dump(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    items = [pad + _dump(v, depth + 1) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"
