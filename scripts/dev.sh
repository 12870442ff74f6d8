#!/usr/bin/env bash
# The whole stack on one machine: Redis (started if none answers), the edge Worker under `wrangler dev`
# (local R2, D1 and Durable Objects in .wrangler/state, migrations applied), and an on-site agent with
# its own token and a pool of warm converters. Prints an admin token. Ctrl-C stops all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/node-path.sh
PORT="${PORT:-8787}"
STATE="${STATE:-.wrangler/state}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
mkdir -p "$STATE"

pids=()
cleanup() {
  trap - INT TERM EXIT
  # The agent first (it hands unfinished jobs back and stops its converters), then the rest.
  if [ -n "${AGENT_PID:-}" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
    kill -TERM "$AGENT_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# ---- Redis: use the one that answers, else start one (AOF on, noeviction, as BullMQ asks)
redis_host_port="${REDIS_URL#redis://}"; redis_host_port="${redis_host_port%%/*}"
redis_host="${redis_host_port%%:*}"; redis_port="${redis_host_port##*:}"
if command -v redis-cli >/dev/null && redis-cli -h "$redis_host" -p "$redis_port" ping 2>/dev/null | grep -q PONG; then
  echo "redis: using $REDIS_URL"
elif command -v redis-server >/dev/null; then
  mkdir -p .wrangler/redis
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$PWD/.wrangler/redis" --appendonly yes \
    --maxmemory-policy noeviction --save "" >/dev/null &
  pids+=($!)
  for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  echo "redis: started on port $redis_port (data in .wrangler/redis)"
else
  cat >&2 <<'MSG'
Redis is needed for the agent's queue and none answers on 127.0.0.1:6379.
  Debian/Ubuntu:  sudo apt-get install -y redis-server
  macOS:          brew install redis
  or point REDIS_URL at one (redis://host:port).
MSG
  exit 1
fi

# ---- the edge
if ! grep -qs URL_SIGNING_KEY .dev.vars; then
  # A local signing key for kiosk download URLs; production uses `wrangler secret put URL_SIGNING_KEY`.
  echo "URL_SIGNING_KEY=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')" >> .dev.vars
fi
wrangler d1 migrations apply DB --local --persist-to "$STATE" >/dev/null

# Seed an admin and an agent token: the secrets are printed/handed over once, only SHA-256 goes into D1.
read -r ADMIN ADMIN_HASH ADMIN_ROW AGENT AGENT_HASH AGENT_ROW < <(node -e '
  const c = require("crypto");
  const tok = (p) => { const t = p + "_" + c.randomBytes(32).toString("base64url");
    return [t, c.createHash("sha256").update(t).digest("hex"), c.randomBytes(9).toString("base64url")]; };
  console.log([...tok("cks"), ...tok("cka")].join(" "));')
wrangler d1 execute DB --local --persist-to "$STATE" --command \
  "INSERT INTO tokens (id, kind, role, name, hash) VALUES ('$ADMIN_ROW', 'staff', 'admin', 'local admin (dev.sh)', '$ADMIN_HASH');
   INSERT INTO tokens (id, kind, name, capabilities, hash) VALUES ('$AGENT_ROW', 'agent', 'local agent (dev.sh)', '[\"dxf\",\"pdf-vector\",\"pdf-raster\"]', '$AGENT_HASH');" >/dev/null

wrangler dev --local --persist-to "$STATE" --port "$PORT" --ip 127.0.0.1 --show-interactive-dev-session=false &
pids+=($!)
for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.2; done

# ---- the agent (its JSON logs go to $STATE/agent.log); in its own session so Ctrl-C reaches it once, from cleanup
EDGE_URL="http://127.0.0.1:$PORT" AGENT_TOKEN="$AGENT" REDIS_URL="$REDIS_URL" AGENT_ID="${AGENT_ID_NAME:-local}" \
  AGENT_CONCURRENCY_DXF="${AGENT_CONCURRENCY_DXF:-2}" AGENT_HTTP_PORT="${AGENT_HTTP_PORT:-9464}" \
  setsid node agent/src/main.ts >> "$STATE/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:${AGENT_HTTP_PORT:-9464}/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

cat <<MSG

  Staff console: http://localhost:$PORT/        Kiosk player: http://localhost:$PORT/kiosk
  Edge API:      http://localhost:$PORT/api     (OpenAPI: http://localhost:$PORT/openapi.json)
  Agent:         http://localhost:${AGENT_HTTP_PORT:-9464}/healthz, /metrics   (logs: $STATE/agent.log)
  Admin token:   $ADMIN
  Try:           curl -H "Authorization: Bearer $ADMIN" http://localhost:$PORT/api/jobs

MSG
wait -n "${pids[@]}" "$AGENT_PID"
