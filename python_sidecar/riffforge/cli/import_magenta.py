"""``riffforge import-magenta CKPT --config NAME --out RUN``: a Magenta MusicVAE checkpoint -> a RUN directory.

TensorFlow-free: the checkpoint is read by :mod:`riffforge.checkpoint` (directory, prefix or Magenta's
``.tar``), every variable is mapped to the canonical weight dict (LSTM kernels split into input and
recurrent parts, gates ``i,j,f,o`` -> ``i,f,c,o``, +1.0 on the forget bias; optimizer slots and
``global_step`` dropped) and written as ``RUN/weights.npz`` + ``RUN/run.json``, which ``riffforge train
--init`` and ``riffforge export`` read. Unknown, missing or mis-shaped variables are one error naming them.
"""
from __future__ import annotations

import time
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("checkpoint", type=Path, help="checkpoint directory, prefix (DIR/model.ckpt-N) or .tar")
    parser.add_argument("--config", required=True, help="Magenta config name, e.g. cat-drums_2bar_small")
    parser.add_argument("--out", required=True, type=Path, help="RUN directory to write")
    parser.add_argument("--no-verify", action="store_true", help="skip the CRC-32C check of tensor data")


def import_magenta(checkpoint: Path, config_name: str, out: Path, verify: bool = True) -> dict:
    """Do the import; returns the run.json written. Raises CheckpointError / MappingError / ConfigError."""
    from ..checkpoint import CheckpointReader, magenta_to_canonical
    from ..configs import get_config
    from ..training.rundir import save_json, save_weights

    config = get_config(config_name)
    reader = CheckpointReader(checkpoint)
    variables = reader.read_all(verify=verify)
    weights = magenta_to_canonical(variables, config)
    step = int(variables["global_step"]) if "global_step" in variables else 0
    meta = {
        "config": config.name,
        "step": step,
        "source": "magenta-import",
        "checkpoint": str(Path(checkpoint).resolve()),
        "corpus": {},
        "val_metrics": {},
        "imported_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "magenta_variables": len([n for n in variables if n != "global_step"]),
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    save_weights(out, weights)
    save_json(out / "run.json", meta)
    return meta


def run(args) -> int:
    from . import CliError
    from ..checkpoint import CheckpointError, MappingError
    from ..configs import ConfigError

    try:
        meta = import_magenta(args.checkpoint, args.config, args.out, verify=not args.no_verify)
    except (CheckpointError, MappingError, ConfigError) as exc:
        raise CliError(str(exc)) from None
    print(f"imported {meta['magenta_variables']} variables (step {meta['step']}) as {meta['config']} -> "
          f"{args.out}/weights.npz, {args.out}/run.json")
    return 0
