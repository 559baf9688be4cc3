"""The ``riffforge`` command line.

Each sub-command lives in its own module under :mod:`riffforge.cli` exposing ``add_arguments(parser)`` and
``run(args) -> int``. Only the chosen command's module is imported, so ``riffforge sidecar`` never pays for
(or pulls in) TensorFlow.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from typing import List, Optional

from .. import __version__

# (command, module under riffforge.cli, one-line help). Add a line here when adding a command.
COMMANDS = [
    ("sidecar", "sidecar", "run the OSC sidecar (launched by the Unity package)"),
    ("client", "client", "talk to a running or spawned sidecar (e.g. `client request`)"),
    ("demo", "demo", "spawn a sidecar, request riffs, write MIDI + piano rolls to out/demo"),
    ("generate", "generate", "generate one riff to .mid (+ .png) with the default model or --model"),
    ("metal-corpus", "metal_corpus", "write N procedural Metal riffs as .mid plus a manifest"),
    ("metrics", "metrics", "compute Metal metrics for MIDI files; print a table, write JSON"),
    ("corpus", "corpus", "build a training corpus from folders of MIDI (`corpus build`)"),
    ("train", "train", "train or fine-tune a MusicVAE (Keras 3 / TensorFlow)"),
    ("import-magenta", "import_magenta", "import a Magenta MusicVAE checkpoint"),
    ("export", "export", "export a training run to a TensorFlow-free model bundle"),
    ("evaluate", "evaluate", "sample models, compute metrics, write a report"),
    ("render", "render", "render a MIDI riff to WAV with the Unity package's built-in sampler sounds"),
    ("interpolate", "interpolate", "morph riff A into riff B through the models: N x .mid + .png (+ .wav)"),
    ("reconstruct", "reconstruct", "encode and greedily decode a riff with the models; per-instrument accuracy"),
]


class CliError(Exception):
    """An error to print as one line (no traceback) and exit with status 2."""


def _build_parser(only: Optional[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="riffforge", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"riffforge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name, help_text in COMMANDS:
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == only:
            module = importlib.import_module(f"{__name__}.{module_name}")
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # note-seq imports pydub, which warns at import that ffmpeg is missing; nothing here decodes audio files
    warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    known = {name for name, _, _ in COMMANDS}
    parser = _build_parser(chosen if chosen in known else None)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0 if not argv else 2
    try:
        return int(args._run(args) or 0)
    except CliError as exc:
        print(f"riffforge {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"riffforge {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
