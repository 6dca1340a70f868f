"""Build the development cases (real images, several spaces each) into feature folders and measure every space.

For each case: its spaces with their dimensions, and each space's own k-means ACC and supervised linear-probe ACC
(logistic regression on the train rows, scored on the test rows), so that 'weak' and 'strong' are measured.

    python bench/dev_cases.py                          # every case in hume_nb.devcases.DEV_CASES
    python bench/dev_cases.py --cases digits_tiny fmnist_tiny --out /tmp/dev_cases
"""
import argparse, time
from pathlib import Path
import torch
from hume_nb.devcases import DEV_CASES, build_case, save_case, dev_cases_home
from hume_nb.evaluation import cluster_acc, kmeans_baseline, linear_probe_baseline

def measure(sp):
    "Per space: dims, k-means ACC and linear-probe ACC on the test rows (all rows, cross-validated, without a split)."
    k, fit, ev = len(set(sp.labels.tolist())), sp.rows('train'), sp.rows('test')
    fit_rows = None if sp.split is None else fit
    rows = []
    for s in sp.names:
        km = cluster_acc(sp.labels[ev], kmeans_baseline(sp[s], k, fit_rows=fit_rows, eval_rows=ev))
        lp = cluster_acc(sp.labels[ev], linear_probe_baseline(sp[s], sp.labels, fit_rows=fit_rows, eval_rows=ev))
        rows.append((s, sp.dims[s], km, lp))
    return rows

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--cases', nargs='+', default=list(DEV_CASES), choices=list(DEV_CASES))
    p.add_argument('--out', default=None, help='folder to hold one feature folder per case (default: ~/.cache/hume_nb/dev_cases)')
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    out = Path(a.out) if a.out else dev_cases_home()
    for name in a.cases:
        t = time.time(); sp = build_case(name, progress=False); built = time.time() - t
        folder = save_case(sp, out/name)
        scored = 'test rows (train/test split)' if sp.split is not None else 'all rows (cross-validated probe)'
        print(f"\n## {name}: N={sp.n}, K={len(sp.classes)}, built in {built:.1f} s -> {folder}; ACC on {scored}")
        print('| space | dim | k-means ACC | linear probe ACC |\n|---|---:|---:|---:|')
        for s, d, km, lp in measure(sp): print(f'| {s} | {d} | {100 * km:.1f} | {100 * lp:.1f} |')

if __name__ == '__main__': main()
