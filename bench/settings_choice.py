"""Label-free choice of the search's settings, measured: does the label-free score rank settings by their true accuracy?

For every development case (bench/dev_cases.py builds them) and every setting of a small grid (feature scaling,
temperature, entropy weight), HUME runs as the main job's default does (phi1 = every space side by side, phi2 = every space, preset 'fast', test rows
read out by ridge probes in every space; 3 seeds each, ensembled); the label-free score of a setting is its best
seed's closed-form leave-one-out score, as `choose_config` reads it. Printed and written to the section 'settings_choice' of
bench/RESULTS.md: per case, the Spearman rank correlation between that score and the true ACC over the grid, the ACC of
the setting the score chooses, of the fixed default, and of the best setting (which only the labels reveal).

    python bench/settings_choice.py                       # every case under ~/.cache/hume_nb/dev_cases
    python bench/settings_choice.py --cases digits_tiny
"""
import argparse, itertools, json, time
from pathlib import Path
import numpy as np, torch
from scipy.stats import spearmanr
from hume_nb.representations import load_spaces, l2_normalize, standardize
from hume_nb.fast import search_seeds
from hume_nb.ensemble import ensemble_labelings, read_probes
from hume_nb.evaluation import cluster_metrics
from hume_nb.devcases import dev_cases_home
from results import write_section

SCALINGS = {   # how each space is prepared before it is concatenated (phi1) and probed (phi2)
    'l2': lambda x, rows: l2_normalize(x),
    'l2_center_l2': lambda x, rows: standardize(x, rows),   # the main job's (center=True)
    'standardize_l2': lambda x, rows: l2_normalize((x - x[rows].mean(0)) / (x[rows].std(0) + 1e-6)),
}
GRID = dict(scaling=list(SCALINGS), temperature=[0.1, 0.3], entropy_weight=[1.0, 3.0, 10.0], ridge=[1e-3])
DEFAULT = dict(scaling='l2_center_l2', temperature=0.1, entropy_weight=3.0, ridge=1e-3)   # the main job's default

def run_setting(sp, rows, k, s, seeds):
    "ACC of the ensemble on the reported rows and the setting's label-free score (its best seed's)."
    tr, te = rows
    X = [SCALINGS[s['scaling']](np.asarray(sp[n], np.float32), tr) for n in sp.names]
    x1 = np.concatenate(X, 1)
    runs, scores, _ = search_seeds(x1[tr], [x[tr] for x in X], k, seeds, 'fast', temperature=s['temperature'],
                                   entropy_weight=s['entropy_weight'], ridge=s['ridge'], progress=False)
    ens, _ = ensemble_labelings(read_probes(runs, x1, X, tr, te, k), scores, k)
    return dict(**cluster_metrics(sp.labels[te], ens), score=max(scores))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--cases', nargs='+', default=None); p.add_argument('--seeds', type=int, default=3)
    p.add_argument('--threads', type=int, default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    home = dev_cases_home()
    cases = a.cases or sorted((d.name for d in home.iterdir() if (d/'labels.npy').exists()), key=lambda c: (not c.endswith('tiny'), c))
    lines = ['| case | settings | Spearman (score, ACC) | ACC chosen by the score | ACC default | ACC best (labels) | chosen setting |',
             '|---|---:|---:|---:|---:|---:|---|']
    raw = {}
    for c in cases:
        sp = load_spaces(home/c, mmap=False)
        rows = (sp.rows('train'), sp.rows('test')) if sp.split is not None else (np.arange(sp.n), np.arange(sp.n))
        k = len(np.unique(sp.labels)); t0 = time.time()
        grid = [dict(zip(GRID, v)) for v in itertools.product(*GRID.values())]
        res = [dict(setting=s, **run_setting(sp, rows, k, s, a.seeds)) for s in grid]
        rho = spearmanr([r['score'] for r in res], [r['acc'] for r in res])[0]
        chosen = max(res, key=lambda r: r['score']); default = next(r for r in res if r['setting'] == DEFAULT)
        best = max(res, key=lambda r: r['acc'])
        raw[c] = res
        lines.append(f"| {c} | {len(res)} | {rho:.2f} | {100 * chosen['acc']:.1f} | {100 * default['acc']:.1f} | {100 * best['acc']:.1f} | "
                     f"{chosen['setting']} |")
        print(lines[-1], f'({time.time() - t0:.0f} s)', flush=True)
    head = (f'`python bench/settings_choice.py`: phi1 = every space concatenated, phi2 = every space, preset `fast`, {a.seeds} seeds '
            f'per setting; grid {GRID}; the score of a setting is its best seed\'s label-free score.\n')
    md = head + '\n' + '\n'.join(lines)
    print(md)
    Path(__file__).with_name('results').mkdir(exist_ok=True)
    (Path(__file__).with_name('results')/'settings_choice.json').write_text(json.dumps(raw, indent=1, default=str))
    if a.cases is None: write_section('settings_choice', md)

if __name__ == '__main__':
    main()
