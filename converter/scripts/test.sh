#!/usr/bin/env bash
# Run the converter's test suite (sets up converter/.venv first if needed). Extra args go to pytest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
cd "$here"
exec "$here/.venv/bin/python" -m pytest "$@"
