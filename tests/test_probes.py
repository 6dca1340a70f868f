"Kernel probes (exact leave-one-out kernel ridge) and tasks with more classes than phi1 has features."
import numpy as np, pytest, torch
from hume_nb.solvers import get_solver
from hume_nb.solvers import KernelFactor, RidgeFactor, rbf_kernel, arccos_kernel, ridge_loo_loss
from hume_nb.search import TaskEncoder, fit_hume, make_config
from hume_nb.fast import fit_hume_seeds, search_seeds
from hume_nb.split_merge import planted_classes
from hume_nb.evaluation import cluster_metrics

@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads(); torch.set_num_threads(1); yield; torch.set_num_threads(n)

@pytest.mark.parametrize('kern', [lambda a, b: rbf_kernel(a, b, 0.7), arccos_kernel])
def test_kernel_loo_is_refitting_without_the_row(kern):
    g = torch.Generator().manual_seed(3)
    x, y = torch.randn(25, 4, generator=g, dtype=torch.float64), torch.rand(25, 2, generator=g, dtype=torch.float64)
    f, n = KernelFactor(x, kern(x, x), 0.05), 25
    for i in (0, 7, 24):
        keep = torch.arange(n) != i
        a = torch.linalg.solve(kern(x[keep], x[keep]) + 1 + 0.05 * n * torch.eye(n - 1, dtype=x.dtype), y[keep])
        torch.testing.assert_close(f.loo_residuals(y)[i], y[i] - (kern(x[i:i + 1], x[keep]) + 1)[0] @ a)

def _xor(n=600, seed=0):
    "The XOR of two coordinates' signs, rows made unit norm as the search makes them: a labeling no linear probe learns."
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, 2, generator=g)
    x = torch.cat([z, torch.full((n, 1), 0.5)], 1)
    return torch.nn.functional.normalize(x, dim=1), torch.eye(2)[((z[:, 0] > 0) ^ (z[:, 1] > 0)).long()]

@pytest.mark.parametrize('rows', [4096, 100])   # the exact n x n form, and random features beyond kernel_max_rows
def test_kernel_learns_xor_that_ridge_cannot(rows):
    x, y = _xor()
    cfg = make_config('fast', kernel_max_rows=rows)
    ridge = get_solver('ridge')(cfg, 3, 2).prepare(x).loss(y).item()
    for name in ('kernel_rbf', 'kernel_cos'):
        s = get_solver(name)(cfg, 3, 2).prepare(x)
        assert isinstance(s.factor, KernelFactor if rows > len(x) else RidgeFactor)
        assert s.loss(y).item() < 0.5 * ridge, (name, s.loss(y).item(), ridge)

def test_kernel_settings_are_checked():
    with pytest.raises(ValueError, match='kernel_width must be >= 0'): make_config('fast', kernel_width=-1.0)
    with pytest.raises(ValueError, match='kernel_features must be at least 1'): make_config('fast', kernel_features=0)
    with pytest.raises(KeyError, match='known solvers'): make_config('fast', solver='kernel_poly')

def test_kernel_solver_in_batched_search_is_each_seed_alone():
    x1, x2, lab = planted_classes(300, 4, dims=(12, 10))
    runs = fit_hume_seeds(x1, x2, 4, [0, 1], 'fast', solver='kernel_cos', iters=15, progress=False)
    alone = fit_hume(x1, x2, 4, 'fast', solver='kernel_cos', iters=15, seed=1, progress=False)
    np.testing.assert_allclose(runs[1].weight, alone.weight, atol=1e-4)

def test_more_classes_than_phi1_features():
    k, d1 = 24, 8
    x1, x2, lab = planted_classes(1200, k, dims=(d1, 48), noise=0.5)
    runs, scores, info = search_seeds(x1, x2, k, 2, 'fast', iters=40, progress=False)
    assert info['batched'] and all(r.weight.shape == (k, d1) for r in runs)
    pred = runs[int(np.argmax(scores))].predict(x1)
    assert len(np.unique(pred)) > k // 2                          # far more classes than phi1's 8 directions
    assert cluster_metrics(lab, pred)['nmi'] > 0.5
    r = fit_hume(x1, x2, k, 'tiny', iters=3, progress=False)       # the reference parametrisation too
    assert r.weight.shape == (k, d1)

def test_expanded_task_refuses_a_weight_from_outside():
    t = TaskEncoder(4, 6, torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match=r'more classes \(6\) than phi1 features \(4\)'): t.set_weight(t.weight.detach())
