"""The task search's modes on the same features, in one run: quality (ACC/NMI/ARI) and wall time as a ratio to the reference.

Claim: on the offline Fashion-MNIST features (MobileNetV2 = phi1, EfficientNet-Lite0 = phi2, 10,000 training images
searched, 10,000 test images reported), the 'fast' mode (ridge solver with exact leave-one-out error, all seeds at
once, closed-form label-free score) reaches the reference mode's accuracy at a small fraction of its time. The
reference mode is the faithful loop (unrolled second-order SGD, logistic-regression label-free score) at the book's
CPU budget (`preset='cpu'`). The fast mode runs 10 seeds to the others' 5: searched at once, seeds cost little.
Last run (2-core CPU, nothing else running): reference 74.2 ACC in 295 s; fast 74.5 ACC in 13.7 s (21x faster);
first_order 72.8 ACC in 87 s (3x faster). The first-order mode's seeds are now scored by the
reference's cross-validated logistic regression, the score of every search run one seed at a time.

    python bench/search_modes.py                      # Fashion-MNIST, 5 seeds
    python bench/search_modes.py --dataset digits --seeds 3
"""
import argparse, json, time
import numpy as np, torch
from hume_nb.experiment import RunConfig
from hume_nb.sources import get_spaces, resolve_spaces
from hume_nb.representations import standardize, resolve_device
from hume_nb.search import make_config
from hume_nb.fast import search_seeds
from hume_nb.ensemble import ensemble_labelings
from hume_nb.evaluation import cluster_metrics
from results import write_section

# each mode: its preset and whether its seeds are searched at once; search_seeds numbers the seeds and picks the matching
# label-free score (cross-validated logistic regression one by one, closed-form leave-one-out accuracy when batched)
MODES = dict(reference=('cpu', False), fast=('fast', True), first_order=('turtle', False))

def run_mode(name, x1, x2, x1_te, k, seeds, device):
    "One mode's seeds through search_seeds: each seed's labels of the reported rows, and its label-free score."
    preset, batched = MODES[name]
    runs, scores, _ = search_seeds(x1, x2, k, seeds, make_config(preset, device=device), batched=batched, progress=False,
                                   score_folds=10, score_max_samples=5000)
    return [r.predict(x1_te) for r in runs], scores

def main():
    d = RunConfig()   # the run's defaults: one home for them
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', default=d.dataset); p.add_argument('--phi1', default=d.phi1)
    p.add_argument('--phi2', default=d.phi2); p.add_argument('--n-train', type=int, default=d.n_train)
    p.add_argument('--seeds', type=int, default=d.seeds, help='seeds of the reference and first-order modes')
    p.add_argument('--fast-seeds', type=int, default=10, help='seeds of the fast mode (searched at once, so nearly free)'); p.add_argument('--modes', nargs='+', default=list(MODES))
    p.add_argument('--device', default=d.device)
    a = p.parse_args()
    (a.phi1,), (a.phi2,) = resolve_spaces(a.dataset, a.phi1, a.phi2)   # one space each: the modes compare on two spaces
    sp = get_spaces(a.dataset, a.phi1, a.phi2, n_train=a.n_train, progress=False)
    tr, te = sp.rows('train'), sp.rows('test')
    X1, X2 = standardize(sp[a.phi1], tr), standardize(sp[a.phi2], tr)
    k, y = len(sp.classes), sp.labels[te]
    rows = {}
    for name in a.modes:
        t0 = time.time()
        seeds = a.fast_seeds if name == 'fast' else a.seeds
        labs, scores = run_mode(name, X1[tr], X2[tr], X1[te], k, seeds, a.device)
        ens, best = ensemble_labelings(labs, scores, k)
        seconds = time.time() - t0
        single = [cluster_metrics(y, l)['acc'] for l in labs]
        rows[name] = dict(**cluster_metrics(y, ens), seed_acc_mean=float(np.mean(single)), seed_acc_min=float(np.min(single)),
                          seed_acc_max=float(np.max(single)), seconds=seconds, seeds=seeds)
        print(json.dumps({name: rows[name]}), flush=True)
    ref = rows.get('reference', {}).get('seconds')
    lines = [f'`python bench/search_modes.py`: {a.dataset}, phi1 = {a.phi1}, phi2 = {a.phi2}, {len(tr):,} search rows, '
             f'{len(te):,} reported, K={k}, device {resolve_device(a.device)}, {torch.get_num_threads()} threads.', '',
             '| mode | seeds | ACC | NMI | ARI | single-seed ACC mean (min-max) | seconds | time / reference |',
             '|---|---:|---:|---:|---:|---:|---:|---:|']
    for n, r in rows.items():
        ratio = f"{r['seconds'] / ref:.3f} ({ref / r['seconds']:.0f}x faster)" if ref and n != 'reference' else ('1' if ref else '-')
        lines.append(f"| {n} | {r['seeds']} | {100 * r['acc']:.1f} | {100 * r['nmi']:.1f} | {100 * r['ari']:.1f} | {100 * r['seed_acc_mean']:.1f} "
                     f"({100 * r['seed_acc_min']:.1f}-{100 * r['seed_acc_max']:.1f}) | {r['seconds']:.1f} | {ratio} |")
    print('\n' + '\n'.join(lines))
    if set(a.modes) == set(MODES) and a.dataset == 'fashion_mnist': write_section('search_modes', '\n'.join(lines))   # the README's table

if __name__ == '__main__':
    main()
