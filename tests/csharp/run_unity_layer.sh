#!/usr/bin/env bash
# Compile RiffForge's Unity layer with Mono's mcs (C# 7.2) against the Unity stand-ins in tests/unity_stubs,
# then run its NUnit tests (tests/csharp/unity) on the engine-free logic with a fake clock.
#
#   tests/csharp/run_unity_layer.sh                  # compile everything, run the tests
#   tests/csharp/run_unity_layer.sh -run=RiffForge.Unity.Tests.SamplerPlannerTests   # extra nunit-console args
#
# What is compiled, each a separate assembly as in Unity:
#   UnityEngine.dll, UnityEditor.dll        the stand-ins (real 2021.3 signatures, no behaviour)
#   RiffForge.Core.dll                      unity_package/Runtime/Core (engine-free)
#   RiffForge.Runtime.dll                   unity_package/Runtime minus Core, Editor flavour (UNITY_EDITOR)
#   RiffForge.Runtime.Player.dll            the same for a player (no UNITY_EDITOR, no UnityEditor reference)
#   RiffForge.Editor.dll                    unity_package/Editor
#   RiffForge.Samples.dll                   unity_package/Samples~/* scripts (as Assembly-CSharp would)
#   RiffForge.Unity.Tests.dll               tests/csharp/unity (+ tests/csharp/Support helpers)
# Environment: RIFFFORGE_PYTHON = a Python with riffforge installed (one test starts the source sidecar);
# default .venv/bin/python.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/tests/csharp/bin/unity"
PKG="$ROOT/unity_package"
STUBS="$ROOT/tests/unity_stubs"
export RIFFFORGE_REPO="$ROOT"
export RIFFFORGE_PYTHON="${RIFFFORGE_PYTHON:-$ROOT/.venv/bin/python}"

# shellcheck source=toolchain.sh
source "$ROOT/tests/csharp/toolchain.sh" "run_unity_layer.sh"

# Guards. The engine-free helpers must stay free of Unity (the tests run them without it); the Unity layer must
# not use what IL2CPP or .NET Standard 2.0 lacks (Process.HasExited throws under IL2CPP).
if grep -rnE '^\s*using\s+Unity(Engine|Editor)|UnityEngine\.|UnityEditor\.' --include='*.cs' "$PKG/Runtime/Playback" "$PKG/Editor/Logic"; then
  echo "run_unity_layer.sh: Runtime/Playback and Editor/Logic must not use UnityEngine/UnityEditor (see above)" >&2
  exit 1
fi
forbidden='HasExited|System\.Web|System\.Windows\.Forms|AppDomain\.CreateDomain|Assembly\.LoadFrom|\.ArgumentList|System\.Text\.Json|stackalloc|Span<'
if grep -rnE "$forbidden" --include='*.cs' "$PKG/Runtime/Playback" "$PKG/Runtime/Components" "$PKG/Editor" $( [ -d "$PKG/Samples~" ] && echo "$PKG/Samples~" ) | grep -vE '^\S+:[0-9]+:\s*(//|///|\*)'; then
  echo "run_unity_layer.sh: the Unity layer uses an API outside netstandard2.0 / unsafe under IL2CPP (see above)" >&2
  exit 1
fi
# Only Runtime/Components and Editor may touch UnityEditor, and Runtime only inside #if UNITY_EDITOR (checked by
# compiling the player flavour without UnityEditor.dll below).

mkdir -p "$BIN"
MCS=(mcs -langversion:7.2 -debug -nowarn:1591 -nologo)
STRICT=(-warnaserror+)
runtime_sources() { find "$PKG/Runtime" -name '*.cs' -not -path "$PKG/Runtime/Core/*" | sort; }

echo "[unity] compiling the UnityEngine / UnityEditor stand-ins"
# CS0067: a stand-in event is never raised (Unity raises it natively).
"${MCS[@]}" -nowarn:0067 -target:library -out:"$BIN/UnityEngine.dll" -recurse:"$STUBS/UnityEngine/*.cs"
"${MCS[@]}" -nowarn:0067 -target:library -out:"$BIN/UnityEditor.dll" -r:"$BIN/UnityEngine.dll" -recurse:"$STUBS/UnityEditor/*.cs"
echo "[unity] compiling RiffForge.Core"
"${MCS[@]}" "${STRICT[@]}" -target:library -out:"$BIN/RiffForge.Core.dll" -recurse:"$PKG/Runtime/Core/*.cs"
echo "[unity] compiling RiffForge.Runtime (Editor flavour: UNITY_EDITOR)"
mapfile -t RUNTIME_SRC < <(runtime_sources)
"${MCS[@]}" "${STRICT[@]}" -target:library -define:UNITY_EDITOR -define:UNITY_2021_3_OR_NEWER -out:"$BIN/RiffForge.Runtime.dll" \
  -r:"$BIN/UnityEngine.dll" -r:"$BIN/UnityEditor.dll" -r:"$BIN/RiffForge.Core.dll" "${RUNTIME_SRC[@]}"
echo "[unity] compiling RiffForge.Runtime (player flavour: no UnityEditor)"
"${MCS[@]}" "${STRICT[@]}" -target:library -define:UNITY_STANDALONE -define:UNITY_2021_3_OR_NEWER -out:"$BIN/RiffForge.Runtime.Player.dll" \
  -r:"$BIN/UnityEngine.dll" -r:"$BIN/RiffForge.Core.dll" "${RUNTIME_SRC[@]}"
echo "[unity] compiling RiffForge.Editor"
"${MCS[@]}" "${STRICT[@]}" -target:library -define:UNITY_EDITOR -define:UNITY_2021_3_OR_NEWER -out:"$BIN/RiffForge.Editor.dll" \
  -r:"$BIN/UnityEngine.dll" -r:"$BIN/UnityEditor.dll" -r:"$BIN/RiffForge.Core.dll" -r:"$BIN/RiffForge.Runtime.dll" \
  -recurse:"$PKG/Editor/*.cs"
if find "$PKG/Samples~" -name '*.cs' 2>/dev/null | grep -q .; then
  echo "[unity] compiling the samples (as Assembly-CSharp, player flavour)"
  mapfile -t SAMPLE_SRC < <(find "$PKG/Samples~" -name '*.cs' | sort)
  "${MCS[@]}" "${STRICT[@]}" -target:library -define:UNITY_STANDALONE -out:"$BIN/RiffForge.Samples.dll" \
    -r:"$BIN/UnityEngine.dll" -r:"$BIN/RiffForge.Core.dll" -r:"$BIN/RiffForge.Runtime.Player.dll" "${SAMPLE_SRC[@]}"
fi
echo "[unity] compiling RiffForge.Unity.Tests"
"${MCS[@]}" "${STRICT[@]}" -target:library -out:"$BIN/RiffForge.Unity.Tests.dll" -r:System.Core.dll -r:"$NUNIT_FW" \
  -r:"$BIN/UnityEngine.dll" -r:"$BIN/UnityEditor.dll" -r:"$BIN/RiffForge.Core.dll" -r:"$BIN/RiffForge.Runtime.dll" -r:"$BIN/RiffForge.Editor.dll" \
  -recurse:"$ROOT/tests/csharp/unity/*.cs" -recurse:"$ROOT/tests/csharp/Support/*.cs"
cp "$NUNIT_FW" "$BIN/"

echo "[unity] running NUnit"
cd "$BIN"
set +e
nunit-console -nologo -noshadow -labels=Off -xml="$BIN/TestResult.xml" RiffForge.Unity.Tests.dll "$@" 2>&1 | grep -vE '^\*\*\*\*\* '
status=${PIPESTATUS[0]}
set -e
if [ "$status" = 0 ] && grep -qE 'ignored="[1-9]|skipped="[1-9]|not-run="[1-9]' "$BIN/TestResult.xml"; then
  grep -oE '(ignored|skipped|not-run)="[0-9]+"' "$BIN/TestResult.xml" | sort -u >&2
  echo "[unity] some tests were ignored or skipped: failing" >&2
  status=1
fi
[ "$status" = 0 ] && echo "[unity] Unity layer compiled (Runtime editor+player, Editor, samples) and its tests passed" || echo "[unity] UNITY LAYER FAILED" >&2
exit "$status"
