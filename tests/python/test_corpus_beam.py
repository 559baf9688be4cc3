"""``corpus build --runner beam``: the Apache Beam pipeline (DirectRunner) builds the very corpus the local build
does: same shards (arrays, names, order), same report and manifest apart from build time and runner; also with
SRC, --manifest and --out as URLs of a Beam filesystem (an in-memory one registered by its scheme here)."""
import csv
import dataclasses
import hashlib
import io
import json
from pathlib import Path
from typing import Dict, List

import mido
import numpy as np
import pytest
from apache_beam.io.filesystem import BeamIOError, CompressionTypes, FileMetadata, FileSystem

from riffforge.corpus import shards
from riffforge.corpus.beam import build_corpus_beam, corpus_differences, shard_order
from riffforge.corpus.build import STAGING, BuildOptions, build_corpus
from riffforge.corpus.storage import as_path
from riffforge.corpus.windows import WindowOptions

GMD = Path(__file__).resolve().parents[3] / "shared" / "data" / "gmd"


def _gmd_subset(dest: Path, per_split=None) -> Path:
    """A few GMD files of every split (beats and fills, so some give no windows), with their info.csv rows,
    plus three files a build must handle: a re-saved copy of a train file with one extra meta event (new hash,
    same windows: every window a cross-file duplicate), a byte-identical copy and a corrupt file."""
    per_split = per_split or {"train": 10, "validation": 4, "test": 4}
    if not (GMD / "info.csv").is_file():
        raise FileNotFoundError(f"{GMD / 'info.csv'}: the Groove MIDI Dataset folder this test reads is missing")
    with open(GMD / "info.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    chosen, taken = [], {s: 0 for s in per_split}
    for row in sorted(rows, key=lambda r: r["midi_filename"]):
        split = row["split"]
        if taken.get(split, 10 ** 6) < per_split[split]:
            chosen.append(row)
            taken[split] += 1
    root = dest / "gmd"
    for row in chosen:
        target = root / row["midi_filename"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((GMD / row["midi_filename"]).read_bytes())
    with open(root / "info.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(chosen)
    first_train = next(r["midi_filename"] for r in chosen if r["split"] == "train")
    resaved = mido.MidiFile(str(GMD / first_train))
    resaved.tracks[0].insert(0, mido.MetaMessage("text", text="re-saved copy", time=0))
    (root / "zz_copies").mkdir()
    resaved.save(str(root / "zz_copies" / "resaved.mid"))
    (root / "zz_copies" / "identical.mid").write_bytes((GMD / first_train).read_bytes())
    (root / "zz_copies" / "corrupt.mid").write_bytes(b"MThd\x00\x00\x00\x06 not really a MIDI file")
    return root


def _opts(src, out, shard_size=16, **window):
    """Small shards, so every split has several and they fill in interleaved order."""
    return BuildOptions(sources=[Path(src)], out=Path(out), window=WindowOptions(**window), jobs=1,
                        shard_size=shard_size, progress=False)


# -- SRC and --out as URLs: a filesystem Beam finds by its scheme --------------------------------------------
class MemFileSystem(FileSystem):
    """``memfs://``: files held in a dict, no folders (as in an object store such as GCS or S3). Beam's
    ``FileSystems`` picks a filesystem by the scheme its ``FileSystem`` subclass declares, so defining the
    class registers it (https://beam.apache.org/releases/pydoc/current/apache_beam.io.filesystems.html,
    ``FileSystems.get_filesystem``). The DirectRunner and the embedded portable runner run the workers in
    this process, so they see the same dict."""

    files: Dict[str, bytes] = {}
    created: List[str] = []  # every name opened for writing, in order

    @classmethod
    def scheme(cls):
        return "memfs"

    def join(self, basepath, *paths):
        return "/".join([basepath.rstrip("/")] + [p.strip("/") for p in paths])

    def split(self, path):
        head, _, tail = path.rstrip("/").rpartition("/")
        return head, tail

    def mkdirs(self, path):
        pass

    def has_dirs(self):
        return False

    def _list(self, dir_or_prefix):
        for name in sorted(self.files):
            if name.startswith(dir_or_prefix):
                yield FileMetadata(name, len(self.files[name]), 0.0)

    def create(self, path, mime_type="application/octet-stream", compression_type=CompressionTypes.AUTO):
        self.created.append(path)
        files = self.files

        class Upload(io.BytesIO):
            def close(self):
                if not self.closed:
                    files[path] = self.getvalue()
                super().close()

        return Upload()

    def open(self, path, mime_type="application/octet-stream", compression_type=CompressionTypes.AUTO):
        if path not in self.files:
            raise BeamIOError("Open operation failed", {path: FileNotFoundError(path)})
        return io.BytesIO(self.files[path])

    def copy(self, source_file_names, destination_file_names):
        for source, destination in zip(source_file_names, destination_file_names):
            self.files[destination] = self.files[source]

    def rename(self, source_file_names, destination_file_names):
        for source, destination in zip(source_file_names, destination_file_names):
            self.files[destination] = self.files.pop(source)

    def exists(self, path):
        return path in self.files

    def size(self, path):
        return len(self.files[path])

    def last_updated(self, path):
        return 0.0

    def checksum(self, path):
        return hashlib.md5(self.files[path]).hexdigest()

    def metadata(self, path):
        return FileMetadata(path, len(self.files[path]), 0.0)

    def delete(self, paths):
        for path in paths:
            inside = [n for n in self.files if n == path or n.startswith(path.rstrip("/") + "/")]
            if not inside:
                raise BeamIOError("Delete operation failed", {path: FileNotFoundError(path)})
            for name in inside:
                del self.files[name]


class MemDirFileSystem(MemFileSystem):
    """``memdirfs://``: the same dict, listed as a filesystem with folders that lists one level at a time
    (files and folders directly in the folder asked for, as Beam's HDFS filesystem does)."""

    @classmethod
    def scheme(cls):
        return "memdirfs"

    def has_dirs(self):
        return True

    def _list(self, dir_or_prefix):
        prefix = dir_or_prefix.rstrip("/") + "/"
        if prefix[:-1] in self.files:
            raise BeamIOError("List operation failed", {dir_or_prefix: NotADirectoryError(dir_or_prefix)})
        entries = {n[:len(prefix)] + n[len(prefix):].split("/", 1)[0] for n in self.files if n.startswith(prefix)}
        for name in sorted(entries):
            yield FileMetadata(name, len(self.files.get(name, b"")), 0.0)


@pytest.fixture
def memfs():
    MemFileSystem.files.clear()
    MemFileSystem.created.clear()
    yield MemFileSystem
    MemFileSystem.files.clear()
    MemFileSystem.created.clear()


def _upload(folder: Path, url: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            MemFileSystem.files[f"{url}/{path.relative_to(folder).as_posix()}"] = path.read_bytes()


def _download(url: str, folder: Path) -> List[str]:
    names = []
    for name, data in MemFileSystem.files.items():
        if name.startswith(url + "/"):
            names.append(name[len(url) + 1:])
            (folder / names[-1]).parent.mkdir(parents=True, exist_ok=True)
            (folder / names[-1]).write_bytes(data)
    return sorted(names)


def _fetch(url: str, folder: Path) -> Path:
    _download(url, folder)
    return folder


def _url_opts(src, out, shard_size=16, **window):
    return BuildOptions(sources=[as_path(src)], out=as_path(out), window=WindowOptions(**window), jobs=1,
                        shard_size=shard_size, progress=False)


def test_beam_build_equals_local_build_on_gmd_subset(tmp_path):
    src = _gmd_subset(tmp_path)
    local = build_corpus(_opts(src, tmp_path / "local"))
    beam = build_corpus_beam(_opts(src, tmp_path / "beam"), ["--runner=DirectRunner"])

    assert corpus_differences(tmp_path / "local", tmp_path / "beam") == []
    assert beam.windows == local.windows and sum(local.windows.values()) > 100
    m_local, m_beam = shards.read_manifest(tmp_path / "local"), shards.read_manifest(tmp_path / "beam")
    assert m_local["options"]["runner"] == "local"
    assert m_beam["options"]["runner"] == "beam" and m_beam["options"]["beam_options"] == ["--runner=DirectRunner"]
    # The subset exercises every path: several shards per split written in interleaved order, cross-file
    # duplicates, files giving no windows, an identical copy and a corrupt file.
    names = [s["file"] for s in m_beam["shards"]]
    assert len(names) > 6 and names != sorted(names)
    assert {s["split"] for s in m_beam["shards"]} == set(shards.SPLITS)
    reasons = {row["file"].split("/")[-1]: row["reason"] for row in m_beam["skipped"]}
    assert reasons["resaved.mid"] == "every window duplicates an earlier file's"
    assert reasons["identical.mid"].startswith("duplicate of ")
    assert "corrupt.mid" in reasons
    assert any("fill" in name for name in reasons)
    assert m_beam["counts"]["duplicate_windows_dropped"] >= m_beam["sources"][0]["windows"]
    # The corpus trains as the local one does: the reader sees the same examples in the same order.
    for split in shards.SPLITS:
        a, b = shards.load_split(tmp_path / "local", split), shards.load_split(tmp_path / "beam", split)
        assert np.array_equal(a.targets, b.targets) and np.array_equal(a.source_ids, b.source_ids)
    assert not list((tmp_path / "beam").glob(".riffforge-*"))  # staging folder and build marker are gone


def test_beam_build_with_chord_controls_equals_local_build(tmp_path):
    from riffforge.cli import main

    assert main(["metal-corpus", "--out", str(tmp_path / "metal"), "--count", "8", "--seed", "5"]) == 0
    window = dict(kind="melody", melody_from="bass", chords=True, chords_from="guitar", transpose=(0, -2, 2))
    build_corpus(_opts(tmp_path / "metal", tmp_path / "local", **window))
    build_corpus_beam(_opts(tmp_path / "metal", tmp_path / "beam", **window))
    assert corpus_differences(tmp_path / "local", tmp_path / "beam") == []
    train = shards.load_split(tmp_path / "beam", "train")
    assert train.control_classes is not None and len(train) > 16


def test_portable_runner_builds_the_same_corpus(tmp_path, memfs):
    # The portable path Flink, Spark and Dataflow take: the pipeline is translated to Beam's runner API,
    # submitted to a job service (here Beam's embedded one) and run by an SDK harness (in this process).
    src = _gmd_subset(tmp_path, {"train": 3, "validation": 1, "test": 1})
    build_corpus(_opts(src, tmp_path / "local"))
    options = ["--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=LOOPBACK"]
    build_corpus_beam(_opts(src, tmp_path / "portable"), options)
    assert corpus_differences(tmp_path / "local", tmp_path / "portable") == []
    assert shards.read_manifest(tmp_path / "portable")["options"]["beam_options"] == options
    # the SDK harness reads SRC and writes the shards through the URL filesystem too
    _upload(src, "memfs://bucket/gmd")
    build_corpus_beam(_url_opts("memfs://bucket/gmd", "memfs://bucket/portable"), options)
    _download("memfs://bucket/portable", tmp_path / "portable-url")
    assert corpus_differences(tmp_path / "local", tmp_path / "portable-url", sources_may_differ=True) == []


def test_beam_build_reads_and_writes_urls_and_gives_the_local_corpus(tmp_path, memfs):
    src = _gmd_subset(tmp_path)
    _upload(src, "memfs://bucket/gmd")
    local = build_corpus(_opts(src, tmp_path / "local"))
    remote = build_corpus_beam(_url_opts("memfs://bucket/gmd", "memfs://bucket/corpus"),
                               ["--runner=DirectRunner"])
    assert remote.windows == local.windows and sum(local.windows.values()) > 100

    names = _download("memfs://bucket/corpus", tmp_path / "downloaded")
    assert corpus_differences(tmp_path / "local", tmp_path / "downloaded", sources_may_differ=True) == []
    assert corpus_differences(tmp_path / "local", tmp_path / "downloaded") == ["manifest field 'identity' differs",
                                                                             "manifest field 'options' differs",
                                                                             "report.md differs"]
    manifest = shards.read_manifest(tmp_path / "downloaded")
    assert manifest["options"]["sources"] == ["memfs://bucket/gmd"]
    assert manifest["identity"]["sources"] == ["memfs://bucket/gmd"]
    # every file the local build writes, byte for byte (shards and the histogram too), and nothing else:
    # no staging folder, no build marker
    local_names = sorted(p.relative_to(tmp_path / "local").as_posix()
                         for p in (tmp_path / "local").rglob("*") if p.is_file())
    assert names == local_names
    for name in names:
        if name.endswith((".npz", ".png")):
            assert (tmp_path / "downloaded" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    # each shard, report and the manifest was written under a temporary name and renamed into place
    ours = [n for n in memfs.created if not n.startswith("memfs://bucket/corpus/" + STAGING + "/")]
    assert ours and all(n.rsplit("/", 1)[1].startswith(".") and n.endswith(".tmp") for n in ours)
    assert any("/shards/.train-00000.npz." in n for n in ours) and any("/.manifest.json." in n for n in ours)
    assert not any(n.startswith("memfs://bucket/gmd/") for n in memfs.created)  # SRC is only read


def test_url_out_refuses_another_corpus_without_force_and_rebuilds(tmp_path, memfs, capsys):
    from riffforge.cli import main

    src = _gmd_subset(tmp_path, {"train": 3, "validation": 1, "test": 1})
    _upload(src, "memfs://bucket/gmd")
    out = "memfs://bucket/corpus"

    def build(*extra):
        return main(["corpus", "build", "memfs://bucket/gmd", "--out", out, "--runner", "beam", "--no-progress",
                     *extra])

    assert build() == 0
    assert f"-> {out}: " in capsys.readouterr().out
    assert shards.read_manifest(_fetch(out, tmp_path / "first"))["options"]["bars"] == 2
    assert build() == 0  # the same corpus: rebuilt in place, no --force
    capsys.readouterr()
    assert build("--bars", "16") == 2
    assert "holds a different corpus (differs in bars); pass --force" in capsys.readouterr().err
    memfs.files[out + "/shards/stray.npz"] = b"left by someone"
    memfs.files[out + "/notes.txt"] = b"not ours"
    assert build("--bars", "16", "--force") == 0
    assert out + "/shards/stray.npz" not in memfs.files  # --force replaces the corpus's own entries ...
    assert memfs.files[out + "/notes.txt"] == b"not ours"  # ... and leaves the rest
    assert shards.read_manifest(_fetch(out, tmp_path / "forced"))["options"]["bars"] == 16
    del memfs.files[out + "/manifest.json"]
    capsys.readouterr()
    assert build("--bars", "16") == 2
    assert "holds no riffforge corpus" in capsys.readouterr().err


def test_url_labels_and_tfrecord_sources_through_beam(tmp_path, memfs):
    from riffforge.cli import main
    from riffforge.corpus.tfrecord import write_records

    # a TFRecord of NoteSequences and a labels manifest, both read from the URL filesystem
    assert main(["metal-corpus", "--out", str(tmp_path / "metal"), "--count", "6", "--seed", "3"]) == 0
    from note_seq import midi_file_to_note_sequence

    pieces = sorted((tmp_path / "metal").rglob("*.mid"))
    write_records(tmp_path / "pieces.tfrecord", [midi_file_to_note_sequence(str(p)).SerializeToString()
                                                 for p in pieces])
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "pieces.tfrecord").write_bytes((tmp_path / "pieces.tfrecord").read_bytes())
    (tmp_path / "labels.csv").write_text("path,style\npieces.tfrecord,doom\n", encoding="utf-8")
    _upload(tmp_path / "src", "memfs://bucket/src")
    memfs.files["memfs://bucket/labels.csv"] = (tmp_path / "labels.csv").read_bytes()
    window = dict(kind="melody", melody_from="bass")
    local = dataclasses.replace(_opts(tmp_path / "src", tmp_path / "local", **window),
                                manifest=tmp_path / "labels.csv")
    build_corpus(local)
    remote = dataclasses.replace(_url_opts("memfs://bucket/src", "memfs://bucket/out", **window),
                                 manifest=as_path("memfs://bucket/labels.csv"))
    build_corpus_beam(remote)
    _download("memfs://bucket/out", tmp_path / "remote")
    m_local, m_remote = shards.read_manifest(tmp_path / "local"), shards.read_manifest(tmp_path / "remote")
    assert m_remote["identity"]["manifest"] == "memfs://bucket/labels.csv"
    for m in (m_local, m_remote):
        m["identity"].pop("manifest")
    assert m_remote["counts"]["styles"] == m_local["counts"]["styles"] and "doom" in m_local["counts"]["styles"]
    assert len(m_remote["sources"]) == len(pieces) > 1
    assert [r["file"] for r in m_remote["sources"]] == [r["file"] for r in m_local["sources"]]
    assert m_remote["sources"][0]["file"].startswith("src/pieces.tfrecord#0")
    for split in shards.SPLITS:
        a, b = shards.load_split(tmp_path / "local", split), shards.load_split(tmp_path / "remote", split)
        assert np.array_equal(a.targets, b.targets) and np.array_equal(a.source_ids, b.source_ids)


def test_url_sources_are_listed_in_the_local_walk_order_on_either_kind_of_filesystem(tmp_path, memfs):
    from riffforge.corpus.sources import is_source_name, walk_sources

    src = _gmd_subset(tmp_path, {"train": 3, "validation": 1, "test": 1})
    (src / "a.mid").write_bytes((src / "zz_copies" / "identical.mid").read_bytes())  # files before folders
    local, _ = walk_sources([src])
    for scheme in ("memfs", "memdirfs"):
        _upload(src, f"{scheme}://bucket/gmd")
        listed, problems = walk_sources([f"{scheme}://bucket/gmd"])
        assert not problems
        assert [f.rel for f in listed] == [f.rel for f in local] and local[0].rel == "gmd/a.mid"
        assert [f.inner for f in listed] == [f.inner for f in local]
        assert [str(f.path) for f in listed] == [f"{scheme}://bucket/gmd/{f.inner}" for f in local]
        memfs.files.clear()
    assert walk_sources(["memfs://bucket/nothing"])[1] == [("memfs://bucket/nothing", "source does not exist")]
    assert is_source_name("x.MID")


def test_local_runner_refuses_a_url_and_names_runner_beam(tmp_path, capsys, memfs):
    from riffforge.cli import main

    assert main(["corpus", "build", "memfs://bucket/gmd", "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "SRC memfs://bucket/gmd: a URL; the local build reads and writes local paths only" in err
    assert "--runner beam" in err
    assert main(["corpus", "build", str(tmp_path), "--out", "memfs://bucket/out", "--no-progress"]) == 2
    assert "--out memfs://bucket/out: a URL" in capsys.readouterr().err
    assert not memfs.files and not (tmp_path / "o").exists()


def test_corpus_differences_sees_a_changed_shard(tmp_path):
    src = _gmd_subset(tmp_path, {"train": 3, "validation": 1, "test": 1})
    build_corpus(_opts(src, tmp_path / "a"))
    build_corpus(_opts(src, tmp_path / "b"))
    assert corpus_differences(tmp_path / "a", tmp_path / "b") == []
    name = shards.read_manifest(tmp_path / "b")["shards"][0]["file"]
    with np.load(tmp_path / "b" / "shards" / name) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["targets"][0, 0, 0] += 1
    np.savez_compressed(tmp_path / "b" / "shards" / name, **arrays)
    assert corpus_differences(tmp_path / "a", tmp_path / "b") == [f"shard {name}: array 'targets' differs"]


def test_shard_order_is_the_local_writers_flush_order():
    # train fills shard 0 in the second file, test's first shard fills in the third, then the partial ones
    per_file = [("train", 3), ("train", 2), ("test", 4), ("validation", 1), ("train", 4)]
    assert shard_order(per_file, 4) == [("train", 0), ("test", 0), ("train", 1), ("train", 2), ("validation", 0)]
    assert shard_order([("train", 8)], 4) == [("train", 0), ("train", 1)]
    assert shard_order([], 4) == []


def test_cli_runner_beam_and_its_errors(tmp_path, capsys):
    from riffforge.cli import main

    src = _gmd_subset(tmp_path, {"train": 3, "validation": 1, "test": 1})
    out = tmp_path / "out"
    assert main(["corpus", "build", str(src), "--out", str(out), "--runner", "beam", "--no-progress",
                 "--beam-option=--direct_num_workers=1"]) == 0
    assert "windows" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["options"]["beam_options"] == ["--direct_num_workers=1"]
    # the same corpus rebuilt in place by the other runner needs no --force
    assert main(["corpus", "build", str(src), "--out", str(out), "--jobs", "1", "--no-progress"]) == 0
    assert main(["corpus", "build", str(src), "--out", str(tmp_path / "o2"), "--no-progress",
                 "--beam-option=--runner=DataflowRunner"]) == 2
    assert "only used with --runner beam" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["corpus", "build", str(src), "--out", str(tmp_path / "o3"), "--runner", "spark"])
