#!/usr/bin/env bash
# Regenerates package-lock.json from the manifests alone, then proves `npm ci` accepts it.
# npm writes the lock from an existing node_modules when there is one, dropping other platforms'
# optional packages, and then `npm ci` on a fresh machine refuses the lock. Run this after changing
# any dependency. A package whose platform binaries the registry lacks at the chosen version (seen
# with @swc/core 1.16.22 and unrs-resolver 1.13.0) needs pinning to a version that has them all.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
for manifest in package.json packages/*/package.json services/*/package.json; do
  [ -f "$manifest" ] || continue
  mkdir -p "$work/$(dirname "$manifest")"
  cp "$manifest" "$work/$manifest"
done
cd "$work"
npm install --package-lock-only --no-audit --no-fund
npm ci --no-audit --no-fund --ignore-scripts > /dev/null
cp package-lock.json "$root/package-lock.json"
echo "relock: package-lock.json regenerated; npm ci accepts it"
