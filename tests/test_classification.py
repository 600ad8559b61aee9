"""Unit tests of mlplab.classification: features, leak-free splits and pipelines, levers, narrative, plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from mlplab.classification import experiment as ex, features as fx, models as mo, narrative as nv, steps
from mlplab.classification import validate_params
from mlplab.classification.document import quality_verdict
from mlplab.data import load_maintenance
from mlplab.errors import UserError


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


def test_split_is_stratified_and_disjoint(frame):
    sp = fx.split(frame, "raw", seed=3)
    assert len(sp.y_test) == pytest.approx(0.2 * len(frame), abs=1)
    assert set(sp.y_test) == set(sp.y_train) == set(frame["failure_type"])
    rows = lambda X: set(map(tuple, X.astype(str).to_numpy()))  # noqa: E731
    assert not rows(sp.X_train) & rows(sp.X_test)


def test_resampling_sees_training_rows_only(frame):
    """Leak-free: SMOTE inside the pipeline tops classes up to the TRAINING majority count; test rows untouched."""
    sp = fx.split(frame, "raw+physics", seed=0)
    pipe = mo.mlp_pipeline("raw+physics", "smote", seed=0, hidden=(8,), epochs=1, batch_size=256)
    pipe.fit(sp.X_train, sp.y_train)
    sampler = pipe.named_steps["resample"]
    Xr, yr = sampler.fit_resample(pipe.named_steps["prep"].transform(sp.X_train), sp.y_train)
    majority = pd.Series(sp.y_train).value_counts().max()
    assert pd.Series(yr).value_counts().max() == majority
    assert len(yr) > len(sp.y_train)
    assert len(pipe.predict(sp.X_test)) == len(sp.y_test)


def test_lab_protocol_puts_synthetic_rows_in_its_test_set(frame):
    run, lab = ex.lab_protocol(frame, "raw", steps.baseline_builder("logreg", "raw"), seed=0)
    assert 0.5 < lab["synthetic_test_share"] < 1.0  # most of a balanced test set is synthetic
    assert lab["real_test_rows"] + lab["synthetic_test_rows"] == lab["test_rows"]
    assert run.test["macro_f1"] == lab["leaky_test_macro_f1"]


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
    offsets = mo.tune_offsets(proba, y)
    pred = (np.log(proba) + offsets).argmax(1)
    assert pred[90:].tolist() == [1] * 10 and pred[:90].tolist() == [0] * 90


def test_threshold_tuned_wraps_any_probabilistic_classifier(frame):
    sp = fx.split(frame, "raw", seed=0)
    model = mo.ThresholdTuned(mo.baseline("logreg", "raw"), valid_fraction=0.3, seed=0).fit(sp.X_train, sp.y_train)
    assert model.offsets_.shape == (len(model.classes_),)
    assert set(model.predict(sp.X_test)) <= set(model.classes_)
    assert model.predict_proba(sp.X_test).shape == (len(sp.y_test), len(model.classes_))


def test_seed_ensemble_averages_members(frame):
    sp = fx.split(frame, "raw", seed=0)
    ens = mo.seed_ensemble(mo.mlp_pipeline("raw", "none", hidden=(8,), epochs=2), [1, 2]).fit(sp.X_train, sp.y_train)
    members = [m.predict_proba(sp.X_test) for m in ens.estimators_]
    np.testing.assert_allclose(ens.predict_proba(sp.X_test), np.mean(members, axis=0), rtol=1e-5)
    assert [m.named_steps["net"].seed for m in ens.estimators_] == [1, 2]


def test_run_seeds_reports_every_seed(frame):
    run = ex.run_seeds("logreg", steps.baseline_builder("logreg", "raw"), frame, "raw", [0, 1], n_jobs=1)
    assert run.seeds == [0, 1] and len(run.seed_tests) == 2
    assert run.seed_summary()["n"] == 2
    assert list(run.test["per_class"]) == [c for c in ex.LABELS if c in set(frame["failure_type"])]
    report = ex.classification_report_table(run.test)
    assert report.iloc[-2]["f1"] == pytest.approx(run.test["macro_f1"])


def test_confusion_pairs_lists_off_diagonal_cells():
    metrics = {"confusion_matrix": {"labels": ["a", "b"], "matrix": [[8, 2], [0, 5]]}}
    pairs = ex.confusion_pairs(metrics)
    assert pairs.to_dict("records") == [{"true": "a", "predicted": "b", "rows": 2, "share of true class %": 20.0}]


def test_validate_params_names_the_bad_key():
    validate_params({"features": "raw+physics", "strategies": ["none", "smote"], "seeds": [0, 1], "cv_folds": 3})
    with pytest.raises(UserError, match="features='physics'"):
        validate_params({"features": "physics"})
    with pytest.raises(UserError, match="strategies"):
        validate_params({"strategies": ["smote", "magic"]})
    with pytest.raises(UserError, match="cv_folds=1"):
        validate_params({"cv_folds": 1})


def test_narrative_follows_the_numbers():
    assert "overfits" in nv.describe_gap({"macro_f1": 0.95}, {"macro_f1": 0.60})
    assert "little overfitting" in nv.describe_gap({"macro_f1": 0.70}, {"macro_f1": 0.68})
    lab = {"test_rows": 100, "train_rows": 400, "synthetic_test_share": 0.8, "leaky_test_macro_f1": 0.97,
           "real_test_rows": 20, "real_rows_macro_f1": 0.5}
    text = nv.lab_sentence(lab, 0.55)
    assert "80.0 %" in text and "0.970" in text and "+0.420" in text


def test_quality_verdict_compares_seed_means():
    tuned = ex.Run("mlp_tuned", {}, {}, 0.0, seed_tests=[{"macro_f1": v} for v in (0.70, 0.69, 0.71)])
    tree = ex.Run("hgb_physics", {}, {}, 0.0, seed_tests=[{"macro_f1": v} for v in (0.66, 0.67, 0.68)])
    v = quality_verdict(tuned, {"hgb_physics": tree}, bar=0.68)
    assert v["passes"] and v["delta_vs_tree"] == pytest.approx(0.03)
    v = quality_verdict(tree, {"mlp": tuned}, bar=0.68)
    assert not v["meets_bar"] and not v["not_below_tree"] and not v["passes"]


def test_plots_return_figures(frame):
    from mlplab.plots import classification as pc, eda_maintenance as pe

    run = ex.run_seeds("logreg", steps.baseline_builder("logreg", "raw+physics"), frame, "raw+physics", [0])
    figs = [pe.plot_class_distribution(fx.class_counts(frame)), pe.plot_correlation(frame),
            pc.plot_confusion(run.test, "t"), pc.plot_roc_pr(run.y_test, run.proba_test, run.classes, "t"),
            pc.plot_seeds({"a": [0.5, 0.6]}, reference=0.55)]
    assert all(f.axes for f in figs)
    auc = pc.roc_pr_auc(run.y_test, run.proba_test, run.classes)
    assert set(auc["class"]) == set(run.y_test) and auc["roc_auc"].between(0, 1).all()


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
        mo.mlp(loss="hinge")


def test_quality_sentence_states_the_verdict():
    tuned = ex.Run("mlp_tuned", {}, {}, 0.0, seed_tests=[{"macro_f1": v} for v in (0.63, 0.61, 0.65)])
    tree = ex.Run("hgb_physics", {}, {}, 0.0, seed_tests=[{"macro_f1": v} for v in (0.66, 0.67, 0.65)])
    text = nv.quality_sentence(quality_verdict(tuned, {"hgb_physics": tree}))
    assert "**not met**" in text and "below the tree by 0.030" in text and "0.630 ± 0.020" in text
    assert "chance" not in text  # these runs carry no per-class scores


def test_quality_sentence_discounts_random_failure_hits():
    def seed(macro, rnf):
        return {"macro_f1": macro, "per_class": {c: {"f1": rnf if c == "Random Failures" else 1.0} for c in
                                                 ("No Failure", "Heat Dissipation Failure", "Power Failure",
                                                  "Overstrain Failure", "Tool Wear Failure", "Random Failures")}}

    tuned = ex.Run("mlp_tuned", {}, {}, 0.0, seed_tests=[seed(0.70, 0.3), seed(0.68, 0.0), seed(0.69, 0.0)])
    tree = ex.Run("hgb_physics", {}, {}, 0.0, seed_tests=[seed(0.66, 0.0)] * 3)
    v = quality_verdict(tuned, {"hgb_physics": tree})
    assert v["random_failures_f1"] == pytest.approx(0.1) and v["random_failures_share"] == pytest.approx(0.1 / 6)
    text = nv.quality_sentence(v)
    assert "**met**" in text and "*Random Failures* F1 of 0.10" in text and "the mean would be 0.673" in text


def test_threshold_tuned_with_out_of_fold_probabilities(frame):
    sp = fx.split(frame, "raw", seed=0)
    model = mo.ThresholdTuned(mo.baseline("logreg", "raw"), cv=2, seed=0).fit(sp.X_train, sp.y_train)
    assert model.offsets_.shape == (len(model.classes_),)
    assert len(model.predict(sp.X_test)) == len(sp.y_test)
    with pytest.raises(UserError, match="cv must be 0 or an integer >= 2"):
        mo.ThresholdTuned(mo.baseline("logreg", "raw"), cv=1).fit(sp.X_train, sp.y_train)


def test_network_diagram_module_matches_the_pipeline(frame):
    lab = steps.net_settings([16, 8], "relu", 0.3, "adam", 1e-3, 2, 256)
    module, width = steps.network(frame, "raw+physics", lab, seed=0, test_size=0.2)
    linears = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]  # InputLinear first
    assert width == 11  # 5 raw + 3 physics numerics, Type one-hot (3)
    assert [(l.in_features, l.out_features) for l in linears] == [(11, 16), (16, 8), (8, 6)]
    module, width = steps.network(frame, "raw", lab, seed=0, test_size=0.2, encoding="ple", n_bins=4)
    assert width > 8 and linears[0].in_features == 11 and module.blocks[0].in_features == width


def test_documented_rules_reproduce_the_real_labels(maintenance_sample):
    from sklearn.metrics import f1_score

    real = load_maintenance(maintenance_sample).frame
    pred = fx.documented_rules(fx.design_matrix(real, "raw"))
    y = real["failure_type"].astype(str).to_numpy()
    labels = ["Heat Dissipation Failure", "Power Failure", "Overstrain Failure", "Tool Wear Failure", "Random Failures"]
    f1 = dict(zip(labels, f1_score(y, pred, labels=labels, average=None)))
    assert f1["Heat Dissipation Failure"] == 1.0 and f1["Power Failure"] == 1.0 and f1["Overstrain Failure"] > 0.97
    assert f1["Tool Wear Failure"] < 0.2 and f1["Random Failures"] == 0.0  # random by construction
    assert 0.66 < f1_score(y, pred, average="macro") < 0.69
    rules = mo.DocumentedRules().fit(real.head(50), y[:50])  # no tool-wear failure there: documented window
    assert rules.wear_window_ == (200.0, 240.0)
    assert list(rules.predict(fx.design_matrix(real.head(3), "raw"))) == list(pred[:3])


def test_documented_rules_fit_the_tool_wear_window_on_training_rows(maintenance_sample):
    from sklearn.metrics import f1_score

    real = load_maintenance(maintenance_sample).frame
    sp = fx.split(real, "raw", seed=0)
    rules = mo.DocumentedRules().fit(sp.X_train, sp.y_train)
    lo, hi = rules.wear_window_
    assert 200 < lo < hi <= 240  # narrower than documented: most tools in 200-240 min are replaced intact
    pred = rules.predict(sp.X_test)
    twf = f1_score(sp.y_test, pred, labels=["Tool Wear Failure"], average="macro")
    documented = f1_score(sp.y_test, fx.documented_rules(sp.X_test), labels=["Tool Wear Failure"], average="macro")
    assert twf > documented + 0.05 and f1_score(sp.y_test, pred, average="macro") > 0.68
    assert list(mo.DocumentedRules(fit_window=False).fit(sp.X_train, sp.y_train).predict(sp.X_test)) == list(
        fx.documented_rules(sp.X_test))


def test_rules_sentence_says_when_the_bar_is_above_the_rules():
    rules = {"mean": 0.676, "std": 0.008, "per_class_f1": {"No Failure": 0.96, "Power Failure": 1.0,
                                                          "Tool Wear Failure": 0.11, "Random Failures": 0.0}}
    s = nv.rules_sentence(rules, {"tuned_mean": 0.657, "bar": 0.68})
    assert "reach macro-F1 0.676 ± 0.008 (Power Failure almost exactly)" in s
    assert "Tool Wear Failure (F1 0.11), Random Failures (F1 0.00)" in s
    assert "0.019 below that reference" in s and "the bar of 0.68 lies above what the generating rules achieve" in s
    assert "lies above" not in nv.rules_sentence({**rules, "mean": 0.70}, {"tuned_mean": 0.657, "bar": 0.68})
