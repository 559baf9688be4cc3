"""What the listening commands (``render``, ``interpolate``, ``reconstruct``) share: reading a MIDI riff with
one-line errors, refusing to overwrite outputs without ``--force``, loading the MusicVAE bundles, writing a
riff as MIDI + labelled piano roll (+ WAV)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Iterable, List, Optional

from . import CliError


def add_model_output_arguments(parser: argparse.ArgumentParser, wav_help: str) -> None:
    """The options ``interpolate`` and ``reconstruct`` share: the models, the style of a foreign file, WAV
    output, ``--force`` and the audio options (:func:`add_audio_arguments`)."""
    from ..music.riff import STYLES

    parser.add_argument("--model", type=Path, default=None, help="model bundle directory (default: packaged)")
    parser.add_argument("--style", default="thrash", choices=STYLES,
                        help="style of a file without riffforge metadata (how its guitar is voiced)")
    parser.add_argument("--wav", action="store_true", help=wav_help)
    parser.add_argument("--force", action="store_true", help="overwrite existing files in --out")
    add_audio_arguments(parser)


def add_audio_arguments(parser: argparse.ArgumentParser) -> None:
    """``--repeat``, ``--tail``, ``--rate``, ``--sounds``: how a riff is rendered to WAV."""
    from ..music.audio import DEFAULT_RATE, DEFAULT_TAIL_SECONDS

    parser.add_argument("--repeat", type=int, default=1, help="play the riff this many times in a row (default 1)")
    parser.add_argument("--tail", type=float, default=DEFAULT_TAIL_SECONDS,
                        help=f"seconds of ring-out after the last bar (default {DEFAULT_TAIL_SECONDS:g})")
    parser.add_argument("--rate", type=int, default=DEFAULT_RATE, help=f"sample rate in Hz (default {DEFAULT_RATE})")
    parser.add_argument("--sounds", type=Path, default=None,
                        help="folder of <sound>.wav files replacing built-in ones (kick.wav, guitar_50.wav, ...)")


def sound_bank(args: argparse.Namespace):
    """The sampler's sounds for ``args`` (the built-in ones, with ``--sounds`` replacing some)."""
    from ..music.audio import AudioError, SoundBank

    try:
        return SoundBank(overrides=getattr(args, "sounds", None))
    except AudioError as exc:
        raise CliError(str(exc)) from None


def write_wav(riff, path: Path, args: argparse.Namespace, bank=None) -> Path:
    """Render ``riff`` to ``path`` with the audio options of ``args`` (defaults where it has none)."""
    from ..music.audio import DEFAULT_RATE, DEFAULT_TAIL_SECONDS, AudioError, save_wav

    bank = bank if bank is not None else sound_bank(args)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        return save_wav(riff, path, rate=getattr(args, "rate", DEFAULT_RATE), bank=bank,
                        repeat=getattr(args, "repeat", 1), tail=getattr(args, "tail", DEFAULT_TAIL_SECONDS))
    except AudioError as exc:
        raise CliError(str(exc)) from None


def read_riff(path: Path):
    """The riff in MIDI file ``path``; a missing or unreadable file is one error line naming it."""
    from ..music.midi import midi_to_riff
    from ..music.riff import RiffError

    try:
        riff = midi_to_riff(path)
    except RiffError as exc:
        raise CliError(str(exc).splitlines()[0]) from None
    if not any(riff.notes(i) for i in ("guitar", "bass", "drums")):
        raise CliError(f"{path}: no notes on any guitar, bass or drum track; pass a MIDI file with notes "
                       "(drums on channel 10, bass on programs 32-39 or a track named bass, any other track is guitar)")
    return riff


def refuse_existing(paths: Iterable[Path], force: bool, option: str = "--out") -> None:
    """Stop before writing when an output exists and ``force`` is not set, naming it and the fix."""
    existing = [p for p in paths if Path(p).exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise CliError(f"{option}: {existing[0]} already exists{more}; pass --force to overwrite or choose another "
                       f"{option}")


def out_folder(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise CliError(f"--out {path}: exists and is not a folder; choose another --out")
    return path


def load_models(model: Optional[Path]):
    """The model-backed generator over ``--model`` (default: the shipped bundles); the procedural generator
    cannot encode, so a folder without bundles is an error."""
    from ..runtime import BundleError, load_generator
    from ..runtime.generator import ModelGenerator

    try:
        generator = load_generator(model)
    except BundleError as exc:
        raise CliError(f"--model: {exc}") from None
    if not isinstance(generator, ModelGenerator):
        where = f"--model {model}" if model is not None else "the packaged riffforge/models"
        raise CliError(f"{where}: no model bundles (model.json + weights.npz) found; pass --model with a bundle "
                       "folder, e.g. one written by `riffforge export`")
    return generator


def write_riff(riff, stem: Path, wav: bool, args: argparse.Namespace, bank=None) -> List[str]:
    """``stem``.mid, ``stem``.png (labelled piano roll) and, with ``wav``, ``stem``.wav; returns the paths."""
    from ..music.files import write_riff_files

    written = write_riff_files(riff, _suffixed(stem, ".mid"), _suffixed(stem, ".png"))
    if wav:
        written.append(str(write_wav(riff, _suffixed(stem, ".wav"), args, bank)))
    return written


def _suffixed(stem: Path, suffix: str) -> Path:
    return stem.with_name(stem.name + suffix)  # not with_suffix: a stem may hold a dot (thrash_0.5)


def riff_stems(out: Path, names: Iterable[str], wav: bool) -> List[Path]:
    """The files the stems ``names`` in ``out`` become (for :func:`refuse_existing`)."""
    suffixes = (".mid", ".png") + ((".wav",) if wav else ())
    return [out / f"{name}{s}" for name in names for s in suffixes]
