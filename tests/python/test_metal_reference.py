"""The real-Metal yardstick: which reference a style gets, and the ``inside`` / ``distance`` edge cases."""
from __future__ import annotations

import math

import pytest

from riffforge.metrics.reference import MEASURED, MUSICOLOGY, distance, inside, reference


def _m(median):
    return {"median": median, "q1": median, "q3": median, "n": 10}


def _r(rate):
    return {"rate": rate, "n": 10}


def test_reference_basis_and_fallback():
    assert reference("thrash", "guitar_onsets_per_bar")["basis"] == "measured"
    assert reference("doom", "tempo")["basis"] == "musicology target"
    fallback = reference("death", "bass_doubles_root")               # no death entry: the all-Metal one
    assert fallback["basis"] == "all Metal (measured)"
    assert (fallback["median"], fallback["q1"], fallback["q3"]) == (0.77, 0.43, 1.00)
    # thrash only has a median for bass_doubles_root: the all-Metal IQR fills it, and says so
    ref = reference("thrash", "bass_doubles_root")
    assert ref["median"] == 0.79 and (ref["q1"], ref["q3"]) == (0.43, 1.00) and ref["iqr_basis"] == "all Metal"
    assert reference("thrash", "no_such_figure") is None
    # the reference tables themselves are left as they are
    assert MEASURED["thrash"]["bass_doubles_root"]["q1"] is None and "death" in MUSICOLOGY


def test_median_inside_the_iqr_bounds_included():
    # thrash guitar onsets per bar: 8 [6, 9]
    assert inside("thrash", "guitar_onsets_per_bar", _m(6.0)) is True
    assert inside("thrash", "guitar_onsets_per_bar", _m(9.0)) is True
    assert inside("thrash", "guitar_onsets_per_bar", _m(9.01)) is False
    assert inside("thrash", "guitar_onsets_per_bar", _m(5.99)) is False
    assert distance("thrash", "guitar_onsets_per_bar", _m(7.0)) == 0.0
    assert distance("thrash", "guitar_onsets_per_bar", _m(12.0)) == pytest.approx(1.0)    # 3 above, IQR 3 wide
    assert distance("thrash", "guitar_onsets_per_bar", _m(4.5)) == pytest.approx(0.5)
    # only the median matters for inside, not the source's own spread
    assert inside("thrash", "guitar_onsets_per_bar", {"median": 8.0, "q1": 0.0, "q3": 50.0, "n": 3}) is True


def test_rate_within_half_to_twice():
    # thrash double bass: 11 % of windows
    for r, want in ((0.055, True), (0.22, True), (0.11, True), (0.05, False), (0.23, False), (0.0, False)):
        assert inside("thrash", "double_bass", _r(r)) is want, r
    assert distance("thrash", "double_bass", _r(0.15)) == 0.0
    assert distance("thrash", "double_bass", _r(0.44)) == pytest.approx(1.0)       # 4x = one factor 2 beyond
    assert distance("thrash", "double_bass", _r(0.0275)) == pytest.approx(1.0)     # 1/4
    assert distance("thrash", "double_bass", _r(0.0)) == pytest.approx(math.log2(0.11 / 1e-3) - 1.0)


def test_rare_rates_allow_three_percent():
    # thrash blast 1 %, doom blast 0 %: at most 3 % is inside
    for style in ("thrash", "doom"):
        assert inside(style, "blast", _r(0.0)) is True
        assert inside(style, "blast", _r(0.03)) is True
        assert inside(style, "blast", _r(0.031)) is False
        assert distance(style, "blast", _r(0.0)) == 0.0
        assert distance(style, "blast", _r(0.06)) == pytest.approx(1.0)
    # a death blast rate of 25 % is a normal band
    assert inside("death", "blast", _r(0.125)) is True and inside("death", "blast", _r(0.0)) is False


def test_unknown_sides_give_none():
    for summary in ({}, None, _m(float("nan")), {"median": None}):
        assert inside("thrash", "tempo", summary) is None and distance("thrash", "tempo", summary) is None
    for summary in (_r(float("nan")), {"rate": None}):
        assert inside("thrash", "blast", summary) is None and distance("thrash", "blast", summary) is None
    assert inside("thrash", "no_such_figure", _m(1.0)) is None and distance("thrash", "no_such_figure", _m(1.0)) is None
