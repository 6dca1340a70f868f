"""Scaling of the fast search to ImageNet-sized feature sets, from memory-mapped synthetic features.

Claim: with the 'ridge' solver on random subsets, one outer iteration costs the same at any N (it touches only a
subset), the full search grows linearly in N only through reading the data (validation, read-out), and peak memory
stays bounded because the spaces are memory-mapped and read a subset at a time. The planted labeling (K classes,
linearly separable in both spaces, with ImageNet-like shapes d1=2048, d2=1536, K=1000) must be recovered: split/merge
moves every 5 iterations repair the search's merge/split local optima.
Last run (2-core CPU, nothing else running, 50 iterations, subsets of 20,000): one iteration 4.95 s, search 311 s and
peak memory 5.1 GB at N = 1.28M (4.72 s and 2.2 GB at 100k); the planted labeling recovered exactly (ACC, NMI, ARI
1.000) at 100k and 1.28M, ARI 0.986 at 10k (10 rows per class). The whole table is the section 'scaling' of
bench/RESULTS.md, which a run with the default sizes rewrites.

    python bench/scaling.py --sizes 10000 100000 1280000
"""
import argparse, json, os, resource, subprocess, sys, time
from pathlib import Path
import numpy as np, torch
from results import write_section
from hume_nb.search import fit_hume, make_config
from hume_nb.evaluation import cluster_metrics
from hume_nb.files import release_pages

def peak_rss_gb():
    "Peak resident memory of this process so far (Linux reports KiB)."
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

def planted(path, n, d1, d2, k, noise, dtype, seed=0, chunk=32768):
    "Memory-mapped spaces sharing a planted labeling: x = class mean + isotropic noise, written a chunk at a time."
    path.mkdir(parents=True, exist_ok=True)
    done = path/'done.json'
    if done.exists() and json.loads(done.read_text()) == dict(n=n, d1=d1, d2=d2, k=k, noise=noise, dtype=dtype, seed=seed):
        return [np.load(path/f, mmap_mode='r') for f in ('phi1.npy', 'phi2.npy', 'labels.npy')]
    rng = np.random.default_rng(seed)
    means = [rng.standard_normal((k, d), dtype=np.float32) / np.sqrt(d) for d in (d1, d2)]
    labels = rng.integers(0, k, n)
    np.save(path/'labels.npy', labels)
    for name, d, mu in (('phi1', d1, means[0]), ('phi2', d2, means[1])):
        x = np.lib.format.open_memmap(path/f'{name}.npy', mode='w+', dtype=dtype, shape=(n, d))
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            x[s:e] = mu[labels[s:e]] + noise * rng.standard_normal((e - s, d), dtype=np.float32) / np.sqrt(d)
            x.flush(); release_pages(x)   # written pages leave this process's memory: the peak measures the search
        x.flush(); del x
    done.write_text(json.dumps(dict(n=n, d1=d1, d2=d2, k=k, noise=noise, dtype=dtype, seed=seed)))
    return [np.load(path/f, mmap_mode='r') for f in ('phi1.npy', 'phi2.npy', 'labels.npy')]

def run_one(a, n):
    "Generate (or reuse) the data of size n, run the search, read out all rows; one JSON line of figures."
    t0 = time.time()
    x1, x2, y = planted(Path(a.dir)/f'n{n}', n, a.d1, a.d2, a.k, a.noise, a.dtype)
    t_data = time.time() - t0
    cfg = make_config('fast', subset_size=a.subset, iters=a.iters, anneal_at=(), outer_lr=a.outer_lr, temperature=a.temperature,
                      entropy_weight=a.entropy_weight, split_merge_every=a.split_merge_every, device=a.device)
    stamps = []
    t0 = time.time()
    res = fit_hume(x1, x2, a.k, cfg, progress=False, callback=lambda it, h: stamps.append(time.time()))
    t_search = time.time() - t0
    t0 = time.time(); pred = res.predict(x1); t_pred = time.time() - t0
    m = cluster_metrics(np.asarray(y), pred)
    return dict(n=n, data_s=round(t_data, 1), setup_s=round(stamps[0] - (t0 - t_pred - t_search) - float(np.median(np.diff(stamps))), 1),
                iter_s=round(float(np.median(np.diff(stamps))), 2), search_s=round(t_search, 1), predict_s=round(t_pred, 1),
                moves=sum(h.get('moves', 0) for h in res.history), peak_gb=round(peak_rss_gb(), 2), **{k: round(v, 4) for k, v in m.items()})

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sizes', type=int, nargs='+', default=[10000, 100000, 1280000])
    p.add_argument('--d1', type=int, default=2048); p.add_argument('--d2', type=int, default=1536)
    p.add_argument('--k', type=int, default=1000); p.add_argument('--noise', type=float, default=1.0)
    p.add_argument('--dtype', default='float16', help='storage type of the synthetic features')
    p.add_argument('--subset', type=int, default=20000, help='rows per outer iteration')
    p.add_argument('--iters', type=int, default=50, help='outer iterations of the full search')
    p.add_argument('--outer-lr', type=float, default=0.2); p.add_argument('--temperature', type=float, default=0.05)
    p.add_argument('--entropy-weight', type=float, default=1.0)
    p.add_argument('--split-merge-every', type=int, default=5, help='iterations between split/merge moves; 0 = none')
    p.add_argument('--dir', default='/tmp/hume_nb_scaling')
    p.add_argument('--device', default='auto', help="'auto': the GPU when there is one")
    p.add_argument('--one', action='store_true', help='internal: run the first size in this process')
    a = p.parse_args()
    if a.one: print(json.dumps(run_one(a, a.sizes[0])), flush=True); return
    rows = []
    for n in a.sizes:   # one process per size, so that each peak memory figure is that size's own
        args = [sys.executable, __file__, '--one', '--sizes', str(n)] + [f'--{k.replace("_", "-")}={v}' for k, v in vars(a).items()
                                                                       if k not in ('sizes', 'one')]
        out = subprocess.run(args, capture_output=True, text=True)
        if out.returncode: raise SystemExit(out.stderr[-3000:])
        rows.append(json.loads(out.stdout.strip().splitlines()[-1])); print(json.dumps(rows[-1]), flush=True)
    lines = [f'`python bench/scaling.py`: d1={a.d1}, d2={a.d2}, K={a.k}, subsets of {a.subset:,} rows, {a.iters} iterations, outer lr '
             f'{a.outer_lr}, temperature {a.temperature}, entropy weight {a.entropy_weight}, split/merge every {a.split_merge_every}, '
             f'{a.dtype} on disk, device {a.device}, {torch.get_num_threads()} threads.', '',
             '| N | data (s) | setup (s) | one iteration (s) | search (s) | moves kept | read-out (s) | peak memory (GB) | ACC | NMI | ARI |',
             '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    lines += [f"| {r['n']:,} | {r['data_s']} | {r['setup_s']} | {r['iter_s']} | {r['search_s']} | {r['moves']} | {r['predict_s']} | "
              f"{r['peak_gb']} | {r['acc']:.3f} | {r['nmi']:.3f} | {r['ari']:.3f} |" for r in rows]
    print('\n' + '\n'.join(lines))
    if a.sizes == p.get_default('sizes'): write_section('scaling', '\n'.join(lines))

if __name__ == '__main__':
    main()
