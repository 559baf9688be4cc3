#!/usr/bin/env python3
"""Request vectors for the in-engine C# generator: whole riffs the Python runtime generates in portable mode.

    python tests/vectors/make_engine_request_vectors.py           # writes tests/vectors/engine/requests.json
    python tests/vectors/make_engine_request_vectors.py --check   # exit 1 when the committed file is stale

``ModelGenerator(shipped bundles, noise="portable")`` (every random number from the SplitMix64 streams of
:mod:`riffforge.runtime.portable`, which ``RiffForge.Engine.PortableRandom`` draws identically) generates each
request: every style at intensities 0.1, 0.5 and 0.9 over 2, 4 and 8 bars, plus requests that fix the key,
mode and tempo, leave the bass out, set the temperature (one greedy) or ask for 1, 3 or 16 bars. For each: the riff
(tempo, key, mode, tuning, every track's notes as ``[start, length, pitch, velocity]``) and the decoded
classes each part was rendered from. ``generator`` records the generator's settings, the defaults
``RiffForge.Engine.EngineSettings`` must share. ``RiffForge.Engine.Tests.GeneratorVectorTests`` generates the
same requests with ``EngineGenerator`` over the package's engine assets and expects identical riffs.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python_sidecar"))

OUT = ROOT / "tests" / "vectors" / "engine" / "requests.json"
MODELS = ROOT / "python_sidecar" / "riffforge" / "models"
BUNDLES = ("metal-guitar", "metal-bass", "metal-drums")
INTENSITIES = (0.1, 0.5, 0.9)
BARS = (2, 4, 8)


def requests() -> List[Dict]:
    """The requests (RiffRequest fields; the name says what each covers)."""
    from riffforge.music.riff import STYLES

    out = []
    for si, style in enumerate(STYLES):
        for ii, x in enumerate(INTENSITIES):
            bars = BARS[(si + ii) % len(BARS)]   # every style and every intensity meets every length
            out.append({"name": f"{style}/{x}/{bars}bars", "intensity": x, "style": style, "bars": bars,
                        "seed": 1000 + 10 * si + ii})
    out += [
        {"name": "thrash/one bar", "intensity": 0.7, "style": "thrash", "bars": 1, "seed": 7},
        {"name": "groove/fixed feel", "intensity": 0.6, "style": "groove", "bars": 2, "seed": 8, "tempo": 150.0,
         "key": "A", "mode": "phrygian"},
        {"name": "death/no bass", "intensity": 0.8, "style": "death", "bars": 2, "seed": 9,
         "instruments": ["guitar", "drums"]},
        {"name": "doom/temperature", "intensity": 0.3, "style": "doom", "bars": 4, "seed": 10, "temperature": 0.05},
        {"name": "black/greedy", "intensity": 0.9, "style": "black", "bars": 4, "seed": 11, "temperature": 1e-5},
        {"name": "djent/flat key", "intensity": 0.4, "style": "djent", "bars": 2, "seed": 12, "key": "Bb"},
        {"name": "thrash/3 bars", "intensity": 0.55, "style": "thrash", "bars": 3, "seed": 13},
        {"name": "groove/16 bars", "intensity": 0.75, "style": "groove", "bars": 16, "seed": 14},
    ]
    return out


def latent_hash(codes) -> int:
    """``h = h * 31 + bits`` (mod 2**64) over the float32 bit patterns of every code in order
    (``GenerationJob.LatentHash``)."""
    h = 0
    for z in codes:
        for bits in np.asarray(z, np.float32).view(np.uint32).tolist():
            h = (h * 31 + bits) & 0xFFFFFFFFFFFFFFFF
    return h


def build() -> Dict:
    from riffforge.generation import RiffRequest
    from riffforge.runtime.bundle import load_bundle
    from riffforge.runtime.generator import ModelGenerator

    gen = ModelGenerator([load_bundle(MODELS / name) for name in BUNDLES], noise="portable")
    render = gen._render
    seen: Dict = {}

    def capture(heads, *args, **kwargs):   # the classes each part is rendered from
        seen["classes"] = {k: [int(c) for c in v] for k, v in heads.items()}
        return render(heads, *args, **kwargs)

    gen._render = capture
    latents = gen._latents

    def trace(*args, **kwargs):   # every latent code, in decoding order
        z = latents(*args, **kwargs)
        seen["latents"].append(np.asarray(z, np.float32).copy())
        return z

    gen._latents = trace
    cases = []
    for spec in requests():
        fields = {k: v for k, v in spec.items() if k != "name"}
        seen["latents"] = []
        riff = gen.generate(RiffRequest(**fields))
        codes = [row for z in seen["latents"] for row in z]
        if "bass" not in riff.tracks:   # the engine decodes no bass for a request without it
            codes = codes[: len(codes) - math.ceil(riff.bars * 16 / 32)]
        # a request without the bass: the engine does not decode it (nothing else depends on it)
        classes = {k: v for k, v in seen["classes"].items() if k != "bass" or "bass" in riff.tracks}
        cases.append({
            "name": spec["name"],
            "request": fields,
            "riff": {"tempo": riff.tempo, "key": riff.key, "mode": riff.mode, "tuning": riff.tuning,
                     "bars": riff.bars, "seed": riff.seed, "model_id": riff.model_id,
                     "tracks": {k: [[n.start, n.length, n.pitch, n.velocity] for n in v]
                                for k, v in sorted(riff.tracks.items())}},
            "classes": classes,
            "latents": {"count": len(codes), "hash": str(latent_hash(codes))},
        })
    return {
        "format": "riffforge-engine-request-vectors",
        "bundles": list(BUNDLES),
        "generator": {"noise": gen.noise, "candidates": gen.candidates, "drum_candidates": gen.drum_candidates,
                      "latent_noise": gen.latent_noise, "intensity_gain": list(gen.intensity_gain),
                      "temperature_range": list(gen.temperature_range), "style_gain": gen.style_gain},
        "cases": cases,
    }


def render_text() -> str:
    """The file's exact text: one line per case (its riff and classes are long), LF line ends."""
    data = build()
    head = {k: v for k, v in data.items() if k != "cases"}
    lines = ["{"]
    for k, v in head.items():
        lines.append(f" {json.dumps(k)}: {json.dumps(v)},")
    lines.append(' "cases": [')
    cases = [json.dumps(c, separators=(",", ":")) for c in data["cases"]]
    lines.append(",\n".join("  " + c for c in cases))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed vectors, write nothing")
    args = parser.parse_args(argv)
    text = render_text()
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"make_engine_request_vectors --check: {OUT.relative_to(ROOT)} differs from a fresh generation; run "
                  "python tests/vectors/make_engine_request_vectors.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text)} bytes, {text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
