#!/usr/bin/env python3
"""8-bar phrases of the default band, one per style: labelled piano rolls and their phrase figures.

    ./run bench phrases                       # docs/evaluation/phrases.png + the table below
    ./run bench phrases --models DIR --out PNG --intensity 0.7 --seed 3

For each style, one 8-bar riff at the given intensity and seed through the same request path the sidecar
uses, drawn as a labelled piano roll (guitar and bass by pitch, drums by kit piece, bar lines), and the
phrase figures of riffforge.metrics.metal (distinct bars of 8, bars equal to the bar two before) of that
riff and of ``--count`` more seeds beside the real-Metal reference.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python_sidecar"))

GUITAR, BASS = (0.93, 0.55, 0.2), (0.3, 0.55, 0.95)
KIT = (("kick", (35, 36)), ("snare", (37, 38, 39, 40)), ("toms", (41, 43, 45, 47, 48, 50)),
       ("hi-hat", (42, 44, 46)), ("cymbals", (49, 51, 52, 53, 55, 57, 59)))


def note_name(pitch: int) -> str:
    from riffforge.music.riff import PITCH_CLASS_NAMES

    return f"{PITCH_CLASS_NAMES[pitch % 12]}{pitch // 12 - 1}"


def draw(ax_mel, ax_drums, riff, title: str) -> None:
    total = riff.bars * 16
    for name, colour in (("guitar", GUITAR), ("bass", BASS)):
        for n in riff.notes(name):
            ax_mel.add_patch(_rect(n.start, n.pitch - 0.4, n.length, 0.8, colour))
    pitches = [n.pitch for k in ("guitar", "bass") for n in riff.notes(k)] or [40]
    lo, hi = min(pitches) - 2, max(pitches) + 2
    ax_mel.set_ylim(lo, hi)
    ticks = [p for p in range(lo, hi + 1) if p % 12 in (4, 9) or p == min(pitches) + 2]
    ax_mel.set_yticks(ticks, [note_name(p) for p in ticks], fontsize=7)
    ax_mel.set_title(title, fontsize=9, loc="left")
    rows = {p: i for i, (_, ps) in enumerate(KIT) for p in ps}
    for n in riff.notes("drums"):
        if n.pitch in rows:
            ax_drums.add_patch(_rect(n.start, rows[n.pitch] - 0.35, 0.9, 0.7, (0.35, 0.8, 0.45)))
    ax_drums.set_ylim(-0.6, len(KIT) - 0.4)
    ax_drums.set_yticks(range(len(KIT)), [k for k, _ in KIT], fontsize=7)
    for ax in (ax_mel, ax_drums):
        ax.set_xlim(0, total)
        for b in range(riff.bars + 1):
            ax.axvline(b * 16, color="0.35", lw=0.8)
        ax.set_xticks([b * 16 + 8 for b in range(riff.bars)], [f"bar {b + 1}" for b in range(riff.bars)], fontsize=7)
        ax.set_facecolor("0.97")


def _rect(x, y, w, h, colour):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, facecolor=colour, edgecolor="none")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=None, help="bundles folder (default: the packaged models)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "evaluation" / "phrases.png")
    ap.add_argument("--intensity", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20, help="riffs per style for the phrase figures")
    a = ap.parse_args()

    from riffforge.figures import pyplot, save_figure
    from riffforge.generation import RiffRequest
    from riffforge.metrics.metal import PHRASE_FIGURES, phrase_figures, summarize_figures
    from riffforge.metrics.reference import inside, reference
    from riffforge.music.riff import STYLES
    from riffforge.runtime import load_generator

    gen = load_generator(a.models)
    plt = pyplot()
    fig, axes = plt.subplots(2 * len(STYLES), 1, figsize=(14, 3.1 * len(STYLES)),
                             gridspec_kw={"height_ratios": [3, 1.2] * len(STYLES)})
    print(f"model {gen.model_id if hasattr(gen, 'model_id') else 'procedural'}; 8-bar riffs at intensity "
          f"{a.intensity}; phrase figures over {a.count} seeds per style")
    print(f"{'style':8s} {'distinct bars of 8':>26s} {'bars = bar two before':>24s}")
    for i, style in enumerate(STYLES):
        riff = gen.generate(RiffRequest(intensity=a.intensity, style=style, bars=8, seed=a.seed))
        p = phrase_figures(riff)
        draw(axes[2 * i], axes[2 * i + 1], riff,
             f"{style}: {riff.tempo:.0f} BPM, {riff.key} {riff.mode}, {riff.tuning}, intensity {a.intensity} "
             f"(seed {a.seed}): {p['distinct_bars']:.0f} distinct bars, {p['repeat_two_back']:.0%} equal to the "
             f"bar two before; orange guitar, blue bass")
        rows = [phrase_figures(gen.generate(RiffRequest(intensity=a.intensity, style=style, bars=8, seed=s)))
                for s in range(a.seed, a.seed + a.count)]
        s = summarize_figures(rows, [k for k, _ in PHRASE_FIGURES])
        d, r = s["distinct_bars"], s["repeat_two_back"]
        rd, rr = reference(style, "distinct_bars"), reference(style, "repeat_two_back")
        print(f"{style:8s} {d['median']:5.1f} [{d['q1']:.1f}-{d['q3']:.1f}] real {rd['median']:.0f} "
              f"[{rd['q1']:.0f}-{rd['q3']:.0f}] {'in ' if inside(style, 'distinct_bars', d) else 'OUT'}"
              f"   {r['rate']:6.0%} real {rr['rate']:.0%} {'in' if inside(style, 'repeat_two_back', r) else 'OUT'}")
    save_figure(fig, a.out, dpi=90)
    print(f"piano rolls: {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
