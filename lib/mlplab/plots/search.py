"""Search results as figures and tables: how the CV score moves with each searched parameter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns

from mlplab.experiment.prose import VALUE_WORDS
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
            order = [_value_text(v) for v in sorted(pd.unique(df[p]))]
        except TypeError:  # mixed types (e.g. None and numbers): keep the grid's order
            order = [_value_text(v) for v in pd.unique(df[p])]
        data = pd.DataFrame({p: [_value_text(v) for v in df[p]], score_label: df[score].to_numpy()})
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
        ax.set_xlabel(HEADERS.get(p, p.replace("_", " ")))
        ax.tick_params(axis="x", rotation=30 if max(len(o) for o in order) > 6 else 0)
    for ax in axes.ravel()[len(params):]:
        ax.set_visible(False)
    # one legend below the panels: inside the first panel it covered points (Figure 8.4)
    from mlplab.plots.curves import shared_legend

    first = axes.ravel()[0]
    if first.get_legend() is not None:
        first.get_legend().remove()
    legend = shared_legend(fig, first)
    if legend is not None and halving:
        legend.set_title("epochs", prop={"size": 8})
    return fig


def _value_text(value) -> str:
    """A grid value as a reader writes it: layer widths as 128×64, the rest as printed."""
    if isinstance(value, (tuple, list)):
        return "×".join(str(v) for v in value)
    if isinstance(value, str) and value in VALUE_WORDS:  # "ple" on a tick label, "piecewise-linear" in the text
        return VALUE_WORDS[value]
    return str(value)


HEADERS = {"rank_test_score": "rank", "mean_test_rmse": "CV RMSE", "std_test_rmse": "CV RMSE SD",
           "mean_test_score": "CV score", "std_test_score": "CV score SD", "n_resources": "budget",
           "mean_fit_time": "fit s", "lr": "learning rate", "lr_schedule": "schedule", "batch_size": "batch",
           "hidden": "layers", "max_iter": "iterations", "learning_rate": "learning rate",
           "max_leaf_nodes": "leaves", "min_samples_leaf": "min leaf rows", "class_weight": "class weight",
           "l2_regularization": "L2", "enc__kind": "encoding"}


def _digits(values: pd.Series) -> int:
    """Enough significant digits that neighbouring rows differ (at least 3, at most 6)."""
    v = np.sort(values.dropna().to_numpy(dtype=float))
    if len(v) < 2:
        return 3
    gaps = np.diff(v)
    gaps = gaps[gaps > 0]
    if not len(gaps):
        return 3
    scale = max(abs(v).max(), 1e-12)
    return int(min(6, max(3, np.ceil(np.log10(scale / gaps.min())) + 1)))


def top_configs(cv_results: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """The k best configurations with readable headers and enough digits to tell rows apart.

    `rank` counts every configuration the search scored (1 = chosen); with successive halving,
    configurations that reached a later round rank above those eliminated earlier, and `budget` is
    the epochs (or iterations) of the last round each one reached."""
    params = [c for c in cv_results.columns if c not in _NOT_PARAMS]
    df = cv_results.sort_values(["rank_test_score", "mean_fit_time"])
    df = df.loc[~df[params].astype(str).duplicated()]
    varied = [p for p in params if cv_results[p].astype(str).nunique() > 1] or params
    cols = ["rank_test_score", *varied]
    score = ["mean_test_rmse", "std_test_rmse"] if "mean_test_rmse" in df.columns else ["mean_test_score", "std_test_score"]
    cols += score + [c for c in ("n_resources",) if c in df.columns]
    out = df[cols].head(k).reset_index(drop=True)
    # one number of decimals for the score and its SD: enough significant digits that neighbouring scores differ,
    # so a column never mixes 0.38 with 0.524 or an SD of 0.00000132 with one of 0.0318
    top = max(float(np.nanmax(np.abs(out[score[0]].to_numpy(dtype=float)))), 1e-12) if len(out) else 1.0
    decimals = max(0, _digits(out[score[0]]) - 1 - int(np.floor(np.log10(top))))
    for c in score:
        out[c] = out[c].map(lambda v: f"{v:.{decimals}f}")
    for c in varied:
        out[c] = out[c].map(lambda v: "constant" if v is None or (isinstance(v, float) and np.isnan(v))
                            else "×".join(map(str, v)) if isinstance(v, (tuple, list)) else VALUE_WORDS.get(str(v), str(v)))
    return out.rename(columns=lambda c: HEADERS.get(c, c.replace("_", " ")))


def rank_note(top: pd.DataFrame) -> str:
    """Why a search table's ranks skip (4, then 9): successive halving scores a surviving configuration once per
    round and every scored fit is ranked, so the table (each configuration once) leaves gaps. '' without gaps."""
    ranks = [int(r) for r in top["rank"]] if "rank" in top else []
    if not ranks or ranks == list(range(1, len(ranks) + 1)):
        return ""
    return (" The rank counts every scored fit: a configuration that went on to a later round also ranks for its "
            "earlier round, so the ranks skip.")
