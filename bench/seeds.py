"""Seconds per seed of the default search (`preset='fast'`, `search_seeds`), before and after batching seeds in chunks
that stay in cache and computing sparsemax's threshold from its top entries with a closed-form gradient.

Claim (section 'seeds_speed' of bench/RESULTS.md): at K = 100 (a planted 1,600-row folder of three 64-column spaces) a
seed costs 1.2 s of CPU with 100 seeds, where the old path's cost per seed grew with the number of seeds (1.8 s with
10 or 20 seeds, 5 to 7 s with 100); at K = 10 (digits6, 1,437 search rows, six spaces) the cost is unchanged (the search
is bound by its matrix products there). The target of 100 seeds in under a minute is not reached: 124 s of CPU.
'before' is the previous code path, rebuilt here in the same process: the sort-based sparsemax differentiated by
autograd, every seed in one batch. Both paths give the same runs (tested in 12_search and 31_fast_search).

    python bench/dev_cases.py --cases digits6      # the K=10 case first
    python bench/seeds.py                           # torch on 1 thread; a few minutes on 2 shared cores
"""
import argparse, json, time
from pathlib import Path
import numpy as np, torch
from results import write_section
from hume_nb.files import atomic_write_text
from hume_nb.representations import Spaces, Standardized, load_spaces
import hume_nb.fast as fast, hume_nb.search as search, hume_nb.plans as plans
from hume_nb.devcases import dev_cases_home

RESULTS = Path(__file__).parent/'results'

def planted_views(n=1600, k=100, d=64, views=3, noise=1.0, seed=0):
    "`views` spaces of `d` columns sharing a planted k-class labeling: a random mean per class plus noise."
    rng = np.random.default_rng(seed); y = rng.integers(0, k, n)
    xs = {f'view{i}': (rng.normal(size=(k, d))[y] + noise * rng.normal(size=(n, d))).astype(np.float32) for i in range(views)}
    return Spaces(xs, y, None, f'planted_k{k}', [f'class {i}' for i in range(k)])

def _sorted_sparsemax(z, dim=-1):
    "The previous sparsemax: a full sort, differentiated by autograd."
    z = z.transpose(dim, -1)
    zs = torch.sort(z, dim=-1, descending=True).values
    cs = zs.cumsum(-1) - 1
    k = (torch.arange(1, z.shape[-1] + 1, dtype=z.dtype, device=z.device) * zs > cs).sum(-1, keepdim=True)
    return torch.clamp(z - cs.gather(-1, k - 1) / k.to(z.dtype), min=0).transpose(dim, -1)

def timed(sp, k, seeds, old):
    "(wall, cpu) seconds of search_seeds on every space (phi1 side by side, phi2 each), by the old or the new path."
    rows = sp.rows('train') if sp.split is not None else np.arange(sp.n)
    z = [Standardized.fit(np.asarray(sp[s], np.float32), rows).take(rows) for s in sp.names]
    keep = search.sparsemax, plans.SEED_CHUNK
    if old: search.sparsemax, plans.SEED_CHUNK = _sorted_sparsemax, 1 << 62
    try:
        t, c = time.time(), time.process_time()
        fast.search_seeds(Standardized.hstack(z), z, k, seeds, progress=False)
        return time.time() - t, time.process_time() - c
    finally: search.sparsemax, plans.SEED_CHUNK = keep

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--old-seeds', type=int, nargs='+', default=[10, 20], help='seed counts of the old path at K=100')
    p.add_argument('--tables', action='store_true', help='only rewrite the table from bench/results/seeds_speed.json')
    a = p.parse_args()
    torch.set_num_threads(1)
    if a.tables: return write(json.loads((RESULTS/'seeds_speed.json').read_text()))
    digits = load_spaces(dev_cases_home()/'digits6', mmap=False)
    cases = [('planted, K=100, 1,600 rows, 3 x 64 columns', planted_views(), 100, a.old_seeds, [10, 100]),
             ('digits6, K=10, 1,437 rows, 6 spaces', digits, 10, [10, 100], [10, 100])]
    rows = []
    for name, sp, k, old_s, new_s in cases:
        for seeds in sorted(set(old_s) | set(new_s)):
            for old in (True, False):
                if seeds not in (old_s if old else new_s): continue
                wall, cpu = timed(sp, k, seeds, old)
                rows.append(dict(case=name, k=k, seeds=seeds, path='before' if old else 'after', wall=wall, cpu=cpu))
                print(rows[-1], flush=True)
    atomic_write_text(RESULTS/'seeds_speed.json', json.dumps(rows, indent=1) + '\n')
    write(rows)

def write(rows):
    "The markdown table of `rows`, printed and written to section 'seeds_speed'."
    lines = ['| case | seeds | before: s/seed (wall, cpu) | after: s/seed (wall, cpu) | speed-up (wall, cpu) |', '|---|---:|---:|---:|---:|']
    for name in dict.fromkeys(r['case'] for r in rows):
        for s in sorted({r['seeds'] for r in rows if r['case'] == name}):
            b = next((r for r in rows if r['case'] == name and r['seeds'] == s and r['path'] == 'before'), None)
            f = next((r for r in rows if r['case'] == name and r['seeds'] == s and r['path'] == 'after'), None)
            cell = lambda r: 'not run' if r is None else f"{r['wall'] / s:.2f}, {r['cpu'] / s:.2f}"
            ratio = f"{b['wall'] / f['wall']:.1f}x, {b['cpu'] / f['cpu']:.1f}x" if b and f else ''
            lines.append(f'| {name} | {s} | {cell(b)} | {cell(f)} | {ratio} |')
    md = '\n'.join(lines + ['', 'Seconds per seed of `search_seeds` (search and label-free score) with the default preset, torch on 1 '
                            'thread, on a 2-core CPU shared with other work (wall and process CPU seconds, both paths in the same '
                            'run). The old path at K=100 and 100 seeds is not rerun here: one of its iterations took 5 to 7 s on this '
                            'machine (its labels, 1,600 x 100 seeds x 100 classes, leave the cache), 9 to 11 minutes in all.'])
    print(md); write_section('seeds_speed', md)

if __name__ == '__main__': main()
