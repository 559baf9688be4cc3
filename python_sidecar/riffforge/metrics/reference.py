"""Reference figures of real Metal: the yardstick for the procedural corpus, the models and the evaluation.

Two kinds of reference, kept apart:

* :data:`MEASURED` — figures measured on real Metal (median [interquartile range] of 2-bar 4/4 windows on a
  16th grid, or the share of windows for yes/no figures), for all Metal and for thrash and groove. Source:
  an independent audit that ran the definitions of :mod:`riffforge.metrics.metal` over 2-bar windows of real
  thrash and groove metal transcriptions (guitar, bass and drum tracks of the same songs) and of a broader
  Metal set. Only these summary numbers are kept here; no transcription is part of this repository or was
  used for training (they are not licensed for it).
* :data:`MUSICOLOGY` — targets for death, black, doom and djent, for which no transcriptions were measured.
  They are our reading of published descriptions of each style, stated as ranges; they are not measurements:

  - death metal: blast beats and double-bass drumming as the defining drum figures, tremolo-picked and
    chromatic riffs, low tunings (Purcell, *Death Metal Music*, 2003; Kahn-Harris, *Extreme Metal*, 2007;
    Berger, *Metal, Rock, and Jazz*, 1999, chapters on Cleveland death metal);
  - black metal: continuous tremolo picking over blast beats, higher-register minor/modal lines, less
    palm-muted chugging than thrash or death (Hagen, "Musical style, ideology, and mythology in Norwegian
    black metal", in *Metal Rules the Globe*, 2011; Kahn-Harris 2007);
  - doom metal: slow tempi, sustained, ringing power chords, sparse drums, no blast beats (Piper, "Doom
    metal", in Bayer (ed.), *Heavy Metal Music in Britain*, 2009; Kahn-Harris 2007);
  - djent: syncopated, often polymetric palm-muted chugs on the lowest string of extended-range guitars,
    kick drum locked to the guitar rhythm over a steady (often half-time) snare (Pieslak, "Re-casting Metal:
    Rhythm and Meter in the Music of Meshuggah", *Music Theory Spectrum* 29(2), 2007; Mynett, *Metal Music
    Manual*, 2017).

  Where the published descriptions say nothing that distinguishes a figure, the all-Metal range is used.

Each entry: ``{"median": m, "q1": a, "q3": b}`` (``q1``/``q3`` None where only a median is known) or
``{"rate": r}`` (share of windows or bars). :func:`reference` gives the yardstick for one style: its own
entry where there is one, else the all-Metal entry — for the interquartile range too ("the all-Metal IQR
where a style has none").
"""
from __future__ import annotations

from typing import Dict, Optional

SOURCE = ("Real Metal (measured): median [IQR] of 2-bar 4/4 windows of real thrash and groove transcriptions and a "
          "broader Metal set, 16th grid, measured by an independent audit with the definitions of "
          "riffforge.metrics.metal; only the summary figures are kept (no transcriptions in the repository). "
          "Death, black, doom and djent: targets read from published musicology (see riffforge.metrics.reference), "
          "not measurements.")


def _m(median: float, q1: Optional[float] = None, q3: Optional[float] = None) -> dict:
    return {"median": float(median), "q1": None if q1 is None else float(q1), "q3": None if q3 is None else float(q3)}


def _r(rate: float) -> dict:
    return {"rate": float(rate)}


MEASURED: Dict[str, Dict[str, dict]] = {
    "all": {
        "bass_doubles_root": _m(0.77, 0.43, 1.00), "bass_with_guitar": _m(1.00, 0.83, 1.00),
        "bass_median_pitch": _m(31, 28, 34), "guitar_chord_onsets": _m(0.38, 0.07, 0.90),
        "guitar_pedal_onsets": _m(0.33, 0.14, 0.62), "guitar_onsets_per_bar": _m(8, 5, 9.5),
        "kicks_per_bar": _m(3, 2, 4), "double_bass": _r(0.11), "blast": _r(0.01), "snare_2_4": _r(0.38),
        "tempo": _m(132, 112, 180), "distinct_bars": _m(6, 4, 7), "repeat_two_back": _r(0.20),
    },
    "thrash": {
        "bass_doubles_root": _m(0.79), "bass_with_guitar": _m(1.00), "bass_median_pitch": _m(31),
        "guitar_chord_onsets": _m(0.33, 0.12, 0.60), "guitar_pedal_onsets": _m(0.42, 0.17, 0.67),
        "guitar_onsets_per_bar": _m(8, 6, 9), "kicks_per_bar": _m(3, 2, 4), "double_bass": _r(0.11),
        "blast": _r(0.01), "snare_2_4": _r(0.28), "tempo": _m(160, 128, 188),
    },
    "groove": {
        "bass_doubles_root": _m(0.69), "bass_with_guitar": _m(1.00), "bass_median_pitch": _m(30),
        "guitar_chord_onsets": _m(0.32), "guitar_pedal_onsets": _m(0.21), "guitar_onsets_per_bar": _m(8, 5, 10),
        "kicks_per_bar": _m(2.5, 2, 3.5), "double_bass": _r(0.06), "blast": _r(0.01), "snare_2_4": _r(0.45),
        "tempo": _m(123, 91, 166),
    },
}

# Musicology-based targets (see the module docstring for the sources); figures not listed use "all".
MUSICOLOGY: Dict[str, Dict[str, dict]] = {
    "death": {
        "guitar_onsets_per_bar": _m(10, 6, 16), "guitar_chord_onsets": _m(0.30, 0.07, 0.60),
        "kicks_per_bar": _m(6, 3, 12), "double_bass": _r(0.35), "blast": _r(0.25), "snare_2_4": _r(0.20),
        "tempo": _m(180, 140, 220), "bass_median_pitch": _m(28, 24, 32),
    },
    "black": {
        "guitar_onsets_per_bar": _m(14, 8, 16), "guitar_chord_onsets": _m(0.50, 0.20, 0.90),
        "guitar_pedal_onsets": _m(0.20, 0.05, 0.45), "kicks_per_bar": _m(6, 3, 14), "double_bass": _r(0.35),
        "blast": _r(0.35), "snare_2_4": _r(0.15), "tempo": _m(190, 150, 225),
    },
    "doom": {
        "guitar_onsets_per_bar": _m(3, 2, 5), "guitar_chord_onsets": _m(0.70, 0.40, 1.00),
        "kicks_per_bar": _m(2, 1, 3), "double_bass": _r(0.03), "blast": _r(0.0), "snare_2_4": _r(0.30),
        "tempo": _m(70, 60, 82), "bass_median_pitch": _m(28, 24, 31),
    },
    "djent": {
        "guitar_onsets_per_bar": _m(8, 6, 10), "guitar_chord_onsets": _m(0.25, 0.07, 0.50),
        "guitar_pedal_onsets": _m(0.60, 0.40, 0.80), "kicks_per_bar": _m(6, 4, 8), "double_bass": _r(0.15),
        "blast": _r(0.0), "snare_2_4": _r(0.15), "tempo": _m(125, 105, 145), "bass_median_pitch": _m(26, 23, 30),
    },
}


def reference(style: str, figure: str) -> Optional[dict]:
    """The yardstick for ``figure`` in ``style``: the style's measured or musicology entry, filled from
    the all-Metal entry (its IQR when the style only has a median); None for an unknown figure."""
    own = MEASURED.get(style, {}).get(figure) or MUSICOLOGY.get(style, {}).get(figure)
    base = MEASURED["all"].get(figure)
    if own is None:
        return None if base is None else dict(base, basis="all Metal (measured)")
    out = dict(own)
    if "median" in out and out.get("q1") is None and base is not None:
        out["q1"], out["q3"] = base["q1"], base["q3"]
        out["iqr_basis"] = "all Metal"
    out["basis"] = "measured" if style in MEASURED else "musicology target"
    return out


def _observed(style: str, figure: str, summary: dict):
    """``(reference, observed value)`` for a source's ``summary`` of ``figure``: its rate for yes/no figures,
    its median otherwise; None when either side is unknown (or the reference has no range)."""
    ref = reference(style, figure)
    if ref is None or not summary:
        return None
    value = summary.get("rate" if "rate" in ref else "median")
    if value is None or value != value or ("rate" not in ref and ref.get("q1") is None):
        return None
    return ref, float(value)


def inside(style: str, figure: str, summary: dict) -> Optional[bool]:
    """Whether a source's ``summary`` of ``figure`` (from :func:`riffforge.metrics.metal.summarize_figures`)
    meets the real yardstick: a median inside the reference IQR; a rate within half to twice the reference
    rate (a reference rate of at most 1 %: at most 3 %). None when either side is unknown."""
    seen = _observed(style, figure, summary)
    if seen is None:
        return None
    ref, value = seen
    if "rate" in ref:
        return value <= 0.03 if ref["rate"] <= 0.01 else 0.5 * ref["rate"] <= value <= 2.0 * ref["rate"]
    return ref["q1"] <= value <= ref["q3"]


def distance(style: str, figure: str, summary: dict) -> Optional[float]:
    """How far a source is from the yardstick, in units of the reference spread (0 = inside): for medians the
    distance outside the IQR over the IQR width, for rates |log2(rate / reference)| beyond the factor-2 band
    (a reference rate of at most 1 %: the excess over 3 %, in units of 3 %). Used to say whether fine-tuning
    moved *toward* real Metal."""
    import math

    seen = _observed(style, figure, summary)
    if seen is None:
        return None
    ref, value = seen
    if "rate" in ref:
        if ref["rate"] <= 0.01:
            return max(0.0, value - 0.03) / 0.03
        return max(0.0, abs(math.log2(max(value, 1e-3) / ref["rate"])) - 1.0)
    width = max(ref["q3"] - ref["q1"], 1e-6)
    return max(0.0, ref["q1"] - value, value - ref["q3"]) / width
