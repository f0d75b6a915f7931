#!/usr/bin/env bash
# Build bench/.venv: the benchmark peers (lifetimes, PyMC-Marketing) in their own Python 3.12
# environment, apart from the app's .venv, whose numpy they cannot share (PyMC-Marketing 1.x
# needs numpy < 2.5). Run from anywhere; the repository's .python-version (3.12.1) makes
# pyenv's python3.12 resolve, and no interpreter is ever downloaded.
#
#     bash bench/setup_peers.sh            # create or update bench/.venv
#     bench/.venv/bin/python -c "import lifetimes, pymc_marketing"
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

uv="${UV:-$root/.tools/uv/bin/uv}"
if [[ ! -x "$uv" ]]; then
    uv="$(command -v uv || true)"
fi
if [[ -z "$uv" ]]; then
    echo "setup_peers.sh: uv not found (looked for .tools/uv/bin/uv and uv on PATH)" >&2
    exit 1
fi

export UV_PYTHON_DOWNLOADS=never
if [[ ! -x bench/.venv/bin/python ]]; then
    "$uv" venv bench/.venv --python python3.12
fi
"$uv" pip install --python bench/.venv/bin/python -r bench/requirements-peers.txt
bench/.venv/bin/python - <<'PY'
import importlib.metadata as md

for name in ("lifetimes", "pymc-marketing", "pandas", "numpy", "scipy", "pyarrow"):
    print(f"{name}=={md.version(name)}")
PY
