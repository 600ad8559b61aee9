"""Unit tests of mlplab.classification: features, leak-free splits and pipelines, levers, narrative, plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from mlplab.classification import features as fx, models as mo, steps
from mlplab.classification import validate_params
from mlplab.data import load_maintenance
from mlplab.errors import UserError
from mlplab.experiment.thresholds import ThresholdTuned, tune_offsets


class _Split:
    def __init__(self, frame, features="raw", seed=0):
        from sklearn.model_selection import train_test_split

        X = fx.design_matrix(frame, "raw+physics")
        y = frame["failure_type"].astype(str).to_numpy()
        self.X_train, self.X_test, self.y_train, self.y_test = train_test_split(
            X, y, test_size=0.2, random_state=seed, stratify=y)


def _split(frame, seed=0):
    return _Split(frame, seed=seed)


@pytest.fixture(scope="module")
def frame():
    """The embedded default, stratified down to 1,500 rows (every class kept)."""
    return fx.subsample_rows(load_maintenance().frame, 1500, seed=0)


def test_physics_features_follow_the_documented_process():
    df = pd.DataFrame({"air_temperature_k": [300.0], "process_temperature_k": [309.5], "rotational_speed_rpm": [1500.0],
                       "torque_nm": [40.0], "tool_wear_min": [100.0]})
    out = fx.add_physics(df)
    assert out["temp_diff_k"].iloc[0] == pytest.approx(9.5)
    assert out["power_w"].iloc[0] == pytest.approx(40 * 1500 * 2 * np.pi / 60)  # 6,283 W
    assert out["wear_torque_min_nm"].iloc[0] == pytest.approx(4000.0)


def test_design_matrix_drops_identifiers_and_the_leaking_label(frame):
    X = fx.design_matrix(frame, "raw+physics")
    assert not {"udi", "product_id", "target", "failure_type"} & set(X.columns)
    assert {"temp_diff_k", "power_w", "wear_torque_min_nm", "type"} <= set(X.columns)
    assert "power_w" not in fx.design_matrix(frame, "raw").columns
    with pytest.raises(UserError, match="features='physics'"):
        fx.design_matrix(frame, "physics")


def test_subsample_keeps_every_class(frame):
    assert set(frame["failure_type"]) == set(load_maintenance().frame["failure_type"])
    assert 1450 <= len(frame) <= 1550
    with pytest.raises(UserError, match="max_rows=50"):
        fx.subsample_rows(frame, 50)


def test_resampling_sees_training_rows_only(frame):
    """Leak-free: SMOTE inside the pipeline tops classes up to the TRAINING majority count; test rows untouched."""
    sp = _split(frame)
    pipe = mo.mlp_pipeline({"hidden": [8], "epochs": 1, "batch_size": 256}, features="raw+physics", strategy="smote", seed=0)
    pipe.fit(sp.X_train, sp.y_train)
    sampler = pipe.named_steps["resample"]
    Xr, yr = sampler.fit_resample(pipe.named_steps["prep"].transform(sp.X_train), sp.y_train)
    majority = pd.Series(sp.y_train).value_counts().max()
    assert pd.Series(yr).value_counts().max() == majority
    assert len(yr) > len(sp.y_train)
    assert len(pipe.predict(sp.X_test)) == len(sp.y_test)


def test_lab_protocol_puts_synthetic_rows_in_its_test_set(frame):
    st = steps.setup(frame, [0, 1, 2], test_size=0.2, valid_size=0.2, n_jobs=1)
    lab = steps.lab_settings([8], "relu", 0.0, "adam", 1e-3, 1, 256)
    run = steps.lab_protocol(st, lab, strategy="smote", test_size=0.2)
    leak = run.info["leak"]
    assert run.role == "leaky_reference" and run.n == 1 and run.validation == {}
    assert 0.5 < leak["synthetic_test_share"] < 1.0  # most of a balanced test set is synthetic
    assert leak["real_test_rows"] + leak["synthetic_test_rows"] == leak["test_rows"]
    assert leak["train_rows"] + leak["test_rows"] == sum(leak["class_counts_after_resampling"].values())
    assert "test_loss" in run.history.columns and "validation_loss" not in run.history.dropna(axis=1, how="all").columns


def test_threshold_encoding_finds_the_cut_point():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(2000, 1))
    y = np.where(x[:, 0] > 0.3, "fail", "ok")
    enc = mo.ThresholdEncoding(n_bins=2).fit(x, y)
    assert enc.cuts_[0] == pytest.approx([0.3], abs=0.01)
    out = enc.transform(np.array([[0.1], [0.9]]))
    assert out.shape == (2, 2) and out[:, 1].tolist() == [0.0, 1.0]
    with pytest.raises(UserError, match="labels"):
        mo.ThresholdEncoding().fit(x, None)


def test_threshold_encoding_keeps_float64_precision_and_finds_per_class_cuts():
    # Two values that are equal in float32 but not in float64, labelled differently (as at 8.6 K in AI4I).
    below, above = 303.7 - 295.1, 303.6 - 295.0
    assert below < 8.6 < above and np.float32(below) == np.float32(above)
    x = np.r_[np.full(40, 8.0), np.full(40, below), np.full(40, above), np.full(40, 9.0)][:, None]
    y = np.array(["hdf"] * 80 + ["ok"] * 80)
    enc = mo.ThresholdEncoding(n_bins=2).fit(x, y)
    assert enc.cuts_[0].tolist() == [(below + above) / 2]
    assert enc.transform(np.array([[below], [above]]))[:, 1].tolist() == [0.0, 1.0]
    # Per class: a rare class in a band gets both of its edges, which one multi-class tree of 2 leaves misses.
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, size=(3000, 1))
    y = np.where(x[:, 0] < 2, "low", np.where((x[:, 0] > 6) & (x[:, 0] < 6.5), "band", "ok"))
    per_class = mo.ThresholdEncoding(n_bins=2, per_class=True).fit(x, y)
    for edge in (2.0, 6.0, 6.5):
        assert np.min(np.abs(per_class.cuts_[0] - edge)) < 0.02
    assert len(mo.ThresholdEncoding(n_bins=2).fit(x, y).cuts_[0]) == 1
    assert dict((n, t) for n, t, _ in mo.preprocessor("raw", "class_thresholds").transformers)["num"].per_class


def test_tune_offsets_recovers_a_missed_minority_class():
    y = np.array([0] * 90 + [1] * 10)
    proba = np.column_stack([np.full(100, 0.6), np.full(100, 0.4)])
    proba[90:, 1] = 0.45  # the minority rows score a bit higher, but never win the argmax
    proba[90:, 0] = 0.55
    offsets = tune_offsets(proba, y)
    pred = (np.log(proba) + offsets).argmax(1)
    assert pred[90:].tolist() == [1] * 10 and pred[:90].tolist() == [0] * 90


def test_threshold_tuned_wraps_any_probabilistic_classifier(frame):
    sp = _split(frame)
    model = ThresholdTuned(mo.baseline("logreg", "raw"), valid_fraction=0.3, cv=0, seed=0).fit(sp.X_train, sp.y_train)
    assert model.offsets_.shape == (len(model.classes_),)
    assert set(model.predict(sp.X_test)) <= set(model.classes_)
    assert model.predict_proba(sp.X_test).shape == (len(sp.y_test), len(model.classes_))


def test_validate_params_names_the_bad_key():
    validate_params({"strategies": ["none", "smote"], "seeds": [0, 1], "cv_folds": 3, "levers": ["standard"],
                     "hgb_class_weight": ["none", "balanced"], "grid_optimizer": ["adam", "sgd", "rmsprop"]})
    with pytest.raises(UserError, match="strategies"):
        validate_params({"strategies": ["smote", "magic"]})
    with pytest.raises(UserError, match="includes none"):
        validate_params({"strategies": ["smote"]})
    with pytest.raises(UserError, match="cv_folds=1"):
        validate_params({"cv_folds": 1})
    with pytest.raises(UserError, match="levers=\\['magic'\\]"):
        validate_params({"levers": ["magic"]})
    with pytest.raises(UserError, match="seeds=\\[0, 0\\]: expected a non-empty list of distinct"):
        validate_params({"seeds": [0, 0]})
    with pytest.raises(UserError, match="grid_optimizer"):
        validate_params({"grid_optimizer": ["lbfgs"]})


def test_focal_loss_reduces_to_cross_entropy_and_downweights_easy_rows():
    import torch

    logits = torch.tensor([[4.0, 0.0], [0.2, 0.0], [0.0, 1.0]])
    target = torch.tensor([0, 1, 1])
    ce = torch.nn.functional.cross_entropy(logits, target)
    assert mo.FocalLoss(gamma=0.0)(logits, target).item() == pytest.approx(ce.item(), rel=1e-6)
    weight = torch.tensor([1.0, 3.0])
    wce = torch.nn.functional.cross_entropy(logits, target, weight=weight)
    assert mo.FocalLoss(gamma=0.0, weight=weight)(logits, target).item() == pytest.approx(wce.item(), rel=1e-6)
    per_row = [mo.FocalLoss(gamma=2.0)(logits[i:i + 1], target[i:i + 1]).item() for i in range(3)]
    ce_row = [torch.nn.functional.cross_entropy(logits[i:i + 1], target[i:i + 1]).item() for i in range(3)]
    assert per_row[0] / ce_row[0] < 0.001 < per_row[1] / ce_row[1]  # the confident row almost vanishes
    with pytest.raises(UserError, match="loss='hinge'"):
        mo.net({"hidden": [8]}, loss="hinge")


def test_threshold_tuned_with_out_of_fold_probabilities(frame):
    sp = _split(frame)
    model = ThresholdTuned(mo.baseline("logreg", "raw"), cv=2, seed=0).fit(sp.X_train, sp.y_train)
    assert model.offsets_.shape == (len(model.classes_),)
    assert len(model.predict(sp.X_test)) == len(sp.y_test)
    with pytest.raises(UserError, match="cv must be 0 or an integer >= 2"):
        ThresholdTuned(mo.baseline("logreg", "raw"), cv=1).fit(sp.X_train, sp.y_train)




def test_documented_rules_on_the_real_sample(maintenance_sample):
    """The rules reproduce the deterministic classes of the real sample exactly; tool wear is random in its window."""
    from sklearn.metrics import f1_score

    real = load_maintenance(maintenance_sample).frame
    y = real["failure_type"].astype(str).to_numpy()
    pred = fx.documented_rules(fx.design_matrix(real, "raw"))
    labels = ["Heat Dissipation Failure", "Power Failure", "Overstrain Failure", "Tool Wear Failure", "Random Failures"]
    f1 = dict(zip(labels, f1_score(y, pred, labels=labels, average=None)))
    assert f1["Heat Dissipation Failure"] == 1.0 and f1["Power Failure"] == 1.0 and f1["Overstrain Failure"] > 0.95
    assert f1["Random Failures"] == 0.0  # random by construction: never predicted
    rules = mo.DocumentedRules().fit(fx.design_matrix(real, "raw"), y)
    lo, hi = rules.wear_window_
    assert 190 <= lo <= hi <= 260
    fitted = f1_score(y, rules.predict(fx.design_matrix(real, "raw")), labels=["Tool Wear Failure"], average="macro")
    assert fitted >= f1["Tool Wear Failure"]  # the window is chosen to maximize it on the rows given
    no_twf = real[real["failure_type"] != "Tool Wear Failure"]
    assert mo.DocumentedRules().fit(fx.design_matrix(no_twf, "raw"), no_twf["failure_type"]).wear_window_ == (200.0, 240.0)


def test_report_table_and_confusion_pairs():
    metrics = {"accuracy": 0.8, "macro_f1": 0.6, "weighted_f1": 0.78,
               "per_class": {"a": {"precision": 0.9, "recall": 0.8, "f1": 0.85, "support": 10},
                             "b": {"precision": 0.3, "recall": 0.5, "f1": 0.35, "support": 5}},
               "confusion_matrix": {"labels": ["a", "b"], "matrix": [[8, 2], [0, 5]]}}
    rep = steps.report_table(metrics)
    assert rep["class"].tolist() == ["a", "b", "accuracy", "macro average", "weighted average"]
    assert rep.loc[rep["class"] == "accuracy", "f1"].item() == 0.8 and rep["support"].tolist()[-1] == 15
    pairs = steps.confusion_pairs(metrics)
    assert pairs.to_dict("records") == [{"true": "a", "predicted": "b", "rows": 2, "share of true class %": 20.0}]


def test_regularization_controls_are_the_early_stopping_references():
    plan = {"mlp_tuned_net_l2": {"regularizer": "l2", "reference": "mlp_tuned_net", "family": "tuned"},
            "mlp_tuned_net_es_reference": {"regularizer": None, "reference": "mlp_tuned_net", "family": "tuned"},
            "mlp_baseline_es_reference": {"regularizer": None, "reference": "mlp_baseline_plain", "family": "lab"}}
    assert steps.control_names(plan) == ["mlp_tuned_net_es_reference", "mlp_baseline_es_reference"]
    labels = [label for *_, label in steps.regularization_pairs(plan)]
    assert labels[1:] == ["tuned MLP: the stopping slice held out, no stopping (not a regularizer)",
                          "lab's MLP: the stopping slice held out, no stopping (not a regularizer)"]
