"""Building blocks of computed prose: numbers formatted once, verdicts turned into clauses.

Every sentence that states a result is assembled from these and from the numbers; a clause whose
condition does not hold is never printed (the callers branch on computed values, and the tests
cover each branch).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pandas as pd

from mlplab.experiment import verdict as V
from mlplab.experiment.verdict import BETTER, TOO_FEW, UNDECIDED, WORSE, Verdict, relation, undecided_text

METRIC_NAMES = {"rmse": "RMSE", "mae": "MAE", "r2": "R²", "mape": "MAPE", "mse": "MSE", "macro_f1": "macro-F1",
                "accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "weighted_f1": "weighted F1",
                "f1": "F1", "roc_auc": "ROC AUC", "pr_auc": "PR AUC", "average_precision": "average precision",
                "accuracy_gap": "train − validation accuracy", "log_loss": "log loss",
                "loss_spread": "spread of the validation loss", "gradient_log10": "log10 of a gradient ratio",
                "detections": "windows detected", "false_alarms": "false alarms", "r2_return": "R² of the return"}


def metric_name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def num(value: float | None, digits: int = 3) -> str:
    """A number for prose: n/a for missing, thousands separators for large values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.{digits}f}"


def pct(fraction: float, digits: int = 1) -> str:
    return f"{100 * fraction:.{digits}f} %"


def signed(value: float, digits: int = 3) -> str:
    return f"{value:+.{digits}f}"


def verdict_clause(a_label: str, b_label: str, v: Verdict, metric: str, *, digits: int = 3, unit: str = "",
                   scale: float = 1.0, runs: str = "runs") -> str:
    """'the tuned MLP is better than HGB on test macro-F1: difference +0.012, 95 % interval +0.004 to
    +0.020 over 3 outer splits' (`runs` names what the paired values are: seeds, outer splits)."""
    what = metric_name(metric)
    n = f"{v.n} {runs if v.n != 1 else runs.rstrip('s')}"
    diff = f"{v.mean_diff * scale:+.{digits}f}{unit}"
    if v.word == TOO_FEW:
        return f"{a_label} and {b_label} cannot be told apart on test {what} with {n} (difference {diff})"
    if v.word == UNDECIDED:
        return (f"{a_label} against {b_label} on test {what} is undecided (difference {diff}): "
                f"{undecided_text(v, digits, runs if runs != 'runs' else None)}")
    pct = f"{round(v.confidence * 100)} %"
    text = (f"{a_label} is {relation(v)} {b_label} on test {what}: difference {diff}, {pct} interval "
            f"{v.low * scale:+.{digits}f} to {v.high * scale:+.{digits}f}{unit} over {n}")
    margin = getattr(v, "margin", None)
    if v.word in (BETTER, WORSE) and margin and max(abs(v.low), abs(v.high)) <= margin:
        # decided, yet inside the margin of parity: real, but smaller than what the margin calls a difference
        text += (f", a real difference but inside the ±{margin * scale:.{max(digits, 3)}g}{unit} margin of parity, "
                 "too small to matter")
    return text


def recommendation_sentence(rec: dict | None, runs: dict, metric: str, *, higher_is_better: bool, ratio,
                            value: Callable[[float], str] = num, chosen_on: str, criterion: str, on_test: str,
                            unscored: str | None = None) -> str:
    """'Chosen on {chosen_on} ({criterion}, 0.712): **the tuned MLP**. {on_test} 0.705, better than the
    validation runner-up, HGB (0.690).' — the recommendation (select.recommend: validation only) and the
    noise rule's word on its test score against the runner-up's; `value` formats a score, `ratio` is
    the test/train ratio of the Nadeau-Bengio correction (None: no overlap to correct for)."""
    if rec is None:
        return f"No model was scored on {unscored or chosen_on}, so none is recommended."
    best = runs[rec["model"]]
    text = (f"Chosen on {chosen_on} ({criterion}, {value(rec['validation'])}): **{best.label}**. "
            f"{on_test} {value(best.mean(metric))}")
    if rec.get("runner_up"):
        other = runs[rec["runner_up"]]
        v = V.compare_runs(best, other, metric, higher_is_better=higher_is_better, test_train_ratio=ratio)
        text += (f", {relation(v)} the validation runner-up, {other.label} ({value(other.mean(metric))}; difference "
                 f"{V.interval_text(v)})")
    return text + "."


def capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def join(items: list[str], last: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


PARAM_NAMES = {"lr": "learning rate", "lr_schedule": "learning-rate schedule", "batch_size": "batch size",
               "hidden": "hidden layers", "optimizer": "optimizer", "epochs": "epochs", "max_iter": "boosting iterations",
               "learning_rate": "learning rate", "max_leaf_nodes": "leaves per tree", "min_samples_leaf": "rows per leaf",
               "class_weight": "class weights", "C": "inverse regularization C", "l2_regularization": "L2 penalty",
               "dropout": "dropout", "weight_decay": "weight decay"}


VALUE_WORDS = {"ple": "piecewise-linear", "standard": "standardized"}  # code values a reader should not see


def param_value(key: str, value) -> str:
    if isinstance(value, str) and value in VALUE_WORDS:
        return VALUE_WORDS[value]
    if key == "hidden" and isinstance(value, (list, tuple)):
        return "×".join(str(int(v)) for v in value) + " units"
    if key == "lr_schedule":
        return value or "constant"
    if value is None:
        return "none"
    return str(value)


def params_text(params: dict, only=None) -> str:
    """'learning rate 0.003, optimizer adam, hidden layers 64×32 units' — readable search winners."""
    keys = [k for k in params if only is None or k in only]
    return ", ".join(f"{PARAM_NAMES.get(k, k.replace('_', ' '))} {param_value(k, params[k])}" for k in keys)


def curve_finding(history: pd.DataFrame | None, label: str, *, train_mode: str = "", stopped: bool = False) -> str:
    """What the validation curve says about the epoch budget: `mlplab.experiment.curves.diagnose`'s
    sentence (validation and fit rows only; the test curve is for show). `stopped`: the network ran early
    stopping, so the sentence says what it kept instead of advising it."""
    from mlplab.experiment.curves import diagnose

    return diagnose(history, label, train_mode=train_mode, stopped=stopped).sentence()


def curve_takeaway(history: pd.DataFrame | None, label: str, *, train_mode: str = "") -> str:
    """The same diagnosis as `curve_finding`, in a few words for a caption (so caption and sentence agree
    and the sentence under the figure does not repeat it): '' when there is no curve to read."""
    from mlplab.experiment.curves import diagnose

    d = diagnose(history, label, train_mode=train_mode)
    text = d.takeaway()
    if not text:
        return ""
    if d.train_above:
        text += "; the training loss sits above the validation loss (explained in the text)"
    return capital(text) + "."


def verdict_counts(table: pd.DataFrame) -> tuple[int, int]:
    """How many pairs of a pairs table (column verdict) the noise rule calls better, and worse."""
    words = table["verdict"].value_counts()
    return int(words.get(V.BETTER, 0)), int(words.get(V.WORSE, 0))


def rest_words(table: pd.DataFrame, decided: int) -> str:
    """What the undecided rest of a pairs table is: '; the rest on a par.', '; the rest undecided.',
    '; 1 on a par, 2 undecided.' (too-few-runs rows counted with the undecided)."""
    words = table["verdict"].value_counts()
    par = int(words.get(V.PAR, 0))
    rest = len(table) - decided
    if rest <= 0:
        return "."
    if par == rest:
        return "; the rest on a par."
    if par == 0:
        return "; the rest undecided."
    return f"; {par} on a par, {rest - par} undecided."


def counts_caption(table: pd.DataFrame, *, none: str, noun: str) -> str:
    """`none` when the noise rule calls no pair of a pairs table better or worse, else how many `noun`s
    it calls better and worse than their reference (e.g. "1 regularizer worse than its reference;
    the rest undecided.")."""
    better, worse = verdict_counts(table)
    if better == worse == 0:
        return none
    counted = [(n, word) for n, word in ((better, "better"), (worse, "worse")) if n]
    pieces = [f"{n} {word}" for n, word in counted]
    n, word = counted[0]  # the first count names the noun: "1 regularizer better and 2 worse"
    pieces[0] = f"{n} {noun}{'' if n == 1 else 's'} {word}"
    text = " and ".join(pieces) + f" than {'its' if better + worse == 1 else 'their'} reference"
    return text + rest_words(table, better + worse)


def updates(settings: dict | None, rows: int) -> int | None:
    """Optimizer updates of a network's training: epochs × batches per epoch on `rows` rows (None when the
    settings lack epochs or batch size)."""
    settings = settings or {}
    epochs, batch = settings.get("epochs"), settings.get("batch_size")
    rows = int(settings.get("rows_per_epoch") or rows)  # a resampled network trains on more (or fewer) rows
    if not epochs or not batch or rows <= 0:
        return None
    return int(epochs) * -(-int(rows) // int(batch))


def budget_clause(a_label: str, a_settings: dict | None, b_label: str, b_settings: dict | None, rows: int) -> str:
    """The training budgets of two networks compared, from their settings: 'at equal training budgets (…)' or
    'both trained with equal budgets (…)' or 'the training budgets differ: …'. Empty when either budget is unknown.
    A credited gain quotes it."""
    ua, ub = updates(a_settings, rows), updates(b_settings, rows)
    if ua is None or ub is None:
        return ""
    def how(s):
        return f"{int(s['epochs'])} epochs at batch size {int(s['batch_size']):,}"

    def seen(s, n):
        r = int(s.get("rows_per_epoch") or 0)
        return (f"{n:,} updates on {r:,} rows per epoch after resampling its {rows:,} fit rows" if r and r != rows
                else f"{n:,} updates on {rows:,} fit rows")
    resampled = bool((a_settings or {}).get("rows_per_epoch") or (b_settings or {}).get("rows_per_epoch"))
    if ua == ub and not resampled:
        return f"both trained with equal budgets ({ua:,} updates each on {rows:,} fit rows)"
    if ua == ub:
        return f"both trained with equal budgets ({seen(a_settings, ua)}; {seen(b_settings, ub)})"
    first = seen(a_settings, ua)
    second = seen(b_settings, ub) if resampled else f"{ub:,} updates"
    return (f"the training budgets differ: {a_label} trained {how(a_settings)} ({first}), {b_label} "
            f"{how(b_settings)} ({second}), so the difference mixes the change with "
            f"{'longer' if ua > ub else 'shorter'} training")


SEARCH_METHODS = {"halving": "successive-halving search over a grid (scikit-learn's HalvingGridSearchCV)",
                  "grid": "exhaustive grid search (scikit-learn's GridSearchCV)"}


def search_method(method: str) -> str:
    """What a search is, named with the scikit-learn class that ran it (experiment.search.METHODS)."""
    return SEARCH_METHODS.get(method, f"{method} search")


def control_note(shown: pd.DataFrame) -> str:
    """For a pairs table whose controls are marked (tables.mark_controls): why those rows are not counted."""
    n = int(shown["change"].astype(str).str.startswith("control: ").sum())
    if n == 0:
        return ""
    if n == 1:
        return (" The row marked control trains the reference without the stopping slice: it shows what the held-out "
                "rows cost, is not a regularizer and is not counted.")
    return (f" The {n} rows marked control train the references without the stopping slice: they show what the "
            "held-out rows cost, are not regularizers and are not counted.")


def grouped(names: list[str]) -> tuple[str, int]:
    """Changes labelled 'who: what' (a table's short form) as prose, those of one model together:
    ["lab's MLP: dropout", "lab's MLP: L2"] -> "dropout and L2 on the lab's MLP". Returns the text and
    how many changes it names."""
    if not names or not all(": " in n for n in names):
        return join(names), len(names)
    groups: dict[str, list[str]] = {}
    for n in names:
        who, what = n.split(": ", 1)
        groups.setdefault(who, []).append(what)
    return join([f"{join(whats)} on the {who}" for who, whats in groups.items()]), len(names)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def verdicts_summary(table: pd.DataFrame, subject: str, how: str) -> str:
    """From a pairs table (columns change, verdict): which changes the noise rule calls better or worse.
    Pairs with too few runs are never described as within the noise: the text says they cannot be called."""
    from mlplab.experiment.tables import IDENTICAL

    same = (table["95 % interval"] == IDENTICAL) if "95 % interval" in table else pd.Series(False, index=table.index)
    better = table.loc[table["verdict"] == V.BETTER, "change"].tolist()
    worse = table.loc[table["verdict"] == V.WORSE, "change"].tolist()
    par = table.loc[(table["verdict"] == V.PAR) & ~same, "change"].tolist()
    identical = table.loc[same, "change"].tolist()
    undecided = table.loc[table["verdict"] == V.UNDECIDED, "change"].tolist()
    few = table.loc[table["verdict"] == V.TOO_FEW, "change"].tolist()
    n = len(table)
    if identical:  # a change that changed nothing (early stopping that never stopped) is said as such
        rest = table.loc[~same].reset_index(drop=True)
        text, count = grouped(identical)
        head = (f"{capital(text)} {'leaves' if count == 1 else 'leave'} {subject} unchanged on every run (identical "
                f"scores{': it never stopped before the last epoch' if count == 1 and 'early stopping' in text else ''})")
        return head + ("." if rest.empty else "; " + _lower_first(verdicts_summary(rest, subject, how)))
    if not better and not worse and not par and not undecided and few:
        if n == 1:
            return f"There are too few runs to tell whether {few[0]} changes {subject} ({how})."
        return (f"There are too few runs to tell whether any of the {n} changes to {subject} differs from its "
                f"reference ({how}).")
    if not better and not worse and not few and not undecided:
        if n == 1:
            return (f"{capital(table['change'].iloc[0])} leaves {subject} within the margin of parity of its "
                    f"reference ({how}).")
        every = "Both changes" if n == 2 else f"All {n} changes"
        return f"{every} leave {subject} within the margin of parity of their reference ({how})."
    if not better and not worse and not few and not par:
        if n == 1:
            return (f"Whether {table['change'].iloc[0]} changes {subject} is undecided: the runs cannot tell a "
                    f"difference from none ({how}).")
        return (f"None of the {n} changes to {subject} is decided either way: the runs cannot tell a difference "
                f"from none ({how}).")
    parts = []
    for names, word in ((better, "better"), (worse, "worse")):
        if names:
            text, count = grouped(names)
            one = count == 1
            parts.append(f"{text} {'is' if one else 'are'} {word} than {'its' if one else 'their'} reference")
    if par:
        one = len(par) == 1
        text, _ = grouped(par)
        parts.append(f"{text} {'is' if one else 'are'} on a par with {'its' if one else 'their'} reference")
    if undecided:
        one = len(undecided) == 1
        text, _ = grouped(undecided)
        parts.append(f"{text} {'is' if one else 'are'} undecided")
    if few:
        parts.append(f"{len(few)} with too few runs to call")
    return capital("; ".join(parts)) + f" ({how})."


STEP_WORDS = {"eda": "exploratory analysis", "lab_and_rebalancing": "the lab's protocol and rebalancing",
              "physics_and_headline": "physics features and headline models",
              "levers": "single changes"}  # timing keys in words


def results_sentence(filename: str, doc: dict) -> str:
    """The last line of a notebook: where its results went, how many models, how long each section took."""
    t = doc["timings_s"]
    parts = ", ".join(f"{STEP_WORDS.get(k, k.replace('_', ' '))} {v:,.0f} s" for k, v in t.items() if k != "total")
    splits = doc["protocol"]["outer_splits"]
    seeds = doc["protocol"].get("seeds") or []
    if doc["protocol"]["kind"] == "holdout" and len(seeds) > 1:  # one fixed split; the runs differ by their seed
        runs = f"one fixed split, {len(seeds)} seeds"
    else:
        runs = f"{splits} outer split{'s' if splits != 1 else ''}"
    return (f"Results written to `{filename}` ({len(doc['models'])} models, {doc['protocol']['kind']} protocol, "
            f"{runs}); the notebook took {t['total']:,.0f} s ({parts}).")


def noise_rule_paragraph(v: Verdict, a_label: str, b_label: str, metric: str, *, runs: str, digits: int = 3) -> str:
    """The noise rule in plain words with one worked example from the chapter's own numbers (each lab's
    protocol section shows it once): what the interval is, why overlapping training sets widen it, and
    what each word means. `runs` names the paired values ("outer splits", "seeds")."""
    from mlplab.experiment.verdict import BETTER, PAR, WORSE, margin_text, sign_count

    what = metric_name(metric)
    text = (f"**How the verdicts are decided.** Two models are compared on the same {runs}: on each, the "
            f"difference of their test {what} is taken, and a 95 % interval is put around the mean difference "
            "(a Student-t interval: the fewer and the more scattered the differences, the wider it is). ")
    if v.corrected:
        text += ("A row that is a test row in one split is a training row in another, so the splits are not "
                 "independent; the Nadeau–Bengio correction widens the interval so that it does not claim more "
                 "certainty than overlapping splits hold. ")
    text += ("The words follow from the interval alone: **better** or **worse** when it excludes zero; **on a par** "
             "only when the whole interval lies inside the metric's margin of parity, fixed in advance (here "
             f"±{margin_text(v.margin)} {what}; the glossary lists every margin); **undecided** when it contains "
             "zero but reaches past that margin: these runs cannot tell. ")
    if v.word == TOO_FEW:
        values = "paired value" if v.n == 1 else "paired values"
        return text + f"For example, {a_label} against {b_label} has only {v.n} {values}: too few to call."
    interval = f"{signed(v.low, digits)} to {signed(v.high, digits)}"
    head = (f"For example, {a_label} against {b_label}: mean difference {signed(v.mean_diff, digits)} over {v.n} "
            f"{runs}, {sign_count(v, runs)}")
    if v.word in (BETTER, WORSE):
        return text + f"{head}; the interval {interval} excludes zero, so the verdict is **{v.word}**."
    if v.word == PAR:
        return (text + f"{head}; the interval {interval} lies inside ±{margin_text(v.margin)}, so the verdict is "
                "**on a par**.")
    return (text + f"{head}; the interval {interval} contains zero and reaches past ±{margin_text(v.margin)}, so the "
            f"verdict is **undecided**: {v.n} {runs} cannot settle a difference with this spread.")


def best_balanced_text(scores: dict[str, float], labels: dict[str, str], recommended: str | None, among: str,
                       per_split: dict[str, list[float]] | None = None, ratio: float | None = None) -> str:
    """The model with the best test balanced accuracy, named whichever it is, beside the tuned MLP (with the noise
    rule's word on the paired splits when `per_split` holds both) and, when they differ, why the recommendation
    (chosen on validation macro-F1) is another: Lab 1's classification chapter and its conclusions say the same
    thing. `among`: 'of these models', 'of the 12 models compared'."""
    if not scores:
        return ""
    best = max(scores, key=scores.get)
    text = (f"On test balanced accuracy (the mean recall over the classes) the best {among} is {labels[best]} "
            f"({scores[best]:.3f})")
    if best != "mlp_tuned" and "mlp_tuned" in scores:
        text += f", ahead of the tuned MLP ({scores['mlp_tuned']:.3f})"
        a, b = (per_split or {}).get(best), (per_split or {}).get("mlp_tuned")
        if a is not None and b is not None and len(a) == len(b):
            v = V.compare(a, b, higher_is_better=True, margin=V.margin_for("balanced_accuracy"),
                          test_train_ratio=ratio)
            text += f"; by the noise rule {relation(v)} it: {V.interval_text(v)}"
    if recommended is not None and recommended != best:
        text += (f"; the recommendation ({labels[recommended]}) is chosen on validation macro-F1, which weighs each "
                 "class's precision as well as its recall")
    return text + "."
