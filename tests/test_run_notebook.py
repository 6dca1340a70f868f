"nbs/run.ipynb under papermill with tiny parameters: on real digits images and on a folder of the user's own features."
import json, re, subprocess, sys
from pathlib import Path
import numpy as np, pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = ['-p', 'seeds', '2', '-p', 'iters', '20', '-p', 'subset_size', '600', '-p', 'inner_steps', '20', '-p', 'score_folds', '3']

def papermill(out_dir, *params):
    out_dir.mkdir(parents=True, exist_ok=True)   # papermill writes its output notebook there first
    pm = Path(sys.executable).parent/'papermill'
    r = subprocess.run([str(pm), 'nbs/run.ipynb', str(out_dir/'run.ipynb'), '-p', 'out_dir', str(out_dir), *params],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    return json.loads((out_dir/'metrics.json').read_text()) if (out_dir/'metrics.json').exists() else None

def test_digits_inductive(tmp_path):
    m = papermill(tmp_path, '-p', 'dataset', 'digits', '-p', 'phi1', 'efficientnet_lite0', '-p', 'phi2', 'mobilenetv2', '-p', 'k', '10', *TINY)
    assert set(m) == {'hume', 'hume_best_seed', 'kmeans_efficientnet_lite0', 'kmeans_mobilenetv2', 'kmeans_concat', 'linear_probe', 'turtle'}
    for n, r in m.items(): assert set(r) == {'acc', 'nmi', 'ari', 'seconds'} | ({'preset'} if n == 'turtle' else set()) and 0 <= r['acc'] <= 1
    assert m['turtle']['preset'] in ('reference', 'cpu') and m['turtle']['acc'] > 0.3   # TURTLE beside HUME in every run
    assert np.load(tmp_path/'labels.npy').shape == (539,)          # the digits test rows
    assert m['linear_probe']['acc'] > 0.9                             # real features: the ceiling is high
    assert m['hume']['acc'] > 0.3                                     # well above chance (0.1) after 20 iterations
    for f in ('results.md', 'run.json', 'confusion.png', 'history.png', 'run.ipynb'): assert (tmp_path/f).exists(), f
    run = json.loads((tmp_path/'run.json').read_text())
    assert run['differs_from_paper']['iters'] == {'run': 20, 'paper': 1000}
    clusters = json.loads((tmp_path/'clusters.json').read_text())   # what each cluster of labels.npy is
    assert [c['cluster'] for c in clusters] == list(range(10)) and sum(c['size'] for c in clusters) == 539
    assert all('name' in c and 0 <= c['purity'] <= 1 for c in clusters if c['class'] >= 0)

def test_own_features_folder_transductive(tmp_path):
    from hume_nb.datasets import planted_spaces
    from hume_nb.representations import Spaces, save_spaces
    sp = planted_spaces(n=800, k=4, seed=3)
    save_spaces(Spaces({'mine': sp['phi1'], 'theirs': sp['phi2']}, sp.labels), tmp_path/'feats')   # no split.npy
    m = papermill(tmp_path/'out', '-p', 'dataset', str(tmp_path/'feats'), '-p', 'phi1', 'mine', '-p', 'phi2', 'theirs',
                  '-p', 'k', '4', '-p', 'setting', 'transductive', '-p', 'temperature', '1.0', '-p', 'inner_lr', '3.0', *TINY)
    assert np.load(tmp_path/'out'/'labels.npy').shape == (800,)
    assert m['hume']['ari'] > 0.9

def test_missing_folder_fails_clearly(tmp_path):
    pm = Path(sys.executable).parent/'papermill'
    r = subprocess.run([str(pm), 'nbs/run.ipynb', str(tmp_path/'o.ipynb'), '-p', 'dataset', str(tmp_path/'nowhere'),
                        '-p', 'out_dir', str(tmp_path/'o')], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0
    assert 'neither a registered dataset' in r.stdout + r.stderr + (tmp_path/'o.ipynb').read_text()

def test_help_lists_every_parameter_with_type_and_meaning():
    "`papermill --help-notebook nbs/run.ipynb` shows each parameter of the tagged cell with its type, default and comment."
    cell = next(c for c in json.loads((ROOT/'nbs/run.ipynb').read_text())['cells'] if 'parameters' in c['metadata'].get('tags', []))
    params = [re.match(r"(\w+): '?([\w\[\]]+)'? = (.+?)\s+# (.+)$", l) for l in ''.join(cell['source']).splitlines() if l.strip()]
    assert all(params) and len(params) >= 20, [l for l, p in zip(''.join(cell['source']).splitlines(), params) if not p]
    pm = Path(sys.executable).parent/'papermill'
    r = subprocess.run([str(pm), '--help-notebook', 'nbs/run.ipynb'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    shown = ' '.join(r.stdout.split())
    for p in params:
        name, typ, default, meaning = p.groups()
        assert f'{name}: {typ} (default {default})' in shown, f'{name} is missing from --help-notebook:\n{r.stdout}'
        assert ' '.join(meaning.split()) in shown, f'the meaning of {name} is missing'

def test_every_space_of_a_folder_with_progress_in_the_log(tmp_path):
    "-p dataset FOLDER alone: every space, transductive without split.npy; --log-output shows a line per stage."
    from hume_nb.datasets import planted_spaces
    from hume_nb.representations import Spaces, save_spaces
    sp = planted_spaces(n=400, k=4, seed=3)
    save_spaces(Spaces({'a': sp['phi1'], 'b': sp['phi2'], 'c': sp['phi1'][:, ::-1] * 2 + 0.1}, sp.labels), tmp_path/'feats')
    out = tmp_path/'out'; out.mkdir()
    pm = Path(sys.executable).parent/'papermill'
    r = subprocess.run([str(pm), '--log-output', 'nbs/run.ipynb', str(out/'run.ipynb'), '-p', 'out_dir', str(out), '-p', 'dataset',
                        str(tmp_path/'feats'), '-p', 'phi2', 'a,b', '-p', 'k', '4', *TINY], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    run = json.loads((out/'run.json').read_text())
    assert (run['phi1'], run['phi2'], run['setting'], run['n_search']) == (['a', 'b', 'c'], ['a', 'b'], 'transductive', 400)
    assert set(json.loads((out/'metrics.json').read_text())) >= {'kmeans_a', 'kmeans_b', 'kmeans_c', 'kmeans_concat', 'linear_probe'}
    assert (r.stdout + r.stderr).count('[hume] ') >= 5, r.stderr[-3000:]

def test_parameters_are_the_run_config_fields_with_their_defaults():
    "run.ipynb's parameters: every RunConfig field with RunConfig's default, plus search settings that default to the preset's."
    import dataclasses
    from hume_nb.experiment import RunConfig, parameter_names
    cell = next(c for c in json.loads((ROOT/'nbs/run.ipynb').read_text())['cells'] if 'parameters' in c['metadata'].get('tags', []))
    params = dict(re.match(r"(\w+): .+? = (.+?)\s+# ", l).groups() for l in ''.join(cell['source']).splitlines() if l.strip())
    fields = {f.name for f in dataclasses.fields(RunConfig)} - {'search'}
    assert set(params) & fields == fields, f'missing from run.ipynb: {sorted(fields - set(params))}'
    assert set(params) <= parameter_names(), sorted(set(params) - parameter_names())
    for name, text in params.items():
        assert eval(text) == (getattr(RunConfig(), name) if name in fields else None), f'{name}: run.ipynb {text}'
