"""The search on a GPU, version against version: the same planted searches run by two checkouts of hume_nb, their
labels, task weights and seconds compared.

Claim (section 'gpu_seeds' of bench/RESULTS.md, one NVIDIA H200, torch 2.11): on the GPU the one search loop gives
bit for bit the labels and weights of the three loops it replaced (fast, one by one, stacked subsets and seeds), and
the GPU repeats itself exactly; stepping 100 seeds at K = 100 in cache-sized groups (a CPU's rule) doubled their
time there (25.6 s against 13.7 s), so a GPU steps every seed at once (11.8 s, against 11.7 s before the groups).

    python bench/gpu_seeds.py run cuda OUT/NAME              # one checkout (PYTHONPATH), one device: OUT/NAME.json/.npz
    python bench/gpu_seeds.py compare OUT/A OUT/B            # labels equal and largest weight difference, per case
    bash bench/gpu_seeds.sh OLD_CHECKOUT                     # both on a GPU, into runs/gpu_seeds
    python bench/gpu_seeds.py tables                          # the section from bench/results/gpu_seeds/*.json
"""
import json, sys, time
from pathlib import Path
import numpy as np

RESULTS = Path(__file__).parent/'results'/'gpu_seeds'
# name: (rows, classes, columns per space, spaces, preset, seeds, settings)
CASES = {
    'k10_fast': (2000, 10, 64, 3, 'fast', 20, {}),
    'k100_fast': (1600, 100, 64, 3, 'fast', 100, {}),
    'k10_cpu': (3000, 10, 64, 2, 'cpu', 4, dict(iters=30)),
    'k10_paper_stacked': (3000, 10, 64, 2, 'paper', 2, dict(iters=10, subset_size=3000, n_subsets=4, inner_steps=50)),
}

def planted(n, k, d, views, seed=0):
    "`views` spaces of `d` columns sharing a planted k-class labeling: a random mean per class plus noise."
    rng = np.random.default_rng(seed); y = rng.integers(0, k, n)
    return [(rng.normal(size=(k, d))[y] + rng.normal(size=(n, d))).astype(np.float32) for _ in range(views)], y

def run(dev, out):
    "Every case with the hume_nb on the path; seconds, mean seed accuracy and the plan into OUT.json, arrays into OUT.npz."
    import torch
    from hume_nb.fast import search_seeds
    from hume_nb.evaluation import cluster_metrics
    res, arrays = {}, {}
    for name, (n, k, d, views, preset, seeds, settings) in CASES.items():
        xs, y = planted(n, k, d, views); x1 = np.concatenate(xs, 1)
        if dev == 'cuda': torch.cuda.synchronize()
        t = time.time()
        runs, scores, info = search_seeds(x1, xs, k, seeds=seeds, config=preset, device=dev, progress=False, **settings)
        if dev == 'cuda': torch.cuda.synchronize()
        sec = time.time() - t
        labels = np.stack([r.predict(x1) for r in runs])
        arrays |= {f'{name}_labels': labels, f'{name}_W': np.stack([r.weight for r in runs])}
        acc = float(np.mean([cluster_metrics(y, l)['acc'] for l in labels]))
        res[name] = dict(seconds=round(sec, 2), seeds=seeds, mean_seed_acc=round(acc, 4), plan=info.get('plan'))
        print(name, res[name], flush=True)
    np.savez(f'{out}.npz', **arrays); Path(f'{out}.json').write_text(json.dumps(res, indent=1, default=str))

def compare(a, b):
    "{case: labels equal (share), largest |weight difference|} between two runs' arrays."
    a, b = np.load(f'{a}.npz'), np.load(f'{b}.npz')
    return {n: dict(labels_equal=float((a[f'{n}_labels'] == b[f'{n}_labels']).mean()),
                    weight_max_diff=float(np.abs(a[f'{n}_W'] - b[f'{n}_W']).max())) for n in CASES}

def tables():
    "The section 'gpu_seeds' from the stored device runs."
    from results import write_section
    load = lambda f: json.loads((RESULTS/f).read_text())
    runs = {'before the one loop': 'first_old.json', 'the one loop': 'first_loop.json',
            'seeds in groups': 'first_final.json', 'every seed at once (now)': 'second_final.json',
            'the one loop, again': 'second_loop.json'}
    rows = ['| version | ' + ' | '.join(CASES) + ' |', '|---|' + '---:|' * len(CASES)]
    for label, f in runs.items():
        r = load(f); rows.append(f'| {label} | ' + ' | '.join(f"{r[c]['seconds']} s" for c in CASES) + ' |')
    agree = load('agreement.json')
    rows2 = ['| comparison | ' + ' | '.join(CASES) + ' |', '|---|' + '---:|' * len(CASES)]
    for label, r in agree.items():
        rows2.append(f'| {label} | ' + ' | '.join(f"{100 * r[c]['labels_equal']:.1f}% / {r[c]['weight_max_diff']:.2g}"
                                               for c in CASES) + ' |')
    head = ("`python bench/gpu_seeds.py`: one NVIDIA H200, torch 2.11; seconds of `search_seeds` on planted folders "
            "(k10_fast: 2,000 rows, 20 seeds; k100_fast: 1,600 rows, 100 classes, three 64-column spaces, 100 seeds; "
            "k10_cpu: the `cpu` preset, one seed at a time; k10_paper_stacked: the reference's subsets and seeds "
            "stacked). The first three rows ran in one session, the last two in a second.\n\n")
    tail = ("\n\nLabels equal (percent of rows, every seed) / largest task-weight difference. At K = 100 the search "
            "now reads sparsemax's threshold differently (same values, other rounding), which moves 0.5% of labels "
            "after 100 iterations; the mean seed accuracy is the same (0.8813 and 0.8814).\n")
    write_section('gpu_seeds', head + '\n'.join(rows) + '\n\nAgreement:\n\n' + '\n'.join(rows2) + tail)

if __name__ == '__main__':
    cmd, *args = sys.argv[1:] or ['tables']
    if cmd == 'run': run(*args)
    elif cmd == 'compare': print(json.dumps(compare(*args), indent=1))
    else: tables()
