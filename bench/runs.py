"""The main job's results, measured: `run_experiment` on the built-in offline default and on digits, written to
the section 'runs' of bench/RESULTS.md (raw numbers in bench/results/runs.json), which README.md and the front page include.

Claim: every number the README and the front page state about the default run comes from this file; rerun it after
a change that can move them (`python bench/runs.py`, about 15 minutes on a 2-core CPU with an empty feature cache),
then `python bench/results.py` to copy the tables into README.md.

    python bench/runs.py                         # both runs
    python bench/runs.py --only digits           # one of them
"""
import argparse, json, os, platform, time
from pathlib import Path
import torch
from results import write_section
from hume_nb.experiment import RunConfig, run_experiment
from hume_nb.evaluation import results_table
from hume_nb.files import atomic_write_text
from hume_nb.representations import resolve_device

# raw numbers beside the results file: $HUME_NB_RESULTS (bench/gpu_check.sh) keeps a GPU's runs apart from these
RESULTS = Path(os.environ['HUME_NB_RESULTS']).parent if os.environ.get('HUME_NB_RESULTS') else Path(__file__).parent/'results'
# name -> the run's settings on top of RunConfig's defaults; the first one is the default run itself
RUNS = {
    'default': dict(),
    'digits': dict(dataset='digits', n_train=None),
}

def machine(device):
    "What the numbers were measured on."
    dev = resolve_device(device)
    what = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f'{os.cpu_count()}-core CPU ({platform.machine()})'
    return f'{what}, torch {torch.__version__}, {torch.get_num_threads()} threads'

def measure(name, settings, out_root, device):
    "One run into `out_root/name`: its metrics, the settings that differ from the defaults, and its wall time."
    cfg = RunConfig(**{**settings, 'out_dir': str(Path(out_root)/name), 'device': device})
    t0 = time.time(); r = run_experiment(cfg, progress=False); seconds = time.time() - t0
    info = r['info']
    return dict(settings=settings, metrics=r['metrics'], seconds=round(seconds, 1), n_search=info['n_search'],
                n_report=info['n_report'], setting=info['setting'], preset=info['preset'], seeds=info['seeds'], k=info['k'],
                phi1=info['phi1'], phi2=info['phi2'], dataset=info['dataset'], label_free_score=info['label_free_score'])

def markdown(runs, where):
    "The results file: one section per run with its table and how it was made."
    out = [f'Measured by `python bench/runs.py` on {where}. ACC, NMI and ARI in percent against the true labels, which only '
           '`linear_probe` (the supervised ceiling) sees; `seconds` is wall time (HUME: every seed and its label-free score).\n']
    for name, r in runs.items():
        cmd = ' '.join(f'-p {k} {v}' for k, v in r['settings'].items())
        names = lambda v: ', '.join(v) if isinstance(v, (list, tuple)) else v
        out.append(f"**{name}**: {r['dataset']}, phi1 = {names(r['phi1'])}, phi2 = {names(r['phi2'])}, K = {r['k']}, {r['setting']}, search on "
                   f"{r['n_search']:,} rows, scores on {r['n_report']:,}; preset `{r['preset']}`, {len(r['seeds']) if isinstance(r['seeds'], list) else r['seeds']} seeds, "
                   f"{r['label_free_score']}; whole run {r['seconds']:.0f} s" + (f" (`{cmd}`)" if cmd else '') + '.\n')
        out.append(results_table(r['metrics']) + '\n')
    return '\n'.join(out)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--only', nargs='+', choices=list(RUNS), default=list(RUNS))
    p.add_argument('--out', default='runs/bench', help='where the runs write their own files')
    p.add_argument('--device', default=RunConfig().device)
    a = p.parse_args()
    old = json.loads((RESULTS/'runs.json').read_text()) if (RESULTS/'runs.json').exists() else {}
    runs = {**old, **{n: measure(n, RUNS[n], a.out, a.device) for n in a.only}}
    runs = {n: runs[n] for n in RUNS if n in runs}
    atomic_write_text(RESULTS/'runs.json', json.dumps(runs, indent=1))
    md = markdown(runs, machine(a.device)); write_section('runs', md); print(md)

if __name__ == '__main__':
    main()
