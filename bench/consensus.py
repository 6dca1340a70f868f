"""How many seeds, and how to combine them: every consensus of `hume_nb.ensemble.CONSENSUS` and the seeds-vs-quality
curve, on the development cases, from one run of the default with many seeds per case.

For each case, `run_experiment` (every default, `--max-seeds` seeds) writes every seed's labels of the report rows and
its label-free score. Seeds are independent and numbered from 0, so the first s of them are exactly the seeds of a run
with `seeds=s`; each consensus then combines them as a run would. The curve also takes the disjoint groups of s seeds
(0..s-1, s..2s-1, ...) and reports their mean, so that one lucky group does not set the default.
Seconds of s seeds: s times the measured seconds per seed of the whole HUME part of the run (search, label-free
score, read-out), plus the consensus itself.

Claim (sections 'consensus', 'seeds_curve' and 'seeds_table' of bench/RESULTS.md): at 20 seeds, co-association with
k-means from the vote (the default) beats the aligned vote on 6 of 10 cases and loses 0.3 points at most on 2; the new
default (20 seeds) beats the old one (5 seeds, aligned vote) on every case measured.

    python bench/dev_cases.py                      # build the cases first
    python bench/consensus.py --max-seeds 60       # torch on 1 thread; about half an hour on 2 shared cores
"""
import argparse, json, tempfile, time
from pathlib import Path
import numpy as np, torch
from results import write_section
from hume_nb.files import atomic_write_text
from hume_nb.representations import load_spaces
from hume_nb.experiment import run_experiment
from hume_nb.evaluation import cluster_metrics
from hume_nb.ensemble import CONSENSUS, DEFAULT_CONSENSUS, DEFAULT_SEEDS, label_free_scorer
from hume_nb.devcases import DEV_CASES, dev_cases_home
from seeds import planted_views

RESULTS = Path(__file__).parent/'results'
CURVE = (1, 5, 10, 20, 40, 60, 100)

def seed_run(folder, seeds, tmp):
    "Every seed's labels of the report rows, their scores, the true labels, phi2 of the report rows, seconds per seed."
    t = time.time()
    r = run_experiment(dataset=str(folder), out_dir=str(tmp), seeds=seeds, progress=False)   # with its references
    info, sp, ev = r['info'], r['spaces'], r['eval_rows']
    info['references'] = {n: v for n, v in r['metrics'].items() if not n.startswith('hume')}
    labs = list(np.load(Path(tmp)/'seed_labels.npy'))
    x2 = [np.asarray(sp[s], np.float32)[ev] for s in info['phi2']]
    return labs, np.asarray(info['label_free_scores']), sp.labels[ev], x2, info, r['metrics']['hume']['seconds'] / seeds

def measure(labs, scores, y, x2, k, per_seed, max_seeds):
    "{seeds: {consensus: metrics}}: each consensus on the first s seeds and, for the curve, on every disjoint group."
    score, out = label_free_scorer(x2, k), {}
    for s in [c for c in CURVE if c <= max_seeds]:
        out[s] = {}
        for name, c in CONSENSUS.items():
            groups = [range(g, g + s) for g in range(0, max_seeds - s + 1, s)][:5]   # at most 5 groups
            got = []
            for g in groups:
                t = time.time(); lab, made = c([labs[i] for i in g], scores[list(g)], k, score)
                got.append({**cluster_metrics(y, lab), 'seconds': s * per_seed + time.time() - t, 'score': score(lab)})
            out[s][name] = {m: float(np.mean([g[m] for g in got])) for m in got[0]} | dict(first=got[0], groups=len(got))
        best = max(range(len(labs[:s])), key=lambda i: scores[i])
        out[s]['best seed'] = {**cluster_metrics(y, labs[best]), 'seconds': s * per_seed}
    return out

def cases(names, homes):
    "(name, folder) of each case: a development case found in one of `homes`, or the planted K=100 folder built here."
    for n in names:
        if n == 'planted_k100': yield n, None; continue
        if n in ('digits', 'fashion_mnist'): yield n, n; continue   # the main job's offline images, default spaces
        found = [h/n for h in homes if (h/n).is_dir()]
        if not found: print(f'skipped {n}: no folder in {[str(h) for h in homes]} (run bench/dev_cases.py)'); continue
        yield n, found[0]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--cases', nargs='+', default=[*DEV_CASES, 'planted_k100'])
    p.add_argument('--homes', nargs='+', default=[str(dev_cases_home())], help='folders holding the case folders')
    p.add_argument('--max-seeds', type=int, default=60)
    p.add_argument('--tables', action='store_true', help='only rewrite the tables from bench/results/consensus.json')
    a = p.parse_args()
    torch.set_num_threads(1)
    path = RESULTS/'consensus.json'
    results = json.loads(path.read_text()) if path.exists() else {}
    for name, folder in ([] if a.tables else cases(a.cases, [Path(h) for h in a.homes])):
        with tempfile.TemporaryDirectory() as tmp:
            if folder is None:
                from hume_nb.representations import save_spaces
                folder = save_spaces(planted_views(), Path(tmp)/'planted_k100')
            t = time.time(); labs, scores, y, x2, info, per_seed = seed_run(folder, a.max_seeds, Path(tmp)/'run')
        res = measure(labs, scores, y, x2, info['k'], per_seed, a.max_seeds)
        results[name] = dict(k=info['k'], n_report=info['n_report'], spaces=info['spaces'], per_seed=per_seed,
                             max_seeds=a.max_seeds, seconds=time.time() - t, references=info['references'], by_seeds={str(s): v for s, v in res.items()})
        atomic_write_text(path, json.dumps(results, indent=1, default=float) + '\n')
        print(name, f'{per_seed:.2f} s/seed', {s: {m: round(100 * v['acc'], 1) for m, v in r.items()} for s, r in res.items()}, flush=True)
    md = tables(results)
    print(md)
    write_section('consensus', md['consensus']); write_section('seeds_curve', md['curve']); write_section('seeds_table', md['table'])

def _cell(r, seconds=None):
    return f"{100 * r['acc']:.1f} / {100 * r['nmi']:.1f} / {100 * r['ari']:.1f} ({r['seconds'] if seconds is None else seconds:.0f} s)"

def final_table(results, old=5):
    "Every case x (the old default's 5 seeds, the new default, k-means best, TURTLE, the supervised probe)."
    cs = list(results)
    rows = {f'hume, {old} seeds (old default)': [], f'hume, {DEFAULT_SEEDS} seeds (new default)': [],
            'kmeans, best single space': [], 'turtle': [], 'linear probe (supervised)': []}
    for c in cs:
        r, refs = results[c], results[c]['references']
        for s, row in ((old, f'hume, {old} seeds (old default)'), (DEFAULT_SEEDS, f'hume, {DEFAULT_SEEDS} seeds (new default)')):
            got = r['by_seeds'].get(str(s), {}).get(DEFAULT_CONSENSUS if s == DEFAULT_SEEDS else 'vote')
            rows[row].append('n/a' if got is None else _cell(got['first']))   # seeds 0..s-1: what a run with s seeds gives
        km = {n: v for n, v in refs.items() if n.startswith('kmeans_') and n != 'kmeans_concat'}
        rows['kmeans, best single space'].append(_cell(km[max(km, key=lambda n: km[n]['acc'])]) if km else 'n/a')
        t = refs.get('turtle')
        rows['turtle'].append('n/a' if t is None else _cell(t) + (f" [{t['preset']}]" if 'preset' in t else ''))
        rows['linear probe (supervised)'].append(_cell(refs['linear_probe']) if 'linear_probe' in refs else 'n/a')
    lines = ['| method | ' + ' | '.join(cs) + ' |', '|---|' + '---:|' * len(cs)]
    lines += [f'| {n} | ' + ' | '.join(v) + ' |' for n, v in rows.items()]
    return '\n'.join(lines + ['', 'ACC / NMI / ARI in percent (seconds). HUME rows: seeds 0..s-1 of the many-seed run, combined as a '
                              f'run with s seeds combines them (old: aligned vote; new: `{DEFAULT_CONSENSUS}`); seconds: s x the measured '
                              'seconds per seed. The references are those the same run reports (k-means best by true ACC: an oracle).'])

def tables(results, at=20):
    "Markdown: consensus x case at `at` seeds (and at the most seeds), and ACC / seconds against seeds for the default."
    names = [*CONSENSUS, 'best seed']
    cs = list(results)
    out = {}
    lines = []
    for s in (at, max(int(max(r['by_seeds'], key=int)) for r in results.values())):
        lines += [f'ACC / NMI / ARI in percent with {s} seeds (mean over up to 5 disjoint groups of {s} seeds):', '',
                  '| consensus | ' + ' | '.join(cs) + ' | wins |', '|---|' + '---:|' * (len(cs) + 1)]
        top = {c: max(results[c]['by_seeds'][str(s)][n]['acc'] for n in CONSENSUS) for c in cs if str(s) in results[c]['by_seeds']}
        for n in names:
            cells, wins = [], 0
            for c in cs:
                r = results[c]['by_seeds'].get(str(s), {}).get(n)
                cells.append('n/a' if r is None else f"{100 * r['acc']:.1f} / {100 * r['nmi']:.1f} / {100 * r['ari']:.1f}")
                wins += r is not None and n in CONSENSUS and r['acc'] >= top[c] - 1e-9
            lines.append(f'| {n} | ' + ' | '.join(cells) + f' | {wins if n in CONSENSUS else ""} |')
        lines.append('')
    notes = [f"- {c}: K={r['k']}, {r['n_report']:,} report rows, spaces {', '.join(r['spaces'])}; {r['per_seed']:.2f} s per seed"
             for c, r in results.items()]
    out['consensus'] = '\n'.join(lines + [f'`wins`: cases where the consensus has the best ACC (ties count for each). Default: '
                                          f'`{DEFAULT_CONSENSUS}`. Cases (torch on 1 thread, 2-core CPU shared with other work):'] + notes)
    ss = sorted({int(s) for r in results.values() for s in r['by_seeds']})
    cur = ['| case | ' + ' | '.join(f'{s} seeds' for s in ss) + ' |', '|---|' + '---:|' * len(ss)]
    for c, r in results.items():
        cells = [(lambda v: f"{100 * v['acc']:.1f} ({v['seconds']:.0f} s)")(r['by_seeds'][str(s)][DEFAULT_CONSENSUS])
                 if str(s) in r['by_seeds'] else '' for s in ss]
        cur.append(f'| {c} | ' + ' | '.join(cells) + ' |')
    out['curve'] = '\n'.join(cur + ['', f'ACC in percent of the default consensus (`{DEFAULT_CONSENSUS}`) against the number of seeds '
                                    '(mean over disjoint groups of seeds), and the seconds those seeds take (search, score, read-out).'])
    out['table'] = final_table(results)
    return out

if __name__ == '__main__': main()
