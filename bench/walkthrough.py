"""Timings of the README's "Train on your own riffs" walkthrough, run as a new user would, on real MIDI.

    ./run bench walkthrough                        # the Groove MIDI Dataset in ../shared/data/gmd
    ./run bench walkthrough --src DIR --steps 200  # your own folder, a longer fine-tune
    ./run bench walkthrough --band-riffs 0         # the drums line only

The Groove MIDI Dataset (Gillick et al. 2019, CC BY 4.0) holds human drum performances only, so on it the
walkthrough runs its drums line: ``riffforge corpus build --kind drums``, a short fine-tune of the shipped drums
bundle (``riffforge train --init``), ``riffforge export`` with the corpus's controls, then serving: a models
folder with the new drums beside the shipped guitar and bass, a sidecar spawned on it and one riff requested
(``riffforge client request``).

The band line then follows the README for guitar, bass and drums together on a folder of multi-track MIDI
with a style manifest: ``riffforge metal-corpus`` writes ``--band-riffs`` procedural riffs (guitar, bass and
drums tracks, and ``styles.csv``), standing in for a studio's own licensed files, and every command of the
walkthrough runs on it (three corpus builds with ``--manifest``, three fine-tunes from the shipped bundles,
three exports, serving the three new bundles).

Every step is the installed ``riffforge`` command in a subprocess, timed from start to exit; a step that fails
stops the bench with its output.

Output: a table of seconds per step (and the corpus and run figures the commands print), written to
``bench/out/walkthrough.json`` too.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "python_sidecar" / "riffforge" / "models"
DEFAULT_SRC = REPO.parent / "shared" / "data" / "gmd"


def riffforge_command() -> list:
    """The ``riffforge`` console script beside this Python (the .venv's), else ``python -m riffforge``."""
    script = Path(sys.executable).with_name("riffforge")
    return [str(script)] if script.exists() else [sys.executable, "-m", "riffforge"]


def run_step(name: str, args: list, log: Path) -> float:
    """Run one walkthrough command; returns its wall time. Output goes to ``log`` (shown if it fails)."""
    print(f"[walkthrough] {name}: riffforge {' '.join(args)}", flush=True)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    t0 = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.run(riffforge_command() + args, stdout=out, stderr=subprocess.STDOUT, env=env)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stdout.write(log.read_text())
        raise SystemExit(f"[walkthrough] {name} failed with exit {proc.returncode} (log: {log})")
    return seconds


BAND = (  # (role, corpus build options, config, shipped bundle)
    ("guitar", ["--kind", "melody", "--melody-from", "guitar", "--melody-voice", "root"], "cat-mel_2bar_small",
     "metal-guitar"),
    ("bass", ["--kind", "melody", "--melody-from", "bass", "--chords-from", "guitar"], "bass-chords_2bar",
     "metal-bass"),
    ("drums", ["--kind", "drums"], "cat-drums_2bar_small", "metal-drums"),
)


def band_line(args, work: Path) -> dict:
    """The README walkthrough for guitar, bass and drums on a folder of multi-track MIDI with a manifest."""
    riffs, root = work / "band" / "my-riffs", work / "band"
    root.mkdir(parents=True)
    times = {}
    times["write the MIDI folder (metal-corpus)"] = run_step("metal-corpus", [
        "metal-corpus", "--out", str(riffs), "--count", str(args.band_riffs), "--no-progress"],
        root / "metal-corpus.log")
    manifest = riffs / "styles.csv"
    for role, opts, _, _ in BAND:
        times[f"corpus build {role}"] = run_step(f"corpus build {role}", [
            "corpus", "build", str(riffs), "--manifest", str(manifest), *opts,
            "--out", str(root / "corpus" / role), "--no-progress"], root / f"corpus-{role}.log")
    for role, _, config, shipped in BAND:
        times[f"fine-tune {role}"] = run_step(f"fine-tune {role}", [
            "train", "--config", config, "--corpus", str(root / "corpus" / role), "--init", str(SHIPPED / shipped),
            "--out", str(root / "runs" / role), "--steps", str(args.band_steps), "--batch-size",
            str(args.batch_size), "--checkpoint-every", str(args.band_steps), "--no-progress"],
            root / f"train-{role}.log")
    for role, _, _, _ in BAND:
        times[f"export {role}"] = run_step(f"export {role}", [
            "export", str(root / "runs" / role), "--out", str(root / "my-models" / role), "--role", role,
            "--corpus", str(root / "corpus" / role), "--model-id", f"my-{role}"], root / f"export-{role}.log")
    riff = root / "riff.mid"
    times["serve (spawn sidecar + first riff)"] = run_step("serve band", [
        "client", "request", "--models", str(root / "my-models"), "--intensity", "0.7", "--style", "groove",
        "--seed", "1", "--out", str(riff), "--timeout", "30"], root / "serve.log")
    if not riff.exists():
        raise SystemExit(f"[walkthrough] serve wrote no riff ({riff})")
    print(f"[walkthrough] band: {(root / 'serve.log').read_text().strip().splitlines()[-1]}")
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="folder of MIDI files (default: the GMD)")
    ap.add_argument("--steps", type=int, default=100, help="fine-tuning steps (default 100)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--band-riffs", type=int, default=200,
                    help="procedural multi-track riffs for the band line (0: skip it)")
    ap.add_argument("--band-steps", type=int, default=50, help="fine-tuning steps per model in the band line")
    ap.add_argument("--work", type=Path, default=REPO / "bench" / "out" / "walkthrough",
                    help="scratch folder, replaced on every run")
    args = ap.parse_args(argv)
    if not args.src.is_dir():
        raise SystemExit(f"[walkthrough] --src {args.src}: no such folder (the GMD lies in ../shared/data/gmd)")
    work = args.work
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    corpus, run, models = work / "corpus" / "drums", work / "runs" / "drums", work / "my-models"
    times = {}
    times["corpus build"] = run_step("corpus build", [
        "corpus", "build", str(args.src), "--kind", "drums", "--out", str(corpus), "--no-progress"],
        work / "corpus.log")
    times["fine-tune"] = run_step("fine-tune", [
        "train", "--config", "cat-drums_2bar_small", "--corpus", str(corpus), "--init", str(SHIPPED / "metal-drums"),
        "--out", str(run), "--steps", str(args.steps), "--batch-size", str(args.batch_size),
        "--checkpoint-every", str(args.steps), "--no-progress"], work / "train.log")
    models.mkdir()
    times["export"] = run_step("export", [
        "export", str(run), "--out", str(models / "drums"), "--role", "drums", "--corpus", str(corpus),
        "--model-id", "my-drums"], work / "export.log")
    for part in ("metal-guitar", "metal-bass"):
        shutil.copytree(SHIPPED / part, models / part)
    riff = work / "riff.mid"
    times["serve (spawn sidecar + first riff)"] = run_step("serve", [
        "client", "request", "--models", str(models), "--intensity", "0.7", "--style", "thrash", "--seed", "1",
        "--out", str(riff), "--timeout", "30"], work / "serve.log")
    if not riff.exists():
        raise SystemExit(f"[walkthrough] serve wrote no riff ({riff})")

    band = band_line(args, work) if args.band_riffs > 0 else {}

    report = json.loads((corpus / "report.json").read_text()) if (corpus / "report.json").exists() else {}
    run_info = json.loads((run / "run.json").read_text()) if (run / "run.json").exists() else {}
    bundle = json.loads((models / "drums" / "model.json").read_text())
    facts = {
        "source": str(args.src),
        "midi files found": report.get("counts", {}).get("files_found"),
        "files that gave windows": report.get("counts", {}).get("files_with_windows"),
        "windows (train/validation/test)": report.get("counts", {}).get("windows"),
        "fine-tune steps": args.steps,
        "batch size": args.batch_size,
        "init": run_info.get("init", {}).get("source") if isinstance(run_info.get("init"), dict) else run_info.get("init"),
        "exported model_id": bundle.get("model_id"),
    }
    print()
    print(f"{'step':<38}{'seconds':>10}")
    for name, s in times.items():
        print(f"{name:<38}{s:>10.1f}")
    print(f"{'total':<38}{sum(times.values()):>10.1f}")
    if band:
        print()
        print(f"band line ({args.band_riffs} procedural multi-track riffs with styles.csv, "
              f"{args.band_steps} steps per model)")
        for name, s in band.items():
            print(f"{name:<38}{s:>10.1f}")
        print(f"{'total':<38}{sum(band.values()):>10.1f}")
    print()
    for k, v in facts.items():
        print(f"{k}: {v}")
    print(f"serve log: {(work / 'serve.log').read_text().strip().splitlines()[-1] if (work / 'serve.log').read_text().strip() else ''}")
    out = REPO / "bench" / "out" / "walkthrough.json"
    out.write_text(json.dumps({"seconds": times, "band_seconds": band, "facts": facts}, indent=2, default=str))
    print(f"written {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
