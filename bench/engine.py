"""Benchmark of the in-engine C# runtime (``RiffForge.Engine``) on Mono. Run: ``./run bench engine``.

Per shipped bundle (``Resources/RiffForgeEngine/metal-{guitar,bass,drums}.bytes``):

- parity: the decode vectors (``tests/vectors/engine``, written by the Python runtime) that the C# decoder
  reproduces (identical classes, logits within 1e-4), and the largest logit difference;
- C# time per 32-step sampled decode, p50/p99, one thread (target: a band riff of about 6 decodes in
  p50 <= 80 ms, so about 13 ms a decode);
- bytes allocated per decoding step (GC.GetAllocatedBytesForCurrentThread where Mono has it, else
  GC.GetTotalMemory) and gen-0 collections during the timed decodes;
- model load time and the float32 weights and controls held in memory;
- beside it, the Python runtime's time for the same decode (``MusicVAE.decode``, batch 1, BLAS on one thread).

Then the whole request, C# ``EngineGenerator.Generate`` (``bench/csharp/EngineRequestBench.cs``) next to Python's
``ModelGenerator.generate`` on the same bundles and the same requests, for 2-bar band riffs (:func:`request_rows`;
skipped with a note when the generator does not build), with the default settings (3 guitar and 2 drum
candidates; target p50 <= 80 ms, p99 <= 120 ms) and the cheaper ``EngineSettings.Fast`` (1 and 1; Python
``ModelGenerator(candidates=1, drum_candidates=1)``).

Then the request sliced as on WebGL (``bench/csharp/EngineSliceBench.cs``, per preset at ``--bars`` and the
default at ``--slice-bars``): ``GenerationJob.Step(1)`` one work unit at a time (time per unit: p50, p99 and the
heaviest unit's median over repeats; bytes allocated before the last unit, target 0), and the frames of the
Unity layer's sliced path (``StepBudget`` with its default budget, 0.7 ms planned, as ``EngineRunner.Pump`` runs it; target <= 1 ms
of work per frame), each frame measured three ways: the wall clock, the thread's CPU time (Linux; without the
time another process held the core) and the sum of its units' median times from the repeats (the work the
planner put into the frame, without the machine's moments).

    ./run bench engine [--decodes N] [--requests N] [--bars N] [--no-request] [--slice-requests N] [--slice-bars N]
                       [--engine-build vector4|net-framework]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python_sidecar"))

OUT = ROOT / "bench" / "out" / "engine"
ASSETS = ROOT / "unity_package" / "Runtime" / "Resources" / "RiffForgeEngine"
VECTORS = ROOT / "tests" / "vectors" / "engine"
MODELS = ROOT / "python_sidecar" / "riffforge" / "models"
BUNDLES = ("metal-guitar", "metal-bass", "metal-drums")
MCS = ["mcs", "-langversion:7.2", "-optimize+", "-nologo", "-nowarn:1591"]
# the test-side readers of the vectors and the allocation counter, shared with the NUnit tests
TEST_SOURCES = [ROOT / "tests" / "csharp" / "Engine" / "EngineTestData.cs",
                ROOT / "tests" / "csharp" / "Engine" / "EngineAllocations.cs",
                ROOT / "tests" / "csharp" / "Support" / "MiniJson.cs",
                ROOT / "tests" / "csharp" / "Support" / "RepoPaths.cs"]


#: How RiffForge.Engine is compiled per ``--engine-build``: "vector4" as at Unity's .NET Standard level (the decoder
#: computes with System.Numerics.Vector4), "net-framework" as at its .NET Framework level (NET_4_6 and Unity's
#: version symbols defined: the scalar decoder; only the default references there, which leave out
#: System.Numerics; see LstmDecoder.cs and tests/csharp/run.sh, which tests both builds for identical results).
ENGINE_BUILDS = {
    "vector4": ["-r:System.Numerics.dll"],
    "net-framework": ["-noconfig", "-define:UNITY_5_3_OR_NEWER;UNITY_2021_3_OR_NEWER;NET_4_6",
                      "-r:System.dll", "-r:System.Core.dll", "-r:System.Xml.dll"],
}


def build_engine(build: str = "vector4") -> Path:
    """Compile RiffForge.Core and RiffForge.Engine (``-unsafe -optimize+``, :data:`ENGINE_BUILDS` ``build``) into
    ``OUT``; returns the engine dll."""
    OUT.mkdir(parents=True, exist_ok=True)
    core, engine = OUT / "RiffForge.Core.dll", OUT / "RiffForge.Engine.dll"
    pkg = ROOT / "unity_package" / "Runtime"
    subprocess.run(MCS + ["-target:library", f"-out:{core}", f"-recurse:{pkg / 'Core'}/*.cs"], check=True)
    subprocess.run(MCS + ["-unsafe", "-target:library", f"-out:{engine}", f"-r:{core}", *ENGINE_BUILDS[build],
                          f"-recurse:{pkg / 'Engine'}/*.cs"], check=True)
    return engine


def build_program(name: str, *extra: Path) -> Path:
    """``bench/csharp/<name>.cs`` + BenchOutput + the test-side readers (+ ``extra`` sources) -> ``OUT/<name>.exe``."""
    exe = OUT / f"{name}.exe"
    subprocess.run(MCS + [f"-out:{exe}", f"-r:{OUT / 'RiffForge.Core.dll'}", f"-r:{OUT / 'RiffForge.Engine.dll'}",
                          str(ROOT / "bench" / "csharp" / "BenchOutput.cs"), str(ROOT / "bench" / "csharp" / f"{name}.cs"),
                          *map(str, TEST_SOURCES), *map(str, extra)], check=True)
    return exe


#: The Unity layer's frame budget for sliced generation, compiled into EngineSliceBench (engine-free C#)
STEP_BUDGET = ROOT / "unity_package" / "Runtime" / "Playback" / "StepBudget.cs"
FRAME_TARGET_MS = 1.0


def slice_rows(requests: int, bars_list: List[int]) -> Optional[List[Dict]]:
    """The sliced request per preset and length (EngineSliceBench); None (with a note) when it does not build."""
    try:
        exe = build_program("EngineSliceBench", STEP_BUDGET)
    except subprocess.CalledProcessError as exc:
        print(f"[engine] EngineSliceBench did not build ({exc}); no slicing figures", file=sys.stderr)
        return None
    rows = []
    for bars, preset in bars_list:
        print(f"[engine] sliced {bars}-bar requests ({preset}): C#", file=sys.stderr)
        rows.append({"bars": bars, "preset": preset, "cs": _run(exe, ASSETS, requests, bars, preset)})
    return rows


def _run(exe: Path, *args) -> Dict[str, float]:
    proc = subprocess.run(["mono", str(exe), *map(str, args)], cwd=OUT, stdout=subprocess.PIPE, text=True,
                          env={**os.environ, "RIFFFORGE_REPO": str(ROOT)})
    values = {key: float(value) for key, value in (line.split() for line in proc.stdout.splitlines() if line.strip())}
    values["exit"] = proc.returncode
    return values


def python_decode_ms(name: str, n: int) -> Dict[str, float]:
    """The Python runtime's sampled decode of the same code (batch 1): p50/p99 ms."""
    from riffforge.runtime import limit_blas_threads, load_bundle
    from riffforge.runtime.render import root_controls

    limit_blas_threads()
    bundle = load_bundle(MODELS / name)
    cfg = bundle.config
    z = np.random.default_rng(11).standard_normal((1, cfg.z_size)).astype(np.float32)
    ctrl = None
    if cfg.control_depth:
        guitar = load_bundle(MODELS / "metal-guitar")
        ctrl = root_controls(guitar.model.decode(z, temperature=0.0).classes[0, :, 0].tolist(), cfg.control_depth)
    for i in range(10):
        bundle.model.decode(z, temperature=1.0, rng=np.random.default_rng(i), controls=ctrl)
    ts = []
    for i in range(n):
        t = time.perf_counter()
        bundle.model.decode(z, temperature=1.0, rng=np.random.default_rng(i), controls=ctrl)
        ts.append(time.perf_counter() - t)
    ms = np.asarray(ts) * 1e3
    return {"p50": float(np.percentile(ms, 50)), "p99": float(np.percentile(ms, 99))}


def decode_rows(exe: Path, decodes: int) -> List[Dict]:
    rows = []
    for name in BUNDLES:
        print(f"[engine] {name}: C# decodes", file=sys.stderr)
        cs = _run(exe, ASSETS, VECTORS, name, decodes)
        print(f"[engine] {name}: Python decodes", file=sys.stderr)
        rows.append({"bundle": name, "cs": cs, "py": python_decode_ms(name, min(decodes, 200))})
    return rows


#: Generator settings timed per request: (name, EngineRequestBench preset, ModelGenerator keyword arguments)
PRESETS = (("default", "default", {}), ("fast", "fast", {"candidates": 1, "drum_candidates": 1}))
REQUEST_TARGET_MS = (80.0, 120.0)   # p50, p99 of a 2-bar band riff


def request_rows(requests: int, bars: int) -> Optional[List[Dict]]:
    """Whole band riffs per preset (:data:`PRESETS`): C# EngineGenerator.Generate (EngineRequestBench) beside
    Python's ModelGenerator.generate on the shipped bundles, the same requests. None (with a note) when the C#
    generator does not build."""
    try:
        exe = build_program("EngineRequestBench")
    except subprocess.CalledProcessError as exc:
        print(f"[engine] EngineRequestBench did not build ({exc}); no request timing", file=sys.stderr)
        return None
    return [dict(_request_row(exe, requests, bars, preset, kwargs), preset=name) for name, preset, kwargs in PRESETS]


def _request_row(exe: Path, requests: int, bars: int, preset: str, kwargs: Dict) -> Dict:
    print(f"[engine] band requests ({preset}): C#", file=sys.stderr)
    cs = _run(exe, ASSETS, requests, bars, preset)
    print(f"[engine] band requests ({preset}): Python", file=sys.stderr)
    from riffforge.generation import RiffRequest
    from riffforge.runtime import limit_blas_threads, load_bundle
    from riffforge.runtime.generator import ModelGenerator

    limit_blas_threads()
    gen = ModelGenerator([load_bundle(MODELS / b) for b in BUNDLES], **kwargs)
    styles = ("thrash", "death", "doom", "groove", "black", "djent")

    def req(i):
        return RiffRequest(intensity=i % 11 / 10.0, style=styles[i % len(styles)], bars=bars, seed=1000 + i)

    for i in range(3):
        gen.generate(req(i))
    ts = []
    for i in range(min(requests, 100)):
        t = time.perf_counter()
        gen.generate(req(i))
        ts.append(time.perf_counter() - t)
    ms = np.asarray(ts) * 1e3
    return {"cs": cs, "py": {"p50": float(np.percentile(ms, 50)), "p99": float(np.percentile(ms, 99))}}


def _f(v, fmt="{:.2f}"):
    return "n/a" if v is None or (isinstance(v, float) and np.isnan(v)) else fmt.format(v)


def report(rows: List[Dict], request: Optional[List[Dict]], bars: int, build: str = "vector4") -> None:
    print(f"\nIn-engine decoder (RiffForge.Engine.LstmDecoder, {build} build) on Mono, one thread; Python runtime beside it")
    head = ("bundle", "parity", "max |dlogit|", "C# p50 ms", "C# p99 ms", "Begin ms", "B alloc/step", "gen0 GCs",
            "load ms", "weights MB", "file MB", "Python p50 ms", "Python p99 ms")
    lines = [head]
    for r in rows:
        cs, py = r["cs"], r["py"]
        lines.append((r["bundle"], f"{int(cs.get('parity_pass', 0))}/{int(cs.get('parity_pass', 0) + cs.get('parity_fail', 0))}",
                      _f(cs.get("max_logit_diff"), "{:.1e}"), _f(cs.get("decode_ms_p50")), _f(cs.get("decode_ms_p99")),
                      _f(cs.get("begin_ms_p50")), _f(cs.get("alloc_bytes_per_step"), "{:.1f}"),
                      _f(cs.get("gen0_collections"), "{:.0f}"), _f(cs.get("load_ms_p50"), "{:.1f}"),
                      _f(cs.get("model_bytes", 0) / 1e6, "{:.1f}"), _f(cs.get("file_bytes", 0) / 1e6, "{:.1f}"),
                      _f(py["p50"]), _f(py["p99"])))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    for line in lines:
        print("  " + "  ".join(str(c).rjust(w) for c, w in zip(line, widths)))
    counter = rows[0]["cs"].get("alloc_counter_per_thread") if rows else None
    print(f"  allocations counted with {'GC.GetAllocatedBytesForCurrentThread' if counter else 'GC.GetTotalMemory'}")
    decode = [r["cs"].get("decode_ms_p50", float("nan")) for r in rows]
    if decode:
        # a 2-bar band riff decodes guitar and drums candidates and the bass: about 6 decodes
        six = 2 * sum(decode)
        print(f"  6 decodes (2 per model) at p50: {six:.1f} ms (target <= 80 ms)")
    if request is not None:
        print(f"\nWhole {bars}-bar band request (EngineGenerator.Generate vs ModelGenerator.generate, same requests)")
        for row in request:
            cs, py = row["cs"], row["py"]
            p50, p99 = cs.get("request_ms_p50", float("nan")), cs.get("request_ms_p99", float("nan"))
            met = p50 <= REQUEST_TARGET_MS[0] and p99 <= REQUEST_TARGET_MS[1]
            print(f"  {row['preset']:8s} ({_f(cs.get('candidates'), '{:.0f}')} guitar, "
                  f"{_f(cs.get('drum_candidates'), '{:.0f}')} drum candidates): C# p50 {_f(p50)} ms, p99 {_f(p99)} ms, "
                  f"{_f(cs.get('request_alloc_bytes', float('nan')) / 1e3, '{:.1f}')} kB allocated per riff; "
                  f"Python p50 {_f(py['p50'])} ms, p99 {_f(py['p99'])} ms"
                  + (f"; target p50 <= {REQUEST_TARGET_MS[0]:.0f}, p99 <= {REQUEST_TARGET_MS[1]:.0f} ms "
                     f"{'met' if met else 'MISSED'}" if bars == 2 else ""))


def report_slices(rows: List[Dict]) -> None:
    print("\nSliced request (GenerationJob.Step(1) per work unit; frames of StepBudget's default budget: 0.7 ms planned, <= 1 ms the target; as EngineRunner.Pump)")
    for row in rows:
        cs = row["cs"]
        frame_max = cs.get("frame_ms_max", float("nan"))
        print(f"  {row['bars']}-bar {row['preset']:8s}: {_f(cs.get('slice_units_per_request'), '{:.0f}')} units "
              f"({_f(cs.get('slice_decoder_steps_per_request'), '{:.0f}')} decoder steps); unit ms p50 "
              f"{_f(cs.get('slice_ms_p50'), '{:.3f}')}, p99 {_f(cs.get('slice_ms_p99'), '{:.3f}')}, heaviest (median of "
              f"repeats) {_f(cs.get('slice_ms_max_median'), '{:.3f}')}, max {_f(cs.get('slice_ms_max'), '{:.3f}')}; "
              f"{_f(cs.get('slice_alloc_bytes_before_last'), '{:.0f}')} B allocated before the last unit "
              f"({_f(cs.get('slice_alloc_bytes_last', float('nan')) / 1e3, '{:.1f}')} kB in it: the riff)")
        print(f"  {'':{len(str(row['bars'])) + 13}s}frames: {_f(cs.get('frames_per_request'), '{:.1f}')} per request, "
              f"work ms p50 {_f(cs.get('frame_ms_p50'), '{:.3f}')}, p99 {_f(cs.get('frame_ms_p99'), '{:.3f}')}, max "
              f"{_f(frame_max, '{:.3f}')}, {_f(cs.get('frames_over_1ms_percent'), '{:.1f}')}% over {FRAME_TARGET_MS:.0f} ms (wall clock)")
        if "frame_cpu_ms_max" in cs:
            print(f"  {'':{len(str(row['bars'])) + 13}s}        thread CPU ms p50 {_f(cs.get('frame_cpu_ms_p50'), '{:.3f}')}, p99 "
                  f"{_f(cs.get('frame_cpu_ms_p99'), '{:.3f}')}, max {_f(cs.get('frame_cpu_ms_max'), '{:.3f}')}, "
                  f"{_f(cs.get('frames_cpu_over_1ms_percent'), '{:.1f}')}% over {FRAME_TARGET_MS:.0f} ms (without preemption)")
        print(f"  {'':{len(str(row['bars'])) + 13}s}        work of its units ms p50 {_f(cs.get('frame_units_ms_p50'), '{:.3f}')}, p99 "
              f"{_f(cs.get('frame_units_ms_p99'), '{:.3f}')}, max {_f(cs.get('frame_units_ms_max'), '{:.3f}')}, "
              f"{_f(cs.get('frames_units_over_1ms_percent'), '{:.1f}')}% over {FRAME_TARGET_MS:.0f} ms (each unit's median over the repeats)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decodes", type=int, default=300, help="timed C# decodes per bundle (default 300)")
    parser.add_argument("--requests", type=int, default=60, help="timed whole requests (default 60)")
    parser.add_argument("--bars", type=int, default=2, help="bars per requested riff (default 2)")
    parser.add_argument("--no-request", action="store_true", help="skip the whole-request timing")
    parser.add_argument("--slice-requests", type=int, default=8, help="sliced requests per row (default 8; 0 skips)")
    parser.add_argument("--slice-bars", type=int, default=8, help="bars of the extra sliced row, default preset (default 8)")
    parser.add_argument("--engine-build", choices=sorted(ENGINE_BUILDS), default="vector4",
                        help="how RiffForge.Engine is compiled: vector4 (Unity's .NET Standard level, default) or "
                             "net-framework (its .NET Framework level: NET_4_6, scalar decoder)")
    args = parser.parse_args(argv)
    build_engine(args.engine_build)
    print(f"[engine] RiffForge.Engine build: {args.engine_build}", file=sys.stderr)
    exe = build_program("EngineBench")
    rows = decode_rows(exe, args.decodes)
    request = None if args.no_request else request_rows(args.requests, args.bars)
    report(rows, request, args.bars, args.engine_build)
    if args.slice_requests > 0:
        which = [(args.bars, name) for name, _, _ in PRESETS]
        if args.slice_bars != args.bars:
            which.append((args.slice_bars, "default"))
        slices = slice_rows(args.slice_requests, which)
        if slices is not None:
            report_slices(slices)
    failed = [r["bundle"] for r in rows if r["cs"].get("parity_fail", 1) or r["cs"].get("exit")]
    if failed:
        print(f"parity FAILED for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
