#!/usr/bin/env bash
# Every test of the project: edge (workerd via the vitest plugin), then the converter (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/node-path.sh
echo "== edge (node $(node --version))"
npm run test -w edge
if [ -f converter/scripts/test.sh ]; then
  echo "== converter"
  bash converter/scripts/test.sh
fi
