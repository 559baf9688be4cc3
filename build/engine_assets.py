#!/usr/bin/env python3
"""Write the in-engine runtime's assets into the Unity package from the shipped model bundles.

    python build/engine_assets.py            # writes unity_package/Runtime/Resources/RiffForgeEngine/*
    python build/engine_assets.py --check    # exit 1 when the committed assets differ from a fresh write

``metal-{guitar,bass,drums}.bytes`` are the engine model files (:mod:`riffforge.runtime.engine_file`: decoder
weights and controls of ``python_sidecar/riffforge/models/metal-*``); Unity imports ``.bytes`` as a binary
TextAsset that ``RiffForge.Engine.EngineModel.Load`` reads. ``styles.json`` is the style table the engine
renders with (:mod:`riffforge.runtime.engine_styles`), read by ``RiffForge.Engine.StyleTable.Parse``. Each asset gets a ``.meta`` with the stable GUID
``build/gen_meta.py`` derives from its path. The output is deterministic: a second run writes the same bytes.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "unity_package" / "Runtime" / "Resources" / "RiffForgeEngine"
MODELS = ROOT / "python_sidecar" / "riffforge" / "models"
#: The shipped bundles the package carries as engine models, by asset name.
ENGINE_MODELS = {"metal-guitar.bytes": "metal-guitar", "metal-bass.bytes": "metal-bass",
                 "metal-drums.bytes": "metal-drums"}

sys.path.insert(0, str(ROOT / "python_sidecar"))
sys.path.insert(0, str(ROOT / "build"))


def model_assets(models_dir: Path = MODELS) -> Dict[str, bytes]:
    """``{asset name: bytes}`` of the engine model files."""
    from riffforge.runtime.engine_file import engine_model_bytes

    return {name: engine_model_bytes(models_dir / bundle) for name, bundle in ENGINE_MODELS.items()}


def style_assets() -> Dict[str, bytes]:
    """``{"styles.json": bytes}``: the style table the engine renders with
    (:func:`riffforge.runtime.engine_styles.style_table_json`, read by ``RiffForge.Engine.StyleTable.Parse``)."""
    from riffforge.runtime.engine_styles import style_table_json

    return {"styles.json": style_table_json().encode("utf-8")}


#: Every producer of assets in the folder: each returns ``{asset name: bytes}``. Other engine assets
#: add their producer here, so ``--check`` covers them too.
PRODUCERS: List[Callable[[], Dict[str, bytes]]] = [model_assets, style_assets]


def render_all() -> Dict[str, bytes]:
    out: Dict[str, bytes] = {}
    for produce in PRODUCERS:
        out.update(produce())
    return out


def meta_for(path: Path) -> str:
    """The ``.meta`` text of an asset in the package (as build/gen_meta.py writes it)."""
    import gen_meta

    return gen_meta.meta_text(path, path.relative_to(gen_meta.PACKAGE_DIR).as_posix())


def stale(out: Path = OUT) -> List[str]:
    """Assets (and their metas) under ``out`` that are missing or differ from a fresh write."""
    issues = []
    for name, data in render_all().items():
        path = out / name
        if not path.is_file() or path.read_bytes() != data:
            issues.append(str(path.relative_to(ROOT)))
        meta = path.with_name(name + ".meta")
        if out == OUT and not meta.is_file():
            issues.append(str(meta.relative_to(ROOT)))
    return issues


def write(out: Path = OUT) -> List[Path]:
    """Write every asset (and, inside the package, any missing ``.meta``); returns the paths written."""
    from riffforge.atomic import atomic_write

    written = []
    out.mkdir(parents=True, exist_ok=True)
    if out == OUT:
        folder_meta = out.with_name(out.name + ".meta")
        if not folder_meta.exists():
            folder_meta.write_text(meta_for(out), encoding="utf-8", newline="\n")
            written.append(folder_meta)
    for name, data in render_all().items():
        path = out / name
        if not path.is_file() or path.read_bytes() != data:
            atomic_write(path, lambda h, d=data: h.write(d))
            written.append(path)
        meta = path.with_name(name + ".meta")
        if out == OUT and not meta.exists():
            meta.write_text(meta_for(path), encoding="utf-8", newline="\n")
            written.append(meta)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed assets instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        bad = stale()
        if bad:
            print(f"engine_assets --check: {', '.join(bad)} differ from a fresh write; run "
                  "python build/engine_assets.py", file=sys.stderr)
            return 1
        print(f"engine_assets --check: {len(render_all())} assets match")
        return 0
    for path in write():
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
