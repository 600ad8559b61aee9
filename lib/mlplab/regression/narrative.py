"""Sentences generated from the numbers: the notebook never types a number into prose.

Each function states only what its inputs support (e.g. "overfits" only when the gap says so).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.regression.experiment import ModelRun

GAP_OVERFIT = 1.10   # test RMSE > 110 % of train RMSE
GAP_TIGHT = 1.02
MATERIAL_PCT = 1.0   # a regularizer "matters" when it moves the test RMSE by at least 1 %


def dollars(x: float) -> str:
    return f"\\${x:,.3f}" if abs(x) < 100 else f"\\${x:,.1f}"


def data_sentence(summary: dict, synthetic: bool) -> str:
    missing = summary["rows_if_complete"] - summary["rows"]
    text = (f"The table has {summary['rows']:,} rows: {summary['symbols']:,} symbols over {summary['days']:,} trading "
            f"days from {summary['date_min']} to {summary['date_max']}. ")
    if missing > 0:
        text += (f"{summary['symbols_full_history']:,} symbols cover every day; the others start later or stop earlier, "
                 f"which is why there are {missing:,} fewer rows than symbols × days. ")
    else:
        text += "Every symbol has a row on every trading day. "
    if synthetic:
        text += "These are **synthetic** prices from the embedded generator, not the Kaggle data."
    return text


def split_sentence(method: str, n_train: int, n_test: int, train_dates, test_dates, test_start: str) -> str:
    if method == "chronological":
        return (f"Chronological split: training on {n_train:,} rows up to {str(np.max(train_dates))[:10]}, testing on "
                f"{n_test:,} rows from {test_start} to {str(np.max(test_dates))[:10]}. No test day precedes a training day, "
                f"so nothing from the future reaches the model.")
    return (f"Random split (the lab's protocol): {n_train:,} training and {n_test:,} test rows drawn from the whole "
            f"period. Test days sit between training days, so the model has seen the neighbouring prices — an "
            f"optimistic setting kept only to compare with the lab.")


def baselines_sentence(runs: dict[str, ModelRun]) -> str:
    naive, ols = runs["naive"].test["rmse"], runs["ols"].test["rmse"]
    lab = runs["lab_protocol"].test["rmse"]
    text = (f"Predicting close = open gives a test RMSE of {dollars(naive)}. Least squares on the raw prices brings it "
            f"to {dollars(ols)} (R² {runs['ols'].test['r2']:.5f}): the close is nearly a linear function of open, high "
            f"and low. ")
    if "ols_return" in runs:
        olsr = runs["ols_return"].test["rmse"]
        word = "lower" if olsr < ols else "higher"
        text += (f"The same least squares on the scale-free formulation (return from prices relative to the open) "
                 f"gives {dollars(olsr)}, {abs(1 - olsr / ols) * 100:.1f} % {word}. ")
    rel = lab / ols
    st = runs["lab_protocol"].settings or {}
    if st.get("epochs") and st.get("batch_size"):
        text += f"The lab's network was trained for {st['epochs']} epochs at batch size {st['batch_size']:,}. "
    if rel > 1.05:
        text += (f"The lab's unscaled MLP reaches {dollars(lab)}, {rel:.1f}× the OLS error: without scaling, "
                 f"the network does not even recover the linear relation.")
    else:
        text += f"The lab's unscaled MLP reaches {dollars(lab)}, within 5 % of OLS."
    return text


def formulation_sentence(by_target: dict[str, ModelRun]) -> str:
    """Same network, two formulations: mean ± std of the test RMSE over seeds."""
    parts = []
    for target, run in by_target.items():
        s = run.seed_summary()
        rm = [t["rmse"] for t in run.seed_tests or [run.test]]
        parts.append(f"`{target}`: {dollars(s['mean']['rmse'])} ± {dollars(s['std']['rmse'])} "
                     f"(range {dollars(min(rm))} – {dollars(max(rm))}, {s['n']} seeds)")
    text = "Test RMSE of the same 64→32 MLP over seeds — " + "; ".join(parts) + ". "
    if {"close", "intraday_return"} <= set(by_target):
        c, r = by_target["close"].seed_summary(), by_target["intraday_return"].seed_summary()
        if r["mean"]["rmse"] < c["mean"]["rmse"] and r["std"]["rmse"] <= c["std"]["rmse"]:
            text += (f"The scale-free target is both more accurate ({c['mean']['rmse'] / r['mean']['rmse']:.2f}× lower "
                     f"mean error) and more stable across seeds: the network no longer has to learn an identity over "
                     f"prices from a few dollars to hundreds, only the small, bounded intraday move.")
        elif r["mean"]["rmse"] < c["mean"]["rmse"]:
            text += "The scale-free target has the lower mean error, but not the smaller seed spread."
        else:
            text += "On these data the price target is not worse than the scale-free one."
    return text


def search_sentence(result, n_train: int) -> str:
    best = ", ".join(f"{k} = {'constant' if k == 'lr_schedule' and not v else v}" for k, v in result.best_params.items())
    rows = (f"all {n_train:,} training rows" if result.searched_rows >= n_train
            else f"the {result.searched_rows:,} most recent of the {n_train:,} training rows")
    return (f"The {result.method} search tried {result.n_candidates} configurations ({result.n_fits} fits) with "
            f"time-series cross-validation on {rows}, in {result.seconds:.0f} s. Best: {best} (CV RMSE of the target "
            f"{-result.best_score:.5g}). The winner is then refitted on all {n_train:,} training rows, once per seed.")


def gap_sentence(run: ModelRun, reference: ModelRun) -> str:
    """Over- or under-fitting from the train/test gap, net of the price-level effect, and from the curves.

    Dollar errors grow with prices, and the test period is usually pricier than the training one,
    so the raw test/train ratio overstates overfitting. The `reference` (the naive close = open,
    which has nothing to overfit) measures that level effect; only the excess counts.
    """
    tr, te = run.train["rmse"], run.test["rmse"]
    ratio = te / tr
    level = reference.test["rmse"] / reference.train["rmse"]
    excess = ratio / level
    text = (f"Train RMSE {dollars(tr)}, test RMSE {dollars(te)} (test/train = {ratio:.2f}). The {reference.name} "
            f"baseline, which cannot overfit, has a test/train ratio of {level:.2f} from the price level alone, so the "
            f"excess gap is {excess:.2f}. ")
    h = run.history
    late_rise = False
    if h is not None and "test_loss" in h and h["test_loss"].notna().sum() > 1:
        best_i = h["test_loss"].idxmin()
        best_ep, last = int(h.loc[best_i, "epoch"]), int(h["epoch"].iloc[-1])
        lo, end = float(h.loc[best_i, "test_loss"]), float(h["test_loss"].iloc[-1])
        late_rise = end > 1.05 * lo
        text += (f"In the curves the test loss is lowest at epoch {best_ep} of {last} ({lo:.4g}) and ends at {end:.4g}"
                 f"{' — it rises again' if late_rise else ''}; the final training loss is "
                 f"{float(h['train_loss'].iloc[-1]):.4g}. ")
    if excess > GAP_OVERFIT or late_rise:
        text += "The model **overfits**: " + ("its test error grows beyond the level effect." if excess > GAP_OVERFIT
                                               else "more epochs make the test loss worse.")
    elif excess < GAP_TIGHT:
        text += ("Train and test errors move together: no overfitting. The remaining error is intraday noise that "
                 "open, high and low cannot explain, so the model sits at the data's limit rather than under-fitting.")
    else:
        text += "A small excess gap: mild overfitting at most."
    return text


def regularization_sentence(table: pd.DataFrame, reference: str = "mlp_tuned") -> str:
    ref = table.loc[table["model"] == reference, "test rmse"].iloc[0]
    others = table[table["model"] != reference].copy()
    others["delta"] = others["test rmse"] - ref
    helped = others[others["delta"] < 0].sort_values("delta")
    text = f"Unregularized tuned MLP: test RMSE {dollars(ref)}. "
    if len(helped):
        b = helped.iloc[0]
        text += (f"{len(helped)} of {len(others)} regularized variants lowered it; the best is {b['model']} "
                 f"({dollars(b['test rmse'])}, {b['delta'] / ref * 100:+.2f} %). ")
    else:
        text += f"None of the {len(others)} regularized variants lowered it. "
    worst = others.sort_values("delta").iloc[-1]
    if worst["delta"] > 0:
        text += f"The largest degradation: {worst['model']} ({worst['delta'] / ref * 100:+.2f} %). "
    largest = float(others["delta"].abs().max() / ref * 100)
    if largest < MATERIAL_PCT:
        text += (f"Every change is within ±{largest:.2f} % of the test RMSE: the unregularized model does not "
                 f"overfit enough for regularization to matter here.")
    elif len(helped) and -helped.iloc[0]["delta"] / ref * 100 >= MATERIAL_PCT:
        text += "Regularization pays off here."
    else:
        text += "Regularization costs accuracy here without a compensating gain."
    return text


def error_sentence(d_test, pred_close: np.ndarray, per_symbol: pd.DataFrame) -> str:
    err = pred_close - d_test.close
    corr = float(np.corrcoef(np.abs(err), d_test.close)[0, 1])
    top = per_symbol.iloc[0]
    return (f"Absolute errors grow with the price level (correlation of |residual| with the close: {corr:.2f}), as "
            f"they must for a target that moves by a percentage. The worst symbol, {top['symbol']} (median close "
            f"{dollars(top['median close'])}), alone accounts for {top['share of squared error %']:.1f} % of the squared "
            f"test error. Median residual {dollars(float(np.median(err)))}; 95 % of residuals lie within "
            f"{dollars(float(np.quantile(np.abs(err), 0.95)))}.")


def seeds_sentence(quality: dict) -> str:
    rm = quality["tuned_rmse"]
    text = (f"Over {len(rm)} seeds the tuned MLP's test RMSE is {dollars(float(np.mean(rm)))} ± "
            f"{dollars(float(np.std(rm, ddof=1)) if len(rm) > 1 else 0.0)}. ")
    for key in sorted(k for k in quality if k.startswith("median_ratio_vs_")):
        ref = key.removeprefix("median_ratio_vs_")
        ok = quality[f"passes_vs_{ref}"]
        text += (f"Median ratio to {ref}: {quality[key]:.3f} ({'meets' if ok else 'misses'} the bar ≤ 1; per seed "
                 f"{', '.join(f'{r:.3f}' for r in quality[f'ratio_vs_{ref}'])}). ")
    return text.strip()


def tuning_sentence(baseline: ModelRun, tuned: ModelRun) -> str:
    """Did the search pay off on the test period? Seed means, with the spreads to judge the difference."""
    b, t = baseline.seed_summary(), tuned.seed_summary()
    change = (t["mean"]["rmse"] / b["mean"]["rmse"] - 1) * 100
    noise = max(b["std"]["rmse"], t["std"]["rmse"])
    diff = abs(t["mean"]["rmse"] - b["mean"]["rmse"])
    text = (f"Tuning moved the seed-mean test RMSE from {dollars(b['mean']['rmse'])} (baseline) to "
            f"{dollars(t['mean']['rmse'])} ({change:+.2f} %). ")
    if diff <= 2 * noise:
        text += "That is within twice the seed spread: the search found no configuration clearly better than the baseline."
    elif change < 0:
        text += "The gain is larger than twice the seed spread."
    else:
        text += "The tuned model is worse on the test period: the configuration picked by cross-validation did not transfer."
    return text
