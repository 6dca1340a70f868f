"""A memory-mapped feature folder is read a block of rows at a time: neither a run nor the estimator copies a space whole.

numpy reports its allocations to tracemalloc, so the peak of traced memory during a run is the largest set of numpy
arrays it held at once. Before spaces became `Standardized` views, a run held a float32 copy of every space (and
more); the bound here is one space's float32 copy, which a run that copies any space whole exceeds.
"""
import json, tracemalloc
import numpy as np, pytest
from hume_nb.representations import Standardized, save_spaces, Spaces, load_spaces

N, D, K = 100_000, 256, 5

@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    "Two float16 spaces sharing a planted labeling of K classes, saved as a feature folder."
    rng = np.random.default_rng(0)
    y = rng.integers(0, K, N)
    feats = {s: (rng.normal(size=(K, D))[y] * 2 + rng.normal(size=(N, D))).astype(np.float16) for s in ('a', 'b')}
    d = tmp_path_factory.mktemp('big')/'folder'
    save_spaces(Spaces(feats, y, name='big'), d)
    return d

def _peak(f, warm):
    """The peak of numpy memory (bytes) while `f` runs, and its result; `warm` first runs the same code on small data, so that
    the modules it imports on first use (Python objects, which tracemalloc counts too) are not in the figure."""
    warm()
    tracemalloc.start()
    try: out = f(); return tracemalloc.get_traced_memory()[1], out
    finally: tracemalloc.stop()

ONE_SPACE = N * D * 4   # a float32 copy of one space: 102 MB

def test_a_run_reads_a_memory_mapped_folder_in_blocks(folder, tmp_path):
    from hume_nb.experiment import run_experiment
    small = tmp_path/'small'
    save_spaces(Spaces({s: np.random.default_rng(j).normal(size=(300, 8)) for j, s in enumerate('ab')}, np.arange(300) % K), small)
    peak, res = _peak(lambda: run_experiment(dataset=str(folder), n_train=None, seeds=2, baselines=False, out_dir=str(tmp_path/'out'),
                                             progress=False, iters=10),
                      lambda: run_experiment(dataset=str(small), seeds=2, baselines=False, out_dir=str(tmp_path/'warm'), progress=False, iters=10))
    print(f'run on all {N:,} rows: numpy peak {peak / 2**20:.0f} MiB; one space as float32 {ONE_SPACE / 2**20:.0f} MiB')
    assert peak < ONE_SPACE, peak
    assert res['info']['n_search'] == N and res['metrics']['hume']['acc'] > 0.9   # and it still finds the planted labels

def test_the_estimator_reads_memory_maps_in_blocks(folder):
    from hume_nb import HUME
    sp = load_spaces(folder)
    assert isinstance(sp['a'], np.memmap)
    est = HUME(K, seeds=2, iters=10)
    small = [np.random.default_rng(j).normal(size=(300, 8)) for j in range(2)]
    peak, labels = _peak(lambda: est.fit_predict(sp['a'], X2=sp['b']), lambda: HUME(K, seeds=2, iters=10).fit(small[0], X2=small[1]).predict(*small))
    print(f'HUME().fit on memory maps: numpy peak {peak / 2**20:.0f} MiB')
    assert peak < ONE_SPACE, peak
    assert (est.predict(sp['a'][:1000], sp['b'][:1000]) == labels[:1000]).mean() > 0.95

def test_standardizing_in_memory_does_copy():
    "The bound can fail: standardize, which returns the whole space, exceeds it."
    x = np.random.default_rng(1).normal(size=(N, D)).astype(np.float16)
    from hume_nb.representations import standardize
    peak, _ = _peak(lambda: standardize(x), lambda: standardize(x[:300]))
    assert peak >= ONE_SPACE
