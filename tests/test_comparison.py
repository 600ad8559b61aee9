"""Computed comparison and conclusions: sentences follow the numbers, claims only when supported."""

from __future__ import annotations

import pytest

from mlplab import comparison as C
from mlplab.pages import appendix_md, banner_md, chapters_yml
from mlplab.results import METRICS, REQUIRED_MODELS, model_entry, validate


def _doc(kind, test_values: dict[str, float], source="file", train_values=None, extra=None, history=None):
    metric = C.HEADLINE[kind][0]
    models = {}
    for name in (*REQUIRED_MODELS[kind], *test_values):
        v = test_values.get(name, 10.0 if kind == "regression" else 0.2)
        t = (train_values or {}).get(name, v)
        test = {m: v for m in METRICS[kind]}
        train = {m: t for m in METRICS[kind]}
        models[name] = model_entry(train, test)
    doc = {"notebook": kind, "profile": "quick", "params": {}, "provenance": {"source": source, "path": "x.csv",
           "rows": 100, "sha256": "ab" * 32}, "timings_s": {"total": 1.0}, "models": models, "best_params": {},
           "extra": extra or {}, "history": history or {}}
    assert not validate(doc), validate(doc)
    assert metric in doc["models"]["mlp_tuned"]["test"]
    return doc


@pytest.fixture
def reg():
    return _doc("regression", {"naive": 2.0, "ols": 1.5, "lab_protocol": 80.0, "mlp_baseline": 2.5, "mlp_tuned": 1.4,
                               "mlp_tuned_dropout": 1.6, "mlp_tuned_l2": 1.3},
                train_values={"mlp_tuned": 1.0, "mlp_tuned_l2": 1.2},
                history={"mlp_tuned": {"train_loss": [1.0, 0.5, 0.2, 0.1, 0.1], "test_loss": [1.1, 0.6, 0.3, 0.2, 0.25]}})


@pytest.fixture
def clf():
    return _doc("classification", {"majority": 0.1, "logreg": 0.4, "hgb": 0.7, "lab_protocol": 0.9,
                                   "mlp_baseline": 0.5, "mlp_tuned": 0.6, "mlp_tuned_batch_norm": 0.55},
                source="embedded",
                extra={"lab_protocol": {"synthetic_test_share": 0.48, "synthetic_test_rows": 48, "test_rows": 100,
                                        "real_rows_metrics": {"accuracy": 0.9, "macro_f1": 0.3}},
                       "rebalancing": [{"strategy": "none", "macro_f1": 0.5}, {"strategy": "smote", "macro_f1": 0.58}]})


def test_tuning_table_and_sentences(reg, clf):
    t = C.tuning_table(reg, clf)
    assert list(t["tuning helped"]) == [True, True]
    assert t.loc[0, "change (%)"] == pytest.approx((1.4 - 2.5) / 2.5 * 100)
    s = C.tuning_sentences(reg, clf)
    assert "from 2.500 to 1.400 (-44.0 %)" in s and "from 0.500 to 0.600 (+20.0 %)" in s


def test_tuning_not_helping_is_said(reg, clf):
    reg["models"]["mlp_tuned"]["test"]["rmse"] = 3.0
    reg["models"]["mlp_tuned"]["seeds"]["mean"]["rmse"] = 3.0
    assert "did not beat the baseline" in C.tuning_sentences(reg, clf)


def test_regularization(reg):
    t = C.regularization_table(reg)
    assert set(t["variant"]) == {"dropout", "l2"}
    assert dict(zip(t["variant"], t["helped"])) == {"dropout": False, "l2": True}
    s = C.regularization_sentences(reg)
    assert "1 of 2 regularization variants improved" in s and "largest gain came from l2" in s
    reg["models"]["mlp_tuned"]["seeds"].update(n=3, std={"rmse": 0.15})  # now l2's -0.1 is noise
    t = C.regularization_table(reg)
    assert dict(zip(t["variant"], t["within seed spread"])) == {"dropout": False, "l2": True} and not t["helped"].any()
    assert "Within the seed spread (±0.15), so neither better nor worse: l2" in C.regularization_sentences(reg)
    assert "narrowed with dropout, l2" in s and "Worse than no regularization: dropout" in s


def test_recommendation_prefers_best_and_compares_to_baselines(reg, clf):
    r = C.recommendation(reg)
    assert r["best"] == "mlp_tuned_l2" and r["best_baseline"] == "ols"
    assert "earns its cost" in C.conclusion_sentences(reg)
    rc = C.recommendation(clf)
    assert rc["best"] == "hgb"  # lab_protocol's inflated 0.9 is never recommended
    assert "does not beat it" in C.conclusion_sentences(clf)


def test_protocol_and_rebalancing(clf):
    t = C.protocol_table(clf)
    assert t.iloc[0]["macro_f1"] == 0.9 and t.iloc[1]["macro_f1"] == 0.3
    s = C.protocol_sentences(clf)
    assert "48.0 % of the test rows (48 of 100) are synthetic" in s and "real test rows only" in s and "inflate the score" in s
    assert "smote gave the best test macro-F1 (0.580), against 0.500 without rebalancing (+0.080)" in C.rebalancing_sentences(clf)


def test_behaviour_from_curves(reg, clf):
    s = C.curve_summary(reg)
    assert s["converged_epoch"] == 4 and s["epochs"] == 5
    text = C.behaviour_sentences(reg, clf)
    assert "by epoch 4 of 5" in text and "No training curves were recorded for the tuned maintenance" in text


def test_conclusions_flag_synthetic(reg, clf):
    md = C.conclusions_md(reg, clf)
    assert "The conclusions for the maintenance classification part are drawn from the embedded synthetic data" in md
    assert "**NYSE regression:** use **mlp tuned l2**" in md
    assert C.synthetic_note(reg) is False and C.synthetic_note(clf) is True
    reg["provenance"]["source"] = "embedded"
    assert "The conclusions for both parts are drawn" in C.conclusions_md(reg, clf)


def test_published_table(reg, clf):
    t = C.published_table(reg, clf)
    assert t.loc[0, "lab (published)"] == 82.9 and t.loc[0, "lab protocol (our run)"] == 80.0
    assert "82.9" in C.published_sentences(reg, clf)


def test_pages(reg, clf, tmp_path):
    banner = banner_md({"regression": reg, "classification": clf})
    assert "callout-warning" in banner and "Machine Predictive Maintenance" in banner
    assert "Real data" in banner  # regression came from a file
    assert "No results yet" in banner_md({})
    states = {"regression": {"profile": "quick", "seconds": 3.2, "finished": "t", "params": {"epochs": 3}}}
    app = appendix_md(tmp_path, {"regression": reg}, states)
    assert "| regression | quick | 3.2 |" in app and "epochs: 3" in app and "| torch |" in app


def test_chapters_list_only_executed_notebooks(tmp_path):
    import yaml

    assert yaml.safe_load(chapters_yml(tmp_path)) == {"book": {"chapters": []}}
    (tmp_path / "report").mkdir()
    for nb in ("01_regression_nyse.ipynb", "03_comparison.ipynb"):
        (tmp_path / "report" / nb).write_text("{}")
    parts = yaml.safe_load(chapters_yml(tmp_path))["book"]["chapters"]
    assert [p["chapters"] for p in parts] == [["report/01_regression_nyse.ipynb"],
                                              ["report/03_comparison.ipynb", "report/conclusions.qmd"]]
    assert parts[0]["part"].startswith("Part 1")


def test_classification_regularizers_compare_with_the_plain_network(clf):
    for name, value in (("mlp_tuned_plain", 0.5), ("mlp_tuned_dropout", 0.55), ("mlp_tuned_ens", 0.9)):
        clf["models"][name] = {"train": {"macro_f1": 0.8}, "test": {"macro_f1": value}, "seeds": {"n": 1}}
    clf["history"] = {"mlp_tuned_net": {"train_loss": [1.0, 0.2], "test_loss": [1.0, 0.4]}}
    t = C.regularization_table(clf)
    assert list(t["variant"]) == ["batch norm", "dropout"]  # levers (ens) are not regularizers
    assert t.loc[t["variant"] == "dropout", "Δ test vs unregularized"].item() == pytest.approx(0.05)
    assert C.curve_model(clf) == "mlp_tuned_net" and C.curve_summary(clf)["epochs"] == 2
    table = C.models_table(clf)
    assert table.iloc[-1]["model"] == "lab_protocol"  # scored on its own leaky test set: listed last


def test_rebalancing_recall_is_spread_into_columns(clf):
    clf["extra"]["rebalancing"] = [{"strategy": "none", "macro_f1": 0.5, "per_class_recall": {"A": 1.0, "B": 0.0}}]
    t = C.rebalancing_table(clf)
    assert list(t.columns) == ["strategy", "macro_f1", "recall A", "recall B"]


def test_recommendation_ranks_multi_seed_models_and_calls_a_tie_a_tie(reg):
    def seeds(name, mean, std):
        reg["models"][name]["seeds"] = {"n": 3, "mean": {"rmse": mean}, "std": {"rmse": std}}

    seeds("mlp_tuned", 1.40, 0.05)
    seeds("ols", 1.43, 0.0)
    r = C.recommendation(reg)
    assert r["best"] == "mlp_tuned"  # mlp_tuned_l2 (1.3, one seed) does not compete with seed means
    assert "within the seed spread, so the two are on a par" in C.conclusion_sentences(reg)
    seeds("mlp_tuned", 1.20, 0.05)
    assert "so the MLP earns its cost here" in C.conclusion_sentences(reg)


def test_differences_within_the_seed_spread_are_called_a_par(reg, clf):
    reg["models"]["mlp_tuned"]["seeds"] = {"n": 3, "mean": {"rmse": 2.45}, "std": {"rmse": 0.1}}
    t = C.tuning_table(reg, clf)
    assert t.loc[0, "seed spread"] == pytest.approx(0.1) and not t.loc[0, "tuning helped"]
    assert "are on a par (test RMSE 2.450 against 2.500, a difference within the seed spread of ±0.1)" in \
        C.tuning_sentences(reg, clf)
    clf["models"]["mlp_tuned"]["seeds"] = {"n": 3, "mean": {"macro_f1": 0.68}, "std": {"macro_f1": 0.03}}
    clf["models"]["hgb"]["seeds"] = {"n": 3, "mean": {"macro_f1": 0.70}, "std": {"macro_f1": 0.01}}
    s = C.conclusion_sentences(clf)
    assert "use **hgb**" in s and "(mlp tuned, 0.680 ± 0.030) trails it by less than the seed spread" in s


def test_rules_reference_in_the_conclusions(reg, clf):
    assert C.rules_reference_sentence(clf) == ""
    clf["extra"]["documented_rules"] = {"mean": 0.65, "std": 0.01}
    s = C.rules_reference_sentence(clf)
    assert "reach a macro-F1 of 0.650 ± 0.010; the recommended model is 0.050 above that" in s  # hgb 0.7
    assert s in C.conclusions_md(reg, clf)
    clf["extra"]["documented_rules"] = {"mean": 0.80, "std": 0.01}
    assert "is still not learned" in C.rules_reference_sentence(clf)
