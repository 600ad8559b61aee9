"""Resampling stays inside training folds; the lab's protocol is shown to leak."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE, SMOTENC
from imblearn.under_sampling import RandomUnderSampler
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

from mlplab.errors import UserError
from mlplab.preprocess import make_preprocessor, stratified_split
from mlplab.resample import STRATEGIES, FoldSampler, leaky_lab_protocol, make_pipeline, make_resampler
from mlplab.training import MLPClassifier


def _rows(X) -> set[bytes]:
    return {np.ascontiguousarray(r).tobytes() for r in np.asarray(X, dtype=np.float64)}


class SpySampler(FoldSampler):
    """Records every row handed to fit_resample (shared across the clones CV makes)."""

    seen: list[set[bytes]] = []

    def fit_resample(self, X, y, **params):
        SpySampler.seen.append(_rows(X))
        return super().fit_resample(X, y, **params)


@pytest.fixture
def imbalanced(seeded):
    rng = np.random.default_rng(0)
    n = 150
    X = rng.normal(size=(n, 4))
    y = np.array(["ok"] * 120 + ["heat"] * 20 + ["power"] * 10)
    X[y == "heat", 0] += 2.0
    X[y == "power", 1] -= 2.0
    return X, y


@pytest.mark.parametrize("runner,model", [
    ("cross_val_score", LogisticRegression(max_iter=300)),
    ("grid_search", LogisticRegression(max_iter=300)),
    ("cross_val_score", MLPClassifier(module__hidden=(8,), max_epochs=2, batch_size=32)),
])
def test_sampler_only_ever_sees_training_fold_rows(imbalanced, runner, model):
    X, y = imbalanced
    SpySampler.seen = []
    pipe = make_pipeline(model, "smote")
    pipe.set_params(resample=SpySampler("smote", k_neighbors=3))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    if runner == "cross_val_score":
        cross_val_score(pipe, X, y, cv=cv, scoring="f1_macro")
        expected_calls = 3
    else:
        GridSearchCV(pipe, {"net__C": [0.1, 1.0]}, cv=cv, scoring="f1_macro", refit=False).fit(X, y)
        expected_calls = 6
    folds = [(_rows(X[tr]), _rows(X[te])) for tr, te in cv.split(X, y)]
    assert len(SpySampler.seen) == expected_calls
    matched = set()
    for seen in SpySampler.seen:
        hits = [i for i, (train, _) in enumerate(folds) if seen == train]
        assert len(hits) == 1, "the sampler saw something other than exactly one training fold"
        assert not seen & folds[hits[0]][1], "a validation-fold row reached fit_resample"
        matched.add(hits[0])
    assert matched == {0, 1, 2}


def test_leaky_protocol_puts_synthetic_rows_in_test_but_honest_split_does_not(imbalanced):
    X, y = imbalanced
    leaky = leaky_lab_protocol(X, y, strategy="smote", test_size=0.2, seed=0)
    assert leaky["test_is_synthetic"].dtype == bool
    assert leaky["test_is_synthetic"].sum() > 0.3 * len(leaky["y_test"])
    assert pd.Series(leaky["y_test"]).value_counts().nunique() == 1  # test set made balanced: artificial

    X_train, X_test, y_train, y_test = stratified_split(X, y, test_size=0.2, seed=0)
    make_pipeline(LogisticRegression(max_iter=300), "smote").fit(X_train, y_train)
    assert _rows(X_test) <= _rows(X)  # every honest test row is an original row
    assert pd.Series(y_test).value_counts()["ok"] == 24  # and the test set keeps the real imbalance


def test_smotenc_is_chosen_for_explicit_categorical_indices(imbalanced):
    X, y = imbalanced
    X = X.copy()
    X[:, 3] = np.random.default_rng(1).integers(0, 3, len(y))
    sampler = make_resampler("smote", categorical_features=[3], k_neighbors=3)
    Xr, yr = sampler.fit_resample(X, y)
    assert isinstance(sampler.sampler_, SMOTENC)
    assert set(np.unique(Xr[:, 3])) <= {0.0, 1.0, 2.0}  # synthetic categories are real categories
    assert (pd.Series(yr).value_counts() == 120).all()


def test_lone_binary_columns_are_interpolated_not_categorical():
    from mlplab.resample import _onehot_groups

    # two step flags (no partition of the rows), then a one-hot pair, then a numeric column
    X = np.array([[0, 1, 1, 0, 0.5], [1, 1, 0, 1, 0.2], [1, 0, 1, 0, 0.9]], dtype=float)
    assert _onehot_groups(X) == [[2, 3]]


def test_smotenc_detected_from_onehot_preprocessor_keeps_valid_onehot_rows(seeded):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=90), "b": rng.normal(size=90), "type": rng.choice(list("LMH"), 90)})
    y = np.array(["ok"] * 70 + ["fail"] * 20)
    pipe = make_pipeline(LogisticRegression(max_iter=300), "smote",
                         preprocessor=make_preprocessor(["a", "b"], ["type"]))
    assert pipe.named_steps["resample"].categorical_features == "auto"
    pipe.fit(df, y)
    sampler = pipe.named_steps["resample"]
    assert isinstance(sampler.sampler_, SMOTENC)
    Xr, _ = sampler.fit_resample(pipe.named_steps["prep"].transform(df), y)
    assert Xr.shape == (140, 5)
    np.testing.assert_array_equal(Xr[:, 2:].sum(axis=1), 1.0)  # each synthetic row has exactly one type


def test_ordinal_preprocessor_gives_categorical_indices():
    pipe = make_pipeline(LogisticRegression(), "smote_tomek",
                         preprocessor=make_preprocessor(["a", "b"], ["type"], encoding="ordinal"))
    assert pipe.named_steps["resample"].categorical_features == [2]
    plain = make_pipeline(LogisticRegression(), "smote", preprocessor=make_preprocessor(["a", "b"]))
    assert plain.named_steps["resample"].categorical_features is None


def test_k_neighbors_lowered_and_recorded_on_three_row_class(seeded):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(43, 3))
    y = np.array(["ok"] * 40 + ["random"] * 3)
    sampler = make_resampler("smote", k_neighbors=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # recorded on the sampler, never warned into the report
        Xr, yr = sampler.fit_resample(X, y)
    assert sampler.k_used_ == 2 and isinstance(sampler.sampler_, SMOTE)
    assert sampler.k_lowered_for_ == {"random": 3}
    assert (yr == "random").sum() == 40


def test_single_row_class_is_left_alone_and_recorded():
    X = np.arange(30, dtype=float).reshape(15, 2)
    y = np.array(["ok"] * 10 + ["a"] * 4 + ["lone"])
    sampler = make_resampler("smote", k_neighbors=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, yr = sampler.fit_resample(X, y)
    assert (yr == "lone").sum() == 1 and (yr == "a").sum() == 10
    assert sampler.not_oversampled_ == {"lone": 1}


def test_class_weight_strategy_sets_the_model_param_and_adds_no_sampler():
    pipe = make_pipeline(LogisticRegression(), "class_weight")
    assert [name for name, _ in pipe.steps] == ["net"]
    assert pipe.named_steps["net"].class_weight == "balanced"
    with pytest.raises(UserError, match="Ridge has no class_weight"):
        make_pipeline(Ridge(), "class_weight")


def test_strategies_build_the_named_steps():
    prep = make_preprocessor(["a"])
    for strategy in STRATEGIES:
        names = [n for n, _ in make_pipeline(LogisticRegression(), strategy, preprocessor=prep).steps]
        has_sampler = strategy not in ("none", "class_weight")
        assert names == ["prep", *(["resample"] if has_sampler else []), "net"]
    assert isinstance(make_resampler("undersample"), RandomUnderSampler)
    with pytest.raises(UserError, match="strategy 'oversample' is unknown; expected one of none"):
        make_pipeline(LogisticRegression(), "oversample")


@pytest.mark.parametrize("strategy", ["smote_tomek", "adasyn", "undersample"])
def test_other_strategies_run_in_cv(imbalanced, strategy):
    X, y = imbalanced
    pipe = make_pipeline(LogisticRegression(max_iter=300), strategy, k_neighbors=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no k-lowering needed here: 13+ rows per rare class per fold
        scores = cross_val_score(pipe, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0), scoring="f1_macro")
    assert scores.shape == (3,) and (scores > 0.3).all()


def test_leaky_protocol_handles_string_categoricals_in_frames(maintenance_sample):
    df = pd.read_csv(maintenance_sample).iloc[:1500]
    X = df[["Type", "Air temperature [K]", "Torque [Nm]"]]
    y = df["Failure Type"].where(df["Failure Type"].isin(["No Failure", "Heat Dissipation Failure",
                                                          "Power Failure"]), "No Failure")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = leaky_lab_protocol(X, y, strategy="smote", categorical_features=["Type"])
    assert set(out["X_test"]["Type"]) <= {"L", "M", "H"}
    assert out["test_is_synthetic"].any() and not out["test_is_synthetic"].all()


def test_adasyn_falls_back_to_smote_and_records_it_when_classes_do_not_touch():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(30, 2)), rng.normal(size=(10, 2)) + 50]
    y = np.array([0] * 30 + [1] * 10)
    sampler = make_resampler("adasyn", k_neighbors=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Xr, yr = sampler.fit_resample(X, y)
    assert sampler.fallback_ == "smote"
    assert isinstance(sampler.sampler_, SMOTE) and (yr == 1).sum() == 30
    assert (Xr[yr == 1] > 40).all()  # synthetic rows stay between minority neighbours
