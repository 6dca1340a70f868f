"Extraction into a memory-mapped file: killed with SIGKILL and resumed, shared by two processes under torchrun (gloo); the dataset grammar of every entry point."
import dataclasses, json, os, signal, subprocess, sys, time, textwrap
from pathlib import Path
import numpy as np, pytest
from hume_nb.datasets import load_digits, planted_spaces
from hume_nb.encoders import get_encoder, extract_features
from functools import partial
from hume_nb.extraction import extract_to_memmap, done_rows, resolve_preprocess
from hume_nb.foundation import resize_center_crop
from hume_nb.representations import save_spaces
from hume_nb.sources import DatasetSpec, parse_dataset, get_spaces

ARGS = dict(size=32, batch_size=8, chunk_size=16, dataset='digits160')
ENV = os.environ | {'OMP_NUM_THREADS': '1'}

# a slow MobileNetV2 (0.1 s more per batch, as on a busy machine), so that the kill lands halfway
SLOW = textwrap.dedent('''
    import dataclasses, sys, time
    from hume_nb.datasets import load_digits
    from hume_nb.encoders import get_encoder
    from hume_nb.extraction import extract_to_memmap
    enc = get_encoder('mobilenetv2')
    def build(weights_path=None):
        net = enc.build(weights_path)
        net.register_forward_hook(lambda m, i, o: time.sleep(0.1))
        return net
    images = load_digits(n_train=120, n_test=40).images
    extract_to_memmap(images, dataclasses.replace(enc, build=build), sys.argv[1], size=32, batch_size=8, chunk_size=16,
                      dataset='digits160', num_workers=1, progress=False)
''')

@pytest.fixture(scope='module')
def images(): return load_digits(n_train=120, n_test=40).images

@pytest.fixture(scope='module')
def straight(images):
    return extract_features(images, 'mobilenetv2', size=32, batch_size=8, progress=False)

def counting(seen):
    "MobileNetV2 whose network appends the size of every batch it encodes to `seen`."
    enc = get_encoder('mobilenetv2')
    def build(weights_path=None):
        net = enc.build(weights_path)
        net.register_forward_hook(lambda m, i, o: seen.append(len(o)))
        return net
    return dataclasses.replace(enc, build=build)

def test_sigkill_then_resume_encodes_only_the_missing_rows(images, straight, tmp_path):
    out = tmp_path/'f.npy'
    p = subprocess.Popen([sys.executable, '-c', SLOW, str(out)], env=ENV)
    deadline, done = time.time() + 300, None
    while time.time() < deadline and p.poll() is None:   # kill once two chunks (32 rows) are recorded
        try: done = done_rows(out)
        except (FileNotFoundError, json.JSONDecodeError): done = None   # not started yet
        if done is not None and done.sum() >= 32: break
        time.sleep(0.02)
    os.kill(p.pid, signal.SIGKILL); p.wait()
    assert p.returncode == -signal.SIGKILL, 'the extraction ended before it could be killed'
    done = done_rows(out)
    assert 32 <= done.sum() < len(images) and not json.loads(out.with_suffix('.json').read_text())['complete']
    assert (done[:done.sum()]).all()          # one process encodes its chunks in order
    seen = []
    f = extract_to_memmap(images, counting(seen), out, num_workers=0, progress=False, **ARGS)
    assert sum(seen) == (~done).sum()           # only the missing rows were encoded again
    np.testing.assert_allclose(f, straight, rtol=1e-5, atol=1e-5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['f.json', 'f.npy']   # per-process records folded in and removed
    seen.clear()
    extract_to_memmap(images, counting(seen), out, num_workers=0, progress=False, **ARGS)
    assert seen == []                          # a finished file is read, not recomputed

def torchrun(g, *args):
    return subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={g}', '-m',
                           'hume_nb.cli', 'extract', '--dataset', 'digits', '--n-train', '120', '--n-test', '40', '--size', '32',
                           '--batch-size', '8', '--chunk-size', '16', '--workers', '1', '--quiet', *args],
                          capture_output=True, text=True, env=ENV, timeout=300)

def test_two_processes_write_the_same_features_as_one(straight, tmp_path):
    for g in (1, 2):
        r = torchrun(g, '--encoder', 'mobilenetv2', '--out', str(tmp_path/f'g{g}.npy'))
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    # process 0 marks the file complete only when every chunk is recorded, so process 1 did write its half
    meta = json.loads((tmp_path/'g2.json').read_text())
    assert meta['complete'] and meta['done_chunks'] == list(range(10)) and meta['split'] == {'train': 120, 'test': 40}
    one, two = np.load(tmp_path/'g1.npy'), np.load(tmp_path/'g2.npy')
    print('max |1 process - 2 processes| =', np.abs(one - two).max())
    np.testing.assert_allclose(two, one, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(two, straight, rtol=1e-5, atol=1e-5)
    # process 0's refusal of another model's file reaches process 1 too: both stop, neither waits forever
    r = torchrun(2, '--encoder', 'efficientnet_lite0', '--out', str(tmp_path/'g2.npy'))
    assert r.returncode != 0 and 'written by another model, preprocessing or dataset' in r.stdout + r.stderr

def bench(root, *args):
    r = subprocess.run([sys.executable, 'bench/extraction_throughput.py', '--device', 'cpu', '--n', '16', '--batch-size', '8',
                        '--sizes', '32', '--workers', '0', *args], cwd=root, capture_output=True, text=True, env=ENV, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout, [[c.strip() for c in l.split('|')[1:-1]] for l in r.stdout.splitlines() if l.startswith('| ') and 'images/s' not in l]

def test_throughput_script_prints_its_table(root):
    out, rows = bench(root)
    assert [(m, px, p, pre) for m, px, _, p, pre, *_ in rows] == [('mobilenetv2', '32', 'fp32', 'workers'), ('efficientnet_lite0', '32', 'fp32', 'workers')]
    for *_, s, ips, gflop, tflops, frac, diff in rows:
        assert float(ips) > 0 and frac == '-' and diff == '-'           # no peak known for a CPU
        assert float(tflops) == pytest.approx(float(ips) * float(gflop) / 1000, rel=0.02)
    # FLOPs per image at 32 px: MobileNetV2 is about 0.6 GFLOP at 224 px, EfficientNet-Lite0 0.8, and both scale with the pixels
    assert [float(r[7]) for r in rows] == pytest.approx([0.6 * (32 / 224) ** 2, 0.8 * (32 / 224) ** 2], rel=0.25)
    assert 'skipped on the CPU: pass --giant' in out

def test_throughput_script_compares_preprocessing_against_a_given_peak(root):
    out, rows = bench(root, '--preprocess', 'workers', 'device', '--peak-tflops', '0.5')
    assert [(r[0], r[4]) for r in rows] == [(m, p) for m in ('mobilenetv2', 'efficientnet_lite0') for p in ('workers', 'device')]
    for r in rows:   # the share of the peak, from the unrounded rate: within a point of the printed rate's
        assert abs(int(r[9].rstrip('%')) - 100 * float(r[8]) / 0.5) <= 1, r
    assert [r[10] for r in rows] == ['-', '0'] * 2 and 'peak 0.5 TFLOP/s' in out   # on a CPU both paths give the same features

# a DINOv2-style resize (shorter side, antialiased bicubic shrink, centre crop) on MobileNetV2's network
CROPPING = dataclasses.replace(get_encoder('mobilenetv2'), name='mobilenetv2_crop', size=32, resize_on_device=True,
                               resize=partial(resize_center_crop, resize_to=40, mode='bicubic'))
RGB = np.random.default_rng(0).integers(0, 256, (40, 48, 60, 3), dtype=np.uint8)

@pytest.mark.parametrize('encoder', ['mobilenetv2', 'efficientnet_lite0', 'cropping'])
def test_preprocessing_on_the_device_gives_the_workers_features(images, encoder, tmp_path):
    # on a CPU both paths call the same torch functions on the same numbers: the features agree bit for bit. (On a GPU
    # CUDA's interpolation rounds differently in the last float32 bits; the benchmark prints that difference there.)
    enc, imgs = (CROPPING, RGB) if encoder == 'cropping' else (encoder, images)
    kw = dict(size=32, batch_size=16, chunk_size=16, num_workers=1, progress=False, dataset='x')
    w = extract_to_memmap(imgs, enc, tmp_path/'w.npy', preprocess='workers', **kw)
    v = extract_to_memmap(imgs, enc, tmp_path/'v.npy', preprocess='device', **kw)
    print(f'{encoder}: max |device - workers| = {np.abs(v - w).max()}')
    np.testing.assert_array_equal(v, w)
    assert json.loads((tmp_path/'v.json').read_text())['preprocess'] == 'device'
    assert json.loads((tmp_path/'w.json').read_text())['preprocess'] == 'workers'

def test_auto_preprocesses_in_workers_on_a_cpu_and_on_the_device_on_cuda(images, tmp_path):
    enc = get_encoder('mobilenetv2')
    assert resolve_preprocess('auto', enc, 'cpu') == 'workers' and resolve_preprocess('auto', enc, 'cuda') == 'device'
    extract_to_memmap(images[:8], enc, tmp_path/'a.npy', size=32, device='cpu', progress=False)
    assert json.loads((tmp_path/'a.json').read_text())['preprocess'] == 'workers'
    numpy_only = dataclasses.replace(enc, resize=lambda x, size: resize_center_crop(np.asarray(x), size))
    assert resolve_preprocess('auto', numpy_only, 'cuda') == 'workers'
    with pytest.raises(ValueError, match='cannot preprocess on the device'):
        extract_to_memmap(images[:8], numpy_only, tmp_path/'b.npy', preprocess='device', progress=False)
    assert not (tmp_path/'b.npy').exists()

def test_a_run_started_in_workers_resumes_on_the_device(images, straight, tmp_path):
    seen, out = [], tmp_path/'f.npy'
    enc = counting(seen)
    def fail_after_three(m, i, o):
        if len(seen) >= 3: raise RuntimeError('interrupted')
    failing = dataclasses.replace(enc, build=lambda weights_path=None: _with_hook(enc.build(weights_path), fail_after_three))
    with pytest.raises(RuntimeError, match='interrupted'):
        extract_to_memmap(images, failing, out, num_workers=0, progress=False, preprocess='workers', **ARGS)
    assert done_rows(out).sum() == 16
    seen.clear()
    f = extract_to_memmap(images, counting(seen), out, num_workers=0, progress=False, preprocess='device', **ARGS)
    assert sum(seen) == len(images) - 16
    np.testing.assert_allclose(f, straight, rtol=1e-5, atol=1e-5)

def _with_hook(net, hook):
    net.register_forward_pre_hook(lambda m, i: hook(m, i, None))
    return net

@pytest.fixture
def scratch(tmp_path, monkeypatch):
    "A working directory with a feature folder, a folder named like a registered dataset, an image folder and a file."
    monkeypatch.chdir(tmp_path)
    for f in ('feats', 'digits', 'imgs/cat', 'rel/representations'): os.makedirs(f)
    Path('notes.txt').write_text('not a folder')
    return tmp_path

@pytest.mark.parametrize('spec, parsed', [
    ('cifar10', DatasetSpec('name', name='cifar10')), ('fashion_mnist', DatasetSpec('name', name='fashion_mnist')),
    ('imagefolder:imgs', DatasetSpec('imagefolder', path=Path('imgs'))),
    ('released:rel:cifar10', DatasetSpec('released', name='cifar10', path=Path('rel'))),
    ('feats', DatasetSpec('folder', path=Path('feats'))), ('./feats', DatasetSpec('folder', path=Path('feats'))),
    ('./digits', DatasetSpec('folder', path=Path('digits'))), ('imgs/cat', DatasetSpec('folder', path=Path('imgs/cat')))])
def test_parse_dataset_cases(scratch, spec, parsed):
    assert parse_dataset(spec) == parsed

@pytest.mark.parametrize('spec, error, message', [
    ('digits', ValueError, "write './digits' for the folder"),                       # a name never shadows a folder silently
    ('notes.txt', NotADirectoryError, "'notes.txt' is a file, not a feature folder"),
    ('./notes.txt', NotADirectoryError, "is a file, not a feature folder"),
    ('imagefolder:notes.txt', NotADirectoryError, "image folder 'notes.txt' is a file, not a folder"),
    ('released:notes.txt:cifar10', NotADirectoryError, "'notes.txt' is a file, not a folder"),
    ('cifar7', FileNotFoundError, "neither a registered dataset ['cifar10', 'cifar100_20', 'digits', 'fashion_mnist', 'imagenet', 'stl10']"),
    ('./nowhere', FileNotFoundError, "'fashion_mnist'"),                             # a missing path lists the known names
    ('imagefolder:nowhere', FileNotFoundError, "image folder 'nowhere' does not exist"),
    ('released:rel', ValueError, "'released:ROOT:DATASET'"), ('', TypeError, 'a dataset is written as')])
def test_parse_dataset_errors(scratch, spec, error, message):
    with pytest.raises(error) as e: parse_dataset(spec)
    assert message in str(e.value), str(e.value)

def test_get_spaces_reads_only_the_named_spaces_memory_mapped(tmp_path):
    sp = planted_spaces(n=120, k=3)
    save_spaces(sp, tmp_path/'f'); np.save(tmp_path/'f'/'phi3.npy', sp['phi1'][:, :4])
    got = get_spaces(str(tmp_path/'f'), ['phi2', 'phi3'], 'phi1')
    assert got.names == ['phi2', 'phi3', 'phi1'] and all(isinstance(got[s], np.memmap) for s in got.names)
    assert get_spaces(tmp_path/'f', 'phi1', 'phi1').names == ['phi1']
    np.testing.assert_array_equal(got['phi2'], sp['phi2']); np.testing.assert_array_equal(got.labels, sp.labels)

def test_get_spaces_of_images_go_through_the_one_cache_format(tmp_path):
    sp = get_spaces('digits', 'mobilenetv2', 'efficientnet_lite0', n_train=40, n_test=8, image_size=32, cache_dir=tmp_path,
                    device='cpu', progress=False)
    assert sp.names == ['mobilenetv2', 'efficientnet_lite0'] and sp.n == 48
    metas = [json.loads(p.read_text()) for p in sorted(tmp_path.glob('*.json'))]
    assert len(metas) == 2 and all(m['complete'] and m['n'] == 48 and m['dataset'] == 'digits' for m in metas)
    assert {m['model'] for m in metas} == {'mobilenetv2', 'efficientnet_lite0'}

def test_command_line_refuses_bad_datasets_before_it_starts(tmp_path):
    (tmp_path/'notes.txt').write_text('x')
    for spec, message in ((str(tmp_path/'notes.txt'), 'is a file, not a feature folder'), (str(tmp_path), 'names features'),
                          ('cifar7', 'neither a registered dataset')):
        r = subprocess.run([sys.executable, '-m', 'hume_nb.cli', 'extract', '--dataset', spec, '--encoder', 'mobilenetv2',
                            '--out', str(tmp_path/'x.npy')], capture_output=True, text=True, env=ENV, timeout=300)
        assert r.returncode == 2 and message in r.stderr, r.stderr[-2000:]
    assert not (tmp_path/'x.npy').exists()

def test_a_registered_foundation_encoder_preprocesses_on_the_device_as_in_the_workers(tmp_path):
    # ResNet-50's registry entry as it is (shorter side 232 bilinear, centre crop 224), with random weights from a file
    import torch
    from hume_nb.foundation import _resnet50
    torch.manual_seed(0); torch.save(_resnet50().state_dict(), tmp_path/'w.pth')
    imgs = np.random.default_rng(1).integers(0, 256, (4, 40, 50, 3), dtype=np.uint8)
    kw = dict(batch_size=2, num_workers=0, progress=False, weights_path=tmp_path/'w.pth')
    w, v = (extract_to_memmap(imgs, 'resnet50', tmp_path/f'{p}.npy', preprocess=p, **kw) for p in ('workers', 'device'))
    assert w.shape == (4, 2048) and np.abs(w).max() > 0
    np.testing.assert_array_equal(v, w)
