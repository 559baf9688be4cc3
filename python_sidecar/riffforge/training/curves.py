"""Training-curve PNG from the run's metrics history (matplotlib, Agg backend, training extra only)."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from ..figures import pyplot, save_figure


def plot_curves(history: List[Dict], path: Path, title: str = "") -> Path:
    """Four panels: loss, reconstruction loss, KL (bits), accuracy; train vs validation."""
    plt = pyplot()

    train = [h for h in history if h.get("split") == "train"]
    val = [h for h in history if h.get("split") == "validation"]
    panels = [
        ("loss", [("train", train, "loss"), ("validation", val, "loss")]),
        ("reconstruction loss (nats / example)", [("train", train, "r_loss"), ("validation", val, "r_loss")]),
        ("KL (bits)", [("train", train, "kl_bits"), ("validation", val, "kl_bits")]),
        ("accuracy", [("train, teacher forced", train, "accuracy"),
                      ("validation, teacher forced", val, "accuracy_teacher_forced"),
                      ("validation, sampling", val, "accuracy_sampling")]),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    for ax, (name, series) in zip(axes.flat, panels):
        for label, rows, key in series:
            pts = [(r["step"], r[key]) for r in rows if key in r]
            if pts:
                xs, ys = zip(*pts)
                ax.plot(xs, ys, label=label, marker="o" if len(pts) < 20 else None, markersize=3)
        ax.set_title(name)
        ax.set_xlabel("global step")
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, dpi=90)
