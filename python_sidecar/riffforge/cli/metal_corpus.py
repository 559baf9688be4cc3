"""``riffforge metal-corpus``: write N procedural Metal riffs as .mid files plus ``manifest.jsonl`` and
``styles.csv`` (each file's style, the ``--manifest`` of ``riffforge corpus build``).

Riff ``i`` depends only on ``(--seed, i)`` (its style cycles through ``--styles``; its intensity, bar count
and generator seed are drawn from an RNG seeded with ``--seed`` and ``i``), so any ``--jobs`` value writes
byte-identical files and the same manifest.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from . import CliError

MANIFEST = "manifest.jsonl"
STYLES_CSV = "styles.csv"
_CHUNK = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="output directory (created if missing)")
    parser.add_argument("--count", required=True, type=int, help="number of riffs to write")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)),
                        help="worker processes (default: min(2, CPUs))")
    parser.add_argument("--styles", default="all",
                        help="comma-separated styles to cycle through, or 'all' (default)")
    parser.add_argument("--bars", default="4",
                        help="bars per riff, or a comma list to draw from per riff, e.g. 2,4,16 (default 4)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def plan(index: int, seed: int, styles: Sequence[str], bars: Sequence[int]) -> Dict:
    """The request for riff ``index`` of a corpus with ``seed`` (pure function of its arguments)."""
    rng = random.Random(f"metal-corpus/{seed}/{index}")
    return {"index": index, "style": styles[index % len(styles)], "intensity": rng.random(),
            "bars": rng.choice(list(bars)), "seed": rng.randrange(2 ** 31)}


def _work(args: Tuple[str, int, List[Dict], int]) -> List[Dict]:
    out_dir, width, items, _ = args
    from ..music.midi import riff_to_midi_bytes
    from ..music.procedural import build_riff

    rows = []
    for item in items:
        riff = build_riff(item["style"], item["intensity"], item["bars"], item["seed"])
        name = f"{item['index']:0{width}d}_{riff.style}.mid"
        Path(out_dir, name).write_bytes(riff_to_midi_bytes(riff))
        rows.append({"file": name, "style": riff.style, "intensity": riff.intensity, "tempo": riff.tempo,
                     "key": riff.key, "mode": riff.mode, "tuning": riff.tuning, "bars": riff.bars,
                     "seed": riff.seed})
    return rows


def _parse(args: argparse.Namespace) -> Tuple[List[str], List[int]]:
    from ..music.riff import STYLES

    if args.count < 1:
        raise CliError(f"--count {args.count}: must be >= 1")
    if args.jobs < 1:
        raise CliError(f"--jobs {args.jobs}: must be >= 1")
    styles = list(STYLES) if args.styles == "all" else [s.strip() for s in args.styles.split(",") if s.strip()]
    unknown = [s for s in styles if s not in STYLES]
    if unknown or not styles:
        raise CliError(f"--styles {args.styles!r}: unknown style {unknown[0] if unknown else ''!r}; "
                       f"use 'all' or a comma list of {', '.join(STYLES)}")
    try:
        bars = [int(b) for b in str(args.bars).split(",") if b.strip()]
    except ValueError:
        raise CliError(f"--bars {args.bars!r}: use an integer or a comma list such as 2,4,16") from None
    if not bars or any(not 1 <= b <= 16 for b in bars):
        raise CliError(f"--bars {args.bars!r}: every bar count must be 1..16")
    return styles, bars


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    styles, bars = _parse(args)
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"--out {out}: cannot create the directory ({exc.strerror})") from None
    width = max(5, len(str(args.count - 1)))
    plans = [plan(i, args.seed, styles, bars) for i in range(args.count)]
    chunks = [(str(out), width, plans[i:i + _CHUNK], i) for i in range(0, len(plans), _CHUNK)]
    t0 = time.perf_counter()
    rows: List[Dict] = []
    bar = tqdm(total=args.count, unit="riff", desc="metal-corpus", disable=True if args.no_progress else None)
    if args.jobs == 1:
        for chunk in chunks:
            rows += _work(chunk)
            bar.update(len(chunk[2]))
    else:
        with get_context("fork" if hasattr(os, "fork") else "spawn").Pool(args.jobs) as pool:
            for part in pool.imap(_work, chunks):
                rows += part
                bar.update(len(part))
    bar.close()
    with open(out / MANIFEST, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
    with open(out / STYLES_CSV, "w", encoding="utf-8", newline="") as fh:
        fh.write("path,style\n" + "".join(f"{row['file']},{row['style']}\n" for row in rows))
    elapsed = time.perf_counter() - t0
    print(f"wrote {len(rows)} riffs and {MANIFEST} to {out} in {elapsed:.1f} s "
          f"({len(rows) / max(elapsed, 1e-9):.0f} riffs/s, {args.jobs} job(s))")
    return 0
