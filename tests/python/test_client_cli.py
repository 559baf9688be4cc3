"""`riffforge client request|ping` against a spawned sidecar and against a running one (--port/--token)."""
from __future__ import annotations

import subprocess
import sys

from riffforge.music.midi import midi_to_riff
from wire_helpers import TOKEN, make_sidecar  # noqa: F401


def cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "riffforge", "client", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_request_from_a_spawned_sidecar(tmp_path):
    out = tmp_path / "riff.mid"
    result = cli("request", "--intensity", "0.7", "--style", "thrash", "--out", str(out), "--png",
                 str(tmp_path / "riff.png"))
    assert result.returncode == 0, result.stderr
    riff = midi_to_riff(out)
    assert riff.style == "thrash" and abs(riff.intensity - 0.7) < 1e-9
    assert (tmp_path / "riff.png").stat().st_size > 100
    assert "spawned sidecar" in result.stdout


def test_request_and_ping_against_a_running_sidecar(tmp_path, make_sidecar):
    sidecar = make_sidecar()
    out = tmp_path / "r.mid"
    result = cli("request", "--port", str(sidecar.port), "--token", TOKEN, "--intensity", "0.3", "--style", "doom",
                 "--seed", "12", "--bars", "4", "--out", str(out))
    assert result.returncode == 0, result.stderr
    riff = midi_to_riff(out)
    assert (riff.style, riff.seed, riff.bars, riff.model_id) == ("doom", 12, 4, "fake")
    assert sidecar.thread.is_alive()          # a sidecar we did not start is not told to quit
    result = cli("ping", "--port", str(sidecar.port), "--token", TOKEN, "--count", "3")
    assert result.returncode == 0 and "3 pings" in result.stdout


def test_cli_errors_are_one_line(make_sidecar):
    sidecar = make_sidecar()
    result = cli("request", "--port", str(sidecar.port), "--intensity", "0.5")
    assert result.returncode == 2 and "--token" in result.stderr
    result = cli("request", "--intensity", "1.5")
    assert result.returncode == 2 and "intensity" in result.stderr and "Traceback" not in result.stderr
    result = cli("request", "--port", str(sidecar.port), "--token", "rf-wrong-token-00000", "--intensity", "0.5",
                 "--timeout", "0.5")
    assert result.returncode == 2 and "no hello" in result.stderr
