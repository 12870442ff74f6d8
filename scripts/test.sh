#!/usr/bin/env bash
# Every test of the project: edge (workerd via the vitest plugin), agent (real Redis, real Worker under
# wrangler, real converter), web (real Chromium), then the converter (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/node-path.sh
echo "== edge (node $(node --version))"
npm run test -w edge
for ws in agent web; do
  if [ -f "$ws/vitest.config.ts" ]; then
    echo "== $ws"
    npm run test -w "$ws"
  fi
done
if [ -f converter/scripts/test.sh ]; then
  echo "== converter"
  bash converter/scripts/test.sh
fi
