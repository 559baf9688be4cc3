#!/usr/bin/env python3
"""Decode vectors for the in-engine C# decoder: what the Python runtime decodes from each shipped bundle.

    python tests/vectors/make_engine_decode_vectors.py           # writes tests/vectors/engine/decode_<bundle>.*
    python tests/vectors/make_engine_decode_vectors.py --check   # exit 1 when the committed vectors are stale
                                                                 # (logits compared to 1e-6, the rest exactly)

For each bundle (``python_sidecar/riffforge/models/metal-{guitar,bass,drums}``) and a few seeded latent codes:
a greedy decode (classes and every step's logits) and sampled decodes at two temperatures with the Gumbel
noise stored beside them, so the C# decoder (``RiffForge.Engine.LstmDecoder``, loading the package's
``Resources/RiffForgeEngine/<bundle>.bytes``) gets the same noise and must choose the same classes. The bass
is conditioned per step on the guitar's root line (``render.root_controls`` of the guitar's greedy decode of
the same code), as the generator conditions it.

Files: ``decode_<bundle>.json`` lists the cases; each float array is a ``{"offset", "count"}`` reference into
``decode_<bundle>.bin`` (little-endian float32, offsets in floats). Classes are inline integers.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python_sidecar"))

OUT = ROOT / "tests" / "vectors" / "engine"
MODELS = ROOT / "python_sidecar" / "riffforge" / "models"
BUNDLES = ("metal-guitar", "metal-bass", "metal-drums")
SEEDS = (11, 12, 13)
TEMPERATURES = (0.5, 1.0)


class _Blob:
    """float32 arrays appended to one binary buffer; each returns its JSON reference."""

    def __init__(self):
        self.parts: List[np.ndarray] = []
        self.size = 0

    def add(self, a) -> Dict[str, int]:
        a = np.ascontiguousarray(np.asarray(a, np.float32).ravel())
        ref = {"offset": self.size, "count": int(a.size)}
        self.parts.append(a)
        self.size += int(a.size)
        return ref

    def bytes(self) -> bytes:
        return b"".join(p.astype("<f4").tobytes() for p in self.parts)


def _code(seed: int, z_size: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(z_size).astype(np.float32)


def build(name: str) -> Tuple[Dict, bytes]:
    """``(index JSON, binary)`` of one bundle's vectors."""
    from riffforge.runtime.bundle import load_bundle
    from riffforge.runtime.model import gumbel_noise
    from riffforge.runtime.render import root_controls

    bundle = load_bundle(MODELS / name)
    cfg = bundle.config
    T, D = cfg.max_seq_len, cfg.output_depth
    guitar = load_bundle(MODELS / "metal-guitar") if cfg.control_depth else None
    blob = _Blob()
    cases = []
    for seed in SEEDS:
        z = _code(seed, cfg.z_size)
        ctrl = None
        if cfg.control_depth:
            line = guitar.model.decode(z[None], temperature=0.0).classes[0, :, 0]
            ctrl = root_controls(line.tolist(), cfg.control_depth).astype(np.float32)
        greedy = bundle.model.decode(z[None], temperature=0.0, controls=ctrl, return_logits=True)
        base = {"seed": seed, "z": blob.add(z), "controls": None if ctrl is None else blob.add(ctrl)}
        cases.append({**base, "name": f"greedy/seed{seed}", "temperature": 0.0, "gumbel": None,
                      "classes": greedy.classes[0, :, 0].tolist(), "logits": blob.add(greedy.logits[0])})
        for k, temperature in enumerate(TEMPERATURES):
            noise_seed = 1000 * seed + k
            noise = gumbel_noise(np.random.default_rng(noise_seed), (T, 1, D), temperature)[:, 0]
            res = bundle.model.decode(z[None], temperature=temperature, rng=np.random.default_rng(noise_seed),
                                      controls=ctrl, return_logits=True)
            cases.append({**base, "name": f"sampled/seed{seed}/t{temperature}", "temperature": temperature,
                          "noise_seed": noise_seed, "gumbel": blob.add(noise),
                          "classes": res.classes[0, :, 0].tolist(), "logits": blob.add(res.logits[0])})
    index = {"bundle": name, "asset": f"{name}.bytes", "binary": f"decode_{name}.bin", "steps": T,
             "output_depth": D, "z_size": cfg.z_size, "control_depth": cfg.control_depth,
             "logits_tolerance": 1e-4, "cases": cases}
    return index, blob.bytes()


def render(name: str) -> Dict[str, bytes]:
    index, data = build(name)
    head = {k: v for k, v in index.items() if k != "cases"}
    cases = ",\n".join("  " + json.dumps(c) for c in index["cases"])
    text = json.dumps(head, indent=1)[:-2] + ',\n "cases": [\n' + cases + "\n ]\n}\n"   # one line per case
    return {f"decode_{name}.json": text.encode("utf-8"),
            f"decode_{name}.bin": data}


def differences(name: str) -> List[str]:
    """How the committed vectors of ``name`` differ from a fresh build: the index (inputs' places, classes)
    and the inputs (codes, controls, Gumbel noise) exactly, the logits beyond 1e-6 (a BLAS on another CPU may
    sum in another order). Empty when they agree."""
    index, data = build(name)
    path, bin_path = OUT / f"decode_{name}.json", OUT / f"decode_{name}.bin"
    if not path.is_file() or not bin_path.is_file():
        return [f"{path.relative_to(ROOT)} or {bin_path.name} is missing"]
    if json.loads(path.read_text(encoding="utf-8")) != index:
        return [f"{path.relative_to(ROOT)}: cases differ"]
    committed, fresh = np.frombuffer(bin_path.read_bytes(), "<f4"), np.frombuffer(data, "<f4")
    if committed.shape != fresh.shape:
        return [f"{bin_path.relative_to(ROOT)}: {committed.size} floats, a fresh build has {fresh.size}"]
    problems = []
    for case in index["cases"]:
        for key in ("z", "controls", "gumbel", "logits"):
            ref = case[key]
            if ref is None:
                continue
            sl = slice(ref["offset"], ref["offset"] + ref["count"])
            gap = float(np.abs(committed[sl] - fresh[sl]).max())
            if gap > (1e-6 if key == "logits" else 0.0):
                problems.append(f"{bin_path.relative_to(ROOT)}: {case['name']} {key} differ by {gap:.2g}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed vectors, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        stale = [p for name in BUNDLES for p in differences(name)]
        for problem in stale:
            print(problem, file=sys.stderr)
        if stale:
            print("make_engine_decode_vectors --check: stale; run python tests/vectors/make_engine_decode_vectors.py",
                  file=sys.stderr)
            return 1
        print(f"make_engine_decode_vectors --check: the vectors of {len(BUNDLES)} bundles are up to date")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name in BUNDLES:
        for file, data in render(name).items():
            (OUT / file).write_bytes(data)
            print(f"wrote {(OUT / file).relative_to(ROOT)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
