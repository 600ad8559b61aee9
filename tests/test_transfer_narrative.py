"""Every branch of the transfer chapter's computed prose (mlplab.transfer.narrative), on hand-made runs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mlplab.experiment import verdict as V
from mlplab.experiment.record import Run, SplitResult
from mlplab.transfer import narrative as nv
from mlplab.transfer.steps import PAIRS, key, model_label


def run(name: str, test, valid=None) -> Run:
    valid = test if valid is None else valid
    return Run(name, "variant", model_label(name.rsplit("_k", 1)[0]),
               splits=[SplitResult(i, i, {"accuracy": t}, {"accuracy": v}, {"accuracy": t})
                       for i, (t, v) in enumerate(zip(test, valid))])


def setup(scores: dict[str, dict[int, list[float]]], budgets=(10, 50, 250), valid: dict | None = None):
    """scores: {model: {k: test accuracy per seed}}; validation = test unless `valid` says otherwise."""
    runs = {}
    for m, by_k in scores.items():
        for k, vals in by_k.items():
            v = (valid or {}).get(m, {}).get(k)
            runs[key(m, k)] = run(key(m, k), vals, v)
    return SimpleNamespace(runs=runs, budgets=list(budgets), seeds=[0, 1, 2])


def verdicts(st):
    return {(a, b, k): V.compare_runs(st.runs[key(a, k)], st.runs[key(b, k)], "accuracy", higher_is_better=True)
            for k in st.budgets for a, b, _ in PAIRS if key(a, k) in st.runs and key(b, k) in st.runs}


BASE = {"logreg_pixels": [0.60, 0.61, 0.62], "cnn_scratch": [0.62, 0.63, 0.64], "lite0_random": [0.50, 0.52, 0.51]}


def curve(finetune: dict[int, list[float]], features: dict[int, list[float]] | None = None, budgets=(10, 50, 250)):
    scores = {m: {k: v for k in budgets} for m, v in BASE.items()}
    scores["lite0_finetune"] = finetune
    scores["lite0_features"] = features or {k: [0.40, 0.41, 0.42] for k in budgets}
    return setup(scores, budgets)


def test_pretraining_pays_off_at_every_budget_and_the_gap_narrows():
    st = curve({10: [0.80, 0.81, 0.82], 50: [0.75, 0.76, 0.77], 250: [0.70, 0.71, 0.72]})
    text = nv.payoff_sentence(st, verdicts(st))
    assert text.startswith("ImageNet pretraining pays off at every budget here")
    assert "narrows from +0.180 at 10 per class (fine-tuned EfficientNet-Lite0) to +0.080 at 250" in text


def test_pretraining_pays_off_at_small_budgets_only_and_the_rest_is_described():
    st = curve({10: [0.80, 0.81, 0.82], 50: [0.60, 0.66, 0.69], 250: [0.55, 0.56, 0.57]})
    text = nv.payoff_sentence(st, verdicts(st))
    assert text.startswith("ImageNet pretraining pays off at 10 labelled images per class")
    assert "It is worse at 250 per class." in text
    assert "With 50 labelled images per class, fine-tuned EfficientNet-Lite0 against the lab's CNN is undecided" in text
    assert "changes sign from +0.180" in text and "-0.070" in text


def test_no_budget_where_pretraining_wins():
    st = curve({k: [0.62, 0.60, 0.66] for k in (10, 50, 250)})
    text = nv.payoff_sentence(st, verdicts(st))
    assert text.startswith("At no budget here")
    assert "stays about the same" in text   # equal differences at every budget: no trend


def test_a_trend_is_named_only_past_the_margin_and_never_from_overlapping_intervals():
    small = curve({10: [0.69, 0.70, 0.71], 50: [0.69, 0.70, 0.71], 250: [0.695, 0.705, 0.717]})
    assert "stays about the same from +0.070" in nv.payoff_sentence(small, verdicts(small))   # +0.006: inside ±0.01
    noisy = curve({10: [0.64, 0.70, 0.74], 50: [0.7, 0.7, 0.7], 250: [0.66, 0.75, 0.78]})
    text = nv.payoff_sentence(noisy, verdicts(noisy))
    assert "widens from +0.063 at 10" in text and text.endswith(
        "their 95 % intervals overlap, so these seeds do not establish a trend.")


def test_the_better_pretrained_regime_is_chosen_on_validation_not_test():
    # frozen features are better on the validation images, fine-tuning on the test images: the sentence follows
    # the validation choice
    scores = {m: {10: v} for m, v in BASE.items()}
    scores["lite0_finetune"] = {10: [0.90, 0.91, 0.92]}
    scores["lite0_features"] = {10: [0.70, 0.71, 0.72]}
    st = setup(scores, (10,), valid={"lite0_finetune": {10: [0.5, 0.5, 0.5]}})
    assert nv.best_pretrained(st, 10) == "lite0_features"
    text = nv.payoff_sentence(st, verdicts(st))
    assert "pays off at every budget" in text and "narrows" not in text  # one budget: no trend to state


def test_pretraining_and_architecture_sentence():
    st = curve({k: [0.80, 0.81, 0.82] for k in (10, 50, 250)})
    text = nv.pretraining_sentence(st, verdicts(st))
    assert "randomly initialized twin is better at 10 (+0.300), better at 50 (+0.300) and better at 250 (+0.300)" in text
    assert "against the lab's CNN is worse at 10 (-0.120)" in text
    assert nv.pretraining_sentence(setup({}, (10,)), {}) == ""


@pytest.mark.parametrize("a, b, word, words", [
    ([0.80, 0.81, 0.82], [0.70, 0.71, 0.72], V.BETTER, "is better than B: +0.100 (95 % interval"),
    ([0.70, 0.71, 0.72], [0.80, 0.81, 0.82], V.WORSE, "is worse than B: -0.100"),
    ([0.70, 0.75, 0.60], [0.68, 0.70, 0.69], V.UNDECIDED, "A against B is undecided: better on 2 and worse on 1 of 3 seeds"),
    ([0.700, 0.701, 0.702], [0.701, 0.700, 0.702], V.PAR, "is on a par with B"),
])
def test_one_comparison_in_words(a, b, word, words):
    v = V.compare(a, b, higher_is_better=True, margin=V.margin_for("accuracy"))
    assert v.word == word
    assert words in nv.comparison("A", "B", v)


def test_features_take_a_plural_verb():
    v = V.compare([0.80, 0.81, 0.82], [0.70, 0.71, 0.72], higher_is_better=True, margin=0.01)
    assert nv.comparison("frozen EfficientNet-Lite0 features", "B", v).startswith(
        "frozen EfficientNet-Lite0 features are better than B")


def test_too_few_seeds():
    v = V.compare([0.8, 0.7], [0.6, 0.5], higher_is_better=True, margin=0.01)
    assert nv.comparison("A", "B", v) == "A and B cannot be told apart with 2 seeds"


def study(acc, ft_rate=(400.0, 200.0, 90.0, 50.0)):
    return pd.DataFrame({"resolution": [32, 64, 96, 128], "validation accuracy": acc, "C": 0.1,
                         "features per s": [2000.0, 1000.0, 500.0, 200.0], "fine-tuning per s": list(ft_rate),
                         "chosen": [False, True, False, False], "load": 1.0})


@pytest.mark.parametrize("acc, minutes, words", [
    ([0.70, 0.80, 0.79, 0.78], {32: 2, 64: 4, 96: 9, 128: 16}, "No resolution of the study scores higher"),
    ([0.70, 0.80, 0.805, 0.79], {32: 2, 64: 4, 96: 9, 128: 16}, "96 pixels scores 0.005 higher (0.805); its training "
                                                                "would take about 9.0 minutes, and the gain is within 0.01"),
    ([0.70, 0.80, 0.81, 0.84], {32: 2, 64: 4, 96: 9, 128: 36}, "more than the chapter's whole 20-minute budget"),
    ([0.70, 0.80, 0.81, 0.84], {32: 2, 64: 4, 96: 9, 128: 16}, "within the chapter's 20-minute budget: the resolution "
                                                               "this run used, a parameter fixed before the study, is "
                                                               "not the study's best on this machine, and setting it to "
                                                               "128 would buy that accuracy with time."),
])
def test_resolution_sentence_branches(acc, minutes, words):
    text = nv.resolution_sentence(study(acc), 64, minutes)
    assert text.startswith("At 64 pixels, logistic regression on frozen Lite0 features reaches 0.800 validation accuracy")
    assert "about 200 images per second on idle cores" in text and "about 4.0 minutes" in text
    assert words in text


def test_resolution_captions_differ_and_end_with_a_takeaway():
    s = study([0.70, 0.80, 0.79, 0.84])
    fig = nv.resolution_caption(s, 64, 50)
    table = nv.resolution_table_caption(s, {32: 2, 64: 4, 96: 9, 128: 16.4}, 50)
    assert fig != table
    assert fig.endswith("Dashed: the chapter's 64 pixels.") and "runs 8.0 times as fast as at 128" in fig
    assert table.endswith("Highest validation accuracy: 128 pixels, at 16 minutes.")


def view(most, shares, conf, worn):
    t = pd.DataFrame({"class": ["T-shirt/top", "Trouser", "Ankle boot"], "images": [20, 20, 20],
                      "most frequent ImageNet label": most, "share": shares, "mean top-1 probability": conf,
                      "distinct labels": [5, 6, 7], "garment, shoe or bag": [0.5, 0.0, 0.1],
                      "most frequent is worn": worn})
    return {"table": t, "resolution": 224, "examples": [], "variant": "lite0"}


@pytest.mark.parametrize("worn, words", [
    ([True, False, True], "For T-shirt and Boot (2 of 3 classes) the most frequent label is itself a garment, shoe or bag."),
    ([False, False, False], "For no class is the most frequent label one of these"),
    ([True, True, True], "For every class the most frequent label is one of these."),
])
def test_imagenet_sentence_branches(worn, words):
    v = view(["jersey", "bolo tie", "cowboy boot"], [0.4, 0.2, 0.5], [0.3, 0.2, 0.4], worn)
    text = nv.imagenet_sentence(v, {"share": 0.2, "classes": [c for c, w in zip(v["table"]["class"], worn) if w]})
    assert text.startswith("Shown 60 validation images at its native 224 × 224 pixels")
    assert "for 20 % of them, with a mean top-label probability of 30 %" in text
    assert words in text and "domain gap" in text


def test_a_confident_network_is_not_called_a_domain_gap():
    v = view(["jersey", "jeans", "cowboy boot"], [0.9, 0.9, 0.9], [0.8, 0.9, 0.9], [True, True, True])
    assert "domain gap" not in nv.imagenet_sentence(v, {"share": 0.9, "classes": ["T-shirt/top", "Trouser", "Ankle boot"]})


def test_imagenet_captions_name_their_takeaway():
    v = view(["jersey", "bolo tie", "cowboy boot"], [0.4, 0.2, 0.5], [0.3, 0.2, 0.4], [True, False, True])
    assert nv.imagenet_caption(v).endswith("Its labels are least consistent for Trouser: the most frequent one covers "
                                           "20 % of its images.")
    assert nv.imagenet_table_caption(v).endswith("The most consistent is Boot (cowboy boot, 50 %).")
    tie = view(["jersey", "bolo tie", "cowboy boot"], [0.2, 0.2, 0.5], [0.3, 0.2, 0.4], [True, False, True])
    assert nv.imagenet_caption(tie).endswith("least consistent for T-shirt and Trouser: the most frequent one covers "
                                             "20 % of their images.")
    from mlplab.transfer.steps import imagenet_table

    shown = imagenet_table(v)   # the figure's class names, the share in percent as the prose says it
    assert shown["class"].tolist() == ["T-shirt", "Trouser", "Boot"] and shown["share %"].tolist() == [40, 20, 50]
    assert shown["garment, shoe or bag %"].tolist() == [50, 0, 10]   # every share in the table in percent


def sizes_table():
    return pd.DataFrame([
        {"network": "frozen EfficientNet-Lite0 features", "regime": "features", "verdict": "reference", "rate": 1000.0,
         "params": 3_383_818, "diff": float("nan"), "validation accuracy": 0.80},
        {"network": "fine-tuned EfficientNet-Lite0", "regime": "finetune", "verdict": "reference", "rate": 200.0,
         "params": 3_383_818, "diff": float("nan"), "validation accuracy": 0.82},
        {"network": "frozen EfficientNet-Lite1 features", "regime": "features", "verdict": "better", "rate": 500.0,
         "params": 4_148_490, "diff": 0.02, "validation accuracy": 0.81},
        {"network": "fine-tuned EfficientNet-Lite1", "regime": "finetune", "verdict": "undecided", "rate": 100.0,
         "params": 4_148_490, "diff": -0.004, "validation accuracy": 0.83},
    ])


def test_sizes_sentence_states_verdict_gain_and_cost():
    text = nv.sizes_sentence(sizes_table(), 50)
    assert text.startswith("With 50 labelled images per class: frozen EfficientNet-Lite1 features are better than "
                           "frozen EfficientNet-Lite0 features (+0.020; 1.2 times the parameters and 2.0 times the time "
                           "per image)")
    assert "fine-tuned EfficientNet-Lite1 against fine-tuned EfficientNet-Lite0: undecided (-0.004" in text
    assert nv.sizes_sentence(sizes_table().iloc[:2], 50).startswith("Only EfficientNet-Lite0 ran")


@pytest.mark.parametrize("load, words", [(6.2, "for idle cores (the machine's load average was 6.2 during it); "),
                                         (None, "for idle cores; ")])
def test_sizes_caption_says_the_load(load, words):
    text = nv.sizes_caption(sizes_table(), 50, load)
    assert "Highest validation accuracy: fine-tuned EfficientNet-Lite1." in text and words in text
    assert text.endswith("a run of its own, not the resolution study's, so Lite0's rates in the two tables differ by "
                         "what one short timing varies.")


def test_curve_captions():
    st = curve({10: [0.80, 0.81, 0.82], 50: [0.75, 0.76, 0.77], 250: [0.70, 0.71, 0.72]})
    points = {model_label(m): {"k": st.budgets, "mean": [st.runs[key(m, k)].mean("accuracy") for k in st.budgets],
                               "model": m} for m in ("cnn_scratch", "lite0_finetune")}
    assert nv.curve_caption(points, st).endswith("Fine-tuned EfficientNet-Lite0 is the most accurate at every budget "
                                                 "shown.")
    points[model_label("cnn_scratch")]["mean"][-1] = 0.9
    assert nv.curve_caption(points, st).endswith("Most accurate: fine-tuned EfficientNet-Lite0 at 10 per class, the "
                                                 "lab's CNN from scratch at 250.")
    table = pd.DataFrame({"model": ["a", "b"], "10 per class": [0.5, 0.6], "250 per class": [0.7, 0.65]})
    assert nv.curve_table_caption(table, st).endswith("From 10 per class to 250 per class, a gains the most (+0.200).")


def test_verdicts_caption_counts_the_words():
    t = pd.DataFrame({"verdict": ["better", "better", "undecided", "worse"]})
    assert nv.verdicts_caption(t).endswith("(2 better, 1 worse and 1 undecided).")


def test_recommendation_and_errors():
    st = curve({k: [0.80, 0.81, 0.82] for k in (10, 50, 250)})
    rec = {10: {"model": key("lite0_finetune", 10), "validation": 0.81, "test": 0.80}, 50: None}
    text = nv.recommendation_sentence(rec, st.runs)
    assert text == ("Chosen by validation accuracy, without looking at the test images: with 10 labelled images per "
                    "class, fine-tuned EfficientNet-Lite0 (0.810 on the validation images, 0.800 on the test images).")
    assert nv.recommendation_sentence({10: None}, st.runs).startswith("No model was scored")
    close = {10: {**rec[10], "runner_up": key("cnn_scratch", 10)}}   # the lab's CNN: 0.63 on validation
    assert "either would do" not in nv.recommendation_sentence(close, st.runs)
    close[10]["validation"] = 0.635
    assert nv.recommendation_sentence(close, st.runs).endswith(
        "(0.635 on the validation images, 0.800 on the test images; ahead of the lab's CNN from scratch by only 0.005 on "
        "validation, "
        "inside the ±0.01 margin of parity, so either would do).")
    pairs = pd.DataFrame({"true": ["Shirt"], "predicted": ["T-shirt/top"], "images": [40], "share of true class": [0.2]})
    r = st.runs[key("lite0_finetune", 10)]
    assert nv.errors_sentence(pairs, r) == ("The most frequent confusion of fine-tuned EfficientNet-Lite0 is Shirt taken "
                                            "for T-shirt (40 test images, 20.0 % of that class).")
    assert "misclassifies no test image" in nv.errors_sentence(pairs.iloc[:0], r)
    assert nv.confusion_caption(r, 10, pairs.iloc[:0]).endswith("no error.")


def test_curves_sentence_falls_back_when_the_curves_are_too_short():
    st = curve({k: [0.80, 0.81, 0.82] for k in (10, 50, 250)})
    st.runs[key("lite0_finetune", 50)].settings = {"epochs": 1}
    assert nv.curves_sentence(st, 50) == "With 1 epoch the curves are too short to read a trend from."
    h = pd.DataFrame({"epoch": [1, 2, 3, 4], "train_loss": [2, 1.5, 1.2, 1.0],
                      "validation_loss": [2.0, 1.5, 1.2, 1.0]})
    st.runs[key("lite0_finetune", 50)].splits[0].detail["history"] = h
    assert nv.curves_sentence(st, 50).startswith("The validation loss of fine-tuned EfficientNet-Lite0 was still falling")
    for m in ("lite0_random", "cnn_scratch"):   # three curves saying the same: one sentence, not three
        st.runs[key(m, 50)].splits[0].detail["history"] = h
    text = nv.curves_sentence(st, 50)
    assert text.startswith("The validation losses of fine-tuned EfficientNet-Lite0, ") and text.count(". ") == 0
    assert "were all still falling at the last epoch (by 33.3 %, 33.3 % and 33.3 % over" in text


def test_source_sentence_says_not_comparable_and_where_the_baselines_stand():
    st = curve({k: [0.80, 0.81, 0.82] for k in (10, 50, 250)})
    st.data = SimpleNamespace(name="Fashion-MNIST")
    pub = {"dataset": "Food-11", "setting": "11 food categories", "models": [
        {"name": "EfficientNet-B0", "validation": 0.9043}, {"name": "ResNet-50", "validation": 0.9215, "test": 0.936}]}
    text = nv.source_sentence(pub, st, 50)
    assert "EfficientNet-B0 90.43 % and ResNet-50 92.15 % (93.6 % on its test set)" in text
    assert "not comparable" in text and "not reproduced here" in text and "contradict" not in text
    assert ("On Fashion-MNIST with 250 labelled images per class, the better pretrained regime here (by validation "
            "accuracy) reaches 0.810 test accuracy "
            "(fine-tuned EfficientNet-Lite0), the lab's CNN 0.630 and logistic regression on the pixels 0.610.") in text


def test_training_sentence_states_every_setting():
    s = {"batch_size": 32, "lr": 1e-3, "backbone_lr": 1e-4, "weight_decay": 1e-4, "dropout": 0.2}
    text = nv.training_sentence(s, {10: 20, 50: 8, 250: 3}, {"blocks": [[32], [64]], "hidden": [128], "lr": 1e-3})
    assert "(20 at 10 per class, 8 at 50 per class and 3 at 250 per class)" in text
    assert "0.001 for the new head and 0.0001 for the pretrained layers" in text and "32 → 64 channels" in text


def test_data_note_and_sentence():
    assert "embedded" in nv.data_note({"source": "embedded"}, {})
    assert nv.data_note({"source": "file"}, {"dataset": "Fashion-MNIST", "test_source": "official"}) == ""
    assert nv.data_note({"source": "file"}, {"dataset": "the images in food", "test_source": "x"}) == \
        " Data: the images in food."
    d = SimpleNamespace(classes=tuple("abc"), y_pool=np.zeros(90), y_valid=np.zeros(9), y_test=np.zeros(12),
                        report={"dataset": "the images in food", "colour": True, "native_size": 64, "layout": "food11",
                                "validation_source": "drawn from the training images", "test_note": "",
                                "test_source": "a stratified 20 % of the images, split off (the folder has no test part)",
                                "notes": ["no test part: 12 images (20 %, stratified) were split off as the test set"]})
    text = nv.data_sentence(d)
    assert "colour images read at 64 × 64 pixels, layout `food11`" in text
    assert text.endswith("No test part: 12 images (20 %, stratified) were split off as the test set.")


@pytest.mark.parametrize("features, words", [
    ({k: [0.80, 0.81, 0.82] for k in (10, 50, 250)}, "worth more than the pixels at every budget."),
    ({k: [0.50, 0.51, 0.52] for k in (10, 50, 250)}, "does not transfer to these images without training its layers."),
    ({k: [0.55, 0.63, 0.66] for k in (10, 50, 250)}, "give no evidence that what the network learned from photographs "
                                                      "transfers to these images without training its layers."),
    ({10: [0.80, 0.81, 0.82], 50: [0.5, 0.51, 0.52], 250: [0.5, 0.51, 0.52]}, "labelled images per class."),
])
def test_features_against_pixels(features, words):
    st = curve({k: [0.80, 0.81, 0.82] for k in (10, 50, 250)}, features)
    text = nv.features_sentence(st, verdicts(st))
    assert text.startswith("Frozen ImageNet features against the raw pixels") and text.endswith(words)
    assert nv.features_sentence(setup({}, (10,)), {}) == ""
