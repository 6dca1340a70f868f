"A run's folder: inputs are never written, paths are the user's, results change all at once, one run at a time."
import json, os, signal, subprocess, sys, textwrap, time
from pathlib import Path
import numpy as np, pytest
import hume_nb.experiment as experiment
from hume_nb.datasets import planted_spaces
from hume_nb.estimator import HUME
from hume_nb.experiment import run_experiment
from hume_nb.representations import save_spaces

TINY = dict(preset='tiny', iters=20, anneal_at=(15,), seeds=1, score_folds=3, baselines=False, progress=False)

@pytest.fixture
def feats(tmp_path):
    return save_spaces(planted_spaces(n=400, k=4, seed=0), tmp_path/'feats')

def snapshot(folder):
    "Every file under `folder` and its bytes."
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob('*')) if p.is_file()}

def leftovers(parent):
    "What runs leave beside their folders: temporary, old and lock files."
    return sorted(n for n in os.listdir(parent) if n.startswith('.') and any(t in n for t in ('.new-', '.old-', '.lock')))

def test_out_dir_in_the_dataset_folder_is_refused_and_the_labels_kept(feats):
    before = snapshot(feats)
    for out, says in ((feats, 'is the dataset folder'), (feats/'runs'/'a', 'is inside the dataset folder')):
        with pytest.raises(ValueError, match=f"out_dir '{out}' {says} '{feats}'"):
            run_experiment(dataset=str(feats), out_dir=str(out), **TINY)
    with pytest.raises(ValueError, match=f"holds the dataset folder '{feats}'"):
        run_experiment(dataset=str(feats), out_dir=str(feats.parent), **TINY)
    assert snapshot(feats) == before and not (feats/'runs').exists()

def test_tilde_and_variables_in_paths_are_expanded_and_recorded_absolute(feats, tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path/'home')); monkeypatch.setenv('HUME_NB_TEST', str(feats))
    monkeypatch.chdir(tmp_path)
    r = run_experiment(dataset='$HUME_NB_TEST', out_dir='~/runs/a', **TINY)
    out = tmp_path/'home'/'runs'/'a'
    assert (out/'labels.npy').exists() and not (tmp_path/'~').exists()
    run = json.loads((out/'run.json').read_text())
    assert (run['out_dir'], run['dataset']) == (str(out), str(feats)) == (r['info']['out_dir'], r['info']['dataset'])

def test_a_failed_rerun_leaves_the_previous_results_whole(feats, tmp_path, monkeypatch):
    out = tmp_path/'out'
    run_experiment(dataset=str(feats), out_dir=str(out), **TINY)
    (out/'notes.txt').write_text('mine')
    before = snapshot(out)
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu', 'cuda' or 'cuda:N'.*got 'gpu'"):
        run_experiment(dataset=str(feats), out_dir=str(out), device='gpu', **TINY)
    def broken(*a, **kw): raise RuntimeError('the search failed')
    monkeypatch.setattr(experiment, 'search_seeds', broken)
    with pytest.raises(RuntimeError, match='the search failed'):
        run_experiment(dataset=str(feats), out_dir=str(out), **TINY)
    assert snapshot(out) == before and leftovers(tmp_path) == []
    monkeypatch.undo()
    run_experiment(dataset=str(feats), out_dir=str(out), **{**TINY, 'seeds': 2})    # a good rerun replaces the results whole
    assert (out/'notes.txt').read_text() == 'mine' and len(np.load(out/'seed_labels.npy')) == 2 and leftovers(tmp_path) == []

RUN = textwrap.dedent('''
    import sys
    from hume_nb.experiment import run_experiment
    run_experiment(dataset=sys.argv[1], out_dir=sys.argv[2], preset='tiny', iters=int(sys.argv[3]), anneal_at=(10,), seeds=2,
                   score_folds=3, baselines=False, progress=False)
''')

def start(feats, out, iters):
    return subprocess.Popen([sys.executable, '-c', RUN, str(feats), str(out), str(iters)], stderr=subprocess.PIPE, text=True)

def wait_for(path, p, seconds=60):
    "Wait until `path` exists while `p` runs; `p` is killed when it does not come."
    deadline = time.time() + seconds
    while not (path() if callable(path) else Path(path).exists()):
        if p.poll() is not None or time.time() > deadline:
            p.kill(); p.wait(); pytest.fail(f'{path} never appeared: ' + p.stderr.read()[-2000:])
        time.sleep(0.05)

def test_a_second_run_into_the_same_folder_is_refused(feats, tmp_path):
    out = tmp_path/'out'
    first = start(feats, out, 60)
    wait_for(tmp_path/'.out.lock', first)
    with pytest.raises(RuntimeError, match=rf"out_dir '{out}' is in use by another run \(process {first.pid} on "):
        run_experiment(dataset=str(feats), out_dir=str(out), **TINY)
    assert first.wait() == 0, first.stderr.read()
    labels, model = np.load(out/'labels.npy'), HUME.load(out/'model.npz')   # every file is the first run's
    te = np.load(feats/'split.npy') == 'test'
    every = [np.load(feats/'phi1.npy')[te], np.load(feats/'phi2.npy')[te]]
    assert (model.predict(every, every) == labels).mean() > 0.95 and leftovers(tmp_path) == []

def test_a_killed_run_leaves_the_results_whole_keeps_its_checkpoints_and_its_lock_is_taken_over(feats, tmp_path, capsys):
    out = tmp_path/'out'
    run_experiment(dataset=str(feats), out_dir=str(out), preset='fast', iters=20, seeds=1, baselines=False, progress=False)
    results = lambda: {f: b for f, b in snapshot(out).items() if not f.startswith('checkpoints')}
    before, fast_ckpts = results(), set((out/'checkpoints').glob('*/seed0.pt'))   # the fast run's checkpoints
    p = start(feats, out, 60)                                     # the tiny preset checkpoints every 10 iterations
    tiny = lambda: set((out/'checkpoints').glob('*/seed0.pt')) - fast_ckpts
    wait_for(lambda: tiny(), p)                                   # in a folder of its own settings
    os.kill(p.pid, signal.SIGKILL); p.wait()
    assert results() == before
    assert len(tiny()) == 1 and fast_ckpts <= set((out/'checkpoints').glob('*/seed0.pt'))   # where reruns resume from
    run_experiment(dataset=str(feats), out_dir=str(out), preset='tiny', iters=60, anneal_at=(10,), seeds=2, score_folds=3,
                   baselines=False, progress=False)
    assert f"taking over the lock of out_dir '{out}' from process {p.pid} on " in capsys.readouterr().out
    assert json.loads((out/'run.json').read_text())['preset'] == 'tiny' and leftovers(tmp_path) == []

def test_a_swap_cut_short_is_put_right(feats, tmp_path):
    "Killed after the old folder moved aside: the next run restores it and keeps the checkpoints the new folder had taken."
    out = tmp_path/'out'
    run_experiment(dataset=str(feats), out_dir=str(out), **TINY)
    (out/'checkpoints'/'keep').write_text('x')   # the run's checkpoints/ is there
    old, new = tmp_path/'.out.old-1', tmp_path/'.out.new-1'
    new.mkdir(); os.rename(out/'checkpoints', new/'checkpoints'); (new/'labels.npy').write_text('unfinished')
    os.rename(out, old)
    experiment._recover(out)
    assert (out/'checkpoints'/'keep').read_text() == 'x' and np.load(out/'labels.npy').shape == (80,)   # the run's, not the unfinished one
    assert leftovers(tmp_path) == []

def test_a_rerun_with_other_settings_starts_afresh_beside_the_first_runs_checkpoints(feats, tmp_path):
    "Checkpoints are kept per data and search settings: a rerun with another entropy weight is not refused."
    out = tmp_path/'out'
    kw = dict(dataset=str(feats), out_dir=str(out), preset='fast', iters=20, seeds=1, baselines=False, progress=False)
    first = run_experiment(**kw)
    run_experiment(**kw, entropy_weight=1.0)
    assert len(list((out/'checkpoints').glob('*/seed0.pt'))) == 2
    again = run_experiment(**kw)   # the first settings again: resumed from their finished checkpoints
    assert (again['labels'] == first['labels']).all()
