"""Labeling quality of the book's methods on the development cases (and any feature folder): one markdown table.

Rows: k-means on the best single space (chosen by its true ACC, so an optimistic oracle choice), k-means on the
concatenation of the L2-normalised spaces, TURTLE on every space (the CPU budget in the row name), the supervised
linear probe on the concatenation (the ceiling), and with --hume HUME's 'fast' preset (phi1 = the concatenation,
phi2 = every space). Cells are ACC / NMI / ARI in percent and seconds. A case with a train/test split is run
inductively (fit on the train rows, scored on the test rows); a case without one transductively (all rows).
Writes bench/results/quality.md and bench/results/quality.json.

    python bench/dev_cases.py --cases digits_tiny fmnist_tiny      # build the feature folders first
    python bench/quality.py --cases digits_tiny fmnist_tiny --hume
    python bench/quality.py --cases none MY_FEATURE_FOLDER         # any feature folder with labels.npy
"""
import argparse, json, time
from pathlib import Path
import numpy as np, torch
from hume_nb.representations import load_spaces, l2_normalize, atomic_write_text
from hume_nb.evaluation import cluster_metrics, kmeans_baseline, linear_probe_baseline
from hume_nb.turtle import fit_turtle, turtle_config
from hume_nb.devcases import DEV_CASES, dev_cases_home

RESULTS = Path(__file__).parent/'results'

def _timed(f):
    t = time.time(); y = f(); return y, time.time() - t

def run_case(sp, turtle_cfg, hume=False):
    "{method: {acc, nmi, ari, seconds}} on one case; the setting used in 'setting'."
    if sp.labels is None: raise ValueError(f"case '{sp.name}' has no labels.npy: quality needs the true classes")
    k = len(sp.classes) if sp.classes is not None else len(np.unique(sp.labels))
    split = sp.split is not None
    fit, ev = sp.rows('train'), sp.rows('test')
    xs = {s: np.asarray(sp[s], dtype=np.float32) for s in sp.names}
    cat = np.concatenate([l2_normalize(x) for x in xs.values()], 1)
    y, fr = sp.labels[ev], (fit if split else None)
    score = lambda pred, sec, **kw: dict(**cluster_metrics(y, pred), seconds=sec, **kw)
    out = {}
    best = None
    for s, x in xs.items():
        pred, sec = _timed(lambda: kmeans_baseline(x, k, fit_rows=fr, eval_rows=ev))
        r = score(pred, sec, space=s)
        if best is None or r['acc'] > best['acc']: best = r
    out[f"kmeans, best single space by true ACC"] = best
    out['kmeans, concatenation'] = score(*_timed(lambda: kmeans_baseline(cat, k, fit_rows=fr, eval_rows=ev)))
    t = time.time()
    tr = fit_turtle([x[fit] for x in xs.values()], k, turtle_cfg, progress=False)
    out[f'turtle, all spaces ({turtle_cfg.iters} it, batch {turtle_cfg.batch_size}, lr {turtle_cfg.outer_lr}/{turtle_cfg.inner_lr})'] = \
        score(tr.predict([x[ev] for x in xs.values()]), time.time() - t)
    if hume:
        from hume_nb.search import fit_hume
        t = time.time()
        res = fit_hume(cat[fit], [x[fit] for x in xs.values()], k, preset='fast', progress=False)
        out["hume, preset 'fast' (phi1 = concatenation, phi2 = every space)"] = score(res.predict(cat[ev]), time.time() - t)
    out['linear probe (supervised), concatenation'] = score(*_timed(lambda: linear_probe_baseline(cat, sp.labels, fit_rows=fr, eval_rows=ev)))
    setting = (f'inductive: fit on {len(fit)} train rows, scored on {len(ev)} test rows' if split
               else f'transductive: fit and scored on all {sp.n} rows')
    return dict(methods=out, setting=setting, n=sp.n, k=k, spaces=sp.dims)

def table(results):
    "One markdown table: methods x cases, cells 'ACC / NMI / ARI (seconds)'."
    cases = list(results)
    methods = list(dict.fromkeys(m for r in results.values() for m in r['methods']))
    rows = ['| method | ' + ' | '.join(cases) + ' |', '|---|' + '---:|' * len(cases)]
    for m in methods:
        cells = []
        for c in cases:
            r = results[c]['methods'].get(m)
            cells.append('n/a' if r is None else f"{100*r['acc']:.1f} / {100*r['nmi']:.1f} / {100*r['ari']:.1f} ({r['seconds']:.1f} s)"
                         + (f" [{r['space']}]" if 'space' in r else ''))
        rows.append(f'| {m} | ' + ' | '.join(cells) + ' |')
    notes = [f"- {c}: N={r['n']}, K={r['k']}, spaces {r['spaces']}; {r['setting']}" for c, r in results.items()]
    return '\n'.join(rows + ['', 'Cells: ACC / NMI / ARI in percent (seconds). Cases:'] + notes)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('folders', nargs='*', help='extra feature folders (SPACE.npy files with labels.npy)')
    p.add_argument('--cases', nargs='+', default=list(DEV_CASES), help="dev cases to read from --cases-dir ('none' for none)")
    p.add_argument('--cases-dir', default=None, help='folder of dev-case feature folders (default ~/.cache/hume_nb/dev_cases)')
    p.add_argument('--hume', action='store_true', help="add HUME (preset 'fast') on every case")
    p.add_argument('--turtle-iters', type=int, default=None, help="TURTLE outer steps (default: the 'cpu' preset's)")
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--out', default=str(RESULTS), help='folder for quality.md and quality.json')
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    home = Path(a.cases_dir) if a.cases_dir else dev_cases_home()
    folders = [home/c for c in a.cases if c != 'none'] + [Path(f) for f in a.folders]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing: raise SystemExit(f"no feature folder at {missing}; build the dev cases with bench/dev_cases.py first")
    cfg = turtle_config('cpu', iters=a.turtle_iters)
    results = {}
    for f in folders:
        results[f.name] = run_case(load_spaces(f, mmap=False), cfg, hume=a.hume)
        print(f"{f.name}: done", flush=True)
    md = table(results)
    print(md)
    out = Path(a.out)
    atomic_write_text(out/'quality.md', md + '\n')
    atomic_write_text(out/'quality.json', json.dumps(dict(results=results, turtle_config=cfg.__dict__), indent=1) + '\n')

if __name__ == '__main__': main()
