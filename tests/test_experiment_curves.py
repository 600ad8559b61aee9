"""One diagnosis per training curve (mlplab.experiment.curves): each kind from hand-made curves, and
the caption and sentence of one diagnosis saying the same thing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlplab.experiment import prose
from mlplab.experiment.curves import diagnose


def history(valid, train=None):
    train = train if train is not None else np.linspace(1, 0.5, len(valid))
    return pd.DataFrame({"epoch": range(1, len(valid) + 1), "train_loss": train,
                         "validation_loss": valid, "test_loss": [9.0] * len(valid)})


def test_still_falling():
    d = diagnose(history([1.0, 0.8, 0.7, 0.6]), "the MLP")
    assert d.kind == "still_falling"
    assert d.sentence() == ("The validation loss of the MLP was still falling at the last epoch (25.0 % over the last "
                            "two epochs): a longer budget could lower it further.")
    assert d.takeaway() == "the validation loss is still falling at the last epoch"


def test_overfitting_needs_a_widening_gap_and_a_falling_training_loss():
    d = diagnose(history([1.0, 0.6, 0.7, 0.8], train=[1.0, 0.6, 0.4, 0.3]), "the MLP")
    assert d.kind == "overfitting" and d.best_epoch == 2 and d.rise == pytest.approx(1 / 3)
    assert d.gap_change == pytest.approx(((0.8 - 0.3) - (0.6 - 0.6)) / 0.6)
    assert d.sentence().startswith("The validation loss of the MLP is lowest at epoch 2 of 4 and ends 33.3 % higher, "
                                   "while the training loss kept falling")
    assert "overfit" in d.takeaway()
    assert "the gap between the two widened from 0.00 to 0.50: the later epochs overfit the fit rows" in d.sentence()
    # what early stopping would keep is said; that it helps on test is not (the regularization study measures that)
    assert d.sentence().endswith("stopping at epoch 2 would keep the weights with the lowest validation loss, which is "
                                 "not by itself a better test score.")
    ran = prose.curve_finding(history([1.0, 0.6, 0.7, 0.8], train=[1.0, 0.6, 0.4, 0.3]), "the MLP", stopped=True)
    assert ran.endswith("the later epochs overfit the fit rows; the network's early stopping, which watched its own "
                        "held-out share of the fit rows, kept the weights of the epoch with the lowest loss on those rows.") and "would keep" not in ran


def test_a_rise_of_the_validation_loss_alone_is_a_drift_not_overfitting():
    valid = [0.120, 0.100, 0.103, 0.106, 0.109, 0.112]
    train = [0.19, 0.19, 0.19, 0.19, 0.19, 0.19]
    d = diagnose(history(valid, train), "the tuned MLP", train_mode="dropout")
    assert d.kind == "drift"
    assert d.takeaway() == "both curves drift together after their minimum; no overfitting"
    assert "not overfitting" in d.sentence()
    assert d.train_above
    assert d.sentence().endswith("The training loss sits above the validation loss because it is averaged over each "
                                 "epoch's batches with dropout active while the weights are still changing; the "
                                 "validation loss is measured after the epoch, in evaluation mode.")


def test_swinging_losses_are_unstable_training():
    valid = [1.0, 0.6, 0.7, 0.55, 0.72, 0.58, 0.7, 0.6]
    train = [1.0, 0.7, 0.72, 0.62, 0.7, 0.63, 0.68, 0.66]
    d = diagnose(history(valid, train), "the source's MLP")
    assert d.kind == "unstable" and d.swing > 0.2
    assert "can show neither overfitting nor its absence" in d.sentence() and "unstable" in d.takeaway()
    # swings of a few per cent of the level are noise, not instability (Figure 1.8: 8 % of a loss of 0.10)
    calm = [0.12, 0.100, 0.104, 0.101, 0.105, 0.102, 0.104, 0.101]
    assert diagnose(history(calm, [0.19] * 8), "the tuned MLP").kind == "flat"


def test_swings_are_read_before_the_endpoints():
    """Figure 5.9's case: a validation loss jumping between 0.22 and 0.54 that happens to end on a high epoch is
    unstable training, not overfitting: the endpoints of a swinging curve say nothing."""
    valid = [0.6, 0.3, 0.25, 0.45, 0.22, 0.5, 0.24, 0.54, 0.23, 0.28]
    train = [0.9 * x + 0.01 for x in valid]  # the fit-row loss jumps with it (Figure 5.9's fit-row R² does)
    assert diagnose(history(valid, train), "the source's MLP").kind == "unstable"
    # a clear upward trend under the spikes is still overfitting (Figure 2.10: 0.045 at epochs 10–20, 0.08 at 54)
    trend = [0.16, 0.08, 0.06, 0.05] + [0.045] * 10 + [0.09] + [0.05, 0.055, 0.06, 0.065, 0.07, 0.075, 0.08, 0.085]
    falling = list(np.linspace(0.2, 0.01, len(trend)))
    assert diagnose(history(trend, falling), "the tuned MLP").kind == "overfitting"


@pytest.mark.parametrize("valid", [[1.0, 0.6, 0.6, 0.603], [1.0, 0.7, 0.699, 0.698], [0.5, 0.5, 0.5]])
def test_flat(valid):
    d = diagnose(history(valid), "the MLP")
    assert d.kind == "flat"
    assert d.sentence() == ("The validation loss of the MLP has flattened by the last epoch (within 5 % of its "
                            "minimum): the epoch budget is neither short nor wasteful.")


def test_no_curve_says_nothing():
    assert diagnose(None, "x").sentence() == "" and diagnose(None, "x").takeaway() == ""
    assert diagnose(history([1.0, 0.8, 0.6]).drop(columns="validation_loss"), "x").kind == "none"
    assert diagnose(history([np.nan, np.nan, 0.8, 0.6]), "x").kind == "none"   # fewer than 3 values
    assert prose.curve_finding(None, "x") == ""


def test_the_test_curve_never_decides():
    h = history([0.6, 0.6, 0.6])
    h["test_loss"] = [1.0, 0.5, 0.1]
    assert diagnose(h, "x").kind == "flat"
    assert "flattened" in prose.curve_finding(h, "x")



def test_a_rising_validation_loss_under_a_higher_training_loss_is_not_overfitting():
    """Fit-row loss flat near 0.19, above validation's 0.10, which rises 12 %: the gap narrows (validation
    approaches the training loss), so this is drift, explained, not overfitting."""
    from mlplab.experiment.curves import diagnose

    h = pd.DataFrame({"epoch": range(1, 7), "validation_loss": [0.13, 0.10, 0.103, 0.106, 0.109, 0.112],
                      "train_loss": [0.3, 0.2, 0.195, 0.19, 0.19, 0.189]})
    d = diagnose(h, "the net")
    assert d.kind == "drift" and d.train_above and d.train_flat
    # flat curves, nothing random in training: the rows differ, not the way the loss is measured
    assert d.sentence().endswith("the fit rows are harder to predict than the validation rows (a different mix of "
                                 "rows), which is no sign of under- or overfitting.")
    # a 4 % rise of a flat curve (Figure 1.8, the NYSE tuned MLP) is no finding at all: flat
    nyse = h.assign(validation_loss=[0.13, 0.10, 0.101, 0.102, 0.103, 0.1044])
    assert diagnose(nyse, "the net").kind == "flat"
    # the same rise with the validation loss above a falling training loss, the gap widening: overfitting
    h2 = h.assign(train_loss=[0.12, 0.09, 0.08, 0.07, 0.06, 0.05])
    assert diagnose(h2, "the net").kind == "overfitting"


def test_a_level_validation_loss_under_a_falling_training_loss_is_diverging_not_unstable():
    # California's tuned MLP: fit-row loss 0.20 -> 0.08, validation level near 0.18 with small wiggles
    valid = [0.40, 0.25, 0.20, 0.185, 0.18, 0.182, 0.179, 0.181, 0.18, 0.1805, 0.18, 0.1805]  # ends < 1 % above its min
    train = [0.40, 0.22, 0.20, 0.18, 0.16, 0.145, 0.13, 0.12, 0.105, 0.095, 0.088, 0.08]
    d = diagnose(history(valid, train), "the tuned MLP")
    assert d.kind == "diverging" and d.late_gap > 0.25
    assert "stays near its level" in d.sentence() and "fewer epochs would cost nothing" in d.sentence()
    assert "gap widens" in d.takeaway() and "not overfitting" not in d.sentence()


def test_a_smoothly_falling_curve_with_small_wiggles_is_not_unstable():
    # Figure 8.4's autoencoder: the validation loss falls 0.00306 -> 0.00186 over the later epochs, rises of ~4 %
    valid = list(np.linspace(0.006, 0.00306, 30)) + [0.00306 * (0.975 ** i) * (1.04 if i % 5 == 0 else 1.0) for i in range(20)]
    train = [v * 0.95 for v in valid]
    d = diagnose(history(valid, train), "the autoencoder")
    assert d.kind == "still_falling" and d.swing < 0.1


def test_findings_group_networks_whose_curves_say_the_same():
    from mlplab.experiment.curves import diagnose, findings

    flat = pd.DataFrame({"epoch": [1, 2, 3, 4], "train_loss": [1.2, 1.1, 1.05, 1.0],
                         "validation_loss": [1.0, 0.9, 0.9, 0.9]})
    falling = pd.DataFrame({"epoch": [1, 2, 3, 4], "train_loss": [2, 1.5, 1.2, 1.0],
                            "validation_loss": [2.0, 1.5, 1.2, 1.0]})
    ds = [diagnose(falling, "net A"), diagnose(flat, "net B"), diagnose(falling, "net C"), diagnose(None, "net D")]
    text = findings(ds)
    assert text.startswith("The validation losses of net A and net C were all still falling at the last epoch (by "
                           "33.3 % and 33.3 % over the last two epochs): a longer budget could lower them further.")
    assert text.endswith(ds[1].sentence()) and "net D" not in text
    assert findings([ds[1]]) == ds[1].sentence() and findings([]) == ""


def test_a_gap_that_widens_from_the_first_descent_is_diverging_over_a_long_run():
    """Figure 5.8's case over 60 epochs: both losses near 0.20 at epoch 6, then the fit-row loss falls to 0.08
    while validation stays near 0.18. Measured only from a third of the way in, the gap grows by 15 % of the loss
    (and the curve read "flat"); from the end of the first descent it grows by about 40 %."""
    epochs = np.arange(60)
    train = 0.08 + 0.12 * np.exp(-(epochs - 5).clip(0) / 18) + 0.2 * np.exp(-epochs)
    valid = 0.178 + 0.03 * np.exp(-(epochs - 5).clip(0) / 8) + 0.1 * np.exp(-epochs) + 0.002 * np.sin(epochs)
    d = diagnose(history(valid, train), "the tuned MLP")
    assert d.kind == "diverging" and d.late_gap > 0.25
    assert d.gap_from < 0.05 and d.gap_to > 0.08
    assert "the gap between the two widened from 0.023 to 0.087" in d.sentence()  # same decimals, 2 significant


def test_the_words_name_the_plotted_minimum():
    """Figure 2.10: the figure marks the lowest raw validation loss (epoch 11); smoothing decides the kind but must not
    move the epoch the caption names (it said 12)."""
    valid = [0.2, 0.12, 0.09, 0.07, 0.06, 0.055, 0.05, 0.048, 0.047, 0.046, 0.044, 0.046, 0.05, 0.055, 0.06, 0.065,
             0.07, 0.075, 0.08, 0.085, 0.09]
    train = list(np.linspace(0.2, 0.01, len(valid)))
    d = diagnose(history(valid, train), "the tuned MLP")
    assert d.kind == "overfitting" and d.best_epoch == 11
    assert d.rise == pytest.approx((0.09 - 0.044) / 0.044)
    assert "lowest at epoch 11 of 21" in d.sentence()


def test_the_epoch_is_named_as_the_history_numbers_it():
    h = history([0.5, 0.3, 0.2, 0.25, 0.3, 0.35], train=[0.5, 0.3, 0.2, 0.15, 0.1, 0.05])
    h["epoch"] = range(0, 6)   # a history counting from 0: the words follow its numbers, as the figure's legend does
    assert diagnose(h, "net").best_epoch == 2
