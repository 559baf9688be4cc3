"""The one way RiffForge makes matplotlib figures (train extra only): headless Agg pyplot, and saving a
figure to a PNG whose folder may not exist yet."""
from __future__ import annotations

from pathlib import Path


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: Path, dpi: int, **tight_layout) -> Path:
    """Lay out ``fig`` (``tight_layout`` keyword arguments, e.g. ``rect``), write it to ``path`` (parent
    folders created) and close it."""
    fig.tight_layout(**tight_layout)
    if hasattr(path, "atomic_write"):  # a URL (corpus.storage.UrlPath): written through its Beam filesystem
        path.atomic_write(lambda handle: fig.savefig(handle, dpi=dpi, format=path.suffix.lstrip(".")))
        pyplot().close(fig)
        return path
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    pyplot().close(fig)
    return path
