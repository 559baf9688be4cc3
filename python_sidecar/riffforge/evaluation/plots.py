"""Figures of the evaluation report: metric distributions (matplotlib) and piano rolls of typical riffs."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Dict, List, Mapping, Sequence

from ..figures import pyplot, save_figure
from ..music.pianoroll import save_piano_roll
from ..music.riff import Riff

#: Metrics drawn in the distribution figure (the Metal ones plus energy and density).
PLOT_METRICS = ("energy", "drum_onsets_per_bar", "double_kick_rate", "blast_rate", "gallop_match", "skank_match",
                "backbeat_share", "kick_guitar_synchrony", "power_chord_ratio", "mode_share",
                "pitch_class_entropy", "syncopation_drums")


def _finite(values) -> List[float]:
    return [float(v) for v in values if isinstance(v, (int, float)) and not math.isnan(float(v))]


def plot_distributions(rows_by_source: Mapping[str, Sequence[Mapping]], path: Path,
                       metrics: Sequence[str] = PLOT_METRICS) -> Path:
    """One histogram panel per metric, one step-outline per source (densities, so sizes don't matter)."""
    plt = pyplot()

    cols = 4
    rows = math.ceil(len(metrics) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows))
    for ax, metric in zip(axes.flat, metrics):
        lo, hi = math.inf, -math.inf
        data = {}
        for name, rs in rows_by_source.items():
            vals = _finite(r.get(metric) for r in rs)
            if vals:
                data[name] = vals
                lo, hi = min(lo, min(vals)), max(hi, max(vals))
        if not data:
            ax.set_visible(False)
            continue
        if hi <= lo:
            hi = lo + 1.0
        bins = [lo + (hi - lo) * i / 20 for i in range(21)]
        for name, vals in data.items():
            ax.hist(vals, bins=bins, density=True, histtype="step", linewidth=1.4, label=name)
        ax.set_title(metric, fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    return save_figure(fig, path, dpi=72, rect=(0, 0.05, 1, 1))


def plot_real_metal(headline: Mapping[str, Mapping], path: Path) -> Path:
    """Grouped bars per style: the share of real-Metal figures inside the real range, one bar per source
    (``headline`` from :func:`riffforge.evaluation.real_metal.real_metal_section`)."""
    plt = pyplot()

    styles = list(headline)
    names = list(next(iter(headline.values()))["inside"]) if headline else []
    fig, ax = plt.subplots(figsize=(9, 3.2))
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        vals = [headline[st]["inside"][name] / max(1, headline[st]["scored"][name]) for st in styles]
        ax.bar([j + i * width for j in range(len(styles))], vals, width, label=name)
    ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(styles))])
    ax.set_xticklabels(styles, fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, ncol=max(1, len(names)), loc="upper center", bbox_to_anchor=(0.5, 1.18), frameon=False)
    ax.set_ylabel("figures inside the real range", fontsize=8)
    return save_figure(fig, path, dpi=80)


def plot_headline(summary: Mapping[str, Mapping[str, float]], metrics: Sequence[str], path: Path) -> Path:
    """Grouped bars: mean of each descriptive Metal metric per source."""
    plt = pyplot()

    names = list(summary)
    fig, ax = plt.subplots(figsize=(9, 3.2))
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        vals = [summary[name].get(m, float("nan")) for m in metrics]
        vals = [0.0 if (isinstance(v, float) and math.isnan(v)) else v for v in vals]
        ax.bar([j + i * width for j in range(len(metrics))], vals, width, label=name)
    ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(metrics))])
    ax.set_xticklabels([m.replace("_", "\n") for m in metrics], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, ncol=len(names), loc="upper center", bbox_to_anchor=(0.5, 1.18), frameon=False)
    ax.set_ylabel("mean over samples", fontsize=8)
    return save_figure(fig, path, dpi=80)


def typical(riffs: Sequence[Riff], rows: Sequence[Mapping]) -> Riff:
    """The riff whose energy is closest to the median energy of ``riffs`` (a 'typical' sample)."""
    energies = [float(r.get("energy", 0.0)) for r in rows]
    order = sorted(range(len(energies)), key=lambda i: energies[i])
    median = energies[order[len(order) // 2]]
    best = min(range(len(energies)), key=lambda i: abs(energies[i] - median))
    return riffs[best]


def save_typical_rolls(samples: Mapping[str, Mapping[str, Sequence[Riff]]],
                       rows: Mapping[str, Mapping[str, Sequence[Mapping]]], out_dir: Path) -> Dict[str, Dict[str, Path]]:
    """``{source: {style: png}}``: piano roll of the typical riff per source and style."""
    out: Dict[str, Dict[str, Path]] = {}
    for source, by_style in samples.items():
        for style, riffs in by_style.items():
            if not riffs:
                continue
            path = Path(out_dir) / f"roll_{_slug(source)}_{_slug(style)}.png"
            save_piano_roll(typical(riffs, rows[source][style]), path)
            out.setdefault(source, {})[style] = path
    return out


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text.lower())
