"""`riffforge evaluate` on tiny models: novelty keys, duplicates, diversity, reference windows, report."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from riffforge.cli import main
from riffforge.configs import get_config
from riffforge.encoding import melody as mel_enc
from riffforge.evaluation.novelty import (HOLD, OFF, duplicate_rates, melody_key, pairwise_diversity, track_key,
                                          training_keys)
from riffforge.evaluation.real_metal import fine_tuning_checks, moved_toward, real_metal_section
from riffforge.evaluation.sources import EvaluationError, load_reference, parse_model_spec
from riffforge.metrics.metal import PHRASE_FIGURES, WINDOW_FIGURES
from riffforge.metrics.reference import SOURCE, reference
from riffforge.music.midi import riff_to_midi
from riffforge.music.procedural import build_riff
from riffforge.runtime import random_canonical_weights, save_bundle

from train_corpus_util import make_corpus


def _band(root: Path, seed: int) -> Path:
    """A folder with tiny random drums + guitar + bass bundles (a band for the runtime)."""
    for role, cfg in (("drums", "tiny-drums_2bar"), ("guitar", "tiny-mel_2bar"), ("bass", "tiny-mel_2bar")):
        config = get_config(cfg)
        save_bundle(root / role, config, random_canonical_weights(config, seed=seed), role=role,
                    metadata={"steps": seed})
    return root


def test_melody_key_is_transposition_and_octave_invariant():
    c = lambda p: p - mel_enc.MIN_PITCH + 2  # noqa: E731  pitch -> class
    a = [c(40), 0, c(43), 1, c(47), 0]
    b = [c(40 + 5), 0, c(43 + 17), 1, c(47 + 5), 0]  # transposed, one note an octave up
    assert melody_key(a) == melody_key(b) == (0, HOLD, 3, OFF, 7, HOLD)
    assert melody_key(a) != melody_key([c(40), 0, c(44), 1, c(47), 0])


def test_duplicates_and_diversity():
    r1 = build_riff("thrash", 0.8, 2, 1)
    r2 = build_riff("doom", 0.1, 2, 2)
    keys = {"drums": {track_key(r1, "drums")}, "guitar": {track_key(r1, "guitar")}}
    rates = duplicate_rates([r1, r2], keys)
    assert rates["drums"] == 0.5 and rates["guitar"] == 0.5 and rates["any"] == 0.5 and rates["all"] == 0.5
    half = duplicate_rates([r1], {"drums": keys["drums"], "guitar": {track_key(r2, "guitar")}})
    assert half["any"] == 1.0 and half["all"] == 0.0
    assert duplicate_rates([r2], keys)["any"] == 0.0
    same = pairwise_diversity([r1, r1, r1], ["guitar", "drums"])
    assert same == {"diversity": 0.0, "unique": pytest.approx(1 / 3)}
    mixed = pairwise_diversity([r1, r2], ["guitar", "drums"])
    assert 0.0 < mixed["diversity"] <= 1.0 and mixed["unique"] == 1.0


def test_training_keys_read_corpus(tmp_path):
    corpus = make_corpus(tmp_path / "c", "drums", train=16, validation=4, n_patterns=3)
    keys = training_keys(corpus, "drums")
    assert 1 <= len(keys) <= 3 and all(len(k) == 32 for k in keys)


def test_reference_windows_from_midi_folder(tmp_path):
    for i in range(3):
        riff_to_midi(build_riff("groove", 0.5, 4, i), tmp_path / f"{i}.mid")
    ref = load_reference(tmp_path, genre="rock", per_file=2)
    assert len(ref.riffs) == 6 and all(r.bars == 2 for r in ref.riffs)
    assert all(n.start < 32 for r in ref.riffs for v in r.tracks.values() for n in v)
    with pytest.raises(EvaluationError, match="not a directory"):
        load_reference(tmp_path / "missing")


def test_model_spec_errors(tmp_path):
    with pytest.raises(EvaluationError, match="does not exist"):
        parse_model_spec(f"x={tmp_path / 'nope'}")
    (tmp_path / "empty").mkdir()
    with pytest.raises(EvaluationError, match="no model bundle"):
        parse_model_spec(f"x={tmp_path / 'empty'}")
    assert parse_model_spec("procedural").kind == "procedural"


def test_evaluate_cli_writes_report(tmp_path, capsys):
    base = _band(tmp_path / "base", seed=1)
    ft = _band(tmp_path / "ft", seed=2)
    ref = tmp_path / "ref"
    ref.mkdir()
    for i in range(2):
        riff_to_midi(build_riff("groove", 0.4, 4, i), ref / f"{i}.mid")
    drums_corpus = make_corpus(tmp_path / "drums_corpus", "drums", train=16, validation=8)
    mel_corpus = make_corpus(tmp_path / "mel_corpus", "melody", train=16, validation=8)
    out = tmp_path / "report"
    code = main(["evaluate", "--models", f"base={base}", f"ft={ft}", "procedural", "--reference", str(ref),
                 "--styles", "thrash,doom", "--intensities", "0.2,0.8", "--per-intensity", "3",
                 "--train-corpus", f"drums={drums_corpus}", f"guitar={mel_corpus}",
                 "--val-corpus", str(drums_corpus), str(mel_corpus), "--val-examples", "8",
                 "--phrases", "2", "--classifier-riffs", "20", "--out", str(out), "--no-progress"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "thrash: fine-tuning moves toward real Metal in" in printed and "report.md" in printed
    assert "style classifier accuracy ft:" in printed and "double-kick rate: ft > base" not in printed
    res = json.loads((out / "results.json").read_text())
    assert set(res["summary"]) == {"base", "ft", "procedural", "ref"}
    assert res["summary"]["base"]["count"] == 2 * 2 * 3
    assert set(res["novelty"]["ft"]["thrash"]) >= {"dup_all", "dup_any", "dup_drums", "dup_guitar", "diversity", "unique"}
    # reconstruction: every bundle on every validation split of its kind; identical weights (the tiny guitar
    # and bass bundles share a seed) are measured once
    recon = [r for r in res["reconstruction"] if r["source"] == "ft"]
    assert sorted((r["bundle"], r["corpus"]) for r in recon) == [("bass/guitar", "mel_corpus"),
                                                                 ("drums", "drums_corpus")]
    assert all(0.0 <= r["teacher_forced"] <= 1.0 and 0.0 <= r["sampled"] <= 1.0 for r in recon)
    assert next(r for r in recon if r["bundle"] == "drums")["paper_teacher_forced"] == 0.979
    text = (out / "report.md").read_text()
    for heading in ("## Headline", "## Intensity control", "## Novelty and variety", "## Reconstruction accuracy",
                    "## Typical samples"):
        assert heading in text
    for png in ("metrics.png", "real_metal.png", "metal_metrics.png", "roll_ft_thrash.png", "roll_procedural_doom.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not math.isnan(res["summary"]["ref"]["drum_onsets_per_bar"])
    # real Metal: every figure of every generated source beside the style's reference
    rm = res["real_metal"]
    assert rm["source"] == SOURCE and rm["compare"] == ["base", "ft"] and set(rm["styles"]) == {"thrash", "doom"}
    figures = [k for k, _ in WINDOW_FIGURES + PHRASE_FIGURES]
    for style, table in rm["styles"].items():
        assert list(table) == figures
        for key, cell in table.items():
            assert set(cell["sources"]) == {"base", "ft", "procedural"}          # not the unstyled reference
            assert cell["reference"] == reference(style, key)
            for j in cell["sources"].values():
                assert j["inside"] in (True, False, None) and (j["distance"] is None or j["distance"] >= 0.0)
    thrash = rm["styles"]["thrash"]
    assert thrash["kicks_per_bar"]["sources"]["procedural"]["n"] == 2 * 3          # one window per 2-bar riff
    assert thrash["distinct_bars"]["sources"]["procedural"]["n"] == 2              # --phrases 2, 8 bars each
    assert 1.0 <= thrash["distinct_bars"]["sources"]["ft"]["median"] <= 8.0
    for style, h in rm["headline"].items():
        assert sorted(h["works"] + h["not_yet"]) == sorted(k for k in figures
                                                          if rm["styles"][style][k]["moved_toward"] is not None)
        assert all(h["inside"][n] == sum(bool(c["sources"][n]["inside"]) for c in rm["styles"][style].values())
                   for n in ("base", "ft", "procedural"))
    style_checks = [c for c in res["checks"] if c["metric"] == "real_metal"]
    assert [c["style"] for c in style_checks] == ["thrash", "doom"]
    assert {c["metric"] for c in res["checks"]} == {"real_metal", "intensity_spearman", "dup_all", "style_accuracy"}
    # style classifier: trained on procedural riffs, tested on each source's riffs at intensity 0.5
    sc = res["style_classifier"]
    assert sc["labels"] == ["thrash", "doom"] and sc["train"]["per_style"] == 20 and sc["limit"] == 0.7
    assert set(sc["sources"]) == {"base", "ft", "procedural"}
    for s in sc["sources"].values():
        assert s["n"] == 2 * 3 and sum(map(sum, s["confusion"])) == 6 and 0.0 <= s["accuracy"] <= 1.0
    acc_check = next(c for c in res["checks"] if c["metric"] == "style_accuracy")
    assert acc_check["fine_tuned"] == sc["sources"]["ft"]["accuracy"]
    assert acc_check["overall"] == (sc["sources"]["ft"]["accuracy"] >= 0.7)
    rho_check = next(c for c in res["checks"] if c["metric"] == "intensity_spearman")
    assert rho_check["fine_tuned"] == min(res["intensity_spearman"]["ft"].values())
    for heading in ("## Headline: how close to real Metal?", "## Real Metal, per style", "## Style classifier",
                    "## Checks", "## Metal metrics (descriptive means)"):
        assert heading in text
    assert SOURCE in text and "(`distinct_bars`)" in text and "Confusion of **ft**" in text


def test_evaluate_cli_errors(tmp_path, capsys):
    assert main(["evaluate", "--models", "procedural", "--styles", "polka", "--out", str(tmp_path / "r")]) == 2
    assert "--styles" in capsys.readouterr().err
    assert main(["evaluate", "--models", "procedural", "--train-corpus", "drums", "--out", str(tmp_path / "r")]) == 2
    assert "INSTRUMENT=DIR" in capsys.readouterr().err
    assert main(["evaluate", "--models", "procedural", "--phrases", "-1", "--out", str(tmp_path / "r")]) == 2
    assert "--phrases -1: must be >= 0" in capsys.readouterr().err
    assert main(["evaluate", "--models", "procedural", "--classifier-riffs", "0", "--out", str(tmp_path / "r")]) == 2
    assert "--classifier-riffs 0" in capsys.readouterr().err


def test_blast_is_scored_where_the_style_blasts():
    import math

    from riffforge.evaluation.report import add_blast_scopes, blast_styles
    from riffforge.music.riff import STYLES

    assert blast_styles(STYLES) == ["death", "black"]
    per_style = {"m": {st: {"blast_rate": r} for st, r in zip(STYLES, (0.1, 0.6, 0.4, 0.0, 0.2, 0.3))}}
    summary = {"m": {"blast_rate": 0.27}, "GMD rock": {"blast_rate": 0.01}}
    add_blast_scopes(summary, per_style, STYLES)
    assert summary["m"]["blast_in_style"] == 0.5                       # death, black
    assert math.isclose(summary["m"]["blast_off_style"], 0.15)           # thrash, doom, djent, groove
    assert math.isnan(per_style["m"]["doom"]["blast_in_style"]) and per_style["m"]["doom"]["blast_off_style"] == 0.0
    assert summary["GMD rock"]["blast_in_style"] == summary["GMD rock"]["blast_off_style"] == 0.01


def _summaries(values):
    """``{source: {style: {figure: summary}}}`` for thrash: every figure exactly at its reference median /
    rate, except the figures overridden in ``values[source]``."""
    out = {}
    for name, over in values.items():
        table = {}
        for key, _ in WINDOW_FIGURES + PHRASE_FIGURES:
            ref = reference("thrash", key)
            table[key] = ({"rate": ref["rate"], "n": 10} if "rate" in ref else
                          {"median": ref["median"], "q1": ref["median"], "q3": ref["median"], "n": 10})
            if key in over:
                table[key] = over[key]
        out[name] = {"thrash": table}
    return out


def test_a_source_at_the_reference_is_inside_and_moving_toward_it_is_seen():
    n_fig = len(WINDOW_FIGURES) + len(PHRASE_FIGURES)
    far = {"median": 30.0, "q1": 29.0, "q3": 31.0, "n": 10}       # 30 guitar onsets per bar: far above [6, 9]
    nearer = {"median": 12.0, "q1": 11.0, "q3": 13.0, "n": 10}
    summaries = _summaries({"base": {"guitar_onsets_per_bar": far, "blast": {"rate": 0.5, "n": 10}},
                            "ft": {"guitar_onsets_per_bar": nearer, "blast": {"rate": 0.9, "n": 10}},
                            "procedural": {}})
    rm = real_metal_section(summaries, ["thrash"], ["base", "ft"])
    table, h = rm["styles"]["thrash"], rm["headline"]["thrash"]
    assert all(c["sources"]["procedural"]["inside"] is True and c["sources"]["procedural"]["distance"] == 0.0
               for c in table.values())
    assert h["inside"] == {"base": n_fig - 2, "ft": n_fig - 2, "procedural": n_fig}
    assert h["scored"] == {"base": n_fig, "ft": n_fig, "procedural": n_fig}
    gop = table["guitar_onsets_per_bar"]
    assert gop["sources"]["ft"]["inside"] is False and gop["moved_toward"] is True    # closer, still outside
    assert table["blast"]["moved_toward"] is False                                   # more blasts: away
    assert table["tempo"]["moved_toward"] is True                                    # both inside
    assert "guitar_onsets_per_bar" in h["works"] and h["not_yet"] == ["blast"]
    (check,) = fine_tuning_checks(rm)
    assert check["overall"] is True and check["works"] == h["works"]
    assert f"in {n_fig - 1}/{n_fig} figures" in check["check"] and "not for: blast" in check["check"]
    # without a (base, fine-tuned) pair there is no verdict, only the inside counts
    alone = real_metal_section(summaries, ["thrash"], [])
    assert alone["compare"] == [] and fine_tuning_checks(alone) == []
    assert all(c["moved_toward"] is None for c in alone["styles"]["thrash"].values())


def test_moved_toward():
    assert moved_toward(0.0, 0.0) is True
    assert moved_toward(2.0, 1.0) is True and moved_toward(1.0, 0.0) is True
    assert moved_toward(1.0, 1.0) is False and moved_toward(0.0, 0.5) is False
    assert moved_toward(None, 0.0) is None and moved_toward(1.0, None) is None


def test_style_classifier_reuses_the_evaluations_intensity_half_riffs():
    from riffforge.evaluation.report import EvalOptions, riffs_at_intensity

    src = parse_model_spec("procedural")
    opts = EvalOptions(models=["procedural"], out=Path("."), styles=("thrash", "doom"), intensities=(0.1, 0.5),
                       per_intensity=2)
    own = {st: src.sample(st, 0.1, 2, 1) + src.sample(st, 0.5, 2, 100) for st in opts.styles}
    picked = riffs_at_intensity(src, own, opts, 0.5)
    assert {st: [r.to_dict() for r in v] for st, v in picked.items()} == \
        {st: [r.to_dict() for r in own[st][2:]] for st in opts.styles}
    other = EvalOptions(models=["procedural"], out=Path("."), styles=("thrash",), intensities=(0.2, 0.8),
                        per_intensity=3)
    extra = riffs_at_intensity(src, {"thrash": []}, other, 0.5)["thrash"]
    assert len(extra) == 3 and all(r.intensity == 0.5 and r.style == "thrash" for r in extra)
