"""Metal drum patterns on the 16-step (4/4) grid, used by the procedural generator.

A pattern is a function ``(intensity, rng, lock) -> Bar`` where a :class:`Bar` maps a step 0..15 to the
set of ``{pitch: velocity}`` hits on it. ``lock`` is an optional set of steps (the guitar's onsets) that
kick-locked patterns follow. Every pattern here is also what :mod:`riffforge.metrics` recognises:

* ``backbeat``: rock beat, snare on 2 and 4 (steps 4, 12), kick on 1 and 3 plus variations, 8th hats/ride;
* ``halftime``: breakdown feel, snare on 3 only (step 8), cymbal on quarters;
* ``dbeat``: kick 1, &2, 3 (steps 0, 6, 8), snare 2 and 4, 8th-note cymbal;
* ``skank``: thrash/polka beat, kick on every beat, snare on every "&", cymbal on 8ths;
* ``gallop`` / ``reverse_gallop``: kick ``x.xx`` / ``xx.x`` on every beat, snare 2 and 4, quarter cymbals;
* ``double_bass``: 16th kicks, snare 2 and 4, quarter cymbals (china/crash);
* ``double_bass_halftime``: 16th kicks under a half-time snare (death-doom's top gear, no blast);
* ``blast_traditional``: kick on 8ths, snare on the off-16ths, cymbal on every 16th;
* ``blast_hammer``: kick + snare + cymbal in unison on every 16th;
* ``blast_bomb``: 16th kicks, snare on 8ths, cymbal on every 16th;
* ``locked_halftime`` / ``locked_backbeat``: kick doubles the guitar's onsets (djent) / every other one, at most
  four a bar (groove).

Fills (:func:`add_fill`) replace the end of a phrase's last bar with a snare/tom roll; :func:`add_crash`
puts a crash (or China) on a downbeat.
"""
from __future__ import annotations

import random
from typing import Callable, Dict, FrozenSet, Iterable, List, Optional

from .theory import CYMBALS, GM, KICKS, SNARES, TOMS

Bar = List[Dict[int, int]]
STEPS = 16
PatternFn = Callable[[float, random.Random, Optional[FrozenSet[int]]], Bar]


def empty_bar() -> Bar:
    return [dict() for _ in range(STEPS)]


def _vel(rng: random.Random, base: int, spread: int = 6) -> int:
    return max(1, min(127, base + rng.randint(-spread, spread)))


def _hit(bar: Bar, steps: Iterable[int], pitch: int, base: int, rng: random.Random, spread: int = 6) -> None:
    for s in steps:
        bar[s][pitch] = _vel(rng, base, spread)


def _ride(intensity: float, rng: random.Random) -> int:
    return GM.HH_CLOSED if intensity < 0.35 else (GM.RIDE if rng.random() < 0.7 else GM.HH_OPEN)


def backbeat(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    kicks = rng.choice([(0, 8), (0, 8, 10), (0, 6, 8), (0, 2, 8, 10), (0, 7, 8, 10)][: 3 if x < 0.5 else 5])
    if x > 0.6 and rng.random() < 0.4:
        kicks = tuple(sorted(set(kicks) | {3, 11} if rng.random() < 0.5 else set(kicks) | {14}))
    _hit(bar, kicks, GM.KICK, 100 + int(15 * x), rng)
    _hit(bar, (4, 12), GM.SNARE, 112 + int(10 * x), rng, 4)
    eighths = range(0, STEPS, 2)
    _hit(bar, eighths, _ride(x, rng), 80 + int(15 * x), rng)
    if x < 0.3 and rng.random() < 0.5:  # ghost notes at the low end
        _hit(bar, (7, 15), GM.SNARE, 45, rng)
    return bar


def halftime(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    kicks = rng.choice([(0,), (0, 10), (0, 6), (0, 3, 10), (0, 6, 10, 11)][: 3 if x < 0.5 else 5])
    _hit(bar, kicks, GM.KICK, 102 + int(15 * x), rng)
    _hit(bar, (8,), GM.SNARE, 118, rng, 5)
    cym = GM.CHINA if x > 0.4 and rng.random() < 0.5 else (GM.RIDE if x < 0.3 else GM.CRASH)
    _hit(bar, (0, 4, 8, 12), cym, 92 + int(20 * x), rng)
    return bar


def dbeat(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    _hit(bar, (0, 6, 8), GM.KICK, 106 + int(12 * x), rng)
    _hit(bar, (4, 12), GM.SNARE, 116 + int(8 * x), rng, 4)
    cym = GM.CRASH if x > 0.5 else (GM.RIDE if rng.random() < 0.5 else GM.HH_OPEN)
    _hit(bar, range(0, STEPS, 2), cym, 90 + int(15 * x), rng)
    return bar


def skank(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    _hit(bar, (0, 4, 8, 12), GM.KICK, 106 + int(12 * x), rng)
    _hit(bar, (2, 6, 10, 14), GM.SNARE, 112 + int(10 * x), rng, 4)
    cym = GM.CRASH if x > 0.7 and rng.random() < 0.5 else (GM.RIDE if rng.random() < 0.6 else GM.HH_OPEN)
    _hit(bar, range(0, STEPS, 2), cym, 92 + int(15 * x), rng)
    return bar


def _gallop(x: float, rng: random.Random, cell) -> Bar:
    bar = empty_bar()
    _hit(bar, [b + c for b in (0, 4, 8, 12) for c in cell], GM.KICK, 104 + int(12 * x), rng)
    _hit(bar, (4, 12), GM.SNARE, 116 + int(8 * x), rng, 4)
    cym = GM.CRASH if x > 0.6 else GM.RIDE
    _hit(bar, (0, 4, 8, 12), cym, 95 + int(15 * x), rng)
    return bar


def gallop(x: float, rng: random.Random, lock=None) -> Bar:
    return _gallop(x, rng, (0, 2, 3))


def reverse_gallop(x: float, rng: random.Random, lock=None) -> Bar:
    return _gallop(x, rng, (0, 1, 3))


def double_bass(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    _hit(bar, range(STEPS), GM.KICK, 100 + int(12 * x), rng)
    _hit(bar, (4, 12), GM.SNARE, 118 + int(8 * x), rng, 4)
    cym = GM.CHINA if rng.random() < 0.4 else GM.CRASH
    _hit(bar, (0, 4, 8, 12), cym, 100 + int(20 * x), rng)
    return bar


def double_bass_halftime(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    _hit(bar, range(STEPS), GM.KICK, 100 + int(12 * x), rng)
    _hit(bar, (8,), GM.SNARE, 120, rng, 4)
    _hit(bar, (0, 4, 8, 12), GM.CRASH if rng.random() < 0.6 else GM.CHINA, 105 + int(15 * x), rng)
    return bar


def blast_traditional(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    _hit(bar, range(0, STEPS, 2), GM.KICK, 108 + int(10 * x), rng)
    _hit(bar, range(1, STEPS, 2), GM.SNARE, 100 + int(15 * x), rng)
    _hit(bar, range(STEPS), GM.RIDE if rng.random() < 0.6 else GM.HH_CLOSED, 88 + int(15 * x), rng)
    return bar


def blast_hammer(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    _hit(bar, range(STEPS), GM.KICK, 110 + int(10 * x), rng)
    _hit(bar, range(STEPS), GM.SNARE, 108 + int(12 * x), rng)
    _hit(bar, range(STEPS), GM.CRASH if rng.random() < 0.5 else GM.RIDE, 95 + int(15 * x), rng)
    return bar


def blast_bomb(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    _hit(bar, range(STEPS), GM.KICK, 106 + int(12 * x), rng)
    _hit(bar, range(0, STEPS, 2), GM.SNARE, 110 + int(12 * x), rng)
    _hit(bar, range(STEPS), GM.RIDE if rng.random() < 0.5 else GM.CHINA, 92 + int(15 * x), rng)
    return bar


def locked_halftime(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    kicks = sorted(lock) if lock else [0, 3, 6, 10]
    _hit(bar, kicks, GM.KICK, 104 + int(14 * x), rng)
    _hit(bar, (8,), GM.SNARE, 120, rng, 4)
    cym = GM.CHINA if x > 0.5 and rng.random() < 0.6 else (GM.RIDE_BELL if rng.random() < 0.4 else GM.CRASH)
    _hit(bar, (0, 4, 8, 12), cym, 95 + int(20 * x), rng)
    return bar


def locked_backbeat(x: float, rng: random.Random, lock=None) -> Bar:
    bar = empty_bar()
    # the kick doubles every other guitar onset (at most four a bar): locked to the riff without burying it
    kicks = sorted(lock)[::2][:4] if lock else [0, 6, 8, 10]
    _hit(bar, kicks, GM.KICK, 104 + int(14 * x), rng)
    for s in (4, 12):
        bar[s].pop(GM.KICK, None)
    _hit(bar, (4, 12), GM.SNARE, 118, rng, 5)
    cym = GM.RIDE_BELL if rng.random() < 0.3 else (GM.HH_OPEN if x > 0.5 else GM.HH_CLOSED)
    _hit(bar, range(0, STEPS, 2), cym, 85 + int(15 * x), rng)
    if rng.random() < 0.3:
        _hit(bar, (10,), GM.SPLASH, 100, rng)
    return bar


PATTERNS: Dict[str, PatternFn] = {
    "backbeat": backbeat, "halftime": halftime, "dbeat": dbeat, "skank": skank, "gallop": gallop,
    "reverse_gallop": reverse_gallop, "double_bass": double_bass, "double_bass_halftime": double_bass_halftime,
    "blast_traditional": blast_traditional, "blast_hammer": blast_hammer, "blast_bomb": blast_bomb,
    "locked_halftime": locked_halftime, "locked_backbeat": locked_backbeat,
}
BLASTS: FrozenSet[str] = frozenset({"blast_traditional", "blast_hammer", "blast_bomb"})
LOCKED: FrozenSet[str] = frozenset({"locked_halftime", "locked_backbeat"})
_FILL_VOICES = (GM.SNARE, GM.TOM_HIGH, GM.TOM_HIGH_MID, GM.TOM_LOW_MID, GM.TOM_LOW, GM.FLOOR_HIGH,
                GM.FLOOR_LOW)


def add_fill(bar: Bar, length: int, x: float, rng: random.Random, keep_kick: bool) -> None:
    """Replace the last ``length`` steps with a descending snare/tom roll (16ths, or 8ths when slow).

    With ``keep_kick`` the kick keeps going under the fill (blast and double-bass bars); otherwise the kick
    only marks the fill's first step. Cymbals, hats and snare strokes of the groove in that span are removed.
    """
    start = STEPS - length
    dense = x > 0.35
    roll = [s for s in range(start, STEPS) if dense or s % 2 == 0]
    voices = list(_FILL_VOICES[rng.randint(0, 1):])
    for s in range(start, STEPS):
        for p in list(bar[s]):
            if p in CYMBALS or p in SNARES or p in TOMS or (p in KICKS and not keep_kick):
                del bar[s][p]
    for i, s in enumerate(roll):
        voice = voices[min(len(voices) - 1, i * len(voices) // max(1, len(roll)))]
        bar[s][voice] = _vel(rng, 100 + int(20 * x))
    if not keep_kick:  # the kick marks where the fill starts
        bar[start][GM.KICK] = _vel(rng, 105)


def add_crash(bar: Bar, x: float, rng: random.Random) -> None:
    """Crash (China at high intensity) on the downbeat, replacing the hat/ride stroke there."""
    for p in list(bar[0]):
        if p in CYMBALS:
            del bar[0][p]
    pitch = GM.CHINA if x > 0.75 and rng.random() < 0.35 else (GM.CRASH_2 if rng.random() < 0.3 else GM.CRASH)
    bar[0][pitch] = _vel(rng, 112 + int(12 * x), 4)
    if GM.KICK not in bar[0]:
        bar[0][GM.KICK] = _vel(rng, 110)
