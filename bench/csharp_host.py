"""Shared by the C# host benches: build RiffForge.Core and a bench program with Mono's mcs, run it under mono
against the source sidecar and, when a frozen build is present in ``unity_package/Sidecar~/``, the frozen one.

A bench program prints ``key value`` lines on stdout (progress goes to stderr); :func:`run_against_sidecars`
returns them as floats, one dict per sidecar kind (``source``, ``frozen``).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterable, List

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "csharp"
CORE = ROOT / "unity_package" / "Runtime" / "Core"
SIDECARS = ROOT / "unity_package" / "Sidecar~"
MCS = ["mcs", "-langversion:7.2", "-optimize+", "-nologo"]


def build(program: str, extra_sources: Iterable[str] = ()) -> Path:
    """Compile RiffForge.Core and ``bench/csharp/<program>.cs`` (plus ``extra_sources`` and the shared
    ``BenchOutput.cs``) into ``OUT``."""
    OUT.mkdir(parents=True, exist_ok=True)
    core = OUT / "RiffForge.Core.dll"
    subprocess.run(MCS + ["-target:library", f"-out:{core}", f"-recurse:{CORE}/*.cs"], check=True)
    exe = OUT / f"{program}.exe"
    subprocess.run(MCS + [f"-out:{exe}", f"-r:{core}", *extra_sources, str(ROOT / "bench" / "csharp" / "BenchOutput.cs"),
                          str(ROOT / "bench" / "csharp" / f"{program}.cs")], check=True)
    return exe


def _run(exe: Path, kind: str, target: str, args: List[str]) -> Dict[str, float]:
    proc = subprocess.run(["mono", str(exe), kind, target, *args], cwd=OUT,
                          stdout=subprocess.PIPE, text=True, check=True)  # progress goes to stderr
    return {key: float(value) for key, value in (line.split() for line in proc.stdout.splitlines() if line.strip())}


def run_against_sidecars(exe: Path, python: str, args: List[str]) -> Dict[str, Dict[str, float]]:
    """Run ``exe`` against the source sidecar (``python -m riffforge sidecar``) and any frozen build."""
    results = {"source": _run(exe, "source", python, args)}
    platforms = [p for p in SIDECARS.iterdir() if p.is_dir()] if SIDECARS.is_dir() else []
    if any((p / "riffforge-sidecar").exists() or (p / "riffforge-sidecar.exe").exists() for p in platforms):
        try:
            results["frozen"] = _run(exe, "frozen", str(SIDECARS), args)
        except subprocess.CalledProcessError as exc:
            print(f"frozen sidecar bench failed: {exc}", file=sys.stderr)
    return results
