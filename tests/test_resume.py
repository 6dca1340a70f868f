"A search killed (SIGKILL) halfway and resumed from its checkpoint ends exactly where an uninterrupted search ends."
import os, signal, subprocess, sys, time, textwrap
from pathlib import Path
import numpy as np

SCRIPT = textwrap.dedent('''
    import sys, numpy as np
    from hume_nb.datasets import planted_spaces
    from hume_nb.search import fit_hume
    sp = planted_spaces(n=1000, k=4, seed=0)
    res = fit_hume(sp['phi1'], sp['phi2'], 4, 'tiny', iters=60, anneal_at=(40,), checkpoint_every=5, progress=False,
                   checkpoint=sys.argv[1] if sys.argv[1] != '-' else None)
    np.save(sys.argv[2], res.weight)
''')

def run(*args, **kw): return subprocess.Popen([sys.executable, '-c', SCRIPT, *map(str, args)], **kw)

def test_kill_and_resume(tmp_path):
    import torch
    straight = tmp_path/'straight.npy'
    assert run('-', straight).wait() == 0
    ckpt, resumed = tmp_path/'run.pt', tmp_path/'resumed.npy'
    p = run(ckpt, resumed)
    deadline = time.time() + 300
    while time.time() < deadline:   # kill once a checkpoint past the start exists, well before the end
        if ckpt.exists():
            try: it = torch.load(ckpt, weights_only=False)['it']
            except Exception: it = 0      # never a torn file (atomic write), but be safe while polling
            if it >= 10: break
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL); p.wait()
    stopped_at = torch.load(ckpt, weights_only=False)['it']
    assert 10 <= stopped_at < 60 and not resumed.exists()
    assert run(ckpt, resumed).wait() == 0
    np.testing.assert_array_equal(np.load(resumed), np.load(straight))

def test_stacked_subsets_resume_exactly(tmp_path):
    "With stack_subsets the loop draws every subset's rows and probe start in the same order: a resumed run ends where a straight one does."
    import pytest
    from hume_nb.datasets import planted_spaces
    from hume_nb.search import fit_hume
    sp = planted_spaces(n=800, k=4, seed=0)
    kw = dict(iters=30, anneal_at=(20,), checkpoint_every=5, progress=False, stack_subsets=True)
    straight = fit_hume(sp['phi1'], sp['phi2'], 4, 'tiny', **kw)
    class Stop(Exception): pass
    def stop(it, record):
        if it == 12: raise Stop
    with pytest.raises(Stop): fit_hume(sp['phi1'], sp['phi2'], 4, 'tiny', checkpoint=tmp_path/'c.pt', callback=stop, **kw)
    seen = []
    resumed = fit_hume(sp['phi1'], sp['phi2'], 4, 'tiny', checkpoint=tmp_path/'c.pt', callback=lambda it, r: seen.append(it), **kw)
    assert seen[0] == 10 and len(resumed.history) == 30   # it resumed from the checkpoint of iteration 10, history and all
    np.testing.assert_array_equal(resumed.weight, straight.weight)

def _kill_once_checkpointed(p, ckdir, seeds, at_least):
    "SIGKILL process `p` once every seed's checkpoint in `ckdir` stands at iteration `at_least` or later; where each seed stopped."
    import torch
    its = lambda: [torch.load(ckdir/f'seed{s}.pt', weights_only=False)['it'] for s in range(seeds)]
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            if min(its()) >= at_least: break
        except Exception: pass   # not every file written yet
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL); p.wait()
    return its()

STACKED = textwrap.dedent('''
    import sys, numpy as np
    from hume_nb.datasets import planted_spaces
    from hume_nb.search import fit_hume_stacked
    sp = planted_spaces(n=1000, k=4, seed=0)
    runs = fit_hume_stacked(sp['phi1'], sp['phi2'], 4, 3, 'tiny', iters=60, anneal_at=(40,), subset_size=1000, checkpoint_every=5,
                            progress=False, checkpoint_dir=sys.argv[1] if sys.argv[1] != '-' else None)
    np.save(sys.argv[2], np.stack([r.weight for r in runs]))
''')

def test_stacked_seeds_kill_and_resume(tmp_path):
    "Three seeds searched as one stack, killed after a checkpoint and resumed from their files, end where a straight run does."
    run_ = lambda *a: subprocess.Popen([sys.executable, '-c', STACKED, *map(str, a)])
    straight, resumed, ckdir = tmp_path/'straight.npy', tmp_path/'resumed.npy', tmp_path/'ck'
    assert run_('-', straight).wait() == 0
    its = _kill_once_checkpointed(run_(ckdir, resumed), ckdir, 3, 10)
    assert 10 <= min(its) < 60 and not resumed.exists()
    assert run_(ckdir, resumed).wait() == 0
    # a kill between two seeds' files resumes them in two groups, whose smaller products may round the last bits otherwise
    np.testing.assert_allclose(np.load(resumed), np.load(straight), atol=1e-5)

DEFAULT = textwrap.dedent('''
    import sys, time, numpy as np
    import hume_nb.search as search
    from hume_nb.datasets import planted_spaces
    from hume_nb.fast import search_seeds
    finish, steps = search._finish, []
    def slow_finish(s, stats): finish(s, stats); steps.append(s.it); time.sleep(0.01)   # time to be killed in; same arithmetic
    search._finish = slow_finish
    sp = planted_spaces(n=1000, k=4, seed=0)
    runs, scores, info = search_seeds(sp['phi1'], sp['phi2'], 4, 3, progress=False,
                                      checkpoint_dir=sys.argv[1] if sys.argv[1] != '-' else None)
    assert info['plan']['kind'] == 'batched', info   # the default preset searches every seed in one product
    np.save(sys.argv[2], np.stack([r.predict(sp['phi1']) for r in runs])); np.save(sys.argv[3], np.array(scores))
    open(sys.argv[3] + '.steps', 'w').write(str(len(steps)))   # seed iterations this process ran
''')

def test_default_preset_kill_and_resume(tmp_path):
    "The default preset's batched search checkpoints every seed; killed with SIGKILL part-way, the rerun ends with the same labels."
    import torch
    from hume_nb.datasets import planted_spaces
    from hume_nb.fast import search_seeds
    sp = planted_spaces(n=1000, k=4, seed=0)
    runs, scores, _ = search_seeds(sp['phi1'], sp['phi2'], 4, 3, progress=False)   # uninterrupted, in this process
    run_ = lambda *a: subprocess.Popen([sys.executable, '-c', DEFAULT, *map(str, a)])
    resumed, ckdir = tmp_path/'resumed.npy', tmp_path/'ck'
    its = _kill_once_checkpointed(run_(ckdir, resumed, tmp_path/'s.npy'), ckdir, 3, 20)
    assert 20 <= min(its) and max(its) < 100 and not resumed.exists(), its   # killed part-way, after checkpoints
    assert run_(ckdir, resumed, tmp_path/'s.npy').wait() == 0
    assert all(torch.load(ckdir/f'seed{s}.pt', weights_only=False)['it'] == 100 for s in range(3))
    np.testing.assert_array_equal(np.load(resumed), np.stack([r.predict(sp['phi1']) for r in runs]))
    np.testing.assert_array_equal(np.load(tmp_path/'s.npy'), np.array(scores))
    ran = int((tmp_path/'s.npy.steps').read_text())
    assert ran == 300 - sum(its), (ran, its)   # the rerun resumed every seed where its checkpoint stood
