"run_experiment's contract: every space at once, the default setting, a run's folder, row subsets, progress, data and weights."
import dataclasses, json, os
from pathlib import Path
import numpy as np, pytest
import hume_nb.experiment as experiment
from hume_nb.experiment import RunConfig, run_config, run_experiment
from hume_nb.datasets import planted_spaces
from hume_nb.representations import Spaces, save_spaces
from hume_nb.sources import get_spaces
from hume_nb.ensemble import DEFAULT_CONSENSUS

TINY = dict(preset='tiny', iters=20, anneal_at=(15,), seeds=1, score_folds=3, progress=False)

def three_spaces(folder, n=400, k=4, split=False):
    "A feature folder of three spaces that share one planted labeling; without split.npy unless `split`."
    sp, rng = planted_spaces(n=n, k=k, seed=0), np.random.default_rng(1)
    phi3 = rng.normal(size=(k, 24))[sp.labels] + 1.5 * rng.normal(size=(k, 24))[rng.integers(0, k, n)] + 0.3 * rng.normal(size=(n, 24))
    save_spaces(Spaces({**sp.feats, 'phi3': phi3.astype(np.float32)}, sp.labels, sp.split if split else None), folder)
    return folder

def test_every_space_of_a_folder_when_none_is_named(tmp_path):
    r = run_experiment(dataset=str(three_spaces(tmp_path/'f')), out_dir=str(tmp_path/'o'), **TINY)
    run = json.loads((tmp_path/'o'/'run.json').read_text())
    assert run['phi1'] == run['phi2'] == run['spaces'] == ['phi1', 'phi2', 'phi3']
    assert run['consensus']['method'] == DEFAULT_CONSENSUS and len(run['consensus']['weights']) == len(run['seeds'])   # what made the answer
    assert set(r['metrics']) == {'hume', 'hume_best_seed', 'kmeans_phi1', 'kmeans_phi2', 'kmeans_phi3', 'kmeans_concat', 'linear_probe', 'turtle'}

def test_several_spaces_as_text_search_phi1_side_by_side_and_each_phi2(tmp_path, monkeypatch):
    seen = {}
    def spy(x1, x2, k, *a, **kw):
        seen.update(d1=x1.shape[1], x2=[x.shape[1] for x in (x2 if isinstance(x2, list) else [x2])])
        return real(x1, x2, k, *a, **kw)
    real = experiment.search_seeds; monkeypatch.setattr(experiment, 'search_seeds', spy)
    cfg = run_config(dataset=str(three_spaces(tmp_path/'f')), phi1='phi1, phi3', phi2='phi2,phi3', out_dir=str(tmp_path/'o'))
    assert (cfg.phi1, cfg.phi2) == (['phi1', 'phi3'], ['phi2', 'phi3'])
    r = run_experiment(cfg, **TINY)
    assert seen == dict(d1=32 + 24, x2=[48, 24])            # phi1 concatenated; phi2 a list of spaces
    assert r['info']['spaces'] == ['phi1', 'phi3', 'phi2'] and 'kmeans_phi2' in r['metrics']

def test_setting_defaults_to_what_the_data_allows(tmp_path):
    f = three_spaces(tmp_path/'f')
    r = run_experiment(dataset=str(f), phi1='phi1', phi2='phi2', out_dir=str(tmp_path/'o'), **TINY)
    assert (r['info']['setting'], r['info']['n_search'], r['info']['n_report']) == ('transductive', 400, 400)
    with pytest.raises(ValueError, match="use setting='transductive'"):   # an explicit setting still wins
        run_experiment(dataset=str(f), phi1='phi1', phi2='phi2', out_dir=str(tmp_path/'o'), setting='inductive', **TINY)
    g = three_spaces(tmp_path/'g', split=True)
    assert run_experiment(dataset=str(g), phi1='phi1', phi2='phi2', out_dir=str(tmp_path/'p'), **TINY)['info']['setting'] == 'inductive'

def test_a_run_replaces_the_previous_results_but_keeps_checkpoints(tmp_path):
    f = three_spaces(tmp_path/'f'); os.remove(f/'labels.npy')          # no labels: this run writes no metrics
    out = tmp_path/'o'; (out/'checkpoints').mkdir(parents=True); (out/'checkpoints'/'keep.pt').write_text('x')
    for name in experiment.RESULT_FILES: (out/name).write_text('stale')
    run_experiment(dataset=str(f), phi1='phi1', phi2='phi2', k=4, out_dir=str(out), **TINY)
    assert sorted(os.listdir(out)) == ['checkpoints', 'clusters.json', 'history.png', 'labels.npy', 'model.npz', 'run.json', 'seed_labels.npy']
    assert (out/'checkpoints'/'keep.pt').read_text() == 'x' and json.loads((out/'run.json').read_text())['k'] == 4

def test_an_unwritable_out_dir_fails_before_any_data_is_read(tmp_path, monkeypatch):
    def never(*a, **kw): raise AssertionError('features were read before out_dir was checked')
    monkeypatch.setattr(experiment, 'get_spaces', never)
    (tmp_path/'file').write_text('x')
    for out in (tmp_path/'file', tmp_path/'file'/'out'):
        with pytest.raises(PermissionError, match=f"out_dir '{out}' cannot be written"):
            run_experiment(dataset=str(three_spaces(tmp_path/'f')), out_dir=str(out), **TINY)

def test_n_train_and_n_test_subsample_feature_folders(tmp_path):
    g = three_spaces(tmp_path/'g', split=True)                        # 320 train / 80 test rows
    r = run_experiment(dataset=str(g), phi1='phi1', phi2='phi2', n_train=200, n_test=50, out_dir=str(tmp_path/'o'), **TINY)
    assert (r['info']['n_search'], r['info']['n_report'], len(r['labels'])) == (200, 50, 50)
    f = three_spaces(tmp_path/'f')                                    # transductive: n_train subsamples the searched rows
    r = run_experiment(dataset=str(f), phi1='phi1', phi2='phi2', n_train=250, out_dir=str(tmp_path/'p'), **TINY)
    assert (r['info']['n_search'], r['info']['n_report']) == (250, 250)
    assert RunConfig().n_train == 10000 and get_spaces(f, 'phi1', 'phi2', n_train=10000).n == 400   # more than there are: all rows

def test_progress_prints_a_flushed_line_per_stage(tmp_path, capsys):
    run_experiment(dataset=str(three_spaces(tmp_path/'f')), out_dir=str(tmp_path/'o'), **{**TINY, 'progress': True})
    lines = [l for l in capsys.readouterr().out.splitlines() if l.startswith('[hume] ')]
    assert len(lines) >= 5 and 'phi1 = phi1 + phi2 + phi3' in lines[0] and 'transductive' in lines[1], lines

def test_download_and_weights_reach_get_spaces(tmp_path, monkeypatch):
    seen = []
    def spy(*a): seen.append(a); raise KeyboardInterrupt
    monkeypatch.setattr(experiment, 'get_spaces', spy)
    for download in (True, False):
        with pytest.raises(KeyboardInterrupt):
            run_experiment(dataset='digits', out_dir=str(tmp_path/'o'), download=download, phi2_weights='w.pt', **TINY)
    w = str(Path('w.pt').absolute())                                  # every path a user gives is made absolute once
    assert [(a[9], a[10]) for a in seen] == [(True, {'efficientnet_lite0': w}), (False, {'efficientnet_lite0': w})]
    with pytest.raises(ValueError, match=r"phi1_weights is one file, for one encoder, but phi1 names \['a', 'b'\]"):
        run_experiment(dataset='digits', phi1='a,b', phi1_weights='w.pt', out_dir=str(tmp_path/'o'), **TINY)

def test_offline_data_error_names_the_files_and_their_folder(tmp_path, monkeypatch):
    monkeypatch.setenv('HUME_NB_DATA', str(tmp_path))
    for name, files in (('cifar10', 'cifar-10-batches-py'), ('cifar100_20', 'cifar-100-python'), ('stl10', 'stl10_binary')):
        with pytest.raises(FileNotFoundError) as e:
            run_experiment(dataset=name, out_dir=str(tmp_path/'o'), download=False, **TINY)
        assert f"in '{tmp_path/files}'" in str(e.value) and 'download=True' in str(e.value), str(e.value)

def test_a_weights_file_that_does_not_load_is_named(tmp_path):
    (tmp_path/'bad.pt').write_text('not weights')
    with pytest.raises(RuntimeError, match=f"encoder 'mobilenetv2' from '{tmp_path/'bad.pt'}' failed"):
        run_experiment(dataset='digits', phi1_weights=str(tmp_path/'bad.pt'), n_train=8, n_test=4, image_size=32,
                       cache_dir=str(tmp_path/'cache'), device='cpu', out_dir=str(tmp_path/'o'), **TINY)

def test_choose_picks_settings_by_the_label_free_score_and_records_them(tmp_path, monkeypatch):
    f = three_spaces(tmp_path/'f')
    seen = []
    real = experiment.choose_config
    def spy(x1, x2, k, grid, **kw): seen.append(grid); return real(x1, x2, k, grid, **kw)
    monkeypatch.setattr(experiment, 'choose_config', spy)
    r = run_experiment(dataset=str(f), out_dir=str(tmp_path/'out'), choose='true', iters=15, seeds=2, baselines=False, progress=False)
    chosen = r['info']['choice']['chosen']
    assert seen == [experiment.CHOICES] and chosen in experiment.CHOICES
    assert {k: r['info']['config'][k] for k in chosen} == chosen                  # the search ran with the choice
    scores = r['info']['choice']['scores']
    assert len(scores) == len(experiment.CHOICES) and max(s['score'] for s in scores) == next(
        s['score'] for s in scores if {k: s[k] for k in chosen} == chosen)       # the best-scored setting is the one chosen
    assert run_experiment(dataset=str(f), out_dir=str(tmp_path/'o2'), iters=5, seeds=1, baselines=False, progress=False)['info']['choice'] is None

def test_a_run_says_when_its_near_equal_clusters_hide_unequal_classes(tmp_path):
    "80% of the rows in one class, a strong balance term: equal clusters, and results.md says the classes may be unequal."
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), [320, 40, 40])
    feats = {s: (rng.normal(size=(3, 16))[y] * 6 + rng.normal(size=(400, 16))).astype(np.float32) for s in ('a', 'b')}
    save_spaces(Spaces(feats, y), tmp_path/'f')
    r = run_experiment(dataset=str(tmp_path/'f'), out_dir=str(tmp_path/'o'), entropy_weight=100.0, **{**TINY, 'baselines': False})
    assert r['info']['notes'] and "clusters are near equal in size" in r['info']['notes'][0]
    assert 'Try a lower entropy_weight (e.g. 10)' in (tmp_path/'o'/'results.md').read_text()
    r = run_experiment(dataset=str(tmp_path/'f'), out_dir=str(tmp_path/'o2'), entropy_weight=0.0, **{**TINY, 'baselines': False})
    assert r['info']['notes'] == [] and 'entropy_weight' not in (tmp_path/'o2'/'results.md').read_text()

def test_rows_missing_in_one_space_are_labelled_from_the_others(tmp_path):
    "Rows all zero in one space run (the fast preset's ridge probes leave them out there) and run.json counts them; a row missing everywhere is refused."
    sp = planted_spaces(n=400, k=4, seed=0)
    rows = np.r_[np.flatnonzero(sp.split == 'train')[:15], np.flatnonzero(sp.split == 'test')[:15]]   # searched on, reported on
    feats = dict(sp.feats); feats['phi2'] = feats['phi2'].copy(); feats['phi2'][rows] = 0
    save_spaces(Spaces(feats, sp.labels, sp.split), tmp_path/'f')
    r = run_experiment(dataset=str(tmp_path/'f'), out_dir=str(tmp_path/'o'), preset='fast', seeds=2, score_folds=3, progress=False)
    run = json.loads((tmp_path/'o'/'run.json').read_text())
    assert run['missing_rows'] == {'phi1': 0, 'phi2': 30}
    gone = np.isin(r['eval_rows'], rows); assert gone.sum() == 15
    y = r['spaces'].labels[r['eval_rows']]
    from hume_nb.evaluation import cluster_acc
    assert cluster_acc(y, r['labels']) > 0.8 and cluster_acc(y[gone], r['labels'][gone]) > 0.6   # labelled from phi1
    feats['phi1'] = feats['phi1'].copy(); feats['phi1'][rows[0]] = 0
    with pytest.raises(ValueError, match=r'1 row\(s\) of 400 are missing \(all zero or all NaN\) in every space'):
        Spaces(feats, sp.labels, sp.split)
