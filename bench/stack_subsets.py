"""The reference search (unrolled SGD probes) with its subsets and its seeds one after another, and stacked, in one process.

Claim: stacking computes the same hypergradient (to 1e-5; `12_search` tests it) and reaches the same labels. Subsets
that hold (nearly) all rows share them (`train_probes_shared`): one plain product of the rows with every probe's
weights per unrolled step, instead of a product per subset and seed. This script measures, on the same data in the
same run, seconds per outer iteration one by one and stacked, and their ratio: for one seed of the `cpu` preset
(2 subsets of 2,000 of the 10,000 rows: stacked as copies) and of the `paper` preset (20 subsets of all 10,000 rows:
shared), then for several seeds of the `paper` preset (`fit_hume_stacked`). It also counts the floating-point work of
one outer iteration (torch's FlopCounterMode, extrapolated from 2 and 4 inner steps) and prints the time that work sets
as a floor for the paper's protocol, 100 seeds x 1000 iterations, at the device's peak.
Data: planted spaces (d1 = d2 = 256, K = 10) of 10,000 rows, a stand-in with the shape of the reference's subsets;
timings only, quality is not the point here. Writes the section 'stack_subsets' of bench/RESULTS.md.
Measured on the 2-core CPU (2 threads): the `paper` preset stacked on shared rows is 1.73x faster than one subset at
a time for one seed, 2.29x per seed for 3 seeds, with the same labels; the `cpu` preset's subsets stacked as copies
are 0.89x, so `stack_subsets=None` leaves them one by one. One outer iteration of the `paper` preset is 1.23 TFLOP.

    python bench/stack_subsets.py                  # CPU: 2 timed iterations per mode (about 10 minutes on 2 cores)
    python bench/stack_subsets.py --device cuda --iters 5 --seeds 8
"""
import argparse, dataclasses, os, platform, time
import numpy as np, torch
from torch.utils.flop_counter import FlopCounterMode
from hume_nb.datasets import planted_spaces
from hume_nb.search import fit_hume, fit_hume_stacked, make_config, Search, _iteration, _plan
from hume_nb.representations import resolve_device
from results import write_section

# non-tensor-core fp32 and dense tf32 peaks, TFLOP/s, from the vendors' data sheets; the first name contained in the
# device's name wins (so 'H100 PCIe' before 'H100')
FP32_PEAK = {'H200': (67, 495), 'H100 PCIe': (51, 378), 'H100': (67, 495), 'GH200': (67, 495), 'A100': (19.5, 156),
             'L40S': (91.6, 183), 'L4': (30.3, 60), 'A10': (31.2, 62.5), 'V100': (15.7, None), 'T4': (8.1, None)}

def timed(fit, iters):
    "Mean wall seconds of an outer iteration of `fit(iters, callback)` (the first iteration is a warm-up), and its runs."
    times = []
    runs = fit(iters + 1, lambda it, record: times.append(time.perf_counter()))
    return float(np.mean(np.diff(times))), runs

def flops_per_iteration(sp, cfg):
    "Floating-point operations of one outer iteration of one seed: counted at 2 and 4 inner steps, extrapolated linearly."
    counts = []
    for steps in (2, 4):
        s = Search(sp['phi1'], [sp['phi2']], 10, dataclasses.replace(cfg, inner_steps=steps, iters=1))
        with FlopCounterMode(display=False) as fc: _iteration(s, [])
        counts.append(fc.get_total_flops())
    per_step = (counts[1] - counts[0]) / 2
    return counts[0] + per_step * (cfg.inner_steps - 2)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='auto'); p.add_argument('--iters', type=int, default=2)
    p.add_argument('--n', type=int, default=10000); p.add_argument('--seeds', type=int, default=3)
    p.add_argument('--threads', type=int, default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    dev = resolve_device(a.device)
    sp = planted_spaces(n=a.n, k=10, dims=(256, 256), seed=0)
    x1, x2 = sp['phi1'], sp['phi2']
    rows = ['| preset | seeds x subsets x rows, inner steps | one by one (s / iteration / seed) | stacked | stacked as | speed-up | same labels |',
            '|---|---|---:|---:|---|---:|---|']
    def row(preset, seeds, t_one, t_st, runs_one, runs_st, cfg):
        mode = _plan(Search(x1, [x2], 10, cfg), [], True)[0]
        same = all(np.array_equal(o.predict(x1), s.predict(x1)) for o, s in zip(runs_one, runs_st))
        rows.append(f"| {preset} | {seeds} x {cfg.n_subsets} x {min(cfg.subset_size, a.n):,}, {cfg.inner_steps} | {t_one:.3f} | {t_st:.3f} | "
                    f"{'shared rows' if mode == 'shared' else 'copies'} | {t_one / t_st:.2f}x | {'yes' if same else 'no'} |")
        print(rows[-1], flush=True)
    for preset in ('cpu', 'paper'):   # one seed: its subsets one by one, or stacked
        cfg = make_config(preset, device=a.device)
        one = lambda st: lambda it, cb: [fit_hume(x1, x2, 10, cfg, iters=it, stack_subsets=st, progress=False, callback=cb)]
        (t_one, r_one), (t_st, r_st) = timed(one(False), a.iters), timed(one(True), a.iters)
        row(preset, 1, t_one, t_st, r_one, r_st, cfg)
    cfg, ids = make_config('paper', device=a.device), list(range(a.seeds))   # several seeds: one by one, or one stack
    seq = lambda it, cb: [fit_hume(x1, x2, 10, cfg, iters=it, seed=s, stack_subsets=False, progress=False, callback=cb if s == 0 else None) for s in ids]
    (t_one, r_one), (t_st, r_st) = timed(seq, a.iters), timed(lambda it, cb: fit_hume_stacked(x1, x2, 10, ids, cfg, iters=it, progress=False, callback=cb), a.iters)
    row('paper', a.seeds, t_one, t_st / a.seeds, r_one, r_st, cfg)   # seconds per seed: the stack does every seed each iteration
    flops = flops_per_iteration(sp, cfg)
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else None
    fp32, tf32 = next((v for k, v in FP32_PEAK.items() if name and k in name), (None, None))
    total = flops * 100 * 1000   # the paper's protocol: 100 seeds x 1000 outer iterations
    floor = (f'at this GPU\'s fp32 peak ({fp32:g} TFLOP/s) at least {total / fp32 / 1e12 / 3600:.1f} hours' +
             (f', at its dense tf32 peak ({tf32:g}) {total / tf32 / 1e12 / 3600:.2f} hours' if tf32 else '')) if fp32 else \
            'no peak known for this device'
    achieved = flops * a.seeds / t_st / 1e12
    what = name or f'{os.cpu_count()}-core CPU ({platform.machine()})'
    md = (f'`python bench/stack_subsets.py` on {what}, torch {torch.__version__}, {torch.get_num_threads()} threads: planted spaces, '
          f'{a.n:,} rows, d1 = d2 = 256, K = 10; {a.iters} timed outer iterations per mode after one warm-up; seconds per outer '
          f'iteration and seed.\n\n' + '\n'.join(rows) +
          f'\n\nOne outer iteration of one seed of the `paper` preset here is {flops / 1e12:.2f} TFLOP (counted); the stacked seeds ran '
          f'at {achieved:.3f} TFLOP/s. The paper\'s 100 seeds x 1000 iterations are {total / 1e15:.0f} PFLOP on these 256-dimensional '
          f'spaces: {floor}.')
    print(md); write_section('stack_subsets', md)

if __name__ == '__main__': main()
