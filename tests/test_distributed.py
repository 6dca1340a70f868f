"Seeds shared out over processes (torch.distributed, gloo on a CPU) give exactly what one process gives."
import json, os, subprocess, sys, textwrap
from pathlib import Path
import numpy as np, pytest

SCRIPT = textwrap.dedent('''
    import sys, json, numpy as np, torch, torch.distributed as dist
    torch.set_num_threads(1)
    rank, world, init, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if world > 1: dist.init_process_group('gloo', init_method=f'file://{init}', rank=rank, world_size=world)
    from hume_nb.datasets import planted_spaces
    from hume_nb.fast import search_seeds, _my_seeds
    sp = planted_spaces(n=600, k=4, seed=1)
    res = dict(share=_my_seeds([0, 1, 2, 3, 4]))   # the seeds this process searches itself
    for mode, kw in (('batched', dict(config='fast', iters=30)), ('one_by_one', dict(config='tiny', iters=15))):
        runs, scores, info = search_seeds(sp['phi1'], sp['phi2'], 4, 5, progress=False, score_folds=3, **kw)
        res[mode] = dict(weights=np.stack([r.weight for r in runs]).tolist(), scores=scores, seeds=info['seeds'],
                         config_seeds=[r.config['seed'] for r in runs])
    if rank == 0: open(out, 'w').write(json.dumps(res))
''')

def _launch(world, tmp):
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    out = tmp/f'w{world}.json'
    procs = [subprocess.Popen([sys.executable, '-c', SCRIPT, str(r), str(world), str(tmp/f'init{world}'), str(out)], env=env)
             for r in range(world)]
    assert all(p.wait(timeout=600) == 0 for p in procs)
    return json.loads(out.read_text())

def test_two_processes_equal_one(tmp_path):
    one, two = _launch(1, tmp_path), _launch(2, tmp_path)
    assert one['share'] == [0, 1, 2, 3, 4] and two['share'] == [0, 2, 4]      # rank 0 of two searched only its share
    for mode in ('batched', 'one_by_one'):
        a, b = one[mode], two[mode]
        assert a['seeds'] == b['seeds'] == a['config_seeds'] == b['config_seeds'] == [0, 1, 2, 3, 4]   # in seed order
        assert a['scores'] == b['scores']
        np.testing.assert_allclose(np.array(a['weights']), np.array(b['weights']), atol=1e-5)   # batched: fewer seeds per product

def test_torchrun_writes_one_run_equal_to_one_process(tmp_path):
    from hume_nb.datasets import planted_spaces
    from hume_nb.representations import save_spaces
    save_spaces(planted_spaces(n=600, k=4, seed=1), tmp_path/'f')
    args = ['run', '--dataset', str(tmp_path/'f'), '--seeds', '4', '--iters', '30', '--baselines', 'false', '--device', 'cpu', '--quiet']
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    torchrun = Path(sys.executable).parent/'torchrun'
    r = subprocess.run([str(torchrun), '--standalone', '--nproc_per_node=2', '-m', 'hume_nb.cli', *args, '--out-dir', str(tmp_path/'two')],
                       env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert subprocess.run([sys.executable, '-m', 'hume_nb.cli', *args, '--out-dir', str(tmp_path/'one')], env=env, timeout=600).returncode == 0
    run1, run2 = (json.loads((tmp_path/d/'run.json').read_text()) for d in ('one', 'two'))
    assert run1['label_free_scores'] == run2['label_free_scores'] and run1['seeds'] == run2['seeds'] == [0, 1, 2, 3]
    np.testing.assert_array_equal(np.load(tmp_path/'one'/'labels.npy'), np.load(tmp_path/'two'/'labels.npy'))
