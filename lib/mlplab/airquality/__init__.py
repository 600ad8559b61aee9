"""Lab 4, part 2: forecasting UCI air quality with recurrent networks (analysis/42_air_quality.ipynb).

Modules: prepare (cleaning, chronological periods, scaling on the fit rows, gap filling inside each
period, windows that never cross a period boundary, EDA tables), models (the forecasting task's
scoring per horizon and feature, persistence, same hour yesterday, masked ridge autoregression, the
recurrent nets from readable settings), steps (one function per notebook section, on the experiment
core), narrative (sentences and captions from numbers).

Results `extra` keys written by the notebook: cleaning {rows, dropped: {column: share missing},
missing: {column: count}, filled_inputs: {period: count}, hours_added}; periods [{period, first, last,
hours, windows}]; features; horizons; window; ar_alpha {chosen, scores}; search {n_candidates, winner,
scores: {name: validation r2_mean}}; goal {per_horizon: {h: {tuned, ar, word, low, high}}, beats_source,
met}; levers [{model, lever, r2_mean per horizon, word vs lstm_source}]; source {r2: 0.7616, ...}.
"""

from __future__ import annotations

from mlplab.errors import UserError

HORIZONS = (1, 6, 24)
CELLS = ("lstm", "gru")
CENTRINGS = ("none", "last", "mean")
SOURCE_R2 = 0.7616  # the write-up's best R² (LABS-PUBLISHED.md; horizon and split not stated there)

GLOSSARY = {
    "forecast horizon": "how far ahead a forecast looks: here 1, 6 and 24 hours after the last hour of the input window.",
    "input window": "the hours a model reads before forecasting: every measured series over the last 24 hours (by default).",
    "persistence": "the forecast that the next value equals the last observed one (the last hour of the window).",
    "seasonal naive forecast": "the forecast that a value equals the one at the same hour the day before.",
    "autoregression": "a linear model that forecasts a series from its own (and here the other series') past values; "
                      "ridge regression shrinks its coefficients towards zero.",
    "LSTM": "long short-term memory: a recurrent layer whose gated cell state carries information across many time steps.",
    "GRU": "gated recurrent unit: a simpler recurrent layer with two gates instead of the LSTM's three.",
    "bidirectional encoder": "a recurrent layer read forwards and backwards over the input window, its two final states "
                             "joined (it never sees hours after the forecast origin).",
    "centring": "subtracting each input series' last value (or window mean) before the network and adding it back to "
                "the forecast, so the network learns the change rather than the level.",
    "R²": "coefficient of determination: 1 minus the squared error over the variance of the observed values; 1 is "
          "perfect, 0 is no better than predicting the test period's mean.",
    "RMSE": "root mean squared error, in the series' own unit.",
    "reference analyser": "a certified instrument (the (GT) columns, 'ground truth'); the PT08 sensors are cheap "
                          "metal-oxide sensors whose response has no unit.",
}


def validate_params(params: dict) -> None:
    """Reject a bad profile before the notebook starts (called by `mlplab run`)."""

    def need(cond: bool, key: str, expected: str):
        if not cond:
            raise UserError(f"air_quality parameter {key}={params.get(key)!r}: expected {expected}")

    def is_int(v) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    def is_num(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if "horizons" in params:
        h = params["horizons"]
        need(isinstance(h, list) and h and all(is_int(x) and 1 <= x <= 24 for x in h) and len(set(h)) == len(h),
             "horizons", "a non-empty list of distinct hours between 1 and 24")
    if "window" in params:
        need(is_int(params["window"]) and 24 <= params["window"] <= 168, "window",
             "an integer number of hours from 24 to 168 (the same-hour-yesterday forecast reads it from the window)")
    for key in ("valid_share", "test_share"):
        if key in params:
            need(is_num(params[key]) and 0.05 <= params[key] <= 0.4, key, "a share between 0.05 and 0.4")
    if "max_missing_share" in params:
        need(is_num(params["max_missing_share"]) and 0 < params["max_missing_share"] < 1, "max_missing_share",
             "a share between 0 and 1 (columns missing more often are dropped)")
    if "max_hours" in params:
        need(is_int(params["max_hours"]) and (params["max_hours"] == 0 or params["max_hours"] >= 600), "max_hours",
             "0 (every hour) or at least 600 hours")
    for key in ("epochs", "batch_size", "n_jobs", "hidden"):
        if key in params:
            need(is_int(params[key]) and params[key] >= 1, key, "a positive integer")
    if "seeds" in params:
        s = params["seeds"]
        need(isinstance(s, list) and s and all(is_int(x) for x in s) and len(set(s)) == len(s), "seeds",
             "a non-empty list of distinct integers")
    for key in ("lr", "lever_lr"):
        if key in params:
            need(is_num(params[key]) and 0 < params[key] < 1, key, "a learning rate between 0 and 1")
    if "dropout" in params:
        need(is_num(params["dropout"]) and 0 <= params["dropout"] < 1, "dropout", "a rate in [0, 1)")
    if "ar_alphas" in params:
        need(isinstance(params["ar_alphas"], list) and params["ar_alphas"]
             and all(is_num(a) and a > 0 for a in params["ar_alphas"]), "ar_alphas", "a non-empty list of positive numbers")
    grids = {"grid_cell": lambda v: v in CELLS, "grid_centring": lambda v: v in CENTRINGS,
             "grid_hidden": lambda v: isinstance(v, list) and v and all(is_int(w) and w > 0 for w in v),
             "grid_dropout": lambda v: is_num(v) and 0 <= v < 1, "grid_lr": lambda v: is_num(v) and 0 < v < 1,
             "grid_epochs": lambda v: is_int(v) and v >= 1, "grid_bidirectional": lambda v: isinstance(v, bool),
             "grid_skip": lambda v: isinstance(v, bool),
             "grid_weight_decay": lambda v: is_num(v) and v >= 0}
    expected = {"grid_cell": f"a list from {', '.join(CELLS)}", "grid_centring": f"a list from {', '.join(CENTRINGS)}",
                "grid_hidden": "a list of layer-width lists, e.g. [[64], [64, 64]]", "grid_dropout": "a list of rates in [0, 1)",
                "grid_lr": "a list of learning rates", "grid_epochs": "a list of positive integers",
                "grid_bidirectional": "a list of booleans", "grid_skip": "a list of booleans", "grid_weight_decay": "a list of non-negative numbers"}
    for key, ok in grids.items():
        if key in params:
            v = params[key]
            need(isinstance(v, list) and v and all(ok(x) for x in v), key, expected[key])
