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

from mlplab.experiment.checks import Checks, is_number

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
    c = Checks(params, "air_quality")
    c.ints_list("horizons", most=24, distinct=True, expected="a non-empty list of distinct hours between 1 and 24")
    c.integer("window", least=24, most=168, expected="an integer number of hours from 24 to 168 "
                                                     "(the same-hour-yesterday forecast reads it from the window)")
    c.between("valid_share", "test_share", low=0.05, high=0.4, expected="a share between 0.05 and 0.4")
    c.fraction("max_missing_share", expected="a share between 0 and 1 (columns missing more often are dropped)")
    c.integer("max_hours", least=600, zero=True, expected="0 (every hour) or at least 600 hours")
    c.integer("epochs", "batch_size", "n_jobs", "hidden")
    c.integer("ensemble", most=10, expected="1 (one network) to 10 networks averaged into the tuned forecaster")
    c.seeds("seeds")
    c.fraction("lr", "lever_lr", expected="a learning rate between 0 and 1")
    c.rate("dropout")
    c.positive_list("ar_alphas")
    c.choices("grid_cell", options=CELLS)
    c.choices("grid_centring", options=CENTRINGS)
    c.grid_layers("grid_hidden", expected="a list of layer-width lists, e.g. [[64], [64, 64]]")
    c.rates_list("grid_dropout")
    c.each("grid_lr", ok=lambda v: is_number(v) and 0 < v < 1, expected="a list of learning rates")
    c.ints_list("grid_epochs")
    c.each("grid_bidirectional", "grid_skip", ok=lambda v: isinstance(v, bool), expected="a list of booleans")
    c.each("grid_weight_decay", ok=lambda v: is_number(v) and v >= 0, expected="a list of non-negative numbers")
