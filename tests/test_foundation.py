"Foundation encoders by name: each family built with random weights (no download), saved, loaded back through `build(path)`."
import numpy as np, pytest, torch
from hume_nb.encoders import ENCODERS, get_encoder, extract_features, cached_features
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
    a = cached_features(img, 'resnet50', 'toy', size=96, folder=tmp_path/'c', progress=False, weights_path=tmp_path/'w.pth')
    files = sorted(p.name for p in (tmp_path/'c').iterdir())
    assert len(files) == 2 and all('_resnet50_224px_' in f for f in files), files  # the model's own 224 px, not the caller's 96
    b = cached_features(img, 'resnet50', 'toy', size=96, folder=tmp_path/'c', progress=False)  # read back: nothing built
    np.testing.assert_array_equal(a, b)

def test_unknown_names_list_the_known_ones():
    with pytest.raises(KeyError, match="clip_vitb32.*dinov2_vits14"): get_encoder('dinov3_vits16')
    with pytest.raises(KeyError, match="cifar100_20.*stl10"): load_dataset('cifar7')

def test_missing_weights_and_data(tmp_path, monkeypatch):
    for name in ('clip_vitb32', 'dinov2_vits14', 'bit_resnetv2_50x1', 'resnet50', 'moco_resnet50'):
        with pytest.raises(FileNotFoundError, match='does not exist'): get_encoder(name).build(tmp_path/'none.pth')
    monkeypatch.setenv('HUME_NB_DATA', str(tmp_path))
    for name in ('cifar10', 'cifar100_20', 'stl10', 'imagenet'):
        with pytest.raises(FileNotFoundError, match=str(tmp_path)): load_dataset(name)
