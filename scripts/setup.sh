#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine; quick when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ -f converter/scripts/setup.sh ]; then bash converter/scripts/setup.sh; fi
# The web front end (kiosk player, staff console), served by the Worker as static assets.
if [ -f web/vite.config.ts ]; then
  (source scripts/node-path.sh && npm run build -w web --silent)
fi
