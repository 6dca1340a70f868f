#!/usr/bin/env bash
# On a machine with a CUDA GPU: this checkout's search against another checkout's (OLD, a folder holding hume_nb/),
# the same planted cases, labels and seconds compared (bench/gpu_seeds.py). Results in runs/gpu_seeds/.
set -euo pipefail
old=${1:?usage: bash bench/gpu_seeds.sh OLD_CHECKOUT}
cd "$(dirname "$0")/.."; out=runs/gpu_seeds; mkdir -p $out
PYTHONPATH=$(cd "$old" && pwd) python bench/gpu_seeds.py run cuda $out/old
PYTHONPATH=$PWD python bench/gpu_seeds.py run cuda $out/new
python bench/gpu_seeds.py compare $out/old $out/new
