#!/usr/bin/env bash
# Build and run the C# tests of RiffForge.Core with Mono (mcs, C# 7.2) and NUnit 2.6 (nunit-console).
#
#   tests/csharp/run.sh                  # everything: package unit tests, vector tests, interop tests, engine tests
#                                        # (the engine tests twice: Vector4 build and .NET Framework build)
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
ENGINE_SRC="$ROOT/unity_package/Runtime/Engine"
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
# The in-engine runtime (RiffForge.Engine) obeys the same guard; it may use `unsafe` pointers (its asmdef allows
# them) but no stackalloc/Span, and it must not touch Unity either.
if grep -rnE "$forbidden" --include='*.cs' "$ENGINE_SRC" | grep -vE '^\S+:[0-9]+:\s*(//|///|\*)'; then
  echo "tests/csharp/run.sh: the engine uses an API outside netstandard2.0 / unsafe under IL2CPP (see lines above)" >&2
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
echo "[csharp] compiling RiffForge.Engine (in-engine generation; unsafe pointers, optimised)"
"${MCS[@]}" -unsafe -optimize+ -target:library -out:"$BIN/RiffForge.Engine.dll" -r:"$BIN/RiffForge.Core.dll" -r:System.Numerics.dll -recurse:"$ENGINE_SRC/*.cs"
echo "[csharp] compiling RiffForge.Engine.Tests (decode vectors against the Python runtime)"
"${MCS[@]}" -target:library -out:"$BIN/RiffForge.Engine.Tests.dll" -r:"$BIN/RiffForge.Core.dll" -r:"$BIN/RiffForge.Engine.dll" \
  -r:"$NUNIT_FW" -r:System.Core.dll -recurse:"$ROOT/tests/csharp/Support/*.cs" -recurse:"$ROOT/tests/csharp/Engine/*.cs"
# The engine again as Unity compiles it at the .NET Framework API compatibility level: NET_4_6 and Unity's
# version symbols defined (the decoder's scalar path, see LstmDecoder.cs) and only Unity's default references
# there, which leave out System.Numerics.dll
# (https://docs.unity3d.com/2022.3/Documentation/Manual/dotnetProfileAssemblies.html; Debian's Mono lacks
# System.Runtime.Serialization.dll and System.Xml.Linq.dll, which the engine does not use). The same
# RiffForge.Engine.Tests.dll runs against it below.
FW="$BIN/net-framework"
mkdir -p "$FW"
echo "[csharp] compiling RiffForge.Engine for the .NET Framework level (NET_4_6, no System.Numerics)"
"${MCS[@]}" -unsafe -optimize+ -noconfig -define:"UNITY_5_3_OR_NEWER;UNITY_2021_3_OR_NEWER;NET_4_6" -r:System.dll -r:System.Core.dll -r:System.Xml.dll -target:library \
  -out:"$FW/RiffForge.Engine.dll" -r:"$BIN/RiffForge.Core.dll" -recurse:"$ENGINE_SRC/*.cs"
cp "$NUNIT_FW" "$BIN/"
cp "$NUNIT_FW" "$BIN"/RiffForge.Core.dll* "$BIN"/RiffForge.Engine.Tests.dll* "$FW/"
rm -f "$BIN/engine-digest.txt" "$FW/engine-digest.txt"

echo "[csharp] running NUnit"
cd "$BIN"
set +e
RIFFFORGE_ENGINE_BUILD=vector4 RIFFFORGE_ENGINE_DIGEST="$BIN/engine-digest.txt" \
  nunit-console -nologo -noshadow -labels=Off -xml="$BIN/TestResult.xml" RiffForge.Core.Tests.dll RiffForge.Repo.Tests.dll RiffForge.Engine.Tests.dll "$@" 2>&1 | grep -vE '^\*\*\*\*\* '
status=${PIPESTATUS[0]}
# The .NET Framework pass runs the engine tests again: with no arguments, or when the arguments select engine
# tests (a filter for other fixtures would select none there).
if [ "$#" = 0 ] || [[ "$*" == *Engine* ]]; then
  echo "[csharp] running the engine tests against the .NET Framework build (NET_4_6, scalar decoder)"
  (cd "$FW" && RIFFFORGE_ENGINE_BUILD=net-framework RIFFFORGE_ENGINE_DIGEST="$FW/engine-digest.txt" \
    nunit-console -nologo -noshadow -labels=Off -xml="$FW/TestResult.xml" RiffForge.Engine.Tests.dll "$@" 2>&1 | grep -vE '^\*\*\*\*\* ')
  fw_status=${PIPESTATUS[0]}
  [ "$fw_status" = 0 ] || status=$fw_status
else
  rm -f "$FW/TestResult.xml"
fi
set -e
if [ "$status" = 0 ]; then
  # A skipped or ignored test hides a gap: that is a failure too.
  results=("$BIN/TestResult.xml")
  [ -f "$FW/TestResult.xml" ] && results+=("$FW/TestResult.xml")
  if grep -qE 'ignored="[1-9]|skipped="[1-9]|not-run="[1-9]' "${results[@]}"; then
    grep -ohE '(ignored|skipped|not-run)="[0-9]+"' "${results[@]}" | sort -u >&2
    echo "[csharp] some tests were ignored or skipped: failing" >&2
    status=1
  fi
fi
# Both builds decode bit for bit alike: BuildParityTests wrote each build's digest of every logit's bits (when the
# selected tests include it; a digest written by one build only is a failure).
if [ -f "$BIN/engine-digest.txt" ] || [ -f "$FW/engine-digest.txt" ]; then
  if cmp -s "$BIN/engine-digest.txt" "$FW/engine-digest.txt"; then
    echo "[csharp] Vector4 and .NET Framework engine builds decode bit for bit alike (digest $(cat "$BIN/engine-digest.txt"))"
  else
    echo "[csharp] the Vector4 and .NET Framework engine builds decode differently: digests" \
      "$(cat "$BIN/engine-digest.txt" 2>/dev/null || echo missing) vs $(cat "$FW/engine-digest.txt" 2>/dev/null || echo missing)" >&2
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
