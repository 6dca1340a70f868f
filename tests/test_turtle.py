"TURTLE baseline: finds a planted labeling shared by two spaces, deterministic, clear errors."
import numpy as np, pytest, torch
from hume_nb.turtle import fit_turtle, turtle_config, TurtleConfig
from hume_nb.datasets import planted_spaces
from hume_nb.evaluation import cluster_metrics, kmeans_baseline

torch.set_num_threads(1)

@pytest.fixture(scope='module')
def planted(): return planted_spaces(1500, k=4, seed=1)

def test_finds_planted_labeling(planted):
    sp = planted
    r = fit_turtle(sp, 4, 'cpu', progress=False, iters=200)
    acc = cluster_metrics(sp.labels, r.labels_)['acc']
    km = cluster_metrics(sp.labels, kmeans_baseline(sp['phi1'], 4))['acc']
    assert acc > 0.9 and acc > km + 0.2
    assert r.history[-1]['entropy'] > 0.9 * 2 * np.log(4)   # balanced clusters in both spaces (entropies summed)

def test_deterministic_and_inductive(planted):
    xs = [planted['phi1'], planted['phi2']]
    tr, te = np.arange(1000), np.arange(1000, 1500)
    a = fit_turtle([x[tr] for x in xs], 4, 'cpu', progress=False, iters=15)
    b = fit_turtle([x[tr] for x in xs], 4, turtle_config('cpu', iters=15), progress=False)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.predict([x[te] for x in xs]).shape == (500,)
    c = fit_turtle([x[tr] for x in xs], 4, 'cpu', progress=False, iters=15, seed=1)
    assert c.config['seed'] == 1

def test_errors(planted):
    x1, x2 = planted['phi1'], planted['phi2']
    with pytest.raises(ValueError, match='has 10 rows but the other spaces have 1500'): fit_turtle([x1, x2[:10]], 4)
    with pytest.raises(ValueError, match='needs more than 3 samples'): fit_turtle([x1[:3]], 3)
    with pytest.raises(ValueError, match='at least one representation space'): fit_turtle([], 3)
    with pytest.raises(ValueError, match='iters must be at least 1'): TurtleConfig(iters=0)
    with pytest.raises(TypeError, match='unknown TurtleConfig setting'): fit_turtle([x1], 3, 'cpu', lr=1)
    r = fit_turtle([x1, x2], 4, 'cpu', progress=False, iters=2)
    with pytest.raises(ValueError, match='expected 2 spaces'): r.predict([x1])

def test_reference_defaults():
    c = TurtleConfig()
    assert (c.iters, c.batch_size, c.outer_lr, c.inner_steps, c.inner_lr, c.entropy_weight, c.warm_start, c.l2_rows, c.seed) == \
           (6000, 10000, 1e-3, 10, 1e-3, 10.0, False, False, 42)

def test_entropy_is_summed_over_spaces():
    "The balance term is the sum over spaces of the entropy of each space's mean prediction, as in the authors' script."
    from hume_nb.turtle import TurtleHeads, turtle_loss, _linear
    g = torch.Generator().manual_seed(0)
    zs = [torch.randn(40, 3), torch.randn(40, 6)]
    heads, clfs = TurtleHeads([3, 6], 5, g), [_linear(3, 5, g, 'cpu'), _linear(6, 5, g, 'cpu')]
    _, (ce, ent), _ = turtle_loss(heads, clfs, zs, turtle_config('cpu', inner_steps=1))
    with torch.no_grad():
        want = sum(float(-(p.mean(0) * p.mean(0).log()).sum()) for p in heads.per_space(zs))
    assert abs(ent - want) < 1e-5
