"""The evaluation against real Metal: each source's window and phrase figures beside the reference ranges.

For every generated source (model bundles and the procedural generator) and style, the figures of
:mod:`riffforge.metrics.metal` are measured on the 2-bar riffs the evaluation samples (every intensity) and,
for the phrase figures, on 8-bar riffs at intensity 0.5. Each summary is set beside
:func:`riffforge.metrics.reference.reference` for that style and figure: ``inside`` says whether the source
meets the real range, ``distance`` how far it is from it (0 = inside).

Fine-tuning *moves toward real Metal* on a figure when the fine-tuned source is closer to the range than the
base source (``distance(fine-tuned) < distance(base)``) or both are inside it (both distances 0). The verdict
is per style and figure: "fine-tuning works" is said only for the figures where it moved toward the range.
"""
from __future__ import annotations

import math
from typing import Dict, List, Mapping, Optional, Sequence

from ..metrics.metal import PHRASE_FIGURES, RATE_FIGURES, WINDOW_FIGURES, phrase_figures, riff_window_figures, \
    summarize_figures
from ..metrics.reference import SOURCE, distance, inside, reference
from ..music.riff import Riff

#: Every figure of the section, in table order: the 2-bar window figures, then the 8-bar phrase figures.
FIGURES = WINDOW_FIGURES + PHRASE_FIGURES
WINDOW_KEYS = tuple(k for k, _ in WINDOW_FIGURES)
PHRASE_KEYS = tuple(k for k, _ in PHRASE_FIGURES)
#: Intensity and length of the phrase requests (8 bars, as the phrase figures are defined).
PHRASE_INTENSITY = 0.5
PHRASE_BARS = 8


def window_rows(riffs: Sequence[Riff]) -> List[Dict[str, float]]:
    """The window figures of every 2-bar window of every riff."""
    return [row for r in riffs for row in riff_window_figures(r)]


def phrase_rows(riffs: Sequence[Riff]) -> List[Dict[str, float]]:
    """The phrase figures of every riff (8 bars or longer; shorter ones give nan)."""
    return [phrase_figures(r) for r in riffs]


def source_summary(windows: Sequence[Riff], phrases: Sequence[Riff]) -> Dict[str, dict]:
    """Summary (:func:`riffforge.metrics.metal.summarize_figures`) of every figure of :data:`FIGURES`."""
    out = summarize_figures(window_rows(windows), WINDOW_KEYS)
    out.update(summarize_figures(phrase_rows(phrases), PHRASE_KEYS))
    return out


def moved_toward(base_distance: Optional[float], fine_tuned_distance: Optional[float]) -> Optional[bool]:
    """Whether fine-tuning moved a figure toward real Metal: closer than the base, or both inside (both 0).
    None when either distance is unknown."""
    if base_distance is None or fine_tuned_distance is None:
        return None
    if base_distance == 0.0 and fine_tuned_distance == 0.0:
        return True
    return fine_tuned_distance < base_distance


def judge(style: str, figure: str, summary: dict) -> dict:
    """A source's ``summary`` of one figure with ``inside`` and ``distance`` against the style's reference."""
    return {**summary, "inside": inside(style, figure, summary), "distance": distance(style, figure, summary)}


def real_metal_section(summaries: Mapping[str, Mapping[str, Mapping[str, dict]]], styles: Sequence[str],
                       compare: Sequence[str]) -> Dict:
    """The "real Metal" part of ``results.json``.

    ``summaries``: ``{source: {style: {figure: summary}}}`` (from :func:`source_summary`); ``compare``: the
    (base, fine-tuned) source names, or fewer when there is nothing to compare. Returns ``{"source": SOURCE,
    "figures": [[key, label]...], "styles": {style: {figure: {"reference", "sources": {name: judged},
    "moved_toward"}}}, "headline": {style: {"inside": {name: k}, "scored": {name: n}, "works": [...],
    "not_yet": [...]}}}``.
    """
    names = list(summaries)
    base, ft = (compare[0], compare[1]) if len(compare) == 2 else (None, None)
    per_style: Dict[str, Dict[str, dict]] = {}
    headline: Dict[str, dict] = {}
    for style in styles:
        table: Dict[str, dict] = {}
        counts = {n: 0 for n in names}
        scored = {n: 0 for n in names}
        works: List[str] = []
        not_yet: List[str] = []
        for key, label in FIGURES:
            judged = {n: judge(style, key, summaries[n][style][key]) for n in names}
            for n, j in judged.items():
                if j["inside"] is not None:
                    scored[n] += 1
                    counts[n] += int(j["inside"])
            moved = None
            if base is not None:
                moved = moved_toward(judged[base]["distance"], judged[ft]["distance"])
                if moved is not None:
                    (works if moved else not_yet).append(key)
            table[key] = {"label": label, "reference": reference(style, key), "sources": judged,
                          "moved_toward": moved}
        per_style[style] = table
        headline[style] = {"inside": counts, "scored": scored, "works": works, "not_yet": not_yet}
    return {"source": SOURCE, "figures": [list(f) for f in FIGURES], "compare": list(compare[:2]) if base else [],
            "styles": per_style, "headline": headline}


def fine_tuning_checks(section: Mapping) -> List[Dict]:
    """One acceptance check per style: fine-tuning moved toward real Metal on more figures than not.

    The check's text names the figures where fine-tuning works (moved toward the range) and where it does not
    yet; ``overall`` is True when the first list is the longer one."""
    if not section.get("compare"):
        return []
    base, ft = section["compare"]
    out = []
    for style, h in section["headline"].items():
        works, not_yet = h["works"], h["not_yet"]
        n = len(works) + len(not_yet)
        text = (f"{style}: fine-tuning moves toward real Metal in {len(works)}/{n} figures "
                f"({ft} inside {h['inside'][ft]}/{h['scored'][ft]}, {base} {h['inside'][base]}/{h['scored'][base]}); "
                f"fine-tuning works for: {', '.join(works) or 'none'}")
        if not_yet:
            text += f"; not for: {', '.join(not_yet)}"
        out.append({"check": text, "metric": "real_metal", "style": style, "works": list(works),
                    "not_yet": list(not_yet), "fine_tuned": len(works), "base": None, "overall": len(works) > len(not_yet)})
    return out


def format_summary(summary: Optional[Mapping], figure: str) -> str:
    """``median [q1–q3]`` or ``rate`` (as a percentage) of one summary or reference; ``–`` when unknown."""
    if not summary:
        return "–"
    if figure in RATE_FIGURES or "rate" in summary:
        r = summary.get("rate")
        return "–" if r is None or _nan(r) else f"{100 * r:.0f}%"
    m = summary.get("median")
    if m is None or _nan(m):
        return "–"
    q1, q3 = summary.get("q1"), summary.get("q3")
    digits = 0 if abs(m) >= 20 else 2
    text = f"{m:.{digits}f}"
    if q1 is not None and q3 is not None and not (_nan(q1) or _nan(q3)):
        text += f" [{q1:.{digits}f}–{q3:.{digits}f}]"
    return text


def mark(value: Optional[bool]) -> str:
    """``yes`` / ``no`` / ``–`` for an ``inside`` or ``moved_toward`` value."""
    return "–" if value is None else ("yes" if value else "no")


def _nan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)
