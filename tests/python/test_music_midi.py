"""MIDI and piano-roll I/O of riffs: exact round trip, layout, foreign files, PNG validity."""
import struct
import zlib

import mido
import pytest

from riffforge.generation import RiffRequest
from riffforge.music.midi import (BASS_PROGRAM, GUITAR_PROGRAM, TICKS_PER_STEP, midi_to_riff, riff_to_midi,
                                  riff_to_midi_bytes)
from riffforge.music.pianoroll import encode_png, render_piano_roll, save_piano_roll
from riffforge.music.procedural import ProceduralGenerator
from riffforge.music.riff import STYLES, Note, Riff, RiffError


def _riff(style="thrash", x=0.6, bars=2, seed=11, **kw):
    return ProceduralGenerator().generate(RiffRequest(intensity=x, style=style, bars=bars, seed=seed, **kw))


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("x", [0.0, 0.45, 1.0])
def test_round_trip_is_exact(style, x, tmp_path):
    riff = _riff(style, x, bars=4, seed=7)
    path = riff_to_midi(riff, tmp_path / "r.mid")
    back = midi_to_riff(path)
    assert back == riff
    assert back.to_dict() == riff.to_dict()
    assert midi_to_riff(riff_to_midi_bytes(riff)) == riff


def test_round_trip_keeps_odd_fields_and_track_subsets():
    riff = Riff(tempo=133.37, bars=3, key="F#", mode="locrian", style="djent", intensity=0.123456789,
                seed=2 ** 31 - 1, meter=(7, 8), model_id="cat-mel_2bar_big@v2", tuning="8-string",
                tracks={"drums": [Note(0, 1, 36, 100), Note(13, 1, 52, 127)], "bass": []})
    back = midi_to_riff(riff_to_midi_bytes(riff))
    assert back == riff
    assert list(back.tracks) == ["drums", "bass"] or set(back.tracks) == {"drums", "bass"}


def test_repeated_notes_and_long_notes_survive():
    notes = [Note(0, 2, 40, 90), Note(2, 2, 40, 91), Note(4, 12, 40, 92), Note(4, 12, 47, 93)]
    riff = Riff(tempo=100, bars=1, key="E", mode="aeolian", style="doom", intensity=0.0, seed=1,
                tracks={"guitar": notes})
    assert midi_to_riff(riff_to_midi_bytes(riff)).notes("guitar") == notes


def test_layout_programs_channels_and_ticks():
    riff = _riff("death", 0.9)
    mid = mido.MidiFile(file=__import__("io").BytesIO(riff_to_midi_bytes(riff)))
    assert mid.ticks_per_beat % 4 == 0 and TICKS_PER_STEP * 4 == mid.ticks_per_beat
    programs = {m.channel: m.program for t in mid.tracks for m in t if m.type == "program_change"}
    assert programs == {0: GUITAR_PROGRAM, 1: BASS_PROGRAM}
    assert GUITAR_PROGRAM == 30 and BASS_PROGRAM == 33
    drum_channels = {m.channel for t in mid.tracks if t.name == "drums" for m in t if m.type == "note_on"}
    assert drum_channels == {9}
    texts = [m.text for m in mid.tracks[0] if m.type == "text"]
    assert len(texts) == 1 and texts[0].startswith("riffforge:")
    tempo = [m.tempo for m in mid.tracks[0] if m.type == "set_tempo"][0]
    assert abs(mido.tempo2bpm(tempo) - riff.tempo) < 0.01


def test_same_seed_same_bytes_different_seed_different_bytes():
    a = riff_to_midi_bytes(_riff("black", 0.9, seed=5))
    b = riff_to_midi_bytes(_riff("black", 0.9, seed=5))
    c = riff_to_midi_bytes(_riff("black", 0.9, seed=6))
    assert a == b and a != c


def test_foreign_file_is_quantised_to_steps(tmp_path):
    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(96)))
    # kick at tick 0, snare slightly late at beat 2 (tick 485), hat as note_on velocity 0 off
    tr.append(mido.Message("note_on", channel=9, note=36, velocity=100, time=0))
    tr.append(mido.Message("note_on", channel=9, note=36, velocity=0, time=30))
    tr.append(mido.Message("note_on", channel=9, note=38, velocity=90, time=455))
    tr.append(mido.Message("note_off", channel=9, note=38, velocity=0, time=20))
    tr.append(mido.Message("program_change", channel=1, program=34, time=0))
    tr.append(mido.Message("note_on", channel=1, note=28, velocity=80, time=0))
    tr.append(mido.Message("note_off", channel=1, note=28, velocity=0, time=960))
    path = tmp_path / "foreign.mid"
    mid.save(path)
    riff = midi_to_riff(path)
    assert riff.tempo == pytest.approx(96.0)
    assert riff.notes("drums") == [Note(0, 1, 36, 100), Note(4, 1, 38, 90)]
    assert riff.notes("bass") == [Note(4, 8, 28, 80)]  # tick 505 -> step 4.2 -> 4
    assert riff.style == "unknown" and riff.model_id == "midi-file"


def test_unreadable_file_names_the_file(tmp_path):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not midi at all")
    with pytest.raises(RiffError, match="bad.mid"):
        midi_to_riff(bad)
    with pytest.raises(RiffError, match="not found"):
        midi_to_riff(tmp_path / "missing.mid")


def _read_png(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + n
    w, h = struct.unpack(">II", chunks[b"IHDR"][:8])
    raw = zlib.decompress(chunks[b"IDAT"])
    assert len(raw) == h * (1 + 3 * w)
    return w, h, raw


def test_piano_roll_png_is_valid_and_shows_three_lanes_and_bars(tmp_path):
    riff = _riff("thrash", 0.7, bars=4)
    path = save_piano_roll(riff, tmp_path / "r.png")
    w, h, raw = _read_png(path.read_bytes())
    assert render_piano_roll(riff).shape == (h, w, 3)  # the saved roll is the labelled one
    img = render_piano_roll(riff, labels=False)           # bare lanes: the grid at LEFT_PX, LANE_GAP_PX
    from riffforge.music import pianoroll as pr
    lane_strip = img[:, 0]
    colours = {tuple(c) for c in lane_strip}
    for name in ("guitar", "bass", "drums"):
        assert pr.COLOURS[name] in colours
    for bar in range(5):  # bar lines at every bar boundary
        x = pr.LEFT_PX + bar * riff.steps_per_bar * pr.STEP_PX
        assert (img[pr.LANE_GAP_PX + 1, x] == pr.BAR_LINE).all()
    loud = Riff(tempo=120, bars=1, key="E", mode="aeolian", style="thrash", intensity=0, seed=0,
                tracks={"guitar": [Note(0, 4, 40, 127), Note(8, 4, 40, 20)]})
    im = render_piano_roll(loud, labels=False)
    assert im.max() > 0 and encode_png(im)[:4] == b"\x89PNG"
    row = im[:, pr.LEFT_PX + 2].astype(int).sum(axis=1).max(), im[:, pr.LEFT_PX + 8 * pr.STEP_PX + 2].astype(int).sum(axis=1).max()
    assert row[0] > row[1]  # velocity as brightness


@pytest.mark.parametrize("style", STYLES)
def test_fast_writer_is_byte_identical_to_mido(style):
    import io

    from riffforge.music.midi import riff_to_midifile
    for x in (0.0, 1.0):
        riff = _riff(style, x, bars=2, seed=21)
        buf = io.BytesIO()
        riff_to_midifile(riff).save(file=buf)
        assert riff_to_midi_bytes(riff) == buf.getvalue()


def test_drum_onset_ticks_are_raw():
    from riffforge.music.midi import TICKS_PER_BEAT, drum_onset_ticks
    riff = _riff("thrash", 0.5)
    ticks, tpb = drum_onset_ticks(riff_to_midi_bytes(riff))
    assert tpb == TICKS_PER_BEAT
    assert ticks == sorted(n.start * TICKS_PER_STEP for n in riff.notes("drums"))


def _riffs():
    from hypothesis import strategies as st

    @st.composite
    def build(draw):
        bars = draw(st.integers(1, 4))
        meter = draw(st.sampled_from([(4, 4), (3, 4), (7, 8), (6, 8)]))
        total = bars * (meter[0] * 16 // meter[1])
        tracks = {}
        for name in draw(st.lists(st.sampled_from(["guitar", "bass", "drums"]), unique=True)):
            notes, busy = [], {}
            for _ in range(draw(st.integers(0, 12))):
                pitch = draw(st.integers(0, 127))
                start = draw(st.integers(0, total - 1))
                length = 1 if name == "drums" else draw(st.integers(1, total - start))
                if any(s < start + length and start < e for s, e in busy.get(pitch, [])):
                    continue  # same-pitch overlaps are the documented exception
                busy.setdefault(pitch, []).append((start, start + length))
                notes.append(Note(start, length, pitch, draw(st.integers(1, 127))))
            tracks[name] = notes
        return Riff(tempo=draw(st.floats(20, 400)), bars=bars, meter=meter, key=draw(st.sampled_from(["E", "F#", "Bb"])),
                    mode=draw(st.sampled_from(["phrygian", "x"])), style=draw(st.sampled_from(STYLES)),
                    intensity=draw(st.floats(0, 1)), seed=draw(st.integers(0, 2 ** 31 - 1)), tracks=tracks,
                    model_id=draw(st.text(max_size=8)), tuning="drop B")
    return build()


def test_round_trip_property():
    from hypothesis import given, settings

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(_riffs())
    def check(riff):
        assert midi_to_riff(riff_to_midi_bytes(riff)) == riff

    check()
