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
#   RiffForge.Engine.dll                    unity_package/Runtime/Engine (in-engine generation; engine-free, unsafe)
#   api-levels/RiffForge.Engine.<level>.dll the same per API compatibility level's symbols (compile only)
#   RiffForge.Runtime.dll                   unity_package/Runtime minus Core and Engine, Editor on Linux (UNITY_EDITOR)
#   RiffForge.Runtime.Player.dll            the same for a Linux player (no UNITY_EDITOR, no UnityEditor reference)
#   RiffForge.Editor.dll                    unity_package/Editor
#   RiffForge.Samples[.Player].dll          unity_package/Samples~/* scripts (as Assembly-CSharp would)
#   targets/RiffForge.{Runtime,Editor,Samples}.<flavour>.dll   the same under each build target's symbols
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
if grep -rnE '^\s*using\s+Unity(Engine|Editor)|UnityEngine\.|UnityEditor\.' --include='*.cs' "$PKG/Runtime/Playback" "$PKG/Editor/Logic" | grep -vE '^\S+:[0-9]+:\s*(//|///|\*)'; then
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
runtime_sources() { find "$PKG/Runtime" -name '*.cs' -not -path "$PKG/Runtime/Core/*" -not -path "$PKG/Runtime/Engine/*" | sort; }

echo "[unity] compiling the UnityEngine / UnityEditor stand-ins"
# CS0067: a stand-in event is never raised (Unity raises it natively).
"${MCS[@]}" -nowarn:0067 -target:library -out:"$BIN/UnityEngine.dll" -recurse:"$STUBS/UnityEngine/*.cs"
"${MCS[@]}" -nowarn:0067 -target:library -out:"$BIN/UnityEditor.dll" -r:"$BIN/UnityEngine.dll" -recurse:"$STUBS/UnityEditor/*.cs"
# The same stand-ins as Unity 6 has them (what Unity 6 obsoletes warns, and warnings fail the Unity 6 flavours).
mkdir -p "$BIN/unity6"
"${MCS[@]}" -nowarn:0067 -target:library -define:"UNITY_2023_1_OR_NEWER;UNITY_6000_0_OR_NEWER" -out:"$BIN/unity6/UnityEngine.dll" -recurse:"$STUBS/UnityEngine/*.cs"
"${MCS[@]}" -nowarn:0067 -target:library -define:"UNITY_2023_1_OR_NEWER;UNITY_6000_0_OR_NEWER" -out:"$BIN/unity6/UnityEditor.dll" -r:"$BIN/unity6/UnityEngine.dll" -recurse:"$STUBS/UnityEditor/*.cs"
echo "[unity] compiling RiffForge.Core"
"${MCS[@]}" "${STRICT[@]}" -target:library -out:"$BIN/RiffForge.Core.dll" -recurse:"$PKG/Runtime/Core/*.cs"
# RiffForge.Engine has its own asmdef (allowUnsafeCode, noEngineReferences): one assembly for every flavour, as
# Unity compiles it without UnityEngine, so no build target's symbols change it. Optimised (-optimize+), as
# tests/csharp/run.sh and bench/engine.py compile it; System.Numerics holds the Vector4 its decoder computes with.
echo "[unity] compiling RiffForge.Engine"
"${MCS[@]}" "${STRICT[@]}" -unsafe -optimize+ -target:library -out:"$BIN/RiffForge.Engine.dll" -r:"$BIN/RiffForge.Core.dll" -r:System.Numerics.dll -recurse:"$PKG/Runtime/Engine/*.cs"
# The symbols that do change it are the API compatibility level's (LstmDecoder.cs): at .NET Framework Unity
# defines NET_4_6 and references no System.Numerics.dll
# (https://docs.unity3d.com/2022.3/Documentation/Manual/dotnetProfileAssemblies.html), and the decoder takes its
# scalar path; at .NET Standard (NET_STANDARD_2_1, NET_STANDARD) everything is referenced and it uses Vector4; a
# Unity compile with neither symbol takes the scalar path. Each compiled here (compile only; at .NET Framework
# with only Unity's default references there that Debian's Mono has); tests/csharp/run.sh runs the engine tests
# against the .NET Framework build.
COMMON_ENGINE="UNITY_5_3_OR_NEWER;UNITY_2021_3_OR_NEWER"
echo "[unity] compiling RiffForge.Engine at each API compatibility level (.NET Framework, .NET Standard, neither symbol)"
mkdir -p "$BIN/api-levels"
UNITY_FW_REFS=(-noconfig -r:System.dll -r:System.Core.dll -r:System.Xml.dll)
for level in "net-framework|NET_4_6" "net-standard|NET_STANDARD_2_1;NET_STANDARD" "no-level-symbol|"; do
  name="${level%%|*}" symbols="${level#*|}" refs=("${UNITY_FW_REFS[@]}") vector4=no
  case "$name" in net-standard) refs=(-r:System.Numerics.dll) vector4=yes ;; esac
  dll="$BIN/api-levels/RiffForge.Engine.$name.dll"
  "${MCS[@]}" "${STRICT[@]}" -unsafe -optimize+ "${refs[@]}" -define:"$COMMON_ENGINE${symbols:+;$symbols}" -target:library \
    -out:"$dll" -r:"$BIN/RiffForge.Core.dll" -recurse:"$PKG/Runtime/Engine/*.cs"
  # the path taken: only the Vector4 build names System.Numerics (its assembly reference)
  if grep -q 'System\.Numerics' "$dll"; then uses=yes; else uses=no; fi
  if [ "$uses" != "$vector4" ]; then
    echo "run_unity_layer.sh: RiffForge.Engine at $name: System.Numerics referenced: $uses, expected $vector4 (see LstmDecoder.cs)" >&2
    exit 1
  fi
done
# The Unity layer (Runtime + samples, and Editor/ for Editor flavours) is compiled once per build target, with
# the scripting symbols Unity defines there (platform #define directives:
# https://docs.unity3d.com/2021.1/Documentation/Manual/PlatformDependentCompilation.html ; version symbols
# UNITY_X_Y_OR_NEWER and ENABLE_IL2CPP are on the same page): the package must compile, and SidecarPlatform
# must decide right, on every one. In the Editor Unity also defines the active build target's symbols, hence
# "editor-osx-android". Flavour name, then its symbols (";"-separated); each flavour gets
# $BIN/targets/RiffForge.Runtime.<flavour>.dll (+ .Editor, .Samples), checked by SidecarPlatformTests.
COMMON="UNITY_5_3_OR_NEWER;UNITY_2021_3_OR_NEWER"
UNITY6="UNITY_2023_1_OR_NEWER;UNITY_6000_0_OR_NEWER"
FLAVOURS=(
  "editor-win|UNITY_EDITOR;UNITY_EDITOR_WIN;UNITY_STANDALONE;UNITY_STANDALONE_WIN"
  "editor-osx-android|UNITY_EDITOR;UNITY_EDITOR_OSX;UNITY_ANDROID"
  "windows|UNITY_STANDALONE;UNITY_STANDALONE_WIN"
  "windows-il2cpp|UNITY_STANDALONE;UNITY_STANDALONE_WIN;ENABLE_IL2CPP"
  "macos|UNITY_STANDALONE;UNITY_STANDALONE_OSX"
  "android|UNITY_ANDROID"
  "android-il2cpp|UNITY_ANDROID;ENABLE_IL2CPP"
  "ios-il2cpp|UNITY_IOS;ENABLE_IL2CPP"
  "webgl-il2cpp|UNITY_WEBGL;ENABLE_IL2CPP"
  "unity6-editor-linux|UNITY_EDITOR;UNITY_EDITOR_LINUX;UNITY_STANDALONE;UNITY_STANDALONE_LINUX;$UNITY6"
  "unity6-android-il2cpp|UNITY_ANDROID;ENABLE_IL2CPP;$UNITY6"
  "unity6-webgl-il2cpp|UNITY_WEBGL;ENABLE_IL2CPP;$UNITY6"
)
# iOS and WebGL are compiled as IL2CPP only, to keep this fast: a Mono variant differs by ENABLE_IL2CPP alone
# (Android has both).
mapfile -t RUNTIME_SRC < <(runtime_sources)
mapfile -t EDITOR_SRC < <(find "$PKG/Editor" -name '*.cs' | sort)
SAMPLE_SRC=()
if [ -d "$PKG/Samples~" ]; then mapfile -t SAMPLE_SRC < <(find "$PKG/Samples~" -name '*.cs' | sort); fi
mkdir -p "$BIN/targets"

# compile_flavour DIR SUFFIX SYMBOLS: DIR/RiffForge.Runtime$SUFFIX.dll, DIR/RiffForge.Editor$SUFFIX.dll (when
# UNITY_EDITOR is set) and DIR/RiffForge.Samples$SUFFIX.dll (the samples, as Assembly-CSharp would be) for one
# set of scripting symbols.
compile_flavour() {
  local dir="$1" suffix="$2" symbols="$3" editor_refs=()
  local out="$dir/RiffForge.Runtime$suffix" stubs="$BIN"
  case ";$symbols;" in *";UNITY_6000_0_OR_NEWER;"*) stubs="$BIN/unity6" ;; esac
  case ";$symbols;" in *";UNITY_EDITOR;"*) editor_refs=(-r:"$stubs/UnityEditor.dll") ;; esac
  "${MCS[@]}" "${STRICT[@]}" -target:library -define:"$symbols" -out:"$out.dll" \
    -r:"$stubs/UnityEngine.dll" "${editor_refs[@]}" -r:"$BIN/RiffForge.Core.dll" -r:"$BIN/RiffForge.Engine.dll" "${RUNTIME_SRC[@]}"
  if [ "${#editor_refs[@]}" -gt 0 ]; then
    "${MCS[@]}" "${STRICT[@]}" -target:library -define:"$symbols" -out:"$dir/RiffForge.Editor$suffix.dll" \
      -r:"$stubs/UnityEngine.dll" -r:"$stubs/UnityEditor.dll" -r:"$BIN/RiffForge.Core.dll" -r:"$out.dll" "${EDITOR_SRC[@]}"
  fi
  if [ "${#SAMPLE_SRC[@]}" -gt 0 ]; then
    "${MCS[@]}" "${STRICT[@]}" -target:library -define:"$symbols" -out:"$dir/RiffForge.Samples$suffix.dll" \
      -r:"$stubs/UnityEngine.dll" "${editor_refs[@]}" -r:"$BIN/RiffForge.Core.dll" -r:"$BIN/RiffForge.Engine.dll" -r:"$out.dll" "${SAMPLE_SRC[@]}"
  fi
}

# The assemblies the tests load: the Editor on Linux (this machine) and a Linux player.
echo "[unity] compiling RiffForge.Runtime, RiffForge.Editor and the samples (Editor on Linux)"
compile_flavour "$BIN" "" "UNITY_EDITOR;UNITY_EDITOR_LINUX;UNITY_STANDALONE;UNITY_STANDALONE_LINUX;$COMMON"
echo "[unity] compiling RiffForge.Runtime.Player (Linux player: no UNITY_EDITOR, no UnityEditor reference)"
compile_flavour "$BIN" ".Player" "UNITY_STANDALONE;UNITY_STANDALONE_LINUX;$COMMON"
cp "$BIN/RiffForge.Runtime.Player.dll" "$BIN/targets/RiffForge.Runtime.linux.dll"
cp "$BIN/RiffForge.Runtime.dll" "$BIN/targets/RiffForge.Runtime.editor-linux.dll"
for flavour in "${FLAVOURS[@]}"; do
  name="${flavour%%|*}"
  echo "[unity] compiling the Unity layer for $name"
  compile_flavour "$BIN/targets" ".$name" "${flavour#*|};$COMMON"
done
echo "[unity] compiling RiffForge.Unity.Tests"
"${MCS[@]}" "${STRICT[@]}" -target:library -out:"$BIN/RiffForge.Unity.Tests.dll" -r:System.Core.dll -r:"$NUNIT_FW" \
  -r:"$BIN/UnityEngine.dll" -r:"$BIN/UnityEditor.dll" -r:"$BIN/RiffForge.Core.dll" -r:"$BIN/RiffForge.Engine.dll" -r:"$BIN/RiffForge.Runtime.dll" -r:"$BIN/RiffForge.Editor.dll" \
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
[ "$status" = 0 ] && echo "[unity] Unity layer compiled (Runtime, Editor, samples for Editor, desktop, Android, iOS, WebGL, IL2CPP, Unity 6) and its tests passed" || echo "[unity] UNITY LAYER FAILED" >&2
exit "$status"
