#!/usr/bin/env bash
# One GPU, under ten minutes: the default run on the GPU, the reference search's seconds per iteration with its subsets
# and seeds one by one and stacked, the extraction table and the scaling benchmark at 100,000 rows. Every measurement goes to
# one file of its own ($OUT/GPU_RESULTS.md, default runs/gpu_check), never into bench/RESULTS.md; the summary is printed.
#
#   bash bench/gpu_check.sh            # after bash scripts/setup.sh, on a machine with a CUDA GPU
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
OUT=${OUT:-runs/gpu_check}; mkdir -p "$OUT"
export HUME_NB_RESULTS="$PWD/$OUT/GPU_RESULTS.md"
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA GPU: this check needs one'; print('GPU:', torch.cuda.get_device_name())"
echo "== the default run on the GPU"
(cd bench && python runs.py --device cuda --only default --out "../$OUT/runs")
echo "== the reference search: subsets and seeds one by one and stacked"
(cd bench && python stack_subsets.py --device cuda --iters 3 --seeds 8)
echo "== extraction throughput"
python bench/extraction_throughput.py --device cuda | tee "$OUT/extraction.txt"
echo "== scaling at 100,000 rows"
(cd bench && python scaling.py --sizes 100000 --device cuda --dir "../$OUT/scaling")
echo "== summary ($HUME_NB_RESULTS)"
cat "$HUME_NB_RESULTS"
