#!/usr/bin/env bash
# Packs node-axes as npm would publish it and checks the tarball: publint (package.json, exports,
# files) and @arethetypeswrong/cli (types resolve for ESM and CJS, under node16 and bundler).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .artifacts/pack && mkdir -p .artifacts/pack
tarball=$(npm pack --silent --pack-destination .artifacts/pack 2>/dev/null | tail -n 1)
echo "packed .artifacts/pack/$tarball"
npx --no-install publint run ".artifacts/pack/$tarball" --strict
# node10 resolution cannot see subpath exports; node-axes needs Node 22.13, so that profile is left out.
npx --no-install attw ".artifacts/pack/$tarball" --profile node16
# Help links (src/ground/help.ts) point into the installed package's docs/: they must ship.
contents=$(tar -tzf ".artifacts/pack/$tarball")
for page in checks.md errors.md; do
  if ! grep -qx "package/docs/$page" <<<"$contents"; then
    echo "docs/$page is missing from the package: help links would lead nowhere" >&2
    exit 1
  fi
done
