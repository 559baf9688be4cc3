#!/usr/bin/env python3
"""Render vectors for the in-engine C# rendering: what the Python runtime makes of decoded classes.

    python tests/vectors/make_engine_render_vectors.py           # writes tests/vectors/engine/render.json
    python tests/vectors/make_engine_render_vectors.py --check   # exit 1 when the committed vectors are stale

Four kinds of case, all seeded, none needing a model:

- ``render``: decoded classes per head (guitar, bass: melody classes; drums) with a feel (tuning, mode,
  key, tempo), intensity, bars, ``separate_keys`` / ``bass_follows`` / ``shift`` as
  :meth:`riffforge.runtime.generator.ModelGenerator._render` takes them, and the guitar voicing's stream
  (:class:`riffforge.runtime.portable.PortableRandom` state before and after), with the exact notes per
  track ``[start, length, pitch, velocity]`` in the order ``_render`` returns them. The classes are the
  procedural generator's riffs encoded as the models' classes (:func:`riffforge.runtime.render.tracks_to_classes`),
  seeded random lines and drum patterns, and edge cases (rests only, note-offs only, the highest and lowest
  pitches, a missing head);
- ``feel``: requests (auto or fixed key, mode, tempo) with a seed and the feel
  :func:`riffforge.runtime.generator._feel` draws from the request's portable feel stream;
- ``root_controls``: decoded guitar windows and the chord control per step that conditions the bass
  (:func:`riffforge.encoding.chords.root_line_controls` of :func:`riffforge.runtime.render.melody_triples`,
  one-hot in :func:`riffforge.runtime.render.root_controls`), windows running past the line's end padded with
  rests as the generator pads them;
- ``lines``: short seeded lines (many with ties) with their tonal centre and the bass's follow shift.

The C# tests (``tests/csharp/Engine/RenderVectorTests.cs``) render the same inputs with
``RiffForge.Engine.EngineRender`` / ``EngineFeel`` and the package's ``styles.json`` and must get identical notes.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python_sidecar"))

OUT = ROOT / "tests" / "vectors" / "engine" / "render.json"
FORMAT = 1
#: Drum classes a metal drummer's step mostly is (Magenta kit bits: 1 kick, 2 snare, 4 closed hat, 8 open
#: hat, 16/32/64 toms, 128 crash, 256 ride), so seeded patterns look like decoded ones.
DRUM_PALETTE = (0, 0, 0, 1, 1, 2, 4, 5, 6, 3, 129, 130, 256, 257, 258, 8, 16, 32, 64, 7, 133)


def _random_line(rng: np.random.Generator, steps: int, low: int, high: int, p_onset: float, p_off: float) -> List[int]:
    """Seeded melody classes: onsets of a random walk in [low, high] (MIDI), note-offs and sustains."""
    classes, pitch = [], int(rng.integers(low, high + 1))
    for _ in range(steps):
        u = rng.random()
        if u < p_onset:
            pitch = int(np.clip(pitch + rng.choice((-12, -7, -5, -2, -1, 0, 0, 0, 1, 2, 3, 5, 7, 12)), low, high))
            classes.append(pitch - 21 + 2)
        elif u < p_onset + p_off:
            classes.append(1)
        else:
            classes.append(0)
    return classes


def _random_drums(rng: np.random.Generator, steps: int, wild: bool) -> List[int]:
    if wild:
        return [int(c) for c in rng.integers(0, 512, steps)]
    return [int(rng.choice(DRUM_PALETTE)) for _ in range(steps)]


def _procedural_heads(style: str, intensity: float, bars: int, seed: int) -> Dict[str, List[int]]:
    from riffforge.music.procedural import generate
    from riffforge.runtime.render import tracks_to_classes

    riff = generate(style, intensity, bars=bars, seed=seed)
    classes = tracks_to_classes(riff.tracks, ("guitar", "bass", "drums"), bars * 16)
    return {name: classes[:, h].tolist() for h, name in enumerate(("guitar", "bass", "drums"))}


def _notes(notes) -> List[List[int]]:
    return [[n.start, n.length, n.pitch, n.velocity] for n in notes]


def _render_case(name: str, style: str, heads: Dict[str, List[int]], feel: Dict, intensity: float, bars: int,
                 separate_keys: bool, bass_follows: bool, shift, voicing_seed: int) -> Dict:
    from riffforge.runtime.generator import ModelGenerator
    from riffforge.runtime.portable import PortableRandom

    voicing = PortableRandom(voicing_seed)
    gen = ModelGenerator.__new__(ModelGenerator)  # _render reads no generator state
    tracks = gen._render({k: np.array(v, np.int64) for k, v in heads.items()}, feel, intensity, bars, shift=shift,
                         separate_keys=separate_keys, bass_follows=bass_follows, voicing_rng=voicing, style=style)
    return {"name": name, "style": style, "feel": feel, "intensity": intensity, "bars": bars,
            "separate_keys": separate_keys, "bass_follows": bass_follows, "shift": shift,
            "voicing_seed": str(voicing_seed), "voicing_state_after": str(voicing.state),
            "heads": heads, "tracks": {k: _notes(v) for k, v in tracks.items()}}


def render_cases() -> List[Dict]:
    from riffforge.music.riff import PITCH_CLASS_NAMES, STYLES
    from riffforge.music.styles import STYLE_SPECS
    from riffforge.music.theory import MODES
    from riffforge.runtime.portable import VOICING_STREAM, stream_seed

    keys = list(PITCH_CLASS_NAMES) + ["Bb", "Eb", "Ab", "Db", "Gb"]
    intensities = (0.0, 0.13, 0.5, 0.77, 1.0, 0.3, 0.9)
    bars_cycle = (2, 4, 2, 8, 2, 4, 2, 16)
    keys_mode = ((False, False), (True, True), (True, False))  # band model, conditioned bass, separate bass
    cases = []
    for si, style in enumerate(STYLES):
        spec = STYLE_SPECS[style]
        for j in range(9):
            seed = 1000 * si + j
            rng = np.random.default_rng(seed)
            bars = bars_cycle[(si + j) % len(bars_cycle)]
            x = intensities[(si * 3 + j) % len(intensities)]
            steps = bars * 16
            kind = ("procedural", "random", "procedural")[j % 3]
            if kind == "procedural":
                heads = _procedural_heads(style, x, bars, seed)
            else:
                heads = {"guitar": _random_line(rng, steps, 28, 76, 0.45, 0.1),
                         "bass": _random_line(rng, steps, 24, 60, 0.3, 0.15),
                         "drums": _random_drums(rng, steps, wild=j == 4)}
            tuning = spec.tunings[int(rng.integers(len(spec.tunings)))][0]
            mode = spec.modes[int(rng.integers(len(spec.modes)))][0] if j % 4 else list(MODES)[(si + j) % len(MODES)]
            key = keys[int(rng.integers(len(keys)))]
            tempo = float(rng.integers(int(spec.tempo[0]), int(spec.tempo[1]) + 1))
            separate, follows = keys_mode[j % 3]
            shift = None if j % 5 else (0 if j == 0 else int(rng.integers(-6, 6)))
            if j == 7:
                heads.pop("bass")  # no bass model: the bass doubles the guitar
            if j == 8:
                heads["bass"] = [0] * steps  # a bass of rests only: doubles the guitar too
            feel = {"tuning": tuning, "mode": mode, "key": key, "tempo": tempo}
            cases.append(_render_case(f"{style}/{j}/{kind}", style, heads, feel, x, bars, separate, follows, shift,
                                      stream_seed(seed, si, VOICING_STREAM)))
    cases.extend(_edge_cases())
    return cases


def _edge_cases() -> List[Dict]:
    rng = np.random.default_rng(424242)
    feel = {"tuning": "E standard", "mode": "phrygian", "key": "E", "tempo": 120.0}
    low = {"tuning": "8-string", "mode": "locrian", "key": "F#", "tempo": 100.0}
    line = _random_line(rng, 32, 40, 64, 0.5, 0.1)
    out = []

    def case(name, heads, f=feel, x=0.5, bars=2, separate=True, follows=False, shift=None, seed=7):
        out.append(_render_case("edge/" + name, "thrash", heads, f, x, bars, separate, follows, shift, seed))

    case("all rests", {"guitar": [0] * 32, "bass": [0] * 32, "drums": [0] * 32})
    case("note-offs only", {"guitar": [1] * 32, "bass": [1, 0] * 16, "drums": [0] * 32})
    case("highest and lowest pitches", {"guitar": [89, 0, 1, 2] * 8, "bass": [2, 89, 0, 0] * 8, "drums": [511] * 32},
         f=low, x=1.0)
    case("one long note", {"guitar": [30] + [0] * 31, "bass": [0] * 31 + [20], "drums": [1] + [0] * 31})
    case("guitar only", {"guitar": line})
    case("bass only", {"bass": line}, separate=False)
    case("drums only", {"drums": _random_drums(rng, 32, wild=True)}, x=0.0)
    case("separate bass, guitar of rests", {"guitar": [0] * 32, "bass": line, "drums": [5] * 32})
    case("heads longer than the riff", {"guitar": line, "bass": line[::-1], "drums": [1, 4] * 16}, bars=1)
    case("fixed shift", {"guitar": line, "bass": line, "drums": [2] * 32}, shift=-6, separate=False)
    case("conditioned bass", {"guitar": line, "bass": line[5:] + line[:5], "drums": [3] * 32}, follows=True)
    case("repeated figure", {"guitar": line[:16] * 4, "bass": line[:16] * 4, "drums": [1, 0, 2, 0] * 16}, bars=4)
    return out


def feel_cases() -> List[Dict]:
    from riffforge.generation import RiffRequest
    from riffforge.music.riff import STYLES
    from riffforge.runtime.generator import _feel
    from riffforge.runtime.portable import FEEL_STREAM, request_stream

    variants = ({}, {"mode": "blues"}, {"key": "Bb"}, {"tempo": 133.5}, {"key": "F#", "mode": "diminished"},
                {"key": "C", "mode": "aeolian", "tempo": 90.0})
    cases = []
    for si, style in enumerate(STYLES):
        for j, fixed in enumerate(variants):
            for x in (0.0, 0.5, 1.0, 0.37):
                seed = 7919 * (si + 1) + 31 * j + int(x * 100)
                request = RiffRequest(intensity=x, style=style, seed=seed, **fixed)
                stream = request_stream(seed, si, FEEL_STREAM)
                feel = _feel(request, seed, stream)
                cases.append({"style": style, "intensity": x, "seed": seed, "key": fixed.get("key"),
                              "mode": fixed.get("mode"), "tempo": fixed.get("tempo"), "feel": feel,
                              "stream_state_after": str(stream.state)})
    return cases


def root_control_cases() -> List[Dict]:
    from riffforge.encoding.chords import root_line_controls
    from riffforge.runtime.render import melody_triples, root_controls

    rng = np.random.default_rng(2718)
    cases = []
    for k in range(12):
        length = (32, 32, 40, 64, 20)[k % 5]
        line = _random_line(rng, length, 28, 70, (0.2, 0.5, 0.8)[k % 3], 0.15)
        window = 32
        for start in range(0, length, window):
            padded = (line + [0] * window)[start:start + window]
            controls = root_line_controls(melody_triples(padded), window)
            hot = root_controls(padded, 49)
            assert hot.shape == (window, 49) and (hot.argmax(1) == controls).all() and (hot.sum(1) == 1).all()
            cases.append({"guitar": line, "start": start, "count": window, "depth": 49, "controls": controls})
    return cases


def line_cases() -> List[Dict]:
    """Short seeded lines, many with ties, through :func:`riffforge.runtime.render.tonal_centre` and
    :func:`riffforge.runtime.render.follow_shift` (ties decide which octave and key a line lands on)."""
    from riffforge.runtime.render import follow_shift, melody_triples, tonal_centre

    rng = np.random.default_rng(31415)
    cases = []
    for k in range(150):
        steps = (8, 16, 32)[k % 3]
        lead = _random_line(rng, steps, 36, 48, 0.35, 0.2)
        line = _random_line(rng, steps, 36, 48, 0.35, 0.2)
        lead_shift, default = int(rng.integers(-6, 6)), int(rng.integers(-6, 6))
        total = steps - int(rng.integers(0, 3))
        lead_t, line_t = melody_triples(lead), melody_triples(line)
        cases.append({"lead": lead, "line": line, "lead_shift": lead_shift, "default": default, "total": total,
                      "tonal_centre": tonal_centre(line_t),
                      "follow_shift": int(follow_shift(lead_t, lead_shift, line_t, default, total))})
    return cases


def build() -> Dict:
    return {"format": FORMAT, "styles_asset": "unity_package/Runtime/Resources/RiffForgeEngine/styles.json",
            "render": render_cases(), "feel": feel_cases(), "root_controls": root_control_cases(), "lines": line_cases()}


def _dump(vectors: Dict) -> str:
    """One case per line group: readable diffs without a megabyte of indentation."""
    lines = ["{"]
    keys = list(vectors)
    for i, key in enumerate(keys):
        value = vectors[key]
        end = "," if i < len(keys) - 1 else ""
        if isinstance(value, list):
            lines.append(f" {json.dumps(key)}: [")
            lines.extend(" " + json.dumps(c, separators=(",", ":")) + ("," if n < len(value) - 1 else "")
                         for n, c in enumerate(value))
            lines.append(" ]" + end)
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render() -> bytes:
    return _dump(build()).encode("utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed vectors, write nothing")
    args = parser.parse_args(argv)
    data = render()
    if args.check:
        if not OUT.is_file() or OUT.read_bytes() != data:
            print(f"make_engine_render_vectors --check: {OUT.relative_to(ROOT)} differs; run "
                  "python tests/vectors/make_engine_render_vectors.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
