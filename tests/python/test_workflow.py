"""The CI workflows: actionlint (v1.7.7, WebAssembly build from npm, offline; installed by
build/setup_tools.sh) finds no problem in them and does find problems in a broken copy, and the
build-sidecar workflow has the shape issue 10 asks for (4-platform matrix, build -> smoke -> frozen interop ->
tar -> upload, tag-only release that assembles the package and attaches it to the GitHub release, optional
secrets-driven macOS signing), and every runner label and action version in both workflows is a current one."""
from __future__ import annotations

import re
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

# The standard GitHub-hosted runner labels GitHub documents as current, as of 3 December 2026:
#   https://docs.github.com/en/actions/reference/runners/github-hosted-runners ("Standard GitHub-hosted runners
#   for public repositories"), and https://github.com/actions/runner-images (the "Available Images" table).
# macos-13 (the last Intel image before macos-15-intel) was retired on 4 December 2025; GitHub's changelog names
# macos-15-intel as its Intel replacement:
#   https://github.blog/changelog/2025-09-19-github-actions-macos-13-runner-image-is-closing-down/
# macos-latest and macos-15 / macos-26 are Apple silicon (arm64); macos-15-intel and macos-26-intel are x64.
# When GitHub retires an image, remove its label here and the test below names every workflow still using it.
CURRENT_RUNNER_LABELS = frozenset({
    "ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
    "windows-latest", "windows-2025", "windows-2022", "windows-11-arm",
    "macos-latest", "macos-15", "macos-26", "macos-15-intel", "macos-26-intel",
})
# Labels newer than the actionlint release build/setup_tools.sh installs (v1.7.7, which predates
# macos-15-intel): its "label is unknown" finding is dropped for these, and only for these.
NEWER_THAN_ACTIONLINT = frozenset({"macos-15-intel", "macos-26", "macos-26-intel", "windows-11-arm"})
# The oldest major version of each action still supported. actions/upload-artifact and download-artifact v3
# stopped working on 30 January 2025 (https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/);
# checkout v4 and setup-python v5 run on the runners' current Node.js.
MINIMUM_ACTION_MAJOR = {"actions/checkout": 4, "actions/setup-python": 5, "actions/upload-artifact": 4,
                        "actions/download-artifact": 4}


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


def _real_problems(output: str) -> list:
    """actionlint's findings, less "label is unknown" for labels GitHub added after that actionlint release."""
    problems = []
    for line in output.splitlines():
        if not line.endswith("]") or line.startswith("actionlint:"):
            continue
        match = re.search(r'label "([^"]+)" is unknown', line)
        if match and line.endswith("[runner-label]") and match.group(1) in NEWER_THAN_ACTIONLINT:
            continue
        problems.append(line)
    return problems


def test_workflows_pass_actionlint():
    assert WORKFLOW in WORKFLOWS
    result = actionlint(*WORKFLOWS)
    assert result.returncode in (0, 1) and f"{len(WORKFLOWS)} file(s), " in result.stdout, result.stdout + result.stderr
    assert _real_problems(result.stdout) == [], result.stdout


def _runs_on_labels(wf: dict) -> list:
    """``(job, label)`` for every runner label a workflow's jobs can ask for (matrix values resolved)."""
    labels = []
    for name, job in wf["jobs"].items():
        runs_on = job["runs-on"]
        if isinstance(runs_on, str) and runs_on.startswith("${{"):
            key = re.fullmatch(r"\$\{\{\s*matrix\.([A-Za-z_-]+)\s*\}\}", runs_on)
            assert key, f"job {name}: runs-on {runs_on!r} is an expression this test cannot resolve"
            matrix = job["strategy"]["matrix"]
            values = [m[key.group(1)] for m in matrix.get("include", [])] + list(matrix.get(key.group(1), []))
            labels += [(name, v) for v in values]
        else:
            labels += [(name, v) for v in ([runs_on] if isinstance(runs_on, str) else runs_on)]
    return labels


@pytest.mark.parametrize("path", [WORKFLOW, TEMPLATE], ids=lambda p: p.name)
def test_every_runs_on_label_is_a_current_github_hosted_runner(path):
    labels = _runs_on_labels(load(path))
    assert labels
    stale = [f"job {job}: {label}" for job, label in labels if label not in CURRENT_RUNNER_LABELS]
    assert stale == [], (f"{path.name}: runner labels GitHub no longer documents (a job on one never gets a "
                         f"runner): {stale}; pick one of {sorted(CURRENT_RUNNER_LABELS)}")


def test_the_current_label_list_rejects_the_retired_intel_image():
    assert "macos-13" not in CURRENT_RUNNER_LABELS and "macos-15-intel" in CURRENT_RUNNER_LABELS
    assert NEWER_THAN_ACTIONLINT <= CURRENT_RUNNER_LABELS


@pytest.mark.parametrize("path", [WORKFLOW, TEMPLATE], ids=lambda p: p.name)
def test_actions_are_supported_major_versions(path):
    uses = [str(step["uses"]) for job in load(path)["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses
    for ref in uses:
        action, _, version = ref.partition("@")
        assert action in MINIMUM_ACTION_MAJOR, f"{path.name}: {ref} is not an action this test knows; add its minimum"
        major = re.fullmatch(r"v(\d+)", version)
        assert major and int(major.group(1)) >= MINIMUM_ACTION_MAJOR[action], \
            f"{path.name}: {ref}; use {action}@v{MINIMUM_ACTION_MAJOR[action]} or newer"


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
        ("macos-15-intel", "osx-x64")}
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
    assemble_at = _step_index(release, "build/assemble_package.py")
    assemble = _steps(release)[assemble_at]["run"]
    assert "--version" in assemble and "--out dist" in assemble  # the tag must match package.json
    assert '--repository-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY"' in assemble  # package.json's links
    # The UPM tarball users install with "Add package from tarball" is attached to the GitHub release.
    publish_at = _step_index(release, "gh release create")
    assert publish_at > assemble_at
    assert "dist/*.tgz" in _steps(release)[publish_at]["run"]


def test_template_collects_every_platform_built():
    wf = load(TEMPLATE)
    include = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
    assert {m["platform"] for m in include} == {"linux-x64", "win-x64", "osx-arm64", "osx-x64"}
    assert {m["os"] for m in include if m["platform"] == "osx-x64"} == {"macos-15-intel"}
    assert wf["jobs"]["collect"]["needs"] == "build"


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
