"""Sentences and captions of the Fashion-MNIST chapter, each computed from numbers; every qualitative
word has a condition (tests/test_fashion_narrative.py covers each branch). "better", "worse" and
"on a par" come from the noise rule only (mlplab.experiment.verdict)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.experiment import verdict as V
from mlplab.experiment.prose import capital, join, num, params_text, pct, verdict_clause
from mlplab.plots.fashion import short

ASYMMETRY_RATIO = 2.0      # a class's mean-image asymmetry this many times the median: flips may hurt it
GOAL_ACCURACY = 0.925      # the goal: mean test accuracy over 3 seeds of the chosen configuration
GOAL_SECONDS = 360.0       # ... each training within 6 minutes on 2 CPU cores
SEEDS_FOR_GOAL = 3
AUGMENT_WORDS = {"none": "none", "shift": "shifts", "flip": "flips", "shift_flip": "shifts and flips",
                 "shift_flip_erase": "shifts, flips and erasing"}


def data_note(provenance: dict) -> str:
    """Appended to every caption: which images the numbers come from (subset or full set, which split)."""
    if provenance.get("source") == "embedded":
        return " Data: the embedded subset (200 training and 100 test images per class), not the full set."
    if provenance.get("kind") == "subset":
        return f" Data: a stratified subset ({provenance['rows']:,} images) of the files in `{provenance['path']}`."
    if provenance.get("split") == "kaggle":
        return " Data: Kaggle's CSV split, which is not the official train/test split."
    return ""


def data_sentence(report: dict, provenance: dict) -> str:
    text = (f"{report['train']:,} training and {report['test']:,} test images of 28 × 28 pixels ({report['split']}). ")
    if report.get("verified"):
        text += "The decompressed files match the official files' SHA-256, whatever their gzip wrappers. "
    counts = np.asarray(report["class_counts"]["train"])
    if counts.min() == counts.max():
        text += f"Every class has {counts[0]:,} training images."
    else:
        text += f"Training images per class range from {counts.min():,} to {counts.max():,}."
    text += " Two classes go by short names in this chapter: T-shirt/top as T-shirt, Ankle boot as Boot."
    if provenance.get("note"):
        text += f" ({capital(provenance['note'])}.)"
    return text


def asymmetry_sentence(table: pd.DataFrame) -> str:
    """Which classes flips could hurt: those whose mean image is far less symmetric than the median class's."""
    median = float(table["mean-image asymmetry"].median())
    high = table.loc[table["mean-image asymmetry"] >= ASYMMETRY_RATIO * median]
    if high.empty:
        return (f"No class's mean image is more than {ASYMMETRY_RATIO:g}× as asymmetric as the median class's "
                f"({median:.2f}): a horizontal flip yields images like those of the same class, so flips are safe here.")
    names = join([f"{short(c)} ({v:.2f})" for c, v in zip(high["class"], high["mean-image asymmetry"])])
    one = len(high) == 1
    return (f"Flips could hurt {names}: {'its mean image is' if one else 'their mean images are'} at least "
            f"{ASYMMETRY_RATIO:g}× as asymmetric as the median class's ({median:.2f}), so a mirrored training image "
            "shows the item the other way round, as no test image does. The other classes are close to left-right "
            "symmetric, where a flip only adds variety.")


def asymmetry_caption(table: pd.DataFrame) -> str:
    top = table.iloc[0]
    return (f"Mean training image of each class (top) and its difference from its mirror image (bottom; number: "
            f"mean-image asymmetry). {short(top['class'])} is the least symmetric ({top['mean-image asymmetry']:.2f}).")


def readable(params: dict) -> dict:
    """A search winner's parameters with the CNN's names and values in words (block widths as text)."""
    from mlplab.fashion.steps import blocks_text

    out = {}
    for k, v in params.items():
        k = k.removeprefix("module__")
        if k == "blocks":
            out["convolution widths per block"] = blocks_text(v)
        elif k == "augment":
            out["augmentation"] = AUGMENT_WORDS.get(v, v)
        elif k == "epochs":
            out["epoch budget"] = v
        else:
            out[k] = v
    return out


def search_sentence(result, what: str, fit_rows: int) -> str:
    d = result.to_dict()
    best = readable(d["best_params"])
    how = "successive halving (epochs as the budget)" if d["method"] == "halving" else "a grid"
    rows = f"{d['searched_rows']:,} of the {fit_rows:,} fit images" if d["searched_rows"] < fit_rows else \
        f"all {fit_rows:,} fit images"
    return (f"The {what} search ({how}, {d['n_candidates']:,} configurations, {d['n_fits']:,} fits on {rows}, "
            f"scored on the validation images) chose {params_text(best)}; its validation accuracy was "
            f"{num(d['best_score'])}.")


def epochs_sentence(candidates: dict, chosen: int, search_epochs: int | None = None) -> str:
    rows = sorted(((r.settings["epochs"], r.mean("accuracy", "validation"), r.seconds) for r in candidates.values()))
    searched = (f"The search's last round trained its candidates for {search_epochs} epochs on a subset of the fit "
                "images; " if search_epochs else "")
    if len(rows) == 1:
        return (f"{searched}{'t' if searched else 'T'}he tuned CNN trains on all fit images for {chosen} epochs, the one "
                "full-size budget given (`tuned_epochs`), so no budget was chosen.")
    listed = join([f"{e} epochs {num(v)} ({s / 60:.1f} min)" for e, v, s in rows])
    return (f"Validation accuracy of the tuned configuration by epoch budget (first seed): {listed}. "
            f"The chosen budget is {chosen} epochs" + (", the shortest of those tied at the best score."
                                                       if sum(v == max(x[1] for x in rows) for _, v, _ in rows) > 1
                                                       else "."))


def tta_sentence(run) -> str:
    chosen = [s.settings for s in run.splits if "tta_flip" in s.settings]
    if not chosen:
        return ""
    on = sum(bool(c["tta_flip"]) for c in chosen)
    gain = np.mean([c["validation_accuracy_flip_averaged"] - c["validation_accuracy_plain"] for c in chosen])
    n = len(chosen)
    if on == 0:
        verdict = "so every seed predicts from the image alone"
    elif on == n:
        verdict = "so every seed predicts from the average of the image and its mirror image"
    else:
        verdict = f"so {on} of {n} seeds average the image with its mirror image and the others do not"
    return (f"Test-time flip averaging changed the validation accuracy by {gain:+.4f} on average over {n} seeds, "
            f"{verdict} (chosen on the validation images, seed by seed).")


def _goal_words(budget_s: float) -> str:
    return f" (the quality goal this report set for the tuned CNN, with each fit under {budget_s / 60:.0f} minutes)"


def goal_sentence(run, *, goal: float = GOAL_ACCURACY, budget_s: float = GOAL_SECONDS, threads: int = 1) -> str:
    vals = run.values("accuracy")
    mean, sd = float(np.mean(vals)), float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0
    secs = [s.seconds for s in run.splits]
    text = (f"{capital(run.label)} reaches a test accuracy of {num(mean, 4)} (SD {num(sd, 4)} over {len(vals)} seeds; "
            f"{pct(mean, 2)})")
    if len(vals) < SEEDS_FOR_GOAL:
        text += f": too few seeds to judge the goal ({SEEDS_FOR_GOAL} seeds, mean ≥ {pct(goal, 1)})"
    elif mean >= goal:
        text += f", at or above the goal of {pct(goal, 1)}{_goal_words(budget_s)}"
    else:
        text += f", {pct(goal - mean, 2)} short of the goal of {pct(goal, 1)}{_goal_words(budget_s)}"
    longest = max(secs)
    thread_word = f"{threads} torch thread{'s' if threads != 1 else ''}"
    fits = (f"each fit took {min(secs) / 60:.1f}–{longest / 60:.1f} min with {thread_word}" if len(secs) > 1
            else f"its fit took {longest / 60:.1f} min with {thread_word}")
    within = "within" if longest <= budget_s else "beyond"
    return text + f"; {fits}, {within} the {budget_s / 60:.0f}-minute budget on this machine during this run."


def comparison_sentences(runs: dict, pairs: list[tuple[str, str]], verdicts: dict[tuple[str, str], V.Verdict]) -> str:
    out = []
    for a, b in pairs:
        v = verdicts[(a, b)]
        out.append(capital(verdict_clause(runs[a].label, runs[b].label, v, "accuracy", digits=4, runs="seeds")) + ".")
    return " ".join(out)


def train_mode(settings: dict | None) -> str:
    """What is active while a network trains and not when it is scored ('augmentation and label smoothing'): it
    explains a training loss above the validation loss."""
    settings = settings or {}
    parts = [w for k, w in (("augment", "augmentation"), ("dropout", "dropout"), ("label_smoothing", "label smoothing"))
             if settings.get(k) not in (None, 0, 0.0, "none", "")]
    return join(parts)


def curves_sentence(history: pd.DataFrame | None, label: str, settings: dict | None = None) -> str:
    """Train against validation accuracy at the last epoch, then what the validation curve says (the book's one
    diagnosis, mlplab.experiment.curves.diagnose: overfitting only when the fit-validation gap widens), and why
    the training loss sits above the validation loss when it does."""
    from mlplab.experiment.curves import diagnose

    if history is None or "validation_loss" not in history or history["validation_loss"].notna().sum() < 2:
        return ""
    parts = []
    if "train_accuracy" in history and "validation_accuracy" in history:
        gap = float(history["train_accuracy"].iloc[-1] - history["validation_accuracy"].iloc[-1])
        parts.append(f"at the last epoch {label} is {abs(gap):.3f} {'more' if gap >= 0 else 'less'} accurate on its "
                     "fit images than on the validation images")
    d = diagnose(history, label, train_mode=train_mode(settings))
    if d.takeaway():
        parts.append(d.takeaway())
    text = capital("; ".join(parts)) + "." if parts else ""
    if d.kind != "none" and d.train_above:
        text += " " + d.train_above_sentence()
    return text.strip()


def errors_sentence(pairs: pd.DataFrame, report: pd.DataFrame, label: str) -> str:
    if pairs.empty:
        return f"{capital(label)} misclassifies no test image."
    top = pairs.iloc[0]
    worst = report.sort_values("f1").iloc[0]
    best = report.sort_values("f1").iloc[-1]
    return (f"The most frequent confusion of {label} is {short(top['true'])} taken for {short(top['predicted'])} "
            f"({int(top['images']):,} images, {pct(top['share of true class'])} of that class). Its weakest class is "
            f"{short(worst['class'])} (F1 {worst['f1']:.3f}), its strongest {short(best['class'])} "
            f"(F1 {best['f1']:.3f}).")


def regularization_sentence(table: pd.DataFrame, fit_images: int, epochs: int, settings: dict | None = None,
                            reference: float | None = None, floor: tuple[str, float] | None = None) -> str:
    """`settings`: the study's training settings; `reference`: the unregularized network's mean validation
    accuracy; `floor`: (label, validation accuracy) of a baseline that trains on every fit image. When the
    reference stays below that baseline, the verdicts describe early training, and the text says so."""
    from mlplab.experiment.prose import verdicts_summary

    how = f"noise rule over the seeds; {fit_images:,} fit images, {epochs} epochs each"
    if settings:
        how += f", {training_settings({k: settings[k] for k in ('optimizer', 'lr', 'lr_schedule') if k in settings})}"
    text = verdicts_summary(table, "the test accuracy of the unregularized tuned CNN", how)
    if early_training(reference, floor):
        text += (f" At this budget the unregularized network reaches a validation accuracy of {num(reference)}, below "
                 f"{floor[0]} ({num(floor[1])}): it is still early in training, so these verdicts say how each change "
                 "speeds up or slows down the first epochs, not how it regularizes a fitted network.")
    return text


def early_training(reference: float | None, floor: tuple[str, float] | None) -> bool:
    """True when the regularization study's unregularized reference scores below a baseline that trains on every
    fit image (its validation accuracy under `floor`'s): it has not fitted, so the study measures early training."""
    return reference is not None and floor is not None and reference < floor[1]


def what_the_study_measures(reference: float | None, floor: tuple[str, float] | None) -> str:
    """The regularization study's scope in one sentence for a caption or a conclusion: what its verdicts
    measure, from the unregularized reference against the floor. Empty when the reference fits."""
    if not early_training(reference, floor):
        return ""
    return (f"These verdicts measure early training speed, not regularization: the unregularized reference has not "
            f"fitted (validation accuracy {num(reference)}, below the {num(floor[1])} of {floor[0]}).")


def recommendation_sentence(rec: dict | None, runs: dict) -> str:
    if rec is None:
        return "No model was scored on the validation images, so none is recommended."
    after = f"; next comes {runs[rec['runner_up']].label}" if rec.get("runner_up") else ""
    return (f"By validation accuracy, the model to use is {runs[rec['model']].label} ({num(rec['validation'], 4)} on "
            f"the validation images, {num(rec['test'], 4)} on the test images){after}.")


# ---- captions: what the figure/table shows, then its takeaway -------------------------------------------

def samples_caption(similar: tuple[str, str, float], provenance: dict) -> str:
    a, b, r = similar
    return (f"Eight training images of each class. The two classes with the most alike mean images are {short(a)} "
            f"and {short(b)} (correlation {r:.3f} over the 784 pixels)." + data_note(provenance))


def protocol_caption(st) -> str:
    s = st.splits[0]
    n = len(s.fit) + len(s.validation)
    return (f"The fixed split: {100 * (len(s.validation) / n):.0f} % of the {n:,} training images validate, the official test "
            f"images test; every model is fitted with each of {len(st.splits)} seeds.")


def baseline_search_caption(searches: dict) -> str:
    parts = [f"{'logistic regression' if k == 'logreg' else 'the MLP'} {num(r.best_score, 3)}"
             for k, r in searches.items()]
    return ("The baselines' searches: configurations tried, fits, fit images used and the winner, each scored on "
            f"the validation images. Best validation accuracy: {join(parts)}, from the searches' smaller fits; the "
            "winners then train on every fit image, and the results table scores those fits.")


def baselines_sentence(runs: dict) -> str:
    lr, mlp = runs["logreg"], runs["mlp"]
    conv = [s.settings.get("converged", True) for s in lr.splits]
    text = (f"On the test images, {lr.label} reaches an accuracy of {num(lr.mean('accuracy'), 4)} and {mlp.label} "
            f"{num(mlp.mean('accuracy'), 4)} (means over {mlp.n} seeds).")
    if not all(conv):
        text += (f" The logistic regression's solver stopped at its iteration limit in {conv.count(False)} of "
                 f"{len(conv)} fits before converging.")
    return text


def search_figure_caption(result, provenance: dict) -> str:
    d = result.to_dict()
    best = readable(d["best_params"])
    return (f"Validation accuracy of every searched CNN configuration by lever value, coloured by the epoch budget it "
            f"reached. The winner: {params_text(best)}.") + data_note(provenance)


def per_class_table_caption(report: pd.DataFrame, label: str, provenance: dict) -> str:
    low = report.sort_values("recall").iloc[0]
    return (f"Precision, recall and F1 per class of {label} on the test images (mean over the seeds). The lowest "
            f"recall is {short(low['class'])}'s: {pct(low['recall'])} of its test images are found.") + \
        data_note(provenance)


def errors_table_caption(pairs: pd.DataFrame, provenance: dict) -> str:
    if pairs.empty:
        return "No test image is misclassified." + data_note(provenance)
    share = pairs["images"].sum()
    return (f"The {len(pairs)} most frequent confusions of the tuned CNN on the test images (first seed); together "
            f"{int(share):,} images.") + data_note(provenance)


def reg_curves_caption(runs: dict, plan: dict, provenance: dict) -> str:
    finals = {n: float(runs[n].history["validation_accuracy"].iloc[-1]) for n in plan if runs[n].history is not None}
    best = max(finals, key=finals.get)
    return (f"Validation accuracy per epoch of the tuned CNN without regularizers and with each one (first seed). "
            f"Highest at the last epoch: {runs[best].label} ({finals[best]:.4f}).") + data_note(provenance)


def cnn_caption(source_params: int, tuned_params: int) -> str:
    ratio = tuned_params / max(source_params, 1)
    size = (f"{ratio:.1f}× the parameters of the source's" if ratio >= 1.05 else
            f"{1 / ratio:.1f}× fewer parameters than the source's" if ratio <= 0.95 else "as many parameters as the source's")
    return ("The source's CNN and the tuned CNN, layer by layer, with each layer's output shape (channels × height × "
            f"width). The tuned network has {size}.")


def curves_caption(history: pd.DataFrame | None, label: str, provenance: dict, settings: dict | None = None) -> str:
    """`settings`: the network's training settings (what is active only in training explains a training loss
    above the validation loss)."""
    base = f"Loss and accuracy per epoch of {label} (first seed): fit images, validation images and test images."
    finding = curves_sentence(history, label, settings)
    return base + (" " + finding if finding else "") + data_note(provenance)


def confusion_caption(pairs: pd.DataFrame, label: str, provenance: dict) -> str:
    base = f"Confusion matrix of {label} on the test images (first seed), in % of each true class."
    if not pairs.empty:
        top = pairs.iloc[0]
        base += (f" The largest off-diagonal cell: {short(top['true'])} predicted as {short(top['predicted'])} "
                 f"({pct(top['share of true class'])}).")
    return base + data_note(provenance)


def per_class_caption(report: pd.DataFrame, label: str, provenance: dict) -> str:
    worst = report.sort_values("f1").iloc[0]
    return (f"Precision, recall and F1 per class of {label} on the test images, mean over the seeds. "
            f"{short(worst['class'])} has the lowest F1 ({worst['f1']:.3f}).") + data_note(provenance)


def roc_caption(auc_table: pd.DataFrame, label: str, provenance: dict) -> str:
    low = auc_table.sort_values("average_precision").iloc[0]
    return (f"One-vs-rest ROC and precision-recall curves of {label} on the test images (first seed). The lowest "
            f"average precision is {short(low['class'])}'s ({low['average_precision']:.3f}).") + data_note(provenance)


def misclassified_caption(groups: list[dict], label: str, provenance: dict, n_pairs: int | None = None) -> str:
    """`n_pairs`: how many pairs the errors table lists (the figure shows the first len(groups) of them)."""
    if not groups:
        return f"{capital(label)} misclassifies no test image." + data_note(provenance)
    g = groups[0]
    n = len(groups)
    rows = (f"one row for each of the {n} confused pairs of the errors table" if n_pairs in (None, n) else
            f"one row for each of the {n} most frequent of the errors table's {n_pairs} confused pairs")
    return (f"Misclassified test images of {label} (first seed), {rows} (true → predicted, with the pair's count), "
            f"the first images in test order; p is the probability given to the wrong class. The most frequent pair "
            f"is {short(g['true'])} → {short(g['predicted'])} ({g['count']:,} images).") + data_note(provenance)


def scores_caption(runs: dict, names, provenance: dict) -> str:
    means = {n: runs[n].mean("accuracy") for n in names}
    best = max(means, key=means.get)
    return (f"Test accuracy of each model per seed (grey) and its mean (diamond). The highest mean is "
            f"{runs[best].label}'s ({means[best]:.4f}).") + data_note(provenance)


def models_table_caption(provenance: dict, n_seeds: int) -> str:
    return (f"Validation and test accuracy and macro-F1 of each model, mean over {n_seeds} seeds (one fixed split), "
            "with the test accuracy's standard deviation over the seeds. The recommendation reads the validation "
            "column only.") + data_note(provenance)


def augmentation_caption(shown: str, tuned: str, provenance: dict) -> str:
    """`shown`: the preset drawn in the figure; `tuned`: the one the tuned network trains with."""
    what = {"shift": "shifts move the item by up to two pixels", "flip": "flips mirror it",
            "erase": "erasing blanks a square patch"}
    parts = [t for k, t in what.items() if k in shown]
    uses = ("The tuned network trains with this augmentation." if tuned == shown else
            "The tuned network trains without augmentation: the search preferred none; the regularization study "
            "below adds it alone." if tuned == "none" else
            f"The tuned network trains with {AUGMENT_WORDS.get(tuned, tuned)} instead.")
    return (f"Data augmentation ({AUGMENT_WORDS.get(shown, shown)}) on five training images, five random draws each: "
            + "; ".join(parts) + ". The network sees a new draw of every image in every epoch. " + uses
            + data_note(provenance))


def search_caption(result, provenance: dict) -> str:
    d = result.to_dict()
    return (f"Validation accuracy of the searched CNN configurations by parameter value ({d['n_candidates']} "
            f"configurations; the winner scored {num(d['best_score'])}).") + data_note(provenance)


def regularization_caption(table: pd.DataFrame, provenance: dict, reference: float | None = None,
                           floor: tuple[str, float] | None = None) -> str:
    """`reference`, `floor`: as for `regularization_sentence`; when the reference has not fitted, the caption's
    takeaway says that the verdicts measure early training speed."""
    changed = table.loc[table["verdict"].isin([V.BETTER, V.WORSE])]
    take = ("No regularizer moves the test accuracy beyond the noise." if changed.empty else
            f"Beyond the noise: {join([f'{c} ({w})' for c, w in zip(changed['change'], changed['verdict'])])}.")
    scope = what_the_study_measures(reference, floor)
    return ("Each regularizer alone on the tuned CNN without any: test accuracy, the paired difference from the "
            "unregularized network over the seeds with its 95 % interval, and the noise rule's verdict. " + take
            + (" " + scope if scope else "") + data_note(provenance))

OPTIMIZER_WORDS = {"sgd": "SGD with Nesterov momentum 0.9", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}
SCHEDULE_WORDS = {None: "a constant learning rate", "": "a constant learning rate",
                  "cosine": "a cosine-decaying learning rate",
                  "onecycle": "a one-cycle learning rate (warm-up over the first quarter of the steps, then decay)"}


def training_settings(settings: dict) -> str:
    """'Adam, learning rate 0.001, batch 128, 5 epochs' — a network's training settings in words."""
    parts = [OPTIMIZER_WORDS.get(settings.get("optimizer", "sgd"), settings.get("optimizer")),
             f"learning rate {settings['lr']:g}" if "lr" in settings else "",
             SCHEDULE_WORDS.get(settings.get("lr_schedule"), str(settings.get("lr_schedule"))),
             f"batch {settings['batch_size']}" if "batch_size" in settings else "",
             f"{settings['epochs']} epochs" if "epochs" in settings else "",
             f"weight decay {settings['weight_decay']:g}" if settings.get("weight_decay") else "",
             f"label smoothing {settings['label_smoothing']:g}" if settings.get("label_smoothing") else "",
             "batch normalization after every convolution" if settings.get("batch_norm") else ""]
    return ", ".join(p for p in parts if p)


def source_settings_sentence(settings: dict) -> str:
    return ("The source states no training settings; this run trains its network with "
            f"{training_settings(settings)}, without augmentation.")


def fixed_sentence(fixed: dict, searched=()) -> str:
    """`searched`: the search's parameter names (`module__` prefixes allowed); they are not fixed settings."""
    varied = {"epochs", *(k.removeprefix("module__") for k in searched)}
    return ("Settings the search does not vary: " + training_settings({k: v for k, v in fixed.items() if k not in varied})
            + f", a dense layer of {', '.join(str(h) for h in fixed.get('hidden', [])) or 'no'} units before the output.")


def overall_caption(table: pd.DataFrame, provenance: dict) -> str:
    gap = table["macro precision"] - table["macro recall"]
    widest = table.loc[gap.abs().idxmax()]
    return ("Accuracy and macro-averaged precision, recall and F1 (each class weighted equally) of every model on the "
            f"test images, mean over the seeds. Precision and recall differ most for {widest['model']} "
            f"({widest['macro precision'] - widest['macro recall']:+.4f}).") + data_note(provenance)


def ladder_caption(table: pd.DataFrame, provenance: dict, fit_images: int | None = None) -> str:
    """The ladder table's caption: what each row is, on how many images (so its first rung is not read against the
    source's CNN trained on every fit image), and the largest step up (its verdict)."""
    steps = table.iloc[1:]
    if steps.empty:
        return "The ablation ladder has no rung beyond the source's CNN." + data_note(provenance)
    top = steps.loc[steps["change in test"].idxmax()]
    budget = (f" Every rung trains on the same {fit_images:,} fit images, so the first rung scores below the source's "
              "CNN trained on all of them." if fit_images else "")
    return ("From the source's CNN to the tuned configuration, one change at a time: each rung adds its change to "
            "the rung above; test accuracy (mean over the seeds), the change from the rung above with its 95 % "
            f"interval, and the noise rule's verdict.{budget} The largest step: {top['rung']} "
            f"({top['change in test']:+.4f}, {top['verdict']}).") + data_note(provenance)


def rung_change(rung: str, change: float, digits: int = 4) -> str:
    """'batch norm (+0.0310)'; a rung that ends in brackets takes the change inside them: 'its layers (widths
    16 | 32; +0.0120)'. Four decimals in the Fashion-MNIST chapter (its accuracies differ in the third); the Lab 3
    conclusions print three, like their other differences."""
    if rung.endswith(")"):
        return f"{rung[:-1]}; {change:+.{digits}f})"
    return f"{rung} ({change:+.{digits}f})"


def ladder_sentence(table: pd.DataFrame, fit_images: int, all_fit_images: int,
                    floor: tuple[str, float] | None = None) -> str:
    """Which changes carried the tuned CNN's gain over the source's (the rungs the noise rule calls better), which
    cost accuracy, how many stay undecided, and the budget the ladder ran on. `floor`: (label, validation
    accuracy) of a baseline fitted on every fit image; rungs whose validation accuracy stays below it have not
    fitted at this budget, and the text says so."""
    steps = table.iloc[1:]
    if steps.empty:
        return "The tuned configuration changes nothing the ladder could add to the source's CNN."
    first, last = table.iloc[0], table.iloc[-1]
    better = steps.loc[steps["verdict"] == V.BETTER]
    worse = steps.loc[steps["verdict"] == V.WORSE]
    rest = steps.loc[~steps["verdict"].isin([V.BETTER, V.WORSE])]
    fmt = lambda rows: join([rung_change(r, d) for r, d in zip(rows["rung"], rows["change in test"])])  # noqa: E731
    text = (f"Along the ladder the test accuracy moves from {num(first['test accuracy'], 4)} (the source's CNN) to "
            f"{num(last['test accuracy'], 4)} (every change of the tuned configuration but test-time flip "
            "averaging). ")
    if better.empty:
        text += "No single change raises it beyond the noise"
    else:
        top = better.loc[better["change in test"].idxmax()]
        text += (f"The change{'s' if len(better) > 1 else ''} that raise{'' if len(better) > 1 else 's'} it beyond the "
                 f"noise: {fmt(better)}" + (f"; the largest is {top['rung']}" if len(better) > 1 else ""))
    if not worse.empty:
        text += f"; {fmt(worse)} lower{'s' if len(worse) == 1 else ''} it"
    if not rest.empty:
        words = {}
        for w in rest["verdict"]:
            words[w] = words.get(w, 0) + 1
        text += "; of the other steps, " + join([f"{n} {w}" for w, n in words.items()])
    text += "."
    if fit_images < all_fit_images:
        text += (f" Every rung trains on the same {fit_images:,} of the {all_fit_images:,} fit images, with the same "
                 "seeds: the steps measure each change at this budget, and a change whose benefit grows with data or "
                 "epochs may show less here than in the tuned CNN.")
    if floor is not None and "validation accuracy" in table:
        low = table.loc[table["validation accuracy"] < floor[1], "rung"].tolist()
        if low:
            text += (f" {len(low)} of the {len(table)} rungs stay below the validation accuracy of {floor[0]} "
                     f"({num(floor[1])}) at this budget: they have not fitted, so the steps between them measure "
                     "training speed as much as the change.")
    return text
