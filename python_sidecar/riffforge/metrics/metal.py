"""Real-Metal figures: what a Metal player hears in a riff, measured the way the reference table was.

Every figure is measured on a 2-bar 4/4 *window* on the 16th grid (a riff of 4 or 8 bars gives 2 or 4
windows); the phrase figures on 8-bar riffs. They are the columns of the reference table in
:mod:`riffforge.metrics.reference`, so the model, the procedural corpus and real Metal are compared on the
same definitions:

* ``bass_doubles_root``: share of bass onsets whose pitch class is the pitch class of the guitar's lowest
  note at that step (the lowest pitch sounding there, else the lowest pitch of the latest guitar onset
  before it); bass onsets before any guitar note are left out.
* ``bass_with_guitar``: share of bass onsets on a step where a guitar note starts too.
* ``bass_median_pitch``: median MIDI pitch of the bass notes.
* ``guitar_chord_onsets``: share of guitar onset steps where two or more distinct pitches start.
* ``guitar_pedal_onsets``: share of guitar onset steps whose lowest pitch is the window's lowest guitar pitch
  (the pedal note a riff keeps returning to).
* ``guitar_onsets_per_bar``, ``kicks_per_bar``: onset steps (guitar, kick) per bar.
* ``double_bass``: 1 when a bar of the window has 8 or more kick steps (a double-bass bar), else 0.
* ``blast``: 1 when a bar of the window is a blast beat (:func:`riffforge.metrics.rhythm.blast_bars`).
* ``snare_2_4``: 1 when the snare sounds on beats 2 and 4 (steps 4 and 12) in both bars.
* ``tempo``: the riff's BPM.

Phrase figures (:func:`phrase_figures`, 8-bar riffs): ``distinct_bars`` (how many of the 8 guitar bars differ,
notes compared as (step in bar, length, pitch)) and ``repeat_two_back`` (share of bars 3..8 equal to the bar
two before). Windows without the instrument a figure needs give nan for it.
"""
from __future__ import annotations

import math
import statistics
from typing import Dict, Iterable, List, Optional, Sequence

from ..music.riff import Note, Riff
from .rhythm import blast_bars
from .view import RiffView

NAN = float("nan")
WINDOW_BARS = 2
PHRASE_BARS = 8

# (key, label) in the order of the reference table.
WINDOW_FIGURES = (
    ("bass_doubles_root", "bass onsets doubling the guitar's lowest pitch class"),
    ("bass_with_guitar", "bass onsets together with a guitar onset"),
    ("bass_median_pitch", "bass median pitch (MIDI)"),
    ("guitar_chord_onsets", "guitar onsets that are chords (>= 2 notes)"),
    ("guitar_pedal_onsets", "guitar onsets on the riff's lowest (pedal) note"),
    ("guitar_onsets_per_bar", "guitar onsets per bar"),
    ("kicks_per_bar", "kicks per bar"),
    ("double_bass", "windows with a double-bass bar (>= 8 kicks)"),
    ("blast", "windows with a blast bar"),
    ("snare_2_4", "windows with snare on 2 and 4 in both bars"),
    ("tempo", "tempo (BPM)"),
)
PHRASE_FIGURES = (
    ("distinct_bars", "8-bar phrases: distinct bars of 8"),
    ("repeat_two_back", "8-bar phrases: bars equal to the bar two before"),
)
#: Figures that are a yes/no per window (reported as the share of windows, a *rate*); the rest are medians.
RATE_FIGURES = frozenset({"double_bass", "blast", "snare_2_4", "repeat_two_back"})


def windows(riff: Riff, bars: int = WINDOW_BARS) -> List[Riff]:
    """The riff cut into consecutive ``bars``-bar windows (a shorter tail is dropped; a riff shorter than one
    window is itself the only window)."""
    if riff.bars <= bars:
        return [riff]
    spb = riff.steps_per_bar
    out = []
    for w in range(riff.bars // bars):
        lo, hi = w * bars * spb, (w + 1) * bars * spb
        tracks = {name: [Note(n.start - lo, min(n.length, hi - n.start), n.pitch, n.velocity)
                         for n in notes if lo <= n.start < hi]
                  for name, notes in riff.tracks.items()}
        out.append(Riff(tempo=riff.tempo, bars=bars, key=riff.key, mode=riff.mode, style=riff.style,
                        intensity=riff.intensity, seed=riff.seed, tracks=tracks, model_id=riff.model_id,
                        tuning=riff.tuning))
    return out


def _guitar_low(v: RiffView) -> List[Optional[int]]:
    """Per step: the guitar's lowest sounding pitch, else the lowest pitch of its latest onset (None before)."""
    sounding = v.sounding("guitar")
    groups = v.onset_groups("guitar")
    out: List[Optional[int]] = []
    last: Optional[int] = None
    for s in range(v.total):
        if s in groups:
            last = min(groups[s])
        out.append(min(sounding[s]) if sounding[s] else last)
    return out


def window_figures(window: Riff) -> Dict[str, float]:
    """Every window figure of one 2-bar window (see the module docstring)."""
    v = RiffView(window)
    out: Dict[str, float] = {k: NAN for k, _ in WINDOW_FIGURES}
    out["tempo"] = float(window.tempo)
    bass = window.notes("bass")
    guitar_groups = v.onset_groups("guitar")
    if bass:
        out["bass_median_pitch"] = float(statistics.median(n.pitch for n in bass))
    if bass and guitar_groups:
        low = _guitar_low(v)
        onsets = sorted({n.start for n in bass if n.start < v.total})
        pcs: Dict[int, set] = {}
        for n in bass:
            pcs.setdefault(n.start, set()).add(n.pitch % 12)
        judged = [s for s in onsets if low[s] is not None]
        if judged:
            out["bass_doubles_root"] = sum(low[s] % 12 in pcs[s] for s in judged) / len(judged)
        out["bass_with_guitar"] = sum(s in guitar_groups for s in onsets) / len(onsets)
    if guitar_groups:
        lows = {s: min(p) for s, p in guitar_groups.items()}
        pedal = min(lows.values())
        out["guitar_chord_onsets"] = sum(len(set(p)) >= 2 for p in guitar_groups.values()) / len(guitar_groups)
        out["guitar_pedal_onsets"] = sum(lo == pedal for lo in lows.values()) / len(lows)
        out["guitar_onsets_per_bar"] = len(guitar_groups) / v.bars
    if v.has_drums:
        out["kicks_per_bar"] = len(v.kick) / v.bars
        out["double_bass"] = float(any(len(v.bar_slice(v.kick, b)) >= 8 for b in range(v.bars)))
        out["blast"] = float(any(blast_bars(v)))
        out["snare_2_4"] = float(all({4, 12} <= v.bar_slice(v.snare, b) for b in range(v.bars)))
    return out


def riff_window_figures(riff: Riff) -> List[Dict[str, float]]:
    """:func:`window_figures` of every 2-bar window of ``riff``."""
    return [window_figures(w) for w in windows(riff)]


def _bar_signature(riff: Riff, bar: int) -> tuple:
    spb = riff.steps_per_bar
    lo = bar * spb
    return tuple(sorted((n.start - lo, n.length, n.pitch) for n in riff.notes("guitar") if lo <= n.start < lo + spb))


def phrase_figures(riff: Riff) -> Dict[str, float]:
    """``distinct_bars`` and ``repeat_two_back`` of the first 8 bars of ``riff`` (nan for shorter riffs)."""
    if riff.bars < PHRASE_BARS or not riff.notes("guitar"):
        return {"distinct_bars": NAN, "repeat_two_back": NAN}
    sig = [_bar_signature(riff, b) for b in range(PHRASE_BARS)]
    return {"distinct_bars": float(len(set(sig))),
            "repeat_two_back": sum(sig[b] == sig[b - 2] for b in range(2, PHRASE_BARS)) / (PHRASE_BARS - 2)}


def _finite(values: Iterable[float]) -> List[float]:
    return [float(x) for x in values if x is not None and not math.isnan(float(x))]


def quartiles(values: Iterable[float]) -> Optional[tuple]:
    """(25th, median, 75th percentile) of the finite values (linear interpolation), or None."""
    vals = sorted(_finite(values))
    if not vals:
        return None

    def q(p: float) -> float:
        pos = p * (len(vals) - 1)
        i = int(math.floor(pos))
        j = min(i + 1, len(vals) - 1)
        return vals[i] + (vals[j] - vals[i]) * (pos - i)
    return q(0.25), q(0.5), q(0.75)


def summarize_figures(rows: Sequence[Dict[str, float]], keys: Optional[Sequence[str]] = None) -> Dict[str, dict]:
    """Per figure: ``{"median", "q1", "q3", "n"}`` for median figures, ``{"rate", "n"}`` for yes/no figures."""
    keys = keys or [k for k, _ in WINDOW_FIGURES]
    out: Dict[str, dict] = {}
    for k in keys:
        vals = _finite(r.get(k, NAN) for r in rows)
        if k in RATE_FIGURES:
            out[k] = {"rate": sum(vals) / len(vals) if vals else NAN, "n": len(vals)}
        else:
            qs = quartiles(vals)
            out[k] = ({"median": qs[1], "q1": qs[0], "q3": qs[2], "n": len(vals)} if qs else
                      {"median": NAN, "q1": NAN, "q3": NAN, "n": 0})
    return out
