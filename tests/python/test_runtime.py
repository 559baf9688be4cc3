"""riffforge.runtime: NumPy-only bundles, parity, controls, band generation, morphing, fallback."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from riffforge.checkpoint import magenta_to_canonical, read_checkpoint
from riffforge.configs import get_config
from riffforge.encoding import drums as drum_enc
from riffforge.encoding import melody as mel_enc
from riffforge.generation import RiffRequest, RiffRequestError
from riffforge.music.procedural import ProceduralGenerator
from riffforge.music.riff import STYLES
from riffforge.runtime import (BundleError, MusicVAE, load_bundle, load_generator, random_canonical_weights,
                               save_bundle)
from riffforge.runtime.control import class_energy, slerp
from riffforge.runtime.generator import ModelGenerator

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / ".." / "shared" / "fixtures" / "magenta"


def _golden(name):
    return json.loads((FIXTURES / name / "golden.json").read_text())


@pytest.fixture(scope="module")
def drums_bundle(tmp_path_factory):
    """Magenta's cat-drums_2bar_small fixture through the real pipeline: import-magenta -> export."""
    from riffforge.cli.export import export
    from riffforge.cli.import_magenta import import_magenta

    tmp = tmp_path_factory.mktemp("models")
    import_magenta(FIXTURES / "cat-drums_2bar_small" / "checkpoint", "cat-drums_2bar_small", tmp / "run")
    export(tmp / "run", tmp / "models" / "drums", license="CC BY 4.0", progress=False, calibration_samples=192)
    return tmp / "models" / "drums"


@pytest.fixture(scope="module")
def band_dir(tmp_path_factory):
    cfg = get_config("tiny-trio_2bar")
    root = tmp_path_factory.mktemp("band")
    save_bundle(root / "band", cfg, random_canonical_weights(cfg, seed=2, scale=2.0))
    return root


def test_import_and_generate_without_tensorflow(drums_bundle):
    code = (
        "import sys\n"
        "import riffforge.runtime as rt\n"
        "from riffforge.generation import RiffRequest\n"
        f"g = rt.load_generator({str(drums_bundle.parent)!r})\n"
        "r = g.generate(RiffRequest(intensity=0.7, seed=3, instruments=('drums',)))\n"
        "assert r.tracks['drums']\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tensorflow', 'keras', 'note_seq', 'scipy', 'matplotlib', 'torch', 'jax'))\n"
        "print('BAD', bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "BAD []" in out.stdout


@pytest.mark.parametrize("float16", [False, True])
def test_bundle_decodes_magenta_golden(drums_bundle, tmp_path, float16):
    b = load_bundle(drums_bundle)
    if float16:
        save_bundle(tmp_path / "h", b.config, {k: v for k, v in _weights(b).items()}, float16=True)
        b = load_bundle(tmp_path / "h")
        assert json.loads((tmp_path / "h" / "model.json").read_text())["float16"] is True
    for ex in _golden("cat-drums_2bar_small")["decode"]:
        r = b.model.decode(np.array(ex["z"], np.float32), temperature=1e-5, return_logits=True)
        assert r.classes[0, :, 0].tolist() == ex["classes"]
        np.testing.assert_allclose(r.logits[0], ex["logits"], atol=1e-4 if not float16 else 5e-2)


def _weights(bundle):
    with np.load(bundle.path / "weights.npz") as d:
        return {k: d[k].astype(np.float32) for k in d.files if not k.startswith("control/")}


@pytest.mark.parametrize("name", ["cat-drums_2bar_small", "cat-mel_2bar_small"])
def test_decoded_notes_match_magenta(name):
    cfg = get_config(name)
    model = MusicVAE(cfg, magenta_to_canonical(read_checkpoint(FIXTURES / name / "checkpoint"), cfg))
    for ex in _golden(name)["decode"]:
        classes = model.decode(np.array(ex["z"], np.float32), temperature=1e-5).classes[0, :, 0]
        sec = 60.0 / ex["qpm"] / 4
        if name.startswith("cat-drums"):
            notes = drum_enc.drums_to_notes(classes)
        else:
            notes = mel_enc.melody_to_notes(classes)
        ours = sorted((n.pitch, n.velocity, round(n.start * sec, 6), round(n.end * sec, 6)) for n in notes)
        theirs = sorted((n["pitch"], n["velocity"], round(n["start_time"], 6), round(n["end_time"], 6))
                        for n in ex["notes"])
        assert ours == theirs


def test_missing_and_mismatched_arrays_are_named(drums_bundle, tmp_path):
    b = load_bundle(drums_bundle)
    w = _weights(b)
    w.pop("encoder/mu/bias")
    bad = tmp_path / "bad"
    save_bundle(bad, b.config, {**w, "encoder/mu/bias": np.zeros(256, np.float32)})
    with np.load(bad / "weights.npz") as d:
        arrays = {k: d[k] for k in d.files if k != "decoder/output_projection/bias"}
    np.savez(bad / "weights.npz", **arrays)
    with pytest.raises(BundleError, match=r"'decoder/output_projection/bias' is missing"):
        load_bundle(bad)
    arrays["decoder/output_projection/bias"] = np.zeros(90, np.float32)
    np.savez(bad / "weights.npz", **arrays)
    with pytest.raises(BundleError, match=r"'decoder/output_projection/bias' has shape \[90\].*\[512\]"):
        load_bundle(bad)
    (bad / "model.json").write_text("{")
    with pytest.raises(BundleError, match="model.json: corrupt JSON"):
        load_bundle(bad)


def test_seeded_and_batched_decoding_is_deterministic():
    cfg = get_config("tiny-trio_4bar")
    m = MusicVAE(cfg, random_canonical_weights(cfg, seed=1, scale=2.0))
    z = np.random.default_rng(0).standard_normal((4, cfg.z_size)).astype(np.float32)
    a = m.decode(z, temperature=1.0, rng=np.random.default_rng(9)).classes
    b = m.decode(z, temperature=1.0, rng=np.random.default_rng(9)).classes
    np.testing.assert_array_equal(a, b)
    greedy = m.decode(z, temperature=1e-5).classes
    for i in range(4):  # batching does not change greedy results
        np.testing.assert_array_equal(m.decode(z[i:i + 1], temperature=1e-5).classes[0], greedy[i])
    assert len(np.unique(a[:, :, 2])) > 1


@pytest.mark.parametrize("style", ["thrash", "doom"])
def test_intensity_moves_energy_monotonically(drums_bundle, style):
    from riffforge.metrics import energy, spearman

    g = load_generator(drums_bundle.parent)
    xs = np.linspace(0, 1, 30)
    es = [energy(g.generate(RiffRequest(intensity=float(x), style=style, seed=int(i), instruments=("drums",))))
          for i, x in enumerate(xs)]
    # A toy fixture (300 training steps on GMD): ~0.8-0.9 over 100 requests in bench/runtime.py (0.81 and
    # 0.82 for these 30), and ~0.35-0.6 without the intensity controls, so 0.7 here catches a broken
    # control. The acceptance figure (>= 0.9) is asserted on the packaged default band below.
    assert spearman(list(xs), es) >= 0.7


@pytest.mark.parametrize("style", ["thrash", "death", "black", "doom", "djent", "groove"])
def test_default_band_intensity_moves_energy(style):
    """The packaged default models (what the sidecar serves): intensity -> energy rank correlation >= 0.9
    for every style, over 40 band requests (bench/runtime.py prints the 100-request figure)."""
    from riffforge.metrics import energy, spearman
    from riffforge.runtime import DEFAULT_MODELS_DIR

    g = load_generator(DEFAULT_MODELS_DIR)
    assert isinstance(g, ModelGenerator) and set(g.parts) == {"guitar", "bass", "drums"}
    xs = np.linspace(0, 1, 40)
    es = [energy(g.generate(RiffRequest(intensity=float(x), style=style, seed=100 + i))) for i, x in enumerate(xs)]
    assert spearman(list(xs), es) >= 0.9


def test_default_band_is_calm_not_silent_at_intensity_zero():
    """The calm end moves the code less far down the intensity direction (gain 1.5 below the midpoint, 3
    above): at gain 3 everywhere, intensity 0 decoded to about 4 drum hits in 2 bars."""
    from riffforge.runtime import DEFAULT_MODELS_DIR

    g = load_generator(DEFAULT_MODELS_DIR)
    calm = [g.generate(RiffRequest(intensity=0.0, style=s, seed=300 + i)) for i, s in enumerate(STYLES * 2)]
    loud = [g.generate(RiffRequest(intensity=1.0, style=s, seed=300 + i)) for i, s in enumerate(STYLES * 2)]
    hits = lambda rs: np.mean([len(r.tracks["drums"]) for r in rs])  # noqa: E731
    assert hits(calm) >= 10, hits(calm)
    assert hits(loud) > 2 * hits(calm)


def test_band_riff_from_trio_bundle(band_dir):
    g = load_generator(band_dir)
    assert isinstance(g, ModelGenerator) and g.capabilities().extra["band_model"]
    req = RiffRequest(intensity=0.6, style="death", bars=4, seed=5, key="C")
    r1, r2 = g.generate(req), g.generate(req)
    assert r1.to_dict() == r2.to_dict() and r1.key == "C" and r1.bars == 4
    assert set(r1.tracks) == {"guitar", "bass", "drums"}
    assert all(n.start < 64 for t in r1.tracks.values() for n in t)
    from riffforge.music.theory import get_tuning
    t = get_tuning(r1.tuning)
    assert all(t.lowest <= n.pitch <= t.highest for n in r1.tracks["guitar"])
    assert all(t.bass_lowest <= n.pitch <= t.bass_highest for n in r1.tracks["bass"])
    assert g.generate(RiffRequest(intensity=0.6, style="death", bars=4, seed=6)).to_dict() != r1.to_dict()
    only = g.generate(RiffRequest(intensity=0.6, seed=5, instruments=("drums",)))
    assert set(only.tracks) == {"drums"}


def test_interpolate_slerp_morph(band_dir):
    g = load_generator(band_dir)
    a = g.generate(RiffRequest(intensity=0.1, style="doom", seed=1))
    b = g.generate(RiffRequest(intensity=0.9, style="thrash", seed=2))
    path = g.interpolate(a, b, 5)
    assert len(path) == 5
    tempos = [r.tempo for r in path]
    assert tempos[0] == a.tempo and tempos[-1] == b.tempo and tempos == sorted(tempos)
    with pytest.raises(RiffRequestError):
        g.interpolate(a, b, 1)
    u, v = np.array([2.0, 0.0]), np.array([0.0, 2.0])
    mid = slerp(u, v, 0.5)  # stays on the sphere, halfway in angle
    assert np.isclose(np.arctan2(mid[1], mid[0]), np.pi / 4) and np.isclose(np.linalg.norm(mid), 2.0)


def _parts_dir(drums_bundle, tmp_path):
    """Guitar and bass bundles (both the Magenta cat-mel_2bar_small fixture) beside the fixture drums."""
    import shutil

    cfg = get_config("cat-mel_2bar_small")
    w = magenta_to_canonical(read_checkpoint(FIXTURES / cfg.name / "checkpoint"), cfg)
    root = tmp_path / "parts"
    save_bundle(root / "guitar", cfg, w, role="guitar")
    save_bundle(root / "bass", cfg, w, role="bass")
    shutil.copytree(drums_bundle, root / "drums")
    return root


def test_conditioned_parts_band(drums_bundle, tmp_path):
    root = _parts_dir(drums_bundle, tmp_path)
    g = load_generator(root)
    assert not g.capabilities().extra["band_model"]
    r = g.generate(RiffRequest(intensity=0.7, style="thrash", seed=4))
    assert set(r.tracks) == {"guitar", "bass", "drums"}


def test_fallback_is_procedural(tmp_path):
    assert isinstance(load_generator(tmp_path), ProceduralGenerator)
    with pytest.raises(BundleError, match="does not exist"):
        load_generator(tmp_path / "nope")


def test_class_energy_orders_density():
    sparse = np.zeros((1, 32, 1), int)
    sparse[0, ::8, 0] = 1
    dense = np.ones((1, 32, 1), int) * 3
    assert class_energy(dense, ["drums"])[0] > class_energy(sparse, ["drums"])[0]


def test_temperature_sampling_matches_softmax():
    from riffforge.runtime.model import gumbel_noise

    p = np.array([0.2, 0.3, 0.5])
    rng = np.random.default_rng(0)
    logits = np.log(p)[None].repeat(40000, 0).astype(np.float32) * 2.0  # temperature 2 undoes the doubling
    noise = gumbel_noise(rng, logits.shape, 2.0)
    assert noise.dtype == np.float32 and np.isfinite(noise).all()
    draws = np.argmax(logits + noise, axis=1)
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / len(draws), p, atol=0.01)


def test_decode_together_equals_separate_decodes():
    from riffforge.runtime.model import DecodeTogether

    names = ["tiny-mel_2bar", "tiny-mel_2bar", "tiny-drums_2bar", "tiny-drums_2bar"]
    models = [MusicVAE(get_config(n), random_canonical_weights(get_config(n), seed=i, scale=2.0))
              for i, n in enumerate(names)]
    dt = DecodeTogether(models)
    z = np.random.default_rng(0).standard_normal((4, 3, 8)).astype(np.float32)
    r = dt.decode(z, [1e-5] * 4, return_logits=True)
    offs = np.concatenate([[0], np.cumsum([m.config.output_depth for m in models])])
    for k, m in enumerate(models):
        alone = m.decode(z[k], 1e-5, return_logits=True)
        np.testing.assert_array_equal(alone.classes[:, :, 0], r.classes[:, :, k])
        np.testing.assert_allclose(alone.logits, r.logits[:, :, offs[k]:offs[k + 1]], atol=1e-6)
    with pytest.raises(ValueError, match="cannot be decoded together"):
        DecodeTogether([models[0], MusicVAE(get_config("tiny-trio_2bar"),
                                            random_canonical_weights(get_config("tiny-trio_2bar")))])


def test_parts_band_bass_follows_guitar_code(drums_bundle, tmp_path):
    root = _parts_dir(drums_bundle, tmp_path)
    fast = load_generator(root)
    slow = ModelGenerator(load_generator(root).bundles, bass_from="encode")
    req = RiffRequest(intensity=0.4, style="doom", seed=8, bars=4, temperature=1e-5)  # greedy
    a, b = fast.generate(req), slow.generate(req)
    assert set(a.tracks) == set(b.tracks) == {"guitar", "bass", "drums"} and a.bars == 4
    # same weights for guitar and bass here: decoding the guitar's code gives the guitar's line, an octave
    # or two lower -> every bass onset is a guitar onset with the same pitch class
    g_on = {(n.start, n.pitch % 12) for n in a.tracks["guitar"]}
    assert all((n.start, n.pitch % 12) in g_on for n in a.tracks["bass"])


def test_follow_shift_puts_the_bass_on_the_guitar_roots():
    from riffforge.runtime.render import follow_shift

    guitar = [(0, 4, 40), (4, 8, 43), (8, 16, 45)]          # E, G, A on the beats
    bass = [(0, 4, 35), (4, 8, 38), (8, 16, 40)]            # B, D, E: the same movement a fourth low
    assert follow_shift(guitar, 0, bass, default=0, total=16) == 5
    assert follow_shift(guitar, 2, bass, default=0, total=16) == -5   # guitar moved up 2: F#, A, B
    # nothing sounds together on a beat: the line's own default stays
    assert follow_shift([(1, 3, 40)], 0, bass, default=3, total=16) == 3


def test_a_bass_model_that_decodes_only_rests_gives_way_to_the_guitar_roots():
    heads = {"guitar": np.array([30, 0, 0, 0] * 8), "bass": np.zeros(32, int), "drums": np.ones(32, int)}
    feel = {"tuning": "E standard", "key": "E", "mode": "aeolian", "tempo": 120.0}
    tracks = ModelGenerator.__new__(ModelGenerator)._render(heads, feel, 0.5, 2, separate_keys=True)
    assert [n.start for n in tracks["bass"]] == sorted({n.start for n in tracks["guitar"]}) == list(range(0, 32, 4))
    assert {n.pitch % 12 for n in tracks["bass"]} == {min(n.pitch for n in tracks["guitar"]) % 12}
