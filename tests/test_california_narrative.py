"""Every branch of the California prose: a clause appears only when its condition holds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.california import narrative as nv
from mlplab.california.document import goal
from mlplab.experiment import verdict as V
from mlplab.experiment.record import Run, SplitResult


def run(name, label, test, train=None, valid=None, role="baseline"):
    r = Run(name, role, label)
    for i, t in enumerate(test):
        r.splits.append(SplitResult(i, i, {"rmse": (train or test)[i]}, {"rmse": (valid or test)[i]}, {"rmse": t}))
    return r


def test_goal_met_and_not_met_and_gap_direction():
    runs = {"mlp_tuned": run("mlp_tuned", "the tuned MLP", [0.47, 0.46, 0.48], role="tuned"),
            "hgb": run("hgb", "HGB", [0.45, 0.44, 0.46])}
    g = goal(runs, 0.48)
    text = nv.goal_sentence(g)
    assert g["met"] and "the goal is met" in text and "behind it" in text and "not met" not in text
    runs["hgb"] = run("hgb", "HGB", [0.50, 0.51, 0.52])
    runs["mlp_tuned"] = run("mlp_tuned", "the tuned MLP", [0.49, 0.50, 0.49], role="tuned")
    g = goal(runs, 0.48)
    text = nv.goal_sentence(g)
    assert not g["met"] and "it is not met" in text and "ahead of it" in text and "For scale" not in text
    runs["linear"] = run("linear", "linear regression", [0.68, 0.69, 0.70])
    assert nv.goal_sentence(goal(runs, 0.48)).endswith(
        "For scale, linear regression, the simplest fitted model, reaches 0.690: it misses the goal.")
    assert nv.goal_sentence(goal(runs, 0.7)).endswith("reaches 0.690: it already meets the goal.")


def test_data_and_capped_sentences():
    report = {"rows": 100, "layout": "x", "missing_avebedrms": 3, "dropped_columns": ["ocean_proximity"]}
    text = nv.data_sentence(report, {"source": "embedded"})
    assert "imputed" in text and "shipped with the package" in text and "ocean_proximity" in text
    plain = nv.data_sentence({"rows": 100, "layout": "x", "missing_avebedrms": 0, "dropped_columns": []}, {"source": "file"})
    assert "imputed" not in plain and "shipped" not in plain
    capped = {"rows": 10, "share": 0.05, "cap": 5.00001, "median_income_capped": 7.0, "median_income_rest": 3.0}
    assert "Their median income" in nv.capped_sentence(capped)
    assert "Their median income" not in nv.capped_sentence({**capped, "median_income_capped": 2.0})


def test_skew_and_correlation_sentences():
    table = pd.DataFrame({"column": ["AveOccup", "MedInc"], "skewness": [90.0, 1.0], "max": [1000.0, 15.0],
                          "median": [2.8, 3.5]})
    assert "long right tails" in nv.skew_sentence(table, ["AveOccup"], 2.0)
    assert "No feature" in nv.skew_sentence(table, [], 2.0)
    corr = pd.DataFrame({"feature": ["MedInc", "AveRooms", "Latitude", "Longitude"],
                         "meaning": ["median income", "rooms", "latitude", "longitude"],
                         "spearman r": [0.67, 0.26, -0.16, -0.07]})
    assert "no monotone trend" in nv.correlation_sentence(corr)
    corr.loc[2, "spearman r"] = -0.5
    assert "no monotone trend" not in nv.correlation_sentence(corr)


def test_budget_search_and_encoding_sentences():
    a = {"candidates": 8, "cv_folds": 3, "rounds": [[8, 20], [3, 60]], "method": "halving"}
    assert "same budget" in nv.budget_sentence(a, dict(a))
    assert "budgets differ" in nv.budget_sentence(a, {**a, "candidates": 4})
    assert "runs on every outer split's fit rows" in nv.budget_sentence(a, dict(a), rows=0, fit_rows=13_209)
    assert "a random 8,000 of each outer split's 13,209 fit rows (the same rows for both models" in nv.budget_sentence(a, dict(a), rows=8000, fit_rows=13_209)
    assert "runs on every outer split's fit rows" in nv.budget_sentence(a, dict(a), rows=20_000, fit_rows=13_209)
    assert "1 round " in nv.budget_sentence({**a, "rounds": [[2, 5]]}, {**a, "rounds": [[2, 5]]})
    assert "same configuration" in nv.search_sentence({0: {"lr": 0.1}, 1: {"lr": 0.1}}, "HGB")
    assert "different configurations" in nv.search_sentence({0: {"lr": 0.1}, 1: {"lr": 0.2}}, "HGB")
    assert "on every outer split" in nv.encoding_sentence({0: "ple", 1: "ple"})
    assert "differs per split" in nv.encoding_sentence({0: "ple", 1: "standard"})


def test_gap_sentence_branches():
    big = run("m", "the net", [0.6, 0.6, 0.6], train=[0.3, 0.3, 0.3])
    assert nv.gap_sentence(big) == ("The net scores 0.300 RMSE on its fit rows and 0.600 on test: it fits its fit rows "
                                    "far better than it generalizes (a generalization gap of 50.0 % of the test error).")
    epochs = np.arange(1, 13)
    swing = [0.5, 0.45, 0.4, 0.46, 0.38, 0.47, 0.37, 0.48, 0.36, 0.47, 0.37, 0.46]
    big.splits[0].detail["history"] = pd.DataFrame({"epoch": epochs, "train_loss": [v + 0.05 for v in swing],
                                                    "validation_loss": swing})
    text = nv.gap_sentence(big)  # the caption says "unstable, not overfitting": the sentence must not contradict it
    assert "overfit" not in text and "swings too much over the epochs to show when the gap opens" in text
    big.splits[0].detail["history"] = pd.DataFrame({"epoch": epochs, "train_loss": 1.0 / epochs, "validation_loss": [
        1.0, 0.8, 0.6, 0.5, 0.45, 0.42, 0.43, 0.46, 0.5, 0.55, 0.6, 0.66]})
    assert "its curves show the later epochs overfitting" in nv.gap_sentence(big)
    assert "moderate" in nv.gap_sentence(run("m", "the net", [0.5, 0.5, 0.5], train=[0.45, 0.45, 0.45]))
    close = run("m", "gradient boosting (HGB)", [0.5, 0.5, 0.5], train=[0.49, 0.49, 0.49])
    assert nv.gap_sentence(close) == ("The fit-row and test RMSE of gradient boosting (HGB) are close (0.490 and "
                                      "0.500, means over the outer splits): no sign of overfitting.")  # no "(HGB)'s"
    epochs = np.arange(1, 13)
    # the validation loss turns up while the training loss keeps falling: the curve figure says "overfit"
    over = pd.DataFrame({"epoch": epochs, "train_loss": 1.0 / epochs,
                         "validation_loss": [1.0, 0.8, 0.6, 0.5, 0.45, 0.42, 0.43, 0.46, 0.5, 0.55, 0.6, 0.66]})
    close.splits[0].detail["history"] = over
    text = nv.gap_sentence(close)
    assert "no sign of overfitting" not in text and "its curves show the later epochs overfitting" in text
    assert "overfit" in nv.caption_curves(over, "the net")  # caption and sentence read the same diagnosis
    # both curves swing, the gap does not widen: unstable training, not overfitting, in both places
    swing = [0.5, 0.45, 0.4, 0.46, 0.38, 0.47, 0.37, 0.48, 0.36, 0.47, 0.37, 0.46]
    close.splits[0].detail["history"] = pd.DataFrame({"epoch": epochs, "train_loss": [v + 0.05 for v in swing],
                                                      "validation_loss": swing})
    text = nv.gap_sentence(close)
    assert ("no sign of overfitting at the end of training, while the swings of its validation loss (unstable "
            "training) hide any trend of the gap over the epochs") in text
    assert "unstable" in nv.caption_curves(close.history, "the net")


def _res(capped_residual: float, spread_hi: float):
    n = 200
    pred = np.linspace(0.5, 4.5, n)
    rng = np.random.default_rng(0)
    resid = np.where(pred > np.median(pred), rng.normal(0, spread_hi, n), rng.normal(0, 0.1, n))
    capped = np.zeros(n, bool)
    capped[-10:] = True
    resid[capped] = capped_residual
    lon = np.where(np.arange(n) % 2 == 0, -122.0, -118.0)
    return pd.DataFrame({"prediction": pred, "residual": resid, "truth": pred + resid, "capped": capped,
                         "Longitude": lon, "Latitude": 35.0, "MedInc": pred})


def test_residual_sentences_and_captions():
    text = nv.residual_sentence(_res(1.0, 0.5), "the net")
    assert "too low" in text and "errors grow with the value" in text
    text = nv.residual_sentence(_res(-0.1, 0.1), "the net")
    assert "too high" in text and "errors grow" not in text
    assert "predicts them too low" in nv.caption_residuals(_res(1.0, 0.1), "the net")
    assert "centred near zero" in nv.caption_residuals(_res(-1.0, 0.1), "the net")
    assert "larger in the" in nv.caption_residual_map(_res(1.0, 0.1), "the net")


def test_decile_sentence_branches():
    base = pd.DataFrame({"decile": range(1, 11), "RMSE": np.linspace(0.3, 0.9, 10), "rows": 10, "capped rows": 0,
                         "mean residual": 0.0})
    assert "top decile" not in nv.decile_sentence(base)
    high = base.copy()
    high.loc[9, "mean residual"], high.loc[9, "capped rows"] = 0.3, 4
    assert "predicts too low" in nv.decile_sentence(high)
    low = base.copy()
    low.loc[9, "mean residual"] = -0.3
    assert "predicts too high" in nv.decile_sentence(low)


def test_regularization_and_recommendation():
    table = pd.DataFrame({"change": ["dropout", "L2"], "verdict": [V.PAR, V.PAR]})
    assert "Both changes leave" in nv.regularization_sentence(table)
    assert "no regularizer" in nv.regularization_caption(table)
    table["verdict"] = [V.BETTER, V.WORSE]
    assert "better" in nv.regularization_sentence(table) and "worse" in nv.regularization_sentence(table)
    assert "1 regularizer lowers" in nv.regularization_caption(table)
    table["verdict"] = [V.WORSE, V.PAR]
    assert nv.regularization_caption(table) == ("Takeaway: no regularizer lowers the test RMSE beyond the noise and 1 "
                                                "raises it; the rest on a par.")
    table["verdict"] = [V.WORSE, V.UNDECIDED]  # the rest by their own words, never assumed on a par
    assert nv.regularization_caption(table).endswith("1 raises it; the rest undecided.")
    table["verdict"] = [V.WORSE, V.PAR]
    table["verdict"] = [V.BETTER, V.BETTER]
    assert "2 regularizers lower the test RMSE beyond the noise and none raises it" in nv.regularization_caption(table)
    runs = {"hgb": run("hgb", "HGB", [0.4, 0.4, 0.4]), "lin": run("lin", "linear", [0.7, 0.7, 0.7])}
    rec = {"model": "hgb", "validation": 0.41, "test": 0.4, "runner_up": "lin"}
    assert "Runner-up on validation: linear" in nv.recommendation_sentence(rec, runs)
    assert "the lowest RMSE" in nv.recommendation_sentence(rec, runs)
    assert "the highest macro-F1" in nv.recommendation_sentence({**rec, "runner_up": None}, runs, "macro_f1", True)
    assert "none is recommended" in nv.recommendation_sentence(None, runs)


def test_scores_anchor_and_caption_branches():
    runs = {"mlp_tuned": run("mlp_tuned", "the tuned MLP", [0.47, 0.46, 0.48]), "hgb": run("hgb", "HGB", [0.45] * 3)}
    assert "HGB is lowest; the tuned MLP and HGB are at or below" in nv.caption_scores(runs, ["mlp_tuned", "hgb"], 0.48)
    assert "no model reaches" in nv.caption_scores(runs, ["mlp_tuned", "hgb"], 0.40)
    anchors = {"source": "ref", "rmse": {"mlp": 0.499, "resnet": 0.486, "ft_transformer": 0.459, "tuned_gbdt": 0.43}}
    assert "is below their MLP" in nv.anchors_sentence(anchors, runs)
    runs["mlp_tuned"] = run("mlp_tuned", "the tuned MLP", [0.6] * 3)
    assert "is not below their MLP" in nv.anchors_sentence(anchors, runs)
    assert "For scale" not in nv.anchors_sentence(anchors, runs)
    runs["linear"] = run("linear", "linear regression", [0.68, 0.69, 0.70])
    assert nv.anchors_sentence(anchors, runs).endswith(
        "For scale, our linear regression, the simplest fitted model, reaches 0.690.")
    titled = {**anchors, "source": "Gorishniy et al. (2021), Revisiting Deep Learning Models for Tabular Data, their split"}
    assert ("Gorishniy et al. (2021) (*Revisiting Deep Learning Models for Tabular Data*) report test RMSE 0.499"
            in nv.anchors_sentence(titled, runs))
    assert "All 100 rows" in nv.subsample_sentence(100, 100)
    assert "subsample of 50" in nv.subsample_sentence(50, 100)


def test_ensemble_sentence_branches():
    assert "single fit" in nv.ensemble_sentence(1, {}, {})
    text = nv.ensemble_sentence(3, {"hgb": 0.0, "mlp": 0.02}, {"hgb": "HGB", "mlp": "the tuned MLP"})
    assert "the members of HGB are identical" in text and "the members of the tuned MLP differ by 0.020" in text


def test_curve_caption_takeaway_continues_the_sentence():
    h = pd.DataFrame({"epoch": [1, 2, 3, 4], "train_loss": [1.0, 0.8, 0.7, 0.6],
                      "validation_loss": [1.0, 0.9, 0.95, 1.2]})
    text = nv.caption_curves(h, "the tuned MLP")
    assert "Takeaway: the validation loss of the tuned MLP" in text
    assert nv.caption_curves(None, "the tuned MLP").endswith("never used).")


def test_search_captions_say_what_the_table_shows_and_both_epoch_budgets():
    from types import SimpleNamespace

    result = SimpleNamespace(best_params={"enc__kind": "ple", "hidden": [256, 256], "epochs": 30}, best_score=-0.512,
                             n_candidates=8)
    cap = nv.caption_search(result, 60)
    assert "at 30 epochs, 8 candidates); its final fits train it for 60 epochs." in cap and "epochs 30" not in cap
    assert "encoding piecewise-linear" in cap and "ple" not in cap.replace("example", "")  # no code value
    assert nv.caption_search(result, 30).endswith("at 30 epochs, 8 candidates).")
    skipping = pd.DataFrame({"rank": [1, 2, 3, 7, 8], "budget": [30, 30, 30, 10, 10]})
    text = nv.search_table_caption(skipping, result, 60)
    assert text.startswith("The 5 best-ranked of the 8 MLP configurations") and "last halving round" in text
    assert "so the ranks skip" in text and text.endswith("its final fits train it for 60 epochs.")
    plain = nv.search_table_caption(pd.DataFrame({"rank": [1, 2, 3]}), result, 60)
    assert "skip" not in plain and "halving" not in plain
    every = nv.search_table_caption(pd.DataFrame({"rank": list(range(1, 9))}), result, 60)
    assert every.startswith("All 8 MLP configurations of the first split's search")  # not "the 8 best of the 8"
    assert "up to 30 epochs (its last round)" in nv.epochs_sentence(30, 60) and "for 60 epochs, more" in nv.epochs_sentence(30, 60)
    assert nv.epochs_sentence(40, 40) == "The chosen configuration's final fits train for the search's 40 epochs."


def test_columns_table_prints_each_row_in_its_own_precision():
    from mlplab.california import features as fx
    from mlplab.data.california import FEATURES, TARGET

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({c: rng.uniform(0.5, 15.0, 200) for c in (*FEATURES, TARGET)})
    frame["HouseAge"] = rng.integers(1, 53, 200).astype(float)
    frame["Population"] = rng.integers(3, 35_682, 200).astype(float)
    shown = fx.shown_columns(fx.describe(frame), frame).set_index("column")
    age, pop, inc = shown.loc["HouseAge"], shown.loc["Population"], shown.loc["MedInc"]
    assert age["max"] == f"{frame['HouseAge'].max():.0f}" and "." not in age["median"] and age["mean"].count(".") == 1
    assert "," in pop["max"] and "." not in pop["min"]
    assert inc["min"] == f"{frame['MedInc'].min():.3f}"
    assert shown["skewness"].dtype == float  # the sentences read it as a number
    halves = frame.iloc[:2].assign(HouseAge=[28.0, 29.0])
    assert fx.shown_columns(fx.describe(halves), halves).set_index("column").loc["HouseAge", "median"] == "28.5"


def test_capped_caption_says_how_much_larger_the_capped_errors_are():
    table = pd.DataFrame({"model": ["linear regression", "the tuned MLP"], "RMSE capped": [1.540, 0.918],
                          "RMSE other rows": [0.586, 0.436], "share of squared error %": [24.07, 16.86]})
    assert nv.caption_capped(table) == ("Takeaway: for every model the RMSE on the capped rows is 2.1 to 2.6 times that "
                                        "on the other rows; they carry up to 24.1 % of the squared error (linear "
                                        "regression).")
    assert "this split has no capped test rows" in nv.caption_capped(table.assign(**{"RMSE capped": float("nan")}))
