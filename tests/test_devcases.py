"Development cases: the tiny digits case builds offline in seconds, its spaces carry signal, and it round-trips through a feature folder."
import numpy as np, pytest
from hume_nb.devcases import (DEV_CASES, build_case, save_case, hog_features, lbp_features, gabor_features, cldr_kinds,
                              cldr_langs, char_features, suffix_features, script_features)
from hume_nb.representations import load_spaces
from hume_nb.evaluation import cluster_acc, kmeans_baseline

@pytest.fixture(scope='module')
def tiny(): return build_case('digits_tiny')

def test_registry():
    assert {'digits_tiny', 'fmnist_tiny', 'digits6', 'fmnist6', 'digits_lite', 'fmnist_lite', 'cldr_langs', 'cldr_kinds'} <= set(DEV_CASES)
    assert all(len(c.spaces) >= 3 for c in DEV_CASES.values())

def test_tiny_case(tiny):
    assert tiny.names == ['pixels', 'hog', 'lbp', 'gabor'] and tiny.n == 600 and len(tiny.classes) == 10
    assert set(np.unique(tiny.split)) == {'train', 'test'}
    for s in tiny.names:   # every space beats chance (0.1) clearly
        assert cluster_acc(tiny.labels, kmeans_baseline(tiny[s], 10, n_init=3)) > 0.25, s

def test_round_trip(tiny, tmp_path):
    back = load_spaces(save_case(tiny, tmp_path/'c'), mmap=False)
    assert sorted(back.names) == sorted(tiny.names) and back.classes == tiny.classes
    np.testing.assert_array_equal(back['gabor'], tiny['gabor']); np.testing.assert_array_equal(back.labels, tiny.labels)

def test_descriptors_and_errors():
    im = np.random.default_rng(0).integers(0, 256, (2, 28, 28), dtype=np.uint8)
    assert hog_features(im).shape == (2, 324) and lbp_features(im).shape == (2, 40) and gabor_features(im).shape == (2, 32)
    with pytest.raises(ValueError, match='N x H x W'): hog_features(np.zeros(5))
    with pytest.raises(KeyError, match="unknown dev case 'x'"): build_case('x')
    with pytest.raises(ValueError, match='at least 20 rows'): build_case('digits_tiny', n=3)

def test_text_cases():
    "The text corpora ship in a wheel: 60 languages of 40 names, 4 kinds of names; one space has empty rows."
    texts, y, kinds = cldr_kinds()
    assert len(texts) == 1436 and kinds == ['territory', 'language', 'currency', 'script'] and np.bincount(y).min() > 100
    suf = suffix_features(texts)
    assert (~suf.any(1)).sum() == 288   # names whose word endings are all rare: missing in this space
    ch, sc = char_features(texts), script_features(texts)
    assert ch.shape == (1436, 128) and ch.any(1).all() and sc.any(1).all()
    t, yl, langs = cldr_langs()
    assert len(t) == 2400 and len(langs) == 60 and np.bincount(yl).tolist() == [40] * 60
    assert cluster_acc(y, kmeans_baseline(ch, 4, n_init=3)) > 0.3
