"""``riffforge render RIFF.mid --out riff.wav``: listen to a riff without a DAW.

Mixes the riff with the sounds the Unity package's built-in sampler plays (the same samples, the same
nearest-sample pitch shifting, velocity curve and note lengths; :mod:`riffforge.music.audio`) into a mono
16-bit WAV. NumPy and the standard library only. ``--png`` also writes its labelled piano roll.
"""
from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .outputs import add_audio_arguments

    parser.add_argument("midi", type=Path, metavar="RIFF.mid", help="a riff (any MIDI file: channel 10 is drums)")
    parser.add_argument("--out", type=Path, default=None, help="WAV file to write (default: RIFF.wav beside the MIDI)")
    parser.add_argument("--png", type=Path, default=None, help="also write the riff's labelled piano roll here")
    parser.add_argument("--force", action="store_true", help="overwrite existing output files")
    add_audio_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ..music.audio import riff_seconds
    from ..music.pianoroll import save_piano_roll
    from .outputs import read_riff, refuse_existing, sound_bank, write_wav

    out = args.out if args.out is not None else args.midi.with_suffix(".wav")
    riff = read_riff(args.midi)
    refuse_existing([out], args.force, "--out")
    if args.png is not None:
        refuse_existing([args.png], args.force, "--png")
    bank = sound_bank(args)
    written = [str(write_wav(riff, out, args, bank))]
    if args.png is not None:
        args.png.parent.mkdir(parents=True, exist_ok=True)
        written.append(str(save_piano_roll(riff, args.png)))
    seconds = riff_seconds(riff, args.repeat, args.tail)
    print(f"{args.midi}: {riff.bars} bars at {riff.tempo:g} BPM x{args.repeat}, {seconds:.2f} s at {args.rate} Hz "
          f"-> {', '.join(written)}")
    return 0
