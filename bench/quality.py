"""HUME's labeling quality on many real cases: the main job's new default against its old default, k-means, TURTLE and
the supervised probe, on the development cases (bench/dev_cases.py builds them) and on the offline image datasets.

Claim (2-core CPU, section 'quality' of bench/RESULTS.md): the default (`preset='fast'`, entropy weight 3, phi1 = every
space side by side, phi2 = every space, `readout='probes'`) beats the best k-means row on every case measured.

Rows, each cell ACC / NMI / ARI in percent and seconds:
- `hume (new default)`: `run_experiment` on the case with every default.
- `hume (old default)`: the previous default, `preset='cpu'` (entropy weight 10, unrolled SGD), `readout='task'`, on two
  spaces: phi1 and phi2 the two spaces with the best supervised probe accuracy (an oracle choice in its favour).
  Slow (minutes per case): `--old` adds it.
- `kmeans, best single space` (chosen by true ACC: an oracle) and `kmeans, concatenation`, as the run reports them.
- `turtle`: TURTLE (33_turtle, its 'cpu' preset) on every space.
- `linear probe (supervised)`: the ceiling, trained with the true labels.
A case with a train/test split is inductive (search on train rows, scored on test rows), one without it transductive.
Raw numbers go to bench/results/quality.json; the markdown table to the section 'quality' of bench/RESULTS.md.

    python bench/dev_cases.py                         # build the development cases first
    python bench/quality.py --old                     # every case, old default included (about an hour on 2 cores)
    python bench/quality.py --cases digits_tiny       # one case (the results file is written only for the full set)
    python bench/quality.py --turtle                  # only the TURTLE rows again, other rows as measured before
"""
import argparse, json, tempfile, time
from pathlib import Path
import numpy as np, torch
from results import write_section
from hume_nb.files import atomic_write_text
from hume_nb.representations import load_spaces, standardize
from hume_nb.evaluation import cluster_metrics, linear_probe_baseline
from hume_nb.experiment import run_experiment
from hume_nb.turtle import fit_turtle, turtle_config
from hume_nb.devcases import DEV_CASES, dev_cases_home

RESULTS = Path(__file__).parent/'results'
IMAGE_CASES = {'fashion_mnist': dict(), 'digits': dict(n_train=None)}   # the main job's offline image datasets

def _run(dataset, out, **settings):
    "run_experiment's metrics and wall time."
    t = time.time(); r = run_experiment(dataset=str(dataset), out_dir=str(out), progress=False, **settings)
    return r, time.time() - t

def _two_best(sp, rows):
    "The two spaces whose supervised probe (5-fold on the search rows) is most accurate: the old default's oracle pair."
    fit = rows[::max(1, len(rows) // 2000)]
    acc = {s: (linear_probe_baseline(standardize(np.asarray(sp[s], np.float32), fit)[fit], sp.labels[fit]) == sp.labels[fit]).mean()
           for s in sp.names}
    return sorted(acc, key=acc.get, reverse=True)[:2]

def turtle_row(sp, spaces, k, fit_rows, ev):
    "TURTLE's cpu preset on every space, standardised on the search rows as the run does: metrics and seconds."
    xs = [standardize(np.asarray(sp[s], np.float32), fit_rows) for s in spaces]
    t = time.time(); tr = fit_turtle([x[fit_rows] for x in xs], k, turtle_config('cpu'), progress=False)
    return {**cluster_metrics(sp.labels[ev], tr.predict([x[ev] for x in xs])), 'seconds': round(time.time() - t, 1), 'loss': 'eq12'}

def turtle_case(dataset, settings, previous):
    "Only the TURTLE row of a case measured before, on the same spaces and rows (the run's loading, no search)."
    from hume_nb.experiment import run_config, _load
    from hume_nb.sources import resolve_spaces
    cfg = run_config(dataset=str(dataset), **settings); phi1, phi2 = resolve_spaces(cfg.dataset, cfg.phi1, cfg.phi2)
    sp, setting, fit_rows, ev, k, _, _ = _load(cfg, phi1, phi2, False)
    previous['methods']['turtle (cpu preset, every space)'] = turtle_row(sp, previous['spaces'], k, fit_rows, ev)
    return previous

def run_case(dataset, settings, old, tmp):
    "{method: metrics and seconds} on one case."
    r, sec = _run(dataset, tmp/'new', **settings)
    m, info = r['metrics'], r['info']
    out = {'hume (new default)': {**m['hume'], 'seconds': round(sec, 1)}}
    km = {n: v for n, v in m.items() if n.startswith('kmeans_') and n != 'kmeans_concat'}
    best = max(km, key=lambda n: km[n]['acc'])
    out['kmeans, best single space'] = {**km[best], 'space': best[len('kmeans_'):]}
    out['kmeans, concatenation'] = m['kmeans_concat']
    sp, fit, ev = r['spaces'], r['info']['n_search'], r['eval_rows']
    fit_rows = sp.rows('train') if info['setting'] == 'inductive' else sp.rows('all')
    out['turtle (cpu preset, every space)'] = turtle_row(sp, info['spaces'], info['k'], fit_rows, ev)
    out['linear probe (supervised)'] = m['linear_probe']
    if old:
        pair = _two_best(sp, fit_rows) if len(info['spaces']) > 2 else None
        extra = dict(phi1=pair[0], phi2=pair[1]) if pair else {}
        r2, sec2 = _run(dataset, tmp/'old', preset='cpu', readout='task', entropy_weight=10.0, baselines=False, **settings, **extra)
        out[f'hume (old default)'] = {**r2['metrics']['hume'], 'seconds': round(sec2, 1), 'space': '/'.join(r2['info']['phi1'] + r2['info']['phi2'])}
    setting = (f"{info['setting']}: search on {info['n_search']:,} rows, scored on {info['n_report']:,}")
    return dict(methods=out, setting=setting, k=info['k'], spaces=info['spaces'])

ORDER = ['hume (new default)', 'hume (old default)', 'kmeans, best single space', 'kmeans, concatenation',
         'turtle (cpu preset, every space)', 'linear probe (supervised)']

def table(results):
    "Methods x cases: 'ACC / NMI / ARI (seconds)'."
    cases = list(results)
    rows = ['| method | ' + ' | '.join(cases) + ' |', '|---|' + '---:|' * len(cases)]
    for name in [n for n in ORDER if any(n in r['methods'] for r in results.values())]:
        cells = []
        for c in cases:
            r = results[c]['methods'].get(name)
            cells.append('n/a' if r is None else f"{100*r['acc']:.1f} / {100*r['nmi']:.1f} / {100*r['ari']:.1f} ({r['seconds']:.0f} s)"
                         + (f" [{r['space']}]" if 'space' in r else '') + (' (†)' if name.startswith('turtle') and 'loss' not in r else ''))
        rows.append(f'| {name} | ' + ' | '.join(cells) + ' |')
    wins = [c for c, r in results.items() if r['methods']['hume (new default)']['acc'] > max(
        r['methods'][n]['acc'] for n in ('kmeans, best single space', 'kmeans, concatenation'))]
    notes = [f"- {c}: K={r['k']}, spaces {', '.join(r['spaces'])}; {r['setting']}" for c, r in results.items()]
    stale = any('loss' not in r['methods'].get(n, {'loss': 1}) for r in results.values() for n in ORDER if n.startswith('turtle'))
    return '\n'.join(rows + ['', f"The new default beats the best k-means row on {len(wins)} of {len(results)} cases. "
                             'Cells: ACC / NMI / ARI in percent (wall seconds on a 2-core CPU). '
                             "TURTLE's balance term is the sum over spaces of each space's mean-prediction entropy (Eq. 12, "
                             'as its authors run it)' + ('; (†): measured with the previous term (the entropy of the mean of '
                             'the spaces), not yet re-measured' if stale else '') + '. Cases:'] + notes)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--cases', nargs='+', default=None, help='development cases and/or image datasets (default: all)')
    p.add_argument('--old', action='store_true', help='add the old default (minutes per case)')
    p.add_argument('--turtle', action='store_true', help="re-measure only the TURTLE row of cases measured before")
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    home = dev_cases_home()
    cases = a.cases or [*DEV_CASES, *IMAGE_CASES]
    results = json.loads((RESULTS/'quality.json').read_text()) if (RESULTS/'quality.json').exists() else {}
    for c in cases:
        target, settings = (c, IMAGE_CASES[c]) if c in IMAGE_CASES else (home/c, {})
        if c not in IMAGE_CASES and not Path(target).is_dir(): raise SystemExit(f"no case at {target}: run bench/dev_cases.py first")
        if a.turtle and c in results: results[c] = turtle_case(target, settings, results[c])
        else:
            with tempfile.TemporaryDirectory() as tmp: results[c] = run_case(target, settings, a.old, Path(tmp))
        atomic_write_text(RESULTS/'quality.json', json.dumps(results, indent=1, default=float) + '\n')   # one case at a time: a long run keeps what it measured
        print(c, {n: round(100 * v['acc'], 1) for n, v in results[c]['methods'].items()}, flush=True)
    md = table({c: results[c] for c in [*DEV_CASES, *IMAGE_CASES] if c in results})
    print(md)
    write_section('quality', md)

if __name__ == '__main__': main()
