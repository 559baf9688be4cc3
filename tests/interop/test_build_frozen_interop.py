"""The sidecar's process-level interop checks, run against BOTH the source sidecar (``python -m riffforge
sidecar``) and the frozen PyInstaller build (``riffforge-sidecar``), launched the way the Unity supervisor
launches them: READY line, handshake, riffs at three intensities, version mismatch, wrong token, clean quit,
parent death, heartbeat timeout, usage errors. Plus checks only the frozen build needs: same riff as the
source for the same seed, no TensorFlow inside, manifest matches, ``--version``.

The frozen build is made once per source state (``build/frozen_cache.py``: ~15 s, then cached by source
fingerprint under build/work/); CI sets ``RIFFFORGE_FROZEN_SIDECAR`` to the folder its build step made.
Everything here is cross-platform (CI runs it on Linux, Windows and both macOS architectures).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "build"))

import bundle_audit  # noqa: E402
import frozen_cache  # noqa: E402
import sidecar_smoke  # noqa: E402
from riffforge import __version__  # noqa: E402
from riffforge.client import parse_ready_line  # noqa: E402
from riffforge.generation import RiffRequest  # noqa: E402
from riffforge.music.riff import INSTRUMENTS  # noqa: E402
from riffforge.protocol import chunking, payloads  # noqa: E402
from riffforge.protocol.constants import (BIND_ADDRESS, EXIT_REJECTED, EXIT_USAGE, PROTOCOL_VERSION,  # noqa: E402
                                          TOKEN_ENV)
from riffforge.protocol.messages import (Error, Hello, Quit, Reject, Request, RiffChunk, Welcome,  # noqa: E402
                                         decode_message, encode_message)

TOKEN = "rf-frozen-test-token-0123456789"
KINDS = ("source", "frozen")


@pytest.fixture(scope="session")
def frozen_dir() -> Path:
    return frozen_cache.cached_frozen_sidecar(log=lambda msg: print(msg, file=sys.stderr))


@pytest.fixture(params=KINDS)
def command(request) -> List[str]:
    """The sidecar command without launch arguments: source or frozen."""
    if request.param == "source":
        return sidecar_smoke.source_command()
    return [str(frozen_cache.frozen_executable(request.getfixturevalue("frozen_dir")))]


@pytest.fixture
def processes():
    """Popen objects registered here are killed at the end of the test, whatever happened."""
    procs: List[subprocess.Popen] = []
    yield procs.append
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


class RawHost:
    """The host end by hand: a UDP socket on 127.0.0.1 that launches the sidecar with --host-port."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((BIND_ADDRESS, 0))
        self.sidecar = None

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def launch(self, command: List[str], *args: str, parent_pid=None, heartbeat="5") -> subprocess.Popen:
        cmd = list(command) + ["--host-port", str(self.port), "--heartbeat-timeout", heartbeat, *args]
        if parent_pid is not None:
            cmd += ["--parent-pid", str(parent_pid)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, TOKEN_ENV: TOKEN})
        return proc

    def recv(self, timeout: float = 5.0):
        self.sock.settimeout(timeout)
        try:
            data, address = self.sock.recvfrom(65536)
        except socket.timeout:
            return None
        self.sidecar = address
        return decode_message(data)

    def send(self, message) -> None:
        self.sock.sendto(encode_message(message), self.sidecar)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def host():
    h = RawHost()
    yield h
    h.close()


def ready_and_hello(proc: subprocess.Popen, host: RawHost) -> dict:
    line = proc.stdout.readline()
    assert line, f"no READY line; stderr: {proc.stderr.read()[-2000:]}"
    ready = parse_ready_line(line.strip())
    hello = host.recv(10.0)
    assert isinstance(hello, Hello), f"expected hello, got {hello!r}"
    assert hello.token == TOKEN and hello.protocol_version == PROTOCOL_VERSION
    return ready


# -- the checks, source and frozen alike ------------------------------------------------------------------

def test_ready_handshake_riff_and_clean_quit(command):
    start = time.monotonic()
    client = sidecar_smoke.spawn_client(command, heartbeat_timeout=10)
    try:
        ready = client.process.ready
        assert ready["protocol"] == PROTOCOL_VERSION and ready["version"] == __version__
        assert int(ready["pid"]) == client.process.pid
        caps = client.capabilities
        assert set(caps["instruments"]) == set(INSTRUMENTS) and "thrash" in caps["styles"]
        assert caps["heartbeat_timeout_ms"] == 10000 and caps["model_ids"]
        riff = client.request(0.5, style="thrash", bars=2, seed=11)
        assert riff.seed == 11 and riff.bars == 2 and riff.style == "thrash"
    finally:
        quit_at = time.monotonic()
        code = client.close()
    assert code == 0 and time.monotonic() - quit_at < 2.0
    assert quit_at - start < 30


@pytest.mark.parametrize("style", ["thrash", "doom"])
def test_riffs_at_three_intensities_have_valid_content(command, style):
    client = sidecar_smoke.spawn_client(command, heartbeat_timeout=10)
    try:
        for intensity in (0.1, 0.5, 0.95):
            riff = client.request(intensity, style=style, bars=4, seed=7)
            assert riff.style == style and riff.bars == 4 and abs(riff.intensity - intensity) < 1e-6
            assert 40 <= riff.tempo <= 320
            steps = riff.bars * 16
            for inst in INSTRUMENTS:
                notes = riff.tracks[inst]
                assert notes, f"{inst} is empty at intensity {intensity}"
                for note in notes:
                    assert 0 <= note.start < steps and note.length >= 1 and note.start + note.length <= steps
                    assert 0 <= note.pitch <= 127 and 1 <= note.velocity <= 127
    finally:
        assert client.close() == 0


def test_version_mismatch_is_reported_and_reject_exits(command, host, processes):
    proc = host.launch(command)
    processes(proc)
    ready_and_hello(proc, host)
    host.send(Welcome(TOKEN, "9.0", "test-host 0.0"))
    error = host.recv(5.0)
    assert isinstance(error, Error) and error.code == "version_mismatch"
    assert "9.0" in error.message and PROTOCOL_VERSION in error.message, error.message
    # Not welcomed: a request is refused, not served.
    request = payloads.encode_request(RiffRequest(intensity=0.5, style="thrash", bars=1, seed=1))
    host.send(Request(TOKEN, 5, request))
    answer = host.recv(5.0)
    assert isinstance(answer, Error) and answer.request_id == 5, answer
    host.send(Reject(TOKEN, "test: incompatible"))
    assert proc.wait(5.0) == EXIT_REJECTED


def test_wrong_token_is_dropped_and_the_session_goes_on(command, host, processes):
    proc = host.launch(command)
    processes(proc)
    ready_and_hello(proc, host)
    host.send(Welcome(TOKEN, PROTOCOL_VERSION, "test-host 0.0"))
    request = payloads.encode_request(RiffRequest(intensity=0.7, style="death", bars=2, seed=3))
    host.send(Request("not-the-token-0000", 1, request))
    assert host.recv(0.5) is None, "a request with the wrong token was answered"
    host.send(Request(TOKEN, 2, request))
    reassembler = chunking.Reassembler(timeout=5.0)
    payload = None
    while payload is None:
        msg = host.recv(5.0)
        assert isinstance(msg, RiffChunk) and msg.request_id == 2, msg
        payload = reassembler.add(msg.request_id, msg.chunk_index, msg.chunk_count, msg.chunk)
    riff = payloads.decode_riff(payload)
    assert riff.style == "death" and riff.seed == 3
    host.send(Quit(TOKEN))
    assert proc.wait(2.0) == 0


def test_parent_death_stops_the_sidecar_within_2s(command, host, processes):
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    processes(parent)
    proc = host.launch(command, parent_pid=parent.pid, heartbeat="0")
    processes(proc)
    ready_and_hello(proc, host)
    parent.kill()
    killed = time.monotonic()
    assert proc.wait(5.0) == 0
    assert time.monotonic() - killed < 2.0
    parent.wait(5)


def test_heartbeat_timeout_without_a_host(command, host, processes):
    proc = host.launch(command, heartbeat="0.6")
    processes(proc)
    ready_and_hello(proc, host)
    start = time.monotonic()
    assert proc.wait(5.0) == 0
    assert time.monotonic() - start < 2.5
    assert "heartbeat timeout" in proc.stderr.read()


def test_bad_token_argument_is_a_usage_error(command):
    result = subprocess.run(list(command) + ["--token", "short"], capture_output=True, text=True, timeout=60)
    assert result.returncode == EXIT_USAGE and "--token" in result.stderr and result.stdout == ""


# -- frozen only ------------------------------------------------------------------------------------------

def test_frozen_and_source_generate_the_same_riff(frozen_dir):
    frozen = [str(frozen_cache.frozen_executable(frozen_dir))]
    riffs = {}
    for kind, command in (("source", sidecar_smoke.source_command()), ("frozen", frozen)):
        client = sidecar_smoke.spawn_client(command, heartbeat_timeout=10)
        try:
            riffs[kind] = [client.request(i, style=s, bars=2, seed=99).to_dict()
                           for i, s in ((0.2, "black"), (0.8, "djent"))]
        finally:
            client.close()
    assert riffs["frozen"] == riffs["source"]


def test_frozen_bundle_has_no_tensorflow_and_matches_its_manifest(frozen_dir):
    exe = frozen_cache.frozen_executable(frozen_dir)
    modules = bundle_audit.archive_modules(exe)
    assert "riffforge.sidecar" in modules and "riffforge.cli.sidecar" in modules
    assert bundle_audit.forbidden_in_bundle(frozen_dir, executable=exe) == []
    assert bundle_audit.verify_manifest(frozen_dir) == []
    # The default model bundles ship as data, byte for byte, where riffforge.runtime looks for them.
    models_src = REPO / "python_sidecar" / "riffforge" / "models"
    for src in (p for p in models_src.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        shipped = frozen_dir / "_internal" / "riffforge" / "models" / src.relative_to(models_src)
        assert shipped.is_file(), f"{src} is not in the frozen build"
        assert bundle_audit.sha256_file(shipped) == bundle_audit.sha256_file(src)


def test_frozen_version_flag_and_sidecar_prefix(frozen_dir):
    exe = str(frozen_cache.frozen_executable(frozen_dir))
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == f"riffforge-sidecar {__version__}"
    # `riffforge-sidecar sidecar ...` (the CLI's own spelling) works too.
    result = subprocess.run([exe, "sidecar", "--token", "short"], capture_output=True, text=True, timeout=60)
    assert result.returncode == EXIT_USAGE and "--token" in result.stderr


@pytest.fixture(scope="module")
def band_models(tmp_path_factory) -> Path:
    """A tiny model bundle (random weights, tiny trio config) in a models folder, made with the runtime."""
    from riffforge.configs import get_config
    from riffforge.runtime import random_canonical_weights, save_bundle
    cfg = get_config("tiny-trio_2bar")
    root = tmp_path_factory.mktemp("models")
    save_bundle(root / "band", cfg, random_canonical_weights(cfg, seed=2, scale=2.0))
    return root


def test_model_bundles_are_served_and_frozen_matches_source(frozen_dir, band_models):
    """The numpy model runtime works inside the frozen build (lazy imports, .npz loading) and decodes the
    same riff as the source sidecar."""
    frozen = [str(frozen_cache.frozen_executable(frozen_dir))]
    riffs = {}
    for kind, command in (("source", sidecar_smoke.source_command()), ("frozen", frozen)):
        client = sidecar_smoke.spawn_client(command, models=band_models, heartbeat_timeout=10)
        try:
            assert "band" in client.capabilities["model_ids"]
            riff = client.request(0.7, style="thrash", bars=2, seed=5, timeout=10.0)
            assert riff.model_id == "band" and riff.seed == 5
            riffs[kind] = riff.to_dict()
        finally:
            assert client.close() == 0
    assert riffs["frozen"] == riffs["source"]
