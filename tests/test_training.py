"""The skorch nets: sklearn compatibility, the fast path's correctness, history and eval set."""

import os

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import f1_score, r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

from mlplab.training import (MLPClassifier, MLPRegressor, accuracy_macro_f1, fit_with_eval, history_frame, r2,
                             set_seed)


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny tensors gain nothing from threads, and on a shared machine idle threads spin-wait."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def linear_data(seeded):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3)).astype(np.float32)
    y = 2 * X[:, 0] - X[:, 1]
    return X, y


@pytest.fixture
def label_data(seeded):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3)).astype(np.float32)
    y = np.where(X[:, 0] > 0.8, "high", np.where(X[:, 0] < -0.3, "low", "mid"))
    return X, y


def _weights(net):
    return [p.detach().clone() for p in net.module_.parameters()]


def test_learns_a_linear_function(linear_data):
    X, y = linear_data
    net = MLPRegressor(max_epochs=30, lr=3e-3, batch_size=32).fit(X, y)
    assert r2_score(y, net.predict(X)) > 0.9
    assert net.score(X, y) > 0.9


def test_scale_target_predicts_in_original_units(linear_data):
    X, y = linear_data
    y_big = 1000 + 50 * y
    net = MLPRegressor(max_epochs=30, lr=3e-3, batch_size=32).fit(X, y_big)
    assert net.target_mean_ == pytest.approx(y_big.mean())
    pred = net.predict(X)
    assert pred.shape == (400,)
    assert abs(pred.mean() - y_big.mean()) < 10
    assert r2_score(y_big, pred) > 0.9


def test_params_route_by_double_underscore(linear_data):
    X, y = linear_data
    net = MLPRegressor(max_epochs=1)
    net.set_params(module__hidden=(7,), optimizer__weight_decay=0.01, optimizer="sgd")
    params = net.get_params()
    assert params["module__hidden"] == (7,) and params["optimizer"] == "sgd"
    copy = clone(net)
    assert copy.get_params()["module__hidden"] == (7,)
    copy.fit(X, y)
    assert [l.out_features for l in copy.module_.modules() if isinstance(l, torch.nn.Linear)] == [7, 1]
    assert isinstance(copy.optimizer_, torch.optim.SGD)
    group = copy.optimizer_.param_groups[0]
    assert group["weight_decay"] == 0.01 and group["momentum"] == 0.9
    assert not hasattr(net, "module_")  # clone left the original unfitted


@pytest.mark.parametrize("name,cls", [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW),
                                      ("rmsprop", torch.optim.RMSprop), (torch.optim.Adagrad, torch.optim.Adagrad)])
def test_optimizer_names_and_classes(linear_data, name, cls):
    X, y = linear_data
    net = MLPRegressor(max_epochs=1, optimizer=name, optimizer__weight_decay=0.0).fit(X, y)
    assert type(net.optimizer_) is cls


def test_sgd_momentum_is_overridable(linear_data):
    X, y = linear_data
    net = MLPRegressor(max_epochs=1, optimizer="sgd", optimizer__momentum=0.5).fit(X, y)
    assert net.optimizer_.param_groups[0]["momentum"] == 0.5


@pytest.mark.parametrize("kwargs,message", [
    ({"early_stopping": 3}, "early_stopping=3 needs a validation split"),
    ({"optimizer": "lion"}, "optimizer must be one of adam, adamw, sgd, rmsprop"),
    ({"lr_schedule": "step"}, "lr_schedule must be None, 'cosine' or 'plateau'"),
    ({"valid_fraction": 1.0}, r"valid_fraction must be in \[0, 1\)"),
    ({"module__activation": "swish"}, "activation must be one of"),
])
def test_bad_parameters_raise_at_fit(linear_data, kwargs, message):
    X, y = linear_data
    with pytest.raises(ValueError, match=message):
        MLPRegressor(max_epochs=1, **kwargs).fit(X, y)


def test_input_checks(linear_data):
    X, y = linear_data
    with pytest.raises(ValueError, match="X has 400 rows but y has 399"):
        MLPRegressor(max_epochs=1).fit(X, y[:-1])
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPRegressor(max_epochs=1).fit(X_nan, y)
    net = MLPRegressor(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features but the net was fitted with 3"):
        net.predict(X[:, :2])


def test_accepts_dataframes(linear_data):
    X, y = linear_data
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    net = MLPRegressor(max_epochs=2).fit(frame, pd.Series(y))
    assert net.predict(frame).shape == (400,)


def test_same_seed_same_weights_other_seed_differs(linear_data):
    X, y = linear_data
    kwargs = {"max_epochs": 3, "module__dropout": 0.2, "valid_fraction": 0.2, "batch_size": 64}
    a, b = MLPRegressor(seed=7, **kwargs).fit(X, y), MLPRegressor(seed=7, **kwargs).fit(X, y)
    c = MLPRegressor(seed=8, **kwargs).fit(X, y)
    assert all(torch.equal(p, q) for p, q in zip(_weights(a), _weights(b)))
    assert history_frame(a)["valid_loss"].tolist() == history_frame(b)["valid_loss"].tolist()
    assert not all(torch.equal(p, q) for p, q in zip(_weights(a), _weights(c)))


def test_fit_does_not_reseed_the_callers_rng(linear_data):
    X, y = linear_data
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    MLPRegressor(max_epochs=1).fit(X, y)
    assert torch.equal(torch.rand(1), expected)


def test_regressor_validation_is_the_last_fraction(linear_data):
    X, y = linear_data
    net = MLPRegressor(valid_fraction=0.25)
    train, valid = net.get_split_datasets(torch.from_numpy(X), torch.from_numpy(y).reshape(-1, 1))
    assert len(valid) == 100 and torch.equal(valid.X, torch.from_numpy(X[300:]))
    assert torch.equal(train.X, torch.from_numpy(X[:300]))


def test_classifier_validation_is_stratified(label_data):
    X, y = label_data
    net = MLPClassifier(valid_fraction=0.25, max_epochs=1).fit(X, y)
    codes = torch.as_tensor(net.label_encoder_.transform(y))
    _, valid = net.get_split_datasets(torch.from_numpy(X), codes)
    expected = np.bincount(codes.numpy()) / len(codes)
    observed = np.bincount(valid.y.numpy(), minlength=3) / len(valid)
    assert len(valid) == 100
    assert np.allclose(observed, expected, atol=0.011)


def test_early_stopping_restores_best_and_ignores_eval_set(linear_data):
    X, y = linear_data
    X_eval = X[:50] * 3  # a different distribution: if it steered anything, results would change
    y_eval = -y[:50]
    kwargs = {"max_epochs": 200, "early_stopping": 2, "valid_fraction": 0.25, "lr": 0.05, "batch_size": 32}
    plain = MLPRegressor(**kwargs).fit(X, y)
    with_eval = fit_with_eval(MLPRegressor(**kwargs), X, y, X_eval, y_eval)
    h_plain, h_eval = history_frame(plain), history_frame(with_eval)
    assert len(h_plain) < 200
    best = dict(plain.callbacks_)["early_stopping"].best_epoch_
    assert best == dict(with_eval.callbacks_)["early_stopping"].best_epoch_
    assert best == int(h_plain.loc[h_plain["valid_loss"].idxmin(), "epoch"])
    assert len(h_plain) == len(h_eval)
    assert h_eval["test_loss"].notna().all() and h_plain["test_loss"].isna().all()
    assert all(torch.equal(p, q) for p, q in zip(_weights(plain), _weights(with_eval)))
    # the restored weights are the best epoch's: the valid loss now equals the recorded minimum
    Xv, yv = with_eval.to_tensors(X[300:], y[300:])
    assert with_eval.record_scores("check", Xv, yv)["loss"] == pytest.approx(h_plain["valid_loss"].min(), rel=1e-5)


def test_history_columns_and_lengths(linear_data, label_data):
    X, y = linear_data
    reg = fit_with_eval(MLPRegressor(max_epochs=4, valid_fraction=0.2), X, y,
                        eval_sets={"validation": (X[40:80], y[40:80]), "test": (X[:40], y[:40])})
    h = history_frame(reg)
    assert list(h.columns) == ["epoch", "train_loss", "valid_loss", "validation_loss", "test_loss", "train_r2",
                               "valid_r2", "validation_r2", "test_r2", "dur"]
    assert h["epoch"].tolist() == [1, 2, 3, 4]
    assert h.drop(columns="epoch").notna().all().all() and (h["dur"] > 0).all()
    only_test = history_frame(fit_with_eval(MLPRegressor(max_epochs=2), X, y, X[:40], y[:40]))
    assert only_test["test_r2"].notna().all() and only_test["validation_r2"].isna().all()

    Xc, yc = label_data
    clf = MLPClassifier(max_epochs=3).fit(Xc, yc)
    hc = history_frame(clf)
    assert list(hc.columns) == ["epoch", "train_loss", "valid_loss", "validation_loss", "test_loss",
                                "train_accuracy", "train_macro_f1", "valid_accuracy", "valid_macro_f1",
                                "validation_accuracy", "validation_macro_f1", "test_accuracy", "test_macro_f1", "dur"]
    assert len(hc) == 3
    assert hc[["valid_loss", "test_loss", "valid_accuracy", "test_macro_f1"]].isna().all().all()
    assert hc[["train_loss", "train_accuracy", "train_macro_f1"]].notna().all().all()


def test_train_metric_is_eval_mode_on_the_training_rows(linear_data):
    X, y = linear_data
    net = MLPRegressor(max_epochs=3, module__dropout=0.3).fit(X, y)
    assert history_frame(net)["train_r2"].iloc[-1] == pytest.approx(r2_score(y, net.predict(X)), abs=1e-5)


def test_train_metric_subsample_is_bounded(linear_data):
    X, y = linear_data
    net = MLPRegressor(max_epochs=2, train_metric_rows=50).fit(X, y)
    assert len(net._metric_rows_) == 50
    assert history_frame(net)["train_r2"].notna().all()


def test_eval_set_goes_through_the_pipeline_scaler(linear_data):
    X, y = linear_data
    X_shifted = X * 100 + 1000  # useless unless scaled
    pipe = Pipeline([("scale", StandardScaler()), ("net", MLPRegressor(max_epochs=3))])
    fit_with_eval(pipe, X_shifted, y, X_shifted, y)
    h = history_frame(pipe)
    # eval set == training set: scored through the fitted scaler, test R² equals train R² exactly
    assert np.allclose(h["test_r2"], h["train_r2"], atol=1e-6)
    assert pipe.named_steps["net"].eval_sets_ is None  # not kept after the fit


def test_eval_set_skips_imblearn_samplers(label_data):
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import Pipeline as ImbPipeline

    X, y = label_data
    pipe = ImbPipeline([("scale", StandardScaler()), ("over", RandomOverSampler(random_state=0)),
                        ("net", MLPClassifier(max_epochs=2))])
    fit_with_eval(pipe, X, y, X[:60], y[:60])
    h = history_frame(pipe)
    assert h["test_accuracy"].notna().all()
    assert pipe.score(X[:60], y[:60]) == pytest.approx(h["test_accuracy"].iloc[-1])


def test_works_in_pipeline_and_grid_search(linear_data):
    X, y = linear_data
    pipe = Pipeline([("scale", StandardScaler()), ("net", MLPRegressor(max_epochs=2, batch_size=64))])
    grid = GridSearchCV(pipe, {"net__module__hidden": [(8,), (16, 8)], "net__optimizer__weight_decay": [0.0, 1e-3]},
                        cv=2)
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_estimator_.predict(X).shape == (400,)


def test_classifier_string_labels_and_probabilities(label_data):
    X, y = label_data
    clf = MLPClassifier(max_epochs=20, lr=3e-3, batch_size=32).fit(X, y)
    assert clf.classes_.tolist() == ["high", "low", "mid"]
    proba = clf.predict_proba(X)
    assert proba.shape == (400, 3) and np.allclose(proba.sum(axis=1), 1, atol=1e-6)
    pred = clf.predict(X)
    assert set(pred) <= {"high", "low", "mid"}
    assert (pred == clf.classes_[proba.argmax(axis=1)]).all()
    assert clf.score(X, y) > 0.8


def test_balanced_class_weight_changes_the_loss(label_data):
    X, y = label_data
    plain = MLPClassifier(max_epochs=2, valid_fraction=0.25).fit(X, y)
    balanced = MLPClassifier(max_epochs=2, valid_fraction=0.25, class_weight="balanced").fit(X, y)
    assert torch.equal(plain.criterion_.weight, torch.ones(3))
    train_labels = y[np.sort(balanced._split_rows(balanced.label_encoder_.transform(y))[0])]
    expected = compute_class_weight("balanced", classes=np.array(["high", "low", "mid"]), y=train_labels)
    assert np.allclose(balanced.criterion_.weight.numpy(), expected, rtol=1e-6)
    assert history_frame(plain)["train_loss"][0] != history_frame(balanced)["train_loss"][0]
    manual = MLPClassifier(max_epochs=1, class_weight={"high": 5.0}).fit(X, y)
    assert manual.criterion_.weight.tolist() == [5.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="class_weight has labels not in y"):
        MLPClassifier(max_epochs=1, class_weight={"nope": 2.0}).fit(X, y)


def test_checkpoint_dirs_are_unique_per_fit(linear_data, tmp_path):
    X, y = linear_data
    a = MLPRegressor(max_epochs=2, valid_fraction=0.2, checkpoint_dir=tmp_path).fit(X, y)
    b = MLPRegressor(max_epochs=2, valid_fraction=0.2, checkpoint_dir=tmp_path).fit(X, y)
    assert a.checkpoint_path_ != b.checkpoint_path_
    for net in (a, b):
        assert os.path.dirname(net.checkpoint_path_) == str(tmp_path)
        assert os.path.exists(os.path.join(net.checkpoint_path_, "params.pt"))


def test_lr_schedules(linear_data):
    X, y = linear_data
    cosine = MLPRegressor(max_epochs=4, lr=0.01, lr_schedule="cosine").fit(X, y)
    assert cosine.optimizer_.param_groups[0]["lr"] < 0.01
    plateau = MLPRegressor(max_epochs=2, valid_fraction=0.2, lr_schedule="plateau").fit(X, y)
    assert dict(plateau.callbacks_)["lr_schedule"].monitor == "valid_loss"


def test_auto_device_resolves_into_a_fitted_attribute(linear_data):
    """scikit-learn's contract: fit never changes a constructor parameter; the resolved device is `device_`."""
    import pickle

    X, y = linear_data
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    net = MLPRegressor(max_epochs=1, device="auto").fit(X, y)
    assert net.device == "auto" and net.get_params()["device"] == "auto" and net.device_ == expected
    assert next(net.module_.parameters()).device.type == expected
    assert clone(net).get_params()["device"] == "auto"
    net.set_params(module__hidden=(4,))  # re-initializes the module on the resolved device
    net.set_params(lr=0.01)  # re-initializes the optimizer
    assert net.device == "auto" and net.predict(X[:5]).shape == (5,)
    again = pickle.loads(pickle.dumps(net))
    assert (again.device, again.device_) == ("auto", expected)
    np.testing.assert_array_equal(again.predict(X[:5]), net.predict(X[:5]))
    clf = MLPClassifier(max_epochs=1, device="auto").fit(X, (y > 0).astype(int))
    assert clf.device == "auto" and clf.device_ == expected and clf.predict_proba(X[:3]).shape == (3, 2)


def test_unfitted_auto_device_nets_pickle(linear_data):
    """A search sends unfitted clones to worker processes: device="auto" must survive the round trip
    (skorch's __setstate__ hands the device string to torch.device, which rejects "auto")."""
    import pickle

    from mlplab.fashion.net import CNNClassifier

    X, y = linear_data
    for net in (MLPRegressor(max_epochs=1, device="auto"), MLPClassifier(device="auto"), CNNClassifier(device="auto")):
        again = pickle.loads(pickle.dumps(net))
        assert again.device == "auto" and not hasattr(again, "device_")
    fitted = pickle.loads(pickle.dumps(MLPRegressor(max_epochs=1, device="auto")))
    assert fitted.fit(X, y).device == "auto"


def test_fast_metrics_match_sklearn():
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.normal(size=200), rng.normal(size=200)
    assert r2(torch.as_tensor(y_true), torch.as_tensor(y_pred)) == pytest.approx(r2_score(y_true, y_pred))
    labels = rng.integers(0, 4, size=300)
    preds = np.where(rng.random(300) < 0.6, labels, rng.integers(0, 5, size=300)) % 5
    labels[labels == 3] = 0  # class 3 absent from y_true but predicted: excluded from the macro mean
    got = accuracy_macro_f1(torch.as_tensor(labels), torch.as_tensor(preds), 5)
    assert got["accuracy"] == pytest.approx(np.mean(labels == preds))
    assert got["macro_f1"] == pytest.approx(f1_score(labels, preds, labels=np.unique(labels), average="macro"))


def test_set_seed_seeds_numpy_and_torch():
    set_seed(5)
    a = (np.random.rand(), torch.rand(1).item())
    set_seed(5)
    assert (np.random.rand(), torch.rand(1).item()) == a
