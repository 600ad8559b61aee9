"""Per-split score plots: readable whatever the spread of the models' scores."""

from __future__ import annotations

from mlplab.plots.scores import plot_split_scores


def test_scores_spanning_two_orders_of_magnitude_get_a_log_axis():
    fig = plot_split_scores({"tuned": [0.98, 0.99, 1.0], "on prices": [90.0, 94.0, 98.0]}, xlabel="test RMSE (USD)")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "test RMSE (USD), log scale"
    close = plot_split_scores({"a": [0.45, 0.46], "b": [0.47, 0.48]}, xlabel="test RMSE")
    assert close.axes[0].get_xscale() == "linear" and close.axes[0].get_xlabel() == "test RMSE"
    signed = plot_split_scores({"a": [-0.1, 0.2], "b": [5.0, 6.0]}, xlabel="R²")  # a log axis needs positive values
    assert signed.axes[0].get_xscale() == "linear"
