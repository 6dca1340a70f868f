"""The task search's modes on the same features, in one run: quality (ACC/NMI/ARI) and wall time as a ratio to the reference.

Claim: on the offline Fashion-MNIST features (MobileNetV2 = phi1, EfficientNet-Lite0 = phi2, 10,000 training images
searched, 10,000 test images reported), the 'fast' mode (ridge solver with exact leave-one-out error, all seeds at
once, closed-form label-free score) reaches the reference mode's accuracy at a small fraction of its time. The
reference mode is the faithful loop (unrolled second-order SGD, logistic-regression label-free score) at the book's
CPU budget (`preset='cpu'`). The fast mode runs 10 seeds to the others' 5: searched at once, seeds cost little.
Last run (2-core CPU, nothing else running): reference 74.2 ACC in 295 s; fast 74.5 ACC in 13.7 s (21x faster);
first_order 72.8 ACC in 87 s (3x faster).

    python bench/search_modes.py                      # Fashion-MNIST, 5 seeds
    python bench/search_modes.py --dataset digits --seeds 3
"""
import argparse, json, time
import numpy as np, torch
from hume_nb.experiment import get_spaces
from hume_nb.representations import standardize
from hume_nb.search import fit_hume, make_config
from hume_nb.fast import fit_hume_seeds, ridge_loo_accuracy
from hume_nb.solvers import RidgeFactor
from hume_nb.ensemble import label_free_score, ensemble_labelings
from hume_nb.evaluation import cluster_metrics

def reference(x1, x2, x1_te, k, seeds, device):
    "The yardstick: one unrolled-SGD search per seed, each scored by cross-validated logistic regression, then the ensemble."
    labs, scores = [], []
    for s in range(seeds):
        r = fit_hume(x1, x2, k, make_config('cpu', seed=s, device=device), progress=False)
        scores.append(label_free_score(x2, r.predict(x1), folds=10, max_samples=5000, device=device))
        labs.append(r.predict(x1_te))
    return labs, scores

def fast(x1, x2, x1_te, k, seeds, device):
    "Ridge solver, all seeds in one batched search, closed-form leave-one-out score, the same ensemble."
    runs = fit_hume_seeds(x1, x2, k, seeds, make_config('fast', device=device), progress=False)
    f = RidgeFactor(torch.from_numpy(x2).to(device), 1e-3)
    return [r.predict(x1_te) for r in runs], [ridge_loo_accuracy(None, r.predict(x1), factor=f) for r in runs]

def first_order(x1, x2, x1_te, k, seeds, device):
    "TURTLE-style first-order hypergradient, one search per seed, closed-form leave-one-out score, the same ensemble."
    runs = [fit_hume(x1, x2, k, make_config('turtle', seed=s, device=device), progress=False) for s in range(seeds)]
    f = RidgeFactor(torch.from_numpy(x2).to(device), 1e-3)
    return [r.predict(x1_te) for r in runs], [ridge_loo_accuracy(None, r.predict(x1), factor=f) for r in runs]

MODES = dict(reference=reference, fast=fast, first_order=first_order)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', default='fashion_mnist'); p.add_argument('--phi1', default='mobilenetv2')
    p.add_argument('--phi2', default='efficientnet_lite0'); p.add_argument('--n-train', type=int, default=10000)
    p.add_argument('--seeds', type=int, default=5, help='seeds of the reference and first-order modes')
    p.add_argument('--fast-seeds', type=int, default=10, help='seeds of the fast mode (searched at once, so nearly free)'); p.add_argument('--modes', nargs='+', default=list(MODES))
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    a = p.parse_args()
    sp = get_spaces(a.dataset, a.phi1, a.phi2, n_train=a.n_train, progress=False)
    tr, te = sp.rows('train'), sp.rows('test')
    X1, X2 = standardize(sp[a.phi1], tr), standardize(sp[a.phi2], tr)
    k, y = len(sp.classes), sp.labels[te]
    rows = {}
    for name in a.modes:
        t0 = time.time()
        seeds = a.fast_seeds if name == 'fast' else a.seeds
        labs, scores = MODES[name](X1[tr], X2[tr], X1[te], k, seeds, a.device)
        ens, best = ensemble_labelings(labs, scores, k)
        seconds = time.time() - t0
        single = [cluster_metrics(y, l)['acc'] for l in labs]
        rows[name] = dict(**cluster_metrics(y, ens), seed_acc_mean=float(np.mean(single)), seed_acc_min=float(np.min(single)),
                          seed_acc_max=float(np.max(single)), seconds=seconds, seeds=seeds)
        print(json.dumps({name: rows[name]}), flush=True)
    ref = rows.get('reference', {}).get('seconds')
    print(f'\n{a.dataset}: {len(tr)} search rows, {len(te)} reported, K={k}, device {a.device}, '
          f'{torch.get_num_threads()} threads\n')
    print('| mode | seeds | ACC | NMI | ARI | single-seed ACC mean (min-max) | seconds | time / reference |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|')
    for n, r in rows.items():
        ratio = f"{r['seconds'] / ref:.3f} ({ref / r['seconds']:.0f}x faster)" if ref and n != 'reference' else ('1' if ref else '-')
        print(f"| {n} | {r['seeds']} | {100 * r['acc']:.1f} | {100 * r['nmi']:.1f} | {100 * r['ari']:.1f} | {100 * r['seed_acc_mean']:.1f} "
              f"({100 * r['seed_acc_min']:.1f}-{100 * r['seed_acc_max']:.1f}) | {r['seconds']:.1f} | {ratio} |")

if __name__ == '__main__':
    main()
