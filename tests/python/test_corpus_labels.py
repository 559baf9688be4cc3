"""Corpus labels a studio can trust: styles only from the user (manifest, style folders), never from file
names; track roles from name, GM program and register (overrides win), explained per file; Magenta
NoteSequence TFRecords as input; bad labels or TFRecords stop with one line; a bundle advertises only the
styles it can steer and the sidecar says which it cannot."""
import json
from pathlib import Path

import mido
import numpy as np
import pytest

from riffforge.cli import main
from riffforge.corpus import shards
from riffforge.corpus.build import BuildOptions, build_corpus
from riffforge.corpus.roles import TrackInfo, choose_roles
from riffforge.corpus.labels import TrackRef
from riffforge.corpus.windows import WindowOptions

from cli_util import one_error_line as _error


GMD = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "gmd"
ALL_STYLES = ("thrash", "death", "black", "doom", "djent", "groove")
GUITAR = list(range(24, 32))
BASS = list(range(32, 40))


# -- MIDI fixtures -------------------------------------------------------------------------------------
def _part(name, channel, program, pitches, bars=4, every=2, ticks=480):
    """A named track: one note every ``every`` 16th steps for ``bars`` bars, cycling through ``pitches``."""
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    if program is not None:
        track.append(mido.Message("program_change", channel=channel, program=program, time=0))
    step, pending = ticks // 4, 0
    for k, s in enumerate(range(0, bars * 16, every)):
        p = pitches[k % len(pitches)]
        track.append(mido.Message("note_on", channel=channel, note=p, velocity=100, time=pending))
        track.append(mido.Message("note_off", channel=channel, note=p, velocity=0, time=step))
        pending = step * (every - 1)
    return track


def song(path, parts, bars=4, qpm=120):
    """A type-1 MIDI file: a conductor track (tempo, 4/4), then ``parts`` = [(name, channel, program, pitches)]."""
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(qpm), time=0),
                                      mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0)]))
    for name, channel, program, pitches in parts:
        mid.tracks.append(_part(name, channel, program, pitches, bars=bars))
    path.parent.mkdir(parents=True, exist_ok=True)
    mid.save(str(path))
    return path


def riff(path, seed=0, guitar=("Rhythm Gtr", 0, 30), bass=("Bass", 1, 33), drums=("Drums", 9, None), bars=4):
    """Guitar (E2..B2 riff), bass (an octave below) and drums; ``seed`` varies the notes."""
    g = [40 + (seed * 3 + k * (1 + seed % 3)) % 12 for k in range(5)]
    parts = []
    if guitar:
        parts.append((*guitar, g))
    if bass:
        parts.append((*bass, [p - 12 for p in g[:3]]))
    if drums:
        kit = [36, 42, 38, 46, 51, 49, 45]
        parts.append((*drums, kit[seed % 7:] + kit[:seed % 7][: 1 + seed % 3]))
    return song(path, parts, bars=bars)


def build(src, out, manifest=None, folders=False, **window):
    sources = src if isinstance(src, list) else [src]
    opts = BuildOptions(sources=[Path(s) for s in sources], out=out, window=WindowOptions(**window), jobs=1,
                        progress=False, manifest=manifest, styles_from_folders=folders)
    summary = build_corpus(opts)
    return summary.manifest, json.loads((out / "report.json").read_text())


def by_name(manifest):
    return {row["file"].split("/", 1)[1]: row for row in manifest["sources"]}


# -- styles: manifest, folders, never guessed ------------------------------------------------------------
def test_csv_manifest_labels_files_and_reports_per_style_counts(tmp_path):
    src = tmp_path / "my-riffs"
    for i in range(3):
        riff(src / "fast" / f"song{i}.mid", seed=i)
    riff(src / "slow" / "crawl.mid", seed=5)
    riff(src / "Fade To Black.mid", seed=7)          # a style word in its name: must stay unlabelled
    manifest = tmp_path / "styles.csv"
    manifest.write_text("path,style\nfast/*.mid,thrash\nmy-riffs/slow/crawl.mid,Doom\n")
    m, report = build(src, tmp_path / "out", manifest=manifest, kind="drums")
    rows = by_name(m)
    assert {k: r["style"] for k, r in rows.items()} == {"fast/song0.mid": "thrash", "fast/song1.mid": "thrash",
                                                        "fast/song2.mid": "thrash", "slow/crawl.mid": "doom",
                                                        "Fade To Black.mid": None}
    assert rows["fast/song0.mid"]["style_from"] == "manifest row 2"
    styles = m["counts"]["styles"]
    assert list(styles) == ["thrash", "doom", "unlabelled"]
    assert styles["thrash"]["files"] == 3 and styles["doom"]["files"] == 1 and styles["unlabelled"]["files"] == 1
    assert styles["thrash"]["windows"] == sum(rows[f"fast/song{i}.mid"]["windows"] for i in range(3)) > 0
    assert sum(s["windows"] for s in styles.values()) == m["counts"]["windows_total"]
    assert report["styles"] == styles
    md = (tmp_path / "out" / "report.md").read_text()
    assert f"| thrash | 3 | {styles['thrash']['windows']} |" in md and "| unlabelled | 1 |" in md
    # the windows of a labelled file carry its style through source_ids
    ds = shards.load_split(tmp_path / "out", "train")
    labels = {m["sources"][i]["style"] for i in ds.source_ids.tolist()}
    assert labels <= {"thrash", "doom", None}


def test_yaml_manifest_with_overrides_and_later_rows_winning(tmp_path):
    src = tmp_path / "src"
    song(src / "two guitars.mid", [("Rhythm Gtr", 0, 30, [40, 43, 45]), ("Lead Gtr", 1, 29, [64, 67, 69, 71]),
                                   ("Bass", 2, 33, [28, 31]), ("Kit", 9, None, [36, 42])])
    riff(src / "other.mid", seed=2)
    manifest = tmp_path / "labels.yaml"
    manifest.write_text('"*.mid": groove\n'
                        '"two guitars.mid":\n  style: death\n  guitar_track: "lead gtr"\n  bass_track: 3\n')
    m, report = build(src, tmp_path / "out", manifest=manifest, kind="melody", melody_from="guitar")
    rows = by_name(m)
    assert rows["two guitars.mid"]["style"] == "death" and rows["other.mid"]["style"] == "groove"
    roles = rows["two guitars.mid"]["roles"]
    assert roles["guitar"]["tracks"] == [2] and roles["guitar"]["why"].startswith("override track 'lead gtr'")
    assert "entry 'two guitars.mid'" in roles["guitar"]["why"]
    assert roles["bass"]["tracks"] == [3] and "override track 3" in roles["bass"]["why"]
    assert roles["drums"]["tracks"] == [4] and "channel 10" in roles["drums"]["why"]
    # without the override the rhythm guitar plays the riff
    assert by_name(build(src, tmp_path / "plain", kind="melody")[0])["two guitars.mid"]["roles"]["guitar"]["tracks"] == [1]
    files = {f["file"].split("/", 1)[1]: f for f in report["files"]}
    tracks = files["two guitars.mid"]["tracks"]
    assert [(t["track"], t["name"], t["role"]) for t in tracks] == [
        (1, "Rhythm Gtr", None), (2, "Lead Gtr", "guitar"), (3, "Bass", "bass"), (4, "Kit", "drums")]
    assert tracks[3]["channel_10"] and tracks[3]["program"] is None and tracks[1]["program"] == 29


def test_styles_from_folders(tmp_path, capsys):
    src = tmp_path / "riffs"
    riff(src / "Thrash" / "a.mid", seed=1)
    riff(src / "doom" / "deeper" / "b.mid", seed=2)
    riff(src / "loose.mid", seed=3)
    m, _ = build(src, tmp_path / "out", folders=True)
    rows = by_name(m)
    assert {k: (r["style"], r["style_from"]) for k, r in rows.items()} == {
        "Thrash/a.mid": ("thrash", "folder 'Thrash'"), "doom/deeper/b.mid": ("doom", "folder 'doom'"),
        "loose.mid": (None, None)}
    # a manifest's style wins over the folder's
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,style\ndoom/**/*.mid,black\n")
    m, _ = build(src, tmp_path / "out2", manifest=manifest, folders=True)
    assert by_name(m)["doom/deeper/b.mid"]["style"] == "black" and by_name(m)["Thrash/a.mid"]["style"] == "thrash"
    riff(src / "nu-metal" / "c.mid", seed=4)
    err = _error(capsys, ["corpus", "build", str(src), "--styles-from", "folders", "--out", str(tmp_path / "o3"),
                          "--no-progress"])
    assert "folder 'nu-metal'" in err and "--styles-from folders" in err and "thrash, death" in err
    assert not (tmp_path / "o3").exists()


def test_no_labels_means_no_style_and_nothing_guessed(tmp_path, capsys):
    src = tmp_path / "src"
    for seed, name in enumerate(("thrash_riff.mid", "doom/slow.mid", "Fade To Black.mid", "black-metal.mid")):
        riff(src / name, seed=seed)
    out = tmp_path / "out"
    assert main(["corpus", "build", str(src), "--out", str(out), "--jobs", "1", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    m = shards.read_manifest(out)
    assert all(row["style"] is None for row in m["sources"])
    assert list(m["counts"]["styles"]) == ["unlabelled"]
    assert "styles: unlabelled 4 files" in printed
    # the console shows the per-file table of a small build: roles and why
    assert "| `src/Fade To Black.mid` | unlabelled | track 1 'Rhythm Gtr': name 'Rhythm Gtr', program 30" in printed


# -- track roles -----------------------------------------------------------------------------------------
def _t(number, name, program=0, drum=False, pitch=50.0, notes=10):
    return TrackInfo(number=number, instrument=number - 1, name=name, program=program, is_drum=drum, notes=notes,
                     median_pitch=None if drum else pitch)


def test_role_choice_from_name_program_and_register():
    # "Distortion Guitar" on program 42 (cello): the name wins
    roles = choose_roles([_t(1, "Distortion Guitar", 42, pitch=50), _t(2, "Strings", 48, pitch=62),
                          _t(3, "", 34, pitch=36), _t(4, "Bass Drum", 0, drum=True)], GUITAR, BASS)
    assert {r: c.tracks[0].number for r, c in roles.items()} == {"guitar": 1, "bass": 3, "drums": 4}
    assert roles["guitar"].why == ["name 'Distortion Guitar'", "register (median D3)"]
    assert roles["bass"].why == ["program 34", "register (median C2)"]
    assert roles["drums"].why == ["name 'Bass Drum'", "channel 10"]   # "Bass Drum" is a drum, not a bass
    # a track the user named "Bass" is the bass, even on a guitar program
    roles = choose_roles([_t(1, "Bass", 29, pitch=40), _t(2, "Gtr", 0, pitch=55)], GUITAR, BASS)
    assert roles["bass"].tracks[0].number == 1 and roles["guitar"].tracks[0].number == 2
    # register alone decides nothing; a kit split over channel-10 tracks is one drum part
    roles = choose_roles([_t(1, "Piano", 0, pitch=50), _t(2, "Kick", 0, drum=True), _t(3, "Hats", 0, drum=True)],
                         GUITAR, BASS)
    assert "guitar" not in roles and [t.number for t in roles["drums"].tracks] == [2, 3]
    # overrides win, by number or by name (case-insensitive); a missing track is a LookupError
    roles = choose_roles([_t(1, "Gtr L", 30), _t(2, "Gtr R", 30, notes=99)], GUITAR, BASS,
                         {"guitar": TrackRef("gtr l")}, {"guitar": "manifest row 2"})
    assert roles["guitar"].tracks[0].number == 1 and roles["guitar"].why == ["override track 'gtr l' (manifest row 2)"]
    with pytest.raises(LookupError):
        choose_roles([_t(1, "Gtr", 30)], GUITAR, BASS, {"bass": TrackRef(5)})


def test_distortion_guitar_on_program_42_is_used_not_skipped(tmp_path):
    src = tmp_path / "src"
    riff(src / "song.mid", guitar=("Distortion Guitar", 0, 42), bass=("Bass", 1, 33))
    riff(src / "nameless.mid", seed=1, guitar=("Track 2", 0, 42))   # no name, no program: no guitar
    m, report = build(src, tmp_path / "out", kind="trio", bars=2)
    rows = by_name(m)
    assert rows["song.mid"]["windows"] > 0 and rows["song.mid"]["skipped"] is None
    assert rows["song.mid"]["roles"]["guitar"]["why"].startswith("name 'Distortion Guitar'")
    assert "program" not in rows["song.mid"]["roles"]["guitar"]["why"]
    assert rows["nameless.mid"]["windows"] == 0 and "no trio" in rows["nameless.mid"]["skipped"]
    assert "guitar" not in rows["nameless.mid"]["roles"]
    md = (tmp_path / "out" / "report.md").read_text()
    assert "## Per file" in md
    assert "| `src/song.mid` | unlabelled | track 1 'Distortion Guitar': name 'Distortion Guitar'" in md
    assert "| `src/nameless.mid` | unlabelled | - | track 2 'Bass'" in md and "skipped (below)" in md
    files = {f["file"]: f for f in report["files"]}
    assert files["src/nameless.mid"]["skipped"].startswith("no trio")


# -- TFRecord input ---------------------------------------------------------------------------------------
def _gmd_sequences(n=3):
    import note_seq

    files = sorted(p for p in GMD.rglob("*_beat_4-4.mid"))[:n]
    assert len(files) == n
    return files, [note_seq.midi_file_to_note_sequence(str(p)) for p in files]


def test_tfrecord_of_note_sequences_is_a_source(tmp_path, capsys):
    import tensorflow as tf

    files, sequences = _gmd_sequences()
    data = tmp_path / "data" / "gmd.tfrecord"
    data.parent.mkdir()
    with tf.io.TFRecordWriter(str(data)) as writer:  # TensorFlow's own framing, as Magenta writes datasets
        for i, ns in enumerate(sequences):
            ns.filename, ns.id = files[i].name, f"gmd/{i}"
            writer.write(ns.SerializeToString())
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path,style\ngmd.tfrecord,groove\n{files[1].name},doom\n")
    out = tmp_path / "out"
    assert main(["corpus", "build", "--input", str(data), "--out", str(out), "--manifest", str(manifest),
                 "--jobs", "1", "--no-progress"]) == 0
    m = shards.read_manifest(out)
    assert [r["file"] for r in m["sources"]] == [f"gmd.tfrecord#{i} ({files[i].name})" for i in range(3)]
    assert [r["style"] for r in m["sources"]] == ["groove", "doom", "groove"]
    assert all(r["windows"] > 0 and r["roles"]["drums"]["why"] == "channel 10" for r in m["sources"])
    # the same pieces as MIDI files give the same windows
    mid = tmp_path / "mid"
    mid.mkdir()
    for p in files:
        (mid / p.name).write_bytes(p.read_bytes())
    m_mid, _ = build(mid, tmp_path / "out-mid")
    assert [r["windows"] for r in m_mid["sources"]] == [r["windows"] for r in m["sources"]]
    # a folder holding TFRecords is searched like a folder of MIDI files
    capsys.readouterr()
    assert main(["corpus", "build", str(data.parent), "--out", str(tmp_path / "out2"), "--jobs", "2",
                 "--no-progress"]) == 0
    assert shards.read_manifest(tmp_path / "out2")["counts"]["windows_total"] == m["counts"]["windows_total"]


# -- bad input: one line, exit 2, --out untouched -------------------------------------------------------------
def _tfrecord(path, payloads):
    from riffforge.corpus.tfrecord import write_records

    write_records(path, payloads)
    return path


@pytest.mark.parametrize("case", ["unknown_style", "glob_matches_nothing", "unknown_column", "missing_track_name",
                                  "missing_track_number", "bad_yaml", "tfrecord_truncated", "tfrecord_crc",
                                  "tfrecord_not_note_sequences"])
def test_bad_input_is_one_line_naming_file_field_and_fix(tmp_path, capsys, case):
    import note_seq

    src = tmp_path / "src"
    riff(src / "thrash" / "a.mid", seed=1)
    riff(src / "b.mid", seed=2)
    m = tmp_path / "m.csv"
    argv = ["corpus", "build", str(src), "--out", str(tmp_path / "out"), "--no-progress", "--jobs", "1"]
    ns = note_seq.midi_file_to_note_sequence(str(src / "b.mid")).SerializeToString()
    expect = {
        "unknown_style": ("path,style\nthrash/*.mid,nu-metal\n", [str(m), "row 2, field style", "'nu-metal'",
                                                                  "use one of thrash, death"]),
        "glob_matches_nothing": ("path,style\nthrash/*.mid,thrash\ndjent/*.mid,djent\n",
                                 [str(m), "row 3, field path", "'djent/*.mid' matches no MIDI file", "remove the row"]),
        "unknown_column": ("path,style,tempo\nb.mid,doom,90\n", [str(m), "field tempo: unknown field",
                                                                  "use path, style, guitar_track"]),
        "missing_track_name": ("path,style,guitar_track\nb.mid,doom,Lead Gtr\n",
                               [str(m), "row 2, field guitar_track", "track 'Lead Gtr' is not a track of src/b.mid",
                                "1 'Rhythm Gtr' (program 30)", "3 'Drums' (channel 10)", "write one of those"]),
        "missing_track_number": ("path,style,bass_track\nb.mid,,7\n", [str(m), "field bass_track: track 7"]),
    }
    if case in expect:
        text, needles = expect[case]
        m.write_text(text)
        argv += ["--manifest", str(m)]
    elif case == "bad_yaml":
        m = tmp_path / "m.yaml"
        m.write_text("b.mid: [doom\n")
        argv += ["--manifest", str(m)]
        needles = [str(m), "not valid YAML at line", "path-or-glob: style"]
    else:
        data = tmp_path / "in.tfrecord"
        if case == "tfrecord_truncated":
            blob = _tfrecord(data, [ns, ns]).read_bytes()
            data.write_bytes(blob[:-10])
            needles = [str(data), "record 1", "truncated data", "cut short", "re-export it"]
        elif case == "tfrecord_crc":
            blob = bytearray(_tfrecord(data, [ns]).read_bytes())
            blob[40] ^= 0xFF
            data.write_bytes(bytes(blob))
            needles = [str(data), "record 0 at byte 0: data CRC mismatch", "re-export it"]
        else:
            _tfrecord(data, [b"\xff\xff\xff not a proto"])
            needles = [str(data), "record 0 is not a NoteSequence", "note_seq.NoteSequence"]
        argv += ["--input", str(data)]
    err = _error(capsys, argv)
    for needle in needles:
        assert needle in err, (needle, err)
    assert not (tmp_path / "out").exists()


# -- bundles: only steerable styles advertised; the sidecar names the unsteered ones --------------------------
def test_bundle_advertises_steerable_styles_and_sidecar_lists_the_unsteered(tmp_path, capsys):
    from riffforge.configs import get_config
    from riffforge.protocol import payloads
    from riffforge.runtime import load_bundle, load_generator, random_canonical_weights
    from riffforge.training.rundir import save_json, save_weights

    src = tmp_path / "src"
    for i in range(6):
        riff(src / "thrash" / f"t{i}.mid", seed=i, bars=6)
        riff(src / "doom" / f"d{i}.mid", seed=10 + i, bars=6)
    riff(src / "Black Sabbath - Iron Man.mid", seed=30, bars=6)   # a style word in the name: no label
    corpus = tmp_path / "corpus"
    build(src, corpus, folders=True, kind="drums")
    run = tmp_path / "run"
    save_weights(run, random_canonical_weights(get_config("tiny-drums_2bar"), seed=0, scale=2.0))
    save_json(run / "run.json", {"config": "tiny-drums_2bar", "step": 5, "source": "riffforge-train"})
    models = tmp_path / "models"
    assert main(["export", str(run), "--out", str(models / "my-drums"), "--corpus", str(corpus),
                 "--calibration-samples", "16"]) == 0
    capsys.readouterr()
    bundle = load_bundle(models / "my-drums")
    assert bundle.styles == ("thrash", "doom")
    info = json.loads((models / "my-drums" / "model.json").read_text())
    assert info["styles"] == ["thrash", "doom"] and "style/black" not in info["controls"]
    gen = load_generator(models)
    caps = gen.capabilities()
    assert caps.styles == ALL_STYLES                           # every style may still be asked for
    assert caps.unsteered_styles == ("death", "black", "djent", "groove")
    assert caps.extra["bundles"]["my-drums"]["styles"] == ["thrash", "doom"]
    wire = payloads.decode_capabilities(payloads.encode_capabilities(caps, 10000, ("aeolian",)))
    assert wire["unsteered_styles"] == ["death", "black", "djent", "groove"]
    from riffforge.music.procedural import ProceduralGenerator

    wire = payloads.decode_capabilities(payloads.encode_capabilities(ProceduralGenerator().capabilities(), 0))
    assert wire["unsteered_styles"] == []
    # the shipped bundles steer every style
    assert load_generator(None).capabilities().unsteered_styles == ()
    # a capabilities map from an older sidecar (no unsteered_styles) still decodes; a stray style does not
    old = payloads.pack({"styles": ["thrash"], "instruments": ["drums"], "max_bars": 16, "model_ids": ["x"],
                         "heartbeat_timeout_ms": 0, "max_datagram": 8192})
    assert "unsteered_styles" not in payloads.decode_capabilities(old)
    bad = payloads.pack({"styles": ["thrash"], "instruments": ["drums"], "max_bars": 16, "model_ids": ["x"],
                         "heartbeat_timeout_ms": 0, "max_datagram": 8192, "unsteered_styles": ["polka"]})
    with pytest.raises(payloads.PayloadError, match="unsteered_styles: 'polka' is not in capabilities.styles"):
        payloads.decode_capabilities(bad)
    np.testing.assert_array_equal(bundle.controls["style/thrash"].shape, (get_config("tiny-drums_2bar").z_size,))


def test_readme_example_manifest_reads_as_documented(tmp_path):
    from riffforge.corpus.labels import load_manifest

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Train on your own riffs", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "styles.yaml").write_text(example)
    entries = load_manifest(tmp_path / "styles.yaml")
    assert [(e.pattern, e.style) for e in entries] == [("thrash/*.mid", "thrash"), ("slow/**/*.mid", "doom"),
                                                       ("Fade To Black.mid", "thrash")]
    assert entries[2].overrides == {"guitar": TrackRef("Lead Gtr"), "bass": TrackRef(2)}


def test_batched_crc32c_equals_the_byte_by_byte_one():
    from riffforge.corpus.tfrecord import CHUNK, crc32c, crc32c_batch

    assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value (RFC 3720, iSCSI)
    rng = np.random.default_rng(7)
    sizes = [0, 1, 9, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5000] + rng.integers(0, 9000, 30).tolist()
    datas = [rng.integers(0, 256, n, dtype=np.uint8).tobytes() for n in sizes]
    datas[2] = b"123456789"
    assert crc32c_batch(datas) == [crc32c(d) for d in datas]


def test_manifest_globs_stay_inside_a_folder_unless_doubled():
    from riffforge.corpus.labels import glob_regex

    assert glob_regex("thrash/*.mid").match("Thrash/A.MID")             # matching ignores case
    assert not glob_regex("*.mid").match("thrash/a.mid")                # * stays inside one folder
    assert glob_regex("**/*.mid").match("a.mid") and glob_regex("**/*.mid").match("x/y/a.mid")
    assert glob_regex("song#2.mid").match("song#2.mid") and glob_regex("b[0-9].mid").match("b7.mid")
    assert not glob_regex("b[!0-9].mid").match("b7.mid") and glob_regex("riff?.mid").match("riff1.mid")
