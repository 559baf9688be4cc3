"""Acceptance: a corpus built from procedural Metal riffs decodes back to the riffs' notes.

The riffs are written as MIDI by ``riffforge.music.midi.riff_to_midi``, built into drums, melody
(guitar) and trio corpora, and every stored window is decoded with ``riffforge.encoding`` and compared
with notes computed here, independently, from the riffs (Magenta's rules: drums mapped to the 9
classes' exemplar pitches; melody = highest note per onset, cut at the next onset).
"""
from pathlib import Path

import numpy as np
import pytest

from riffforge.corpus import shards
from riffforge.corpus.build import BuildOptions, build_corpus
from riffforge.corpus.windows import WindowOptions
from riffforge.encoding import drums as drum_enc
from riffforge.encoding import melody as mel_enc
from riffforge.generation import RiffRequest
from riffforge.music.midi import riff_to_midi
from riffforge.music.procedural import ProceduralGenerator

pytest.importorskip("note_seq")

STYLES = ("thrash", "death", "black", "doom", "djent", "groove")


def make_riffs(folder: Path, bars: int, count: int):
    folder.mkdir(parents=True, exist_ok=True)
    gen = ProceduralGenerator()
    riffs = {}
    for i in range(count):
        riff = gen.generate(RiffRequest(intensity=0.2 + 0.6 * (i % 3) / 2, style=STYLES[i % 6], bars=bars, seed=100 + i))
        name = f"riff{i:02d}.mid"
        riff_to_midi(riff, folder / name)
        riffs[name] = riff
    return riffs


def expected_drums(riff, offset, steps):
    """Per-step exemplar pitch sets of the window, from the riff's GM drum notes."""
    out = [set() for _ in range(steps)]
    for n in riff.notes("drums"):
        if offset <= n.start < offset + steps and n.pitch in drum_enc.PITCH_TO_TYPE:
            out[n.start - offset].add(drum_enc.TYPE_EXEMPLAR[drum_enc.PITCH_TO_TYPE[n.pitch]])
    return [frozenset(s) for s in out]


def expected_melody(notes, offset, steps):
    """(start, end, pitch) in window coordinates: highest note per onset, ended by its end or next onset."""
    by_onset = {}
    for n in notes:
        if mel_enc.MIN_PITCH <= n.pitch <= mel_enc.MAX_PITCH:
            best = by_onset.get(n.start)
            if best is None or n.pitch > best.pitch:
                by_onset[n.start] = n
    onsets = sorted(by_onset)
    out = []
    for k, s in enumerate(onsets):
        if not offset <= s < offset + steps:
            continue
        nxt = onsets[k + 1] if k + 1 < len(onsets) else 10 ** 9
        end = min(by_onset[s].end, nxt, offset + steps)
        out.append((s - offset, end - offset, by_onset[s].pitch))
    return tuple(out)


def build(tmp_path, kind, bars, count):
    src = tmp_path / "riffs"
    riffs = make_riffs(src, bars=bars, count=count)
    out = tmp_path / f"corpus-{kind}"
    build_corpus(BuildOptions(sources=[src], out=out, jobs=1, progress=False,
                              window=WindowOptions(kind=kind, bars=2 if kind != "trio" else 16)))
    manifest = shards.read_manifest(out)
    assert not manifest["skipped"], manifest["skipped"]
    return riffs, out, manifest


def stored(out, manifest):
    for split in shards.SPLITS:
        ds = shards.load_split(out, split)
        for i in range(len(ds)):
            yield manifest["sources"][int(ds.source_ids[i])]["file"].split("/")[-1], ds.targets[i], split


def test_drum_corpus_round_trips(tmp_path):
    riffs, out, manifest = build(tmp_path, "drums", bars=4, count=6)
    steps = 32
    matched = {split: set() for split in shards.SPLITS}
    for name, target, split in stored(out, manifest):
        decoded = drum_enc.decode_drums(target[:, 0])
        offsets = [o for o in range(0, riffs[name].total_steps - steps + 1, 16)
                   if expected_drums(riffs[name], o, steps) == decoded]
        assert offsets, f"{name}: a stored drum window matches no 2-bar window of the riff"
        matched[split].add(tuple(decoded))
    for split in shards.SPLITS:  # every distinct window of every riff is stored (once)
        want = {tuple(expected_drums(riffs[r["file"].split("/")[-1]], o, steps))
                for r in manifest["sources"] if r["split"] == split
                for o in range(0, riffs[r["file"].split("/")[-1]].total_steps - steps + 1, 16)}
        want.discard(tuple(frozenset() for _ in range(steps)))
        assert matched[split] == want


def test_melody_corpus_round_trips_guitar(tmp_path):
    riffs, out, manifest = build(tmp_path, "melody", bars=4, count=6)
    steps = 32
    got = {split: set() for split in shards.SPLITS}
    for name, target, split in stored(out, manifest):
        decoded = tuple(mel_enc.decode_melody(target[:, 0]))
        notes = riffs[name].notes("guitar")
        assert any(expected_melody(notes, o, steps) == decoded for o in range(0, riffs[name].total_steps - steps + 1, 16)), name
        got[split].add(decoded)
    for split in shards.SPLITS:
        want = {expected_melody(riffs[r["file"].split("/")[-1]].notes("guitar"), o, steps)
                for r in manifest["sources"] if r["split"] == split for o in range(0, 4 * 16 - steps + 1, 16)}
        want.discard(())
        assert got[split] == want


def test_trio_corpus_round_trips(tmp_path):
    riffs, out, manifest = build(tmp_path, "trio", bars=16, count=3)
    ds_all = list(stored(out, manifest))
    assert {name for name, _t, _s in ds_all} == set(riffs)  # every riff gave its 16-bar window
    for name, target, _split in ds_all:
        riff = riffs[name]
        assert target.shape == (256, 3)
        assert tuple(mel_enc.decode_melody(target[:, 0])) == expected_melody(riff.notes("guitar"), 0, 256)
        assert tuple(mel_enc.decode_melody(target[:, 1])) == expected_melody(riff.notes("bass"), 0, 256)
        assert drum_enc.decode_drums(target[:, 2]) == expected_drums(riff, 0, 256)
    ds = shards.load_split(out, "train")
    assert ds.inputs.shape[1:] == (256, 692) and ds.targets.shape[2] == 3


def test_melody_chord_controls_and_transposition(tmp_path):
    src = tmp_path / "riffs"
    make_riffs(src, bars=4, count=3)
    plain, shifted = tmp_path / "plain", tmp_path / "shifted"
    build_corpus(BuildOptions(sources=[src], out=plain, jobs=1, progress=False,
                              window=WindowOptions(kind="melody", bars=2, chords=True)))
    build_corpus(BuildOptions(sources=[src], out=shifted, jobs=1, progress=False,
                              window=WindowOptions(kind="melody", bars=2, chords=True, transpose=(0, -2, 3))))
    a = [shards.load_split(plain, s) for s in shards.SPLITS]
    b = [shards.load_split(shifted, s) for s in shards.SPLITS]
    n_plain = sum(len(x) for x in a)
    assert n_plain > 0 and sum(len(x) for x in b) == 3 * n_plain
    for ds in a:
        if len(ds):
            assert ds.controls.shape == (len(ds), 32, 49) and ds.control_depth == 49
            np.testing.assert_array_equal(ds.controls.sum(-1), 1)
            assert ds.control_classes.max() > 0  # chords were inferred from the riffs
    orig = {tuple(t[:, 0]) for ds in a for t in ds.targets}
    for ds in b:
        for t, c in zip(ds.targets, ds.control_classes):
            pitches = t[:, 0]
            if tuple(pitches) in orig:
                continue
            # a transposed copy: shifting back by -2 or +3 gives an original window
            back = [np.where(pitches >= 2, pitches - k, pitches) for k in (-2, 3)]
            assert any(tuple(x) in orig for x in back)
