#!/usr/bin/env bash
# Build and run the C# tests of RiffForge.Core with Mono (mcs, C# 7.2) and NUnit 2.6 (nunit-console).
#
#   tests/csharp/run.sh                  # everything: package unit tests, vector tests, interop tests
#   tests/csharp/run.sh -run=Name.Space  # extra nunit-console arguments, e.g. one fixture
#
# Installs nothing (`./run test` installs mono-mcs, mono-runtime, nunit-console, libnunit-framework).
# Environment: RIFFFORGE_SIDECAR=frozen runs the interop tests against unity_package/Sidecar~/<platform>
# (the frozen build) instead of the source sidecar. RIFFFORGE_PYTHON = a Python with riffforge installed (interop tests launch
# `$RIFFFORGE_PYTHON -m riffforge sidecar`); default .venv/bin/python.
#
# The core must compile against .NET Standard 2.0. Debian's Mono ships no netstandard.dll facade, so we
# compile against Mono's 4.x profile (a superset) and guard the netstandard2.0 subset with the API check
# below (APIs missing from netstandard2.0 or unusable under IL2CPP fail the build).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/tests/csharp/bin"
CORE_SRC="$ROOT/unity_package/Runtime/Core"
TESTS_SRC="$ROOT/unity_package/Tests/Runtime"
export RIFFFORGE_REPO="$ROOT"
export RIFFFORGE_PYTHON="${RIFFFORGE_PYTHON:-$ROOT/.venv/bin/python}"

# shellcheck source=toolchain.sh
source "$ROOT/tests/csharp/toolchain.sh" "tests/csharp/run.sh"

# API guard: what netstandard2.0 lacks or IL2CPP/Unity cannot do. Process.HasExited throws under IL2CPP.
forbidden='HasExited|UnityEngine|UnityEditor|System\.Web|System\.Windows\.Forms|AppDomain\.CreateDomain|Assembly\.LoadFrom|\.ArgumentList|Process\.Kill\(true\)|System\.Text\.Json|stackalloc|Span<|GetUnixFileMode|SetUnixFileMode'
if grep -rnE "$forbidden" --include='*.cs' "$CORE_SRC" | grep -vE '^\S+:[0-9]+:\s*(//|///|\*)' | grep -v 'HasExited throws' ; then
  echo "tests/csharp/run.sh: the core uses an API outside netstandard2.0 / unsafe under IL2CPP (see lines above)" >&2
  exit 1
fi

mkdir -p "$BIN"
MCS=(mcs -langversion:7.2 -debug -nowarn:1591 -warnaserror+ -nologo)
echo "[csharp] compiling RiffForge.Core"
"${MCS[@]}" -target:library -out:"$BIN/RiffForge.Core.dll" -recurse:"$CORE_SRC/*.cs"
echo "[csharp] compiling RiffForge.Core.Tests (package tests)"
"${MCS[@]}" -target:library -out:"$BIN/RiffForge.Core.Tests.dll" -r:"$BIN/RiffForge.Core.dll" -r:"$NUNIT_FW" -r:System.Core.dll \
  -recurse:"$TESTS_SRC/*.cs"
echo "[csharp] compiling RiffForge.Repo.Tests (protocol vectors, interop with the real sidecar)"
"${MCS[@]}" -target:library -out:"$BIN/RiffForge.Repo.Tests.dll" -r:"$BIN/RiffForge.Core.dll" -r:"$NUNIT_FW" -r:System.Core.dll \
  -recurse:"$ROOT/tests/csharp/Support/*.cs" -recurse:"$ROOT/tests/csharp/Repo/*.cs" -recurse:"$ROOT/tests/csharp/Interop/*.cs"
cp "$NUNIT_FW" "$BIN/"

echo "[csharp] running NUnit"
cd "$BIN"
set +e
nunit-console -nologo -noshadow -labels=Off -xml="$BIN/TestResult.xml" RiffForge.Core.Tests.dll RiffForge.Repo.Tests.dll "$@" 2>&1 | grep -vE '^\*\*\*\*\* '
status=${PIPESTATUS[0]}
set -e
if [ "$status" = 0 ]; then
  # A skipped or ignored test hides a gap: that is a failure too.
  if grep -qE 'ignored="[1-9]|skipped="[1-9]|not-run="[1-9]' "$BIN/TestResult.xml"; then
    grep -oE '(ignored|skipped|not-run)="[0-9]+"' "$BIN/TestResult.xml" | sort -u >&2
    echo "[csharp] some tests were ignored or skipped: failing" >&2
    status=1
  fi
fi
[ "$status" = 0 ] && echo "[csharp] all C# tests passed" || echo "[csharp] C# TESTS FAILED" >&2

# ---- Unity layer (owned by the Unity engineer): compile Runtime (Editor + player flavours), Editor and the
# samples with mcs against tests/unity_stubs, then run tests/csharp/unity. Skipped when extra nunit-console
# arguments select core tests; run tests/csharp/run_unity_layer.sh directly for those.
if [ "$#" = 0 ]; then
  bash "$ROOT/tests/csharp/run_unity_layer.sh" || status=1
fi
exit "$status"
