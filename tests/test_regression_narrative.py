"""Every qualitative clause of the NYSE chapter follows a computed condition: one test per branch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlplab.experiment.record import Run, SplitResult
from mlplab.regression import narrative as nv

PRICES = ["open", "close", "low", "high", "volume"]


def corr(price_r: float, volume_r: float) -> pd.DataFrame:
    m = np.full((5, 5), price_r)
    np.fill_diagonal(m, 1.0)
    m[4, :4] = m[:4, 4] = volume_r
    return pd.DataFrame(m, index=PRICES, columns=PRICES)


def run(name: str, rmse: list[float], role="baseline", r2=None, validation=None) -> Run:
    r = Run(name, role, name.replace("_", " "))
    for i, v in enumerate(rmse):
        test = {"rmse": v, "mse": v * v, "mae": v, "r2": 0.99, "mape": 1.0, "r2_return": (r2 or [0.5] * len(rmse))[i]}
        val = {"rmse": (validation or rmse)[i], "r2_return": 0.5}
        r.splits.append(SplitResult(i, i, dict(test), val, test))
    return r


def test_collinearity_near_identical_strong_and_plain():
    text = nv.collinearity_finding(corr(0.9999, -0.05))
    assert "almost perfectly" in text and "nearly a linear function" in text and "barely related" in text
    text = nv.collinearity_finding(corr(0.95, 0.2))
    assert "strongly correlated" in text and "linear function" not in text and "weakly related" in text
    text = nv.collinearity_finding(corr(0.10, 0.5))
    assert "almost" not in text and "linear" not in text and "strongly" not in text and "noticeably related" in text
    assert "r ≥ 0.100" in text


def test_skew_branches():
    q = {"med": 30.0, "p99": 400.0, "lo": 1.0, "hi": 1500.0}
    assert "right-skewed" in nv.skew_finding({"close": 3.0, "volume": 5.0}, q)
    assert "left-skewed" in nv.skew_finding({"close": -2.0, "volume": 5.0}, q)
    assert "roughly symmetric" in nv.skew_finding({"close": 0.3, "volume": 5.0}, q)
    assert "dominated by the few expensive" in nv.hist_caption({"close": 3.0}, q)
    assert "not strongly skewed" in nv.hist_caption({"close": 0.3}, q)


def test_volume_finding_states_why_volume_is_left_out_only_when_it_carries_nothing():
    assert "almost no linear information" in nv.volume_finding(0.01)
    text = nv.volume_finding(0.4)
    assert "almost no" not in text and "+0.400" in text


def test_lab_sentence_branches():
    ols = run("ols", [1.0, 1.0, 1.0], r2=[0.5, 0.5, 0.5])
    lab = run("lab_protocol", [100.0], role="leaky_reference", r2=[-30.0])
    lab.settings = {"epochs": 50, "batch_size": 256}
    assert "worse than predicting no move" in nv.lab_sentence(lab, ols)
    lab.splits[0].test["r2_return"] = -2418217.068
    assert "R² of the intraday return of -2,418,217." in nv.lab_sentence(lab, ols)  # no spurious decimals
    lab.splits[0].test["r2_return"] = 0.3
    text = nv.lab_sentence(lab, ols)
    assert "learns less of the intraday move than a linear fit" in text and "worse than predicting" not in text
    lab.splits[0].test["r2_return"] = 0.6
    assert "at least as much of the intraday move" in nv.lab_sentence(lab, ols)


def test_formulation_and_tuning_sentences_follow_the_verdict():
    runs = {"mlp_baseline": run("mlp_baseline", [1.0, 1.01, 0.99]),
            "mlp_baseline_close": run("mlp_baseline_close", [5.0, 5.2, 4.9])}
    text = nv.formulation_sentence(runs, None, "intraday_return")
    assert "is better than" in text and "spares the network" in text
    runs["mlp_baseline_close"] = run("mlp_baseline_close", [0.5, 0.51, 0.49])
    text = nv.formulation_sentence(runs, None, "intraday_return")
    assert "is worse than" in text and "serves the network better" in text
    runs["mlp_baseline_close"] = run("mlp_baseline_close", [1.001, 1.009, 0.990])
    text = nv.formulation_sentence(runs, None, "intraday_return")
    assert "on a par with" in text and "spares" not in text and "serves" not in text
    runs["mlp_baseline_close"] = run("mlp_baseline_close", [1.05, 0.95, 1.0])
    text = nv.formulation_sentence(runs, None, "intraday_return")
    assert "is undecided" in text and "spares" not in text and "serves" not in text
    runs = {"mlp_baseline": run("mlp_baseline", [1.0, 1.01, 0.99]), "mlp_tuned": run("mlp_tuned", [1.001, 1.009, 0.990])}
    assert "no configuration that transfers" in nv.tuning_sentence(runs, None)
    runs["mlp_tuned"] = run("mlp_tuned", [1.02, 0.98, 1.0])
    assert "transfer" not in nv.tuning_sentence(runs, None)
    runs["mlp_tuned"] = run("mlp_tuned", [1.5, 1.51, 1.49])
    assert "did not transfer" in nv.tuning_sentence(runs, None)
    runs["mlp_tuned"] = run("mlp_tuned", [0.5, 0.51, 0.49])
    text = nv.tuning_sentence(runs, None)
    assert "is better than the baseline MLP" in text and "transfer" not in text


def history(values: list[float], train: list[float] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"epoch": range(1, len(values) + 1), "validation_loss": values,
                         "train_loss": values if train is None else train})


def test_curve_finding_branches():
    """Caption and sentence read one diagnosis (experiment.curves.diagnose): the caption in a few words, the
    sentence in full; overfitting only when the gap widens; never the same words twice."""
    assert nv.curves_caption(history([1.0, 0.8, 0.7, 0.6]), "the net") == \
        "The validation loss is still falling at the last epoch."
    h = history([1.0, 0.5, 0.6, 0.7], train=[1.0, 0.4, 0.3, 0.2])
    text = nv.curves_caption(h, "the net")
    assert text == "The later epochs overfit (validation loss lowest at epoch 2, gap widening)."
    assert "lowest at epoch 2 of 4" in nv.curve_finding(h, "the net") and "overfit" in nv.curve_finding(h, "the net")
    h = history([1.0, 0.5, 0.6, 0.7])  # both curves rise together: no widening gap, no overfitting
    assert nv.curves_caption(h, "the net") == "Both curves drift together after their minimum; no overfitting."
    assert "not overfitting" in nv.curve_finding(h, "the net")
    text = nv.curves_caption(history([1.0, 0.5, 0.5, 0.5001]), "the net")
    assert "flattened" in text and "overfit" not in text and "still falling" not in text
    # the fit-row loss above the validation loss, flat gap: explained, not called overfitting
    h = history([0.12, 0.10, 0.106, 0.112], train=[0.25, 0.2, 0.19, 0.17])
    cap, sentence = nv.curves_caption(h, "the net"), nv.curve_finding(h, "the net")
    assert cap.startswith("Both curves drift together after their minimum; no overfitting")
    assert "the later epochs overfit" not in sentence and "not overfitting" in sentence
    assert cap.endswith("; the training loss sits above the validation loss (explained in the text).")
    assert "The training loss sits above the validation loss because" in sentence and cap not in sentence
    # flat curves a little apart (4 % above the minimum): flattened, the row mix explained
    h = history([0.12, 0.10, 0.101, 0.104], train=[0.25, 0.19, 0.19, 0.19])
    assert "flattened" in nv.curves_caption(h, "the net")
    assert "the fit rows are harder to predict than the validation rows" in nv.curve_finding(h, "the net")
    assert nv.curves_caption(pd.DataFrame({"epoch": [1], "train_loss": [1.0]}), "the net") == "Loss per epoch of the net."


def test_search_sentence_flags_a_winner_at_the_edge_of_the_grid():
    class R:
        method, n_candidates, n_fits, cv_folds, searched_rows, seconds = "halving", 36, 200, 3, 1000, 12.0
        best_params = {"lr": 0.003, "epochs": 27}
        best_score = -0.01

    assert "largest epoch budget" in nv.search_sentence(R(), 5000, [3, 9, 27])
    R.best_params = {"lr": 0.003, "epochs": 9}
    text = nv.search_sentence(R(), 5000, [3, 9, 27])
    assert "largest" not in text and "learning rate 0.003" in text and "most recent of the 5,000" in text


def test_error_sentence_branches():
    y = np.array([10.0, 20.0, 300.0, 400.0])
    detail = {"y_true": y, "y_pred": y * 1.01, "symbol": np.array(["A", "B", "C", "D"])}
    per = pd.DataFrame({"symbol": ["D"], "median close": [400.0], "share of squared error %": [80.0]})
    text = nv.error_sentence(detail, per)
    assert "grow with the price level" in text and "mostly measures that symbol" in text
    detail = {"y_true": y, "y_pred": y + np.array([1.0, -1.0, 1.0, -1.0])}
    per = pd.DataFrame({"symbol": ["D"], "median close": [400.0], "share of squared error %": [25.0]})
    text = nv.error_sentence(detail, per)
    assert "barely depend on the price level" in text and "mostly measures" not in text


def test_recommendation_sentence():
    runs = {"a": run("a", [1.0, 1.0, 1.0]), "b": run("b", [1.2, 1.21, 1.19])}
    rec = {"model": "a", "validation": 0.9, "runner_up": "b"}
    text = nv.recommendation_sentence(rec, runs, None)
    assert "**a**" in text and "better than the validation runner-up, b" in text
    assert "none is recommended" in nv.recommendation_sentence(None, runs, None)


def test_regularization_sentence_and_caption_from_verdicts():
    table = pd.DataFrame({"change": ["dropout", "L2 weight decay"], "verdict": ["on a par", "on a par"]})
    assert "Both changes leave" in nv.regularization_sentence(table)
    assert "No regularizer changes" in nv.regularization_caption(table)
    table = pd.DataFrame({"change": ["dropout", "L2 weight decay", "batch normalization"],
                          "verdict": ["better", "worse", "on a par"]})
    text = nv.regularization_sentence(table)
    assert text.startswith("Dropout is better than its reference; L2 weight decay is worse than its reference; "
                           "batch normalization is on a par with its reference")
    assert nv.regularization_caption(table) == "1 regularizer better and 1 worse than their reference; the rest on a par."
    one_worse = pd.DataFrame({"change": ["dropout", "L2"], "verdict": ["worse", "worse"]})
    assert nv.regularization_caption(one_worse) == "2 regularizers worse than their reference."
    worse_and_par = pd.DataFrame({"change": ["dropout", "L2"], "verdict": ["worse", "on a par"]})
    assert nv.regularization_caption(worse_and_par) == "1 regularizer worse than its reference; the rest on a par."


@pytest.mark.parametrize("missing,expected", [(0, "Every symbol has a row on every trading day."),
                                              (10, "which is why there are 10 fewer rows")])
def test_data_sentence(missing, expected):
    summary = {"rows": 100, "symbols": 2, "days": 55, "date_min": "2010-01-04", "date_max": "2010-03-31",
               "symbols_full_history": 1, "rows_if_complete": 100 + missing}
    assert expected in nv.data_sentence(summary, False)
    assert "**synthetic**" in nv.data_sentence(summary, True)


def test_extract_sentence_against_the_published_file():
    summary = {"rows": 7048, "symbols": 4, "days": 1762, "date_min": "2010-01-04", "date_max": "2016-12-30",
               "symbols_full_history": 4, "rows_if_complete": 7048}
    text = nv.data_sentence(summary, False, ["AAL", "DOW", "EQIX", "ZION"])
    assert ("The file is an extract of the Kaggle file: 4 of its 501 symbols and 7,048 of its 851,264 rows (0.8 %). "
            "Every number below describes these 4 symbols (AAL, DOW, EQIX, ZION)") in text
    assert "extract" not in nv.data_sentence(summary, True)  # synthetic prices say so instead
    whole = {**summary, "rows": 851264, "symbols": 501, "rows_if_complete": 501 * 1762}
    assert "The file is the whole published Kaggle file (501 symbols, 851,264 rows)." in nv.data_sentence(whole, False)
    assert nv.is_extract(4, 7048) and not nv.is_extract(501, 851264)


def test_coverage_caption_names_an_extract():
    from mlplab.regression import eda

    cov = {"rows": 7048, "symbols": 4, "symbols_full_history": 4}
    assert eda.coverage_caption(cov) == "The extract holds 4 of the published file's 501 symbols. Every symbol trades on every day."
    assert eda.coverage_caption(cov, True) == "Every symbol trades on every day."


def test_the_early_stopping_reference_is_a_control():
    from mlplab.regression import steps

    plan = {"mlp_tuned_dropout": {"regularizer": "dropout", "reference": "mlp_tuned"},
            "mlp_tuned_early_stopping": {"regularizer": "early_stopping", "reference": "mlp_tuned_es_reference"},
            "mlp_tuned_es_reference": {"regularizer": None, "reference": "mlp_tuned"}}
    assert steps.control_names(plan) == ["mlp_tuned_es_reference"]
    labels = [label for *_, label in steps.regularization_pairs(plan)]
    assert labels[2] == "the stopping slice held out, no stopping (not a regularizer)"


def test_search_is_named_successive_halving_over_a_grid():
    class R:
        method, n_candidates, n_fits, cv_folds, searched_rows, seconds = "halving", 36, 200, 3, 1000, 12.0
        best_params = {"lr": 0.003, "epochs": 9}
        best_score = -0.01

    text = nv.search_sentence(R(), 5000, [3, 9, 27])
    assert text.startswith("The successive-halving search over a grid (scikit-learn's HalvingGridSearchCV) compared 36 "
                           "configurations")
    R.method = "grid"
    assert nv.search_sentence(R(), 5000, [3, 9, 27]).startswith(
        "The exhaustive grid search (scikit-learn's GridSearchCV) compared")


def test_correlation_bound_never_prints_r_at_least_one():
    assert nv.r_bound(0.99983) == "r > 0.999" and nv.r_bound(0.9512) == "r ≥ 0.951"
    assert nv.r_bound(0.99983, 4) == "r ≥ 0.9998" and nv.r_bound(0.99996, 4) == "r > 0.9999"
    assert nv.r_bound(1.0) == "r ≥ 1.000"  # a true 1 stays exact
    assert nv.corr_caption(corr(0.99983, -0.4)).startswith("The four prices are near-duplicates (r > 0.999)")
    assert "1.000" not in nv.corr_caption(corr(0.99983, -0.4))


def test_box_caption_branches():
    assert nv.box_caption({"close": 0.176, "volume": 0.027}).startswith("17.6 % of the closes and 2.7 % of the volumes")
    assert nv.box_caption({"close": 0.176, "volume": 0.027}).endswith("on the log scale the close has more extreme values.")
    assert nv.box_caption({"close": 0.01, "volume": 0.05}).endswith("on the log scale the volume has more extreme values.")
    assert nv.box_caption({"close": 0.05, "volume": 0.05}).endswith("on the log scale both have as many extreme values.")
    assert nv.box_caption({"close": 0.0, "volume": 0.0}).startswith("No close and no volume")


def test_tuning_sentence_states_the_training_budgets():
    runs = {"mlp_baseline": run("mlp_baseline", [1.0, 1.01, 0.99]), "mlp_tuned": run("mlp_tuned", [0.5, 0.51, 0.49])}
    runs["mlp_baseline"].settings = {"epochs": 6, "batch_size": 4096}
    runs["mlp_tuned"].settings = {"epochs": 27, "batch_size": 2048}
    text = nv.tuning_sentence(runs, None, 4520)
    assert text.endswith("The training budgets differ: the tuned MLP trained 27 epochs at batch size 2,048 (81 updates "
                         "on 4,520 fit rows), the baseline MLP 6 epochs at batch size 4,096 (12 updates), so the "
                         "difference mixes the change with longer training.")
    runs["mlp_baseline"].settings = {"epochs": 27, "batch_size": 2048}
    assert nv.tuning_sentence(runs, None, 4520).endswith("Both trained with equal budgets (81 updates each on 4,520 "
                                                         "fit rows).")
    assert "budget" not in nv.tuning_sentence(runs, None)  # rows unknown: no budget claimed


def test_glossary_defines_the_training_budget_with_the_numbers_prose_computes():
    from mlplab.experiment.prose import updates
    from mlplab.glossary import terms

    text = terms()["training budget"]
    assert updates({"epochs": 6, "batch_size": 4096}, 4520) == 12 and "are 12 updates" in text
    assert updates({"epochs": 27, "batch_size": 2048}, 4520) == 81 and "2,048 are 81" in text


def test_residuals_are_truth_minus_prediction_as_the_glossary_says():
    detail = {"y_true": np.array([10.0, 20.0, 30.0, 40.0]), "y_pred": np.array([9.0, 19.0, 29.0, 39.0])}
    assert nv.residual_caption(detail).startswith("Residuals centre on \\$1.000")  # predicted too low: positive
    from mlplab.plots.regression import plot_residuals

    fig = plot_residuals(detail["y_true"], detail["y_pred"])
    assert fig.axes[0].get_xlabel().startswith("residual: actual − predicted")
    assert fig.axes[0].patches[0].get_x() > 0  # the histogram sits at +1


def test_no_superlative_without_a_ranking():
    from mlplab.regression import eda

    tie = pd.DataFrame({"sector": ["Industrials", "Materials"], "rows": [1762, 1762], "symbols": [1, 1]})
    assert eda.sector_caption(tie) == "Each of the 2 sectors holds 1,762 rows."
    ranked = pd.DataFrame({"sector": ["Industrials", "Materials"], "rows": [3524, 1762], "symbols": [2, 1]})
    assert eda.sector_caption(ranked) == "Industrials holds the most rows (3,524, 2 symbols)."
    assert nv.symbol_lead(4, 4) == "Test RMSE of each of the 4 symbols, largest first."
    assert nv.symbol_lead(10, 501) == "Test RMSE per symbol, the 10 largest of 501."


def test_the_epoch_edge_is_answered_by_the_curve():
    epochs = np.arange(1, 13)
    falling = pd.DataFrame({"epoch": epochs, "train_loss": 1.0 / epochs, "validation_loss": 1.2 / epochs})
    assert "still falling: a larger epoch budget" in nv.epoch_edge_sentence(falling, 12, [3, 6, 12])
    flat = pd.DataFrame({"epoch": epochs, "train_loss": [1.0] * 12, "validation_loss": [0.5] * 12})
    assert "no longer falling: the edge of the grid did not cut" in nv.epoch_edge_sentence(flat, 12, [3, 6, 12])
    assert nv.epoch_edge_sentence(falling, 6, [3, 6, 12]) == ""  # inside the grid: nothing was promised
    assert nv.epoch_edge_sentence(None, 12, [3, 6, 12]) == ""


def test_architecture_caption_never_nests_parentheses():
    import torch

    items = [(torch.nn.Linear(4, 64), "The lab's network (unscaled)"), (torch.nn.Linear(2, 8), "Baseline MLP (standardized)")]
    assert nv.arch_caption(items) == ("The lab's network (unscaled) is the largest, with 320 trainable parameters; "
                                      "Baseline MLP (standardized) the smallest, with 24.")


def test_search_caption_says_when_the_survivors_are_closer_than_the_folds_disagree():
    from types import SimpleNamespace

    table = pd.DataFrame({"iter": [0, 0, 1, 1], "mean_test_rmse": [0.02, 0.03, 0.0087398, 0.0088048],
                          "std_test_rmse": [0.002, 0.002, 0.0018, 0.0018]})
    text = nv.search_caption(SimpleNamespace(cv_results=table, n_candidates=2))
    assert text == ("In the last round the 2 surviving configurations lie within 0.000065 of each other in CV RMSE, "
                    "less than the spread over the folds (SD 0.0018): the winner is one of several equally good "
                    "configurations.")
    apart = table.assign(std_test_rmse=[0.002, 0.002, 0.00001, 0.00001])
    assert nv.search_caption(SimpleNamespace(cv_results=apart, n_candidates=2)).endswith("rank 1 is the winner.")


def test_baseline_budget_is_said_where_the_baseline_is_scored():
    class R:
        settings = {"epochs": 6, "batch_size": 4096}

    text = nv.baseline_budget_sentence(R(), 4520)
    assert text.startswith("The baseline MLP trains 6 epochs at batch size 4,096 on the 4,520 fit rows: 12 optimizer "
                           "updates, a small budget") and "mixes better settings with longer training" in text
    R.settings = {"epochs": 50, "batch_size": 64}
    assert nv.baseline_budget_sentence(R(), 4520).endswith("(3,550 optimizer updates).")
    R.settings = {}
    assert nv.baseline_budget_sentence(R(), 4520) == ""
