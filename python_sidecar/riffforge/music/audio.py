"""A riff as audio: the Unity package's built-in sampler, offline, in NumPy (WAV via the stdlib ``wave``).

The sounds are the ones the Unity sampler plays (``RiffSampler`` with ``SamplerPlanner``), synthesised by
``build/make_sounds.py``: drum one-shots and guitar and bass notes at a few sampled pitches
(``guitar_38``, ``guitar_50``, ``guitar_62``, ``bass_28``, ``bass_40``; 22,050 Hz mono 16-bit). The package
carries a copy in ``riffforge/sounds/`` (so a wheel has them); :func:`find_sounds` also finds the Unity
package's own folder beside a source checkout or a frozen sidecar in ``Sidecar~/<platform>/``.

Each note is planned the way the Unity sampler plans it (:func:`plan_voices`):

* guitar and bass: the nearest sampled pitch (the lower one on a tie), played at the rate
  ``2 ** (semitones / 12)``; it sounds for the note's length (at least :data:`MIN_NOTE_SECONDS`) or until the
  sample runs out, whichever comes first, then fades out over :data:`RELEASE_SECONDS`;
* drums: General MIDI pitch -> kit sound (:data:`DRUM_SOUNDS`), ringing out; a closed or pedal hi-hat chokes
  a ringing open hi-hat;
* volume = master x instrument volume x ``(velocity / 127) ** VELOCITY_CURVE`` (the sampler's defaults).

Unlike the Unity sampler the mix has no voice limit (Unity's 24 AudioSources may fade out the oldest
ringing sound in dense passages). The sum is scaled down only where it would clip.
"""
from __future__ import annotations

import io
import os
import sys
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import numpy as np

from .riff import Riff

PathLike = Union[str, os.PathLike]

#: Sampled pitches per instrument; a sound is named ``<instrument>_<pitch>``.
SAMPLED_NOTES: Dict[str, Tuple[int, ...]] = {"guitar": (38, 50, 62), "bass": (28, 40)}
#: General MIDI drum pitch -> the default kit's sound (the Unity sampler's ``DrumKitMap``).
DRUM_SOUNDS: Dict[int, str] = {
    35: "kick", 36: "kick",
    37: "snare", 38: "snare", 39: "snare", 40: "snare",
    42: "hat_closed", 44: "hat_closed", 46: "hat_open",
    49: "crash", 55: "crash", 57: "crash", 52: "china",
    51: "ride", 53: "ride", 59: "ride",
    48: "tom_high", 50: "tom_high", 45: "tom_mid", 47: "tom_mid", 41: "tom_floor", 43: "tom_floor",
}
#: Closed and pedal hi-hat: they silence a ringing open hi-hat.
CHOKES_OPEN_HAT = frozenset((42, 44))
OPEN_HAT = "hat_open"
SOUND_NAMES: Tuple[str, ...] = tuple(sorted(set(DRUM_SOUNDS.values())) + [
    f"{inst}_{p}" for inst, notes in SAMPLED_NOTES.items() for p in notes])

# The Unity sampler's defaults (RiffSampler's Inspector fields, SamplerPlanner's velocity curve).
MASTER_VOLUME = 0.8
INSTRUMENT_VOLUME: Dict[str, float] = {"guitar": 0.8, "bass": 0.9, "drums": 1.0}
VELOCITY_CURVE = 1.6
MIN_NOTE_SECONDS = 0.02
#: A cut note fades out over this long instead of stopping on a click (the sampler's voice fade ramp).
RELEASE_SECONDS = 0.005
DEFAULT_RATE = 44100
DEFAULT_TAIL_SECONDS = 1.0
#: The loudest sample the mix may reach before it is scaled down.
PEAK = 0.99

#: Inside the Unity package (``unity_package/`` in the repository).
UNITY_SOUNDS = Path("Runtime") / "Resources" / "RiffForgeSounds"
#: The copy shipped in the Python package (``riffforge/sounds``), equal to the Unity package's files.
PACKAGE_SOUNDS = Path(__file__).resolve().parents[1] / "sounds"
#: The Unity package's folder in a source checkout (python_sidecar/riffforge/music/audio.py -> repository).
CHECKOUT_SOUNDS = Path(__file__).resolve().parents[3] / "unity_package" / UNITY_SOUNDS


class AudioError(ValueError):
    """A sound is missing or unreadable, or a render option is out of range. The message names the fix."""


def sound_folders() -> List[Path]:
    """Where the built-in sounds may be, in the order they are looked for: the package's copy, the Unity
    package of a source checkout, the Unity package a frozen sidecar sits in (``<package>/Sidecar~/<platform>/``)."""
    folders = [PACKAGE_SOUNDS, CHECKOUT_SOUNDS]
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable).resolve()
        folders += [parent / UNITY_SOUNDS for parent in list(exe.parents)[:4]]
    return folders


def find_sounds() -> Path:
    """The first folder of :func:`sound_folders` that holds every built-in sound."""
    for folder in sound_folders():
        if all((folder / f"{name}.wav").is_file() for name in SOUND_NAMES):
            return folder
    raise AudioError("the built-in sounds (kick.wav, guitar_50.wav, ...) are in none of "
                     f"{', '.join(str(f) for f in sound_folders())}; reinstall riffforge or pass --sounds DIR")


def read_wav(path: PathLike) -> Tuple[np.ndarray, int]:
    """A 16-bit PCM WAV file as float32 samples in -1..1 (channels averaged to mono) and its rate."""
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            frames = w.readframes(w.getnframes())
    except FileNotFoundError:
        raise AudioError(f"{path}: sound file not found") from None
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{path}: not a readable WAV file ({exc}); use 16-bit PCM WAV") from None
    if width != 2:
        raise AudioError(f"{path}: {8 * width}-bit samples; use 16-bit PCM WAV")
    x = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        x = x[: len(x) - len(x) % channels].reshape(-1, channels).mean(axis=1)
    return x, rate


@dataclass(frozen=True)
class Sound:
    name: str
    samples: np.ndarray
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / float(self.rate)


class SoundBank:
    """The sampler's sounds by name: the built-in ones, each replaceable by ``<name>.wav`` in ``overrides``
    (a pitched replacement must be the MIDI note in its name, as in the Unity sampler)."""

    def __init__(self, folder: Optional[PathLike] = None, overrides: Optional[PathLike] = None):
        self.folder = Path(folder) if folder is not None else find_sounds()
        self.overrides = Path(overrides) if overrides is not None else None
        if self.overrides is not None and not self.overrides.is_dir():
            raise AudioError(f"--sounds {self.overrides}: not a folder; pass a folder of <name>.wav files "
                             f"named {', '.join(SOUND_NAMES)}")
        self._cache: Dict[str, Sound] = {}

    def path(self, name: str) -> Path:
        if self.overrides is not None and (self.overrides / f"{name}.wav").is_file():
            return self.overrides / f"{name}.wav"
        return self.folder / f"{name}.wav"

    def get(self, name: str) -> Sound:
        if name not in self._cache:
            samples, rate = read_wav(self.path(name))
            self._cache[name] = Sound(name, samples, rate)
        return self._cache[name]


def pitched_sound(instrument: str, pitch: int) -> Tuple[str, float]:
    """The sound and playback rate of a guitar or bass note: the nearest sampled pitch (lower on a tie)."""
    sampled = SAMPLED_NOTES[instrument]
    best = min(sampled, key=lambda p: (abs(p - pitch), p))
    return f"{instrument}_{best}", 2.0 ** ((pitch - best) / 12.0)


def note_volume(instrument: str, velocity: int) -> float:
    v = max(0, min(127, int(velocity))) / 127.0
    return min(1.0, MASTER_VOLUME * INSTRUMENT_VOLUME.get(instrument, 1.0) * v ** VELOCITY_CURVE)


@dataclass
class Voice:
    """One sound played once: from ``start`` seconds at ``ratio`` times its natural rate with ``gain``;
    ``end`` (seconds) cuts it there with a :data:`RELEASE_SECONDS` fade, None lets it ring out."""

    instrument: str
    pitch: int
    sound: str
    start: float
    end: Optional[float]
    ratio: float
    gain: float


def plan_voices(riff: Riff, bank: SoundBank, repeat: int = 1) -> List[Voice]:
    """The voices of ``riff`` played ``repeat`` times in a row (see the module docstring)."""
    sps = riff.seconds_per_step
    length = riff.total_steps * sps
    events = []
    for loop in range(repeat):
        for instrument in ("guitar", "bass", "drums"):
            for n in riff.notes(instrument):
                events.append((loop * length + n.start * sps, instrument, n))
    events.sort(key=lambda e: (e[0], e[1], e[2].pitch))
    voices: List[Voice] = []
    open_hats: List[Voice] = []
    for start, instrument, n in events:
        gain = note_volume(instrument, n.velocity)
        if instrument == "drums":
            name = DRUM_SOUNDS.get(n.pitch)
            if name is None:
                continue
            if n.pitch in CHOKES_OPEN_HAT:
                for hat in open_hats:
                    rings_until = hat.start + bank.get(OPEN_HAT).seconds
                    if hat.start < start < rings_until and (hat.end is None or hat.end > start):
                        hat.end = start
            voice = Voice(instrument, n.pitch, name, start, None, 1.0, gain)
            if name == OPEN_HAT:
                open_hats.append(voice)
        else:
            name, ratio = pitched_sound(instrument, n.pitch)
            natural = bank.get(name).seconds / ratio
            held = max(n.length * sps, MIN_NOTE_SECONDS)
            voice = Voice(instrument, n.pitch, name, start, start + held if held < natural else None, ratio, gain)
        if gain > 0.0:
            voices.append(voice)
    return voices


def riff_seconds(riff: Riff, repeat: int = 1, tail: float = DEFAULT_TAIL_SECONDS) -> float:
    """Length of the rendered audio: the riff ``repeat`` times plus ``tail`` seconds of ring-out."""
    return repeat * riff.total_steps * riff.seconds_per_step + tail


def render_riff(riff: Riff, rate: int = DEFAULT_RATE, bank: Optional[SoundBank] = None, repeat: int = 1,
                tail: float = DEFAULT_TAIL_SECONDS) -> np.ndarray:
    """Mix ``riff`` with the built-in sampler into float32 mono samples at ``rate`` Hz, within +-:data:`PEAK`."""
    if not 8000 <= int(rate) <= 192000:
        raise AudioError(f"--rate {rate}: use a sample rate of 8000..192000 Hz")
    if repeat < 1:
        raise AudioError(f"--repeat {repeat}: must be 1 or more")
    if not 0.0 <= tail <= 30.0:
        raise AudioError(f"--tail {tail}: use 0..30 seconds")
    bank = bank if bank is not None else SoundBank()
    total = int(round(riff_seconds(riff, repeat, tail) * rate))
    mix = np.zeros(total, np.float64)
    release = max(1, int(round(RELEASE_SECONDS * rate)))
    for v in plan_voices(riff, bank, repeat):
        sound = bank.get(v.sound)
        step = v.ratio * sound.rate / float(rate)            # source samples per output sample
        frames = int(np.ceil(len(sound.samples) / step))
        cut = v.end is not None
        if cut:
            frames = min(frames, int(round((v.end - v.start) * rate)) + release)
        first = int(round(v.start * rate))
        frames = min(frames, total - first)
        if frames <= 0:
            continue
        y = np.interp(np.arange(frames) * step, np.arange(len(sound.samples)), sound.samples, right=0.0)
        if cut and frames > release:
            y[-release:] *= np.linspace(1.0, 0.0, release)
        mix[first:first + frames] += v.gain * y
    fade = min(total, int(0.01 * rate))                      # sounds still ringing at the end fade out
    if fade:
        mix[total - fade:] *= np.linspace(1.0, 0.0, fade)
    peak = float(np.max(np.abs(mix))) if total else 0.0
    if peak > PEAK:
        mix *= PEAK / peak
    return mix.astype(np.float32)


def wav_bytes(samples: np.ndarray, rate: int = DEFAULT_RATE) -> bytes:
    """float samples in -1..1 as a mono 16-bit PCM WAV file."""
    pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate))
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def save_wav(riff: Riff, path: PathLike, rate: int = DEFAULT_RATE, bank: Optional[SoundBank] = None,
             repeat: int = 1, tail: float = DEFAULT_TAIL_SECONDS) -> Path:
    """Render ``riff`` (:func:`render_riff`) and write it to ``path`` as a mono 16-bit WAV; returns the path."""
    path = Path(path)
    path.write_bytes(wav_bytes(render_riff(riff, rate, bank, repeat, tail), rate))
    return path
