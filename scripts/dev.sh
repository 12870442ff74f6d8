#!/usr/bin/env bash
# Runs the whole stack locally: the edge Worker under `wrangler dev` with local R2, D1 and Durable
# Objects (state in .wrangler/state), migrations applied, and a fresh admin token printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/node-path.sh
PORT="${PORT:-8787}"
STATE=".wrangler/state"

# A local signing key for kiosk download URLs; production uses `wrangler secret put URL_SIGNING_KEY`.
if ! grep -qs URL_SIGNING_KEY .dev.vars; then
  echo "URL_SIGNING_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')" >> .dev.vars
fi

wrangler d1 migrations apply DB --local --persist-to "$STATE" >/dev/null

# Seed an admin token: the secret is printed once here, only its SHA-256 goes into D1.
read -r TOKEN HASH ID < <(node -e '
  const c = require("crypto");
  const t = "cks_" + c.randomBytes(32).toString("base64url");
  console.log(t, c.createHash("sha256").update(t).digest("hex"), c.randomBytes(9).toString("base64url"));')
wrangler d1 execute DB --local --persist-to "$STATE" --command \
  "INSERT INTO tokens (id, kind, role, name, hash) VALUES ('$ID', 'staff', 'admin', 'local admin (dev.sh)', '$HASH')" >/dev/null

cat <<MSG

  Edge API:    http://localhost:$PORT   (OpenAPI: http://localhost:$PORT/openapi.json)
  Admin token: $TOKEN
  Try:         curl -H "Authorization: Bearer $TOKEN" http://localhost:$PORT/api/groups

MSG
exec wrangler dev --local --persist-to "$STATE" --port "$PORT" --ip 127.0.0.1
