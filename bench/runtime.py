"""Benchmark of the TensorFlow-free runtime (issue 6). Run: ``./run bench runtime`` (or .venv/bin/python bench/runtime.py).

Prints one table per question:

1. import ``riffforge.runtime`` + load a bundle, in a fresh interpreter (target <= 0.5 s);
2. ms per 2-bar drum riff at batch 1, p50/p99 over 500, ``cat-drums_2bar_small`` (target p50 <= 3 ms), the
   decode alone and the full ``generate()`` request (latent control, best-of-candidates, rendering);
3. ms per 2-bar band riff (``band-trio_2bar`` trio; and three conditioned single-instrument models)
   (target p50 <= 10 ms);
4. the same drum decode through the Keras model (``riffforge.model``) in this process and the speed ratio
   (target >= 10x);
5. Spearman rho between requested intensity and ``riffforge.metrics.energy`` per style, 100 requests each
   (target >= 0.9);
6. band coherence (kick-guitar synchrony, bass-guitar root agreement, modal fit) of conditioned band riffs
   next to three independently sampled tracks glued together (the prototype's approach);
7. what the style does (per-style tempo/energy at intensity 0.5; centroid use when a bundle has them).

Bundles come from the Magenta fixtures in ``../shared/fixtures/magenta`` (import -> export, the real
pipeline) and, for the trio architecture, random weights (timing does not depend on the values). The
default bundles are trained in issue 7; until then no packaged default exists and this says so.
"""
from __future__ import annotations

import inspect
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python_sidecar"))
FIXTURES = REPO / ".." / "shared" / "fixtures" / "magenta"


def pct(ts, q):
    return float(np.percentile(np.asarray(ts) * 1e3, q))


def timeit(fn, n, warmup=5):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return ts


def row(label, ts, target=None):
    p50, p99 = pct(ts, 50), pct(ts, 99)
    ok = "" if target is None else ("  OK" if p50 <= target else "  MISS")
    print(f"  {label:<58} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms{ok}")
    return p50


def build_bundles(work: Path):
    from riffforge.cli.export import export
    from riffforge.cli.import_magenta import import_magenta
    from riffforge.configs import get_config
    from riffforge.runtime import random_canonical_weights, save_bundle

    for name, role in (("cat-drums_2bar_small", "drums"), ("cat-mel_2bar_small", "guitar")):
        import_magenta(FIXTURES / name / "checkpoint", name, work / f"run-{name}")
    export(work / "run-cat-drums_2bar_small", work / "drums" / "drums", progress=False)
    # a style-labelled Metal drum corpus (procedural riffs, labelled by metal-corpus' styles.csv) for corpus controls
    metal, corpus = work / "metal-midi", work / "metal-corpus"
    env = dict(os.environ, PYTHONPATH=str(REPO / "python_sidecar"))
    subprocess.run([sys.executable, "-m", "riffforge", "metal-corpus", "--out", str(metal), "--count", "1200",
                    "--bars", "2", "--jobs", "1", "--no-progress"], check=True, env=env, capture_output=True)
    subprocess.run([sys.executable, "-m", "riffforge", "corpus", "build", str(metal), "--kind", "drums", "--out",
                    str(corpus), "--manifest", str(metal / "styles.csv"), "--jobs", "1", "--no-progress"], check=True,
                   env=env, capture_output=True)
    export(work / "run-cat-drums_2bar_small", work / "drums-corpus" / "drums", corpus=corpus, progress=False)
    # the band of three conditioned models, each with controls from its part of the same Metal riffs
    band_parts = work / "parts-corpus"
    export(work / "run-cat-drums_2bar_small", band_parts / "drums", corpus=corpus, progress=False)
    for role in ("guitar", "bass"):
        mc = work / f"metal-{role}-corpus"
        subprocess.run([sys.executable, "-m", "riffforge", "corpus", "build", str(metal), "--kind", "melody",
                        "--melody-from", role, "--out", str(mc), "--manifest", str(metal / "styles.csv"), "--jobs",
                        "1", "--no-progress"], check=True, env=env, capture_output=True)
        export(work / "run-cat-mel_2bar_small", band_parts / role, role=role, corpus=mc, progress=False)
    cfg = get_config("band-trio_2bar")
    save_bundle(work / "band" / "band", cfg, random_canonical_weights(cfg, seed=1), role="band",
                metadata={"note": "random weights: timing only"})
    return work / "drums", band_parts, work / "band", work / "drums-corpus"


def import_and_load(models: Path, repeats: int = 5) -> float:
    code = ("import time; t = time.perf_counter(); import riffforge.runtime as rt; "
            f"g = rt.load_generator({str(models)!r}); print(time.perf_counter() - t)")
    env = dict(os.environ, PYTHONPATH=str(REPO / "python_sidecar"))
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return float(np.median(times))


def independent_band(gen_parts, request, rng):
    """The prototype: guitar, bass and drums sampled from three unrelated codes, each put into the key on
    its own, glued together (no shared latent, no conditioning)."""
    from riffforge.music.riff import Riff, pitch_class
    from riffforge.music.theory import get_tuning
    from riffforge.runtime.generator import _feel
    from riffforge.runtime.render import key_shift, melody_triples, render_drums, render_melodic, tonal_centre

    feel = _feel(request, request.seed)
    x = request.intensity
    t_lo, t_hi = gen_parts.temperature_range
    temp = t_lo + (t_hi - t_lo) * x
    tracks = {}
    tuning = get_tuning(feel["tuning"])
    key_pc = pitch_class(feel["key"])
    vel = int(round(62 + 58 * x))
    for role in ("guitar", "bass", "drums"):
        b = gen_parts.parts[role]
        z = rng.standard_normal((1, b.config.z_size)).astype(np.float32)
        cls = b.model.decode(z, temperature=temp, rng=rng).classes[0, :, 0]
        if role == "drums":
            tracks["drums"] = render_drums(cls, vel)
        else:
            tr = melody_triples(cls)
            lo, hi = (tuning.lowest, tuning.highest) if role == "guitar" else (tuning.bass_lowest, tuning.bass_highest)
            tracks[role] = render_melodic(tr, key_shift(tonal_centre(tr), key_pc), lo, hi,
                                          lo + (key_pc - lo) % 12, vel, role == "guitar")
    return Riff(tempo=feel["tempo"], bars=2, key=feel["key"], mode=feel["mode"], style=request.style, intensity=x,
                seed=request.seed, tracks=tracks, model_id="independent", tuning=feel["tuning"])


def nearest_style(bundle, riff, role: str) -> str:
    """The style whose centroid (``style/<name>`` in the bundle's controls) is nearest to the encoding of
    ``riff``'s ``role`` part by ``bundle``'s own encoder."""
    from riffforge.runtime.render import encoder_inputs, tracks_to_classes

    names = sorted(k[len("style/"):] for k in bundle.controls if k.startswith("style/"))
    C = np.stack([bundle.controls["style/" + n] for n in names])
    cls = tracks_to_classes(riff.tracks, [role], bundle.config.max_seq_len)
    mu, _ = bundle.model.encode(encoder_inputs(cls, bundle.config.encoding)[None])
    return names[int(np.argmin(((C - mu) ** 2).sum(1)))]


def style_by_gain(bundles, per_style: int = 30) -> None:
    """Style control on the packaged default band: each part's generated track is encoded by its own bundle
    and classified by the nearest style centroid; ``style_gain`` 0 leaves only the style's feel (tempo,
    tuning, mode), the default 3 places codes past the centroid."""
    from riffforge.generation import RiffRequest
    from riffforge.music.riff import STYLES
    from riffforge.runtime.generator import ModelGenerator

    default_gain = inspect.signature(ModelGenerator).parameters["style_gain"].default
    by_role = {b.role: b for b in bundles}

    print(f"\n9. style control on the packaged default band: share of riffs whose part, encoded by its own model,"
          f" is nearest\n   to the requested style's centroid (chance {1 / len(STYLES):.2f}; intensity 0.5, "
          f"{per_style} riffs per style)")
    print(f"  {'style_gain':<12}{'part':<8}" + "".join(f"{s:>8}" for s in STYLES) + f"{'mean':>8}")
    for gain in (0.0, 3.0, 5.0):
        gen = ModelGenerator(bundles, style_gain=gain)
        riffs = {s: [gen.generate(RiffRequest(intensity=0.5, style=s, seed=700 + i)) for i in range(per_style)]
                 for s in STYLES}
        for role in ("guitar", "bass", "drums"):
            acc = [np.mean([nearest_style(by_role[role], r, role) == s for r in riffs[s]]) for s in STYLES]
            label = f"{gain:g}" + (" (default)" if gain == default_gain else "")
            print(f"  {label:<12}{role:<8}" + "".join(f"{a:8.2f}" for a in acc) + f"{np.mean(acc):8.2f}")


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    from riffforge.generation import RiffRequest
    from riffforge.metrics import (bass_guitar_root_agreement, best_modal_fit, energy, kick_guitar_synchrony,
                                   spearman)
    from riffforge.music.riff import STYLES
    from riffforge.runtime import DEFAULT_MODELS_DIR, find_bundles, load_bundles, load_generator
    from riffforge.runtime.generator import ModelGenerator

    print(f"RiffForge runtime bench  ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start, "
          f"numpy {np.__version__})")
    work = Path(tempfile.mkdtemp(prefix="rf-bench-runtime-"))
    t0 = time.perf_counter()
    drums_dir, parts_dir, band_dir, drums_corpus_dir = build_bundles(work)
    print(f"  (built bundles: import-magenta + export with self-calibration; a 1200-riff procedural Metal drum "
          f"corpus for corpus controls: {time.perf_counter() - t0:.1f} s)")

    print("\n1. import riffforge.runtime + load bundle (fresh interpreter, median of 5; target <= 0.5 s)")
    default = find_bundles(DEFAULT_MODELS_DIR) if DEFAULT_MODELS_DIR.exists() else {}
    if not default:
        print(f"  no default bundle packaged yet in {DEFAULT_MODELS_DIR} (issue 7); measuring these instead:")
    for label, d in (("cat-drums_2bar_small drums bundle", drums_dir), ("band-trio_2bar band bundle", band_dir),
                     ("3 part bundles (guitar, bass, drums)", parts_dir)) + (
                        (("packaged default", DEFAULT_MODELS_DIR),) if default else ()):
        s = import_and_load(d)
        print(f"  {label:<58} {s * 1e3:8.1f} ms{'  OK' if s <= 0.5 else '  MISS'}")

    drums = load_bundles(drums_dir)[0]
    m = drums.model
    rng = np.random.default_rng(0)
    zs = rng.standard_normal((500, 256)).astype(np.float32)
    it = iter(range(10 ** 9))

    print("\n2. 2-bar drum riff, cat-drums_2bar_small, batch 1, 500 riffs (target p50 <= 3 ms)")
    p50_drum = row("decode, temperature 1.0 (sampled)", timeit(lambda: m.decode(zs[next(it) % 500][None], 1.0, rng), 500),
                   3.0)
    row("decode, greedy", timeit(lambda: m.decode(zs[next(it) % 500][None], 1e-5), 500), 3.0)
    for rows in (2, 8):  # candidates / chunks of a long riff decode as a batch (one GEMV per row, see ROW_GEMV_MAX)
        zb_rows = zs[:rows]
        row(f"decode, temperature 1.0, batch {rows} (per batch)", timeit(lambda: m.decode(zb_rows, 1.0, rng), 200))
    gd = ModelGenerator([drums])
    row("generate() request: controls + render (drums only)",
        timeit(lambda: gd.generate(RiffRequest(intensity=0.7, seed=next(it), instruments=("drums",))), 500), 3.0)
    gd2 = ModelGenerator([drums], candidates=2)
    row("generate() request, best of 2 candidates",
        timeit(lambda: gd2.generate(RiffRequest(intensity=0.7, seed=next(it), instruments=("drums",))), 500))

    print("\n3. 2-bar band riff (target p50 <= 10 ms), 300 requests")
    band = load_bundles(band_dir)[0]
    zb = rng.standard_normal((1, band.config.z_size)).astype(np.float32)
    row("band-trio_2bar decode (3 heads), batch 1", timeit(lambda: band.model.decode(zb, 1.0, rng), 300), 10.0)
    gb1 = ModelGenerator([band], candidates=1)
    p50_band = row("band-trio_2bar generate(), 1 candidate",
                   timeit(lambda: gb1.generate(RiffRequest(intensity=0.6, seed=next(it))), 300), 10.0)
    gb2 = ModelGenerator([band], candidates=2)
    row("band-trio_2bar generate(), best of 2",
        timeit(lambda: gb2.generate(RiffRequest(intensity=0.6, seed=next(it))), 300), 10.0)
    parts = load_bundles(parts_dir)
    gp = ModelGenerator(parts)
    row("3 models decoded together (guitar, bass, drums)",
        timeit(lambda: gp.generate(RiffRequest(intensity=0.6, seed=next(it))), 300), 10.0)
    gpe = ModelGenerator(parts, bass_from="encode")
    row("3 models, bass encodes the guitar line (sequential)",
        timeit(lambda: gpe.generate(RiffRequest(intensity=0.6, seed=next(it))), 100), 10.0)

    print("\n4. Keras model (riffforge.model), same cat-drums_2bar_small weights and decode, batch 1")
    try:
        t = time.perf_counter()
        from riffforge.model import build_model

        keras_model = build_model(drums.config)
        with np.load(drums.path / "weights.npz") as d:
            keras_model.set_canonical_weights({k: d[k].astype(np.float32) for k in d.files
                                               if not k.startswith("control/")})
        print(f"  (import keras/tensorflow + build: {time.perf_counter() - t:.1f} s)")
        kz = zs[:1]
        k_cls = np.asarray(keras_model.sample(kz, temperature=None)[0])[0, :, 0]
        n_cls = m.decode(kz, 1e-5).classes[0, :, 0]
        print(f"  greedy classes identical to the NumPy runtime: {bool(np.array_equal(k_cls, n_cls))}")
        k50 = row("Keras model.sample(z), temperature 1.0", timeit(lambda: keras_model.sample(kz, temperature=1.0), 30,
                                                                     warmup=2))
        ratio = k50 / p50_drum
        print(f"  speed-up of the NumPy runtime: {ratio:.1f}x{'  OK' if ratio >= 10 else '  MISS'} (target >= 10x)")
    except ImportError as exc:
        print(f"  Keras model not available ({exc}); install the `train` extra")

    print("\n5. intensity -> energy: Spearman rho, 100 requests per style over intensity 0..1, on the Magenta fixture"
          " weights\n   (300 training steps; the target >= 0.9 applies to the packaged default band, section 8)")
    xs = np.linspace(0, 1, 100)
    header = "  " + f"{'bundle':<34}" + "".join(f"{s:>8}" for s in STYLES)
    print(header)
    drums_c = load_bundles(drums_corpus_dir)[0]
    gdc = ModelGenerator([drums_c])
    for label, gen, inst in (("drums, self-calibrated controls", gd, ("drums",)),
                             ("drums, Metal-corpus controls", gdc, ("drums",)),
                             ("band, 3 conditioned models (corpus)", gp, ("guitar", "bass", "drums"))):
        rhos = []
        for style in STYLES:
            es = [energy(gen.generate(RiffRequest(intensity=float(x), style=style, seed=5000 + i, instruments=inst)))
                  for i, x in enumerate(xs)]
            rhos.append(spearman(list(xs), es))
        print("  " + f"{label:<34}" + "".join(f"{r:8.3f}" for r in rhos))

    print("\n6. band coherence, 100 band riffs each (mean; higher is more coherent)")
    print(f"  {'approach':<44}{'kick-guitar sync':>18}{'bass-guitar root':>18}{'modal fit':>12}")
    brng = np.random.default_rng(11)
    for label, make in (
            ("conditioned (shared code, bass follows guitar)",
             lambda i: gp.generate(RiffRequest(intensity=float(xs[i]), style=STYLES[i % 6], seed=9000 + i))),
            ("three independent samples glued (prototype)",
             lambda i: independent_band(gp, RiffRequest(intensity=float(xs[i]), style=STYLES[i % 6], seed=9000 + i),
                                        brng))):
        riffs = [make(i) for i in range(100)]
        ks = np.nanmean([kick_guitar_synchrony(r) for r in riffs])
        bg = np.nanmean([bass_guitar_root_agreement(r) for r in riffs])
        mf = np.nanmean([best_modal_fit(r)[2] for r in riffs])
        print(f"  {label[:44]:<44}{ks:18.3f}{bg:18.3f}{mf:12.3f}")
    print("  (guitar and bass bundles here share the cat-mel_2bar_small fixture weights, so decoding the guitar's"
          " code\n   makes the bass double the guitar: root agreement is optimistic; section 8 measures the separately"
          " fine-tuned\n   default guitar and bass. No trio model is trained: the trio rows above time its architecture.)")

    print("\n7. style: latent centroids of the style-labelled Metal corpus (drums model, intensity 0.5, 30 riffs/style)")
    import copy

    names = sorted(k[len("style/"):] for k in drums_c.controls if k.startswith("style/"))

    no_style = copy.copy(drums_c)
    no_style.controls = {k: v for k, v in drums_c.controls.items() if not k.startswith("style/")}
    print(f"  share of generated riffs whose encoding is nearest to the requested style's centroid (chance "
          f"{1 / len(names):.2f})")
    print(f"  {'generator':<34}" + "".join(f"{s:>8}" for s in STYLES) + f"{'mean':>8}")
    for label, gen in (("style centroids (default)", gdc), ("no centroids (style feel only)", ModelGenerator([no_style]))):
        acc = [np.mean([nearest_style(drums_c, gen.generate(RiffRequest(intensity=0.5, style=s, seed=700 + i,
                                                                          instruments=("drums",))), "drums") == s
                        for i in range(30)]) for s in STYLES]
        print(f"  {label:<34}" + "".join(f"{a:8.2f}" for a in acc) + f"{np.mean(acc):8.2f}")
    print(f"  {'style':<10}{'tempo':>8}{'energy':>9}   (band, 3 conditioned models, intensity 0.5, 30 riffs)")
    for style in STYLES:
        rs = [gp.generate(RiffRequest(intensity=0.5, style=style, seed=700 + i)) for i in range(30)]
        print(f"  {style:<10}{np.mean([r.tempo for r in rs]):8.1f}{np.mean([energy(r) for r in rs]):9.3f}")
    if default:
        print(f"\n8. packaged default bundles ({', '.join(sorted(default))}): the band the sidecar serves")
        gdef = load_generator(None)
        row("generate() band riff, 2 bars, 300 requests",
            timeit(lambda: gdef.generate(RiffRequest(intensity=0.6, seed=next(it))), 300), 10.0)
        if "drums" in getattr(gdef, "parts", {}):
            dm = gdef.parts["drums"].model
            row("drums model decode, temperature 1.0, batch 1, 500",
                timeit(lambda: dm.decode(zs[next(it) % 500][None], 1.0, rng), 500), 3.0)
        rhos = []
        for style in STYLES:
            es = [energy(gdef.generate(RiffRequest(intensity=float(x), style=style, seed=5000 + i)))
                  for i, x in enumerate(xs)]
            rhos.append(spearman(list(xs), es))
        print("  intensity rho (100/style) " + "".join(f"{s}={r:.3f} " for s, r in zip(STYLES, rhos)))
        if all(r in getattr(gdef, "parts", {}) for r in ("guitar", "bass", "drums")):
            print(f"  {'approach':<44}{'kick-guitar sync':>18}{'bass-guitar root':>18}{'modal fit':>12}")
            for label, make in (
                    ("conditioned (default generator)",
                     lambda i: gdef.generate(RiffRequest(intensity=float(xs[i]), style=STYLES[i % 6], seed=9000 + i))),
                    ("three independent samples glued (prototype)",
                     lambda i: independent_band(gdef, RiffRequest(intensity=float(xs[i]), style=STYLES[i % 6],
                                                                  seed=9000 + i), brng))):
                riffs = [make(i) for i in range(100)]
                ks = np.nanmean([kick_guitar_synchrony(r) for r in riffs])
                bg = np.nanmean([bass_guitar_root_agreement(r) for r in riffs])
                mf = np.nanmean([best_modal_fit(r)[2] for r in riffs])
                print(f"  {label[:44]:<44}{ks:18.3f}{bg:18.3f}{mf:12.3f}")
    if default and all(r in getattr(gdef, "parts", {}) for r in ("guitar", "bass", "drums")):
        style_by_gain(load_bundles(DEFAULT_MODELS_DIR))
    print(f"\nsummary: drum decode p50 {p50_drum:.2f} ms, band generate p50 {p50_band:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
