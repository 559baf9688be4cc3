"""The sidecar as a real process, launched the way Unity launches it: READY line, handshake, quit,
parent death (SIGKILL of the client), heartbeat timeout, lean imports, CLI errors."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from riffforge.client import SidecarClient, parse_ready_line
from riffforge.protocol.messages import Hello
from wire_helpers import make_host  # noqa: F401

POSIX = os.name == "posix"


def pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as exited)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
        return stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3] not in (b"Z", b"X")
    except OSError:
        return False


def wait_gone(pid: int, timeout: float) -> float:
    start = time.monotonic()
    while pid_alive(pid):
        if time.monotonic() - start > timeout:
            return float("inf")
        time.sleep(0.02)
    return time.monotonic() - start


@pytest.fixture
def reaper():
    """Kills every pid registered with it at the end of the test, whatever happened."""
    pids = []
    yield pids.append
    for pid in pids:
        if pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def sidecar_cmd(*args: str):
    return [sys.executable, "-m", "riffforge", "sidecar", *args]


def test_spawn_handshake_and_quit_exits_cleanly(reaper):
    client = SidecarClient.spawn(heartbeat_timeout=10)
    reaper(client.process.pid)
    try:
        ready = client.process.ready
        assert ready["protocol"] == "1.0" and int(ready["pid"]) == client.process.pid
        assert client.capabilities["model_ids"] and client.capabilities["heartbeat_timeout_ms"] == 10000
        assert client.request(0.5, style="thrash", seed=11).seed == 11
    finally:
        start = time.monotonic()
        code = client.close()
    assert code == 0 and time.monotonic() - start < 2.0


@pytest.mark.skipif(not POSIX, reason="SIGKILL")
def test_sigkill_of_the_client_makes_the_sidecar_exit_within_2s(tmp_path, reaper):
    script = textwrap.dedent("""
        import sys, time
        from riffforge.client import SidecarClient
        client = SidecarClient.spawn(heartbeat_timeout=60)   # the heartbeat cannot be what stops it
        print(client.process.pid, flush=True)
        time.sleep(60)
    """)
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    reaper(owner.pid)
    line = owner.stdout.readline()
    assert line.strip().isdigit(), f"client process printed {line!r}"
    sidecar_pid = int(line)
    reaper(sidecar_pid)
    assert pid_alive(sidecar_pid)
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait(5)
    owner.stdout.close()
    assert wait_gone(sidecar_pid, 3.0) < 2.0


@pytest.mark.skipif(not POSIX, reason="POSIX process handling")
def test_parent_pid_gone_even_while_a_zombie(make_host, reaper):
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    reaper(parent.pid)
    host = make_host(1)
    proc = subprocess.Popen(sidecar_cmd("--host-port", str(host.port), "--parent-pid", str(parent.pid),
                                        "--token", "rf-test-token-0123456789abcdef", "--heartbeat-timeout", "0"),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    reaper(proc.pid)
    assert parse_ready_line(proc.stdout.readline().strip())["pid"] == str(proc.pid)
    assert isinstance(host.recv(5.0), Hello)
    os.kill(parent.pid, signal.SIGKILL)     # not reaped yet: a zombie must count as gone
    start = time.monotonic()
    code = proc.wait(3.0)
    assert code == 0 and time.monotonic() - start < 2.0
    parent.wait(5)
    proc.stdout.close()


def test_heartbeat_timeout_without_a_host(make_host, reaper):
    host = make_host(1)
    proc = subprocess.Popen(sidecar_cmd("--host-port", str(host.port), "--token", "rf-test-token-0123456789abcdef",
                                        "--heartbeat-timeout", "0.6"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reaper(proc.pid)
    proc.stdout.readline()
    start = time.monotonic()
    code = proc.wait(5.0)
    assert code == 0 and 0.5 < time.monotonic() - start < 2.5
    assert "heartbeat timeout" in proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()


def test_sidecar_without_token_prints_one_and_accepts_connect(reaper):
    proc = subprocess.Popen(sidecar_cmd("--heartbeat-timeout", "5"), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env={**os.environ, "RIFFFORGE_TOKEN": ""})
    reaper(proc.pid)
    ready = parse_ready_line(proc.stdout.readline().strip())
    client = SidecarClient.connect(int(ready["port"]), ready["token"])
    try:
        assert client.request(0.9, style="black", seed=2).style == "black"
    finally:
        client.close()
    assert proc.wait(2.0) == 0
    proc.stdout.close()


def test_bad_token_is_a_usage_error():
    result = subprocess.run(sidecar_cmd("--token", "short"), capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--token" in result.stderr and result.stdout == ""


def test_sidecar_imports_stay_lean():
    code = textwrap.dedent("""
        import sys
        import riffforge.cli.sidecar, riffforge.sidecar, riffforge.client, riffforge.protocol
        from riffforge.cli.sidecar import load_generator
        load_generator(None).capabilities()
        heavy = sorted(m for m in ("tensorflow", "keras", "matplotlib", "scipy", "note_seq", "pretty_midi")
                       if m in sys.modules)
        print(",".join(heavy))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_warm_prefetches_at_start_and_rejects_unknown_styles(reaper):
    result = subprocess.run(sidecar_cmd("--token", "rf-test-token-0123456789abcdef", "--warm", "polka"),
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--warm" in result.stderr
    client = SidecarClient.spawn(extra_args=["--warm", "doom"])
    reaper(client.process.pid)
    try:
        time.sleep(1.0)  # buckets 0.0, 0.1, ... are filled in order in the background; 0.0 comes first
        riff = client.request(0.04, style="doom")
        assert riff.intensity == 0.0  # the bucket centre: answered from the prefetch cache on first ask
    finally:
        client.close()


@pytest.mark.skipif(not POSIX, reason="signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_sigint_and_sigterm_stop_it_cleanly(sig, reaper):
    proc = subprocess.Popen(sidecar_cmd("--token", "rf-test-token-0123456789abcdef", "--heartbeat-timeout", "0"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reaper(proc.pid)
    proc.stdout.readline()
    start = time.monotonic()
    proc.send_signal(sig)
    assert proc.wait(3.0) == 0 and time.monotonic() - start < 2.0
    assert f"signal {sig.name}" in proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()


def test_models_dir_serves_the_model_runtime(tmp_path, reaper):
    """--models DIR: the sidecar lazily loads riffforge.runtime and serves the bundle's riffs."""
    from riffforge.configs import get_config
    from riffforge.runtime import random_canonical_weights, save_bundle

    cfg = get_config("tiny-trio_2bar")
    save_bundle(tmp_path / "band", cfg, random_canonical_weights(cfg, seed=2, scale=2.0))
    client = SidecarClient.spawn(models=tmp_path)
    reaper(client.process.pid)
    try:
        assert client.capabilities["model_ids"] != ["procedural"]
        riff = client.request(0.6, style="thrash", seed=21, timeout=10.0)
        assert riff.seed == 21 and riff.model_id != "procedural"
    finally:
        client.close()


def test_missing_models_dir_is_a_usage_error(tmp_path):
    result = subprocess.run(sidecar_cmd("--token", "rf-test-token-0123456789abcdef", "--models",
                                        str(tmp_path / "nope")), capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--models" in result.stderr


@pytest.mark.parametrize("args, named", [(("--port", "-5"), "--port -5"), (("--port", "70000"), "--port 70000"),
                                         (("--prefetch-depth", "-1"), "--prefetch-depth -1"),
                                         (("--parent-pid", "0"), "--parent-pid 0")])
def test_out_of_range_options_are_usage_errors(args, named):
    env = dict(os.environ, RIFFFORGE_TOKEN="rf-test-token-0123456789abcdef")
    result = subprocess.run(sidecar_cmd(*args), capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 2, result.stderr  # usage errors exit 2: a host does not retry them
    assert named in result.stderr and result.stdout == ""


def test_a_token_on_the_command_line_is_warned_about():
    result = subprocess.run(sidecar_cmd("--token", "rf-test-token-0123456789abcdef", "--port", "-5"),
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "--token on the command line is visible" in result.stderr and "RIFFFORGE_TOKEN" in result.stderr


def test_models_dir_without_bundles_says_it_serves_the_procedural_generator(tmp_path, caplog):
    from riffforge.cli.sidecar import load_generator

    with caplog.at_level(logging.WARNING, logger="riffforge.sidecar"):
        generator = load_generator(tmp_path)
    assert generator.capabilities().model_ids == ("procedural",)
    lines = [r.getMessage() for r in caplog.records]
    assert any(str(tmp_path) in m and "no model bundle" in m and "procedural" in m for m in lines), lines
