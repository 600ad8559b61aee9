"""The fast training path (`_FastNet`: whole-tensor batches, lean loop) against stock skorch.

Why: `MLPRegressor`/`MLPClassifier` replace most of skorch's fit loop for speed. Started from the
same initial weights with the same batch order (no shuffling, so no single-row batch is dropped),
they must train exactly as skorch's `NeuralNetRegressor`/`NeuralNetClassifier` do on the same
module class: identical parameters and buffers with the same (non-fused) optimizer kernels, and
within 1e-6 when the fast path uses its default fused Adam/SGD kernel.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback

from mlplab.models import MLP
from mlplab.training import MLPClassifier, MLPRegressor

EPOCHS = 4
BATCH = 16
HIDDEN = (16, 8)


class StartFrom(Callback):
    """Load given initial weights into the net's module when training begins (after its own init)."""

    def __init__(self, state):
        self.state = state

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        net.module_.load_state_dict(self.state)


@pytest.fixture(autouse=True)
def _one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _data(n: int, classes: int = 0):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(n, 5)).astype(np.float32)
    if classes:
        y = np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5]).astype(np.int64)[:n] % classes
        return X, y
    return X, (X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0], dtype=np.float32) + 0.1 * X[:, 0] ** 2).astype(np.float32)


def _optimizer(name: str):
    return {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[name]


def _pair(task: str, n: int, optimizer: str, fused: bool, batch_norm: bool = False):
    """Fit the fast net and stock skorch from one initial state; return both fitted nets and X."""
    X, y = _data(n, classes=3 if task == "classification" else 0)
    module_kwargs = {"module__hidden": HIDDEN, "module__activation": "relu", "module__dropout": 0.0,
                     "module__batch_norm": batch_norm, "module__embedding": None}
    opt_kwargs = {"optimizer__weight_decay": 0.0}
    if optimizer == "sgd":
        opt_kwargs["optimizer__momentum"] = 0.9  # the fast path's default momentum, given to both
    common = {"lr": 0.01, "max_epochs": EPOCHS, "batch_size": BATCH, "train_split": None, "verbose": 0,
              "iterator_train__shuffle": False, "device": "cpu"}
    stock_cls = NeuralNetClassifier if task == "classification" else NeuralNetRegressor
    criterion = torch.nn.CrossEntropyLoss if task == "classification" else torch.nn.MSELoss
    extra = {"criterion__weight": torch.ones(3)} if task == "classification" else {}  # fast path: class weights 1
    torch.manual_seed(0)
    initial = copy.deepcopy(MLP(X.shape[1], 3 if task == "classification" else 1, hidden=HIDDEN,
                                batch_norm=batch_norm).state_dict())
    # both nets (re)initialize in fit(); the callback then loads the same weights into each
    stock = stock_cls(MLP, module__d_in=X.shape[1], module__d_out=3 if task == "classification" else 1,
                      criterion=criterion, optimizer=_optimizer(optimizer), optimizer__foreach=False,
                      callbacks=[("start_from", StartFrom(initial))], **module_kwargs, **opt_kwargs, **common,
                      **extra)

    fast_cls = MLPClassifier if task == "classification" else MLPRegressor
    fast_opt = dict(opt_kwargs)
    if not fused:
        fast_opt["optimizer__foreach"] = False  # the same single-tensor kernel as stock skorch on the CPU
    fast = fast_cls(optimizer=optimizer, callbacks=[("start_from", StartFrom(initial))], **module_kwargs,
                    **fast_opt, **{k: v for k, v in common.items() if k != "train_split"}, seed=0,
                    **({"scale_target": False} if task == "regression" else {}))
    fast.fit(X, y)
    stock.fit(X, y.reshape(-1, 1) if task == "regression" else y)
    return fast, stock, X


def _max_diff(a, b) -> float:
    sa, sb = a.module_.state_dict(), b.module_.state_dict()
    assert list(sa) == list(sb)
    return max(float((sa[k].double() - sb[k].double()).abs().max()) for k in sa if sa[k].is_floating_point())


def _assert_identical(fast, stock):
    sa, sb = fast.module_.state_dict(), stock.module_.state_dict()
    assert list(sa) == list(sb)
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key


@pytest.mark.parametrize("task", ["regression", "classification"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_identical_parameters_with_non_fused_optimizers(task, optimizer):
    fast, stock, X = _pair(task, 100, optimizer, fused=False)
    _assert_identical(fast, stock)
    assert fast.history[-1, "train_batch_count"] == 7  # 100 rows in batches of 16: 6 full + one of 4
    # Predictions: the two paths evaluate in differently sized batches, so BLAS may sum in another order
    # (seen on an Intel Xeon: 5 of 300 probabilities apart by up to 3e-8); float32 rounding, not a change.
    if task == "regression":
        np.testing.assert_allclose(fast.predict(X), stock.predict(X).ravel().astype(np.float64), rtol=1e-5, atol=1e-6)
    else:
        pf, ps = fast.predict_proba(X), stock.predict_proba(X)
        np.testing.assert_allclose(pf, ps, rtol=1e-5, atol=1e-6)
        top2 = np.sort(ps, axis=1)[:, -2:]
        clear = (top2[:, 1] - top2[:, 0]) > 1e-5   # rows whose class a rounding difference cannot flip
        np.testing.assert_array_equal(fast.predict(X)[clear], stock.predict(X)[clear])


def test_identical_with_batch_norm_buffers():
    fast, stock, _ = _pair("regression", 100, "adam", fused=False, batch_norm=True)
    assert any("running_mean" in k for k in fast.module_.state_dict())
    _assert_identical(fast, stock)  # running statistics too: the per-epoch eval passes leave them alone


def test_trailing_single_row_batch_is_kept_without_shuffling():
    """97 = 6 x 16 + 1: the fast path drops a one-row batch only when it shuffles (a fresh permutation each
    epoch still uses every row); in row order it trains on it, as skorch does."""
    fast, stock, _ = _pair("regression", 97, "adam", fused=False)
    assert fast.history[-1, "train_batch_count"] == 7
    _assert_identical(fast, stock)
    X, y = _data(97)
    shuffled = MLPRegressor(max_epochs=2, batch_size=BATCH, module__hidden=(4,)).fit(X, y)
    assert shuffled.history[-1, "train_batch_count"] == 6


@pytest.mark.parametrize("task", ["regression", "classification"])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_fused_default_within_1e_6(task, optimizer):
    fast, stock, _ = _pair(task, 100, optimizer, fused=True)
    assert fast.optimizer_.defaults["fused"] is True
    assert _max_diff(fast, stock) <= 1e-6
