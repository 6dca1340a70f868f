#!/usr/bin/env bash
# The main job: HUME on the built-in offline default (Fashion-MNIST, phi1 = MobileNetV2, phi2 = EfficientNet-Lite0), results in runs/default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
mkdir -p runs/default
papermill nbs/run.ipynb runs/default/run.ipynb -p out_dir runs/default "$@"
cat runs/default/results.md
