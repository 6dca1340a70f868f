"""The reference search (unrolled SGD probes) with its subsets and its seeds one after another, and stacked, in one process.

Claim: stacking computes the same hypergradient (to 1e-5; `12_search` tests it) and reaches the same labels. Subsets
that hold (nearly) all rows share them (`train_probes_shared`): one plain product of the rows with every probe's
weights per unrolled step, instead of a product per subset and seed. This script measures, on the same data in the
same run, seconds per outer iteration one by one and stacked, and their ratio: for one seed of the `cpu` preset
(2 subsets of 2,000 of the 10,000 rows: stacked as copies) and of the `paper` preset (20 subsets of all 10,000 rows:
shared), then for several seeds of the `paper` preset (`fit_hume_stacked`). It also counts the floating-point work of
one outer iteration (torch's FlopCounterMode, extrapolated from 2 and 4 inner steps) and prints the time that work sets
as a floor for the paper's protocol, 100 seeds x 1000 iterations, at the device's peak; and it counts the operations
of an iteration (one kernel launch each on a GPU), one by one and stacked, times the fixed cost of one measured on
data too small to compute, to show what launch overhead is left for compilation or CUDA graphs to remove.
Data: planted spaces (d1 = d2 = 256, K = 10) of 10,000 rows, a stand-in with the shape of the reference's subsets;
timings only, quality is not the point here. Writes the section 'stack_subsets' of bench/RESULTS.md.
Measured on the 2-core CPU (2 threads), two runs (this machine is noisy): the `paper` preset stacked on shared rows is
1.73x and 1.17x faster than one subset at a time for one seed, 2.29x and 2.41x per seed for 3 seeds, with the same
labels; the `cpu` preset's subsets stacked as copies are 0.89x and 0.90x, so `stack_subsets=None` leaves them one by
one. One outer iteration of the `paper` preset is 1.23 TFLOP; it is 155,445 operations one by one, 26k a seed stacked
in this CPU's memory (6 subsets a chunk), where an operation's fixed cost is 45 to 62 microseconds.

    python bench/stack_subsets.py                  # CPU: 2 timed iterations per mode (about 13 minutes on 2 cores)
    python bench/stack_subsets.py --device cuda --iters 5 --seeds 8
"""
import argparse, dataclasses, os, platform, time
import numpy as np, torch
from torch.utils.flop_counter import FlopCounterMode
from torch.utils._python_dispatch import TorchDispatchMode
from hume_nb.datasets import planted_spaces
from hume_nb.search import fit_hume, fit_hume_stacked, make_config, Search, check_spaces, plan_search, run_search
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
        ss = _searches(sp['phi1'], sp['phi2'], dataclasses.replace(cfg, inner_steps=steps, iters=1), 1, False)
        with FlopCounterMode(display=False) as fc: run_search(ss)
        counts.append(fc.get_total_flops())
    per_step = (counts[1] - counts[0]) / 2
    return counts[0] + per_step * (cfg.inner_steps - 2)

class OpCount(TorchDispatchMode):
    "Counts the tensor operations that do work (views excluded): on a GPU, about one kernel launch each."
    def __init__(self): super().__init__(); self.n = 0
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.n += not func.is_view
        return func(*args, **(kwargs or {}))

def _plan(x1, x2, cfg, together):
    "The search's plan for these spaces: seeds together (a stack) or one by one."
    v1, v2s, k = check_spaces(x1, x2, 10)
    return plan_search(v1, v2s, k, cfg, together)

def _searches(x1, x2, cfg, seeds, together=True):
    "`seeds` searches of `cfg` ready for the loop, seeds together or one by one."
    v1, v2s, k = check_spaces(x1, x2, 10)
    plan = plan_search(v1, v2s, k, cfg, together)
    first = Search(v1, v2s, k, cfg, plan)
    return [first, *(Search(v1, v2s, k, dataclasses.replace(cfg, seed=i), plan, like=first) for i in range(1, seeds))]

def ops_per_iteration(x1, x2, cfg, seeds, stacked):
    "Operations of one outer iteration of `seeds` seeds, one by one or as one stack, counted at 2 and 4 inner steps, extrapolated."
    counts = []
    for steps in (2, 4):
        c = dataclasses.replace(cfg, inner_steps=steps, iters=1, stack_subsets=None if stacked else False)
        ss = _searches(x1, x2, c, seeds, stacked)
        with OpCount() as oc: run_search(ss)
        counts.append(oc.n)
    return counts[0] + (counts[1] - counts[0]) / 2 * (cfg.inner_steps - 2)

def seconds_per_op(cfg, dev):
    "The fixed cost of one operation here (dispatch, and launch on a GPU): a stacked iteration on data too small to compute much."
    sp = planted_spaces(n=200, k=10, dims=(16, 16), seed=0)
    c = dataclasses.replace(cfg, inner_steps=20, subset_size=200, iters=1)
    x1, x2 = sp['phi1'], sp['phi2']
    run_search(_searches(x1, x2, c, 2))   # warm-up
    ss = _searches(x1, x2, c, 2)
    if dev.type == 'cuda': torch.cuda.synchronize(dev)
    t = time.perf_counter(); run_search(ss)
    if dev.type == 'cuda': torch.cuda.synchronize(dev)
    return (time.perf_counter() - t) / ops_per_iteration(x1, x2, c, 2, True)

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
        mode = _plan(x1, x2, cfg, True).rows
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
    # the fixed cost per operation bounds the time where arithmetic does not: the paper's 100 seeds one by one, or one stack
    # run in the chunks that fit this device's memory (at full depth; the count is per chunk and does not grow with its size)
    op_s = seconds_per_op(cfg, dev)
    ops_one = ops_per_iteration(x1, x2, cfg, 1, False)
    two, three = ops_per_iteration(x1, x2, cfg, 2, True), ops_per_iteration(x1, x2, cfg, 3, True)
    per_seed = three - two; per_chunk = two - 2 * per_seed   # a stack's operations: some per chunk, some per seed (draws, Adam)
    at_once = _plan(x1, x2, cfg, True).at_once
    chunks = -(-100 * cfg.n_subsets // at_once)
    ops_100 = per_chunk * chunks + per_seed * 100
    bound_one, bound_stack = ops_one * 100 * 1000 * op_s / 3600, ops_100 * 1000 * op_s / 3600
    what = name or f'{os.cpu_count()}-core CPU ({platform.machine()})'
    md = (f'`python bench/stack_subsets.py` on {what}, torch {torch.__version__}, {torch.get_num_threads()} threads: planted spaces, '
          f'{a.n:,} rows, d1 = d2 = 256, K = 10; {a.iters} timed outer iterations per mode after one warm-up; seconds per outer '
          f'iteration and seed.\n\n' + '\n'.join(rows) +
          f'\n\nOne outer iteration of one seed of the `paper` preset here is {flops / 1e12:.2f} TFLOP (counted); the stacked seeds ran '
          f'at {achieved:.3f} TFLOP/s. The paper\'s 100 seeds x 1000 iterations are {total / 1e15:.0f} PFLOP on these 256-dimensional '
          f'spaces: {floor}.\n\n'
          f'Operations (kernel launches on a GPU) per outer iteration: {ops_one:,.0f} for one seed with its subsets one by one, '
          f'{per_chunk:,.0f} per chunk of a stack (as many subsets as fit in memory: here {at_once}) and {per_seed:,.0f} per seed in it: '
          f'{ops_100:,.0f} for 100 seeds in {chunks} chunks, {ops_100 / 100:,.0f} a seed. At the {op_s * 1e6:.1f} microseconds each operation costs here on data too small to compute '
          f'(measured), that overhead alone is {bound_one:.1f} hours for 100 seeds x 1000 iterations one by one and {bound_stack:.2f} hours '
          f'stacked.')
    print(md); write_section('stack_subsets', md)

if __name__ == '__main__': main()
