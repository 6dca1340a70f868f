#!/usr/bin/env bash
# The tests: the library's API, every notebook's own tests, and papermill runs of nbs/run.ipynb with tiny parameters.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
python -m pytest -q tests "$@"
