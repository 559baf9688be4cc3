"""CLI: `riffforge metal-corpus` and `riffforge metrics` (small, fast, offline)."""
import json

import pytest

from riffforge.cli import main
from riffforge.music.midi import midi_to_riff


def _corpus(tmp_path, name, count=12, seed=3, jobs=1, extra=()):
    out = tmp_path / name
    rc = main(["metal-corpus", "--out", str(out), "--count", str(count), "--seed", str(seed), "--jobs", str(jobs),
               "--no-progress", *extra])
    assert rc == 0
    return out


def test_metal_corpus_writes_midi_and_manifest(tmp_path, capsys):
    out = _corpus(tmp_path, "c", count=12)
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == 12
    assert {"file", "style", "intensity", "tempo", "key", "seed"} <= set(rows[0])
    assert {r["style"] for r in rows} == {"thrash", "death", "black", "doom", "djent", "groove"}
    for r in rows:
        riff = midi_to_riff(out / r["file"])
        assert (riff.style, riff.intensity, riff.tempo, riff.key, riff.seed) == \
            (r["style"], r["intensity"], r["tempo"], r["key"], r["seed"])
    assert "wrote 12 riffs" in capsys.readouterr().out


def test_metal_corpus_is_deterministic_for_any_job_count(tmp_path):
    a = _corpus(tmp_path, "a", count=10, seed=9, jobs=1, extra=("--bars", "2,4"))
    b = _corpus(tmp_path, "b", count=10, seed=9, jobs=2, extra=("--bars", "2,4"))
    c = _corpus(tmp_path, "c", count=10, seed=10, jobs=1, extra=("--bars", "2,4"))
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes()
    assert (a / "manifest.jsonl").read_bytes() != (c / "manifest.jsonl").read_bytes()
    assert {json.loads(l)["bars"] for l in (a / "manifest.jsonl").read_text().splitlines()} <= {2, 4}


@pytest.mark.parametrize("args,needle", [
    (["--count", "0"], "--count"),
    (["--count", "3", "--styles", "polka"], "polka"),
    (["--count", "3", "--bars", "0"], "--bars"),
    (["--count", "3", "--bars", "two"], "--bars"),
])
def test_metal_corpus_bad_arguments_are_one_line_errors(tmp_path, capsys, args, needle):
    rc = main(["metal-corpus", "--out", str(tmp_path / "x"), *args])
    err = capsys.readouterr().err
    assert rc == 2 and needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_metrics_cli_table_and_json(tmp_path, capsys):
    out = _corpus(tmp_path, "c", count=12)
    capsys.readouterr()
    rc = main(["metrics", str(out), "--json", str(tmp_path / "m.json")])
    text = capsys.readouterr().out
    assert rc == 0
    assert "blast_rate" in text and "power_chord_ratio" in text and "thrash" in text and "all" in text
    data = json.loads((tmp_path / "m.json").read_text())
    assert len(data["files"]) == 12 and data["summary"]["all"]["count"] == 12
    assert data["summary"]["all"]["in_tuning_range"] == 1.0
    one = sorted(out.glob("*.mid"))[0]
    assert main(["metrics", str(one)]) == 0


def test_metrics_cli_errors(tmp_path, capsys):
    assert main(["metrics", str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["metrics", str(tmp_path / "empty")]) == 2
    assert "no .mid" in capsys.readouterr().err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.mid").write_bytes(b"garbage")
    assert main(["metrics", str(bad)]) == 2
    assert "x.mid" in capsys.readouterr().err
