"""EDA aggregations (polars) and the findings stated from them."""

import numpy as np
import pandas as pd
import pytest

from mlplab.regression import eda


@pytest.fixture
def prices(nyse_sample):
    from mlplab.data.nyse import load_nyse

    return load_nyse(nyse_sample).frame


def test_coverage_and_rows_per_symbol_on_the_real_sample(prices):
    cov = eda.coverage_summary(prices)
    # the committed sample: 4 symbols on every trading day of 2014-2016 (tests/data/SOURCE.md)
    assert cov == {"rows": 3024, "symbols": 4, "days": 756, "date_min": "2014-01-02", "date_max": "2016-12-30",
                   "symbols_full_history": 4, "rows_if_complete": 3024,
                   "symbol_names": ["AAL", "DOW", "EQIX", "ZION"]}
    rps = eda.rows_per_symbol(prices)
    assert sorted(rps["symbol"]) == ["AAL", "DOW", "EQIX", "ZION"] and (rps["rows"] == 756).all()


def test_correlations_show_collinear_prices(prices):
    from mlplab.regression.narrative import collinearity_finding

    corr = eda.correlations(prices)
    assert corr.loc["open", "close"] > 0.999
    text = collinearity_finding(corr)
    assert "almost perfectly (every pairwise r ≥ 0.99" in text and "Volume is" in text


def test_schema_and_describe(prices):
    schema = eda.schema_table(prices)
    assert schema.set_index("column").loc["close", "missing"] == 0
    desc = eda.describe(prices).set_index("statistic")
    assert desc.loc["count", "close"] == 3024
    assert desc.loc["skew", "close"] > 1  # right-skewed prices
    assert "close" in eda.log_scaled(prices)


def test_sector_breakdown_and_trend_symbols(prices):
    sectors = eda.sector_breakdown(prices)
    assert sectors["symbols"].sum() == 4 and sectors["rows"].sum() == 3024
    assert eda.sector_breakdown(prices.drop(columns="sector")) is None
    trend = eda.trend_symbols(prices, 2)
    medians = prices.groupby("symbol")["close"].median()
    assert trend == [medians.idxmin(), medians.idxmax()] == ["ZION", "EQIX"]  # cheapest and most expensive


def test_coverage_counts_late_listings():
    f = pd.DataFrame({"date": pd.to_datetime(["2010-01-04", "2010-01-04", "2010-01-05"]), "symbol": ["A", "B", "A"],
                      "open": [1.0, 2, 1], "close": [1.0, 2, 1], "low": [1.0, 2, 1], "high": [1.0, 2, 1],
                      "volume": [1.0, 1, 1]})
    cov = eda.coverage_summary(f)
    assert cov["rows_if_complete"] - cov["rows"] == 1 and cov["symbols_full_history"] == 1
    assert eda.date_coverage(f)["symbols"].tolist() == [2, 1]


def test_no_sector_breakdown_when_no_symbol_matched(prices):
    assert eda.sector_breakdown(prices.assign(sector=None)) is None


def test_volume_return_correlation_and_captions(prices):
    r = eda.volume_return_correlation(prices)
    assert -1 <= r <= 1 and abs(r) < 0.2  # the day's volume says little about its intraday move
    flat = prices.assign(volume=1.0)
    assert eda.volume_return_correlation(flat) == 0.0  # constant volume: no relation to speak of
    assert "Every symbol trades on every day" in eda.coverage_caption(eda.coverage_summary(prices))
    assert "price levels drift" in eda.trend_caption(prices, ["ZION", "EQIX"])


def test_boxplots_and_volume_ticks_are_readable(prices):
    """Boxplots of the five features beside the histograms; the volume axis labels are short and never overlap."""
    import matplotlib.pyplot as plt
    from mlplab.plots import eda_nyse as pe

    out = eda.box_outliers(prices)
    assert set(out) == {"close", "volume"} and all(0 <= v < 0.5 for v in out.values())
    x = prices["close"].to_numpy()
    q1, q3 = np.quantile(x, [0.25, 0.75])
    assert out["close"] == pytest.approx(np.mean((x < q1 - 1.5 * (q3 - q1)) | (x > q3 + 1.5 * (q3 - q1))))
    fig = pe.plot_boxplots(prices)
    ax_p, ax_v = fig.axes
    assert [t.get_text() for t in ax_p.get_xticklabels()] == ["open", "close", "low", "high"]
    assert ax_p.get_ylabel() == "price (USD, log scale)" and ax_v.get_ylabel() == "volume (shares, log scale)"
    fig.canvas.draw()
    labels = [t.get_text() for t in ax_v.get_yticklabels() if t.get_text()]
    assert labels and all(len(t) <= 5 for t in labels)  # 1M, 10M, not 10,000,000
    plt.close(fig)
    fig = pe.plot_close_volume(prices)
    fig.canvas.draw()
    ax = fig.axes[1]
    boxes = sorted((t.get_window_extent() for t in ax.get_xticklabels() if t.get_text() and t.get_visible()),
                   key=lambda b: b.x0)
    assert len(boxes) >= 2 and all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:]))  # no two tick labels overlap
    plt.close(fig)
