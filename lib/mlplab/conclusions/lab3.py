"""Lab 3's computed comparison and conclusions (analysis/33_lab3_conclusions.ipynb), from the results files of
its chapters only (`report/_results/fashion_mnist.json`, `depth.json` and `transfer.json`).

Every sentence branches on computed values; verdict words are the ones the noise rule wrote into the results.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mlplab.depth import CLAIM_STATUSES
from mlplab.errors import UserError
from mlplab.experiment.prose import join, pct
from mlplab.experiment.tables import interval_cell

HEAD = ("logreg", "mlp", "cnn_source", "cnn_tuned")
RELATION = {"better": "better than", "worse": "worse than", "on a par": "on a par with",
            "undecided": "in an undecided comparison with", "too few runs": "compared, on too few seeds to call, with"}


def validate_params(params: dict) -> None:
    if "results_dir" in params and not isinstance(params["results_dir"], str):
        raise UserError(f"lab3_conclusions parameter results_dir={params['results_dir']!r}: expected a folder path or ''")


def data_note(fashion: dict | None, depth: dict | None, transfer: dict | None = None) -> str:
    """For captions: which of the given chapters ran on a subset (the embedded one or a chosen one); each table
    passes only the chapters its rows come from."""
    parts = [name for name, doc in (("the Fashion-MNIST chapter", fashion), ("the depth chapter", depth),
                                    ("the transfer chapter", transfer))
             if doc is not None and doc["provenance"].get("kind") == "subset"]
    if not parts:
        return ""
    return f" Data: {join(parts)} ran on a subset of the images, not the full set."


def _verdict(doc: dict, a: str, b: str) -> dict | None:
    return next((v for v in doc.get("verdicts", []) if v["a"] == a and v["b"] == b), None)


def models_table(fashion: dict) -> pd.DataFrame:
    rows = []
    for name in HEAD:
        m = fashion["models"][name]
        rows.append({"model": m["label"], "validation accuracy": m["validation"].get("accuracy", float("nan")),
                     "test accuracy": m["seeds"]["mean"]["accuracy"], "test SD": m["seeds"]["std"]["accuracy"],
                     "seeds": m["seeds"]["n"], "fit minutes": m["seconds"] / 60 / max(1, m["seeds"]["n"])})
    return pd.DataFrame(rows)


def models_caption(fashion: dict, note: str) -> str:
    rec = fashion.get("recommended")
    take = (f"By validation accuracy the recommended model is {fashion['models'][rec['model']]['label']}."
            if rec else "No model is recommended.")
    return ("The Fashion-MNIST models on one protocol: validation and test accuracy (mean over the seeds), the test "
            "accuracy's spread, and the minutes one fit took on average. " + take + note)


def fashion_sentences(fashion: dict) -> str:
    m = fashion["models"]
    out = []
    for a, b in (("cnn_tuned", "cnn_source"), ("cnn_source", "mlp"), ("mlp", "logreg")):
        v = _verdict(fashion, a, b)
        if v is None:
            continue
        if v.get("low") is None:
            out.append(f"{m[a]['label']} is {RELATION[v['word']]} {m[b]['label']} on test accuracy "
                       f"({v['mean_diff']:+.3f} over {v['n']} seeds)")
            continue
        out.append(f"{m[a]['label']} is {RELATION[v['word']]} {m[b]['label']} on test accuracy "
                   f"({v['mean_diff']:+.3f}, 95 % interval {v['low']:+.3f} to {v['high']:+.3f}, {v['n']} seeds)")
    text = "; ".join(out)
    text = text[:1].upper() + text[1:] + "." if text else ""
    g = fashion["extra"].get("goal")
    if g:
        status = ("meets" if g["met_accuracy"] else "does not meet")
        text += (f" The tuned CNN {status} the goal of {pct(g['goal_accuracy'], 1)} mean test accuracy over "
                 f"{g['n_seeds']} seeds ({pct(g['mean'], 2)} ± {pct(g['sd'], 2)})")
        longest = max(g["fit_seconds"]) / 60
        text += (f"; its longest fit took {longest:.1f} min with {g['threads']} torch thread"
                 f"{'s' if g['threads'] != 1 else ''}, " + ("within" if g["within_time"] else "beyond")
                 + f" the {g['goal_seconds'] / 60:.0f}-minute budget in that run.")
    return text


def _ci(v: dict, digits: int = 3) -> str:
    """A recorded verdict's numbers, as chapter 8 to 10 print them: '+0.122, 95 % interval +0.09 to +0.15, 3 seeds'."""
    from mlplab.experiment import verdict as V

    if v.get("low") is None or v.get("high") is None:
        return f"{V.signed(v['mean_diff'], digits)}, {v['n']} seeds"
    return (f"{V.signed(v['mean_diff'], digits)}, 95 % interval {V.signed(v['low'], digits)} to "
            f"{V.signed(v['high'], digits)}, {v['n']} seeds")


def regularization_sentence(fashion: dict) -> str:
    """The regularization study's decided verdicts, the words of the others, and, when its unregularized reference
    scored below logistic regression on the validation images, that the verdicts measure early training speed."""
    from mlplab.fashion.narrative import what_the_study_measures

    recs = [v for v in fashion.get("verdicts", []) if v["topic"] == "regularization"]
    if not recs:
        return "The Fashion-MNIST chapter ran no regularization study."
    m = fashion["models"]
    decided = [v for v in recs if v["word"] in ("better", "worse")]
    rest = [v for v in recs if v["word"] not in ("better", "worse")]
    if not decided:
        text = (f"None of the {len(recs)} regularizers changed the unregularized tuned CNN's test accuracy beyond the "
                "noise in the regularization study.")
    else:
        parts = [f"{m[v['a']]['label']} is {RELATION[v['word']]} it ({_ci(v)})" for v in decided]
        text = f"Against the tuned CNN without regularizers, {join(parts)}"
        if rest:
            words = {}
            for v in rest:
                words[v["word"]] = words.get(v["word"], 0) + 1
            text += "; of the others, " + join([f"{n} {w}" for w, n in words.items()])
        text += "."
    ref = m.get(recs[0]["b"], {}).get("validation", {}).get("accuracy")
    floor = m.get("logreg", {}).get("validation", {}).get("accuracy")
    scope = what_the_study_measures(ref, (m["logreg"]["label"], floor) if floor is not None else None)
    return text + (" " + scope if scope else "")


def ladder_sentence(fashion: dict) -> str:
    """What the Fashion-MNIST chapter's ablation ladder credits with the tuned CNN's gain: the rungs the noise rule
    called better (or worse) than the rung before, and the budget they ran on. Empty without a ladder."""
    rungs = {r["name"]: r for r in fashion.get("extra", {}).get("ladder", [])}
    recs = [v for v in fashion.get("verdicts", []) if v["topic"] == "ladder" and v["a"] in rungs]
    if not recs:
        return ""
    from mlplab.fashion.narrative import rung_change

    said = lambda vs: join([rung_change(rungs[v["a"]]["rung"], v["mean_diff"], 3) for v in vs])  # noqa: E731
    better = [v for v in recs if v["word"] == "better"]
    worse = [v for v in recs if v["word"] == "worse"]
    text = ("In the ablation ladder from the source's CNN to the tuned configuration, "
            + ((f"the change that raised the test accuracy beyond the noise was {said(better)}" if len(better) == 1 else
                f"the changes that raised the test accuracy beyond the noise were {said(better)}") if better else
               "no single change raised the test accuracy beyond the noise"))
    if worse:
        text += f"; {said(worse)} lowered it"
    fit = next(iter(rungs.values()))["fit_images"]
    return text + f" ({len(recs)} steps, each on the same {fit:,} fit images)."


def depth_table(depth: dict) -> pd.DataFrame:
    rows = []
    for name in ("plain_deep", "residual_deep", "plain_deep_bn", "residual_deep_bn", "vgg16c", "resnet18", "resnext"):
        m = depth["models"][name]
        ratio = depth["extra"]["gradient_ratio"].get(name, {}).get("init")
        rows.append({"network": m["label"], "parameters": int(m["parameters"]), "conv layers": m["conv_layers"],
                     "log10 ratio at init": (sum(ratio) / len(ratio)) if ratio else float("nan"),
                     "test accuracy": m["seeds"]["mean"]["accuracy"], "s/epoch": m["seconds_per_epoch"]})
    return pd.DataFrame(rows)


def depth_caption(depth: dict, note: str) -> str:
    t = depth_table(depth)
    best = t.sort_values("test accuracy").iloc[-1]
    return ("Every network of the depth chapter: parameters, convolution layers, the log10 ratio of the first conv "
            "layer's gradient norm to the last's at initialization (deep stacks only), test accuracy and seconds per epoch. The most "
            f"accurate is {best['network']} ({best['test accuracy']:.3f}).") + note


def depth_sentences(depth: dict, fashion: dict | None = None) -> str:
    """The deep stacks' gradient and accuracy verdicts (a pair that stayed at chance on every seed is said to be
    at chance, not given a verdict), the source's claims by status, and, with the Fashion-MNIST results, where the
    three architectures stand against that chapter's MLP and source's CNN."""
    m = depth["models"]
    chance = depth["extra"].get("chance", {})
    out = []
    for a, b, what in (("residual_deep", "plain_deep", "without batch norm"),
                       ("residual_deep_bn", "plain_deep_bn", "with batch norm")):
        g = next((v for v in depth["verdicts"] if v["a"] == a and v["b"] == b and v["topic"].startswith("depth_gradient")), None)
        acc = next((v for v in depth["verdicts"] if v["a"] == a and v["b"] == b and v["topic"].startswith("depth_accuracy")),
                   None)
        if g is None or acc is None:
            continue
        grad = {"better": "keeps the gradient nearer the same strength at input and output than",
                "worse": "keeps the gradient further from the same strength at input and output than",
                "on a par": "keeps the gradient as near the same strength at input and output as"}.get(
            g["word"], "cannot be told apart by its gradient from")
        grad += f" {m[b]['label']} (distance from a ratio of 1 in orders of magnitude: {_ci(g, 2)})"
        if chance.get(a, {}).get("at_chance") and chance.get(b, {}).get("at_chance"):
            k = round(1 / chance[a]["chance_accuracy"])
            out.append(f"{what}, both deep stacks stay at chance on every seed (test accuracy "
                       f"{chance[b]['accuracy']:.3f} and {chance[a]['accuracy']:.3f}, training loss near ln {k} = "
                       f"{chance[a]['chance_loss']:.2f}): neither learned, so their accuracies say nothing about "
                       f"residual connections; at initialization {m[a]['label']} {grad}")
            continue
        out.append(f"{what}, at initialization {m[a]['label']} {grad}, and it is "
                   f"{RELATION[acc['word']]} it on test accuracy ({_ci(acc)})")
    text = "; ".join(out)
    text = (text[:1].upper() + text[1:] + ".") if text else ""
    claims = depth["extra"].get("claims", [])
    if claims:
        counts = {k: sum(c["status"] == k for c in claims) for k in CLAIM_STATUSES}
        text += (" Of the source's claims about VGG-16, ResNet-18 and ResNeXt, "
                 + join([f"{n} {k}" for k, n in counts.items() if n]) + " on Fashion-MNIST.")
    if fashion is not None:
        text += " " + architectures_against_baselines(depth, fashion)
    return text.strip()


def architectures_against_baselines(depth: dict, fashion: dict) -> str:
    """Whether the depth chapter's three architectures score below the Fashion-MNIST chapter's MLP on pixels and
    source's CNN (trained on every fit image there; other images, so a plain comparison of means)."""
    fm = fashion["models"]
    refs = [(fm[k]["label"], float(fm[k]["seeds"]["mean"]["accuracy"])) for k in ("mlp", "cnn_source") if k in fm]
    t = depth_table(depth).iloc[4:7]
    if not refs or t.empty:
        return ""
    floor = min(a for _, a in refs)
    below = t.loc[t["test accuracy"] < floor, "network"].tolist()
    fit = depth["extra"].get("fit_images")
    epochs = depth.get("params", {}).get("arch_epochs")
    budget = (f"{fit:,} fit images" if fit else "a subset of the images") + (f" and {epochs} epochs" if epochs else "")
    refs_text = join([f"{lbl} ({a:.3f})" for lbl, a in refs])
    if len(below) == len(t):
        return (f"All three architectures ({t['test accuracy'].min():.3f} to {t['test accuracy'].max():.3f}) score "
                f"below {refs_text}: at {budget} they are far from trained, so the source's claims about them are "
                "tested at this budget only, and a claim our runs do not show is not reproduced rather than refuted.")
    if below:
        return f"{join(below)} score{'s' if len(below) == 1 else ''} below {refs_text} at {budget}."
    low_label, low = min(refs, key=lambda r: r[1])
    return f"All three architectures score at least as high as {low_label} ({low:.3f}), at {budget}."


def claims_table(depth: dict) -> pd.DataFrame:
    from mlplab.experiment.tables import difference_cell

    return pd.DataFrame([{"claim (the source's numbers)": c["claim"], "difference": difference_cell(c),
                          "95 % interval": interval_cell(c), "n": c["n"], "status": c["status"]}
                         for c in depth["extra"].get("claims", [])])


def claims_caption(depth: dict, note: str) -> str:
    claims = depth["extra"].get("claims", [])
    from mlplab.depth import CONFIRMED, NOT_REPRODUCED

    n = sum(c["status"] == CONFIRMED for c in claims)
    missed = sum(c["status"] == NOT_REPRODUCED for c in claims)
    return (f"The source's claims about the three architectures, tested on Fashion-MNIST with the noise rule: "
            f"{n} of {len(claims)} confirmed" + (f", {missed} not reproduced at this budget (narrowed networks, a "
                                                 "few thousand images, a few epochs)" if missed else "") + ".") + note


def recommendation_sentences(fashion: dict, depth: dict) -> str:
    rec = fashion.get("recommended")
    m = fashion["models"]
    if rec:
        text = (f"For Fashion-MNIST, use {m[rec['model']]['label']}: it has the highest validation accuracy "
                f"({rec['validation']:.3f}; its test accuracy is {rec['test']:.3f}), chosen without looking at the "
                "test images.")
    else:
        text = "No Fashion-MNIST model was recommended: " + fashion.get("reason", "")
    t = depth_table(depth)
    arch = t.iloc[4:7].sort_values("test accuracy")
    text += (f" Among the three architectures of the depth chapter, {arch.iloc[-1]['network']} scored highest on the "
             f"test images ({arch.iloc[-1]['test accuracy']:.3f}) and {arch.iloc[0]['network']} lowest "
             f"({arch.iloc[0]['test accuracy']:.3f}); that chapter is a study on a subset of the images with fixed "
             "settings, so it recommends none of them.")
    return text


def read_optional(name: str) -> dict | None:
    """A results file of the lab, or None when that chapter has not run (a missing file only: a corrupt one
    is still the reader's one-line error). Under `mlplab run` a notebook writes its results into a staging
    folder (MLPLAB_RESULTS_DIR), so another chapter's results are read from the book's results folder
    (MLPLAB_ROOT/report/_results): the depth chapter always read 'missing' there."""
    import json
    import os

    from mlplab.experiment.schema import ResultsError, read_results, results_path, validate

    if results_path(name).is_file():
        return read_results(name)
    root = os.environ.get("MLPLAB_ROOT")
    book = Path(root) / "report" / "_results" / f"{name}.json" if root else None
    if book is None or not book.is_file():
        return None
    try:
        doc = json.loads(book.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"report/_results/{name}.json: unreadable ({exc.__class__.__name__}); run `mlplab run "
                           f"--only {name} --force` to rebuild it") from None
    problems = validate(doc)
    if problems:
        raise ResultsError(f"report/_results/{name}.json: {problems[0]}; run `mlplab run --only {name} --force`")
    return doc


def transfer_sentences(transfer: dict | None) -> str:
    """The transfer chapter in two sentences, from transfer.json: at the smallest and the largest label budget,
    fine-tuned EfficientNet-Lite0 against the lab's CNN and against the same network from random
    initialization (the noise rule's words as that chapter recorded them), and the model its validation images
    recommend at the headline budget."""
    from mlplab.experiment import verdict as V

    if transfer is None:
        return ("The transfer-learning chapter has no results yet (`report/_results/transfer.json`); run "
                "`mlplab run --only transfer`.")
    m = transfer["models"]
    budgets = sorted(int(k) for k in transfer["extra"]["budgets"])

    def found(a: str, b: str, k: int):
        rec = _verdict(transfer, f"{a}_k{k}", f"{b}_k{k}")
        return None if rec is None else V.Verdict.from_dict(rec)

    def said(v, k: int, other: str) -> str:
        return (f"{V.relation(v)} {other} with {k:,} labelled images per class ({V.signed(v.mean_diff, 3)}, 95 % "
                f"interval {V.signed(v.low, 3)} to {V.signed(v.high, 3)})")

    parts = []
    for k in budgets:  # every budget: quoting the first and the last only looked like picking results
        v = found("lite0_finetune", "cnn_scratch", k)
        if v is not None:
            parts.append(said(v, k, "the lab's CNN"))
    text = ""
    if parts:
        text = (f"In the transfer-learning chapter (@sec-transfer), fine-tuned EfficientNet-Lite0 is {join(parts)}, on "
                f"test accuracy over {transfer['protocol']['outer_splits']} seeds.")
    pre = [found("lite0_finetune", "lite0_random", k) for k in budgets]
    words = {v.word for v in pre if v is not None}
    if len(words) == 1:
        word = words.pop()
        what = {"better": "better than", "worse": "worse than", "on a par": "on a par with"}.get(word)
        spread = [v.mean_diff for v in pre if v is not None]
        by = f" (by {V.signed(min(spread), 3)} to {V.signed(max(spread), 3)})" if len(spread) > 1 else ""
        text += (f" Its ImageNet weights make it {what} the same network from random initialization at every "
                 f"budget{by}." if what else
                 f" Against the same network from random initialization it is {word} at every budget{by}.")
    elif words:
        text += (" Against the same network from random initialization it is " +
                 join([f"{v.word} at {k:,}" for k, v in zip(budgets, pre) if v is not None]) + " per class.")
    rec = transfer.get("recommended")
    k = transfer["extra"].get("headline_budget")
    if rec:
        text += (f" With {k:,} labelled images per class the chapter's validation images recommend "
                 f"{m[rec['model']]['label']} (test accuracy {rec['test']:.3f})")
        lead = rec.get("validation", 0) - m.get(rec.get("runner_up") or "", {}).get("validation", {}).get("accuracy", 0)
        if rec.get("runner_up") and 0 <= lead < V.margin_for("accuracy"):
            text += (f", ahead of {m[rec['runner_up']]['label']} by {lead:.3f} of validation accuracy, inside the "
                     "margin of parity: either would do")
        text += "."
    return text.strip()
