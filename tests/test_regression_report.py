"""Generated prose, the results document and the regression figures, on hand-made runs."""

import types

import matplotlib
import numpy as np
import pandas as pd
import pytest

from mlplab.regression import narrative as nv
from mlplab.regression.document import build_results, curve_summary, per_seed_frame, regularization_rows
from mlplab.timings import Timings
from mlplab.regression.experiment import ModelRun, error_by_symbol, for_display, metrics_table, quality_bar
from mlplab.regression.features import Design
from mlplab.results import validate


def _m(rmse, train=None):
    """Metrics with a given RMSE (test) for hand-made runs."""
    return {"rmse": rmse, "mae": rmse * 0.7, "r2": 0.99, "mape": 1.0, "mse": rmse ** 2}


def _run(name, test, train=None, seeds=None, target="intraday_return", history=None):
    r = ModelRun(name, _m(train or test), _m(test), 1.0, target, history=history)
    if seeds:
        r.seed_tests = [_m(s) for s in seeds]
        r.seeds = list(range(len(seeds)))
    return r


def _history(test_losses):
    n = len(test_losses)
    return pd.DataFrame({"epoch": np.arange(1, n + 1), "train_loss": np.linspace(1, 0.5, n),
                         "test_loss": test_losses, "train_r2": np.linspace(0, 0.5, n), "test_r2": np.linspace(0, 0.4, n)})


def _runs():
    return {"naive": _run("naive", 2.0), "ols": _run("ols", 1.45, target="close"), "ols_return": _run("ols_return", 1.0),
            "lab_protocol": _run("lab_protocol", 30.0, target="close"),
            "mlp_baseline": _run("mlp_baseline", 1.0, seeds=[1.0, 1.02, 0.99]),
            "mlp_baseline_close": _run("mlp_baseline_close", 2.0, seeds=[2.0, 1.3, 2.6], target="close"),
            "mlp_tuned": _run("mlp_tuned", 0.98, 0.97, seeds=[0.98, 0.99, 0.985], history=_history([1, 0.8, 0.7, 0.72])),
            "mlp_tuned_dropout": _run("mlp_tuned_dropout", 1.01, history=_history([1, 0.9, 0.8, 0.79]))}


def test_quality_bar_ratios_per_seed():
    runs = _runs()
    q = quality_bar(runs["mlp_tuned"], {"ols": runs["ols"], "ols_return": runs["ols_return"]})
    assert q["ratio_vs_ols"] == pytest.approx([0.98 / 1.45, 0.99 / 1.45, 0.985 / 1.45])
    assert q["median_ratio_vs_ols_return"] == pytest.approx(0.985) and q["passes_vs_ols_return"]
    worse = quality_bar(_run("t", 1.2, seeds=[1.2, 1.1, 0.9]), {"ols_return": runs["ols_return"]})
    assert worse["median_ratio_vs_ols_return"] == pytest.approx(1.1) and not worse["passes_vs_ols_return"]
    text = nv.seeds_sentence(worse)
    assert "1.100 (misses the bar" in text


def test_sentences_follow_the_numbers():
    runs = _runs()
    text = nv.baselines_sentence(runs)
    assert "\\$2.000" in text and "20.7× the OLS error" in text and "31.0 % lower" in text
    form = nv.formulation_sentence({"intraday_return": runs["mlp_baseline"], "close": runs["mlp_baseline_close"]})
    assert "more stable across seeds" in form and "range \\$1.300 – \\$2.600" in form
    level = _run("naive", 2.0, 1.0)  # prices doubled between the periods
    gap = nv.gap_sentence(_run("t", 1.0, 0.5, history=_history([1, 0.8, 0.7, 0.71])), level)
    assert "lowest at epoch 3 of 4" in gap and "excess gap is 1.00" in gap and "no overfitting" in gap
    over = nv.gap_sentence(_run("x", 3.0, 1.0), level)
    assert "test/train = 3.00" in over and "excess gap is 1.50" in over and "**overfits**" in over
    late = nv.gap_sentence(runs["mlp_tuned"], runs["mlp_tuned"])
    assert "it rises again" not in late and "**overfits**" not in late
    rising = nv.gap_sentence(_run("r", 1.0, 1.0, history=_history([1, 0.5, 0.6, 0.7])), level)
    assert "it rises again" in rising and "**overfits**" in rising


def test_regularization_sentence_and_rows():
    runs = _runs()
    table = metrics_table({n: runs[n] for n in ("mlp_tuned", "mlp_tuned_dropout")})
    text = nv.regularization_sentence(table)
    assert "None of the 1 regularized variants lowered it" in text and "mlp_tuned_dropout (+3.06 %)" in text
    assert "costs accuracy" in text
    small = table.assign(**{"test rmse": [0.98, 0.981]})
    assert "within ±0.10 %" in nv.regularization_sentence(small)
    rows = regularization_rows(runs)
    assert [r["model"] for r in rows] == ["mlp_tuned", "mlp_tuned_dropout"]
    assert rows[1]["delta_test_rmse_vs_tuned"] == pytest.approx(0.03) and rows[1]["epochs_run"] == 4


def test_search_sentence_states_the_searched_rows():
    res = types.SimpleNamespace(method="halving", n_candidates=8, n_fits=24, searched_rows=100, seconds=3.0,
                                best_score=-0.0123, best_params={"lr": 0.001, "lr_schedule": None})
    text = nv.search_sentence(res, 1000)
    assert "the 100 most recent of the 1,000 training rows" in text and "lr_schedule = constant" in text
    assert "on all 100 training rows" in nv.search_sentence(res, 100)


def test_curve_summary_and_seed_frame():
    s = curve_summary(_history([1, 0.8, 0.7, 0.72]))
    assert s["best_test_epoch"] == 3 and s["epochs"] == 4 and s["final_gap_loss"] == pytest.approx(0.22)
    frame = per_seed_frame(_runs(), ["mlp_baseline", "missing"])
    assert frame["rmse"].tolist() == [1.0, 1.02, 0.99] and set(frame["model"]) == {"mlp_baseline"}


def test_results_document_is_valid():
    runs = _runs()
    search = types.SimpleNamespace(method="halving", n_candidates=4, n_fits=12, searched_rows=100, seconds=1.0,
                                   scoring="neg_root_mean_squared_error", best_score=-0.01, notes=[],
                                   best_params={"lr": 0.001, "hidden": (64, 32)})
    q = quality_bar(runs["mlp_tuned"], {"ols": runs["ols"]})
    timings = Timings()
    with timings("search"):
        pass
    doc = build_results(params={"profile": "quick"}, provenance={"source": "file", "path": "p", "rows": 7, "sha256": "x",
                                                                "synthetic": False},
                        timings=timings.finish(), runs=runs, search=search, tuned_settings={"lr": 0.001}, quality=q,
                        train_rows=500, extra={"target": "intraday_return"})
    assert validate(doc) == []
    assert doc["models"]["mlp_tuned"]["seeds"]["n"] == 3
    assert doc["extra"]["tuned_vs_baseline"]["change_pct"] == pytest.approx((0.985 / 1.003333 - 1) * 100, rel=1e-4)
    assert doc["extra"]["search"]["train_rows"] == 500 and doc["extra"]["seed_rmse"]["mlp_baseline_close"] == [2.0, 1.3, 2.6]
    assert doc["history"]["mlp_tuned"]["test_loss"] == [1, 0.8, 0.7, 0.72]
    assert "total" in doc["timings_s"] and "search" in doc["timings_s"]


def _design():
    n = 40
    rng = np.random.default_rng(0)
    sym = np.repeat(["CHEAP", "PRICY"], n // 2)
    close = np.where(sym == "CHEAP", 10.0, 500.0) * (1 + rng.normal(0, 0.01, n))
    return Design(pd.DataFrame({"x": np.zeros(n)}), np.zeros(n), close, close, sym,
                  np.arange(n), "intraday_return")


def test_error_by_symbol_attributes_dollars_to_expensive_stocks():
    d = _design()
    pred = d.close * 1.01  # the same 1 % error everywhere
    per = error_by_symbol(d, pred)
    assert per["symbol"].tolist() == ["PRICY", "CHEAP"]
    assert per["share of squared error %"].sum() == pytest.approx(100)
    assert per.set_index("symbol").loc["CHEAP", "mape %"] == pytest.approx(1.0)
    text = nv.error_sentence(d, pred, per)
    assert "PRICY" in text and "correlation of |residual| with the close: 1.00" in text


def test_regression_figures_render():
    from mlplab.plots import regression as pr

    d = _design()
    pred = d.close * 1.01
    runs = _runs()
    figs = [pr.plot_model_rmse(metrics_table(runs)), pr.plot_pred_vs_actual(d.close, pred, True),
            pr.plot_residuals(d.close, pred), pr.plot_error_by_symbol(error_by_symbol(d, pred)),
            pr.plot_seed_spread(per_seed_frame(runs, ["mlp_baseline", "mlp_tuned"]), reference={"ols": 1.45})]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs)
    assert figs[0].axes[0].get_xscale() == "log"  # lab protocol is 30x the best: log axis
    assert "synthetic" in figs[1].axes[0].get_title()


def test_display_keeps_r2_digits():
    table = metrics_table({"ols": _run("ols", 1.0)}).assign(**{"test r2": [0.999851]})
    shown = for_display(table)
    assert shown["test r2"].tolist() == ["0.99985"] and table["test r2"].tolist() == [0.999851]


def test_tuning_sentence_compares_with_the_seed_spread():
    runs = _runs()
    same = nv.tuning_sentence(runs["mlp_baseline"], runs["mlp_tuned"])
    assert "(-1.83 %)" in same and "within twice the seed spread" in same
    better = nv.tuning_sentence(_run("b", 1.5, seeds=[1.5, 1.51, 1.49]), runs["mlp_tuned"])
    assert "larger than twice the seed spread" in better
    worse = nv.tuning_sentence(runs["mlp_tuned"], _run("t", 2.0, seeds=[2.0, 2.001]))
    assert "did not transfer" in worse
