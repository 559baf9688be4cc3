"""The procedural Metal generator: the sidecar's fallback, the corpus source and every model's baseline.

``ProceduralGenerator().generate(RiffRequest(...))`` writes a riff for one of the styles in
:mod:`riffforge.music.styles`. The intensity (0..1) slides continuously through the style's vocabulary:
tempo rises linearly inside the style's range, and the drum pattern and guitar figure are drawn from
intensity-weighted ladders (calm patterns at 0, blasts/double bass/tremolo at 1).

How a riff is built:

1. An RNG seeded from ``(style, seed)`` draws the tuning, key, mode and the riff's motif, so riffs with
   the same seed at different intensities share their harmony. Everything is deterministic for a given
   ``(style, intensity, bars, seed)`` (and optional tempo/key/mode overrides).
2. Guitar: a one-bar figure (see :mod:`riffforge.music.guitar`) repeated and answered across each phrase of
   2 or 4 bars, phrase ends get a b2/b5/chromatic turnaround now and then, and the share of notes outside
   the mode is capped at :data:`CHROMATIC_BUDGET`. Every pitch lies inside the tuning's playable range.
3. Drums: one main pattern per riff (see :mod:`riffforge.music.drumkit`), sometimes a second one for the
   second half, fills at phrase ends, crashes on phrase downbeats; kick-locked patterns follow the guitar.
4. Bass: a note on every guitar onset, on the guitar's root an octave lower (in unison where that would
   leave the bass's range), pushed by the kick inside long guitar notes at high intensity.
"""
from __future__ import annotations

import random
from typing import Dict, List, Optional, Sequence, Tuple

from ..generation import Capabilities, RiffRequest, RiffRequestError
from .drumkit import BLASTS, LOCKED, PATTERNS, Bar, add_crash, add_fill
from .guitar import FigureWriter, Hit, chromatic_turnaround, voice
from .riff import INSTRUMENTS, PITCH_CLASS_NAMES, STYLES, Note, Riff, RiffError, pitch_class
from .styles import STYLE_SPECS, pick, weighted
from .theory import KICKS, MODES, TUNINGS, get_mode, power_chord_degrees

MODEL_ID = "procedural"
CHROMATIC_BUDGET = 0.08  # max share of guitar notes outside the declared mode
_SEED_RANGE = 2 ** 31


def fresh_seed() -> int:
    """A random seed from the OS (used when a request leaves the seed to the generator)."""
    return random.SystemRandom().randrange(_SEED_RANGE)


class ProceduralGenerator:
    """Rule-based Metal riffs; implements :class:`riffforge.generation.Generator`."""

    model_id = MODEL_ID

    def capabilities(self) -> Capabilities:
        return Capabilities(model_ids=(MODEL_ID,), styles=STYLES, instruments=INSTRUMENTS,
                            extra={"kind": "procedural", "modes": list(MODES), "tunings": list(TUNINGS)})

    def generate(self, request: RiffRequest) -> Riff:
        if not isinstance(request, RiffRequest):
            raise RiffRequestError(f"request={request!r}: pass a riffforge.generation.RiffRequest")
        request.validate()
        if request.mode is not None:
            try:
                get_mode(request.mode)
            except RiffError as exc:
                raise RiffRequestError(str(exc)) from None
        seed = fresh_seed() if request.seed is None else int(request.seed)
        return build_riff(request.style, float(request.intensity), request.bars, seed, tempo=request.tempo,
                          key=request.key, mode=request.mode, instruments=request.instruments,
                          temperature=request.temperature or 1.0)


def generate(style: str, intensity: float, bars: int = 2, seed: Optional[int] = None, **overrides) -> Riff:
    """Convenience wrapper: validate like a request and generate."""
    return ProceduralGenerator().generate(RiffRequest(intensity=intensity, style=style, bars=bars, seed=seed,
                                                      **overrides))


def _tonic_pitch(key_pc: int, lowest: int) -> int:
    return lowest + (key_pc - lowest) % 12


def _phrase_len(bars: int) -> int:
    return 4 if bars >= 4 and bars % 4 == 0 else 2


def build_riff(style: str, intensity: float, bars: int, seed: int, tempo: Optional[float] = None,
               key: Optional[str] = None, mode: Optional[str] = None,
               instruments: Sequence[str] = INSTRUMENTS, temperature: float = 1.0) -> Riff:
    """Build one riff (arguments already validated; see the module docstring for the recipe)."""
    spec = STYLE_SPECS[style]
    x = intensity
    rng = random.Random(f"riffforge/{style}/{seed}")
    # 1. harmony, shared by every intensity for this seed
    tuning = TUNINGS[weighted(spec.tunings, rng)]
    mode_name = mode or weighted(spec.modes, rng)
    key_shift = rng.choice((0, 0, 0, 0, 0, 1, 2))  # mostly the open low string, sometimes a step above
    key_pc = (tuning.lowest + key_shift) % 12 if key is None else pitch_class(key)
    tonic = _tonic_pitch(key_pc, tuning.lowest)
    scale = frozenset((key_pc + o) % 12 for o in get_mode(mode_name))
    degrees = [d for d in power_chord_degrees(mode_name) if d != 0] or [d for d in get_mode(mode_name) if d]
    tempo_u = rng.random()
    # the rest depends on intensity: a second stream so the harmony above never shifts
    rng = random.Random(f"riffforge/{style}/{seed}/{bars}/{x!r}/{temperature!r}")
    lo, hi = spec.tempo
    if tempo is None:
        pos = min(1.0, max(0.0, 0.06 + 0.88 * x + (tempo_u - 0.5) * 0.1))
        bpm = float(round(lo + (hi - lo) * pos))
    else:
        bpm = float(tempo)
    sharpen = lambda lad: tuple((n, c, w * temperature, wt) for n, c, w, wt in lad)  # noqa: E731
    figure = pick(sharpen(spec.guitar), x, rng)
    main = pick(sharpen(spec.drums), x, rng)
    if main in ("gallop", "reverse_gallop") and figure != "gallop" and rng.random() < 0.6:
        figure = "gallop"
    if main in BLASTS and rng.random() < 0.75:
        figure = "tremolo"
    second = pick(sharpen(spec.drums), x, rng) if bars >= 2 and rng.random() < 0.25 else main
    phrase = _phrase_len(bars)

    # 2. guitar
    writer = FigureWriter(figure, bars, degrees, x, rng)
    hits: List[Hit] = []
    for b in range(bars):
        bar_hits = writer.bar_hits(b)
        phrase_end = (b + 1) % phrase == 0 or b == bars - 1
        if phrase_end and figure != "djent" and rng.random() < spec.chromatic * temperature:
            bar_hits = chromatic_turnaround(bar_hits, b, rng)
        hits += bar_hits
    hits.sort(key=lambda h: h.step)
    hits = _limit_chromatic(hits, tonic, scale)
    up = figure == "tremolo" and style == "black" and rng.random() < 0.5
    guitar: List[Note] = []
    onset_roots: Dict[int, Tuple[int, int]] = {}  # step -> (root pitch, end step)
    voicings: Dict[tuple, Tuple[int, ...]] = {}
    for i, h in enumerate(hits):
        nxt = hits[i + 1].step if i + 1 < len(hits) else bars * 16
        length = max(1, min(h.length, nxt - h.step))
        # a repeated figure is voiced as it was the first time (same place in the bar pair, same note)
        vkey = (h.step % 32, h.length, h.degree, h.accent, h.chromatic)
        if vkey not in voicings:
            voicings[vkey] = voice(h, tonic, tuning, scale, up, rng, spec.chord_p, spec.pedal_chord_p)
        pitches = voicings[vkey]
        base = 108 if h.accent else 88
        vel = max(1, min(127, base + int(12 * x) + rng.randint(-5, 5)))
        for p in pitches:
            guitar.append(Note(h.step, length, p, vel))
        root = pitches[1] if len(pitches) > 1 and pitches[1] - pitches[0] == 5 else pitches[0]
        onset_roots[h.step] = (root, h.step + length)

    # 3. drums
    drum_bars: List[Bar] = []
    for b in range(bars):
        pattern = main if b < (bars + 1) // 2 or bars < 2 else second
        lock = frozenset(s - b * 16 for s in onset_roots if b * 16 <= s < b * 16 + 16) if pattern in LOCKED else None
        bar = PATTERNS[pattern](x, rng, lock)
        if b % phrase == 0:
            add_crash(bar, x, rng)
        phrase_end = (b + 1) % phrase == 0 and bars >= 2
        if phrase_end and rng.random() < 0.85:
            heavy = pattern in BLASTS or pattern.startswith("double_bass")
            length = 4 if heavy or rng.random() < 0.7 else 8
            add_fill(bar, length, x, rng, keep_kick=heavy)
        drum_bars.append(bar)
    drums = [Note(b * 16 + s, 1, p, v) for b, bar in enumerate(drum_bars) for s, hitset in enumerate(bar)
             for p, v in hitset.items()]
    kicks = sorted({n.start for n in drums if n.pitch in KICKS})

    # 4. bass
    bass = _bass_line(onset_roots, kicks, tuning, bars * 16, x, rng)

    tracks = {"guitar": guitar, "bass": bass, "drums": drums}
    return Riff(tempo=bpm, bars=bars, key=PITCH_CLASS_NAMES[key_pc], mode=mode_name, style=style,
                intensity=float(x), seed=int(seed), tracks={k: tracks[k] for k in INSTRUMENTS if k in instruments},
                model_id=MODEL_ID, tuning=tuning.name)


def _limit_chromatic(hits: List[Hit], tonic: int, scale: frozenset) -> List[Hit]:
    """Turn chromatic moves back into the tonic (latest first) until they fit :data:`CHROMATIC_BUDGET`.

    Uses bounds that hold for every voicing :func:`voice` may pick: a chromatic hit puts at most 3 notes
    outside the mode (none when root and fifth are in it), and every hit plays at least 1 note (any hit
    may be voiced as a single note), so the real outside share is never above the bound tested here.
    """
    def outside(h: Hit) -> int:
        if not h.chromatic:
            return 0
        root = tonic + h.degree
        return min(3, 2 * int(root % 12 not in scale) + 2 * int((root + 7) % 12 not in scale))

    def least(h: Hit) -> int:  # every hit may be voiced as a single note
        return 1

    result = list(hits)
    out = sum(outside(h) for h in result)
    total = sum(least(h) for h in result) or 1
    for i in range(len(result) - 1, -1, -1):
        if out <= CHROMATIC_BUDGET * total:
            break
        h = result[i]
        if outside(h):
            out -= outside(h)
            total -= least(h)
            result[i] = Hit(h.step, h.length, 0, h.accent, False)
            total += least(result[i])
    return result


def _bass_line(onset_roots: Dict[int, Tuple[int, int]], kicks: Sequence[int], tuning, total: int, x: float,
               rng: random.Random) -> List[Note]:
    """Bass doubling the guitar's root line: a note on every guitar onset (real Metal bass starts together
    with the guitar on nearly every note), an octave below the guitar's root, held until the next onset or
    the root's end. ``kicks`` may add notes inside a long guitar note at high intensity (a bass that pushes
    with the double bass)."""
    root_at: List[Optional[int]] = [None] * total
    for step in sorted(onset_roots):
        root, end = onset_roots[step]
        for s in range(step, min(end, total)):
            root_at[s] = root
    onsets = {s for s in onset_roots if s < total}
    if x > 0.75:
        onsets |= {s for s in kicks if s < total and root_at[s] is not None and s % 2 == 0}
    onsets = sorted(onsets)
    notes: List[Note] = []
    for i, s in enumerate(onsets):
        nxt = onsets[i + 1] if i + 1 < len(onsets) else total
        end = s
        while end < nxt and root_at[end] == root_at[s]:
            end += 1
        root = root_at[s] if root_at[s] is not None else onset_roots[s][0]
        pitch = root - 12
        while pitch - 12 >= tuning.bass_lowest and pitch > tuning.bass_lowest + 12:
            pitch -= 12
        if pitch < tuning.bass_lowest:
            pitch += 12
        vel = max(1, min(127, 96 + int(16 * x) + rng.randint(-4, 4)))
        notes.append(Note(s, max(1, end - s), pitch, vel))
    return notes
