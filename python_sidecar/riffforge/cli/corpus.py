"""``riffforge corpus build SRC [SRC ...] --out DIR``: MIDI folders -> training corpus (``--runner beam``: as an
Apache Beam pipeline, :mod:`riffforge.corpus.beam`)."""
from __future__ import annotations

import argparse
import os
import re
from typing import Tuple

from ..corpus.storage import as_path
from . import CliError


def _transpose(text: str) -> Tuple[int, ...]:
    """``"-5..5"`` -> every shift in the range; ``"3"`` -> -3..3; ``"0"`` -> no transposition."""
    try:
        if ".." in text:
            lo, hi = (int(x) for x in text.split("..", 1))
        else:
            n = abs(int(text))
            lo, hi = -n, n
    except ValueError:
        raise argparse.ArgumentTypeError(f"--transpose {text!r}: use LO..HI (e.g. -5..5) or N") from None
    if not (-12 <= lo <= hi <= 12):
        raise argparse.ArgumentTypeError(f"--transpose {text!r}: range must lie within -12..12 and LO <= HI")
    shifts = [0] + [s for s in range(lo, hi + 1) if s != 0]
    return tuple(shifts)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="corpus_command", metavar="ACTION")
    b = sub.add_parser("build", help="build a corpus from folders of MIDI files")
    b.add_argument("sources", nargs="*", metavar="SRC",
                   help="folders (searched recursively), .mid files or TFRecords of NoteSequences (.tfrecord)")
    b.add_argument("--input", action="append", default=[], type=as_path, metavar="SRC",
                   help="another SRC (repeatable), e.g. a Magenta NoteSequence TFRecord: --input data.tfrecord")
    b.add_argument("--manifest", type=as_path, default=None, metavar="FILE",
                   help="CSV or YAML mapping paths/globs (relative to SRC) to a style and, optionally, the "
                        "guitar_track/bass_track/drums_track; styles are never guessed from file names")
    b.add_argument("--styles-from", choices=("folders",), default=None,
                   help="folders: the first folder level under SRC names the style (thrash/, doom/, ...)")
    b.add_argument("--out", required=True, type=as_path,
                   help="output corpus folder; with --runner beam also a URL (gs://, s3://, hdfs://), as SRC")
    b.add_argument("--kind", choices=("drums", "melody", "trio"), default="drums", help="what to extract")
    b.add_argument("--bars", type=int, choices=(2, 16), default=None, help="window length (2; trio defaults to 16)")
    b.add_argument("--guitar-programs", default=None,
                   help="GM programs (0-based) that count towards guitar in the role choice, default 24-31")
    b.add_argument("--bass-programs", default=None,
                   help="GM programs (0-based) that count towards bass in the role choice, default 32-39")
    b.add_argument("--melody-from", choices=("guitar", "bass", "both"), default="guitar",
                   help="tracks the melody kind uses (default guitar)")
    b.add_argument("--chords", action="store_true", help="add 49-class triad chord controls (inferred if absent)")
    b.add_argument("--chords-from", choices=("harmony", "guitar"), default=None,
                   help="chord controls from the file's harmony (triads, inferred if absent; Magenta) or from the "
                        "guitar's root line per step (conditions a bass on the guitar); implies --chords")
    b.add_argument("--melody-voice", choices=("root", "top"), default="root",
                   help="guitar note kept where several start together: root = the lowest, the riff's root line "
                        "(default), top = the highest (Magenta's melody extraction)")
    b.add_argument("--transpose", type=_transpose, default=(0,), metavar="LO..HI",
                   help="also add copies transposed by every semitone in LO..HI, e.g. -5..5 (melody/trio)")
    b.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    b.add_argument("--force", action="store_true", help="replace a different corpus already in --out")
    b.add_argument("--max-file-mb", type=float, default=16.0, help="skip MIDI files larger than this (default 16)")
    b.add_argument("--shard-size", type=int, default=4096, help="examples per shard (default 4096)")
    b.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    b.add_argument("--runner", choices=("local", "beam"), default="local",
                   help="local: worker processes on this machine (default); beam: an Apache Beam pipeline "
                        "(the scale extra), the DirectRunner unless --beam-option=--runner=... says otherwise")
    b.add_argument("--beam-option", action="append", default=[], metavar="OPTION",
                   help="a Beam pipeline option passed through unchanged, written with '=' and repeatable, e.g. "
                        "--beam-option=--runner=FlinkRunner --beam-option=--flink_master=HOST:8081")
    # Let `--transpose -5..5` parse: argparse would take "-5..5" for an option (it only knows "-5").
    b._negative_number_matcher = re.compile(r"^-\d+$|^-\d*\.\d+$|^-\d+\.\.-?\d+$")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "corpus_command", None) != "build":
        raise CliError("missing action; use `riffforge corpus build SRC [SRC ...] --out DIR`")
    try:
        from ..corpus.build import BuildError, BuildOptions, build_corpus
        from ..corpus.sources import parse_programs
        from ..corpus.windows import WindowOptions
    except ImportError as exc:  # note-seq lives in the train extra
        raise CliError(f"corpus building needs the train extra ({exc}); run `pip install -e python_sidecar[train]`")
    try:
        guitar = parse_programs(args.guitar_programs, range(24, 32))
        bass = parse_programs(args.bass_programs, range(32, 40))
    except ValueError as exc:
        raise CliError(str(exc))
    if args.jobs < 1:
        raise CliError(f"--jobs {args.jobs}: must be >= 1")
    if args.shard_size < 1:
        raise CliError(f"--shard-size {args.shard_size}: must be >= 1")
    bars = args.bars or (16 if args.kind == "trio" else 2)
    window = WindowOptions(kind=args.kind, bars=bars, guitar_programs=guitar, bass_programs=bass,
                           melody_from=args.melody_from, transpose=args.transpose,
                           chords=args.chords or args.chords_from is not None,
                           chords_from=args.chords_from or "harmony", melody_voice=args.melody_voice,
                           max_file_bytes=int(args.max_file_mb * 1_000_000))
    sources = [as_path(s) for s in args.sources] + list(args.input)
    if not sources:
        raise CliError("no SRC given: pass folders, MIDI files or TFRecords (SRC ... or --input FILE)")
    opts = BuildOptions(sources=sources, out=args.out, window=window, jobs=args.jobs,
                        force=args.force, shard_size=args.shard_size, progress=not args.no_progress,
                        manifest=args.manifest, styles_from_folders=args.styles_from == "folders")
    if args.beam_option and args.runner != "beam":
        raise CliError(f"--beam-option {args.beam_option[0]}: only used with --runner beam; add --runner beam")
    try:
        if args.runner == "beam":
            from ..corpus.beam import beam_available, build_corpus_beam

            if not beam_available():
                raise CliError("--runner beam needs Apache Beam, in the scale extra; run "
                               "`pip install -e python_sidecar[train,scale]` or drop --runner beam")
            summary = build_corpus_beam(opts, args.beam_option)
        else:
            summary = build_corpus(opts)
    except BuildError as exc:
        raise CliError(str(exc))
    w = summary.windows
    print(f"corpus {args.kind} ({bars} bars) -> {summary.out}: {sum(w.values())} windows "
          f"(train {w['train']}, validation {w['validation']}, test {w['test']}) from {summary.files_used} of "
          f"{summary.files} files in {summary.seconds:.1f} s; {summary.files_skipped} skipped, see "
          f"{summary.out / 'report.md'}")
    from ..corpus.report import console_lines

    for line in console_lines(summary.manifest, summary.out):
        print(line)
    if not sum(w.values()):
        raise CliError(f"corpus {summary.out}: no windows from {summary.files} MIDI file(s); {summary.out / 'report.md'} "
                       f"says why each gave none (check --kind, --melody-from and --guitar-programs/--bass-programs)")
    if w["validation"] < 64:
        print(f"riffforge corpus: warning: corpus {summary.out} has only {w['validation']} validation windows "
              "(under 64); validation metrics will be noisy; add MIDI files to SRC")
    return 0
