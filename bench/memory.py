"""Peak memory of a run on a memory-mapped feature folder, against the Python API on the same files.

Claim: a run reads a folder's memory-mapped spaces a block of rows at a time (searched subsets, read-out, saved model),
so a papermill run on all rows of two 100,000 x 256 float16 files needs no more memory than `fit_hume` on the
memory maps; only the references (k-means and the supervised probe on every space side by side) hold their rows.
Each case runs in its own process; the figure is that process's peak resident memory (ru_maxrss), next to the peak of a
process that only imports the package. The table is the section 'memory' of bench/RESULTS.md.

    python bench/memory.py            # two seeds, 100,000 rows
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

CASES = {
    'import only': "import hume_nb.experiment, hume_nb.estimator",
    'fit_hume on the memory maps': "from hume_nb.search import fit_hume\n"
                                   "r = fit_hume(x1, x2, 10, progress=False); r.predict(x1)",
    'HUME().fit on the memory maps': "from hume_nb import HUME\nHUME(10, seeds=SEEDS).fit(x1, X2=x2)",
    'run, all rows, no references': "from hume_nb.experiment import run_experiment\n"
                                    "run_experiment(dataset=str(D), n_train=None, seeds=SEEDS, baselines=False, out_dir=OUT, progress=False)",
    'run, all rows, with references': "from hume_nb.experiment import run_experiment\n"
                                      "run_experiment(dataset=str(D), n_train=None, seeds=SEEDS, out_dir=OUT, progress=False)",
    'run, defaults (10,000 search rows)': "from hume_nb.experiment import run_experiment\n"
                                          "run_experiment(dataset=str(D), seeds=SEEDS, out_dir=OUT, progress=False)",
}

def make_folder(d, n, dim, k=10, seed=0, chunk=20000):
    "A feature folder of two float16 spaces (phi1.npy, phi2.npy) sharing a planted labeling, written a chunk at a time."
    if (d/'labels.npy').exists() and np.load(d/'phi1.npy', mmap_mode='r').shape == (n, dim): return
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    for name in ('phi1', 'phi2'):
        mu = rng.standard_normal((k, dim)).astype(np.float32)
        x = np.lib.format.open_memmap(d/f'{name}.npy', mode='w+', dtype=np.float16, shape=(n, dim))
        for s in range(0, n, chunk):
            x[s:s + chunk] = mu[y[s:s + chunk]] + 2.0 * rng.standard_normal((len(y[s:s + chunk]), dim), dtype=np.float32)
        x.flush(); del x
    np.save(d/'labels.npy', y)

def one(case, d, seeds):
    "Run one case in this process; print its peak memory and seconds as JSON."
    D = Path(d); x1, x2 = (np.load(D/f'{s}.npy', mmap_mode='r') for s in ('phi1', 'phi2'))
    with tempfile.TemporaryDirectory() as out:   # a fresh folder: no case resumes another's checkpoints
        t = time.time()
        exec(CASES[case].replace('SEEDS', str(seeds)).replace('OUT', repr(out)), dict(D=D, x1=x1, x2=x2))
        print(json.dumps(dict(case=case, peak_gb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
                              seconds=round(time.time() - t, 1))))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=100000); p.add_argument('--dim', type=int, default=256)
    p.add_argument('--seeds', type=int, default=2)
    p.add_argument('--dir', default=str(Path(tempfile.gettempdir())/'hume_nb_memory'))
    p.add_argument('--cases', nargs='*', default=list(CASES))
    p.add_argument('--one', help='internal: run this case in this process')
    a = p.parse_args()
    d = Path(a.dir)/f'n{a.n}_d{a.dim}'
    if a.one: one(a.one, d, a.seeds); return
    make_folder(d, a.n, a.dim)
    rows = []
    for case in a.cases:   # one process each: each peak is that case's own
        out = subprocess.run([sys.executable, __file__, '--one', case, '--n', str(a.n), '--dim', str(a.dim), '--seeds', str(a.seeds),
                              '--dir', a.dir], capture_output=True, text=True)
        if out.returncode: raise SystemExit(f'{case} failed:\n{out.stderr[-3000:]}')
        rows.append(json.loads(out.stdout.strip().splitlines()[-1])); print(json.dumps(rows[-1]), flush=True)
    lines = [f'`python bench/memory.py`: a folder of two {a.n:,} x {a.dim} float16 memory-mapped spaces (the planted labels beside them), '
             f'{a.seeds} seeds, the default preset, one process per case, peak resident memory.', '',
             '| case | peak memory (GB) | seconds |', '|---|---:|---:|']
    lines += [f"| {r['case']} | {r['peak_gb']} | {r['seconds']} |" for r in rows]
    print('\n' + '\n'.join(lines))
    if (a.n, a.dim, a.seeds, a.cases) == (p.get_default('n'), p.get_default('dim'), p.get_default('seeds'), list(CASES)):
        sys.path.insert(0, str(Path(__file__).parent))
        from results import write_section
        write_section('memory', '\n'.join(lines))

if __name__ == '__main__':
    main()
