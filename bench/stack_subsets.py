"""The reference search with its subsets one after another and all at once (`stack_subsets`), in one process.

Claim: stacking the subsets of an iteration (one batched product per unrolled inner step instead of one per subset)
computes the same hypergradient (to 1e-5; `12_search` tests it) and reaches the same labels; it removes the per-subset
launches that leave a GPU waiting. This script measures seconds per outer iteration of both modes on the same data in
the same run, and their ratio, for the `paper` preset (20 subsets of 10,000 rows, 300 steps) and the `cpu` preset, and
checks that both modes give the same labels. Data: planted spaces (d1 = d2 = 256, K = 10) of 10,000 rows, a stand-in
with the shape of the reference's subsets; timings only, quality is not the point here.
Writes the section 'stack_subsets' of bench/RESULTS.md.

    python bench/stack_subsets.py                  # CPU: a few iterations per preset
    python bench/stack_subsets.py --device cuda --iters 20
"""
import argparse, os, platform, time
import numpy as np, torch
from hume_nb.datasets import planted_spaces
from hume_nb.search import fit_hume, make_config
from hume_nb.representations import resolve_device
from results import write_section

def seconds_per_iter(x1, x2, k, preset, stack, iters, device):
    "Mean wall seconds of an outer iteration (the first is a warm-up and not counted), and the labels found."
    times = []
    cb = lambda it, record: times.append(time.perf_counter())
    cfg = make_config(preset, iters=iters, device=device, stack_subsets=stack)
    r = fit_hume(x1, x2, k, cfg, progress=False, callback=cb)
    return float(np.mean(np.diff(times))), r.predict(x1)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='auto'); p.add_argument('--iters', type=int, default=3)
    p.add_argument('--n', type=int, default=10000); p.add_argument('--threads', type=int, default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    dev = resolve_device(a.device)
    sp = planted_spaces(n=a.n, k=10, dims=(256, 256), seed=0)
    rows = ['| preset | subsets x rows, inner steps | sequential (s / iteration) | stacked (s / iteration) | speed-up | same labels |',
            '|---|---|---:|---:|---:|---|']
    for preset in ('cpu', 'paper'):
        cfg = make_config(preset)
        (t_seq, l_seq), (t_st, l_st) = (seconds_per_iter(sp['phi1'], sp['phi2'], 10, preset, st, a.iters + 1, a.device) for st in (False, True))
        rows.append(f"| {preset} | {cfg.n_subsets} x {min(cfg.subset_size, a.n):,}, {cfg.inner_steps} | {t_seq:.3f} | {t_st:.3f} | "
                    f"{t_seq / t_st:.2f}x | {'yes' if np.array_equal(l_seq, l_st) else 'no'} |")
        print(rows[-1], flush=True)
    what = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else f'{os.cpu_count()}-core CPU ({platform.machine()})'
    md = (f'`python bench/stack_subsets.py` on {what}, torch {torch.__version__}, {torch.get_num_threads()} threads: planted spaces, '
          f'{a.n:,} rows, d1 = d2 = 256, K = 10; {a.iters} timed outer iterations per mode after one warm-up.\n\n' + '\n'.join(rows))
    print(md); write_section('stack_subsets', md)

if __name__ == '__main__': main()
