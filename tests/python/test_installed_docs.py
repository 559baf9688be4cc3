"""The documentation a Unity user gets with the installed package stands alone: Documentation~/*.md, the
package README, the sample's README and Sidecar~/README.md never send the reader to a path of the RiffForge
repository that an installed package does not have (the package is only ``unity_package/``), and the
getting-started guide has the install paths, the Test Runner step and the place for measured timings."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "unity_package"
INSTALLED_DOCS = sorted((PACKAGE / "Documentation~").glob("*.md")) + [
    PACKAGE / "README.md", PACKAGE / "Samples~" / "MetalArena" / "README.md", PACKAGE / "Sidecar~" / "README.md"]

# Top-level folders and files of the repository that are not part of the package, and the repository's
# own commands; a path to one of them is a dead end for someone who installed the package.
REPOSITORY_ONLY = re.compile(
    r"(?<![\w~.-])(?:python_sidecar|bench|build|tests|protocol|docs|\.github|\.venv|\.ci)/"  # folders
    r"|(?<![\w/])\./run\b"                                                                   # ./run COMMAND
    r"|<repo>")


def _offenders(text: str) -> list:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in REPOSITORY_ONLY.finditer(line):
            found.append(f"line {number}: {match.group(0)!r} in {line.strip()!r}")
    return found


@pytest.mark.parametrize("path", INSTALLED_DOCS, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_installed_docs_name_no_repository_only_path(path):
    assert path.is_file(), f"{path}: missing"
    offenders = _offenders(path.read_text(encoding="utf-8"))
    assert offenders == [], (f"{path.relative_to(REPO)}: points at repository paths an installed package lacks "
                             f"(say what to do inside Unity, or link a page in Documentation~): {offenders}")


@pytest.mark.parametrize("line, bad", [
    ("run `python build/build_sidecar.py`", True),
    ("set Python Path to `<repo>/.venv/bin/python`", True),
    ("see `protocol/SPEC.md` in the repository", True),
    ("`./run setup` first", True),
    ("tests live in `tests/csharp/`", True),
    ("the player's `Contents/Helpers/RiffForgeSidecar`", False),
    ("*Edit > Project Settings > Audio*; see `Documentation~/python-sidecar.md`", False),
    ("Build for Windows x86_64, then *File > Build Settings*", False),
    ("`Packages/manifest.json` and `Runtime/Resources/RiffForgeSounds`", False),
])
def test_the_scan_tells_repository_paths_from_package_paths(line, bad):
    assert bool(_offenders(line)) is bad


def test_getting_started_has_both_install_paths_the_test_runner_and_measured_timings():
    text = (PACKAGE / "Documentation~" / "getting-started.md").read_text(encoding="utf-8")
    for needle in ("Add package from tarball", "Add package from git URL", "?path=unity_package",
                   "Add package from disk", "Set Up Python Sidecar", "python-sidecar.md", "Python 3.11",
                   '"testables"', "https://docs.unity3d.com/Manual/cus-tests.html",
                   "Contents/Helpers/RiffForgeSidecar", "start -> first baked riff",
                   "start -> first generated riff", "main thread (`Dispose`)"):
        assert needle in text, f"getting-started.md: no {needle!r}"
    assert "Contents/Resources/RiffForgeSidecar" not in text
    # The timings are the lifecycle benchmark's output, not a placeholder or a hope.
    assert "<!-- timings" not in text
    assert "lifecycle benchmark" in text


def test_manual_checklist_covers_what_only_an_editor_can_show():
    text = (PACKAGE / "Documentation~" / "manual-checklist.md").read_text(encoding="utf-8")
    for needle in ("2021.3", "6000", "Assembly definitions", "Test Runner", "Audio import", "IL2CPP `Process.Start`",
                   "notarytool", "codesign --verify", "Windows x64, Linux x64", "Android, iOS, WebGL",
                   "Set Up Python Sidecar", "SmartScreen"):
        assert needle in text, f"manual-checklist.md: no {needle!r}"
