"""``riffforge export RUN --out MODEL_DIR``: a training run (or imported Magenta checkpoint) -> a model bundle.

The bundle (:mod:`riffforge.runtime.bundle`) holds the weights (float32, or float16 when ``--float16`` and
greedy decoding of 64 random codes gives identical classes), a JSON config, metadata (source run, steps,
training-corpus hash, validation metrics, license and attribution of the training data) and, with
``--corpus``, the latent controls computed from that corpus: intensity direction, energy deciles and style
centroids. A centroid exists only for a style the corpus labels (the ``style`` of its source rows, given
to ``riffforge corpus build`` by ``--manifest`` or ``--styles-from folders``; never guessed from file
names), so the bundle steers, and its ``model.json`` lists under ``styles``, only those styles. A flat
model's bundle also gets ``engine.rfem``: its decoder and controls for the in-engine C# runtime
(:mod:`riffforge.runtime.engine_file`).
TensorFlow-free: the weights are read from RUN/weights.npz and encoded with the NumPy runtime.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", type=Path, help="RUN directory (weights.npz + run.json)")
    parser.add_argument("--out", required=True, type=Path, help="bundle directory to write")
    parser.add_argument("--role", choices=["band", "drums", "guitar", "bass"],
                        help="what the bundle plays: band for a trio config, drums for a drums config, guitar "
                             "or bass for a melody config (default: band, drums, guitar)")
    parser.add_argument("--force", action="store_true",
                        help="replace the bundle already in --out (without it an existing bundle is refused)")
    parser.add_argument("--corpus", type=Path, help="corpus directory to compute intensity/style controls from")
    parser.add_argument("--split", default="train", help="corpus split for the controls (default train)")
    parser.add_argument("--max-examples", type=int, default=4000, help="examples used for the controls")
    parser.add_argument("--float16", action="store_true", help="store weights as float16 if greedy parity holds")
    parser.add_argument("--license", default=None, help="license of the training data (stored in metadata)")
    parser.add_argument("--attribution", default=None, help="attribution of the training data")
    parser.add_argument("--model-id", default=None, help="model id reported to the game (default: out dir name)")
    parser.add_argument("--calibration-samples", type=int, default=384,
                        help="prior samples decoded to calibrate the intensity control (default 384)")


class ExportError(ValueError):
    """A bad ``--out`` or ``--role``; the message names it and the fix."""


#: What a config's encoding can play: a trio model is a band, a melody model a guitar or a bass line.
ROLES_FOR_ENCODING = {"trio": ("band",), "drums": ("drums",), "melody": ("guitar", "bass")}


def check_role(config, role: str) -> None:
    allowed = ROLES_FOR_ENCODING[config.encoding]
    if role not in allowed:
        fix = " or ".join(f"--role {r}" for r in allowed)
        raise ExportError(f"--role {role}: config {config.name!r} ({config.encoding}) cannot play {role}; "
                          f"pass {fix}")


def check_out(out: Path, force: bool) -> None:
    """Refuse to overwrite: an existing bundle needs ``force``; any other non-empty folder is never replaced."""
    from ..runtime.bundle import MODEL_JSON

    out = Path(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise ExportError(f"--out {out}: exists and is not a folder; choose another --out")
    if (out / MODEL_JSON).is_file():
        if not force:
            raise ExportError(f"--out {out}: already holds a model bundle; pass --force to replace it or "
                              "choose another --out")
        return
    if any(out.iterdir()):
        raise ExportError(f"--out {out}: folder is not empty and holds no model bundle ({MODEL_JSON}); "
                          "choose an empty or new --out")


def _replace_dir(tmp: Path, out: Path) -> None:
    """Move the finished bundle ``tmp`` to ``out``; an old ``out`` is kept until the new one is in place."""
    import shutil
    import tempfile

    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=str(out.parent)))
        old.rmdir()
        out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _corpus_hash(corpus_dir: Path) -> str:
    return hashlib.sha256((corpus_dir / "manifest.json").read_bytes()).hexdigest()


def float16_parity(config, weights: Dict[str, np.ndarray], n: int = 64, seed: int = 0) -> Dict:
    """Greedy decode ``n`` random codes with float32 and float16-rounded weights; compare."""
    from ..runtime import MusicVAE

    z = np.random.default_rng(seed).standard_normal((n, config.z_size)).astype(np.float32)
    ctrl = None
    if config.control_depth:
        ctrl = np.zeros((config.max_seq_len, config.control_depth), np.float32)
        ctrl[:, 0] = 1
    a = MusicVAE(config, weights).decode(z, temperature=1e-5, controls=ctrl, return_logits=True)
    half = {k: v.astype(np.float16).astype(np.float32) for k, v in weights.items()}
    b = MusicVAE(config, half).decode(z, temperature=1e-5, controls=ctrl, return_logits=True)
    return {"classes_identical": bool(np.array_equal(a.classes, b.classes)),
            "max_logit_diff": float(np.abs(a.logits - b.logits).max()), "codes": n}


def export(run_dir: Path, out: Path, role: Optional[str] = None, corpus: Optional[Path] = None,
           split: str = "train", max_examples: int = 4000, float16: bool = False, license: Optional[str] = None,
           attribution: Optional[str] = None, model_id: Optional[str] = None, progress: bool = True,
           calibration_samples: int = 384, force: bool = False) -> Dict:
    """Export ``run_dir`` to the bundle folder ``out``. The bundle is written to a temporary folder beside
    ``out`` and renamed into place, so a failed export leaves the previous bundle (or nothing) behind; an
    existing bundle is replaced only with ``force``."""
    from ..configs import get_config
    from ..music.riff import STYLES
    from ..runtime import MusicVAE, check_weights, save_bundle
    from ..runtime.bundle import default_role
    from ..runtime.control import compute_controls
    from ..training.rundir import load_run

    out = Path(out)
    check_out(out, force)
    weights, meta = load_run(run_dir)
    config = get_config(meta["config"])
    check_weights(weights, config, what=f"{run_dir}/weights.npz")
    role = role or default_role(config)
    check_role(config, role)
    corpus_meta = dict(meta.get("corpus") or {})
    report: Dict = {"config": config.name, "role": role}
    heads = {"band": ("guitar", "bass", "drums"), "drums": ("drums",), "guitar": ("guitar",),
             "bass": ("bass",)}[role]
    # 1. self-calibration on the model's own samples (always): intensity direction + energy deciles
    from tqdm import tqdm

    from ..runtime.control import calibrate_from_samples
    from ..runtime.generator import classes_to_riff

    try:
        from ..metrics import energy as riff_energy_metric

        def riff_energy(classes):
            return riff_energy_metric(classes_to_riff(classes, role))
        report["energy_metric"] = "riffforge.metrics.energy"
    except ImportError:  # pragma: no cover - the metrics module ships with the package
        riff_energy = None
        report["energy_metric"] = "riffforge.runtime.control.class_energy"
    # disable=None: bars on a terminal only, nothing in a log file or pipe
    with tqdm(total=calibration_samples, unit="riff", desc="calibrate",
              disable=None if progress else True) as bar:
        controls = calibrate_from_samples(MusicVAE(config, weights), heads, n=calibration_samples,
                                          riff_energy=riff_energy, progress=bar.update)
    report["controls_from"] = "model samples"
    if corpus is not None:
        from ..corpus.shards import load_split, read_manifest

        manifest = read_manifest(corpus)
        ds = load_split(corpus, split)
        if ds.input_depth != config.input_depth or list(ds.output_depths) != list(config.output_depths):
            raise ValueError(f"corpus {corpus}: encoding {ds.kind} (input depth {ds.input_depth}, outputs "
                             f"{ds.output_depths}) does not fit config {config.name!r}")
        idx = np.arange(len(ds))
        if len(idx) > max_examples:
            idx = np.sort(np.random.default_rng(0).choice(len(idx), max_examples, replace=False))
        sub = ds.subset(idx)
        sources = manifest.get("sources", [])
        # the labels the corpus was built with; an unlabelled source (or an unknown style) gives no centroid
        styles = [sources[i].get("style") if 0 <= i < len(sources) and sources[i].get("style") in STYLES else None
                  for i in sub.source_ids.tolist()]
        model = MusicVAE(config, weights)
        with tqdm(total=len(sub), unit="ex", desc="controls", disable=None if progress else True) as bar:
            corpus_controls = compute_controls(model, sub.inputs, sub.targets, heads, sub.lengths, sub.controls,
                                               styles, progress=bar.update)
        # the corpus direction and style centroids win; energy deciles stay on the model-sample scale
        corpus_controls.pop("energy_quantiles", None)
        controls.update(corpus_controls)
        report["controls_from"] = "corpus (direction, styles) + model samples (energy deciles)"
        corpus_meta.update({"dir": str(Path(corpus).resolve()), "manifest_sha256": _corpus_hash(Path(corpus)),
                            "split": split, "examples_for_controls": int(len(sub)),
                            "styles_found": sorted(k[6:] for k in controls if k.startswith("style/"))})
        report["controls"] = sorted(controls)
    if float16:
        parity = float16_parity(config, weights)
        report["float16_parity"] = parity
        float16 = parity["classes_identical"]
    metadata = {
        "source_run": str(Path(run_dir).resolve()),
        "source": meta.get("source"),
        "steps": meta.get("step"),
        "corpus": corpus_meta,
        "val_metrics": meta.get("val_metrics", {}),
        "license": license or corpus_meta.get("license") or meta.get("license") or "unspecified",
        "attribution": attribution or corpus_meta.get("attribution") or meta.get("attribution") or "unspecified",
    }
    if report.get("float16_parity"):
        metadata["float16_parity"] = report["float16_parity"]
    import shutil
    import tempfile

    out.parent.mkdir(parents=True, exist_ok=True)
    check_out(out, force)  # again: the folder may have appeared while the controls were computed
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=str(out.parent)))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; a bundle folder is readable like any other
        save_bundle(tmp, config, weights, role=role, metadata=metadata, controls=controls, float16=float16,
                    model_id=model_id or out.name)
        if not config.hierarchical:  # the in-engine C# runtime decodes flat models only
            from ..runtime.engine_file import ENGINE_FILE, write_engine_model

            write_engine_model(tmp, tmp / ENGINE_FILE)
        _replace_dir(tmp, out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ExportError(f"--out {out}: cannot write the bundle ({exc.strerror or exc}); the previous "
                              "bundle, if any, is unchanged") from None
        raise
    report["float16"] = bool(float16)
    report["out"] = str(out)
    return report


def run(args) -> int:
    from . import CliError
    from ..configs import ConfigError
    from ..runtime import BundleError, WeightsError
    from ..training.rundir import RunDirError

    try:
        from ..corpus.shards import CorpusError
    except ImportError:  # pragma: no cover
        CorpusError = ValueError  # type: ignore
    try:
        report = export(args.run_dir, args.out, args.role, args.corpus, args.split, args.max_examples, args.float16,
                        args.license, args.attribution, args.model_id, calibration_samples=args.calibration_samples,
                        force=args.force)
    except (RunDirError, ConfigError, WeightsError, BundleError, CorpusError, ValueError) as exc:
        raise CliError(str(exc)) from None
    print(json.dumps(report, indent=2))
    return 0
