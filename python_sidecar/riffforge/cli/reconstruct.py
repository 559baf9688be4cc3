"""``riffforge reconstruct IN.mid --out DIR``: how well the models hear a riff.

Every MusicVAE bundle (the shipped ones, or ``--model DIR``) encodes the riff window by window and decodes
the codes greedily (:func:`riffforge.runtime.reconstruct.reconstruct`). Writes ``DIR/reconstruction.mid``
and ``.png`` (and ``.wav`` with ``--wav``), the input's labelled piano roll ``DIR/input.png`` beside it and
``DIR/reconstruction.json``, and prints per instrument the step accuracy (share of 16th steps decoded as
the input has them) and the accuracy on the input's onset steps. The guitar is scored on its root line
(the lowest note of each onset), which is what the guitar model plays.
"""
from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .outputs import add_model_output_arguments

    parser.add_argument("midi", type=Path, metavar="IN.mid", help="the riff to reconstruct")
    parser.add_argument("--out", type=Path, required=True, help="folder for reconstruction.mid/.png/.json(/.wav)")
    add_model_output_arguments(parser, "also render the reconstruction to WAV")


def run(args: argparse.Namespace) -> int:
    from . import CliError
    from ..atomic import write_json_atomic
    from ..music.files import riff_summary
    from ..music.pianoroll import save_piano_roll
    from ..runtime.reconstruct import model_input, reconstruct
    from .outputs import load_models, out_folder, read_riff, refuse_existing, riff_stems, sound_bank, write_riff

    riff = read_riff(args.midi)
    out = out_folder(args.out)
    report_path, input_png = out / "reconstruction.json", out / "input.png"
    refuse_existing(riff_stems(out, ["reconstruction"], args.wav) + [input_png, report_path], args.force)
    bank = sound_bank(args) if args.wav else None
    generator = load_models(args.model)
    source = model_input(riff, args.style)
    try:
        result = reconstruct(generator, source)
    except ValueError as exc:
        raise CliError(f"{args.midi}: {exc}; pass a riff with notes for one of them") from None
    written = write_riff(result.riff, out / "reconstruction", args.wav, args, bank)
    written.append(str(save_piano_roll(source, input_png)))
    report = {"input": str(args.midi), "model_id": generator.model_id, "steps": result.steps,
              "instruments": {name: {"step_accuracy": round(result.accuracy[name], 4),
                                     "onset_accuracy": round(result.onset_accuracy[name], 4),
                                     "onset_steps": result.onsets[name]} for name in result.accuracy}}
    written.append(str(write_json_atomic(report_path, report)))
    print(f"{args.midi}: {riff_summary(source)}")
    print(f"reconstructed by {generator.model_id} over {result.steps} steps (greedy decoding):")
    width = max(len(n) for n in result.accuracy)
    for name in result.accuracy:
        print(f"  {name.ljust(width)}  step accuracy {result.accuracy[name]:.3f}  on the input's "
              f"{result.onsets[name]} onset steps {result.onset_accuracy[name]:.3f}")
    print(f"wrote {', '.join(written)}")
    return 0
