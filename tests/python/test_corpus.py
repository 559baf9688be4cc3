"""Corpus ingestion: broken inputs become report lines, output-folder safety, Ctrl-C safety, reader API."""
import json
import os
from pathlib import Path

import mido
import numpy as np
import pytest

from riffforge.corpus import build as build_mod
from riffforge.corpus import shards
from riffforge.corpus.build import BuildError, BuildOptions, build_corpus
from riffforge.corpus.windows import WindowOptions

pytest.importorskip("note_seq")


def _beat_track(bars, channel=9, program=None, pitches=(36, 42), every=2, ticks=480, extra=()):
    """A MIDI track with a hit every ``every`` 16th steps for ``bars`` bars."""
    track = mido.MidiTrack()
    for msg in extra:
        track.append(msg)
    if program is not None:
        track.append(mido.Message("program_change", channel=channel, program=program, time=0))
    step = ticks // 4
    pending = 0
    for s in range(0, bars * 16, every):
        for k, p in enumerate(pitches if s % 4 == 0 else pitches[-1:]):
            track.append(mido.Message("note_on", channel=channel, note=p, velocity=100, time=pending if k == 0 else 0))
            pending = 0
        for k, p in enumerate(pitches if s % 4 == 0 else pitches[-1:]):
            track.append(mido.Message("note_off", channel=channel, note=p, velocity=0, time=step if k == 0 else 0))
        pending = step * (every - 1)
    return track


def write_midi(path, tracks, type_=1, ticks=480):
    mid = mido.MidiFile(type=type_, ticks_per_beat=ticks)
    mid.tracks.extend(tracks)
    path.parent.mkdir(parents=True, exist_ok=True)
    mid.save(str(path))
    return path


def good_drums(path, bars=4, seed=0, qpm=120, meter=(4, 4)):
    meta = [mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(qpm), time=0),
            mido.MetaMessage("time_signature", numerator=meter[0], denominator=meter[1], time=0)]
    pitches = [(36, 42), (36, 38, 42), (36, 46), (35, 51)][seed % 4]
    return write_midi(path, [_beat_track(bars, pitches=pitches, every=1 + seed % 3, extra=meta)])


def opts(src, out, **kw):
    w = WindowOptions(**{k: kw.pop(k) for k in list(kw) if k in WindowOptions.__dataclass_fields__})
    return BuildOptions(sources=[Path(s) for s in (src if isinstance(src, list) else [src])], out=out, window=w,
                        jobs=kw.pop("jobs", 1), progress=False, **kw)


def test_broken_inputs_each_become_one_report_line(tmp_path, monkeypatch):
    src = tmp_path / "src"
    for i in range(4):
        good_drums(src / f"good{i}.mid", seed=i)
    good_drums(src / "UPPER" / "SHOUT.MIDI", seed=5)
    (src / "notes.txt").write_text("not midi")
    (src / "empty.mid").write_bytes(b"")
    (src / "garbage.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\xff\xff\xff\xffjunk")
    whole = good_drums(tmp_path / "whole.mid", bars=8).read_bytes()
    (src / "truncated.mid").write_bytes(whole[: len(whole) // 2])
    with open(src / "huge.mid", "wb") as handle:  # 50 MB (sparse) file
        handle.write(whole)
        handle.truncate(50_000_000)
    # format 0, drums on channel 10 and no program change: must be used, not skipped
    fmt0 = mido.MidiFile(type=0, ticks_per_beat=480)
    fmt0.tracks.append(_beat_track(4, channel=9, program=None, pitches=(36, 38, 42)))
    fmt0.save(str(src / "format0.mid"))
    # hundreds of tempo changes (one every beat): splits into 1-beat sections, no 2-bar window
    rubato = [mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100 + (i % 7)), time=0 if i == 0 else 480)
              for i in range(300)]
    write_midi(src / "rubato.mid", [mido.MidiTrack(rubato), _beat_track(75)])
    good_drums(src / "waltz.mid", meter=(3, 4))  # non-4/4
    locked = good_drums(src / "locked.mid", seed=2)
    real_hash = build_mod.hash_file

    def hash_file(path):
        if Path(path).name == "locked.mid":
            raise PermissionError(13, "Permission denied", str(path))
        return real_hash(path)

    monkeypatch.setattr(build_mod, "hash_file", hash_file)
    summary = build_corpus(opts(src, tmp_path / "out", kind="drums"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    reasons = {row["file"].split("/")[-1]: row["reason"] for row in manifest["skipped"]}
    assert set(reasons) == {"empty.mid", "garbage.mid", "truncated.mid", "huge.mid", "rubato.mid", "waltz.mid",
                            "locked.mid"}
    assert "empty file" in reasons["empty.mid"]
    assert "corrupt or truncated" in reasons["garbage.mid"] and "corrupt or truncated" in reasons["truncated.mid"]
    assert "50.0 MB" in reasons["huge.mid"] and "--max-file-mb" in reasons["huge.mid"]
    assert "tempo/time-signature changes" in reasons["rubato.mid"]
    assert "3/4" in reasons["waltz.mid"]
    assert "permission denied" in reasons["locked.mid"]
    used = {row["file"].split("/")[-1] for row in manifest["sources"] if row["windows"]}
    assert used == {"good0.mid", "good1.mid", "good2.mid", "good3.mid", "SHOUT.MIDI", "format0.mid"}
    report = (tmp_path / "out" / "report.md").read_text()
    for name, reason in reasons.items():
        assert sum(1 for line in report.splitlines() if name in line and reason in line) == 1
    assert (tmp_path / "out" / "report" / "histograms.png").read_bytes()[:4] == b"\x89PNG"
    assert summary.files_skipped == 7 and sum(summary.windows.values()) > 0


def test_reader_api_shapes_splits_and_batches(tmp_path):
    src = tmp_path / "src"
    for i in range(8):
        good_drums(src / f"g{i}.mid", bars=6, seed=i)
    build_corpus(opts(src, tmp_path / "out", kind="drums", jobs=2))
    manifest = shards.read_manifest(tmp_path / "out")
    total = 0
    files_per_split = {}
    for split in shards.SPLITS:
        ds = shards.load_split(tmp_path / "out", split)
        total += len(ds)
        assert ds.inputs.dtype == np.float32 and ds.inputs.shape == (len(ds), 32, 10)
        assert ds.targets.dtype == np.int32 and ds.targets.shape == (len(ds), 32, 1)
        assert ds.lengths.tolist() == [32] * len(ds) and ds.controls is None
        assert ds.output_depths == [512] and ds.kind == "drums"
        np.testing.assert_array_equal(ds.inputs[..., 9], (ds.targets[..., 0] == 0).astype(np.float32))
        files_per_split[split] = {manifest["sources"][i]["file"] for i in ds.source_ids.tolist()}
        rows = {r.tobytes() for r in ds.targets}
        assert len(rows) == len(ds)  # no duplicate windows within a split
    assert total == manifest["counts"]["windows_total"] > 0
    a, b, c = files_per_split.values()
    assert not (a & b) and not (a & c) and not (b & c)  # a file never feeds two splits
    train = shards.load_split(tmp_path / "out", "train")
    batches = list(shards.iter_batches(tmp_path / "out", "train", batch_size=5, seed=3))
    assert sum(len(x) for x in batches) == len(train) and all(len(x) == 5 for x in batches[:-1])
    again = list(shards.iter_batches(tmp_path / "out", "train", batch_size=5, seed=3))
    assert all(np.array_equal(x.targets, y.targets) for x, y in zip(batches, again))
    assert batches[0].inputs.shape[1:] == (32, 10)
    seen = np.concatenate([x.targets for x in batches])
    assert sorted(r.tobytes() for r in seen) == sorted(r.tobytes() for r in train.targets)


def test_gmd_info_csv_split_is_honoured(tmp_path):
    src = tmp_path / "gmd"
    names = {"a/1.mid": "test", "a/2.mid": "validation", "b/3.mid": "train", "b/4.mid": "train"}
    for i, name in enumerate(names):
        good_drums(src / name, seed=i, bars=4)
    (src / "info.csv").write_text("midi_filename,split\n" + "".join(f"{n},{s}\n" for n, s in names.items()))
    build_corpus(opts(src, tmp_path / "out"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    got = {row["file"].split("/", 1)[1]: row["split"] for row in manifest["sources"]}
    assert got == names


def test_output_folder_holding_another_corpus_is_refused_without_force(tmp_path):
    src = tmp_path / "src"
    good_drums(src / "a.mid")
    out = tmp_path / "out"
    build_corpus(opts(src, out, kind="drums"))
    build_corpus(opts(src, out, kind="drums"))  # same corpus: rebuilding in place is fine
    with pytest.raises(BuildError, match="different corpus.*--force"):
        build_corpus(opts(src, out, kind="drums", bars=16))
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "thesis.docx").write_text("precious")
    with pytest.raises(BuildError, match="not empty.*--force"):
        build_corpus(opts(src, tmp_path / "other"))
    build_corpus(opts(src, out, kind="drums", bars=16, force=True))
    assert shards.read_manifest(out)["encoding"]["bars"] == 16
    build_corpus(opts(src, tmp_path / "other", force=True))
    assert (tmp_path / "other" / "thesis.docx").read_text() == "precious"  # --force only replaces our files


def test_ctrl_c_leaves_no_readable_half_corpus(tmp_path, monkeypatch):
    src = tmp_path / "src"
    for i in range(6):
        good_drums(src / f"g{i}.mid", bars=8, seed=i)
    out = tmp_path / "out"
    build_corpus(opts(src, out))
    real = build_mod.process_file
    calls = []

    def interrupted(*args):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(build_mod, "process_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_corpus(opts(src, out, shard_size=1))  # shard_size=1: some shards are already written
    assert list((out / "shards").glob("*.npz"))
    assert not [p for p in (out / "shards").iterdir() if p.name.startswith(".")]
    with pytest.raises(shards.CorpusError, match="manifest.json is missing"):
        shards.load_split(out, "train")


def test_write_shard_interrupted_mid_write_leaves_nothing(tmp_path, monkeypatch):
    def explode(handle, **arrays):
        handle.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", explode)
    with pytest.raises(KeyboardInterrupt):
        shards.write_shard(tmp_path / "train-00000.npz", np.zeros((2, 32, 1)), [32, 32], [0, 0])
    assert os.listdir(tmp_path) == []


def test_cli_corpus_build(tmp_path, capsys):
    from riffforge.cli import main

    good_drums(tmp_path / "src" / "a.mid", bars=4)
    assert main(["corpus", "build", str(tmp_path / "src"), "--out", str(tmp_path / "out"), "--jobs", "1",
                 "--no-progress"]) == 0
    assert "windows" in capsys.readouterr().out
    assert main(["corpus", "build", str(tmp_path / "src"), "--out", str(tmp_path / "out"), "--kind", "melody",
                 "--no-progress"]) == 2
    assert "different corpus" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["corpus", "build", str(tmp_path / "src"), "--out", str(tmp_path / "o2"), "--transpose", "9..x"])
    from riffforge.cli.corpus import add_arguments
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["build", "x", "--out", "y", "--transpose", "-2..1"])
    assert args.transpose == (0, -2, -1, 1)
