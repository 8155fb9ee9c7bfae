#!/usr/bin/env bash
# Installs the Linux wheel release/build.sh made into a fresh virtual
# environment, as a user's CI job would (`pip install verdict-gate`), and
# runs `verdict --version` and the bundled example from it. Prints the
# wheel's size and the install time.
#
#   release/build.sh x86_64-unknown-linux-gnu && release/try-wheel.sh
set -euo pipefail
cd "$(dirname "$0")/.."

wheel="$(ls -t dist/verdict_gate-*-manylinux*_x86_64.whl | head -1)"
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
echo "wheel: $wheel ($(du -k "$wheel" | cut -f1) KiB, $(stat -c %s "$wheel") bytes)"
start=$(date +%s.%N)
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
end=$(date +%s.%N)
echo "pip install: $(echo "$end - $start" | bc) s"
echo "installed: $(command -v "$venv/bin/verdict") ($(stat -c %s "$venv/bin/verdict") bytes)"
echo "libraries it loads:"
ldd "$venv/bin/verdict" | sed 's/^/  /'
"$venv/bin/verdict" --version
# The bundled example, from the installed binary: its exit code is the gate.
"$venv/bin/verdict" run expectations/features.yml
