#!/usr/bin/env bash
# The tests: the library's API, every notebook's own tests, and papermill runs of nbs/run.ipynb with tiny parameters.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
# passed tests leave no temporary files (some write hundreds of MB); a failed test keeps its own to inspect
python -m pytest -q -o tmp_path_retention_policy=failed tests "$@"
