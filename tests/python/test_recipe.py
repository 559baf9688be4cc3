"""The default-models recipe: its command plan (dry run), resumability, and the Bach chorale corpus."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from riffforge.music.midi import midi_to_riff
from riffforge.recipes import bach
from riffforge.recipes.default import STAGES, RecipeOptions, paths, run_recipe


def _plan(tmp_path, capsys, **kw):
    run_recipe(RecipeOptions(work=tmp_path / "w", models_dir=tmp_path / "models", dry_run=True, **kw))
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("[recipe]") and "$" in line]


def test_dry_run_plans_every_stage_in_order(tmp_path, capsys):
    lines = _plan(tmp_path, capsys, ft_drum_steps=77)
    cmds = [line.split("$ ", 1)[1] for line in lines]
    kinds = [c.split(" -m riffforge ")[1].split()[0] if " -m riffforge " in c else "python" for c in cmds]
    assert kinds[:8] == ["metal-corpus", "corpus", "corpus", "corpus", "corpus", "corpus", "python", "corpus"]
    assert kinds.count("import-magenta") == 2 and kinds.count("train") == 6 and kinds.count("export") == 7
    assert kinds[-1] == "evaluate"
    w = paths(tmp_path / "w")
    ft_drums = next(c for c in cmds if f"--out {w['ft_drums']}" in c)
    assert f"--init {w['base_drums']}" in ft_drums and "--steps 77" in ft_drums and str(w["metal_drums"]) in ft_drums
    ft = next(c for c in cmds if f"--out {w['ft_guitar']}" in c)
    assert f"--init {w['base_mel']}" in ft and str(w["metal_guitar"]) in ft
    guitar_corpus = next(c for c in cmds if f"--out {w['metal_guitar']}" in c)
    assert "--melody-voice root" in guitar_corpus                       # the riff's root line
    assert "--chords-from guitar" in next(c for c in cmds if f"--out {w['metal_bass']}" in c)
    # the guitar-conditioned bass and the band trio have no base with their inputs: trained from scratch
    for run, config in (("ft_bass", "bass-chords_2bar"), ("ft_trio", "band-trio_2bar")):
        ft = next(c for c in cmds if f"--out {w[run]}" in c)
        assert f"--config {config}" in ft and "--init" not in ft
    exports = [c for c in cmds if " export " in c]
    assert all("--float16" in c and "--license" in c and "--corpus" in c and "--force" in c for c in exports)
    drums_export = next(c for c in exports if str(tmp_path / "models" / "metal-drums") in c)
    assert "CC BY 4.0" in drums_export and "Groove MIDI Dataset" in drums_export


def test_recipe_resumes_unfinished_runs_and_skips_finished(tmp_path, capsys):
    w = paths(tmp_path / "w")
    w["ft_drums"].mkdir(parents=True)
    (w["ft_drums"] / "run.json").write_text(json.dumps({"config": "cat-drums_2bar_small", "finished": False}))
    w["ft_guitar"].mkdir(parents=True)
    (w["ft_guitar"] / "run.json").write_text(json.dumps({"config": "cat-mel_2bar_small", "finished": True}))
    cmds = [line.split("$ ", 1)[1] for line in _plan(tmp_path, capsys, stages=["finetune"])]
    assert len(cmds) == 3
    assert "--resume" in cmds[0] and str(w["ft_drums"]) in cmds[0] and "--init" not in cmds[0]
    assert str(w["ft_bass"]) in cmds[1] and str(w["ft_trio"]) in cmds[2]


def test_unknown_stage_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="stage 'polish'"):
        run_recipe(RecipeOptions(work=tmp_path, stages=["polish"], dry_run=True))
    assert STAGES == ("data", "base", "finetune", "export", "evaluate")


def test_bach_chorales_become_guitar_and_bass_midi(tmp_path):
    pytest.importorskip("music21", reason="music21 is in the train extra")
    counts = bach.write_chorales(tmp_path, limit=4, progress=False)
    assert counts["written"] + counts["skipped"] == 4 and counts["written"] >= 2
    files = sorted(tmp_path.glob("*.mid"))
    assert len(files) == counts["written"]
    riff = midi_to_riff(files[0])
    guitar, bass = riff.tracks["guitar"], riff.tracks["bass"]
    assert guitar and bass
    # soprano above the bass, in plausible vocal ranges; onsets on the 16th grid from 4/4 bar lines
    assert min(n.pitch for n in guitar) > max(n.pitch for n in bass) - 12
    assert 55 <= sum(n.pitch for n in guitar) / len(guitar) <= 80
    assert 36 <= sum(n.pitch for n in bass) / len(bass) <= 60
    # idempotent: a second call writes nothing new
    assert bach.write_chorales(tmp_path, limit=4, progress=False)["written"] == counts["written"]


def test_write_midi_programs_and_timing(tmp_path):
    import mido

    parts = {"guitar": [(0.0, 1.0, 64), (1.0, 0.5, 67)], "bass": [(0.0, 2.0, 40)]}
    bach.write_midi(parts, tmp_path / "x.mid")
    mid = mido.MidiFile(str(tmp_path / "x.mid"))
    programs = [m.program for t in mid.tracks for m in t if m.type == "program_change"]
    assert programs == [bach.GUITAR_PROGRAM, bach.BASS_PROGRAM]
    riff = midi_to_riff(tmp_path / "x.mid")
    assert [(n.start, n.length, n.pitch) for n in riff.tracks["guitar"]] == [(0, 4, 64), (4, 2, 67)]
    assert [(n.start, n.length, n.pitch) for n in riff.tracks["bass"]] == [(0, 8, 40)]


def test_encoder_float16_keeps_decoder_exact_and_compress_keeps_arrays(tmp_path):
    import numpy as np

    from riffforge.configs import get_config
    from riffforge.recipes.shrink import compress_bundle, encoder_float16
    from riffforge.runtime import load_bundle, random_canonical_weights, save_bundle
    from train_corpus_util import make_corpus

    cfg = get_config("tiny-mel_2bar")
    weights = random_canonical_weights(cfg, seed=3)
    bundle = save_bundle(tmp_path / "guitar", cfg, weights, role="guitar")
    corpus = make_corpus(tmp_path / "corpus", "melody", train=8, validation=8)
    report = encoder_float16(bundle, corpus)
    assert report["greedy_decode_identical"] and report["examples"] == 8
    assert 0.0 < report["max_mu_diff"] < 1e-2
    info = json.loads((bundle / "model.json").read_text())
    assert info["metadata"]["encoder_float16"] == report
    with np.load(bundle / "weights.npz") as data:
        for name, a in weights.items():
            stored = data[name]
            if name.startswith("encoder/"):
                assert stored.dtype == np.float16 and info["arrays"][name]["dtype"] == "float16"
            else:
                assert stored.dtype == np.float32 and np.array_equal(stored, np.asarray(a, np.float32))
    before = {k: v.copy() for k, v in np.load(bundle / "weights.npz").items()}
    compress_bundle(bundle)
    with np.load(bundle / "weights.npz") as data:
        assert set(data.files) == set(before)
        assert all(np.array_equal(data[k], before[k]) and data[k].dtype == before[k].dtype for k in before)
    z = np.random.default_rng(0).standard_normal((4, cfg.z_size)).astype(np.float32)
    a = load_bundle(bundle).model.decode(z, temperature=1e-5).classes
    from riffforge.runtime import MusicVAE
    assert np.array_equal(a, MusicVAE(cfg, weights).decode(z, temperature=1e-5).classes)
