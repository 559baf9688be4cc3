"""``riffforge corpus build --runner beam``: the corpus build as an Apache Beam pipeline (the ``scale`` extra).

The same corpus as :func:`riffforge.corpus.build.build_corpus`, from the same functions:

1. On the launching machine, :func:`~riffforge.corpus.build.plan_build` walks and hashes the sources, drops
   identical copies and assigns every file its split (a cheap metadata pass), exactly as the local build.
2. The pipeline: each file is parsed and cut into windows by :func:`~riffforge.corpus.windows.process_file`
   (the local build's per-file work, here the ``Encode`` DoFn); windows are grouped per split by
   :func:`~riffforge.corpus.build.window_key` and the copy from the first file (lowest ``source_id``, then
   position) is kept, which is the window the local build keeps; the kept windows get their position in
   the split (files in ``source_id`` order, as the local build appends them), so every shard holds the same
   windows in the same order; each shard is written by :func:`~riffforge.corpus.shards.write_shard`.
3. Back on the launching machine, the per-file results the pipeline wrote to a staging folder in ``--out``
   are read back, booked with :func:`~riffforge.corpus.build.record_file` and the report and manifest are
   written by :func:`~riffforge.corpus.build.finish_build`.

Shards, reports and manifest equal the local build's apart from the build time and the ``runner`` entry of
the manifest's options (:func:`corpus_differences` checks that). Pipeline options pass through unchanged
(``--beam-option=--runner=FlinkRunner``), so the same pipeline runs on the DirectRunner here and on the
portable runners (Flink, Spark, Dataflow); the workers need riffforge installed.

SRC, ``--manifest`` and ``--out`` may be local paths or URLs of any filesystem Beam has (``gs://`` with
``apache-beam[gcp]``, ``s3://`` with ``apache-beam[aws]``, ``hdfs://`` with ``apache-beam[hadoop]``, on the
launching machine and the workers): every file the launcher and the
workers read or write goes through :mod:`.storage`, which for a URL calls Beam's ``FileSystems`` (``match``
to list SRC recursively, ``open`` for MIDI and TFRecord bytes and the labels file, ``create`` then
``rename`` for every shard, report and the manifest, ``delete`` for ``--force`` and the build marker), and for
a local path keeps the local build's own file code, so a local build's bytes are unchanged. On a cluster a
local path must be storage every worker and the launching machine mount at the same path; Dataflow's workers
mount nothing of the launching machine, so there SRC and ``--out`` are ``gs://`` URLs. Beam documentation:

- Direct runner and its options (``direct_num_workers``, ``direct_running_mode``):
  https://beam.apache.org/documentation/runners/direct/ and
  https://beam.apache.org/releases/pydoc/current/apache_beam.runners.direct.direct_runner.html
- Flink runner: https://beam.apache.org/documentation/runners/flink/
- Shipping a package such as riffforge to remote workers (``--extra_package``, ``--requirements_file``,
  custom containers): https://beam.apache.org/documentation/sdks/python-pipeline-dependencies/
- The filesystem layer: https://beam.apache.org/releases/pydoc/current/apache_beam.io.filesystems.html
"""
from __future__ import annotations

import base64
import pickle
import time
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np

from . import shards as shard_io
from .build import (STAGING, BuildOptions, BuildSummary, file_tasks, finish_build, plan_build, prepare_output,
                    record_file, window_key, with_controls)
from .storage import as_path, glob_names, remove_tree
from .windows import FileResult, process_file

# What the staging files hold: one pickled record per line (base64), a dict told apart by "record".
_FILE, _KEPT, _SHARD = "file", "kept", "shard"


def _line(record: Dict) -> str:
    return base64.b64encode(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)).decode("ascii")


def _unline(line: str) -> Dict:
    return pickle.loads(base64.b64decode(line))


def beam_available() -> bool:
    try:
        import apache_beam  # noqa: F401
    except ImportError:
        return False
    return True


# -- the pipeline's steps (plain functions: Beam pickles them to its workers) ------------------------------
def encode_file(item: Tuple[str, tuple]) -> Iterable:
    """One file -> its windows keyed by (split, window key), plus one tagged per-file result. ``item`` is the
    file's split and its :func:`~riffforge.corpus.build.file_tasks` entry, the arguments of
    :func:`~riffforge.corpus.windows.process_file` (the manifest's track overrides, a TFRecord piece's place)."""
    from apache_beam import pvalue

    split, task = item
    result = process_file(*task)
    index, produced = result.index, result.windows
    for j in range(produced):
        controls = None if result.controls is None else result.controls[j]
        yield (split, window_key(result.targets[j], controls)), (index, j, result.targets[j], controls,
                                                                  float(result.qpms[j]))
    result.targets = result.controls = result.qpms = None  # the windows travel above; the rest is small
    yield pvalue.TaggedOutput(_FILE, _line({"record": _FILE, "produced": produced, "result": result}))


def first_copy(item) -> Tuple[Tuple[str, int], tuple]:
    """Of the copies of one window in one split, the one from the lowest source_id (then position)."""
    (split, _key), copies = item
    index, j, window, controls, qpm = min(copies, key=lambda c: (c[0], c[1]))
    return (split, index), (j, window, controls, qpm)


def order_file(item) -> Iterable:
    """A file's kept windows in their original order, and one tagged record of how many and their tempi."""
    from apache_beam import pvalue

    (split, index), kept = item
    kept = sorted(kept, key=lambda k: k[0])
    yield (split, index), [(k[1], k[2]) for k in kept]
    yield pvalue.TaggedOutput(_KEPT, _line({"record": _KEPT, "split": split, "index": index,
                                            "qpms": [k[3] for k in kept]}))


def split_offsets(kept_records: Sequence[str]) -> Dict[Tuple[str, int], int]:
    """(split, source_id) -> position of that file's first kept window in its split."""
    counts = sorted((r["split"], r["index"], len(r["qpms"])) for r in map(_unline, kept_records))
    offsets, position = {}, {}
    for split, index, n in counts:
        offsets[(split, index)] = position.get(split, 0)
        position[split] = position.get(split, 0) + n
    return offsets


def place_windows(item, offsets: Dict[Tuple[str, int], int], shard_size: int) -> Iterable:
    """Each kept window of one file, keyed by the shard it lands in, with its position in the split."""
    (split, index), windows = item
    start = offsets[(split, index)]
    for rank, (window, controls) in enumerate(windows):
        position = start + rank
        yield (split, position // shard_size), (position, index, window, controls)


def write_one_shard(item, folder: str, controls_wanted: bool) -> str:
    """Write one shard (windows in split order) and return its manifest entry as a JSON record. ``folder``
    is a local path or a URL (:mod:`.storage`)."""
    (split, number), windows = item
    windows = sorted(windows, key=lambda w: w[0])
    name = shard_io.shard_name(split, number)
    targets = np.stack([w[2] for w in windows])
    controls = np.stack([w[3] for w in windows]) if controls_wanted else None
    size = shard_io.write_shard(as_path(folder) / name, targets, np.full(len(windows), targets.shape[1], np.int32),
                                np.array([w[1] for w in windows], np.int32), controls)
    return _line({"record": _SHARD, "number": number, "entry": {"file": name, "split": split,
                                                                "examples": len(windows), "bytes": size}})


def _pipeline(p, tasks, opts: BuildOptions, staging: str):
    import apache_beam as beam

    w = opts.window
    encoded = (p | "Files" >> beam.Create(tasks) | "Spread" >> beam.Reshuffle()
               | "Encode" >> beam.FlatMap(encode_file).with_outputs(_FILE, main="windows"))
    kept = (encoded.windows | "GroupCopies" >> beam.GroupByKey() | "KeepFirstCopy" >> beam.Map(first_copy)
            | "GroupPerFile" >> beam.GroupByKey()
            | "OrderPerFile" >> beam.FlatMap(order_file).with_outputs(_KEPT, main="windows"))
    offsets = kept[_KEPT] | "AllFiles" >> beam.combiners.ToList() | "Offsets" >> beam.Map(split_offsets)
    written = (kept.windows
               | "PlaceInShards" >> beam.FlatMap(place_windows, beam.pvalue.AsSingleton(offsets), opts.shard_size)
               | "GroupShards" >> beam.GroupByKey()
               | "WriteShards" >> beam.Map(write_one_shard, str(opts.out / shard_io.SHARD_DIR), with_controls(w)))
    ((encoded[_FILE], kept[_KEPT], written) | "Results" >> beam.Flatten()
     | "Stage" >> beam.io.WriteToText(f"{staging}/results", file_name_suffix=".txt"))


# -- the launcher ------------------------------------------------------------------------------------------
def shard_order(per_file: Sequence[Tuple[str, int]], shard_size: int) -> List[Tuple[str, int]]:
    """(split, shard number) in the order the local build writes them: a shard as soon as it is full (files
    in source_id order, ``per_file`` = (split, kept windows) per file), then each split's last, partial one."""
    order: List[Tuple[str, int]] = []
    filled = {s: 0 for s in shard_io.SPLITS}
    for split, n in per_file:
        before, filled[split] = filled[split], filled[split] + n
        order += [(split, k) for k in range(before // shard_size, filled[split] // shard_size)]
    order += [(s, filled[s] // shard_size) for s in shard_io.SPLITS if filled[s] % shard_size]
    return order


def build_corpus_beam(opts: BuildOptions, pipeline_args: Sequence[str] = ()) -> BuildSummary:
    """Build the corpus described by ``opts`` with Apache Beam; ``pipeline_args`` are Beam pipeline options
    (``--runner=...`` and the runner's own), passed through unchanged. Returns the local build's summary."""
    import dataclasses

    import apache_beam as beam
    from apache_beam.io.filesystems import FileSystems
    from apache_beam.options.pipeline_options import PipelineOptions

    t0 = time.time()
    opts = dataclasses.replace(opts, out=as_path(opts.out))
    # The launcher lists and reads SRC and writes --out before and after the pipeline, with the filesystem
    # settings the options give (an S3 endpoint or region, a GCS project), as the workers will.
    FileSystems.set_options(PipelineOptions(list(pipeline_args)))
    plan = plan_build(opts)
    prepare_output(opts, plan)
    staging = opts.out / STAGING
    staging.mkdir()  # a folder where the filesystem has folders; Beam's text sink writes under it
    tasks = [(f.split, task) for f, task in zip(plan.usable, file_tasks(plan, opts.window))]
    with beam.Pipeline(options=PipelineOptions(list(pipeline_args))) as p:
        _pipeline(p, tasks, opts, str(staging))

    files: Dict[int, Dict] = {}
    kept: Dict[int, List[float]] = {}
    written: Dict[Tuple[str, int], Dict] = {}
    for path in glob_names(staging, "results*.txt"):
        for line in path.read_text(encoding="ascii").splitlines():
            record = _unline(line)
            kind = record.pop("record")
            if kind == _FILE:
                files[record["result"].index] = record
            elif kind == _KEPT:
                kept[record["index"]] = record["qpms"]
            else:
                written[(record["entry"]["split"], record["number"])] = record["entry"]
    if sorted(files) != list(range(len(tasks))):
        raise RuntimeError(f"the Beam pipeline returned results for {len(files)} of {len(tasks)} files; "
                           f"{staging} holds what it wrote")

    results: List[FileResult] = []
    per_file_rows: List[Dict] = []
    skipped = list(plan.skipped)
    qpms: List[float] = []
    windows = {s: 0 for s in shard_io.SPLITS}
    produced = 0
    for index, f in enumerate(plan.usable):
        produced += files[index]["produced"]
        result: FileResult = files[index]["result"]
        file_qpms = kept.get(index, [])
        record_file(f, result, len(file_qpms), skipped, per_file_rows)
        results.append(result)
        qpms += file_qpms
        windows[f.split] += len(file_qpms)
    order = shard_order([(f.split, len(kept.get(i, []))) for i, f in enumerate(plan.usable)], opts.shard_size)
    if sorted(order) != sorted(written):
        raise RuntimeError(f"the Beam pipeline wrote shards {sorted(written)}, expected {sorted(order)}")
    remove_tree(staging)
    run = {"runner": "beam", "beam_options": list(pipeline_args)}
    return finish_build(opts, plan, results, per_file_rows, skipped, [written[k] for k in order], windows,
                        produced - sum(windows.values()), qpms, t0, run)


def corpus_differences(a, b, sources_may_differ: bool = False) -> List[str]:
    """What differs between two built corpora, ignoring how they were built (build time, runner, jobs): the
    manifests, report.md, report.json and every shard's arrays. Empty when they are the same corpus.
    ``sources_may_differ`` also ignores where SRC was (the same files read from a copy elsewhere, such as
    a bucket): the SRC paths in the manifest's identity and options and in report.md's first line."""
    import json
    import re
    from pathlib import Path

    a, b = Path(a), Path(b)
    out: List[str] = []

    def comparable(manifest: Dict) -> Dict:
        manifest = dict(manifest, build_seconds=None)
        ignored = ("runner", "jobs", "beam_options") + (("sources",) if sources_may_differ else ())
        manifest["options"] = {k: v for k, v in manifest["options"].items() if k not in ignored}
        if sources_may_differ:
            manifest["identity"] = dict(manifest["identity"], sources=None)
        return manifest

    ma, mb = shard_io.read_manifest(a), shard_io.read_manifest(b)
    ca, cb = comparable(ma), comparable(mb)
    out += [f"manifest field {k!r} differs" for k in sorted(set(ca) | set(cb)) if ca.get(k) != cb.get(k)]

    def report(folder: Path) -> str:
        text = (folder / "report.md").read_text(encoding="utf-8")
        return re.sub(r" in [0-9.]+ s from (.*)\.\n" if sources_may_differ else r" in [0-9.]+ s from ",
                      " in - s from -.\n" if sources_may_differ else " in - s from ", text, count=1)

    if report(a) != report(b):
        out.append("report.md differs")
    def read_json(path: Path):
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    for name in sorted({p.name for p in a.glob("report*.json")} | {p.name for p in b.glob("report*.json")}):
        if read_json(a / name) != read_json(b / name):
            out.append(f"{name} differs")
    for entry in ma.get("shards", []):
        path_b = b / shard_io.SHARD_DIR / entry["file"]
        if not path_b.is_file():
            out.append(f"shard {entry['file']} missing from {b}")
            continue
        with np.load(a / shard_io.SHARD_DIR / entry["file"]) as xa, np.load(path_b) as xb:
            if sorted(xa.files) != sorted(xb.files):
                out.append(f"shard {entry['file']}: arrays {sorted(xa.files)} vs {sorted(xb.files)}")
                continue
            out += [f"shard {entry['file']}: array {k!r} differs" for k in xa.files
                    if xa[k].dtype != xb[k].dtype or not np.array_equal(xa[k], xb[k])]
    return out
