"""The "energy" of a riff: one number in [0, 1] for how hard it hits.

The runtime builds its intensity direction from ``energy(riff)`` on decoded samples, so it must work for
full band riffs, drums-only riffs (drum models) and melody-only riffs (melody models) alike.
"""
from __future__ import annotations

from typing import List

from .rhythm import GALLOP, REVERSE_GALLOP, TEMPLATE_THRESHOLD, blast_bars, jaccard, template_bars
from .view import RiffLike, RiffView, as_view

TEMPO_LOW, TEMPO_HIGH = 40.0, 250.0  # BPM mapped to 0 and 1
DENSITY_FULL = 16.0  # onsets per second counted as "full": 16ths at 240 BPM
WEIGHTS = {"tempo": 0.3, "density": 0.35, "pattern": 0.35}
PATTERN_SCORES = {"blast": 1.0, "double_bass": 0.85, "skank": 0.75, "gallop": 0.6, "dbeat": 0.55,
                  "backbeat": 0.4, "halftime": 0.25}
KICK_BONUS = 0.2  # added per unit of kick coverage (kick steps / steps per bar) to groove classes


def _clip01(x: float) -> float:
    return 0.0 if x < 0 else 1.0 if x > 1 else x


def drum_bar_classes(riff: RiffLike) -> List[str]:
    """Classify each bar's drums, first match wins: ``blast`` (see :func:`~riffforge.metrics.rhythm.blast_bars`),
    ``skank`` (template match >= 0.8, see :func:`~riffforge.metrics.rhythm.template_match`), ``gallop``
    (the kick alone matches the gallop or reverse gallop >= 0.8), ``double_bass`` (kick on all but at
    most 2 steps), ``dbeat`` (template match >= 0.8), ``backbeat`` (snare on 2 and 4),
    ``halftime`` (snare on 3 only), else ``other``; ``none`` for a bar without drum hits."""
    v = as_view(riff)
    blasts = blast_bars(v)
    sk, ga, db = (template_bars(v, n) for n in ("skank", "gallop", "dbeat"))
    ga_kick = [max(jaccard(v.bar_slice(v.kick, b), GALLOP), jaccard(v.bar_slice(v.kick, b), REVERSE_GALLOP))
               >= TEMPLATE_THRESHOLD for b in range(v.bars)] if v.spb == 16 else []
    q = v.spb // 4
    out = []
    for b in range(v.bars):
        kicks = v.bar_slice(v.kick, b)
        sn = v.bar_slice(v.snare, b)
        if not v.bar_slice(v.drum_onsets, b):
            out.append("none")
        elif blasts[b]:
            out.append("blast")
        elif sk and sk[b]:
            out.append("skank")
        elif ga and ga[b] and len(kicks) < v.spb - 2 and ga_kick[b]:
            out.append("gallop")
        elif len(kicks) >= v.spb - 2:
            out.append("double_bass")
        elif db and db[b]:
            out.append("dbeat")
        elif q and q in sn and 3 * q in sn:
            out.append("backbeat")
        elif q and 2 * q in sn:
            out.append("halftime")
        else:
            out.append("other")
    return out


def _pattern_component(v: RiffView) -> float:
    if v.has_drums:
        scores = []
        ks = v.kick | v.snare
        for b, cls in enumerate(drum_bar_classes(v)):
            if cls in ("blast", "double_bass"):
                scores.append(PATTERN_SCORES[cls])
            elif cls in PATTERN_SCORES:  # busier kicks push a groove up, never past double bass
                kick_cover = len(v.bar_slice(v.kick, b)) / v.spb
                scores.append(min(0.84, PATTERN_SCORES[cls] + KICK_BONUS * kick_cover))
            else:  # other / none: by kick+snare coverage of the bar
                scores.append(0.15 + 0.6 * len(v.bar_slice(ks, b)) / v.spb)
        return sum(scores) / len(scores)
    onsets = v.onsets["guitar"] or v.onsets["bass"]
    if not onsets:
        return 0.0
    # melody-only: texture from how many steps are picked (tremolo -> 1, whole notes -> ~0.2)
    return _clip01(0.15 + 0.85 * len(onsets) / v.total)


def _density_component(v: RiffView) -> float:
    secs = v.seconds
    parts = []
    if v.has_drums:
        parts.append((0.6, len(v.kick | v.snare | v.tom) / secs / DENSITY_FULL))
    pitched = v.onsets["guitar"] or v.onsets["bass"]
    if pitched:
        parts.append((0.4, len(pitched) / secs / DENSITY_FULL))
    if not parts:
        return 0.0
    total_w = sum(w for w, _ in parts)
    return _clip01(sum(w * x for w, x in parts) / total_w)


def energy_components(riff: RiffLike) -> dict:
    """The three components of :func:`energy`, each in [0, 1]."""
    v = as_view(riff)
    return {
        "tempo": _clip01((float(v.riff.tempo) - TEMPO_LOW) / (TEMPO_HIGH - TEMPO_LOW)),
        "density": _density_component(v),
        "pattern": _pattern_component(v),
    }


def energy(riff: RiffLike) -> float:
    """Energy in [0, 1]: ``0.3 * tempo + 0.35 * density + 0.35 * pattern`` where

    * tempo = (BPM - 40) / 210 clipped to [0, 1];
    * density = onsets per second / 16, clipped: for drums the distinct kick/snare/tom steps, for the
      pitched part the guitar's onset steps (the bass's when there is no guitar); weighted 0.6 drums /
      0.4 pitched when both exist, otherwise whichever exists;
    * pattern = mean over bars of a drum-class score (blast 1.0, double bass 0.85, skank 0.75, gallop 0.6,
      d-beat 0.55, backbeat 0.4, half-time 0.25, plus 0.2 x the bar's kick coverage for those groove
      classes, capped at 0.84; other: 0.15 + 0.6 x kick/snare step coverage); without
      drums, the guitar's texture 0.15 + 0.85 x share of steps with an onset.

    An empty riff has energy ``0.3 * tempo``.
    """
    c = energy_components(riff)
    return sum(WEIGHTS[k] * c[k] for k in WEIGHTS)
