"""The comparative analysis and the conclusions, computed from report/_results/*.json only.

Every sentence is produced from the numbers by a function here and only when the numbers support
it: a claim whose condition fails is replaced by the sentence that states what the numbers do show.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# The lab's published numbers (the original assignment report), quoted for comparison only.
LAB_PUBLISHED = {
    "regression": {"rmse": 82.9, "mse": 11_390.0, "protocol": "random split, unscaled prices, MLP 64→32, 50 epochs"},
    "classification": {"accuracy": 0.78, "protocol": "SMOTE on all rows, then split (balanced, partly synthetic test set)"},
}
HEADLINE = {"regression": ("rmse", "lower"), "classification": ("macro_f1", "higher")}
METRIC_LABEL = {"rmse": "test RMSE", "mae": "test MAE", "r2": "test R²", "macro_f1": "test macro-F1",
                "accuracy": "test accuracy", "balanced_accuracy": "test balanced accuracy"}
TASK_LABEL = {"regression": "NYSE regression", "classification": "maintenance classification"}


def synthetic_note(*docs: dict) -> bool | str:
    """For captions: True when every part ran on the embedded default, else the parts that did."""
    parts = [TASK_LABEL[d["notebook"]] for d in docs if d["provenance"].get("source") == "embedded"]
    if not parts:
        return False
    return True if len(parts) == len(docs) else " and ".join(parts) + " part"


def _num(x) -> float:
    return float("nan") if x is None else float(x)


def fmt(value: float, metric: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if metric in ("rmse", "mae", "mse"):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    return f"{value:.3f}"


def better(task: str, a: float, b: float) -> bool:
    """Is a strictly better than b on the task's headline metric?"""
    return a < b if HEADLINE[task][1] == "lower" else a > b


def test_metric(doc: dict, model: str, metric: str | None = None, use_seed_mean: bool = True) -> float:
    metric = metric or HEADLINE[doc["notebook"]][0]
    entry = doc["models"].get(model, {})
    seeds = entry.get("seeds") or {}
    if use_seed_mean and seeds.get("n", 1) > 1 and metric in seeds.get("mean", {}):
        return _num(seeds["mean"][metric])
    return _num(entry.get("test", {}).get(metric))


def seed_std(doc: dict, model: str, metric: str | None = None) -> float:
    metric = metric or HEADLINE[doc["notebook"]][0]
    seeds = doc["models"].get(model, {}).get("seeds") or {}
    return _num(seeds.get("std", {}).get(metric)) if seeds.get("n", 1) > 1 else float("nan")


def models_table(doc: dict) -> pd.DataFrame:
    """All models of one part: train and test headline metrics, gap and seed spread."""
    task = doc["notebook"]
    metric = HEADLINE[task][0]
    second = "r2" if task == "regression" else "balanced_accuracy"
    rows = []
    for name, entry in doc["models"].items():
        seeds = entry.get("seeds") or {}
        rows.append({
            "model": name,
            f"train {metric}": _num(entry.get("train", {}).get(metric)),
            f"test {metric}": _num(entry.get("test", {}).get(metric)),
            f"test {second}": _num(entry.get("test", {}).get(second)),
            "seeds": int(seeds.get("n", 1)),
            f"seed mean {metric}": test_metric(doc, name, metric),
            f"seed std {metric}": seed_std(doc, name, metric),
        })
    df = pd.DataFrame(rows)
    asc = HEADLINE[task][1] == "lower"
    df = df.sort_values(f"seed mean {metric}", ascending=asc, na_position="last")
    # The lab protocol is scored on its own leaky test set: never ranked among the honest models.
    leaky = df["model"] == "lab_protocol"
    return pd.concat([df[~leaky], df[leaky]]).reset_index(drop=True)


def tuning_table(reg: dict, clf: dict) -> pd.DataFrame:
    rows = []
    for doc in (reg, clf):
        task = doc["notebook"]
        metric = HEADLINE[task][0]
        base, tuned = test_metric(doc, "mlp_baseline"), test_metric(doc, "mlp_tuned")
        change = (tuned - base) / abs(base) * 100 if base else float("nan")
        spread = _noise(doc, "mlp_tuned", "mlp_baseline")
        rows.append({"task": TASK_LABEL[task], "metric": METRIC_LABEL[metric], "MLP baseline": base,
                     "MLP tuned": tuned, "change (%)": change, "seed spread": spread,
                     "tuning helped": better(task, tuned, base) and abs(tuned - base) > spread})
    return pd.DataFrame(rows)


def tuning_sentences(reg: dict, clf: dict) -> str:
    out = []
    for _, r in tuning_table(reg, clf).iterrows():
        task = "regression" if r["task"] == TASK_LABEL["regression"] else "classification"
        metric = HEADLINE[task][0]
        if r["tuning helped"]:
            out.append(f"For the {r['task']}, tuning improved the {r['metric']} from {fmt(r['MLP baseline'], metric)} "
                       f"to {fmt(r['MLP tuned'], metric)} ({r['change (%)']:+.1f} %).")
        elif abs(r["MLP tuned"] - r["MLP baseline"]) <= r["seed spread"]:
            out.append(f"For the {r['task']}, the tuned and the baseline MLP are on a par ({r['metric']} "
                       f"{fmt(r['MLP tuned'], metric)} against {fmt(r['MLP baseline'], metric)}, a difference within the "
                       f"seed spread of ±{r['seed spread']:.3g}): the baseline configuration was already as good as the "
                       "search could find.")
        else:
            out.append(f"For the {r['task']}, the tuned MLP did not beat the baseline MLP on the test set "
                       f"({r['metric']} {fmt(r['MLP tuned'], metric)} against {fmt(r['MLP baseline'], metric)}): "
                       "the configuration chosen by cross-validation on the "
                       f"{'training period' if task == 'regression' else 'training rows'} did not transfer to the test set.")
    return " ".join(out)


REGULARIZERS = ("dropout", "l2", "batchnorm", "batch_norm", "early_stopping", "all_reg")


def regularization_reference(doc: dict) -> str:
    """The unregularized network the variants are compared with (classification names it mlp_tuned_plain)."""
    return "mlp_tuned_plain" if "mlp_tuned_plain" in doc["models"] else "mlp_tuned"


def _noise(doc: dict, *models: str) -> float:
    """The seed spread (std) of the first of these models that ran over several seeds, else 0."""
    for m in models:
        std = seed_std(doc, m)
        if math.isfinite(std):
            return std
    return 0.0


def regularization_table(doc: dict) -> pd.DataFrame:
    """Variants named mlp_tuned_<regularizer> against the unregularized tuned network.

    A change smaller than the tuned model's seed spread is flagged: it is not evidence either way.
    """
    task = doc["notebook"]
    metric = HEADLINE[task][0]
    ref_name = regularization_reference(doc)
    ref = doc["models"].get(ref_name)
    if ref is None:
        return pd.DataFrame()
    ref_test, ref_train = _num(ref["test"].get(metric)), _num(ref["train"].get(metric))
    noise = _noise(doc, ref_name, "mlp_tuned")
    rows = []
    for name, entry in doc["models"].items():
        if name.removeprefix("mlp_tuned_") not in REGULARIZERS or not name.startswith("mlp_tuned_"):
            continue
        test, train = _num(entry["test"].get(metric)), _num(entry["train"].get(metric))
        within = abs(test - ref_test) <= noise
        rows.append({"task": TASK_LABEL[task], "variant": name.removeprefix("mlp_tuned_").replace("_", " "),
                     f"test {metric}": test, "Δ test vs unregularized": test - ref_test,
                     "train–test gap": abs(train - test), "gap unregularized": abs(ref_train - ref_test),
                     "within seed spread": within, "helped": better(task, test, ref_test) and not within})
    return pd.DataFrame(rows)


def regularization_sentences(doc: dict) -> str:
    table = regularization_table(doc)
    task = doc["notebook"]
    metric = HEADLINE[task][0]
    if table.empty:
        return f"No regularization variants were run for the {TASK_LABEL[task]}."
    helped = table[table["helped"]]
    flat = table[table["within seed spread"]]
    hurt = table[~table["helped"] & ~table["within seed spread"]]
    parts = []
    if len(helped):
        best = helped.sort_values("Δ test vs unregularized", ascending=HEADLINE[task][1] == "lower").iloc[0]
        parts.append(f"For the {TASK_LABEL[task]}, {len(helped)} of {len(table)} regularization variants improved the "
                     f"{METRIC_LABEL[metric]} of the unregularized tuned network by more than its seed spread; the largest "
                     f"gain came from {best['variant']} ({fmt(best[f'test {metric}'], metric)}, "
                     f"Δ {best['Δ test vs unregularized']:+.3g}).")
    else:
        parts.append(f"For the {TASK_LABEL[task]}, none of the {len(table)} regularization variants improved the "
                     f"{METRIC_LABEL[metric]} of the unregularized tuned network by more than its seed spread.")
    if len(flat):
        noise = _noise(doc, regularization_reference(doc), "mlp_tuned")
        parts.append(f"Within the seed spread (±{noise:.3g}), so neither better nor worse: " + ", ".join(flat["variant"]) + ".")
    narrowed = table[table["train–test gap"] < table["gap unregularized"]]
    if len(narrowed):
        parts.append("The train–test gap narrowed with " + ", ".join(narrowed["variant"]) + ".")
    if len(hurt):
        parts.append("Worse than no regularization: " + ", ".join(hurt["variant"]) + ".")
    return " ".join(parts)


def curve_model(doc: dict) -> str:
    """The tuned network whose curves were recorded (classification trains it apart as mlp_tuned_net)."""
    hist = doc.get("history") or {}
    return next((m for m in ("mlp_tuned", "mlp_tuned_net", "mlp_tuned_plain") if m in hist), "mlp_tuned")


def curve_summary(doc: dict, model: str | None = None) -> dict | None:
    """Convergence epoch (90 % of the total train-loss drop reached) and final train/test loss gap."""
    hist = (doc.get("history") or {}).get(model or curve_model(doc))
    if not hist or "train_loss" not in hist:
        return None
    train = np.asarray(hist["train_loss"], dtype=float)
    test = np.asarray(hist.get("test_loss", [np.nan] * len(train)), dtype=float)
    if len(train) < 2:
        return None
    drop = train[0] - train.min()
    conv = int(np.argmax(train <= train[0] - 0.9 * drop)) + 1 if drop > 0 else 1
    final_train, final_test = float(train[-1]), float(test[-1])
    gap = (final_test - final_train) / abs(final_train) if final_train else float("nan")
    best_test_epoch = int(np.nanargmin(test)) + 1 if np.isfinite(test).any() else None
    return {"epochs": len(train), "converged_epoch": conv, "final_train_loss": final_train, "final_test_loss": final_test,
            "relative_gap": gap, "best_test_epoch": best_test_epoch}


def behaviour_sentences(reg: dict, clf: dict) -> str:
    out = []
    for doc in (reg, clf):
        s = curve_summary(doc)
        task = TASK_LABEL[doc["notebook"]]
        if s is None:
            out.append(f"No training curves were recorded for the tuned {task} model.")
            continue
        text = (f"The tuned {task} MLP reached 90 % of its training-loss reduction by epoch {s['converged_epoch']} "
                f"of {s['epochs']}")
        if math.isfinite(s["relative_gap"]):
            if s["relative_gap"] > 0.25:
                text += (f"; its final test loss is {s['relative_gap']*100:.0f} % above the training loss, a sign of "
                         "over-fitting or of a shift between the training and test periods")
            elif s["relative_gap"] < -0.05:
                text += "; its test loss ends below the training loss (regularization noise or an easier test period)"
            else:
                text += "; train and test losses end close together, so it neither over- nor under-fits markedly"
        if s.get("best_test_epoch") and s["best_test_epoch"] < 0.5 * s["epochs"]:
            text += f" (the test loss was lowest at epoch {s['best_test_epoch']}, early in training)"
        out.append(text + ".")
    return " ".join(out)


def protocol_table(clf: dict) -> pd.DataFrame:
    """Lab protocol (leaky) against the honest one, from the classification results."""
    extra = clf.get("extra", {})
    lab = clf["models"]["lab_protocol"]
    rows = [{"protocol": "lab: SMOTE on all rows, then split — score on its own test set",
             "accuracy": _num(lab["test"].get("accuracy")), "macro_f1": _num(lab["test"].get("macro_f1"))}]
    lab_extra = extra.get("lab_protocol") if isinstance(extra.get("lab_protocol"), dict) else {}
    real = lab_extra.get("real_rows_metrics")
    if isinstance(real, dict):
        rows.append({"protocol": "lab model scored on the real test rows only",
                     "accuracy": _num(real.get("accuracy")), "macro_f1": _num(real.get("macro_f1"))})
    for name, label in (("mlp_baseline", "honest: split first, resampling inside training folds (MLP baseline)"),
                        ("mlp_tuned", "honest: tuned MLP")):
        if name in clf["models"]:
            rows.append({"protocol": label, "accuracy": test_metric(clf, name, "accuracy", False),
                         "macro_f1": test_metric(clf, name, "macro_f1", False)})
    return pd.DataFrame(rows)


def published_table(reg: dict, clf: dict) -> pd.DataFrame:
    rows = [
        {"task": TASK_LABEL["regression"], "metric": "test RMSE", "lab (published)": LAB_PUBLISHED["regression"]["rmse"],
         "lab protocol (our run)": test_metric(reg, "lab_protocol", "rmse", False),
         "our best MLP": test_metric(reg, "mlp_tuned", "rmse", False)},
        {"task": TASK_LABEL["regression"], "metric": "test MSE", "lab (published)": LAB_PUBLISHED["regression"]["mse"],
         "lab protocol (our run)": test_metric(reg, "lab_protocol", "mse", False),
         "our best MLP": test_metric(reg, "mlp_tuned", "mse", False)},
        {"task": TASK_LABEL["classification"], "metric": "test accuracy",
         "lab (published)": LAB_PUBLISHED["classification"]["accuracy"],
         "lab protocol (our run)": test_metric(clf, "lab_protocol", "accuracy", False),
         "our best MLP": test_metric(clf, "mlp_tuned", "accuracy", False)},
    ]
    return pd.DataFrame(rows)


def published_sentences(reg: dict, clf: dict) -> str:
    out = []
    synthetic = reg["provenance"].get("source") == "embedded"
    ours_lab = test_metric(reg, "lab_protocol", "rmse", False)
    ours = test_metric(reg, "mlp_tuned", "rmse", False)
    pub = LAB_PUBLISHED["regression"]["rmse"]
    reason = ("the lab trained an MLP on raw, unscaled prices (from a few dollars to over $1,000), so its error is "
              "dominated by the expensive stocks and by an optimizer that struggles with unscaled inputs")
    if synthetic:
        reason += "; this edition also uses synthetic prices, so the levels are not comparable one to one"
    if math.isfinite(ours) and ours < pub:
        out.append(f"The lab reported a test RMSE of {pub:g} (MSE {LAB_PUBLISHED['regression']['mse']:,.0f}); our tuned MLP "
                   f"reaches {fmt(ours, 'rmse')} and our re-run of the lab's own setup {fmt(ours_lab, 'rmse')}. "
                   f"The gap comes from the method: {reason}.")
    else:
        out.append(f"The lab reported a test RMSE of {pub:g}; our tuned MLP gives {fmt(ours, 'rmse')} and our re-run of "
                   f"the lab's setup {fmt(ours_lab, 'rmse')} ({reason}).")
    acc_pub = LAB_PUBLISHED["classification"]["accuracy"]
    acc_lab = test_metric(clf, "lab_protocol", "accuracy", False)
    acc_honest = test_metric(clf, "mlp_tuned", "accuracy", False)
    f1_honest = test_metric(clf, "mlp_tuned", "macro_f1", False)
    out.append(f"For classification the lab reported an accuracy of {acc_pub:.2f} on a SMOTE-balanced test set, which is "
               f"partly synthetic and has the class mix of the oversampler, not of the machines; our re-run of that "
               f"protocol scores {fmt(acc_lab, 'accuracy')}. On the untouched, imbalanced test set the tuned MLP has an "
               f"accuracy of {fmt(acc_honest, 'accuracy')} — a number dominated by the 'No Failure' majority, which is why "
               f"this report ranks models by macro-F1 ({fmt(f1_honest, 'macro_f1')} for the tuned MLP).")
    return " ".join(out)


def protocol_sentences(clf: dict) -> str:
    extra = clf.get("extra", {})
    table = protocol_table(clf)
    out = []
    lab_extra = extra.get("lab_protocol") if isinstance(extra.get("lab_protocol"), dict) else {}
    share = lab_extra.get("synthetic_test_share")
    if share is not None:
        out.append(f"In the lab's protocol {float(share)*100:.1f} % of the test rows "
                   f"({int(lab_extra.get('synthetic_test_rows', 0)):,} of {int(lab_extra.get('test_rows', 0)):,}) "
                   "are synthetic SMOTE samples.")
    lab_f1 = table.iloc[0]["macro_f1"]
    honest = table[table["protocol"].str.startswith("honest")]
    if len(honest):
        h = honest.iloc[-1]
        same = "the tuned MLP's under the honest protocol on the same first split"
        if lab_f1 > h["macro_f1"]:
            out.append(f"Its macro-F1 of {lab_f1:.3f} is higher than {same} ({h['macro_f1']:.3f}): the leak "
                       "and the balanced, synthetic test set inflate the score.")
        else:
            out.append(f"Its macro-F1 of {lab_f1:.3f} is not above {same} ({h['macro_f1']:.3f}).")
    if len(table) > 1 and table.iloc[1]["protocol"].startswith("lab model scored"):
        out.append(f"Scored on the real test rows only, the lab's model reaches a macro-F1 of {table.iloc[1]['macro_f1']:.3f}.")
    return " ".join(out)


def rebalancing_table(clf: dict) -> pd.DataFrame:
    """Rebalancing strategies from extra['rebalancing'] (list of rows) if the notebook provided them."""
    rows = clf.get("extra", {}).get("rebalancing")
    if isinstance(rows, list) and rows:
        flat = []
        for r in rows:
            recall = r.get("per_class_recall") if isinstance(r.get("per_class_recall"), dict) else {}
            flat.append({**{k: v for k, v in r.items() if k != "per_class_recall"},
                         **{f"recall {c}": v for c, v in recall.items()}})
        return pd.DataFrame(flat)
    if isinstance(rows, dict) and rows:
        return pd.DataFrame([{"strategy": k, **(v if isinstance(v, dict) else {"macro_f1": v})} for k, v in rows.items()])
    return pd.DataFrame()


def rebalancing_sentences(clf: dict) -> str:
    table = rebalancing_table(clf)
    if table.empty or "macro_f1" not in table:
        return "The classification notebook recorded no rebalancing comparison."
    key = "strategy" if "strategy" in table else table.columns[0]
    best = table.sort_values("macro_f1", ascending=False).iloc[0]
    none = table[table[key].astype(str) == "none"]
    text = f"Among the rebalancing strategies, {best[key]} gave the best test macro-F1 ({best['macro_f1']:.3f})"
    if len(none):
        n = float(none.iloc[0]["macro_f1"])
        if str(best[key]) == "none":
            text += ", so training on the imbalanced data as it is was not beaten by any rebalancing"
        else:
            text += f", against {n:.3f} without rebalancing ({best['macro_f1'] - n:+.3f})"
    return text + "."


def recommendation(doc: dict) -> dict:
    """The model to use: best seed-mean test headline metric; ties go to the simpler model (listed first)."""
    task = doc["notebook"]
    metric = HEADLINE[task][0]
    scores = {name: test_metric(doc, name, metric) for name in doc["models"]}
    scores = {k: v for k, v in scores.items() if math.isfinite(v) and k != "lab_protocol"}
    baselines = {"regression": ("naive", "ols", "ols_return"),
                 "classification": ("majority", "logreg", "hgb", "hgb_physics")}[task]
    # Only models scored over several seeds compete (a one-seed variant can win by luck), when there are
    # any; the baselines always do (the regression ones are deterministic, one fit is all there is).
    multi = {k: v for k, v in scores.items() if (doc["models"][k].get("seeds") or {}).get("n", 1) > 1 or k in baselines}
    scores = multi if any(k not in baselines for k in multi) else scores
    ordered = sorted(scores.items(), key=lambda kv: kv[1], reverse=HEADLINE[task][1] == "higher")
    best_name, best_val = ordered[0]
    mlp_best = next(((k, v) for k, v in ordered if k.startswith("mlp")), (None, float("nan")))
    best_base = max(((b, scores[b]) for b in baselines if b in scores), key=lambda kv: kv[1] if HEADLINE[task][1] == "higher" else -kv[1],
                    default=(None, float("nan")))
    return {"task": task, "metric": metric, "best": best_name, "best_value": best_val,
            "best_std": seed_std(doc, best_name, metric), "best_mlp": mlp_best[0], "best_mlp_value": mlp_best[1],
            "best_baseline": best_base[0], "best_baseline_value": best_base[1]}


def _pm(doc: dict, model: str, metric: str) -> str:
    std = seed_std(doc, model, metric)
    return f" ± {fmt(std, metric)}" if math.isfinite(std) else ""


def conclusion_sentences(doc: dict) -> str:
    r = recommendation(doc)
    task, metric = r["task"], r["metric"]
    std = f" ± {fmt(r['best_std'], metric)} over seeds" if math.isfinite(r["best_std"]) else ""
    label = TASK_LABEL[task]
    text = (f"**{label[0].upper() + label[1:]}:** use **{r['best'].replace('_', ' ')}** — it has the best "
            f"{METRIC_LABEL[metric]} ({fmt(r['best_value'], metric)}{std}) among the baselines and the models evaluated over several seeds.")
    if r["best_mlp"] and r["best_baseline"]:
        margin = abs(r["best_value"] - r["best_baseline_value"])
        spread = max(_noise(doc, r["best"]), _noise(doc, r["best_baseline"]))
        if r["best"].startswith("mlp") and margin <= spread:
            text += (f" Its lead over the best baseline, {r['best_baseline']} ({fmt(r['best_baseline_value'], metric)}), "
                     f"is within the seed spread, so the two are on a par and the simpler baseline is as good a choice.")
        elif r["best"].startswith("mlp"):
            text += (f" It beats the best baseline, {r['best_baseline']} ({fmt(r['best_baseline_value'], metric)}), "
                     f"so the MLP earns its cost here.")
        elif abs(r["best_value"] - r["best_mlp_value"]) <= max(_noise(doc, r["best"]), _noise(doc, r["best_mlp"])):
            text += (f" The best MLP ({r['best_mlp'].replace('_', ' ')}, {fmt(r['best_mlp_value'], metric)}"
                     f"{_pm(doc, r['best_mlp'], metric)}) trails it by less than the seed spread: the two are on a par, "
                     "and the simpler, cheaper model is the one to deploy.")
        else:
            text += (f" The best MLP ({r['best_mlp'].replace('_', ' ')}, {fmt(r['best_mlp_value'], metric)}) does not beat it, "
                     f"so the simpler model is the one to deploy; the MLP is still useful as a check.")
    return text


def rules_reference_sentence(clf: dict) -> str:
    """The documented generation rules (no training) as the ceiling the classification inputs allow."""
    rules = clf.get("extra", {}).get("documented_rules")
    if not isinstance(rules, dict) or "mean" not in rules:
        return ""
    r = recommendation(clf)
    gap = r["best_value"] - float(rules["mean"])
    return (f"For scale: the documented failure rules of the data's generating process, applied to the same test rows "
            f"(only their tool-wear window fitted on the training rows), reach a macro-F1 of {float(rules['mean']):.3f} ± {float(rules.get('std', 0)):.3f}; the "
            f"recommended model is {abs(gap):.3f} {'above' if gap > 0 else 'below'} that"
            + (", so it recovers about all that the inputs determine (Random and Tool Wear failures are random by "
               "construction)." if gap >= -0.02 else
               ", so part of what the inputs determine is still not learned."))


def conclusions_md(reg: dict, clf: dict) -> str:
    rules = rules_reference_sentence(clf)
    parts = [conclusion_sentences(reg), "", conclusion_sentences(clf) + (" " + rules if rules else ""), "",
             "**What helped.** " + tuning_sentences(reg, clf), "",
             regularization_sentences(reg) + " " + regularization_sentences(clf), "",
             "**Methodology.** " + protocol_sentences(clf) + " " + rebalancing_sentences(clf), ""]
    note = synthetic_note(reg, clf)
    if note:
        which = "both parts" if note is True else f"the {note}"
        parts += ["::: {.callout-warning}", f"The conclusions for {which} are drawn from the embedded synthetic data "
                  "(see the front page); they describe the generator, not the real dataset.", ":::", ""]
    return "\n".join(parts)
