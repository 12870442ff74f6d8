# Sourced by the project's scripts: puts the project's Node 22 (npm package `node`) and tools first on
# PATH, since wrangler, miniflare and the vitest plugin need Node >= 22 and machines may have older.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_root/node_modules/.bin:$PATH"
