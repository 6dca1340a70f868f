"Inputs that once gave a wrong result without an error: each is now refused, warned about or handled."
import json, time, warnings
from pathlib import Path
import numpy as np, pytest
from hume_nb import files as F, validation as V
from hume_nb.validation import validate_features, validate_labels
from hume_nb.representations import Spaces, save_spaces, load_spaces, l2_normalize

@pytest.fixture
def x(): return np.random.default_rng(0).normal(size=(200, 8))

def _warned(f):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always'); f()
    return [str(m.message) for m in w]

# features

def test_complex_space_is_refused(x):
    with pytest.raises(TypeError, match=r"space 'c' is complex \(complex128\).*imaginary part"): validate_features(x + 1j, 'c')

def test_a_few_all_zero_rows_are_missing_rows_and_most_are_refused(x):
    x[[17, 150, 151]] = 0
    gone = []; validate_features(x, 'z', missing=gone); assert gone == [17, 150, 151]   # missing in this space, kept
    x[:120] = 0
    with pytest.raises(ValueError, match=r"'z' has 122 all-zero row\(s\) of 200 \(first at row 0\), missing in most rows: L2 normalisation"):
        validate_features(x, 'z')

def test_a_row_missing_in_every_space_is_refused(x):
    y = x[:, :5].copy(); x[4] = 0; y[4] = np.nan
    with pytest.raises(ValueError, match=r"1 row\(s\) of 200 are missing \(all zero or all NaN\) in every space \(first at row 4\)"):
        Spaces({'a': x, 'b': y})

@pytest.mark.parametrize('make', [lambda x: np.tile(x[:1], (200, 1)),                  # every row identical
                                  lambda x: np.full((200, 8), 3.0),                     # constant
                                  lambda x: np.abs(x[:1]) * np.arange(1, 201)[:, None]])  # equal up to a positive factor
def test_space_without_variance_is_refused(x, make):
    with pytest.raises(ValueError, match="space 'v' has no variance: all 200 rows point the same way"): validate_features(make(x), 'v')

def test_a_batch_to_predict_may_repeat_one_sample(x):
    assert validate_features(np.tile(x[:1], (3, 1)), 'b', spread=False).shape == (3, 8)
    assert validate_features(x[:1], 'one row').shape == (1, 8)

def test_values_beyond_float32_are_refused(x):
    assert np.isfinite(x * 1e300).all()   # finite in float64, inf once converted to float32
    with pytest.raises(ValueError, match=r"beyond the float32 range \(\|x\| > 3.4e38, first at row 0\)"): validate_features(x * 1e300, 'big')

def test_rows_whose_squares_overflow_or_underflow_in_float32_are_still_normalised(x):
    for scale in (1e30, 1e-30):
        np.testing.assert_allclose(l2_normalize(x * scale), l2_normalize(x), atol=1e-6)
    assert not l2_normalize(np.zeros((2, 3))).any()   # all-zero rows stay zero

def test_one_column_space_warns(x):
    msgs = _warned(lambda: validate_features(x[:, :1], 'one'))
    assert any("space 'one' has a single feature: after L2 normalisation every row is +1 or -1" in m for m in msgs)
    assert not _warned(lambda: validate_features(x, 'many'))

def _peak_mb(f):
    "Growth of this process's peak resident memory while `f` runs (Linux)."
    status = lambda k: int(next(l for l in open('/proc/self/status') if l.startswith(k)).split()[1]) / 1024
    Path('/proc/self/clear_refs').write_text('5')   # resets the peak to the current resident size
    base = status('VmRSS'); f(); return status('VmHWM') - base

@pytest.mark.skipif(not Path('/proc/self/clear_refs').exists(), reason='peak memory is measured through Linux /proc')
@pytest.mark.parametrize('reader', [lambda m, m2: validate_features(m), lambda m, m2: F.fingerprint([m]),
                                    lambda m, m2: F.same_content(m, m2)], ids=['validate', 'fingerprint', 'same_content'])
def test_memory_maps_are_read_a_chunk_at_a_time(tmp_path, reader):
    np.save(tmp_path/'big.npy', np.random.default_rng(0).normal(size=(25600, 2048)).astype(np.float32))   # 200 MiB
    m, m2 = (np.load(tmp_path/'big.npy', mmap_mode='r') for _ in range(2))
    grew = _peak_mb(lambda: reader(m, m2))
    assert grew < 150, f'peak memory grew by {grew:.0f} MiB reading a 200 MiB memory map'

# spaces given twice

def test_same_file_twice_warns(tmp_path, x):
    np.save(tmp_path/'a.npy', x); np.save(tmp_path/'b.npy', x)
    msgs = _warned(lambda: load_spaces(tmp_path))
    assert any("spaces 'a' and 'b' hold identical features" in m for m in msgs)
    assert F.same_content(x, x.copy()) and not F.same_content(x, x + 1e-9) and not F.same_content(x, x[:, :4])
    assert not _warned(lambda: Spaces({'a': x, 'b': x[::-1].copy()}))

# feature folders

def test_object_npy_names_the_file(tmp_path, x):
    np.save(tmp_path/'a.npy', x); np.save(tmp_path/'b.npy', x.astype(object), allow_pickle=True)   # e.g. df.values of a mixed frame
    for mmap in (True, False):
        with pytest.raises(TypeError, match=r"b.npy' holds Python objects .* save a numeric array"): load_spaces(tmp_path, mmap=mmap)

def test_folder_that_is_a_file(tmp_path, x):
    np.save(tmp_path/'a.npy', x)
    with pytest.raises(NotADirectoryError, match="a.npy' is a file, not a folder"): load_spaces(tmp_path/'a.npy')

def test_interrupted_extraction_is_refused(tmp_path, x):
    from hume_nb.extraction import _paths, _prepare
    np.save(tmp_path/'b.npy', x)
    out, meta = _paths(tmp_path/'a.npy')
    _prepare(out, meta, dict(n=200, dim=8), 64, {})   # the feature file and its metadata as an extraction leaves them at the start
    w = np.load(out, mmap_mode='r+'); w[:64] = x[:64]; w.flush(); del w   # one chunk written, then killed
    assert json.loads(meta.read_text())['complete'] is False
    with pytest.raises(ValueError, match=r"a.npy' is unfinished: 'a.json' beside it says complete: false.*rerun the same extraction"):
        load_spaces(tmp_path)
    assert load_spaces(tmp_path, names=['b']).names == ['b']
    meta.write_text(json.dumps(json.loads(meta.read_text()) | dict(complete=True)))
    with pytest.raises(ValueError, match=r"has 136 all-zero row\(s\) of 200 \(first at row 64\)"): load_spaces(tmp_path)

def test_class_names_must_cover_the_labels(tmp_path, x):
    save_spaces(Spaces({'a': x}, labels=np.arange(200) % 10), tmp_path)
    (tmp_path/'classes.json').write_text(json.dumps(['t-shirt', 'trouser', 'bag']))
    with pytest.raises(ValueError, match=r"classes.json' names 3 classes but the labels take 10 values up to 9"): load_spaces(tmp_path)
    (tmp_path/'classes.json').write_text(json.dumps([f'c{i}' for i in range(10)]))
    assert len(load_spaces(tmp_path).classes) == 10

# labels

def test_number_of_classes_counts_distinct_labels():
    assert V.num_classes([3, 7, 9, 7]) == 3 and V.num_classes(np.arange(1, 11)) == 10
    codes, values = V.encode_labels(np.array([9, 3, -1, 7, 3]))
    np.testing.assert_array_equal(codes, [2, 0, -1, 1, 0]); np.testing.assert_array_equal(values, [3, 7, 9])
    assert V.num_classes([0., np.nan, 2., -1.]) == 2
    with pytest.raises(TypeError, match='fractional'): V.encode_labels([0.5, 1.0])

def test_validate_labels_unchanged_for_valid_input():
    np.testing.assert_array_equal(validate_labels([0., 2., 1.], 3), [0, 2, 1])
    with pytest.raises(ValueError, match='non-negative class ids, found -1'): validate_labels([0, -1], 2)

# fingerprint

def test_fingerprint_follows_the_data(tmp_path):
    mm = np.lib.format.open_memmap(tmp_path/'f.npy', 'w+', np.float16, (100_000, 256))
    mm[:] = np.random.default_rng(0).normal(size=mm.shape); mm.flush(); del mm
    mm = np.load(tmp_path/'f.npy', mmap_mode='r')
    t = time.time(); h = F.fingerprint([mm]); secs = time.time() - t
    print(f'fingerprint of a 100,000 x 256 float16 memory map: {secs:.3f} s')
    labels = np.arange(100_000) % 10
    assert F.fingerprint([np.array(mm)]) == h and F.fingerprint([mm, labels]) == F.fingerprint([np.array(mm), labels.copy()])
    w = np.load(tmp_path/'f.npy', mmap_mode='r+'); w[99_999, 255] += 1; w.flush(); del w
    assert F.fingerprint([np.load(tmp_path/'f.npy', mmap_mode='r')]) != h
    assert F.fingerprint([np.zeros((2, 3))]) != F.fingerprint([np.zeros((3, 2))])
    assert F.fingerprint([np.zeros(4, np.float32)]) != F.fingerprint([np.zeros(4, np.int32)])

def test_labels_as_users_have_them(tmp_path, x):
    "Strings, booleans and whole floats are class labels; names are kept as the class names a run's clusters.json shows."
    from hume_nb.datasets import planted_spaces
    from hume_nb.experiment import run_experiment
    ids = np.arange(200) % 4
    for labels, names in ((np.array(['cat', 'dog', 'emu', 'fox'])[ids], ['cat', 'dog', 'emu', 'fox']),
                          (ids.astype(float), None), (ids % 2 == 0, ['False', 'True'])):
        save_spaces(Spaces({'a': x}), tmp_path/'f'); np.save(tmp_path/'f'/'labels.npy', labels)
        sp = load_spaces(tmp_path/'f')
        assert sp.classes == names and sp.labels.dtype == np.int64 and V.num_classes(sp.labels) == len(np.unique(labels))
    sp = planted_spaces(n=300, k=3, seed=0)
    save_spaces(sp, tmp_path/'p'); np.save(tmp_path/'p'/'labels.npy', np.array(['bird', 'fish', 'frog'])[sp.labels])
    (tmp_path/'p'/'classes.json').unlink()                            # the names are the labels' own
    run_experiment(dataset=str(tmp_path/'p'), out_dir=str(tmp_path/'o'), preset='tiny', iters=20, seeds=1, baselines=False,
                   setting='transductive', progress=False)
    assert sorted(c['name'] for c in json.loads((tmp_path/'o'/'clusters.json').read_text())) == ['bird', 'fish', 'frog']

def test_missing_labels_are_reported_as_missing_with_their_count(tmp_path, x):
    y = (np.arange(200) % 4).astype(float); y[[5, 50, 60]] = np.nan
    save_spaces(Spaces({'a': x}), tmp_path); np.save(tmp_path/'labels.npy', y)
    with pytest.raises(ValueError, match=r"labels has 3 missing label\(s\) \(NaN or None\) of 200, first at row 5"): load_spaces(tmp_path)
    with pytest.raises(ValueError, match=r"1 missing label\(s\)"): Spaces({'a': x[:3]}, labels=np.array(['a', None, 'b'], dtype=object))
