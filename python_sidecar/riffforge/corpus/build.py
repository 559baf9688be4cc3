"""``riffforge corpus build``: folders of MIDI -> sharded, split, Magenta-encoded training corpus.

Steps: walk the sources; hash every file (identical copies are reported once); assign each file to a
split (GMD ``info.csv`` honoured); parse/encode files in ``jobs`` worker processes (tqdm bar); drop
empty and duplicate windows (per file, then per split); write shards atomically as they fill; then the
report and, last, ``manifest.json``. Ctrl-C stops the workers; since the manifest is only written at the
end and every shard is renamed into place whole, nothing half-written is ever read.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import __version__
from ..encoding import encoding_info
from . import shards as shard_io
from .sources import SourceFile, assign_splits, hash_file, walk_sources
from .windows import FileResult, WindowOptions, process_file

MARKER = ".riffforge-corpus-build.json"
OWN_ENTRIES = (shard_io.MANIFEST, "report.md", "report", shard_io.SHARD_DIR, MARKER)


class BuildError(Exception):
    """The build cannot start (bad options, output folder holds something else). One-line message."""


@dataclass
class BuildOptions:
    sources: List[Path]
    out: Path
    window: WindowOptions = field(default_factory=WindowOptions)
    jobs: int = 1
    force: bool = False
    shard_size: int = 4096
    split_ratios: Tuple[float, float, float] = (0.8, 0.1, 0.1)
    progress: bool = True


@dataclass
class BuildSummary:
    out: Path
    files: int
    files_used: int
    files_skipped: int
    windows: Dict[str, int]
    seconds: float
    manifest: Dict


def _identity(opts: BuildOptions) -> Dict:
    """What makes a corpus "the same corpus" (rebuilding it in place needs no --force)."""
    w = opts.window
    return {
        "kind": w.kind, "bars": w.bars, "sources": sorted(os.path.abspath(s) for s in opts.sources),
        "guitar_programs": list(w.guitar_programs), "bass_programs": list(w.bass_programs),
        "melody_from": w.melody_from, "transpose": list(w.transpose), "chords": w.chords,
        "chords_from": w.chords_from, "melody_voice": w.melody_voice,
        "split_ratios": list(opts.split_ratios),
    }


def _prepare_out(opts: BuildOptions, identity: Dict) -> None:
    out = opts.out
    if out.exists() and not out.is_dir():
        raise BuildError(f"--out {out}: exists and is not a folder; choose another path")
    out.mkdir(parents=True, exist_ok=True)
    entries = [p.name for p in out.iterdir()]
    if entries and not opts.force:
        previous = None
        for name in (shard_io.MANIFEST, MARKER):
            try:
                previous = json.loads((out / name).read_text(encoding="utf-8")).get("identity")
                break
            except (OSError, ValueError, AttributeError):
                continue
        if previous is None:
            raise BuildError(f"--out {out}: folder is not empty and holds no riffforge corpus; "
                             f"choose an empty folder or pass --force")
        if previous != identity:
            diff = sorted(k for k in set(previous) | set(identity) if previous.get(k) != identity.get(k))
            raise BuildError(f"--out {out}: holds a different corpus (differs in {', '.join(diff)}); "
                             f"pass --force to replace it or choose another folder")
    for name in OWN_ENTRIES:
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    (out / shard_io.SHARD_DIR).mkdir()
    shard_io.write_json_atomic(out / MARKER, {"identity": identity, "started": time.time()})


class _ShardWriter:
    """Buffers windows per split, de-duplicates them per split and writes full shards atomically."""

    def __init__(self, folder: Path, shard_size: int, with_controls: bool):
        self.folder, self.shard_size, self.with_controls = folder, shard_size, with_controls
        self.buffers: Dict[str, List[Tuple[np.ndarray, Optional[np.ndarray], int]]] = {s: [] for s in shard_io.SPLITS}
        self.seen: Dict[str, set] = {s: set() for s in shard_io.SPLITS}
        self.counts = {s: 0 for s in shard_io.SPLITS}
        self.cross_file_duplicates = 0
        self.shards: List[Dict] = []
        self.qpms: List[float] = []  # tempo of every kept window (report histogram)

    def add(self, split: str, result: FileResult, source_id: int) -> int:
        kept = 0
        for i in range(result.windows):
            w = result.targets[i]
            c = None if result.controls is None else result.controls[i]
            key = hashlib.blake2b(w.tobytes() + (b"" if c is None else c.tobytes()), digest_size=16).digest()
            if key in self.seen[split]:
                self.cross_file_duplicates += 1
                continue
            self.seen[split].add(key)
            self.buffers[split].append((w, c, source_id))
            self.qpms.append(float(result.qpms[i]))
            kept += 1
            if len(self.buffers[split]) >= self.shard_size:
                self.flush(split)
        return kept

    def flush(self, split: str) -> None:
        buf = self.buffers[split]
        if not buf:
            return
        name = shard_io.shard_name(split, sum(1 for s in self.shards if s["split"] == split))
        targets = np.stack([b[0] for b in buf])
        controls = np.stack([b[1] for b in buf]) if self.with_controls else None
        size = shard_io.write_shard(self.folder / name, targets, np.full(len(buf), targets.shape[1], np.int32),
                                    np.array([b[2] for b in buf], np.int32), controls)
        self.shards.append({"file": name, "split": split, "examples": len(buf), "bytes": size})
        self.counts[split] += len(buf)
        self.buffers[split] = []


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and terminates us


def _run_one(task):
    return process_file(*task)


def build_corpus(opts: BuildOptions) -> BuildSummary:
    """Build the corpus described by ``opts``; returns a summary (also written to manifest/report)."""
    from tqdm import tqdm

    from .report import write_report

    t0 = time.time()
    w = opts.window
    if w.kind not in ("drums", "melody", "trio"):
        raise BuildError(f"--kind {w.kind}: use drums, melody or trio")
    if w.bars not in (2, 16):
        raise BuildError(f"--bars {w.bars}: use 2 or 16")
    if not opts.sources:
        raise BuildError("no SRC given: pass one or more folders or MIDI files")
    for src in opts.sources:
        if not Path(src).exists():
            raise BuildError(f"SRC {src}: no such file or folder; pass a folder of MIDI files (.mid/.midi) "
                             "or the files themselves")
    identity = _identity(opts)
    files, problems = walk_sources(opts.sources)
    if not files:
        raise BuildError(f"SRC {', '.join(str(s) for s in opts.sources)}: no MIDI files (.mid/.midi) found "
                         "(folders are searched recursively); point SRC at the folder that holds your MIDI files")
    skipped: List[Tuple[str, str]] = list(problems)
    by_hash: Dict[str, SourceFile] = {}
    usable: List[SourceFile] = []
    for f in files:
        try:
            size = os.stat(f.path).st_size
            f.size = size
            if size > w.max_file_bytes:
                f.error = f"file is {size / 1e6:.1f} MB, over the {w.max_file_bytes / 1e6:.0f} MB limit (raise --max-file-mb)"
            else:
                f.size, f.sha1 = hash_file(f.path)
        except PermissionError as exc:
            f.error = f"permission denied ({exc.strerror or exc})"
        except OSError as exc:
            f.error = f"cannot read file ({exc.strerror or exc})"
        if f.error:
            skipped.append((f.rel, f.error))
            continue
        if f.sha1 in by_hash:
            skipped.append((f.rel, f"duplicate of {by_hash[f.sha1].rel} (identical content)"))
            f.error = "duplicate"
            continue
        by_hash[f.sha1] = f
        usable.append(f)
    assign_splits(usable, opts.split_ratios)
    _prepare_out(opts, identity)

    writer = _ShardWriter(opts.out / shard_io.SHARD_DIR, opts.shard_size, w.chords and w.kind != "drums")
    tasks = [(i, str(f.path), f.rel, w) for i, f in enumerate(usable)]
    results: List[FileResult] = []
    per_file_rows: List[Dict] = []
    jobs = max(1, min(int(opts.jobs), len(tasks) or 1))
    bar = tqdm(total=len(tasks), unit="file", desc=f"corpus {w.kind}", disable=not opts.progress, dynamic_ncols=True)
    pool = None
    try:
        if jobs > 1:
            import note_seq  # noqa: F401  (import once before forking, not once per worker)

            pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_init)
            iterator = pool.imap(_run_one, tasks, chunksize=4)
        else:
            iterator = (process_file(*t) for t in tasks)
        total_windows = 0
        for result in iterator:
            f = usable[result.index]
            kept = 0
            if result.reason:
                skipped.append((f.rel, result.reason))
            else:
                kept = writer.add(f.split, result, result.index)
                total_windows += kept
            per_file_rows.append({"file": f.rel, "sha1": f.sha1, "bytes": f.size, "split": f.split,
                                  "windows": kept, "skipped": result.reason or None})
            result.targets = result.targets if result.targets is None else result.targets[:0]  # free memory
            results.append(result)
            bar.update(1)
            bar.set_postfix(windows=total_windows, refresh=False)
        for split in shard_io.SPLITS:
            writer.flush(split)
    except BaseException:
        if pool is not None:
            pool.terminate()
            pool.join()
        bar.close()
        raise
    else:
        if pool is not None:
            pool.close()
            pool.join()
        bar.close()

    seconds = time.time() - t0
    manifest = {
        "format": shard_io.FORMAT,
        "format_version": shard_io.FORMAT_VERSION,
        "riffforge_version": __version__,
        "kind": w.kind,
        "identity": identity,
        "encoding": encoding_info(w.kind, w.bars, chords=w.chords and w.kind != "drums"),
        "options": {**{k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(w).items()},
                    "jobs": jobs, "shard_size": opts.shard_size, "split_ratios": list(opts.split_ratios),
                    "sources": [str(s) for s in opts.sources]},
        "counts": _counts(files, results, writer, skipped),
        "shards": writer.shards,
        "sources": per_file_rows,
        "skipped": [{"file": f, "reason": r} for f, r in skipped],
        "build_seconds": round(seconds, 2),
    }
    write_report(opts.out, manifest, writer.qpms)
    shard_io.write_json_atomic(opts.out / shard_io.MANIFEST, manifest)
    try:
        (opts.out / MARKER).unlink()
    except FileNotFoundError:
        pass
    return BuildSummary(out=opts.out, files=len(files), files_used=sum(1 for r in per_file_rows if r["windows"]),
                        files_skipped=len(skipped), windows=dict(writer.counts), seconds=seconds, manifest=manifest)


def _counts(files, results: Sequence[FileResult], writer: _ShardWriter, skipped) -> Dict:
    per_instrument: Dict[str, int] = {}
    tracks: Dict[str, int] = {}
    for r in results:
        for label in r.instruments:
            per_instrument[label] = per_instrument.get(label, 0) + 1
        for kind, n in r.tracks.items():
            tracks[kind] = tracks.get(kind, 0) + n
    return {
        "files_found": len(files),
        "files_with_windows": sum(1 for r in results if not r.reason),
        "files_skipped": len(skipped),
        "windows": dict(writer.counts),
        "windows_total": int(sum(writer.counts.values())),
        "windows_per_instrument_before_split_dedupe": per_instrument,
        "candidate_tracks": tracks,
        "empty_windows_dropped": int(sum(r.empty_windows for r in results)),
        "duplicate_windows_dropped": int(sum(r.duplicate_windows for r in results) + writer.cross_file_duplicates),
        "sections_kept": int(sum(r.sections for r in results)),
        "sections_dropped": int(sum(len(r.dropped_sections) for r in results)),
    }
