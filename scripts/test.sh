#!/usr/bin/env bash
# The tests: the library's API, every notebook's own tests, and papermill runs of nbs/run.ipynb with tiny parameters.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
# passed tests leave no temporary files (some write hundreds of MB); a failed test keeps its own to inspect.
# Two test files at a time, each file on one worker, so a module's fixture (every chapter's nbdev_test, the rendered
# site) runs once; each process keeps to one torch thread (tests/conftest.py).
python -m pytest -q -n 2 --dist loadfile -o tmp_path_retention_policy=failed tests "$@"
