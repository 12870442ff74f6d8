#!/usr/bin/env bash
# Create converter/.venv (Python 3.11) and install the converter with its test extras (pinned).
# Idempotent: re-running only reinstalls when pyproject.toml or the OCR pin below changed. Needs only PyPI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$here/.venv"
# OCR of scans (its models ship in the wheel). Installed without its dependencies: it declares
# opencv-python, the GUI build that needs libGL and clashes with opencv-python-headless; its real
# dependencies are pinned in pyproject.toml.
ocr_pin="rapidocr-onnxruntime==1.4.4"
stamp="$venv/.installed-$( { cat "$here/pyproject.toml"; echo "$ocr_pin"; } | sha1sum | cut -c1-12)"

find_python() {
  for cand in "${PYTHON:-}" python3.11 "$HOME/.pyenv/versions/3.11"*/bin/python3.11 /usr/bin/python3.11 python3; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  return 1
}

if [ -f "$stamp" ] && "$venv/bin/python" -c 'import converter, rapidocr_onnxruntime' 2>/dev/null; then
  exit 0
fi
py="$(find_python)" || { echo "setup.sh: Python 3.11 not found (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$here[test]"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$ocr_pin"
rm -f "$venv"/.installed-*
touch "$stamp"
echo "setup.sh: converter installed in $venv" >&2
