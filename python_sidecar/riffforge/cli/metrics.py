"""``riffforge metrics FILE_OR_DIR [--json OUT]``: Metal metrics of MIDI files as a table (+ JSON).

Every ``.mid``/``.midi`` file (a directory is searched recursively) is read with
:func:`riffforge.music.midi.midi_to_riff` and measured with :func:`riffforge.metrics.riff_metrics`. The
table has one row per metric and one column per style found (files written by riffforge carry their
style; foreign files are ``unknown``) plus ``all``; values are nan-aware means, ``n/a`` = undefined (e.g.
guitar metrics on drums-only files). ``drum_pattern_consistency`` is measured on the raw MIDI ticks (16th
or triplet grid, tolerance 1/48 beat), so human timing shows up there.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Dict, List

from . import CliError

GRID_TOLERANCE_BEATS = 1 / 48


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, metavar="FILE_OR_DIR", help="a .mid file or a directory of them")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write per-file rows + summary as JSON")
    parser.add_argument("--limit", type=int, default=0, help="measure at most this many files (0 = all)")


def find_midi(path: Path) -> List[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in (".mid", ".midi") and p.is_file())
    raise CliError(f"{path}: no such file or directory; pass a .mid file or a directory of them")


def measure_file(path: Path) -> Dict[str, object]:
    """Metrics row of one MIDI file (raises RiffError naming the file when it cannot be read)."""
    from ..metrics import drum_pattern_consistency_ticks, riff_metrics
    from ..music.midi import drum_onset_ticks, midi_to_riff

    data = path.read_bytes()
    riff = midi_to_riff(data) if data else midi_to_riff(path)
    row = riff_metrics(riff)
    ticks, tpb = drum_onset_ticks(data)
    row["drum_pattern_consistency"] = drum_pattern_consistency_ticks(ticks, tpb, int(tpb * GRID_TOLERANCE_BEATS))
    return row


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def format_table(summary: Dict[str, Dict[str, float]]) -> str:
    from ..metrics import METRIC_NAMES

    groups = list(summary)
    width = max(len(n) for n in METRIC_NAMES) + 2
    lines = ["metric".ljust(width) + "".join(g.rjust(10) for g in groups)]
    lines.append("-" * len(lines[0]))
    lines.append("files".ljust(width) + "".join(str(int(summary[g]["count"])).rjust(10) for g in groups))
    for name in METRIC_NAMES:
        lines.append(name.ljust(width) + "".join(_fmt(summary[g][name]).rjust(10) for g in groups))
    return "\n".join(lines)


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..metrics import summarize
    from ..music.riff import RiffError

    files = find_midi(args.path)
    if args.limit > 0:
        files = files[:args.limit]
    if not files:
        raise CliError(f"{args.path}: no .mid/.midi files found")
    rows, errors = [], []
    for path in tqdm(files, desc="metrics", unit="file", disable=True if len(files) < 50 else None, leave=False):
        try:
            row = measure_file(path)
        except (RiffError, OSError) as exc:
            errors.append({"file": str(path), "error": str(exc)})
            print(f"riffforge metrics: skipping {path}: {exc}", file=sys.stderr)
            continue
        row["file"] = str(path)
        rows.append(row)
    if not rows:
        raise CliError(f"{args.path}: none of the {len(files)} MIDI files could be read (first: {errors[0]['error']})")
    styles = sorted({str(r["style"]) for r in rows})
    summary = {"all": summarize(rows)}
    if len(styles) > 1:
        for s in styles:
            summary[s] = summarize([r for r in rows if r["style"] == s])
    print(format_table(summary))
    if errors:
        print(f"({len(errors)} file(s) skipped, see stderr)")
    if args.json:
        payload = {"files": [{k: _clean(v) for k, v in r.items()} for r in rows],
                   "summary": {g: {k: _clean(v) for k, v in m.items()} for g, m in summary.items()},
                   "errors": errors}
        try:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        except OSError as exc:
            raise CliError(f"--json {args.json}: cannot write ({exc.strerror})") from None
        print(f"wrote {args.json}")
    return 0
