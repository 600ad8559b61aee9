"""Every qualitative branch of the Fashion-MNIST chapter's sentences and captions (mlplab.fashion.narrative):
a clause is printed only when its condition holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlplab.experiment.record import Run, SplitResult
from mlplab.experiment.verdict import compare
from mlplab.fashion import narrative as nv
from mlplab.fashion import steps

FULL = {"source": "file", "kind": "real", "path": "data/raw/fashion-mnist", "rows": 70000, "split": "official"}


def run(name="cnn_tuned", label="the tuned CNN", test=(0.93, 0.931, 0.929), valid=None, seconds=(200.0, 210.0, 205.0),
        settings=None, history=None, train=None):
    r = Run(name, "tuned", label, settings=dict(settings or {}))
    for i, acc in enumerate(test):
        v = (valid or test)[i]
        tr = (train or test)[i]
        r.splits.append(SplitResult(i, i, {"accuracy": tr}, {"accuracy": v}, {"accuracy": acc}, seconds[i],
                                    dict((settings or {}).get("per_split", [{}] * len(test))[i]),
                                    {"history": history} if i == 0 and history is not None else {}))
    return r


@pytest.mark.parametrize("prov, words", [
    ({"source": "embedded", "kind": "subset"}, "embedded subset"),
    ({"source": "file", "kind": "subset", "rows": 1500, "path": "data/raw/fashion-mnist"}, "stratified subset (1,500"),
    ({"source": "file", "kind": "real", "split": "kaggle"}, "Kaggle's CSV split"),
])
def test_data_note_names_what_ran(prov, words):
    assert words in nv.data_note(prov)


def test_data_note_is_empty_for_the_full_official_files():
    assert nv.data_note(FULL) == ""


def test_data_sentence_branches():
    report = {"train": 60000, "test": 10000, "layout": "idx", "split": "the official split", "verified": True,
              "class_counts": {"train": [6000] * 10, "test": [1000] * 10}}
    text = nv.data_sentence(report, FULL)
    assert "match the official files" in text and "Every class has 6,000" in text
    report2 = {**report, "verified": False, "class_counts": {"train": [5] * 9 + [7], "test": [1] * 10}}
    text2 = nv.data_sentence(report2, {**FULL, "note": "subset of 57 images"})
    assert "match the official" not in text2 and "range from 5 to 7" in text2 and "(Subset of 57 images.)" in text2


def test_asymmetry_sentence_names_the_asymmetric_classes_only_when_there_are_some():
    table = pd.DataFrame({"class": ["Ankle boot", "Sandal", "Shirt", "Coat", "Dress"],
                          "mean-image asymmetry": [0.9, 0.8, 0.1, 0.1, 0.12]})
    text = nv.asymmetry_sentence(table)
    assert text.startswith("Flips could hurt Boot (0.90) and Sandal (0.80): their mean images")
    assert "Shirt" not in text.split(":")[0]
    single = nv.asymmetry_sentence(table.assign(**{"mean-image asymmetry": [0.9, 0.15, 0.1, 0.1, 0.12]}))
    assert single.startswith("Flips could hurt Boot (0.90): its mean image is")
    flat = pd.DataFrame({"class": ["Shirt", "Coat"], "mean-image asymmetry": [0.11, 0.1]})
    assert nv.asymmetry_sentence(flat).startswith("No class's mean image")


def test_epochs_sentence_single_tie_and_choice():
    one = {"a": run(test=(0.9,), seconds=(60.0,), settings={"epochs": 10})}
    assert nv.epochs_sentence(one, 10) == ("The tuned CNN trains on all fit images for 10 epochs, the one full-size "
                                           "budget given (`tuned_epochs`), so no budget was chosen.")
    assert nv.epochs_sentence(one, 7, 6).startswith("The search's last round trained its candidates for 6 epochs on a "
                                                    "subset of the fit images; the tuned CNN trains on all fit images "
                                                    "for 7 epochs")
    two = {"a": run(test=(0.9,), seconds=(60.0,), settings={"epochs": 10}),
           "b": run(test=(0.92,), seconds=(90.0,), settings={"epochs": 15})}
    text = nv.epochs_sentence(two, 15)
    assert "10 epochs 0.900 (1.0 min) and 15 epochs 0.920 (1.5 min)" in text and "tied" not in text
    tie = {"a": run(test=(0.92,), seconds=(60.0,), settings={"epochs": 10}),
           "b": run(test=(0.92,), seconds=(90.0,), settings={"epochs": 15})}
    assert "shortest of those tied" in nv.epochs_sentence(tie, 10)


@pytest.mark.parametrize("flags, words", [
    ([False, False, False], "every seed predicts from the image alone"),
    ([True, True, True], "every seed predicts from the average"),
    ([True, False, True], "2 of 3 seeds average"),
])
def test_tta_sentence_branches(flags, words):
    per = [{"tta_flip": f, "validation_accuracy_plain": 0.9, "validation_accuracy_flip_averaged": 0.9 + (0.002 if f else -0.001)}
           for f in flags]
    r = run(settings={"per_split": per})
    assert words in nv.tta_sentence(r)


def test_tta_sentence_is_empty_without_a_choice():
    assert nv.tta_sentence(run()) == ""


def test_goal_sentence_branches():
    assert "at or above the goal" in nv.goal_sentence(run(test=(0.93, 0.926, 0.928)))
    short = nv.goal_sentence(run(test=(0.92, 0.921, 0.919)))
    assert "0.50 % short of the goal of 92.5 %" in short and "within the 6-minute budget" in short
    slow = nv.goal_sentence(run(seconds=(200.0, 400.0, 210.0)), threads=2)
    assert "beyond the 6-minute budget" in slow and "2 torch threads" in slow
    few = nv.goal_sentence(run(test=(0.95, 0.95), seconds=(1.0, 1.0)))
    assert "too few seeds to judge" in few and "at or above" not in few


def test_comparison_sentence_uses_the_noise_rule_word():
    runs = {"a": run("a", "model A", test=(0.91, 0.92, 0.93)), "b": run("b", "model B", test=(0.90, 0.91, 0.92))}
    v = compare(runs["a"].values("accuracy"), runs["b"].values("accuracy"), higher_is_better=True, margin=0.01)
    assert "Model A is better than model B" in nv.comparison_sentences(runs, [("a", "b")], {("a", "b"): v})
    noisy = {"a": run("a", "model A", test=(0.91, 0.95, 0.90)), "b": run("b", "model B", test=(0.92, 0.90, 0.93))}
    v2 = compare(noisy["a"].values("accuracy"), noisy["b"].values("accuracy"), higher_is_better=True, margin=0.01)
    text = nv.comparison_sentences(noisy, [("a", "b")], {("a", "b"): v2})
    assert "is undecided" in text and "reaches past the ±0.01 margin of parity" in text and "on a par" not in text


def history(valid_loss, train_acc=0.95, valid_acc=0.9, train_loss=None):
    n = len(valid_loss)
    out = pd.DataFrame({"epoch": np.arange(1, n + 1), "validation_loss": valid_loss,
                        "train_accuracy": [train_acc] * n, "validation_accuracy": [valid_acc] * n})
    if train_loss is not None:
        out["train_loss"] = train_loss
    return out


def test_curves_sentence_reads_the_shared_diagnosis():
    assert nv.curves_sentence(None, "x") == ""
    falling = nv.curves_sentence(history([0.5, 0.4, 0.3], train_loss=[0.6, 0.4, 0.25]), "x")
    assert falling == ("At the last epoch x is 0.050 more accurate on its fit images than on the validation images; "
                       "the validation loss is still falling at the last epoch.")
    over = nv.curves_sentence(history([0.5, 0.3, 0.36, 0.42], train_loss=[0.5, 0.3, 0.2, 0.1]), "x")
    assert "the later epochs overfit (validation loss lowest at epoch 2, gap widening)" in over
    drift = nv.curves_sentence(history([0.5, 0.3, 0.33, 0.36], train_loss=[0.5, 0.3, 0.33, 0.36]), "x")
    assert "no overfitting" in drift and "overfit (" not in drift
    above = nv.curves_sentence(history([0.5, 0.3, 0.3, 0.3], train_loss=[0.9, 0.7, 0.6, 0.6]), "x",
                               {"augment": "shift_flip", "label_smoothing": 0.1, "dropout": 0.0})
    assert above.endswith("The training loss sits above the validation loss because it is averaged over each epoch's "
                          "batches with augmentation and label smoothing active while the weights are still changing; "
                          "the validation loss is measured after the epoch, in evaluation mode.")
    assert "less accurate on its fit images" in nv.curves_sentence(history([0.5, 0.4], train_acc=0.8), "x")
    assert nv.train_mode({"augment": "none", "dropout": 0.3}) == "dropout" and nv.train_mode(None) == ""


def test_errors_sentence_and_captions_without_errors():
    empty = pd.DataFrame(columns=["true", "predicted", "images", "share of true class"])
    report = pd.DataFrame({"class": ["Shirt", "Bag"], "precision": [0.7, 0.99], "recall": [0.6, 0.98], "f1": [0.65, 0.985]})
    assert nv.errors_sentence(empty, report, "the tuned CNN") == "The tuned CNN misclassifies no test image."
    assert "misclassifies no test image" in nv.misclassified_caption([], "the tuned CNN", FULL)
    assert "The largest off-diagonal" not in nv.confusion_caption(empty, "x", FULL)
    assert nv.errors_table_caption(empty, FULL).startswith("No test image")
    pairs = pd.DataFrame({"true": ["Shirt"], "predicted": ["T-shirt/top"], "images": [120], "share of true class": [0.12]})
    text = nv.errors_sentence(pairs, report, "the tuned CNN")
    assert "Shirt taken for T-shirt (120 images, 12.0 %" in text and "weakest class is Shirt" in text
    many = pairs.assign(images=[1200])
    assert "(1,200 images," in nv.errors_sentence(many, report, "the tuned CNN")


def test_recommendation_sentence_branches():
    runs = {"cnn_tuned": run(), "mlp": run("mlp", "the MLP")}
    assert "none is recommended" in nv.recommendation_sentence(None, runs)
    rec = {"model": "cnn_tuned", "validation": 0.93, "test": 0.929, "runner_up": "mlp"}
    text = nv.recommendation_sentence(rec, runs)
    assert "the tuned CNN (0.9300" in text and "next comes the MLP" in text
    assert "next comes" not in nv.recommendation_sentence({**rec, "runner_up": None}, runs)


def test_baselines_sentence_reports_non_convergence_only_when_it_happened():
    lr = run("logreg", "logistic regression", settings={"per_split": [{"converged": True}] * 3})
    mlp = run("mlp", "the MLP")
    assert "iteration limit" not in nv.baselines_sentence({"logreg": lr, "mlp": mlp})
    lr2 = run("logreg", "logistic regression", settings={"per_split": [{"converged": False}, {"converged": True},
                                                                       {"converged": False}]})
    assert "in 2 of 3 fits" in nv.baselines_sentence({"logreg": lr2, "mlp": mlp})


@pytest.mark.parametrize("tuned, words", [(842_000, "2.0× the parameters"), (105_000, "4.0× fewer parameters"),
                                          (421_000, "as many parameters")])
def test_cnn_caption_compares_sizes(tuned, words):
    assert words in nv.cnn_caption(421_000, tuned)


def test_regularization_caption_and_sentence_branches():
    par = pd.DataFrame({"change": ["dropout", "L2 weight decay"], "verdict": ["on a par", "on a par"]})
    assert "No regularizer moves" in nv.regularization_caption(par, FULL)
    assert "Both changes leave" in nv.regularization_sentence(par, 10000, 8)
    some = pd.DataFrame({"change": ["dropout", "data augmentation"], "verdict": ["on a par", "better"]})
    assert "Beyond the noise: data augmentation (better)" in nv.regularization_caption(some, FULL)
    assert "Data augmentation is better than its reference" in nv.regularization_sentence(some, 10000, 8)
    study = {"optimizer": "adam", "lr": 0.001, "lr_schedule": None, "epochs": 4}
    low = nv.regularization_sentence(par, 3000, 4, study, reference=0.57, floor=("logistic regression", 0.86))
    assert "4 epochs each, Adam, learning rate 0.001, a constant learning rate)" in low
    assert "validation accuracy of 0.570, below logistic regression (0.860): it is still early" in low
    fine = nv.regularization_sentence(par, 3000, 4, study, reference=0.88, floor=("logistic regression", 0.86))
    assert "early in training" not in fine
    caption = nv.regularization_caption(some, FULL, reference=0.727, floor=("logistic regression", 0.846))
    assert ("Beyond the noise: data augmentation (better). These verdicts measure early training speed, not "
            "regularization: the unregularized reference has not fitted (validation accuracy 0.727, below the 0.846 "
            "of logistic regression).") in caption
    assert "early training" not in nv.regularization_caption(some, FULL, reference=0.9, floor=("logistic regression", 0.846))
    assert nv.what_the_study_measures(0.727, None) == "" and nv.what_the_study_measures(None, ("x", 0.8)) == ""


def test_confusion_pairs_and_per_class_report_from_kept_predictions():
    detail = {"y_true": np.array(["Shirt", "Shirt", "Coat", "Coat", "Bag"]),
              "y_pred": np.array(["T-shirt/top", "Shirt", "Shirt", "Coat", "Bag"])}
    pairs = steps.confusion_pairs(detail)
    assert pairs[["true", "predicted", "images"]].values.tolist() == [["Coat", "Shirt", 1], ["Shirt", "T-shirt/top", 1]]
    assert pairs["share of true class"].tolist() == [0.5, 0.5]
    assert steps.confusion_pairs({"y_true": np.array(["Bag"]), "y_pred": np.array(["Bag"])}).empty


@pytest.mark.parametrize("shown, tuned, words", [
    ("shift_flip", "shift_flip", "trains with this augmentation"),
    ("shift_flip", "none", "trains without augmentation"),
    ("shift_flip_erase", "shift", "trains with shifts instead"),
])
def test_augmentation_caption_says_what_the_tuned_network_uses(shown, tuned, words):
    text = nv.augmentation_caption(shown, tuned, FULL)
    assert words in text and ("erasing blanks" in text) == ("erase" in shown)


def test_training_settings_in_words():
    src = {"optimizer": "adam", "lr": 0.001, "epochs": 5, "batch_size": 128, "batch_norm": False}
    assert nv.source_settings_sentence(src) == ("The source states no training settings; this run trains its network "
                                                "with Adam, learning rate 0.001, a constant learning rate, batch 128, "
                                                "5 epochs, without augmentation.")
    fixed = {"optimizer": "sgd", "lr": 0.1, "lr_schedule": "onecycle", "weight_decay": 5e-4, "label_smoothing": 0.1,
             "batch_norm": True, "hidden": [128], "epochs": 6}
    text = nv.fixed_sentence(fixed)
    assert "SGD with Nesterov momentum 0.9" in text and "one-cycle" in text and "weight decay 0.0005" in text
    assert "label smoothing 0.1" in text and "6 epochs" not in text and "a dense layer of 128 units" in text
    assert "learning rate 0.1" in text
    text = nv.fixed_sentence({**fixed, "batch_size": 256}, searched=["lr", "batch_size", "module__augment"])
    assert "learning rate 0.1" not in text and "batch 256" not in text and "one-cycle" in text


def test_overall_table_macro_averages_and_caption():
    per = {c: {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 10} for c in steps.CLASSES}
    r = Run("m", "tuned", "model M")
    for i in range(2):
        r.splits.append(SplitResult(i, i, {}, {}, {"accuracy": 0.5, "per_class": per}, 1.0))
    t = steps.overall_table({"m": r}, ["m"])
    assert t.iloc[0]["macro precision"] == 1.0 and t.iloc[0]["macro recall"] == 0.5
    assert "differ most for model M (+0.5000)" in nv.overall_caption(t, FULL)


SOURCE_SETTINGS = {"blocks": [[32], [64]], "hidden": [128], "batch_norm": False, "optimizer": "adam", "lr": 0.001,
                   "epochs": 5, "batch_size": 128, "augment": "none"}
TUNED_SETTINGS = {"blocks": [[16], [32, 32], [64, 64]], "pool_until": 7, "hidden": [128], "batch_norm": True,
                  "optimizer": "sgd", "lr": 0.1, "weight_decay": 0.0005, "label_smoothing": 0.1,
                  "lr_schedule": "onecycle", "epochs": 7, "batch_size": 256, "augment": "none"}


def test_ladder_rungs_change_one_thing_at_a_time_and_end_at_the_tuned_settings():
    rungs = steps.ladder_rungs(SOURCE_SETTINGS, TUNED_SETTINGS)
    assert [n for n, _, _ in rungs] == ["ladder_source", "ladder_layers", "ladder_batchnorm", "ladder_optimizer",
                                        "ladder_smoothing", "ladder_decay", "ladder_epochs"]  # augmentation: none = none
    texts = [t for _, t, _ in rungs]
    assert texts[3] == "SGD with Nesterov momentum 0.9, a one-cycle learning rate peaking at 0.1, batch 256"
    assert texts[-1] == "7 epochs instead of 5" and not any(t.startswith(("+", "-")) for t in texts)
    for (_, _, before), (_, _, after) in zip(rungs, rungs[1:]):
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        assert 1 <= len(changed) <= 4, changed   # one change (the optimizer rung moves its rate, schedule and batch)
    last = rungs[-1][2]
    assert all(last[k] == v for k, v in TUNED_SETTINGS.items())
    assert rungs[0][2]["batch_norm"] is False and rungs[0][2]["lr_schedule"] is None
    aug = steps.ladder_rungs(SOURCE_SETTINGS, {**TUNED_SETTINGS, "augment": "shift_flip", "lr_schedule": None})
    assert ("ladder_augment", "augmentation (shifts and flips)") in [(n, t) for n, t, _ in aug]
    assert "SGD with Nesterov momentum 0.9, learning rate 0.1, batch 256" in [t for _, t, _ in aug]
    same_batch = steps.ladder_rungs(SOURCE_SETTINGS, {**TUNED_SETTINGS, "batch_size": 128})
    assert "SGD with Nesterov momentum 0.9, a one-cycle learning rate peaking at 0.1" in [t for _, t, _ in same_batch]


def ladder_frame(verdicts=("better", "undecided", "worse", "better"), changes=(0.02, 0.001, -0.011, 0.005)):
    rows = [{"rung": "the source's CNN", "test accuracy": 0.88, "change in test": float("nan"), "verdict": "–"}]
    acc = 0.88
    for i, (w, d) in enumerate(zip(verdicts, changes)):
        acc += d
        rows.append({"rung": f"change {i + 1}", "test accuracy": acc, "change in test": d, "verdict": w})
    return pd.DataFrame(rows)


def test_ladder_sentence_credits_the_rungs_the_noise_rule_calls_better():
    text = nv.ladder_sentence(ladder_frame(), 6000, 54000)
    assert text.startswith("Along the ladder the test accuracy moves from 0.8800 (the source's CNN) to 0.8950 (every "
                           "change of the tuned configuration but test-time flip averaging).")
    assert ("The changes that raise it beyond the noise: change 1 (+0.0200) and change 4 (+0.0050); the largest is "
            "change 1; change 3 (-0.0110) lowers it; of the other steps, 1 undecided.") in text
    assert "Every rung trains on the same 6,000 of the 54,000 fit images" in text
    one = nv.ladder_sentence(ladder_frame(("better", "undecided"), (0.106, 0.01)), 2000, 54000)
    assert "The change that raises it beyond the noise: change 1 (+0.1060); of the other steps, 1 undecided." in one
    none = nv.ladder_sentence(ladder_frame(("undecided", "on a par"), (0.001, 0.0)), 540, 540)
    assert "No single change raises it beyond the noise; of the other steps, 1 undecided and 1 on a par." in none
    assert "Every rung trains" not in none
    assert "changes nothing" in nv.ladder_sentence(ladder_frame((), ()), 540, 540)
    frame = ladder_frame().assign(**{"validation accuracy": [0.80, 0.83, 0.85, 0.84, 0.86]})
    low = nv.ladder_sentence(frame, 2000, 54000, floor=("logistic regression on pixels", 0.846))
    assert low.endswith("3 of the 5 rungs stay below the validation accuracy of logistic regression on pixels (0.846) "
                        "at this budget: they have not fitted, so the steps between them measure training speed as "
                        "much as the change.")
    assert "have not fitted" not in nv.ladder_sentence(frame, 2000, 54000, floor=("logistic regression", 0.7))
    assert nv.rung_change("its layers (widths 16 | 32)", -0.2789) == "its layers (widths 16 | 32; -0.2789)"
    assert nv.rung_change("batch norm", 0.031) == "batch norm (+0.0310)"
    caption = nv.ladder_caption(ladder_frame(), FULL)
    assert caption.endswith("The largest step: change 1 (+0.0200, better).")
    assert "Every rung trains on the same 2,000 fit images, so the first rung scores below the source's CNN" in \
        nv.ladder_caption(ladder_frame(), FULL, 2000)
