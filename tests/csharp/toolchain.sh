# Sourced by run.sh and run_unity_layer.sh: checks mcs, mono and nunit-console are on PATH and sets
# NUNIT_FW to NUnit 2.6's nunit.framework.dll. $1 names the calling script in error messages.
_caller="$1"
for tool in mcs mono nunit-console; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$_caller: '$tool' not found; run ./run setup (installs mono-mcs mono-runtime nunit-console)" >&2; exit 2; }
done
NUNIT_FW=""
for candidate in /usr/lib/cli/nunit.framework-2.6*/nunit.framework.dll /usr/lib/mono/gac/nunit.framework/2.6*/nunit.framework.dll; do
  [ -f "$candidate" ] && { NUNIT_FW="$candidate"; break; }
done
[ -n "$NUNIT_FW" ] || { echo "$_caller: nunit.framework.dll (NUnit 2.6) not found; apt-get install libnunit-framework2.6.3-cil (./run setup does)" >&2; exit 2; }
