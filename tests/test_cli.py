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

@pytest.mark.parametrize('args, says', [
    (['--k', '2.5'], "argument --k: expected an integer or none, got '2.5'"),
    (['--baselines', 'maybe'], "argument --baselines: expected true or false (yes/no, 1/0), got 'maybe'"),
    (['--temperature', 'warm'], "argument --temperature: expected a number, got 'warm'"),
    (['--anneal-at', '5,x'], "argument --anneal-at/--anneal_at: expected integers separated by commas (e.g. 50,80), got '5,x'")])
def test_a_malformed_option_is_one_line_naming_the_option_and_its_form(args, says, capsys):
    with pytest.raises(SystemExit) as e: main(['run', *args])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count('\n') == 1 and says in err and '<lambda>' not in err, err

def test_every_error_a_user_can_cause_is_one_line(folder, tmp_path, capsys):
    "A bad device, an out_dir under a file, a dataset that is a file, a folder in use: one line each, no traceback."
    import hume_nb.experiment as experiment
    from pathlib import Path
    run = lambda *a: main(['run', '--dataset', str(folder/'planted'), '--preset', 'tiny', '--iters', '5', '--quiet', *a])
    (tmp_path/'file').write_text('x')
    cases = [(['--device', 'gpu', '--out-dir', str(tmp_path/'o')], 2, "device must be 'auto', 'cpu', 'cuda' or 'cuda:N'"),
             (['--out-dir', str(tmp_path/'file'/'o')], 2, f"out_dir '{tmp_path/'file'/'o'}' cannot be written"),
             (['--out-dir', str(tmp_path/'o'), '--dataset', str(tmp_path/'file')], 2, 'is a file, not a feature folder')]
    for args, status, says in cases:
        assert run(*args) == status
        err = capsys.readouterr().err
        assert err.startswith('hume-nb: error: ') and says in err and err.count('\n') == 1, err
    with experiment._locked(Path(tmp_path/'busy')):        # another run holds the folder
        assert run('--out-dir', str(tmp_path/'busy')) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"hume-nb: error: out_dir '{tmp_path/'busy'}' is in use by another run (process ") and err.count('\n') == 1
