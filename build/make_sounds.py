"""Synthesise RiffForge's default sampler sounds (drum one-shots, pitched guitar and bass voices).

Every sound is made here from sine/saw oscillators, seeded noise, one-pole filters, envelopes and soft
clipping: no recordings, no third-party samples, so the package can ship them under its own licence. The
output is deterministic (fixed seed): running the script twice writes byte-identical files.

    python build/make_sounds.py            # writes unity_package/Runtime/Resources/RiffForgeSounds/*.wav
    python build/make_sounds.py --check    # exit 1 when the committed files differ from a fresh synthesis

Format: 22,050 Hz, mono, 16-bit PCM WAV (Unity imports these as AudioClips; the sampler pitch-shifts the
guitar and bass voices from the nearest sampled note, whose MIDI pitch is in the file name). The Unity
sampler (``RiffForge.DrumKitMap`` / ``RiffForge.VoiceBank``) maps GM drum pitches and instrument pitches
onto these names, so renaming a file here means changing those maps too.
"""
from __future__ import annotations

import argparse
import io
import sys
import wave
from pathlib import Path
from typing import Callable, Dict

import numpy as np

RATE = 22050
SEED = 20240611
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "unity_package" / "Runtime" / "Resources" / "RiffForgeSounds"
# Sampled notes: the sampler shifts each played note from the nearest of these (at most 6 semitones).
GUITAR_NOTES = (38, 50, 62)
BASS_NOTES = (28, 40)
MAX_TOTAL_BYTES = 1_000_000


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def _env(t: np.ndarray, decay: float, attack: float = 0.001) -> np.ndarray:
    """Linear attack then exponential decay (``decay`` = seconds to fall to 1/e)."""
    a = np.clip(t / attack, 0.0, 1.0)
    return a * np.exp(-t / decay)


def _fade_out(x: np.ndarray, seconds: float = 0.01) -> np.ndarray:
    n = min(len(x), int(seconds * RATE))
    x = x.copy()
    x[-n:] *= np.linspace(1.0, 0.0, n)
    return x


def _lowpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    """One-pole low-pass filter."""
    a = np.exp(-2.0 * np.pi * cutoff / RATE)
    y = np.empty_like(x)
    acc = 0.0
    for i, v in enumerate(x):
        acc = (1.0 - a) * v + a * acc
        y[i] = acc
    return y


def _highpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    return x - _lowpass(x, cutoff)


def _sweep(t: np.ndarray, f0: float, f1: float, rate: float) -> np.ndarray:
    """Sine whose frequency glides exponentially from f0 to f1 (``rate`` = seconds per 1/e)."""
    freq = f1 + (f0 - f1) * np.exp(-t / rate)
    phase = 2.0 * np.pi * np.cumsum(freq) / RATE
    return np.sin(phase)


def _metal(t: np.ndarray, freqs, rng: np.random.Generator) -> np.ndarray:
    """Inharmonic square partials: the 808-style metallic core of hats and cymbals."""
    out = np.zeros_like(t)
    for f in freqs:
        out += np.sign(np.sin(2.0 * np.pi * f * t + rng.uniform(0, 2 * np.pi)))
    return out / len(freqs)


def kick(rng):
    t = _t(0.45)
    body = _sweep(t, 160.0, 48.0, 0.035) * _env(t, 0.16)
    click = _highpass(rng.standard_normal(len(t)), 1500.0) * _env(t, 0.004)
    return np.tanh(1.8 * (body + 0.35 * click))


def snare(rng):
    t = _t(0.35)
    tone = (np.sin(2 * np.pi * 185 * t) + 0.6 * np.sin(2 * np.pi * 330 * t)) * _env(t, 0.05)
    noise = _highpass(_lowpass(rng.standard_normal(len(t)), 7000.0), 900.0) * _env(t, 0.11)
    return np.tanh(1.4 * (0.55 * tone + 0.9 * noise))


def hat(rng, decay, seconds):
    t = _t(seconds)
    core = _metal(t, (317, 465, 540, 812, 1047, 1479), rng)
    noise = rng.standard_normal(len(t))
    return _highpass(0.6 * core + 0.5 * noise, 6000.0) * _env(t, decay) * 1.6


def hat_closed(rng):
    return hat(rng, 0.035, 0.12)


def hat_open(rng):
    return hat(rng, 0.28, 0.6)


def cymbal(rng, freqs, decay, seconds, hp, grit=0.0):
    t = _t(seconds)
    core = _metal(t, freqs, rng)
    noise = rng.standard_normal(len(t))
    x = 0.55 * core + 0.6 * noise
    if grit:
        x = np.tanh(grit * x * np.sin(2 * np.pi * 433 * t + 1.0))
    return _highpass(x, hp) * _env(t, decay, attack=0.002) * 1.2


def crash(rng):
    return cymbal(rng, (293, 391, 517, 643, 876, 1163, 1390, 1721), 0.55, 1.5, 3000.0)


def china(rng):
    return cymbal(rng, (241, 338, 412, 579, 741, 1021, 1207), 0.4, 1.2, 1500.0, grit=2.5)


def ride(rng):
    t = _t(1.2)
    ping = sum(np.sin(2 * np.pi * f * t) * w for f, w in ((2417, 0.6), (3310, 0.35), (4830, 0.25)))
    wash = _highpass(_metal(t, (389, 547, 731, 1013), rng) + 0.4 * rng.standard_normal(len(t)), 4000.0)
    return (0.5 * ping * _env(t, 0.5) + 0.35 * wash * _env(t, 0.35)) * 1.3


def tom(f0):
    def make(rng):
        t = _t(0.5)
        body = _sweep(t, f0 * 1.5, f0, 0.05) * _env(t, 0.18)
        stick = _highpass(rng.standard_normal(len(t)), 2000.0) * _env(t, 0.006)
        return np.tanh(1.5 * (body + 0.25 * stick))
    return make


def _midi_hz(pitch: int) -> float:
    return 440.0 * 2.0 ** ((pitch - 69) / 12.0)


def guitar(pitch: int):
    """A palm-mute-able distorted guitar note: two detuned saws, hard-ish clipping, a cabinet low-pass."""
    def make(rng):
        t = _t(1.5)
        f = _midi_hz(pitch)
        saw = lambda freq: 2.0 * ((freq * t + rng.uniform()) % 1.0) - 1.0  # noqa: E731
        raw = 0.5 * saw(f) + 0.4 * saw(f * 1.004) + 0.3 * saw(f * 0.5 * 1.001)
        pre = _highpass(raw, 120.0) * 9.0
        dist = np.tanh(pre)
        cab = _lowpass(_lowpass(dist, 3800.0), 5200.0)
        env = np.clip(t / 0.004, 0, 1) * (0.25 + 0.75 * np.exp(-t / 0.9))
        return cab * env
    return make


def bass(pitch: int):
    """A picked, slightly driven bass note: saw + sine, low-passed."""
    def make(rng):
        t = _t(1.2)
        f = _midi_hz(pitch)
        saw = 2.0 * ((f * t + rng.uniform()) % 1.0) - 1.0
        x = 0.6 * np.sin(2 * np.pi * f * t) + 0.5 * saw
        x = _lowpass(np.tanh(2.2 * x), 1400.0)
        env = np.clip(t / 0.003, 0, 1) * (0.35 + 0.65 * np.exp(-t / 0.6))
        return x * env
    return make


SOUNDS: Dict[str, Callable[[np.random.Generator], np.ndarray]] = {
    "kick": kick,
    "snare": snare,
    "hat_closed": hat_closed,
    "hat_open": hat_open,
    "crash": crash,
    "china": china,
    "ride": ride,
    "tom_high": tom(210.0),
    "tom_mid": tom(155.0),
    "tom_floor": tom(105.0),
}
SOUNDS.update({f"guitar_{p}": guitar(p) for p in GUITAR_NOTES})
SOUNDS.update({f"bass_{p}": bass(p) for p in BASS_NOTES})


def render(name: str) -> bytes:
    """The WAV bytes of one sound (its own seeded RNG, so each file is independent of the others)."""
    rng = np.random.default_rng([SEED, sum(map(ord, name))])
    x = _fade_out(SOUNDS[name](rng))
    peak = float(np.max(np.abs(x)))
    if peak <= 0.0:
        raise RuntimeError(f"{name}: synthesised silence")
    pcm = np.round(x / peak * 0.89 * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the .wav files (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="compare with the files in --out instead of writing")
    args = parser.parse_args(argv)
    rendered = {name: render(name) for name in SOUNDS}
    total = sum(len(b) for b in rendered.values())
    if total > MAX_TOTAL_BYTES:
        print(f"make_sounds: {total} bytes in all exceeds the {MAX_TOTAL_BYTES}-byte budget", file=sys.stderr)
        return 1
    if args.check:
        stale = [n for n, b in rendered.items() if not (args.out / f"{n}.wav").is_file()
                 or (args.out / f"{n}.wav").read_bytes() != b]
        if stale:
            print(f"make_sounds --check: {', '.join(stale)} differ from {args.out}; run python build/make_sounds.py",
                  file=sys.stderr)
            return 1
        print(f"make_sounds --check: {len(rendered)} sounds match ({total} bytes)")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in rendered.items():
        (args.out / f"{name}.wav").write_bytes(data)
    print(f"make_sounds: wrote {len(rendered)} sounds, {total} bytes, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
