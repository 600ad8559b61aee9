"""Search results as figures and tables: how the CV score moves with each searched parameter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns

from mlplab.plots.style import new_figure

_NOT_PARAMS = {"mean_test_score", "std_test_score", "rank_test_score", "mean_fit_time", "iter", "n_resources",
               "mean_test_rmse", "std_test_rmse"}


def searched_params(cv_results: pd.DataFrame) -> list[str]:
    """Parameter columns that actually varied (a one-value column says nothing on a plot)."""
    cols = [c for c in cv_results.columns if c not in _NOT_PARAMS]
    return [c for c in cols if cv_results[c].astype(str).nunique() > 1]


def plot_search_scores(cv_results: pd.DataFrame, params: list[str] | None = None, score_label: str = "score"):
    """One panel per parameter: every configuration's mean CV score (points) and the mean over the
    configurations sharing that value (line). Regression tables are drawn as RMSE (lower is better).

    Halving tables: points are coloured by their epoch budget; the line averages the first round,
    the only one where every candidate had the same budget.
    """
    df = cv_results
    params = list(params) if params is not None else searched_params(df)
    if not params:
        raise ValueError("plot_search_scores: no parameter varied in cv_results; nothing to plot")
    missing = [p for p in params if p not in df.columns]
    if missing:
        raise ValueError(f"plot_search_scores: parameters {missing} are not columns of cv_results")
    score = "mean_test_rmse" if "mean_test_rmse" in df.columns else "mean_test_score"
    halving = "iter" in df.columns
    ncols = min(3, len(params))
    nrows = int(np.ceil(len(params) / ncols))
    fig, axes = new_figure(nrows, ncols, squeeze=False, sharey=True)
    for ax, p in zip(axes.ravel(), params):
        try:
            order = [str(v) for v in sorted(pd.unique(df[p]))]
        except TypeError:  # mixed types (e.g. None and numbers): keep the grid's order
            order = [str(v) for v in pd.unique(df[p])]
        data = pd.DataFrame({p: df[p].astype(str).to_numpy(), score_label: df[score].to_numpy()})
        budgets = None
        if halving:
            data["epochs"] = df["n_resources"].astype(str).to_numpy()
            budgets = [str(b) for b in sorted(df["n_resources"].unique())]
        sns.stripplot(data=data, x=p, y=score_label, order=order, ax=ax, alpha=0.8, size=5, jitter=0.15,
                      hue="epochs" if halving else None, hue_order=budgets, palette="colorblind" if halving else None,
                      legend=halving and ax is axes.ravel()[0])
        base = data[df["iter"].to_numpy() == 0] if halving else data
        means = base.groupby(p)[score_label].mean().reindex(order)
        ax.plot(range(len(order)), means.to_numpy(), color="black", marker="D", lw=1.5,
                label="mean (first round)" if halving else "mean")
        ax.set_xlabel(p)
        ax.tick_params(axis="x", rotation=30 if max(len(o) for o in order) > 6 else 0)
    for ax in axes.ravel()[len(params):]:
        ax.set_visible(False)
    axes.ravel()[0].legend(loc="best", title="epochs" if halving else None)
    return fig


def top_configs(cv_results: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """The k best configurations by rank, with the RMSE when present. Halving: each candidate once, at
    the furthest round it reached (later rounds rank first)."""
    params = [c for c in cv_results.columns if c not in _NOT_PARAMS]
    df = cv_results.sort_values(["rank_test_score", "mean_fit_time"])
    df = df.loc[~df[params].astype(str).duplicated()]
    cols = ["rank_test_score", *params]
    cols += ["mean_test_rmse", "std_test_rmse"] if "mean_test_rmse" in df.columns else ["mean_test_score",
                                                                                         "std_test_score"]
    cols += [c for c in ("n_resources", "mean_fit_time") if c in df.columns]
    return df[cols].head(k).reset_index(drop=True)
