"""Procedural Metal corpus bench: `./run bench metal`.

1. 300 procedural riffs per style (4 bars, intensity uniform in [0, 1] from a fixed seed): Spearman
   rho(intensity, energy), playable range, declared-mode share, bass-guitar root agreement.
2. The corpus against real Metal: every figure of riffforge.metrics.metal on the 2-bar windows of those riffs
   (and the phrase figures on 8-bar riffs) beside the real-Metal reference of riffforge.metrics.reference
   (measured for thrash and groove, musicology targets for death, black, doom and djent); a check per style
   that every figure lands inside the reference range.
3. The older metrics on the real drum performances of the Groove MIDI Dataset (../shared/data/gmd; drums
   only, so guitar/bass metrics are n/a) beside the generated styles.
4. Speed: `riffforge metal-corpus` with 10,000 riffs on 2 jobs (target < 60 s), and live 2-bar riffs.

Exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import csv
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

from riffforge.cli.metrics import measure_file
from riffforge.generation import RiffRequest
from riffforge.metrics import METRIC_NAMES, nanmean, riff_metrics, spearman, summarize
from riffforge.music.procedural import ProceduralGenerator, generate
from riffforge.music.riff import STYLES

ROOT = Path(__file__).resolve().parents[1]
GMD = ROOT / ".." / "shared" / "data" / "gmd"


def _fmt(x, digits=3):
    if x is None or (isinstance(x, float) and x != x):
        return "n/a"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def generated_rows(per_style: int, bars: int):
    rows = {}
    for style in STYLES:
        rows[style] = []
        for i in tqdm(range(per_style), desc=f"generate {style}", unit="riff", leave=False):
            x = random.Random(f"bench-metal/{style}/{i}").random()
            row = riff_metrics(generate(style, x, bars=bars, seed=100_000 + i))
            rows[style].append(row)
    return rows


def acceptance(rows):
    checks = []  # (label, value, ok)
    lines = [f"{'style':8s}{'rho(E,x)':>10s}{'in range':>10s}{'mode mean':>11s}{'mode min':>10s}{'root agr':>10s}"]
    for style, rs in rows.items():
        rho = spearman([r["intensity"] for r in rs], [r["energy"] for r in rs])
        rng = min(r["in_tuning_range"] for r in rs)
        mode_mean = nanmean(r["mode_share"] for r in rs)
        mode_min = min(r["mode_share"] for r in rs)
        root = nanmean(r["bass_guitar_root_agreement"] for r in rs)
        lines.append(f"{style:8s}{_fmt(rho):>10s}{_fmt(rng):>10s}{_fmt(mode_mean):>11s}{_fmt(mode_min):>10s}"
                     f"{_fmt(root):>10s}")
        checks.append((f"{style}: Spearman rho(intensity, energy) >= 0.9", rho, rho >= 0.9))
        checks.append((f"{style}: every guitar note inside the tuning's range", rng, rng == 1.0))
        checks.append((f"{style}: guitar notes in the declared mode >= 0.9 (every riff)", mode_min, mode_min >= 0.9))
        checks.append((f"{style}: bass-guitar root agreement on strong beats >= 0.8", root, root >= 0.8))
    return lines, checks


def real_metal(per_style: int):
    """The corpus's real-Metal figures per style beside the reference; one check per style (the summaries
    and their formatting are the evaluation's, riffforge.evaluation.real_metal)."""
    from riffforge.evaluation.real_metal import FIGURES, format_summary, source_summary
    from riffforge.metrics.reference import SOURCE, inside, reference

    lines, checks = [SOURCE, ""], []
    labels = dict(FIGURES)
    for style in STYLES:
        windows, phrases = [], []
        for i in range(per_style):
            x = random.Random(f"bench-metal-real/{style}/{i}").random()
            windows.append(generate(style, x, bars=2, seed=200_000 + i))
            if i < per_style // 4:
                phrases.append(generate(style, x, bars=8, seed=300_000 + i))
        summary = source_summary(windows, phrases)
        lines.append(f"-- {style}")
        outside = []
        for key, s in summary.items():
            ref = reference(style, key)
            ok = inside(style, key, s)
            lines.append(f"   {labels[key]:<52s} {format_summary(s, key):>22s}  real {format_summary(ref, key):>22s}  "
                         f"{ref['basis']:<22s} {'inside' if ok else 'OUTSIDE' if ok is False else '-'}")
            if ok is False:
                outside.append(key)
        checks.append((f"{style}: every real-Metal figure inside the reference range", ", ".join(outside) or "all",
                       not outside))
    return lines, checks


def gmd_rows(limit: int):
    info = GMD / "info.csv"
    if not info.exists():
        return None
    with open(info, newline="") as fh:
        entries = list(csv.DictReader(fh))
    if limit:
        entries = entries[:limit]
    out = []
    for e in tqdm(entries, desc="GMD", unit="file", leave=False):
        row = measure_file(GMD / e["midi_filename"])
        row["gmd_style"] = e["style"].split("/")[0]
        row["beat_type"] = e["beat_type"]
        out.append(row)
    return out


def comparison_table(rows, gmd):
    groups = {s: summarize(rs) for s, rs in rows.items()}
    if gmd:
        groups["GMD all"] = summarize(gmd)
        groups["GMD beats"] = summarize([r for r in gmd if r["beat_type"] == "beat"])
        groups["GMD rock"] = summarize([r for r in gmd if r["gmd_style"] in ("rock", "punk")])
    width = max(len(n) for n in METRIC_NAMES) + 1
    head = "metric".ljust(width) + "".join(g.rjust(10) for g in groups)
    lines = [head, "-" * len(head),
             "riffs/files".ljust(width) + "".join(str(int(groups[g]["count"])).rjust(10) for g in groups)]
    for name in METRIC_NAMES:
        lines.append(name.ljust(width) + "".join(_fmt(groups[g][name]).rjust(10) for g in groups))
    return lines


def corpus_speed(count: int, jobs: int):
    with tempfile.TemporaryDirectory(prefix="rf-metal-bench-") as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "riffforge", "metal-corpus", "--out", tmp, "--count", str(count),
                               "--seed", "7", "--jobs", str(jobs)], cwd=ROOT)
        elapsed = time.perf_counter() - t0
        written = len(list(Path(tmp).glob("*.mid")))
    return elapsed, written, proc.returncode


def live_speed(n: int = 600):
    gen = ProceduralGenerator()
    times = []
    for i in range(n):
        req = RiffRequest(intensity=(i % 21) / 20, style=STYLES[i % len(STYLES)], bars=2, seed=i)
        t0 = time.perf_counter()
        gen.generate(req)
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.mean(times) * 1000, times[int(0.99 * len(times))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-style", type=int, default=300)
    ap.add_argument("--bars", type=int, default=4)
    ap.add_argument("--gmd-limit", type=int, default=0, help="0 = every GMD file")
    ap.add_argument("--corpus-count", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()

    t0 = time.perf_counter()
    rows = generated_rows(args.per_style, args.bars)
    acc_lines, checks = acceptance(rows)
    real_lines, real_checks = real_metal(args.per_style)
    checks += real_checks
    gmd = gmd_rows(args.gmd_limit)
    comp = comparison_table(rows, gmd)
    mean_ms, p99_ms = live_speed()
    elapsed, written, rc = corpus_speed(args.corpus_count, args.jobs)
    checks.append((f"metal-corpus: {args.corpus_count} riffs on {args.jobs} jobs < 60 s", elapsed,
                   rc == 0 and written == args.corpus_count and elapsed < 60))
    checks.append(("live: 2-bar riff mean <= 2 ms", mean_ms, mean_ms <= 2.0))

    print(f"\n== Procedural corpus: {args.per_style} riffs per style, {args.bars} bars, "
          f"intensity ~ U[0,1] ==")
    print("\n".join(acc_lines))
    print("\n== The corpus against real Metal (2-bar windows; phrases: 8-bar riffs) ==")
    print("\n".join(real_lines))
    print("\n== Metrics: generated styles vs the Groove MIDI Dataset (real drummers; drums only -> guitar/bass n/a) ==")
    if gmd is None:
        print(f"(GMD not found at {GMD}; comparison skipped)")
    print("\n".join(comp))
    print("GMD drum_pattern_consistency is measured on raw ticks (16th or triplet grid, +-1/48 beat);"
          " generated riffs are exactly on the grid.")
    print(f"\n== Speed ==\nlive 2-bar riff: mean {mean_ms:.3f} ms, p99 {p99_ms:.3f} ms")
    print(f"metal-corpus --count {args.corpus_count} --jobs {args.jobs}: {elapsed:.1f} s "
          f"({written} files, exit {rc})")
    print("\n== Checks ==")
    failed = 0
    for label, value, ok in checks:
        failed += not ok
        print(f"[{'PASS' if ok else 'FAIL'}] {label}: {_fmt(value)}")
    print(f"\n{len(checks) - failed}/{len(checks)} checks pass; bench took {time.perf_counter() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
