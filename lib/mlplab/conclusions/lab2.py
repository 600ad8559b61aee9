"""Lab 2's comparison and conclusions (analysis/23_lab2_conclusions.ipynb), computed from the two
results files only (california.json, wildfire.json): what to use per task, by how much it wins,
what helped, what did not, and what the numbers do not allow one to conclude.

Every "better / worse / on a par" is the noise rule (mlplab.experiment.verdict), either as recorded
by the chapter or recomputed here from the per-split test scores the results hold, with the
Nadeau–Bengio correction for the chapters' overlapping outer splits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.errors import UserError
from mlplab.experiment import verdict as V
from mlplab.experiment.prose import capital, join, metric_name, num, verdict_clause, verdicts_summary
from mlplab.experiment.tables import difference_cell, interval_cell

TASKS = {"california": ("rmse", False, "California Housing (regression)", "RMSE ($100,000)"),
         "wildfire": ("macro_f1", True, "Algerian forest fires (classification)", "macro-F1")}
MLPS = ("mlp_tuned", "mlp_source")


def validate_params(params: dict) -> None:
    if "results_dir" in params and not isinstance(params["results_dir"], str):
        raise UserError(f"lab2_comparison parameter results_dir={params['results_dir']!r}: expected a folder path or ''")


def ratio(doc: dict) -> float:
    """The Nadeau-Bengio test/train ratio the chapter's own verdicts used (recorded with them), so a pair
    compared in the chapter and here gets the same interval; the split sizes only when none was recorded."""
    for v in doc.get("verdicts") or []:
        if v.get("test_train_ratio"):
            return float(v["test_train_ratio"])
    s = doc["extra"]["split"]
    return s["test"] / max(1, s["fit"] + s["validation"])


def label(doc: dict, name: str) -> str:
    return doc["models"][name]["label"]


def _values(doc: dict, name: str, metric: str) -> list[float]:
    return [float(v) for v in doc["models"][name]["per_split"]["test"][metric]]


def compare(doc: dict, a: str, b: str) -> V.Verdict:
    """The chapter's recorded verdict for (a, b) on the part's metric when there is one (the same word and
    interval in both places), else the noise rule on the recorded per-split values."""
    metric, higher, _, _ = TASKS[doc["notebook"]]
    for v in doc.get("verdicts") or []:
        if v.get("a") == a and v.get("b") == b and v.get("metric") == metric and v.get("part", "test") == "test":
            return V.Verdict.from_dict(v)
    ref = _values(doc, b, metric)
    return V.compare(_values(doc, a, metric), ref, higher_is_better=higher, margin=V.margin_for(metric, ref),
                     test_train_ratio=ratio(doc))


def _mean(doc: dict, name: str, part: str = "test") -> float:
    metric = TASKS[doc["notebook"]][0]
    entry = doc["models"][name]
    return float(entry["seeds"]["mean"][metric]) if part == "test" else float(entry["validation"][metric])


def best_other(doc: dict) -> str:
    """The best non-MLP model on validation (never a leaky reference, never the majority / mean)."""
    metric, higher, _, _ = TASKS[doc["notebook"]]
    pool = [n for n, e in doc["models"].items() if e["role"] in ("baseline", "reference") and n not in MLPS
            and not n.startswith("mlp") and metric in (e.get("validation") or {})]
    sign = 1 if higher else -1
    return max(pool, key=lambda n: sign * _mean(doc, n, "validation"))


# ---- what to use ---------------------------------------------------------------------------------------

def recommendation_table(docs: dict[str, dict]) -> pd.DataFrame:
    rows = []
    for name, doc in docs.items():
        metric, _, task, unit = TASKS[name]
        rec = doc["recommended"]
        row = {"task": f"{task.split(' (')[0]}, {unit}"}   # the metric says the kind of task; the table must fit
        if rec is None:
            row.update({"recommended": "none", "validation": np.nan, "test": np.nan, "runner-up": "",
                        "difference": "–", "95 % interval": "–", "n": "–", "verdict": "–"})
        else:
            ru = rec.get("runner_up")
            v = compare(doc, rec["model"], ru) if ru else None
            row.update({"recommended": label(doc, rec["model"]), "validation": rec["validation"], "test": rec["test"],
                        "runner-up": label(doc, ru) if ru else "", "difference": difference_cell(v) if v else "–",
                        "95 % interval": interval_cell(v), "n": v.n if v else "–", "verdict": v.word if v else "–"})
        rows.append(row)
    return pd.DataFrame(rows)


def recommendation_caption(table: pd.DataFrame) -> str:
    called = table[table["verdict"].isin([V.BETTER, V.WORSE])]
    if called.empty:
        return ("Takeaway: in neither task is the recommended model's test score distinguishable from its runner-up's "
                "by the noise rule.")
    return (f"Takeaway: the recommended model's test score differs from its runner-up's beyond the noise in "
            f"{join([t.split(', ')[0] for t in called['task']])}.")


def use_sentences(docs: dict[str, dict]) -> str:
    out = []
    for name, doc in docs.items():
        metric, higher, task, unit = TASKS[name]
        rec = doc["recommended"]
        if rec is None:
            out.append(f"{task}: no model is recommended ({doc.get('reason', 'no validation scores')}).")
            continue
        text = (f"For {task}, use {label(doc, rec['model'])}: it has the best validation {metric_name(metric)} "
                f"({num(rec['validation'])}) and scores {num(rec['test'])} on test.")
        ru = rec.get("runner_up")
        if ru:
            v = compare(doc, rec["model"], ru)
            text += " " + capital(verdict_clause(label(doc, rec["model"]), label(doc, ru), v, metric, runs="outer splits")) + "."
        out.append(text)
    return " ".join(out)


# ---- the networks against the best other model ----------------------------------------------------------

def mlp_table(docs: dict[str, dict]) -> tuple[pd.DataFrame, list[dict]]:
    rows, records = [], []
    for name, doc in docs.items():
        metric, _, task, unit = TASKS[name]
        other = best_other(doc)
        for mlp in MLPS:
            v = compare(doc, mlp, other)
            records.append({"task": task, **V.record("lab2", mlp, other, metric, v)})
            rows.append({"task": task.split(" (")[0], "network": label(doc, mlp), "test": _mean(doc, mlp),
                         "best other model": label(doc, other), "its test": _mean(doc, other),
                         "difference": difference_cell(v), "95 % interval": interval_cell(v),
                         "splits": _count(v), "verdict": v.word})
    return pd.DataFrame(rows), records


def _count(v: V.Verdict) -> str:
    """How many outer splits went which way (description beside the interval's word): '3 of 3 worse'."""
    if v.n_better == v.n:
        return f"{v.n} of {v.n} better"
    if v.n_worse == v.n:
        return f"{v.n} of {v.n} worse"
    ties = v.n - v.n_better - v.n_worse
    return f"{v.n_better} better, {v.n_worse} worse" + (f", {ties} equal" if ties else "")


def mlp_sentences(docs: dict[str, dict]) -> str:
    out = []
    for name, doc in docs.items():
        metric, _, task, _ = TASKS[name]
        other = best_other(doc)
        v = compare(doc, "mlp_tuned", other)
        out.append(f"{task}: " + verdict_clause(label(doc, "mlp_tuned"), label(doc, other), v, metric,
                                                runs="outer splits") + ".")
    return " ".join(out)


def goal_sentence(cal: dict) -> str:
    g = cal["extra"]["goal"]
    linear = cal["models"].get("linear")
    scale = (f" For scale, linear regression, the simplest fitted model, averages {num(_mean(cal, 'linear'))}."
             if linear is not None else "")
    return _goal_text(g) + scale


def _goal_text(g: dict) -> str:
    if g["met"]:
        return (f"The goal set for California (an MLP test RMSE of at most {g['target']:g}) is met: {g['label']} "
                f"averages {num(g['mlp_mean'])} over the outer splits, with hyperparameters chosen on fit and "
                "validation rows only.")
    return (f"The goal set for California (an MLP test RMSE of at most {g['target']:g}) is not met: {g['label']} "
            f"averages {num(g['mlp_mean'])}, {num(g['mlp_mean'] - g['target'])} above it, while HGB tuned with the "
            f"same budget reaches {num(g['hgb_mean'])}.")


# ---- what helped ---------------------------------------------------------------------------------------

def helped_table(docs: dict[str, dict]) -> pd.DataFrame:
    """Each recorded one-change comparison (regularizers, feature sets) with its verdict."""
    rows = []
    for name, doc in docs.items():
        _, _, task, _ = TASKS[name]
        for r in doc.get("verdicts", []):
            if r["topic"] not in ("regularization", "feature sets"):
                continue
            what = (label(doc, r["a"]).replace("the unregularized tuned MLP with ", "").replace("the tuned MLP with ", "")
                    .removesuffix(" only") if r["topic"] == "regularization"
                    else f"FWI indices for {label(doc, r['a'])}")
            against = ("the unregularized MLP on the rows early stopping trains on" if r["b"].endswith("_es_reference")
                       else label(doc, r["b"]))
            rows.append({"task": f"{task.split(' (')[0]} ({metric_name(r['metric'])})", "change": what, "against": against,
                         "difference": difference_cell(r), "95 % interval": interval_cell(r), "n": r["n"],
                         "verdict": r["word"]})
    return pd.DataFrame(rows, columns=["task", "change", "against", "difference", "95 % interval", "n", "verdict"])


def helped_sentences(table: pd.DataFrame, docs: dict[str, dict]) -> str:
    out = [f"{task}: " + verdicts_summary(sub, "its reference", "test difference, paired over the outer splits")
           for task, sub in table.groupby("task", sort=False)]
    cal = docs.get("california")
    if cal is not None:
        enc = [s.get("encoding") for s in (cal["best_params"].get("mlp") or {}).values()]
        if enc:
            n = sum(e == "ple" for e in enc)
            out.append(f"The California searches chose the piecewise-linear encoding on {n} of {len(enc)} outer splits.")
    fire = docs.get("wildfire")
    if fire is not None:
        thr = fire["extra"].get("thresholds", {}).get("mlp_tuned", [])
        if thr:
            moved = int(np.sum(np.abs(np.asarray(thr) - 0.5) > 1e-9))
            out.append(f"The wildfire decision thresholds moved away from 0.5 on {moved} of {len(thr)} outer splits for "
                       "the tuned MLP.")
    return " ".join(out)


# ---- what not to conclude -------------------------------------------------------------------------------

def caveats(docs: dict[str, dict]) -> list[str]:
    out = []
    cal, fire = docs.get("california"), docs.get("wildfire")
    if cal is not None:
        capped = cal["extra"].get("capped", {}).get("mlp_tuned", {})
        if capped.get("share of squared error %") is not None:
            out.append(f"The California errors are not spread evenly: the capped block groups carry "
                       f"{num(capped['share of squared error %'], 1)} % of the tuned MLP's squared test error on the "
                       "first split, and their true values are unknown above the ceiling; a lower RMSE there partly "
                       "means predicting the ceiling, not the value.")
        out.append("The published anchors (Gorishniy et al.) come from another split of the same data: they orient, "
                   "they do not rank our models.")
    if fire is not None:
        sep = fire["extra"].get("separation", [])
        if sep and sep[0]["strength"] >= 0.9:
            out.append(f"In the forest-fire data a single index ({sep[0]['feature']}) orders the classes almost perfectly "
                       f"(AUC alone {num(sep[0]['AUC alone'])}): high scores with the FWI indices say more about how the "
                       "labels relate to those indices than about a model's skill.")
        d = fire["extra"]["data"]
        out.append(f"The forest-fire data hold {d['rows']} rows from {d['days']} days of one season in two regions: the "
                   "intervals are wide, and nothing here shows how the models would do in another year or region.")
        contrast = pd.DataFrame(fire["extra"].get("contrast", []))
        if not contrast.empty:
            diff = float(contrast["random − grouped"].mean())
            if diff > 0.005:
                out.append(f"A random split of rows flatters the same fixed models by {num(diff)} macro-F1 on average: "
                           "scores from random splits of this data overstate what a new day would get.")
            else:
                most = float(contrast["random − grouped"].abs().max())
                out.append("The random-split contrast moved the fixed models' scores by less than 0.005 macro-F1 on "
                           f"average (at most {num(most)} for one model): here it did not flatter them, but it remains "
                           "the weaker protocol.")
    for name, doc in docs.items():
        _, _, task, _ = TASKS[name]
        heads = [r for r in doc.get("verdicts", []) if r["topic"] == "headline"]
        open_ = [r for r in heads if r["word"] in (V.UNDECIDED, V.TOO_FEW)]
        if open_:
            out.append(f"{task}: {len(open_)} of the {len(heads)} headline comparisons "
                       f"{'is' if len(open_) == 1 else 'are'} undecided: their intervals "
                       "reach past the margin of parity, so the outer splits cannot rank those models either way, "
                       "nor call them equal.")
    return out


def caveats_md(items: list[str]) -> str:
    return "\n".join(f"- {t}" for t in items)


def differences(doc: dict, topics=("headline",)) -> tuple[list[str], list[dict]]:
    """(labels, verdict records) of a results file's recorded comparisons, for plots.scores.plot_differences."""
    recs = [r for r in doc.get("verdicts", []) if r["topic"] in topics]
    return [f"{label(doc, r['a'])} − {label(doc, r['b'])}" for r in recs], recs


def differences_caption(records: list[dict]) -> str:
    """How many intervals exclude zero, and what the rest are: on a par (inside the margin) or undecided."""
    if not records:
        return "Takeaway: no comparison was recorded."
    called = sum(r["word"] in (V.BETTER, V.WORSE) for r in records)
    par = sum(r["word"] == V.PAR for r in records)
    rest = len(records) - called
    head = f"Takeaway: {called} of the {len(records)} differences exclude zero"
    if rest == 0:
        return head + "."
    if par == rest:
        return head + "; the rest are on a par (their whole interval lies inside the margin of parity)."
    if par == 0:
        return head + "; the rest are undecided (their intervals reach past the margin of parity)."
    return head + f"; {par} on a par, {rest - par} undecided."


def synthetic(docs: dict[str, dict]) -> bool | str:
    kinds = [TASKS[n][2] for n, d in docs.items() if d["provenance"].get("kind") == "synthetic"]
    if not kinds:
        return False
    return True if len(kinds) == len(docs) else " and ".join(kinds)


def subset_note(docs: dict[str, dict]) -> str:
    subs = [TASKS[n][2] for n, d in docs.items() if d["provenance"].get("kind") == "subset"]
    return (f"{join(subs)} ran on a subset of the rows (profile {docs[next(iter(docs))]['profile']}): the conclusions "
            "below describe that run." if subs else
            f"Both chapters ran on the full real data (profile {docs[next(iter(docs))]['profile']}).")



def helped_caption(table: pd.DataFrame) -> str:
    return differences_caption([{"word": w} for w in table["verdict"]])


def mlp_labels(table: pd.DataFrame) -> list[str]:
    """Row labels of the networks' differences figure: task, network against the best other model."""
    return [f"{r['task'].split(' (')[0]}: {r['network']} against {r['best other model']}" for r in table.to_dict("records")]


def gain_records(records: list[dict]) -> list[dict]:
    """The records as gains, positive when the network is better, so one axis can hold RMSE (lower is better) and
    macro-F1 (higher is better): an RMSE difference and its interval change sign."""
    out = []
    for r in records:
        if r.get("metric") == "rmse":
            r = {**r, "mean_diff": -r["mean_diff"], "low": -r["high"] if r.get("high") is not None else None,
                 "high": -r["low"] if r.get("low") is not None else None}
        out.append(r)
    return out
