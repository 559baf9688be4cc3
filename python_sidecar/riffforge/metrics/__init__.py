"""Metal metrics on :class:`~riffforge.music.riff.Riff` objects (numpy-free, pure Python).

Every metric has a docstring that defines it; :func:`riff_metrics` computes all of them into one flat
dict (the row the ``riffforge metrics`` CLI and the evaluation print), :func:`summarize` averages rows.
``energy(riff)`` is what the runtime uses to build its intensity direction.
"""
from __future__ import annotations

import math
from typing import Dict, Iterable, List, Mapping

from ..music.riff import Riff
from .energy import drum_bar_classes, energy, energy_components
from .pitch import (bass_guitar_root_agreement, best_modal_fit, in_tuning_range_share, mode_share,
                    pitch_class_entropy, power_chord_ratio)
from .rhythm import (TEMPLATE_THRESHOLD, backbeat_share, blast_bars, blast_rate, double_kick_rate, drum_in_pattern_rate_ticks,
                     drum_pattern_consistency, drum_pattern_consistency_ticks, empty_beat_rate,
                     groove_consistency, groove_consistency_jaccard, has_gallop_or_skank, halftime_share,
                     jaccard, kick_guitar_synchrony, longest_kick_run, metrical_weights, notes_per_second,
                     onset_density, syncopation, template_bars, template_match)
from .view import RiffView, as_view

NAN = float("nan")

# Column order of the table (also the keys of riff_metrics' numeric part).
METRIC_NAMES = (
    "energy", "tempo", "guitar_onsets_per_bar", "bass_onsets_per_bar", "drum_onsets_per_bar",
    "drum_hits_per_second", "longest_kick_run", "double_kick_rate", "blast_rate", "gallop_match",
    "dbeat_match", "skank_match", "gallop_or_skank", "backbeat_share", "halftime_share",
    "syncopation_drums", "syncopation_guitar", "kick_guitar_synchrony", "power_chord_ratio",
    "mode_share", "best_mode_share", "bass_guitar_root_agreement", "pitch_class_entropy",
    "in_tuning_range", "empty_beat_rate", "groove_consistency", "groove_consistency_jaccard",
    "drum_pattern_consistency",
)


def riff_metrics(riff: Riff) -> Dict[str, object]:
    """All metrics of one riff: the numeric ones named in :data:`METRIC_NAMES` (nan = undefined) plus
    ``best_key``/``best_mode`` (strings) and ``style``/``intensity``/``bars`` for grouping."""
    v = RiffView(riff)
    key, mode, share = best_modal_fit(v)
    gallop_or_skank = NAN
    if v.spb == 16 and (v.has_drums or v.has_guitar):
        gallop_or_skank = float(has_gallop_or_skank(v))
    row: Dict[str, object] = {
        "energy": energy(v),
        "tempo": float(riff.tempo),
        "guitar_onsets_per_bar": onset_density(v, "guitar") if v.has_guitar else NAN,
        "bass_onsets_per_bar": onset_density(v, "bass") if v.has_bass else NAN,
        "drum_onsets_per_bar": onset_density(v, "drums") if v.has_drums else NAN,
        "drum_hits_per_second": notes_per_second(v, "drums") if v.has_drums else NAN,
        "longest_kick_run": float(longest_kick_run(v)) if v.has_drums else NAN,
        "double_kick_rate": double_kick_rate(v),
        "blast_rate": blast_rate(v),
        "gallop_match": template_match(v, "gallop"),
        "dbeat_match": template_match(v, "dbeat"),
        "skank_match": template_match(v, "skank"),
        "gallop_or_skank": gallop_or_skank,
        "backbeat_share": backbeat_share(v),
        "halftime_share": halftime_share(v),
        "syncopation_drums": syncopation(v, "drums") if v.has_drums else NAN,
        "syncopation_guitar": syncopation(v, "guitar") if v.has_guitar else NAN,
        "kick_guitar_synchrony": kick_guitar_synchrony(v),
        "power_chord_ratio": power_chord_ratio(v),
        "mode_share": mode_share(v),
        "best_mode_share": share,
        "bass_guitar_root_agreement": bass_guitar_root_agreement(v),
        "pitch_class_entropy": pitch_class_entropy(v),
        "in_tuning_range": in_tuning_range_share(v),
        "empty_beat_rate": empty_beat_rate(v),
        "groove_consistency": groove_consistency(v),
        "groove_consistency_jaccard": groove_consistency_jaccard(v),
        "drum_pattern_consistency": drum_pattern_consistency(v) if v.has_drums else NAN,
        "best_key": key,
        "best_mode": mode,
        "style": riff.style,
        "intensity": float(riff.intensity),
        "bars": riff.bars,
    }
    return row


def nanmean(values: Iterable[float]) -> float:
    """Mean of the non-nan values (nan when there are none)."""
    vals = [float(x) for x in values if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return sum(vals) / len(vals) if vals else NAN


def summarize(rows: List[Mapping[str, object]]) -> Dict[str, float]:
    """Nan-aware mean of every metric in :data:`METRIC_NAMES` over ``rows``, plus ``count``."""
    out: Dict[str, float] = {name: nanmean(r.get(name, NAN) for r in rows) for name in METRIC_NAMES}  # type: ignore[misc]
    out["count"] = float(len(rows))
    return out


def spearman(x: List[float], y: List[float]) -> float:
    """Spearman rank correlation (average ranks for ties), pure Python; nan for < 2 points or a constant
    input."""
    def ranks(vals: List[float]) -> List[float]:
        order = sorted(range(len(vals)), key=lambda i: vals[i])
        r = [0.0] * len(vals)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and vals[order[j + 1]] == vals[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return r
    if len(x) != len(y) or len(x) < 2:
        return NAN
    rx, ry = ranks(list(x)), ranks(list(y))
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / math.sqrt(vx * vy) if vx and vy else NAN


__all__ = [
    "METRIC_NAMES", "TEMPLATE_THRESHOLD", "RiffView", "as_view", "backbeat_share", "bass_guitar_root_agreement", "best_modal_fit",
    "blast_bars", "blast_rate", "double_kick_rate", "drum_bar_classes", "drum_in_pattern_rate_ticks",
    "drum_pattern_consistency", "drum_pattern_consistency_ticks", "empty_beat_rate", "energy",
    "energy_components", "groove_consistency", "groove_consistency_jaccard", "halftime_share",
    "has_gallop_or_skank", "in_tuning_range_share", "jaccard", "kick_guitar_synchrony", "longest_kick_run",
    "metrical_weights", "mode_share", "nanmean", "notes_per_second", "onset_density", "pitch_class_entropy",
    "power_chord_ratio", "riff_metrics", "spearman", "summarize", "syncopation", "template_bars",
    "template_match",
]
