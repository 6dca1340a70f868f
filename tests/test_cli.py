"The command line: every run setting is an option, a run end to end, exit status 2 with one line on bad input."
import subprocess, sys, numpy as np, pytest
from hume_nb.cli import main, parser
from hume_nb.datasets import planted_spaces
from hume_nb.experiment import parameter_names
from hume_nb.representations import save_spaces

@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp('cli')
    save_spaces(planted_spaces(n=500, k=3, seed=0), d/'planted')
    return d

def test_one_option_per_setting():
    opts = {a.dest for a in parser()._subparsers._group_actions[0].choices['run']._actions}
    assert parameter_names() <= opts

def test_run_end_to_end(folder, capsys):
    status = main(['run', '--dataset', str(folder/'planted'), '--phi1', 'phi1', '--phi2', 'phi2', '--preset', 'tiny', '--seeds', '2',
                   '--iters', '30', '--baselines', 'no', '--setting', 'transductive', '--out-dir', str(folder/'run'), '--quiet'])
    out = capsys.readouterr().out
    assert status == 0 and 'hume' in out and 'acc' in out.lower()
    assert len(np.load(folder/'run'/'labels.npy')) == 500

def test_module_entry_point_and_bad_input(folder):
    run = lambda *a: subprocess.run([sys.executable, '-m', 'hume_nb.cli', 'run', *a, '--quiet'], capture_output=True, text=True)
    bad = run('--dataset', str(folder/'planted'), '--preset', 'nope', '--out-dir', str(folder/'bad'))
    assert bad.returncode == 2 and bad.stderr.startswith("hume-nb: error: unknown preset 'nope'") and len(bad.stderr.strip().splitlines()) == 1
    missing = run('--dataset', str(folder/'missing'), '--out-dir', str(folder/'bad'))
    assert missing.returncode == 2 and missing.stderr.startswith('hume-nb: error:')
    assert run('--seeds', 'three').returncode == 2
    assert run('--center', 'maybe').returncode == 2
