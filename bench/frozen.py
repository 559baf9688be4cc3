"""Frozen vs source sidecar: size on disk and cold start to handshake (median of N launches).

    ./run bench frozen                 # builds (or reuses) the frozen sidecar for the current sources
    ./run bench frozen --runs 9
    ./run bench frozen --frozen unity_package/Sidecar~/linux-x64   # measure an existing build

Cold start to handshake = from starting the process to the end of the handshake (READY line read, hello
received, welcome sent), measured by the reference client exactly as Unity's supervisor launches the
sidecar: the host socket is bound first, then the process starts with --host-port/--token/--parent-pid.
The first launch of each kind is a warm-up and not counted (it fills the OS page cache, as the Unity editor's
first start would have done long before). Targets from issue 10: onedir <= 120 MB, cold start <= 1.0 s.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "build"))

import bundle_audit  # noqa: E402
import frozen_cache  # noqa: E402
import sidecar_layout  # noqa: E402
import sidecar_smoke  # noqa: E402

SIZE_TARGET_MB = 120.0
START_TARGET_S = 1.0


def dir_size_mb(path: Path) -> float:
    return bundle_audit.size_on_disk(path) / 1e6


def source_size_mb() -> float:
    """What the source sidecar needs besides a Python: the riffforge package and its runtime dependencies."""
    import importlib
    total = dir_size_mb(REPO / "python_sidecar" / "riffforge")
    for name in ("numpy", "pythonosc", "msgpack", "mido", "tqdm"):
        module = importlib.import_module(name)
        total += dir_size_mb(Path(module.__file__).parent)
    return total


def cold_starts(command: List[str], runs: int) -> List[float]:
    from tqdm import tqdm
    times = []
    for i in tqdm(range(runs + 1), desc=f"cold start {Path(command[0]).name}", unit="launch", file=sys.stderr,
                  leave=False):
        start = time.perf_counter()
        client = sidecar_smoke.spawn_client(command, heartbeat_timeout=10, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        code = client.close()
        if code != 0:
            raise SystemExit(f"{command[0]}: exit code {code} after quit")
        if i > 0:  # launch 0 is the warm-up
            times.append(elapsed)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="counted launches per kind (default 5)")
    parser.add_argument("--frozen", type=Path, default=None, help="platform folder of an existing frozen build")
    args = parser.parse_args()
    frozen_dir = args.frozen or frozen_cache.cached_frozen_sidecar(log=lambda m: print(m, file=sys.stderr))
    exe = frozen_dir / sidecar_layout.executable_name(sidecar_layout.current_platform())
    rows = [
        ("frozen (onedir)", dir_size_mb(frozen_dir), cold_starts([str(exe)], args.runs)),
        ("source (python -m)", source_size_mb(), cold_starts(sidecar_smoke.source_command(), args.runs)),
    ]
    print(f"platform {sidecar_layout.current_platform()}, frozen build {frozen_dir}")
    print(f"{'sidecar':<20} {'size MB':>8} {'start median s':>15} {'min s':>7} {'max s':>7}   runs")
    for name, size, times in rows:
        print(f"{name:<20} {size:>8.1f} {statistics.median(times):>15.3f} {min(times):>7.3f} {max(times):>7.3f}"
              f"   {len(times)}")
    size, times = rows[0][1], rows[0][2]
    ok_size, ok_start = size <= SIZE_TARGET_MB, statistics.median(times) <= START_TARGET_S
    print(f"targets: frozen size <= {SIZE_TARGET_MB:.0f} MB: {'PASS' if ok_size else 'FAIL'} ({size:.1f}); "
          f"frozen cold start <= {START_TARGET_S:.1f} s: {'PASS' if ok_start else 'FAIL'} "
          f"({statistics.median(times):.3f})")
    print("source size = riffforge + numpy, python-osc, msgpack, mido, tqdm as installed (a Python not included)")
    return 0 if ok_size and ok_start else 1


if __name__ == "__main__":
    sys.exit(main())
