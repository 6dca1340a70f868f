"""Linear against kernel probes inside HUME on the development cases: one markdown table.

For every case folder, HUME's 'fast' preset as the main job prepares it (each space L2-normalised, centred on the search
rows and normalised again; phi1 = their concatenation, phi2 = every space; test rows read out by ridge probes in every
space) is run with each inner solver ('ridge', 'kernel_rbf', 'kernel_cos'), 3 seeds in one batched search
(`hume_nb.fast.search_seeds`), combined by `hume_nb.ensemble.ensemble_labelings`. A case with a train/test split is
searched on its train rows and scored on its test rows (`read_probes`); a case without one on all rows.
Cells are ACC / NMI / ARI in percent of the ensemble, the mean single-seed ACC, and the seconds of the search.
Writes bench/results/probes.md and the section 'probes' of bench/RESULTS.md.

    python bench/probes.py                                   # every dev case (build them with bench/dev_cases.py)
    python bench/probes.py --cases digits_tiny --probes ridge kernel_rbf
"""
import argparse, time
from pathlib import Path
import numpy as np, torch
from hume_nb.files import atomic_write_text
from hume_nb.representations import load_spaces, standardize
from hume_nb.evaluation import cluster_metrics
from hume_nb.fast import search_seeds
from hume_nb.ensemble import ensemble_labelings, read_probes
from hume_nb.devcases import DEV_CASES, dev_cases_home
from results import write_section

RESULTS = Path(__file__).parent/'results'
PROBES = ('ridge', 'kernel_rbf', 'kernel_cos')

def run_probe(sp, probe, seeds=3):
    "{acc, nmi, ari, seed_acc, seconds} of HUME ('fast', solver=`probe`) on one case."
    if sp.labels is None: raise ValueError(f"case '{sp.name}' has no labels.npy: the table needs the true classes")
    k = len(sp.classes) if sp.classes is not None else len(np.unique(sp.labels))
    fit, ev = sp.rows('train'), sp.rows('test')
    xs = [standardize(np.asarray(sp[s], dtype=np.float32), fit) for s in sp.names]
    cat = np.concatenate(xs, 1)
    t = time.time()
    runs, scores, _ = search_seeds(cat[fit], [x[fit] for x in xs], k, seeds, 'fast', solver=probe, progress=False)
    seconds = time.time() - t
    preds = read_probes(runs, cat, xs, fit, ev, k)
    ens, _ = ensemble_labelings(preds, scores, k)
    y = sp.labels[ev]
    return dict(**cluster_metrics(y, ens), seed_acc=float(np.mean([cluster_metrics(y, p)['acc'] for p in preds])),
                seconds=seconds, n_fit=len(fit), n_eval=len(ev), k=k)

def table(results):
    "One markdown table: a row per (case, probe)."
    rows = ['| case | probe | ACC | NMI | ARI | mean seed ACC | seconds |', '|---|---|---:|---:|---:|---:|---:|']
    for (case, probe), r in results.items():
        rows.append(f"| {case} | {probe} | {100*r['acc']:.1f} | {100*r['nmi']:.1f} | {100*r['ari']:.1f} | {100*r['seed_acc']:.1f} | {r['seconds']:.1f} |")
    notes = {c: r for (c, _), r in results.items()}
    return '\n'.join(rows + ['', "HUME preset 'fast', 3 seeds, ensemble; percent. Searched on / scored on:"]
                     + [f"- {c}: {r['n_fit']} / {r['n_eval']} rows, K={r['k']}" for c, r in notes.items()])

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--cases', nargs='+', default=list(DEV_CASES), help='dev-case feature folders under --cases-dir')
    p.add_argument('--cases-dir', default=None, help='folder of dev-case feature folders (default ~/.cache/hume_nb/dev_cases)')
    p.add_argument('--probes', nargs='+', default=list(PROBES), help='inner solvers to compare')
    p.add_argument('--threads', type=int, default=1, help='torch threads (the default leaves a shared machine its other cores)')
    p.add_argument('--out', default=str(RESULTS), help='folder for probes.md')
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    home = Path(a.cases_dir) if a.cases_dir else dev_cases_home()
    missing = [str(home/c) for c in a.cases if not (home/c).is_dir()]
    if missing: raise SystemExit(f"no feature folder at {missing}; build the dev cases with bench/dev_cases.py first")
    results = {}
    for c in a.cases:
        sp = load_spaces(home/c, mmap=False)
        for probe in a.probes:
            results[(c, probe)] = run_probe(sp, probe)
            print(f"{c} {probe}: ACC {100*results[(c, probe)]['acc']:.1f} ({results[(c, probe)]['seconds']:.1f} s)", flush=True)
    md = table(results)
    atomic_write_text(Path(a.out)/'probes.md', md + '\n'); write_section('probes', md)

if __name__ == '__main__': main()
