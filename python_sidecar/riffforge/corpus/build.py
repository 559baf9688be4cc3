"""``riffforge corpus build``: folders of MIDI (or TFRecords of NoteSequences) -> sharded, split,
Magenta-encoded training corpus.

Steps: read the labels (``--manifest``, ``--styles-from folders``; :mod:`.labels`); walk the sources (each
TFRecord record is one source) and label them; check the track overrides (a mistake in the labels or a
TFRecord stops the build before ``--out`` is touched); hash every file (identical copies are reported
once); assign each file to a split (GMD ``info.csv`` honoured); parse/encode files in ``jobs`` worker processes (tqdm bar); drop
empty and duplicate windows (per file, then per split); write shards atomically as they fill; then the
reports (``report.json``, ``report.md``: counts per style, and per file which track became the guitar, the
bass and the drums, and why) and, last, ``manifest.json``. Ctrl-C stops the workers; since the manifest is only written at the
end and every shard is renamed into place whole, nothing half-written is ever read.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import __version__
from ..encoding import encoding_info
from . import shards as shard_io
from .labels import LabelError, assign_labels, load_manifest, style_counts
from .sources import SourceFile, assign_splits, expand_tfrecords, hash_file, walk_sources
from .storage import absolute, as_path, is_url, remove_tree
from .windows import FileResult, WindowOptions, process_file

MARKER = ".riffforge-corpus-build.json"
STAGING = ".riffforge-corpus-beam"  # a Beam build's per-file results, read back by the launcher, then removed
REPORT_JSON = "report.json"
OWN_ENTRIES = (shard_io.MANIFEST, "report.md", REPORT_JSON, "report", shard_io.SHARD_DIR, MARKER, STAGING)


class BuildError(Exception):
    """The build cannot start (bad options, output folder holds something else). One-line message."""


@dataclass
class BuildOptions:
    sources: List[Path]  # local paths, or URLs (storage.UrlPath) for the Beam build
    out: Path
    window: WindowOptions = field(default_factory=WindowOptions)
    jobs: int = 1
    force: bool = False
    shard_size: int = 4096
    split_ratios: Tuple[float, float, float] = (0.8, 0.1, 0.1)
    progress: bool = True
    manifest: Optional[Path] = None  # CSV/YAML: path or glob -> style and track overrides (.labels)
    styles_from_folders: bool = False  # the first folder level under each SRC is the style


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
        "kind": w.kind, "bars": w.bars, "sources": sorted(absolute(s) for s in opts.sources),
        "guitar_programs": list(w.guitar_programs), "bass_programs": list(w.bass_programs),
        "melody_from": w.melody_from, "transpose": list(w.transpose), "chords": w.chords,
        "chords_from": w.chords_from, "melody_voice": w.melody_voice,
        "split_ratios": list(opts.split_ratios),
        # only when given, so a corpus built without labels keeps the identity it always had
        **({"manifest": absolute(opts.manifest)} if opts.manifest else {}),
        **({"styles_from": "folders"} if opts.styles_from_folders else {}),
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
            remove_tree(p)
        elif p.exists():
            p.unlink()
    (out / shard_io.SHARD_DIR).mkdir()
    shard_io.write_json_atomic(out / MARKER, {"identity": identity, "started": time.time()})


def window_key(window: np.ndarray, controls: Optional[np.ndarray]) -> bytes:
    """The identity of a window (and its controls) for de-duplication within a split."""
    return hashlib.blake2b(window.tobytes() + (b"" if controls is None else controls.tobytes()), digest_size=16).digest()


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
            key = window_key(w, c)
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


def _check_overrides(files: Sequence[SourceFile], w: WindowOptions, manifest: Optional[Path]) -> None:
    """Every track override must name a track of its file: parse those files now (before ``--out`` is
    touched) and stop with the file, the manifest row and the tracks the file does have."""
    from .midi import SourceError
    from .roles import resolve, track_table
    from .windows import load_sequence

    for f in files:
        label = f.label
        if label is None or not label.overrides:
            continue
        try:
            tracks = track_table(load_sequence(str(f.path), w.max_file_bytes, f.record))
        except (SourceError, ValueError, OSError):
            continue  # the build lists the file as skipped, with its reason
        for role, ref in label.overrides.items():
            if resolve(ref, tracks) is None:
                have = "; ".join(t.describe() for t in tracks) or "none with notes"
                raise BuildError(f"manifest {manifest}: {label.override_from[role].replace('manifest ', '', 1)}, "
                                 f"field {role}_track: {ref.describe()} is not a track of {f.rel} (its tracks: "
                                 f"{have}); write one of those names or numbers")


@dataclass
class BuildPlan:
    """What a build works on, decided before any file is parsed: every file found, the readable unique ones
    in processing order (a file's index in ``usable`` is its ``source_id``), each with its split, and the
    files already skipped (unreadable, too big, identical copies)."""
    files: List[SourceFile]
    usable: List[SourceFile]
    skipped: List[Tuple[str, str]]
    identity: Dict


def plan_build(opts: BuildOptions) -> BuildPlan:
    """Check the options and sources, hash every file, drop identical copies and assign the splits."""
    w = opts.window
    if w.kind not in ("drums", "melody", "trio"):
        raise BuildError(f"--kind {w.kind}: use drums, melody or trio")
    if w.bars not in (2, 16):
        raise BuildError(f"--bars {w.bars}: use 2 or 16")
    if not opts.sources:
        raise BuildError("no SRC given: pass one or more folders or MIDI files")
    for src in opts.sources:
        if not as_path(src).exists():
            raise BuildError(f"SRC {src}: no such file or folder; pass a folder of MIDI files (.mid/.midi) "
                             "or the files themselves")
    identity = _identity(opts)
    from .tfrecord import TFRecordError

    try:
        entries = load_manifest(opts.manifest) if opts.manifest else None
        files, problems = walk_sources(opts.sources)
        files = expand_tfrecords(files)
        if files:
            assign_labels(files, opts.manifest, entries, opts.styles_from_folders)
    except (LabelError, TFRecordError) as exc:
        raise BuildError(str(exc)) from None
    if not files:
        raise BuildError(f"SRC {', '.join(str(s) for s in opts.sources)}: no MIDI files (.mid/.midi) found, nor "
                         "NoteSequence TFRecords (.tfrecord) (folders are searched recursively); point SRC at the "
                         "folder that holds your MIDI files")
    skipped: List[Tuple[str, str]] = list(problems)
    by_hash: Dict[str, SourceFile] = {}
    usable: List[SourceFile] = []
    for f in files:
        try:
            size = f.path.stat().st_size if f.record is None else f.size  # a record: measured and hashed
            f.size = size
            if size > w.max_file_bytes:
                what = "file" if f.record is None else "record"
                f.error = f"{what} is {size / 1e6:.1f} MB, over the {w.max_file_bytes / 1e6:.0f} MB limit (raise --max-file-mb)"
            elif f.record is None:
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
    _check_overrides(usable, w, opts.manifest)
    return BuildPlan(files=files, usable=usable, skipped=skipped, identity=identity)


def prepare_output(opts: BuildOptions, plan: BuildPlan) -> None:
    """Make ``opts.out`` ready for this build (refusing a folder that holds something else)."""
    _prepare_out(opts, plan.identity)


def file_tasks(plan: BuildPlan, w: WindowOptions) -> List[tuple]:
    """The arguments of :func:`~riffforge.corpus.windows.process_file` for every usable file, in order."""
    return [(i, str(f.path), f.rel, w, f.label, f.record) for i, f in enumerate(plan.usable)]


def with_controls(w: WindowOptions) -> bool:
    """Whether the shards of this build carry chord controls."""
    return w.chords and w.kind != "drums"


def record_file(f: SourceFile, result: FileResult, kept: int, skipped: List[Tuple[str, str]],
                per_file_rows: List[Dict]) -> None:
    """Book one processed file (in ``source_id`` order): its skip reason, if any, and its manifest row."""
    if result.reason:
        skipped.append((f.rel, result.reason))
    elif not kept:  # every window repeats one of an earlier file: listed with the skipped files
        result.reason = "every window duplicates an earlier file's"
        skipped.append((f.rel, result.reason))
    label = f.label
    per_file_rows.append({"file": f.rel, "sha1": f.sha1, "bytes": f.size, "split": f.split,
                          "windows": kept, "skipped": result.reason or None,
                          "style": getattr(label, "style", None), "style_from": getattr(label, "style_from", "") or None,
                          "roles": result.roles})


def _local_paths_only(opts: BuildOptions) -> None:
    """The local build reads and writes local paths; URLs are for the Beam build, which reads them through
    Beam's filesystems (:mod:`.storage`)."""
    named = [("SRC", s) for s in opts.sources] + [("--out", opts.out), ("--manifest", opts.manifest)]
    for what, path in named:
        if path is not None and is_url(path):
            raise BuildError(f"{what} {path}: a URL; the local build reads and writes local paths only; add "
                             "--runner beam (it reads gs://, s3://, hdfs://... through Beam's filesystems) or "
                             "copy the files to a local folder")


def build_corpus(opts: BuildOptions) -> BuildSummary:
    """Build the corpus described by ``opts``; returns a summary (also written to manifest/report)."""
    from tqdm import tqdm

    t0 = time.time()
    w = opts.window
    _local_paths_only(opts)
    plan = plan_build(opts)
    usable, skipped = plan.usable, list(plan.skipped)
    prepare_output(opts, plan)

    writer = _ShardWriter(opts.out / shard_io.SHARD_DIR, opts.shard_size, with_controls(w))
    tasks = file_tasks(plan, w)
    results: List[FileResult] = []
    per_file_rows: List[Dict] = []
    jobs = max(1, min(int(opts.jobs), len(tasks) or 1))
    # disable=None: a bar on a terminal, nothing in a log file or pipe
    bar = tqdm(total=len(tasks), unit="file", desc=f"corpus {w.kind}", disable=None if opts.progress else True,
               dynamic_ncols=True)
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
            kept = 0 if result.reason else writer.add(f.split, result, result.index)
            total_windows += kept
            record_file(f, result, kept, skipped, per_file_rows)
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

    return finish_build(opts, plan, results, per_file_rows, skipped, writer.shards, dict(writer.counts),
                        writer.cross_file_duplicates, writer.qpms, t0, {"runner": "local", "jobs": jobs})


def finish_build(opts: BuildOptions, plan: BuildPlan, results: Sequence[FileResult], per_file_rows: List[Dict],
                 skipped: List[Tuple[str, str]], shards: List[Dict], windows: Dict[str, int],
                 cross_file_duplicates: int, qpms: Sequence[float], t0: float, run: Dict) -> BuildSummary:
    """Write the report and, last, the manifest of a build whose shards are all written; ``run`` says how it
    ran (``runner`` and its settings, recorded under the manifest's options)."""
    from .report import write_report

    w, files = opts.window, plan.files
    seconds = time.time() - t0
    manifest = {
        "format": shard_io.FORMAT,
        "format_version": shard_io.FORMAT_VERSION,
        "riffforge_version": __version__,
        "kind": w.kind,
        "identity": plan.identity,
        "encoding": encoding_info(w.kind, w.bars, chords=w.chords and w.kind != "drums"),
        "options": {**{k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(w).items()},
                    **run, "shard_size": opts.shard_size, "split_ratios": list(opts.split_ratios),
                    "sources": [str(s) for s in opts.sources]},
        "counts": {**_counts(files, results, windows, cross_file_duplicates, skipped),
                   "styles": style_counts(per_file_rows)},
        "shards": shards,
        "sources": per_file_rows,
        "skipped": [{"file": f, "reason": r} for f, r in skipped],
        "build_seconds": round(seconds, 2),
    }
    write_report(opts.out, manifest, qpms, {r.rel: r.track_list for r in results})
    shard_io.write_json_atomic(opts.out / shard_io.MANIFEST, manifest)
    try:
        (opts.out / MARKER).unlink()
    except FileNotFoundError:
        pass
    return BuildSummary(out=opts.out, files=len(files), files_used=sum(1 for r in per_file_rows if r["windows"]),
                        files_skipped=len(skipped), windows=dict(windows), seconds=seconds, manifest=manifest)


def _counts(files, results: Sequence[FileResult], windows: Dict[str, int], cross_file_duplicates: int,
            skipped) -> Dict:
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
        "windows": dict(windows),
        "windows_total": int(sum(windows.values())),
        "windows_per_instrument_before_split_dedupe": per_instrument,
        "candidate_tracks": tracks,
        "empty_windows_dropped": int(sum(r.empty_windows for r in results)),
        "duplicate_windows_dropped": int(sum(r.duplicate_windows for r in results) + cross_file_duplicates),
        "sections_kept": int(sum(r.sections for r in results)),
        "sections_dropped": int(sum(len(r.dropped_sections) for r in results)),
    }
