"""``riffforge interpolate A.mid B.mid --steps N --out DIR``: morph one riff into another through the models.

Each MusicVAE bundle (the shipped ones, or ``--model DIR``) encodes both riffs; the codes are interpolated
along the great circle between them (slerp) and decoded greedily (:meth:`ModelGenerator.interpolate`):
``DIR/interpolate_1`` is A as the models hear it, ``DIR/interpolate_N`` is B, each a ``.mid`` and a labelled
piano roll ``.png`` (and a ``.wav`` with ``--wav``). Tempo and intensity move linearly; key and style switch
at the midpoint. The morph covers the models' window (the first 2 bars with the shipped bundles). Files
without riffforge's metadata get ``--style`` and the aeolian mode on their tonal centre.
"""
from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .outputs import add_model_output_arguments

    parser.add_argument("a", type=Path, metavar="A.mid", help="the riff to start from")
    parser.add_argument("b", type=Path, metavar="B.mid", help="the riff to end on")
    parser.add_argument("--steps", type=int, default=5, help="riffs to write, both ends included (>= 2; default 5)")
    parser.add_argument("--out", type=Path, required=True, help="folder for interpolate_1..N .mid/.png(/.wav)")
    add_model_output_arguments(parser, "also render every riff to WAV (riffforge render)")


def run(args: argparse.Namespace) -> int:
    from . import CliError
    from ..generation import RiffRequestError
    from ..music.files import riff_summary
    from ..runtime.reconstruct import model_input, modelled_instruments, playable_instruments
    from .outputs import load_models, out_folder, read_riff, refuse_existing, riff_stems, sound_bank, write_riff

    if args.steps < 2:
        raise CliError(f"--steps {args.steps}: need at least 2 (the two end points)")
    riffs = [read_riff(args.a), read_riff(args.b)]
    out = out_folder(args.out)
    names = [f"interpolate_{i}" for i in range(1, args.steps + 1)]
    refuse_existing(riff_stems(out, names, args.wav), args.force)
    bank = sound_bank(args) if args.wav else None
    generator = load_models(args.model)
    for path, riff in zip((args.a, args.b), riffs):
        if not playable_instruments(generator, riff):
            raise CliError(f"{path}: no notes for any instrument the models play "
                           f"({', '.join(modelled_instruments(generator))}); pass a riff with notes for one of them")
    a, b = (model_input(r, args.style) for r in riffs)
    try:
        morph = generator.interpolate(a, b, args.steps)
    except RiffRequestError as exc:
        raise CliError(str(exc)) from None
    for name, riff in zip(names, morph):
        written = write_riff(riff, out / name, args.wav, args, bank)
        print(f"{name}: {riff_summary(riff)} -> {', '.join(written)}")
    return 0
