"""Seconds per seed of the default search (`preset='fast'`, `search_seeds`): this checkout against an earlier revision,
both timed in the same run, each in its own process with the same threads.

Claim (section 'seeds_speed' of bench/RESULTS.md): 100 seeds on a planted 1,600-row, 100-class folder of three
64-column spaces take under a minute on this 2-core CPU (52.8 s wall against 89.5 s for revision c9cf92d, same
labels to within rounding), because sparsemax now reads and writes only each row's support (one to four of 100
classes) and the ridge leave-one-out error of every space comes from one product of the labels with the spaces'
rows, never forming the n x K residuals. At K = 10 (digits6, six spaces) the search is bound by its products and
gains less.

    python bench/dev_cases.py --cases digits6      # the K=10 case first
    python bench/seeds.py                           # about 4 minutes on 2 cores; --before REV to compare another revision
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, torch
from results import write_section

BENCH, RESULTS = Path(__file__).parent, Path(__file__).parent/'results'
BEFORE = 'c9cf92d'   # the last revision before the support-only sparsemax and the residual-free ridge error

def planted_views(n=1600, k=100, d=64, views=3, noise=1.0, seed=0):
    "`views` spaces of `d` columns sharing a planted k-class labeling: a random mean per class plus noise."
    from hume_nb.representations import Spaces
    rng = np.random.default_rng(seed); y = rng.integers(0, k, n)
    xs = {f'view{i}': (rng.normal(size=(k, d))[y] + noise * rng.normal(size=(n, d))).astype(np.float32) for i in range(views)}
    return Spaces(xs, y, None, f'planted_k{k}', [f'class {i}' for i in range(k)])

def _case(name):
    "(spaces, K) of a case by name."
    if name == 'planted_k100': return planted_views(), 100
    from hume_nb.representations import load_spaces
    from hume_nb.devcases import dev_cases_home
    return load_spaces(dev_cases_home()/name, mmap=False), 10

def time_here(name, seeds, threads):
    "(wall, cpu seconds, mean seed ACC) of `search_seeds` on every space (phi1 side by side, phi2 each), in this process."
    import hume_nb, hume_nb.fast as fast
    from hume_nb.representations import Standardized
    src = os.environ.get('PYTHONPATH')
    if src and not Path(hume_nb.__file__).resolve().is_relative_to(Path(src).resolve()): raise RuntimeError(f"hume_nb from {hume_nb.__file__}, not {src}")
    from hume_nb.evaluation import cluster_metrics
    torch.set_num_threads(threads)
    sp, k = _case(name)
    rows = sp.rows('train') if sp.split is not None else np.arange(sp.n)
    z = [Standardized.fit(np.asarray(sp[s], np.float32), rows).take(rows) for s in sp.names]
    x1 = Standardized.hstack(z)
    t, c = time.time(), time.process_time()
    runs = fast.search_seeds(x1, z, k, seeds, progress=False)[0]
    wall, cpu = time.time() - t, time.process_time() - c
    acc = np.mean([cluster_metrics(np.asarray(sp.labels)[rows], r.predict(x1))['acc'] for r in runs])
    return dict(wall=wall, cpu=cpu, acc=float(acc))

def timed(src, name, seeds, threads):
    "`time_here` in a fresh process importing hume_nb from the checkout `src`."
    env = {**os.environ, 'PYTHONPATH': str(src)}
    out = subprocess.run([sys.executable, __file__, '--time', name, str(seeds), str(threads)], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--before', default=BEFORE, help='the git revision to compare against')
    p.add_argument('--tables', action='store_true', help='only rewrite the table from bench/results/seeds_speed.json')
    p.add_argument('--time', nargs=3, help=argparse.SUPPRESS)   # CASE SEEDS THREADS: one timing, printed as JSON
    a = p.parse_args()
    if a.time: return print(json.dumps(time_here(a.time[0], int(a.time[1]), int(a.time[2]))))
    if a.tables: return write(json.loads((RESULTS/'seeds_speed.json').read_text()))
    root = BENCH.parent
    cases = [('planted_k100', 'planted, K=100, 1,600 rows, 3 x 64 columns', 100), ('digits6', 'digits6, K=10, 1,437 rows, 6 spaces', 20)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp)/'before'
        subprocess.run(['git', '-C', str(root), 'worktree', 'add', '-q', '--detach', str(old), a.before], check=True)
        try:
            for name, label, seeds in cases:
                for threads in (2,):   # torch's default here: one per core
                    for path, src in (('before', old), ('after', root)):   # alternated, so both see the same machine
                        r = dict(case=label, seeds=seeds, threads=threads, path=path, revision=a.before if path == 'before' else 'this checkout',
                                 **timed(src, name, seeds, threads))
                        rows.append(r); print(r, flush=True)
        finally: subprocess.run(['git', '-C', str(root), 'worktree', 'remove', '--force', str(old)], check=False)
    from hume_nb.files import atomic_write_text
    atomic_write_text(RESULTS/'seeds_speed.json', json.dumps(rows, indent=1) + '\n')
    write(rows)

def write(rows):
    "The markdown table of `rows`, printed and written to section 'seeds_speed'."
    lines = ['| case | seeds | torch threads | before: wall s (s/seed) | after: wall s (s/seed) | speed-up (wall) | mean seed ACC before / after |',
             '|---|---:|---:|---:|---:|---:|---:|']
    key = lambda r: (r['case'], r['seeds'], r['threads'])
    for case, seeds, threads in dict.fromkeys(key(r) for r in rows):
        b, f = (next(r for r in rows if key(r) == (case, seeds, threads) and r['path'] == p) for p in ('before', 'after'))
        lines.append(f"| {case} | {seeds} | {threads} | {b['wall']:.1f} ({b['wall'] / seeds:.2f}) | {f['wall']:.1f} ({f['wall'] / seeds:.2f}) | "
                     f"{b['wall'] / f['wall']:.1f}x | {100 * b['acc']:.1f} / {100 * f['acc']:.1f} |")
    before = next(r['revision'] for r in rows if r['path'] == 'before')
    md = '\n'.join(lines + ['', f'`python bench/seeds.py`: wall seconds of `search_seeds` (the default preset: search and label-free '
                            f'score) on a 2-core CPU, revision {before} ("before") and this checkout ("after") each in a fresh process, '
                            'alternated in one run. ACC: the mean over seeds of each seed\'s labeling against the true classes.'])
    print(md); write_section('seeds_speed', md)

if __name__ == '__main__': main()
