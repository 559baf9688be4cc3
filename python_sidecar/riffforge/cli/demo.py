"""``riffforge demo`` (``./run demo``): the whole wire in one command.

Spawns a sidecar exactly as the Unity package does (UDP socket first, then the subprocess with
``--host-port``, the token in ``RIFFFORGE_TOKEN`` and ``--parent-pid``), shakes hands, requests riffs at
intensities 0.2, 0.5 and 0.9 for two styles, writes ``out/demo/<style>_<intensity>.mid`` plus a labelled
piano-roll PNG (and, with ``--wav``, a WAV rendered with the Unity sampler's sounds) per riff, and prints a
table of what came back and how long each request took. The sidecar's log goes to ``out/demo/sidecar.log``.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from . import CliError

INTENSITIES = (0.2, 0.5, 0.9)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("out") / "demo",
                        help="output folder (default out/demo)")
    parser.add_argument("--styles", default="thrash,doom", help="two (or more) comma-separated styles")
    parser.add_argument("--bars", type=int, default=2)
    parser.add_argument("--models", type=Path, default=None,
                        help="model bundle directory for the sidecar (default: the bundled default Metal models "
                             "in riffforge/models when installed, else the procedural generator)")
    parser.add_argument("--procedural", action="store_true",
                        help="serve the procedural generator even when default models are installed")
    parser.add_argument("--wav", action="store_true",
                        help="also render every riff to <style>_<intensity>.wav (the Unity sampler's sounds)")


def default_models_dir():
    """The packaged default bundles (``riffforge/models/*/model.json``), or None when none are installed."""
    models = Path(__file__).resolve().parents[1] / "models"
    return models if any(models.glob("*/model.json")) else None


def run(args: argparse.Namespace) -> int:
    from ..client import ClientError, SidecarClient
    from ..music.midi import riff_to_midi
    from ..music.pianoroll import save_piano_roll
    from ..music.riff import STYLES
    from .outputs import sound_bank, write_wav

    styles = [s.strip() for s in args.styles.split(",") if s.strip()]
    unknown = [s for s in styles if s not in STYLES]
    if not styles or unknown:
        raise CliError(f"--styles {args.styles!r}: use styles from {', '.join(STYLES)}")
    args.out.mkdir(parents=True, exist_ok=True)
    bank = sound_bank(args) if args.wav else None
    log_path = args.out / "sidecar.log"
    with open(log_path, "w") as log:
        start = time.perf_counter()
        try:
            models = args.models if (args.models is not None or args.procedural) else default_models_dir()
            client = SidecarClient.spawn(models=models, stderr=log)
        except ClientError as exc:
            raise CliError(f"{exc} (sidecar log: {log_path})") from None
        handshake = time.perf_counter() - start
        rows = []
        try:
            print(f"sidecar pid {client.process.pid} on 127.0.0.1:{client.sidecar_port}, protocol "
                  f"{client.hello.protocol_version}, version {client.hello.sidecar_version}, models "
                  f"{', '.join(client.capabilities['model_ids'])}; spawn to handshake {handshake * 1000:.0f} ms")
            for style in styles:
                for intensity in INTENSITIES:
                    pending = client.submit_request(intensity=intensity, style=style, bars=args.bars)
                    try:
                        riff = pending.result(timeout=5.0, retries=2)
                    except ClientError as exc:
                        raise CliError(f"{style} {intensity}: {exc} (sidecar log: {log_path})") from None
                    stem = f"{style}_{intensity:.1f}"
                    midi_path = riff_to_midi(riff, args.out / f"{stem}.mid")
                    png_path = save_piano_roll(riff, args.out / f"{stem}.png")
                    if bank is not None:
                        write_wav(riff, args.out / f"{stem}.wav", args, bank)
                    rows.append((style, intensity, riff, pending.latency * 1000, midi_path, png_path))
        finally:
            code = client.close()
    _print_table(rows)
    kinds = "MIDI + piano-roll PNG + WAV" if bank is not None else "MIDI + piano-roll PNG"
    print(f"wrote {(3 if bank is not None else 2) * len(rows)} files to {args.out}/ ({kinds} per riff); sidecar "
          f"exited with code {code}; its log is {log_path}")
    return 0 if code == 0 else 1


def _print_table(rows) -> None:
    header = ("style", "asked", "got", "seed", "bars", "BPM", "key/mode", "guitar", "bass", "drums", "ms", "file")
    lines = [header]
    for style, intensity, riff, ms, midi_path, _png in rows:
        lines.append((style, f"{intensity:.1f}", f"{riff.intensity:.2f}", str(riff.seed), str(riff.bars),
                      f"{riff.tempo:g}", f"{riff.key} {riff.mode}", str(len(riff.notes("guitar"))),
                      str(len(riff.notes("bass"))), str(len(riff.notes("drums"))), f"{ms:.1f}", midi_path.name))
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    for n, row in enumerate(lines):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
