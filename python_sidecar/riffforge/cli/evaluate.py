"""``riffforge evaluate``: sample models, measure them against real Metal, write REPORT_DIR/report.md + PNGs.

    riffforge evaluate --models base=DIR fine-tuned=DIR procedural --reference ../shared/data/gmd \\
        --train-corpus drums=CORPUS guitar=CORPUS bass=CORPUS --val-corpus CORPUS ... --out REPORT_DIR

``--models``: ``NAME=PATH`` or ``PATH`` (a bundle or a folder of bundles played as a band) or
``procedural``. The first two model sources are compared (base, fine-tuned) unless ``--compare`` says
otherwise: per style and real-Metal figure, fine-tuning works where it moved the figure toward the real
range. See :mod:`riffforge.evaluation.report`.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from . import CliError


def _floats(text: str):
    try:
        vals = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use comma-separated numbers, e.g. 0.1,0.5,0.9") from None
    if not vals or any(not 0.0 <= v <= 1.0 for v in vals):
        raise argparse.ArgumentTypeError(f"{text!r}: intensities must lie within 0..1")
    return vals


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--models", nargs="+", required=True, metavar="SPEC",
                        help="NAME=PATH | PATH (bundle or folder of bundles) | procedural")
    parser.add_argument("--reference", nargs="*", default=[], type=Path, metavar="DIR",
                        help="real MIDI folders (GMD: filtered by --reference-genre via info.csv)")
    parser.add_argument("--reference-genre", default="rock", help="GMD style prefix to keep (default rock; 'all' = any)")
    parser.add_argument("--styles", default=None, help="comma-separated styles (default: all six)")
    parser.add_argument("--intensities", type=_floats, default=(0.1, 0.3, 0.5, 0.7, 0.9))
    parser.add_argument("--per-intensity", type=int, default=40, help="riffs per model, style and intensity")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--phrases", type=int, default=20,
                        help="8-bar riffs per source and style at intensity 0.5 for the phrase figures (0 = none)")
    parser.add_argument("--classifier-riffs", type=int, default=120,
                        help="procedural training riffs per style for the style classifier")
    parser.add_argument("--train-corpus", nargs="*", default=[], metavar="INSTRUMENT=DIR",
                        help="training corpora for the duplicate check, e.g. drums=DIR guitar=DIR bass=DIR")
    parser.add_argument("--val-corpus", nargs="*", default=[], type=Path, metavar="DIR",
                        help="corpora whose validation split measures reconstruction accuracy")
    parser.add_argument("--val-examples", type=int, default=512)
    parser.add_argument("--compare", nargs=2, default=None, metavar=("BASE", "FINE_TUNED"))
    parser.add_argument("--out", required=True, type=Path, help="report directory")
    parser.add_argument("--no-progress", action="store_true")


def run(args: argparse.Namespace) -> int:
    from ..music.riff import STYLES
    from ..evaluation.report import EvalOptions, run_evaluation
    from ..evaluation.sources import EvaluationError

    styles = tuple(STYLES) if not args.styles else tuple(s.strip() for s in args.styles.split(","))
    bad = [s for s in styles if s not in STYLES]
    if bad:
        raise CliError(f"--styles: unknown {bad}; use {', '.join(STYLES)}")
    if args.per_intensity < 1:
        raise CliError(f"--per-intensity {args.per_intensity}: must be >= 1")
    if args.phrases < 0:
        raise CliError(f"--phrases {args.phrases}: must be >= 0")
    if args.classifier_riffs < 1:
        raise CliError(f"--classifier-riffs {args.classifier_riffs}: must be >= 1")
    train = {}
    for item in args.train_corpus:
        inst, _, path = item.partition("=")
        if inst not in ("guitar", "bass", "drums") or not path:
            raise CliError(f"--train-corpus {item!r}: use INSTRUMENT=DIR with guitar, bass or drums")
        if not Path(path).is_dir():
            raise CliError(f"--train-corpus {item!r}: {path} is not a corpus directory")
        train[inst] = Path(path)
    for p in args.val_corpus:
        if not (p / "manifest.json").is_file():
            raise CliError(f"--val-corpus {p}: no manifest.json (build it with `riffforge corpus build`)")
    opts = EvalOptions(models=args.models, out=args.out, references=args.reference,
                       reference_genre=None if args.reference_genre == "all" else args.reference_genre,
                       styles=styles, intensities=args.intensities, per_intensity=args.per_intensity, seed=args.seed,
                       train_corpora=train, val_corpora=args.val_corpus, val_examples=args.val_examples,
                       compare=args.compare, phrases=args.phrases, classifier_per_style=args.classifier_riffs,
                       progress=not args.no_progress,
                       command="riffforge " + " ".join(shlex.quote(a) for a in sys.argv[1:]))
    try:
        res = run_evaluation(opts)
    except EvaluationError as exc:
        raise CliError(str(exc)) from None
    for c in res["checks"]:
        print(("PASS " if c["overall"] else "FAIL ") + c["check"])
    for name, sc in res["style_classifier"]["sources"].items():
        print(f"style classifier accuracy {name}: {sc['accuracy']:.3f} ({sc['n']} riffs)")
    print(f"report: {Path(args.out) / 'report.md'}")
    return 0
