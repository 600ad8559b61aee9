"""Sentences and captions of the transfer chapter, each computed from numbers; every qualitative word has a
condition (tests/test_transfer_narrative.py covers each branch). "better", "worse", "on a par" and
"undecided" come from the noise rule only (mlplab.experiment.verdict)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.experiment import verdict as V
from mlplab.experiment.prose import capital, join, num, pct, verdict_clause
from mlplab.plots.fashion import short

SEEDS = "seeds"
TIME_BUDGET_MIN = 20.0   # the budget for this chapter's full profile, cold, on 2 cores
CNN_WORDS = "the lab's CNN"


def per_class(k: int) -> str:
    return f"{k:,} labelled image{'s' if k != 1 else ''} per class"


def data_note(provenance: dict, report: dict) -> str:
    """Appended to captions: which images the numbers come from when not the full official set."""
    if provenance.get("source") == "embedded":
        return " Data: the embedded Fashion-MNIST subset (200 training and 100 test images per class), not the full set."
    if report.get("test_source", "official") != "official" and report.get("dataset") != "Fashion-MNIST":
        return f" Data: {report['dataset']}."
    return ""


def data_sentence(data) -> str:
    r = data.report
    size = r.get("native_size")
    what = (f"{r['dataset']} ({len(data.classes)} classes, grey {size} × {size} images)" if not r.get("colour") else
            f"{r['dataset']} ({len(data.classes)} classes, colour images read at {size} × {size} pixels, layout "
            f"`{r['layout']}`)")
    test = r.get("test_note") or ("the official test images" if r.get("test_source") == "official" else r["test_source"])
    text = (f"Images: {what}. The labelled sets are drawn from a pool of {len(data.y_pool):,} training images; "
            f"{len(data.y_valid):,} validation images ({r['validation_source']}) and {len(data.y_test):,} test "
            f"images ({test}) are the same for every model.")
    for note in r.get("notes", []):
        text += f" {capital(note)}."
    return text


def protocol_caption(st) -> str:
    ks = join([f"{k:,}" for k in st.budgets])
    return (f"The few-label protocol: for each of {len(st.seeds)} seeds, {ks} labelled images per class are drawn "
            "from the pool (each seed's smaller sets inside its larger ones); validation and test images are fixed. "
            "Every regime trains on the same labelled images.")


# ---- what ImageNet sees ------------------------------------------------------------------------------

def imagenet_sentence(view: dict, wearable: dict) -> str:
    """`wearable`: {"share": overall share of top-1 labels that are garments, shoes or bags, "classes": the
    classes whose most frequent top-1 label is one}."""
    t = view["table"]
    conf = float(t["mean top-1 probability"].mean())
    share = wearable["share"]
    hits = wearable["classes"]
    n = int(t["images"].sum())
    text = (f"Shown {n:,} validation images at its native {view['resolution']} × {view['resolution']} pixels, the "
            f"pretrained network's own ImageNet classifier names a garment, shoe or bag of ImageNet as its top label "
            f"for {pct(share, 0)} of them, with a mean top-label probability of {pct(conf, 0)}.")
    if not hits:
        text += " For no class is the most frequent label one of these: the network sees other things in these images."
    elif len(hits) == len(t):
        text += " For every class the most frequent label is one of these."
    else:
        text += (f" For {join([short(c) for c in hits])} ({len(hits)} of {len(t)} classes) the most frequent label is "
                 "itself a garment, shoe or bag.")
    if conf < 0.5:
        text += (" Low confidence and scattered labels are the domain gap: ImageNet holds colour photographs of "
                 "objects in scenes, not grey 28-pixel icons of clothing on black.")
    return text


def imagenet_caption(view: dict) -> str:
    t = view["table"]
    low = t[t["share"] <= t["share"].min() + 1e-12]   # every class at the lowest share, not one of a tie
    return (f"One validation image per class (its own pixels; the network sees it scaled to {view['resolution']} "
            "pixels a side, the grey copied into three channels) with the pretrained network's three most probable "
            "ImageNet classes. "
            f"Its labels are least consistent for {join([short(c) for c in low['class']])}: the most frequent one "
            f"covers {pct(float(low['share'].iloc[0]), 0)} of {'its' if len(low) == 1 else 'their'} images.")


def imagenet_table_caption(view: dict) -> str:
    t = view["table"]
    best = t.sort_values("share").iloc[-1]
    return (f"Per class, over {int(t['images'].iloc[0])} validation images: the ImageNet label the pretrained network "
            f"gives most often, the share of images that get it, the mean probability of the top label and how many "
            f"different top labels occur. The most consistent is {short(best['class'])} "
            f"({best['most frequent ImageNet label']}, {pct(best['share'], 0)}).")


# ---- resolution ------------------------------------------------------------------------------------------

def _minutes(m: float) -> str:
    return f"{m:.1f}" if m < 10 else f"{m:.0f}"


def resolution_sentence(study: pd.DataFrame, chosen: int, minutes: dict[int, float],
                        budget_min: float = TIME_BUDGET_MIN) -> str:
    """Why the chapter trains at `chosen` pixels: its validation accuracy against the study's best and what the
    learning curve's fine-tuning costs there. `minutes`: resolution -> estimated minutes of that training."""
    s = study.set_index("resolution")
    best_r = int(s["validation accuracy"].idxmax())
    here = s.loc[chosen]
    text = (f"At {chosen} pixels, logistic regression on frozen Lite0 features reaches {num(here['validation accuracy'])} "
            f"validation accuracy, and fine-tuning processes about {here['fine-tuning per s']:,.0f} images per second on "
            f"idle cores: the learning curve's EfficientNet-Lite0 training would take about {_minutes(minutes[chosen])} "
            "minutes.")
    gap = float(s.loc[best_r, "validation accuracy"] - here["validation accuracy"])
    if best_r == chosen:
        return text + " No resolution of the study scores higher on the validation images."
    best = (f"{best_r} pixels scores {num(gap)} higher ({num(s.loc[best_r, 'validation accuracy'])}); its training would "
            f"take about {_minutes(minutes[best_r])} minutes")
    if gap <= 0.01:
        return text + f" {best}, and the gain is within 0.01."
    if minutes[best_r] > budget_min:
        return (text + f" {best}, more than the chapter's whole {budget_min:.0f}-minute budget on two cores: the "
                "chapter gives that accuracy up for time, so its pretrained numbers are lower than a larger "
                "resolution would give.")
    return (text + f" {best}, within the chapter's {budget_min:.0f}-minute budget: the resolution this run used, a "
            f"parameter fixed before the study, is not the study's best on this machine, and setting it to {best_r} "
            "would buy that accuracy with time.")


def resolution_table_caption(study: pd.DataFrame, minutes: dict[int, float], per_class_images: int) -> str:
    s = study.set_index("resolution")
    best_r = int(s["validation accuracy"].idxmax())
    return (f"The resolution study: frozen Lite0 features with logistic regression ({per_class_images:,} labelled "
            "images per class, first seed) on the validation images; images per second (img/s) of the frozen network "
            "and of a fine-tuning step; the minutes the learning curve's EfficientNet-Lite0 training would take at "
            f"that rate. Highest validation accuracy: {best_r} pixels, at {_minutes(minutes[best_r])} minutes.")


def resolution_caption(study: pd.DataFrame, chosen: int, per_class_images: int) -> str:
    s = study.set_index("resolution")
    lo, hi = int(s.index.min()), int(s.index.max())
    slow = s.loc[lo, "fine-tuning per s"] / max(s.loc[hi, "fine-tuning per s"], 1e-9)
    return (f"Frozen Lite0 features with logistic regression ({per_class_images:,} labelled images per class, first "
            f"seed) scored on the validation images, and each resolution's throughput on idle cores. Fine-tuning at "
            f"{lo} pixels runs {slow:.1f} times as fast as at {hi}. Dashed: the chapter's {chosen} pixels.")


# ---- the regimes ------------------------------------------------------------------------------------------

def training_sentence(settings: dict, epochs: dict[int, int], cnn: dict) -> str:
    ep = join([f"{e} at {k:,} per class" for k, e in sorted(epochs.items())])
    blocks = " → ".join(str(w) for b in cnn["blocks"] for w in b)
    return (f"Every network trains for the same number of epochs at a budget ({ep}), batch {settings['batch_size']}, "
            f"without augmentation. The fine-tuned network uses AdamW with a cosine-decaying learning rate, "
            f"{settings['lr']:g} for the new head and {settings['backbone_lr']:g} for the pretrained layers, weight "
            f"decay {settings['weight_decay']:g} and dropout {settings['dropout']:g} before the head; the network "
            f"from random initialization trains the same way with {settings['lr']:g} for every layer. The lab's CNN "
            f"(convolutions of {blocks} channels, a dense layer of {', '.join(map(str, cnn['hidden'])) or 'no'} units) "
            f"trains with Adam at {cnn['lr']:g}, as in the Fashion-MNIST chapter; frozen features and pixels go to "
            "logistic regression, its C (the inverse strength of the L2 penalty) chosen on the validation images at each "
            "budget.")


def is_(label: str) -> str:
    """The verb for a model named by `label`: plural for "... features"."""
    return "are" if label.endswith("features") else "is"


def comparison(a_label: str, b_label: str, v: V.Verdict) -> str:
    """One comparison in words, with its numbers: 'A is better than B: +0.050 (95 % interval +0.020 to
    +0.080, 3 runs)'; for an undecided verdict, what the seeds do show (verdict.undecided_text)."""
    if v.word == V.UNDECIDED:
        return f"{a_label} against {b_label} is undecided: {V.undecided_text(v, unit=SEEDS)}"
    if v.word == V.TOO_FEW:
        return f"{a_label} and {b_label} cannot be told apart with {v.n} seed{'s' if v.n != 1 else ''}"
    return f"{a_label} {is_(a_label)} {V.relation(v)} {b_label}: {V.interval_text(v)}"


def best_pretrained(st, k: int) -> str:
    """The pretrained regime (frozen or fine-tuned Lite0) with the higher validation accuracy at budget k."""
    from mlplab.transfer.steps import key

    return max(("lite0_finetune", "lite0_features"),
               key=lambda m: (st.runs[key(m, k)].mean("accuracy", "validation"), m))


def payoff_sentence(st, verdicts: dict) -> str:
    """The chapter's answer: at which budgets the better pretrained regime (chosen by validation accuracy)
    beats the lab's CNN, and how the difference changes from the smallest budget to the largest."""
    from mlplab.transfer.steps import key

    found = {}
    for k in st.budgets:
        m = best_pretrained(st, k)
        if (m, "cnn_scratch", k) in verdicts:
            found[k] = (m, verdicts[(m, "cnn_scratch", k)])
    if not found:
        return ""
    ks = sorted(found)
    wins = [k for k in ks if found[k][1].word == V.BETTER]
    losses = [k for k in ks if found[k][1].word == V.WORSE]
    others = [k for k in ks if k not in wins and k not in losses]

    def budgets(xs):
        return join([f"{k:,}" for k in xs])

    if len(wins) == len(ks):
        text = ("ImageNet pretraining pays off at every budget here: the better pretrained regime (chosen by "
                "validation accuracy) is better than the lab's CNN on the test images at each one.")
    elif wins:
        text = (f"ImageNet pretraining pays off at {budgets(wins)} labelled images per class, where the better "
                "pretrained regime (chosen by validation accuracy) is better than the lab's CNN on the test images.")
    else:
        text = ("At no budget here is the better pretrained regime (chosen by validation accuracy) better than the "
                "lab's CNN on the test images.")
    if losses:
        text += f" It is worse at {budgets(losses)} per class."
    for k in others:
        m, v = found[k]
        text += f" With {per_class(k)}, {comparison(st.runs[key(m, k)].label, CNN_WORDS, v)}."
    lo, hi = ks[0], ks[-1]
    if lo != hi:
        v_lo, v_hi = found[lo][1], found[hi][1]
        d_lo, d_hi = v_lo.mean_diff, v_hi.mean_diff
        if abs(d_hi - d_lo) <= V.margin_for("accuracy"):
            trend = "stays about the same"
        elif np.sign(d_lo) != np.sign(d_hi):
            trend = "changes sign"
        elif abs(d_hi) < abs(d_lo):
            trend = "narrows"
        else:
            trend = "widens"
        text += (f" The mean difference {trend} from {V.signed(d_lo, 3)} at {lo:,} per class "
                 f"({st.runs[key(found[lo][0], lo)].label}) to {V.signed(d_hi, 3)} at {hi:,} "
                 f"({st.runs[key(found[hi][0], hi)].label})")
        overlap = (np.isfinite([v_lo.low, v_lo.high, v_hi.low, v_hi.high]).all()
                   and v_lo.low <= v_hi.high and v_hi.low <= v_lo.high)
        text += ("; their 95 % intervals overlap, so these seeds do not establish a trend." if overlap and
                 trend not in ("stays about the same",) else ".")
    return text


def pretraining_sentence(st, verdicts: dict) -> str:
    """Pretraining against architecture: fine-tuned against random initialization (same network), and random
    initialization against the lab's CNN, at every budget (the verdict words and mean differences)."""
    pre, arch = [], []
    for k in st.budgets:
        v = verdicts.get(("lite0_finetune", "lite0_random", k))
        w = verdicts.get(("lite0_random", "cnn_scratch", k))
        if v is not None:
            pre.append(f"{v.word} at {k:,} ({V.signed(v.mean_diff, 3)})")
        if w is not None:
            arch.append(f"{w.word} at {k:,} ({V.signed(w.mean_diff, 3)})")
    if not pre:
        return ""
    text = ("What the ImageNet weights add, on the same network trained the same way: the fine-tuned network against "
            f"its randomly initialized twin is {join(pre)} labelled images per class.")
    if arch:
        text += (" What the architecture alone adds, both trained from scratch: EfficientNet-Lite0 from random "
                 f"initialization against the lab's CNN is {join(arch)}.")
    return text


def features_sentence(st, verdicts: dict) -> str:
    """Frozen ImageNet features against the raw pixels, both with logistic regression and the same choice of
    C: how much the pretrained network's view of these images is worth on its own (the domain gap, measured)."""
    found = [(k, verdicts[("lite0_features", "logreg_pixels", k)]) for k in st.budgets
             if ("lite0_features", "logreg_pixels", k) in verdicts]
    if not found:
        return ""
    words = {v.word for _, v in found}
    listed = join([f"{v.word} at {k:,} ({V.signed(v.mean_diff, 3)})" for k, v in found])
    text = ("Frozen ImageNet features against the raw pixels, both through logistic regression with C chosen the "
            f"same way: {listed} labelled images per class.")
    if words == {V.BETTER}:
        text += " The pretrained network's view of these images is worth more than the pixels at every budget."
    elif words == {V.WORSE}:
        text += (" At every budget the features do worse than the pixels: what the network learned from photographs "
                 "does not transfer to these images without training its layers.")
    elif V.BETTER not in words:
        text += (" At no budget are the features shown to beat the pixels, so these runs give no evidence that what "
                 "the network learned from photographs transfers to these images without training its layers.")
    return text


def curve_caption(points: dict, st) -> str:
    best = {}
    for k in st.budgets:
        scored = {label: p["mean"][p["k"].index(k)] for label, p in points.items() if k in p["k"]}
        best[k] = max(scored, key=scored.get)
    ks = sorted(best)
    lo, hi = ks[0], ks[-1]
    same = best[lo] == best[hi]
    take = (f"{capital(best[lo])} is the most accurate at every budget shown." if same and len(set(best.values())) == 1
            else f"Most accurate: {best[lo]} at {lo:,} per class, {best[hi]} at {hi:,}.")
    return ("Test accuracy against labelled training images per class: the mean over the seeds (line) and each seed "
            f"(dots), every regime on the same labelled images. {take}")


def curve_table_caption(table: pd.DataFrame, st) -> str:
    """The table's takeaway: which regime gains most from the smallest budget to the largest."""
    text = (f"Test accuracy (mean over {len(st.seeds)} seeds) of every regime at every label budget, on the same "
            "labelled images.")
    cols = [c for c in table.columns if c != "model"]
    if len(cols) < 2:
        return text
    gain = table[cols[-1]] - table[cols[0]]
    i = int(gain.idxmax())
    return text + (f" From {cols[0]} to {cols[-1]}, {table.loc[i, 'model']} gains the most "
                   f"({V.signed(float(gain[i]), 3)}).")


def verdicts_caption(table: pd.DataFrame) -> str:
    from mlplab.experiment.prose import verdict_counts

    better, worse = verdict_counts(table)
    undecided = int((table["verdict"] == V.UNDECIDED).sum())
    par = int((table["verdict"] == V.PAR).sum())
    counts = join([f"{n} {w}" for n, w in ((better, "better"), (worse, "worse"), (par, "on a par"),
                                            (undecided, "undecided")) if n])
    return ("Each question at each budget: the first model's and the reference's test accuracy, the paired "
            f"difference over the seeds with its 95 % interval and the noise rule's verdict ({counts}).")


# ---- fine-tuning curves, sizes, errors -------------------------------------------------------------------------

def curves_sentence(st, k: int) -> str:
    """What the validation loss of each network trained at budget k says about its epoch budget (first seed)."""
    from mlplab.experiment.curves import diagnose, findings
    from mlplab.transfer.steps import key

    found = []
    for m in ("lite0_finetune", "lite0_random", "cnn_scratch"):
        run = st.runs.get(key(m, k))
        if run is not None and run.history is not None:
            found.append(diagnose(run.history, run.label))
    text = findings(found)
    if text:
        return text
    epochs = st.runs[key("lite0_finetune", k)].settings.get("epochs")
    return f"With {epochs} epoch{'s' if epochs != 1 else ''} the curves are too short to read a trend from."


def training_curves_caption(run, k: int) -> str:
    h = run.history
    last_val = float(h["validation_accuracy"].iloc[-1]) if "validation_accuracy" in h else float("nan")
    return (f"Loss and accuracy per epoch of {run.label} with {per_class(k)} (first seed): training (its labelled "
            f"images), validation and test images. Validation accuracy at the last epoch: {num(last_val)}.")


def sizes_sentence(table: pd.DataFrame, k: int) -> str:
    """Each larger Lite against Lite0 in the same regime: the verdict, the mean difference, and what it costs
    (parameters, time per image)."""
    ref = {r["regime"]: r for r in table.to_dict("records") if r["verdict"] == "reference"}
    parts = []
    for r in table.to_dict("records"):
        if r["verdict"] == "reference" or r["regime"] not in ref:
            continue
        base = ref[r["regime"]]
        slower = base["rate"] / r["rate"] if r["rate"] and r["rate"] == r["rate"] else float("nan")
        cost = f"{r['params'] / base['params']:.1f} times the parameters"
        if slower == slower:
            cost += f" and {slower:.1f} times the time per image"
        word = r["verdict"]
        rel = {"better": "better than", "worse": "worse than", "on a par": "on a par with"}.get(word)
        said = f"{is_(r['network'])} {rel} {base['network']}" if rel else f"against {base['network']}: {word}"
        parts.append(f"{r['network']} {said} ({V.signed(r['diff'], 3)}; {cost})")
    if not parts:
        return "Only EfficientNet-Lite0 ran (parameter variants): there is no larger size to compare it with."
    return f"With {per_class(k)}: " + "; ".join(parts) + "."


def sizes_caption(table: pd.DataFrame, k: int, load: float | None) -> str:
    best = table.sort_values("validation accuracy").iloc[-1]
    note = (" Images per second estimated from the CPU time of a short timed run, for idle cores" +
            (f" (the machine's load average was {load:.1f} during it)" if load is not None and load == load else "") +
            "; a run of its own, not the resolution study's, so Lite0's rates in the two tables differ by what one "
            "short timing varies.")
    return (f"EfficientNet-Lite0, Lite1 and Lite2 with {per_class(k)}, frozen and fine-tuned: parameters (with the new "
            "head), images per second, validation and test accuracy, and each larger network against Lite0 in the "
            f"same regime. Highest validation accuracy: {best['network']}." + note)


def errors_sentence(pairs: pd.DataFrame, run) -> str:
    if pairs.empty:
        return f"{capital(run.label)} misclassifies no test image on the first seed."
    top = pairs.iloc[0]
    return (f"The most frequent confusion of {run.label} is {short(top['true'])} taken for {short(top['predicted'])} "
            f"({int(top['images'])} test images, {pct(top['share of true class'])} of that class).")


def confusion_caption(run, k: int, pairs: pd.DataFrame) -> str:
    if pairs.empty:
        return f"Confusion matrix of {run.label} with {per_class(k)} (first seed): no error."
    top = pairs.iloc[0]
    return (f"Confusion matrix of {run.label}, the recommended model with {per_class(k)} (test images, first seed; "
            f"share of each true class). Largest confusion: {short(top['true'])} taken for {short(top['predicted'])}.")


def misclassified_caption(groups: list[dict], run) -> str:
    n = sum(len(g["images"]) for g in groups)
    return (f"Misclassified test images of {run.label} for its {len(groups)} most frequent confusions ({n} shown; "
            "the number over each is its probability for the wrong class).")


def recommendation_sentence(by_budget: dict, runs: dict) -> str:
    parts = []
    for k in sorted(by_budget):
        rec = by_budget[k]
        if rec is None:
            continue
        text = (f"with {per_class(k)}, {runs[rec['model']].label} ({num(rec['validation'])} on the validation "
                f"images, {num(rec['test'])} on the test images")
        ru = rec.get("runner_up")
        if ru in runs:
            lead = rec["validation"] - runs[ru].mean("accuracy", "validation")
            if lead <= V.margin_for("accuracy"):
                # a lead inside the margin of parity is a coin toss between the two, which the reader should know
                text += (f"; ahead of {runs[ru].label} by only {num(lead)} on validation, inside the "
                         f"±{V.margin_text(V.margin_for('accuracy'))} margin of parity, so either would do")
        parts.append(text + ")")
    if not parts:
        return "No model was scored on the validation images, so none is recommended."
    return "Chosen by validation accuracy, without looking at the test images: " + "; ".join(parts) + "."


# ---- the source's numbers --------------------------------------------------------------------------------------

def source_sentence(published: dict, st, headline: int) -> str:
    """The source's Food-11 numbers beside ours: not comparable (another data set, every label, 224-pixel
    photographs, other networks), with where the simplest baselines stand here."""
    from mlplab.transfer.steps import key

    models = published["models"]
    listed = join([f"{m['name']} {pct(m['validation'], 2)}" + (f" ({pct(m['test'], 1)} on its test set)"
                                                                if m.get("test") else "") for m in models])
    best_k = max(st.budgets)
    pre = best_pretrained(st, best_k)
    text = (f"The source fine-tuned ImageNet-pretrained networks on {published['dataset']} and reported validation "
            f"accuracies of {listed}. These are not comparable with this chapter's numbers: another data set "
            f"({published['setting']}), every training label, colour photographs at their full resolution, and other "
            "networks; they are not reproduced here. ")
    text += (f"On {st.data.name} with {per_class(best_k)}, the better pretrained regime here (by validation "
             "accuracy) reaches "
             f"{num(st.runs[key(pre, best_k)].mean('accuracy'))} test accuracy ({st.runs[key(pre, best_k)].label}), "
             f"the lab's CNN {num(st.runs[key('cnn_scratch', best_k)].mean('accuracy'))} and logistic regression on "
             f"the pixels {num(st.runs[key('logreg_pixels', best_k)].mean('accuracy'))}.")
    return text
