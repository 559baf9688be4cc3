"""The C# interop tests (tests/csharp/Interop, owned by the Unity core) run against the FROZEN sidecar: the
C# supervisor finds ``unity_package/Sidecar~/<platform>/riffforge-sidecar`` through ``SidecarLocator.Frozen``
(``RIFFFORGE_SIDECAR=frozen``) and runs every interop check (handshake, three intensities, errors, version
mismatch, wrong token, SIGKILL restart, dispose, reaping, heartbeat, fuzz) against it. ``./run test`` runs the
same C# tests against the source sidecar in its C# step.

The frozen build comes from build/frozen_cache.py (built once per source state) and is copied into the
package folder, exactly where ``python build/build_sidecar.py`` puts it (git-ignored). Needs Mono and
nunit-console, which ``./run test`` installs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "build"))

import frozen_cache  # noqa: E402
import sidecar_layout  # noqa: E402


def test_csharp_interop_against_the_frozen_sidecar():
    for tool in ("mcs", "mono", "nunit-console"):
        assert shutil.which(tool), f"{tool} not found: run ./run setup (it installs mono-mcs, mono-runtime, nunit-console)"
    folder = frozen_cache.cached_frozen_sidecar(log=lambda msg: print(msg, file=sys.stderr))
    installed = frozen_cache.install_into_package(folder)
    assert installed == sidecar_layout.platform_dir(sidecar_layout.current_platform())
    env = {**os.environ, "RIFFFORGE_SIDECAR": "frozen", "RIFFFORGE_PYTHON": sys.executable,
           "RIFFFORGE_REPO": str(REPO)}
    result = subprocess.run(["bash", str(REPO / "tests" / "csharp" / "run.sh"),
                             "-run=RiffForge.Repo.Tests.SidecarInteropTests"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "Failures: 0" in output and "Errors: 0" in output and "Tests run: 0," not in output, output[-3000:]
