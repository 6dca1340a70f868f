"The fast solvers through fit_hume: memory-mapped spaces, several phi2 spaces, first-order resume, bad input."
import numpy as np, pytest, torch
from hume_nb.datasets import planted_spaces
from hume_nb.search import fit_hume, make_config
from hume_nb.representations import l2_normalize

@pytest.fixture(scope='module')
def planted():
    return planted_spaces(n=900, k=4, seed=1)

SMALL = dict(iters=12, outer_lr=0.05, temperature=0.3, anneal_at=(8,), progress=False)

def test_memmap_spaces_match_in_memory(planted, tmp_path):
    "Subsets read from memory maps (lazily, a subset at a time) give the same search as arrays in memory."
    for name in ('phi1', 'phi2'): np.save(tmp_path/f'{name}.npy', planted[name].astype(np.float32))
    m1, m2 = (np.load(tmp_path/f'{n}.npy', mmap_mode='r') for n in ('phi1', 'phi2'))
    assert isinstance(m1, np.memmap)
    cfg = make_config('fast', subset_size=500, n_subsets=2)          # subsets, so every iteration reads rows
    a = fit_hume(planted['phi1'], planted['phi2'], 4, cfg, **SMALL)
    b = fit_hume(m1, m2, 4, cfg, **SMALL)
    np.testing.assert_allclose(a.weight, b.weight, atol=1e-5)
    np.testing.assert_array_equal(a.predict(planted['phi1']), b.predict(m1))

@pytest.mark.parametrize('solver', ['ridge', 'first_order', 'sgd'])
def test_several_spaces_average_the_inner_loss(planted, solver):
    "Two copies of phi2 average to phi2's own loss (ridge: no extra random draws, so the same search); another space changes it."
    cfg = make_config('fast', solver=solver, inner_steps=5, inner_lr=1.0, subset_size=600)
    x1, x2 = planted['phi1'], planted['phi2']
    one = fit_hume(x1, x2, 4, cfg, **SMALL)
    two = fit_hume(x1, [x2, x2], 4, cfg, **SMALL) if solver == 'ridge' else None
    if two is not None:
        np.testing.assert_allclose(one.weight, two.weight, atol=1e-5)
    other = fit_hume(x1, [x2, l2_normalize(np.random.default_rng(0).normal(size=(len(x1), 16)))], 4, cfg, **SMALL)
    assert np.abs(other.weight - one.weight).max() > 1e-3
    assert len(other.history) == SMALL['iters']

def test_first_order_resumes_exactly(planted, tmp_path):
    "The first-order probes' warm state is checkpointed: a stopped and resumed run equals an uninterrupted one."
    cfg = make_config('turtle', subset_size=600, checkpoint_every=4)
    x1, x2 = planted['phi1'], planted['phi2']
    straight = fit_hume(x1, x2, 4, cfg, **SMALL)
    class Stop(Exception): pass
    def stop(it, rec):
        if it == 9: raise Stop()
    with pytest.raises(Stop): fit_hume(x1, x2, 4, cfg, checkpoint=tmp_path/'c.pt', callback=stop, **SMALL)
    assert torch.load(tmp_path/'c.pt', weights_only=False)['it'] == 8
    resumed = fit_hume(x1, x2, 4, cfg, checkpoint=tmp_path/'c.pt', **SMALL)
    np.testing.assert_array_equal(resumed.weight, straight.weight)

def test_bad_input(planted):
    x1, x2 = planted['phi1'], planted['phi2']
    with pytest.raises(ValueError, match="space 'phi3' has 899 rows"): fit_hume(x1, [x2, x2[:-1]], 4, make_config('fast'), **SMALL)
    with pytest.raises(KeyError, match='known solvers'): make_config(solver='newton')
    with pytest.raises(ValueError, match='ridge must be positive'): make_config('fast', ridge=0)
    with pytest.raises(ValueError, match="need solver='ridge'"): make_config('turtle', split_merge_every=5)
    with pytest.raises(ValueError, match='split_merge_every must be >= 0'): make_config('fast', split_merge_every=-1)

def test_split_merge_moves_resume_exactly(tmp_path):
    "Split/merge moves on memory-mapped subsets are deterministic and checkpointed: a stopped and resumed run equals an uninterrupted one."
    from hume_nb.split_merge import planted_classes
    x1, x2, y = planted_classes(1500, 30, (64, 48), seed=3)
    for name, x in (('phi1', x1), ('phi2', x2)): np.save(tmp_path/f'{name}.npy', x)
    m1, m2 = (np.load(tmp_path/f'{n}.npy', mmap_mode='r') for n in ('phi1', 'phi2'))
    cfg = make_config('fast', subset_size=800, iters=24, split_merge_every=4, checkpoint_every=4, outer_lr=0.2, temperature=0.05, entropy_weight=1.0,
                      anneal_at=())
    straight = fit_hume(m1, m2, 30, cfg, progress=False)
    kept = [h['moves'] for h in straight.history]
    assert sum(kept) > 0                                              # some moves were made and kept
    assert all(m == 0 for h, m in zip(straight.history, kept) if not cfg.split_merge_at(h['it']))
    class Stop(Exception): pass
    def stop(it, rec):
        if it == 14: raise Stop()
    with pytest.raises(Stop): fit_hume(m1, m2, 30, cfg, checkpoint=tmp_path/'c.pt', callback=stop, progress=False)
    assert torch.load(tmp_path/'c.pt', weights_only=False)['it'] == 12
    resumed = fit_hume(m1, m2, 30, cfg, checkpoint=tmp_path/'c.pt', progress=False)
    np.testing.assert_array_equal(resumed.weight, straight.weight)
    assert [h['moves'] for h in resumed.history] == kept

def test_a_new_solver_is_one_class_and_one_registry_line(planted, monkeypatch):
    "A toy inner solver (the soft within-class scatter of phi2) joins the registry with one line and runs in every loop."
    from hume_nb.inner import InnerSolver
    from hume_nb.solvers import SOLVERS
    from hume_nb.fast import search_seeds, fit_hume_seeds
    from hume_nb.landscape import labeling_objective
    class Scatter(InnerSolver):
        "How far rows lie from their soft class means in phi2, relative to the spread of all rows."
        def loss(self, y):
            means = (y.T @ self.x) / y.sum(0).clamp_min(1e-6)[:, None]
            return (y * torch.cdist(self.x, means).pow(2)).sum(1).mean() / self.x.var(0).sum()
    monkeypatch.setitem(SOLVERS, 'scatter', Scatter)          # the one line
    cfg = make_config('tiny', solver='scatter', iters=15)
    x1, x2 = planted['phi1'], planted['phi2']
    res = fit_hume(x1, x2, 4, cfg, progress=False)
    assert len(res.history) == 15 and res.history[-1]['heldout_ce'] < res.history[0]['heldout_ce']
    runs, scores, info = search_seeds(x1, x2, 4, 2, cfg, score_folds=3, progress=False)
    assert info['batched'] is False and len(runs) == 2                  # not batched: the class says it takes one seed at a time
    with pytest.raises(ValueError, match='use fit_hume'): fit_hume_seeds(x1, x2, 4, 2, cfg)
    assert np.isfinite(labeling_objective(x2, planted.labels, 4, cfg))
