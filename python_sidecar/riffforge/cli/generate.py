"""``riffforge generate``: riffs to MIDI files (and piano-roll PNGs) from the default model or ``--model``.

``--count N`` samples N riffs (Magenta's ``music_vae_generate --num_outputs``): ``--out riff.mid`` becomes
``riff_1.mid`` .. ``riff_N.mid`` (``--png`` and ``--wav`` likewise); with ``--seed S`` they use seeds
S .. S+N-1, so every one can be regenerated alone. ``--wav`` renders with the Unity package's built-in
sampler sounds (:mod:`riffforge.music.audio`).

Uses exactly what the sidecar uses (:func:`riffforge.runtime.load_generator`): the MusicVAE bundles in
``--model DIR`` (a bundle or a folder of bundles), else the packaged default models, else the procedural
generator. TensorFlow-free.
"""
from __future__ import annotations

from pathlib import Path


def add_arguments(parser) -> None:
    from ..music.riff import INSTRUMENTS, STYLES

    parser.add_argument("--style", default="thrash", choices=STYLES)
    parser.add_argument("--intensity", type=float, default=0.5, help="0..1")
    parser.add_argument("--bars", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None, help="default: random (printed)")
    parser.add_argument("--tempo", type=float, default=None, help="BPM (default: from style and intensity)")
    parser.add_argument("--key", default=None, help="root pitch class, e.g. E, F#")
    parser.add_argument("--mode", default=None, help="mode name, e.g. phrygian")
    parser.add_argument("--temperature", type=float, default=None)
    parser.add_argument("--instruments", default=",".join(INSTRUMENTS), help="comma list of guitar,bass,drums")
    parser.add_argument("--model", type=Path, default=None, help="model bundle directory (default: packaged)")
    parser.add_argument("--out", type=Path, default=Path("riff.mid"), help="MIDI file to write")
    parser.add_argument("--png", type=Path, default=None, help="piano-roll PNG to write")
    parser.add_argument("--wav", type=Path, default=None,
                        help="WAV to write (the Unity package's built-in sampler sounds; see `riffforge render`)")
    parser.add_argument("--count", type=int, default=1, help="how many riffs to sample (files get _1.._N)")


def _numbered(path, k: int, count: int):
    """``riff.mid`` -> ``riff_3.mid`` when several riffs are written (None stays None)."""
    if path is None or count == 1:
        return path
    return path.with_name(f"{path.stem}_{k}{path.suffix}")


def run(args) -> int:
    from . import CliError
    from ..generation import RiffRequest, RiffRequestError
    from ..runtime import BundleError, load_generator

    if args.count < 1:
        raise CliError(f"--count {args.count}: must be 1 or more")
    try:
        generator = load_generator(args.model)
        riffs = []
        for k in range(args.count):
            seed = None if args.seed is None else args.seed + k
            request = RiffRequest(intensity=args.intensity, style=args.style, bars=args.bars, tempo=args.tempo,
                                  key=args.key, mode=args.mode, seed=seed, temperature=args.temperature,
                                  instruments=tuple(s.strip() for s in args.instruments.split(",") if s.strip()))
            riffs.append(generator.generate(request))
    except (RiffRequestError, BundleError) as exc:
        raise CliError(str(exc)) from None
    from ..music.files import riff_summary, write_riff_files
    from .outputs import sound_bank, write_wav

    bank = sound_bank(args) if args.wav is not None else None
    for k, riff in enumerate(riffs, 1):
        written = write_riff_files(riff, _numbered(args.out, k, args.count), _numbered(args.png, k, args.count))
        if bank is not None:
            written.append(str(write_wav(riff, _numbered(args.wav, k, args.count), args, bank)))
        print(f"{riff_summary(riff)}; model {riff.model_id} -> {', '.join(written)}")
    return 0
