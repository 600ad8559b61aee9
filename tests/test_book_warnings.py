"""Nothing the notebooks call prints a warning into the report (issue 13, point 7).

Conditions a reader should know about (a class too small for SMOTE's neighbours) are recorded on the
fitted resampler and stated once by computed prose; library warnings are avoided where they arise.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE

from mlplab.resample import make_resampler, neighbour_shortfall


def test_three_row_class_lowers_k_and_records_it_without_warning():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(43, 3))
    y = np.array(["ok"] * 40 + ["random"] * 3)
    sampler = make_resampler("smote", k_neighbors=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Xr, yr = sampler.fit_resample(X, y)
    assert sampler.k_used_ == 2 and isinstance(sampler.sampler_, SMOTE)
    assert sampler.k_lowered_for_ == {"random": 3} and sampler.not_oversampled_ == {}
    assert (yr == "random").sum() == 40
    assert neighbour_shortfall(y, k_neighbors=5) == {"random": 3}


def test_roomy_classes_keep_k_and_record_nothing():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(70, 2))
    y = np.array(["ok"] * 50 + ["b"] * 20)
    sampler = make_resampler("smote", k_neighbors=5)
    sampler.fit_resample(X, y)
    assert sampler.k_used_ == 5 and sampler.k_lowered_for_ == {} and sampler.fallback_ is None
    assert neighbour_shortfall(y, k_neighbors=5) == {}


def test_single_row_class_is_recorded_not_warned():
    X = np.arange(30, dtype=float).reshape(15, 2)
    y = np.array(["ok"] * 10 + ["a"] * 4 + ["lone"])
    sampler = make_resampler("smote", k_neighbors=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, yr = sampler.fit_resample(X, y)
    assert sampler.not_oversampled_ == {"lone": 1}
    assert (yr == "lone").sum() == 1 and (yr == "a").sum() == 10


def test_adasyn_fallback_is_recorded_not_warned():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(30, 2)), rng.normal(size=(10, 2)) + 50]
    y = np.array([0] * 30 + [1] * 10)
    sampler = make_resampler("adasyn", k_neighbors=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, yr = sampler.fit_resample(X, y)
    assert sampler.fallback_ == "smote" and isinstance(sampler.sampler_, SMOTE) and (yr == 1).sum() == 30


def test_pair_plot_does_not_warn_about_its_layout():
    """seaborn grids call tight_layout; on a constrained-layout figure matplotlib warned
    "The figure layout has changed to tight" into the report."""
    import matplotlib.pyplot as plt

    from mlplab.classification.features import LABEL
    from mlplab.plots.eda_maintenance import plot_pairs

    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({
        "air_temperature_k": rng.normal(300, 2, n), "process_temperature_k": rng.normal(310, 1.5, n),
        "rotational_speed_rpm": rng.normal(1500, 150, n), "torque_nm": rng.normal(40, 8, n),
        "tool_wear_min": rng.uniform(0, 250, n), "type": rng.choice(list("LMH"), n),
        LABEL: rng.choice(["No Failure"] * 8 + ["Power Failure", "Tool Wear Failure"], n),
    })
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_pairs(frame)
    plt.close(fig)
