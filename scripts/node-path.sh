# Sourced by the project's scripts: puts the project's Node 22 (npm package `node`) and tools first on
# PATH, since wrangler, miniflare and the vitest plugin need Node >= 22 and machines may have older.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_root/node_modules/.bin:$PATH"
# No internet here: keep miniflare from fetching the Request.cf placeholder.
export CLOUDFLARE_CF_FETCH_ENABLED="${CLOUDFLARE_CF_FETCH_ENABLED:-false}"
export WRANGLER_SEND_METRICS=false
