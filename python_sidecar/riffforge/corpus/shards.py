"""Corpus shard format and the reader the training input pipeline consumes.

Layout of a corpus directory (written by ``riffforge corpus build``)::

    CORPUS/
      manifest.json            # written LAST (atomically); a corpus without it is incomplete
      report.md                # human report: counts, skipped files and why, histograms
      report/*.png             # histograms referenced by report.md
      shards/train-00000.npz   # one .npz per shard, split name first
      shards/validation-00000.npz
      shards/test-00000.npz

Each shard is a compressed ``.npz`` holding:

- ``targets`` int16 ``[n, T, K]``: the class index per step and output head (Magenta's one-hot output
  classes). ``K`` is 1 for ``drums`` (512 classes) and ``melody`` (90 classes); 3 for ``trio``
  (melody 90, bass 90, drums 512).
- ``lengths`` int32 ``[n]``: valid steps per example (all windows are full, so ``T``).
- ``controls`` int16 ``[n, T]`` (optional): 49-class triad chord index per step.
- ``source_ids`` int32 ``[n]``: index into ``manifest["sources"]`` (the file the window came from).

Inputs are NOT stored: Magenta's encoder inputs are a pure function of the output classes (drums:
9 hit bits + a no-hit bit; melody and trio: the one-hot of the classes), so :class:`ExampleSet`
derives them on demand with :func:`riffforge.encoding.inputs_from_targets`. This keeps shards tiny
(a 2-bar drum window is 64 bytes before compression).

Shards are written to a hidden temporary file in ``shards/`` and renamed into place
(:func:`write_shard`), and the reader only opens the shards listed in ``manifest.json``, which the
builder writes last. An interrupted build (Ctrl-C) therefore never leaves a shard a training run
would read.

Reader API (what the training engineer uses)::

    from riffforge.corpus.shards import load_split, iter_batches
    ds = load_split("corpus/", "train")        # ExampleSet
    ds.inputs   # float32 [N, T, D_in]   (Magenta encoder input)
    ds.targets  # int32   [N, T, K]      (class index per output head)
    ds.lengths  # int32   [N]
    ds.controls # float32 [N, T, C] or None (one-hot chord controls)
    ds.kind, ds.encoding, ds.input_depth, ds.output_depths, ds.control_depth
    for batch in iter_batches("corpus/", "train", batch_size=64, seed=0):
        batch.inputs, batch.targets, batch.lengths, batch.controls  # same fields, batch-sized

``iter_batches`` streams shard by shard (one shard in memory at a time); with ``shuffle`` it visits
shards in a seeded random order and shuffles examples inside a buffer of whole shards, so the epoch
is deterministic per seed. The last, smaller batch is yielded unless ``drop_remainder``.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Union

import numpy as np

from ..atomic import atomic_write, write_json_atomic  # noqa: F401  (write_json_atomic: part of this module's API)
from ..encoding import inputs_from_targets, one_hot

FORMAT = "riffforge-corpus"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SHARD_DIR = "shards"
SPLITS = ("train", "validation", "test")

PathLike = Union[str, os.PathLike]


class CorpusError(ValueError):
    """A corpus directory is missing, incomplete or of an unknown format. The message says the fix."""


@dataclass
class ExampleSet:
    """Examples of one split, as numpy arrays (see the module docstring for shapes).

    ``encoding`` is the manifest's encoding block (kind, steps, depths, pitch ranges, drum map).
    ``inputs`` and ``controls`` are derived lazily from ``targets`` / ``control_classes`` and cached.
    """

    kind: str
    split: str
    encoding: Dict
    targets: np.ndarray
    lengths: np.ndarray
    source_ids: np.ndarray
    control_classes: Optional[np.ndarray] = None
    _inputs: Optional[np.ndarray] = field(default=None, repr=False)
    _controls: Optional[np.ndarray] = field(default=None, repr=False)

    def __len__(self) -> int:
        return int(self.targets.shape[0])

    @property
    def steps(self) -> int:
        return int(self.encoding["steps"])

    @property
    def input_depth(self) -> int:
        return int(self.encoding["input_depth"])

    @property
    def output_depths(self) -> List[int]:
        return [int(d) for d in self.encoding["output_depths"]]

    @property
    def output_depth(self) -> int:
        return int(sum(self.output_depths))

    @property
    def control_depth(self) -> int:
        return int(self.encoding.get("control_depth", 0))

    @property
    def inputs(self) -> np.ndarray:
        """float32 ``[N, T, input_depth]``: exactly the tensor Magenta's converter feeds the encoder."""
        if self._inputs is None:
            self._inputs = inputs_from_targets(self.encoding, self.targets)
        return self._inputs

    @property
    def controls(self) -> Optional[np.ndarray]:
        """float32 ``[N, T, control_depth]`` one-hot chord controls, or None for unconditioned kinds."""
        if self.control_classes is None:
            return None
        if self._controls is None:
            self._controls = one_hot(self.control_classes, self.control_depth)
        return self._controls

    def subset(self, index: Union[np.ndarray, slice, Sequence[int]]) -> "ExampleSet":
        """A new ExampleSet holding the selected examples (used for batching)."""
        return ExampleSet(
            kind=self.kind,
            split=self.split,
            encoding=self.encoding,
            targets=self.targets[index],
            lengths=self.lengths[index],
            source_ids=self.source_ids[index],
            control_classes=None if self.control_classes is None else self.control_classes[index],
        )


# -- writing ---------------------------------------------------------------------------------------
def shard_name(split: str, index: int) -> str:
    return f"{split}-{index:05d}.npz"


def write_shard(
    path: PathLike,
    targets: np.ndarray,
    lengths: np.ndarray,
    source_ids: np.ndarray,
    control_classes: Optional[np.ndarray] = None,
) -> int:
    """Write one shard atomically (temp file in the same folder, fsync, rename). Returns its bytes. ``path``
    may be a URL of a Beam filesystem (:mod:`.storage`)."""
    from .storage import as_path

    path = as_path(path)
    targets = np.asarray(targets)
    if targets.ndim != 3:
        raise CorpusError(f"shard {path.name}: targets must be [n, T, K], got shape {targets.shape}")
    arrays = {
        "targets": targets.astype(np.int16),
        "lengths": np.asarray(lengths, np.int32),
        "source_ids": np.asarray(source_ids, np.int32),
    }
    if control_classes is not None:
        arrays["controls"] = np.asarray(control_classes, np.int16)
    atomic_write(path, lambda handle: np.savez_compressed(handle, **arrays))
    return path.stat().st_size


# -- reading ---------------------------------------------------------------------------------------
def read_manifest(corpus_dir: PathLike) -> Dict:
    """The manifest of a complete corpus, or a CorpusError naming what is wrong and the fix."""
    corpus_dir = Path(corpus_dir)
    path = corpus_dir / MANIFEST
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus {corpus_dir}: no such directory; build one with `riffforge corpus build SRC --out {corpus_dir}`")
    if not path.is_file():
        raise CorpusError(
            f"corpus {corpus_dir}: {MANIFEST} is missing (the build did not finish); "
            f"rebuild with `riffforge corpus build SRC --out {corpus_dir} --force`"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorpusError(f"corpus {path}: unreadable manifest ({exc}); rebuild with --force") from None
    if manifest.get("format") != FORMAT:
        raise CorpusError(f"corpus {path}: field 'format' is {manifest.get('format')!r}, expected {FORMAT!r}")
    if int(manifest.get("format_version", -1)) != FORMAT_VERSION:
        raise CorpusError(
            f"corpus {path}: field 'format_version' is {manifest.get('format_version')!r}, this riffforge reads "
            f"{FORMAT_VERSION}; rebuild the corpus with this version"
        )
    return manifest


def _split_shards(corpus_dir: Path, manifest: Dict, split: str) -> List[Path]:
    if split not in SPLITS:
        raise CorpusError(f"split={split!r}: unknown split; use one of {', '.join(SPLITS)}")
    return [corpus_dir / SHARD_DIR / entry["file"] for entry in manifest.get("shards", []) if entry["split"] == split]


def _read_shard(path: Path) -> Dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except (OSError, ValueError, KeyError) as exc:
        raise CorpusError(f"shard {path}: unreadable ({exc}); rebuild the corpus with --force") from None


def _empty(encoding: Dict) -> Dict[str, np.ndarray]:
    steps, heads = int(encoding["steps"]), len(encoding["output_depths"])
    out = {
        "targets": np.zeros((0, steps, heads), np.int32),
        "lengths": np.zeros((0,), np.int32),
        "source_ids": np.zeros((0,), np.int32),
    }
    if int(encoding.get("control_depth", 0)):
        out["controls"] = np.zeros((0, steps), np.int32)
    return out


def _example_set(manifest: Dict, split: str, arrays: Dict[str, np.ndarray]) -> ExampleSet:
    controls = arrays.get("controls")
    return ExampleSet(
        kind=str(manifest["kind"]),
        split=split,
        encoding=dict(manifest["encoding"]),
        targets=arrays["targets"].astype(np.int32),
        lengths=arrays["lengths"].astype(np.int32),
        source_ids=arrays["source_ids"].astype(np.int32),
        control_classes=None if controls is None else controls.astype(np.int32),
    )


def load_split(corpus_dir: PathLike, split: str) -> ExampleSet:
    """Load every example of ``split`` ("train", "validation" or "test") into memory."""
    corpus_dir = Path(corpus_dir)
    manifest = read_manifest(corpus_dir)
    parts = [_read_shard(p) for p in _split_shards(corpus_dir, manifest, split)]
    if not parts:
        return _example_set(manifest, split, _empty(manifest["encoding"]))
    keys = parts[0].keys()
    merged = {key: np.concatenate([p[key] for p in parts], axis=0) for key in keys}
    return _example_set(manifest, split, merged)


def iter_batches(
    corpus_dir: PathLike,
    split: str,
    batch_size: int,
    seed: int = 0,
    shuffle: bool = True,
    drop_remainder: bool = False,
    shuffle_shards: int = 4,
) -> Iterator[ExampleSet]:
    """Yield :class:`ExampleSet` batches of one epoch over ``split``, streaming shard by shard.

    With ``shuffle`` the shard order is a seeded permutation and examples are shuffled within a
    buffer of ``shuffle_shards`` shards. The same ``seed`` gives the same batches.
    """
    if batch_size < 1:
        raise CorpusError(f"batch_size={batch_size}: must be >= 1")
    corpus_dir = Path(corpus_dir)
    manifest = read_manifest(corpus_dir)
    paths = _split_shards(corpus_dir, manifest, split)
    rng = np.random.default_rng(seed)
    if shuffle:
        paths = [paths[i] for i in rng.permutation(len(paths))]
    pending: Optional[ExampleSet] = None
    group = max(1, int(shuffle_shards)) if shuffle else 1
    for start in range(0, len(paths), group):
        parts = [_read_shard(p) for p in paths[start:start + group]]
        merged = {key: np.concatenate([p[key] for p in parts], axis=0) for key in parts[0].keys()}
        chunk = _example_set(manifest, split, merged)
        if shuffle:
            chunk = chunk.subset(rng.permutation(len(chunk)))
        if pending is not None and len(pending):
            chunk = _concat(pending, chunk)
        full = (len(chunk) // batch_size) * batch_size
        for b in range(0, full, batch_size):
            yield chunk.subset(slice(b, b + batch_size))
        pending = chunk.subset(slice(full, len(chunk)))
    if pending is not None and len(pending) and not drop_remainder:
        yield pending


def _concat(a: ExampleSet, b: ExampleSet) -> ExampleSet:
    return ExampleSet(
        kind=a.kind,
        split=a.split,
        encoding=a.encoding,
        targets=np.concatenate([a.targets, b.targets]),
        lengths=np.concatenate([a.lengths, b.lengths]),
        source_ids=np.concatenate([a.source_ids, b.source_ids]),
        control_classes=None if a.control_classes is None else np.concatenate([a.control_classes, b.control_classes]),
    )
