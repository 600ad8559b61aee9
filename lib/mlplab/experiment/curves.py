"""One diagnosis of a training curve, read by both a figure's caption and the sentence under it.

Why one function: a caption that says "the later epochs overfit" beside a sentence that says "no
sign of overfitting" undermines both. `diagnose` decides once, from the validation rows and the
fit rows only (the test curve is drawn, never read), and `CurveDiagnosis.sentence()` /
`.takeaway()` word the same finding.

Every level below is read on the curves smoothed by a centred moving mean over a tenth of the epochs
(one epoch for short runs): a single noisy epoch decides nothing. A trend counts only when it is larger than the noise: a rise of more than half the largest single rise of
the raw curve, a widening of more than that rise. The kinds, in the order they are tested:
- "overfitting": the validation loss ends above its minimum by more than `TOL` AND the gap between
  validation and training loss has widened since that minimum by more than `TOL` of the loss, with
  the training loss still falling, and the validation loss ends above the training loss. A rise of the
  validation loss alone is not overfitting: the gap's trend is what separates memorising the fit rows
  from noise. While the training loss sits above the validation loss, a rising validation loss brings
  the two curves together: the gap narrows, it does not widen.
- "diverging": the validation loss stays level while the training loss keeps falling, and the gap
  between them grows by more than `WIDEN` of the loss from the end of the first descent (a tenth of the
  way in) to the last epochs.
- "unstable": the validation loss swings up and down over the later epochs (at least two changes of
  direction, the largest single rise more than `SWING` of its level) without a trend larger than the
  swings: the optimisation is noisy (learning rate, batch size), and the curve cannot show overfitting
  either way.
- "drift": the validation loss ends above its minimum by more than `TOL` but the gap did not
  widen: both curves moved together; a small drift, not overfitting.
- "still_falling": the minimum is at the last epoch and the last two epochs lowered it by more
  than `FALLING`: a longer budget could help.
- "flat": none of the above.

A training loss above the validation loss is explained, not diagnosed. While the training loss is still
falling, or with dropout, noise or augmentation active, skorch's `train_loss` (the mean over each epoch's
batches, measured while the weights change and with those active) is expected to sit above the validation
loss, measured after the epoch in evaluation mode. When it stays above after both curves have flattened
and nothing random is active, the rows differ: the fit rows are harder to predict than the validation rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TOL = 0.05      # relative rise of the (smoothed) validation loss above its minimum that counts
FALLING = 0.01  # relative drop over the last two epochs that counts as still falling
SWING = 0.15    # the largest single rise of the validation loss, relative to its level, that counts as a swing
WIDEN = 0.25    # growth of the fit-validation gap (share of the lowest validation loss) that counts as widening
FLAT_TRAIN = 0.05  # relative change of the training loss over the second half below which it has flattened
KINDS = ("overfitting", "diverging", "unstable", "drift", "still_falling", "flat")


def _pct(x: float, digits: int = 1) -> str:
    """A share as the book prints it: '4.2 %' (a space before the sign)."""
    return f"{100 * x:.{digits}f} %"


@dataclass(frozen=True)
class CurveDiagnosis:
    kind: str               # one of KINDS, or "none" (no usable validation curve)
    label: str              # the model, as the prose names it
    epochs: int = 0
    best_epoch: int = 0     # 1-based epoch of the lowest validation loss, as plotted
    rise: float = 0.0       # (last - min) / min of the validation loss, as plotted
    tail_drop: float = 0.0  # relative drop of the validation loss over the last two epochs
    gap_change: float = 0.0  # change of (validation - train) loss from the best epoch to the last, / min
    swing: float = 0.0      # the largest single rise of the validation loss over the later epochs, / its minimum
    late_gap: float = 0.0   # growth of the (validation - train) gap from the end of the first descent, / the minimum loss
    plateau_epoch: int = 1  # first epoch of "the later epochs" (a third of the way in)
    gap_from: float = 0.0   # the gap (validation - train loss) where a widening is measured from ...
    gap_to: float = 0.0     # ... and at the end
    train_above: bool = False  # the training loss ends above the validation loss
    train_flat: bool = False   # the training loss changed by less than FLAT_TRAIN over the second half
    train_mode: str = ""    # what is active while training ("dropout", "augmentation"), for the explanation
    stopped: bool = False   # the network ran early stopping on its own held-out share of the fit rows

    def _widened(self) -> str:
        """Both ends with the same decimals, two significant digits of the larger ('-0.04 to 0.13', not '-0.037 to
        0.13')."""
        big = max(abs(self.gap_from), abs(self.gap_to))
        d = max(0, 1 - int(np.floor(np.log10(big)))) if big > 0 else 2
        return f"widened from {self.gap_from:.{d}f} to {self.gap_to:.{d}f}"

    def sentence(self) -> str:
        """The full finding, for the text under the figure ('' when there is no curve to read)."""
        text = {
            "none": "",
            "overfitting": (f"The validation loss of {self.label} is lowest at epoch {self.best_epoch} of {self.epochs} "
                            f"and ends {_pct(self.rise)} higher, while the training loss kept falling and the gap "
                            f"between the two {self._widened()}: the later epochs overfit the fit rows"
                            + ("; the network's early stopping, which watched its own held-out share of the fit rows, "
                               "kept the weights of the epoch with the lowest loss on those rows."
                               if self.stopped else
                               f"; stopping at epoch {self.best_epoch} would keep the weights with the lowest "
                               "validation loss, which is not by itself a better test score.")),
            "diverging": (f"From epoch {self.plateau_epoch} on, the validation loss of {self.label} stays near its level "
                          f"(lowest at epoch {self.best_epoch} of {self.epochs}) while the training loss keeps falling: "
                          f"the gap between the two {self._widened()}, so the later epochs fit "
                          "the fit rows ever more closely without generalizing better, an overfitting that does not "
                          "raise the validation loss" + ("; the network's early stopping kept its best epoch's weights."
                                                         if self.stopped else "; fewer epochs would cost nothing.")),
            "unstable": (f"The validation loss of {self.label} swings up and down over the later epochs (its largest "
                         f"single rise is {_pct(self.swing)} of its level): the training is unstable (step size or "
                         "batch noise), and the swings hide any trend, so this curve can show neither overfitting nor "
                         "its absence."),
            "drift": (f"The validation loss of {self.label} ends {_pct(self.rise)} above its minimum at epoch "
                      f"{self.best_epoch} of {self.epochs}, but the gap to the training loss did not widen: a small "
                      "drift of both curves, not overfitting."),
            "still_falling": (f"The validation loss of {self.label} was still falling at the last epoch "
                              f"({_pct(self.tail_drop)} over the last two epochs): a longer budget could lower it "
                              "further."),
            "flat": (f"The validation loss of {self.label} has flattened by the last epoch (within {_pct(TOL, 0)} of its "
                     "minimum): the epoch budget is neither short nor wasteful."),
        }[self.kind]
        if text and self.train_above:
            text += " " + self.train_above_sentence()
        return text

    def train_above_sentence(self) -> str:
        if self.train_mode:
            return ("The training loss sits above the validation loss because it is averaged over each epoch's "
                    f"batches with {self.train_mode} active while the weights are still changing; the validation loss "
                    "is measured after the epoch, in evaluation mode.")
        if not self.train_flat:
            return ("The training loss sits above the validation loss because it is averaged over each epoch's "
                    "batches while the weights are still changing; the validation loss is measured after the epoch.")
        return ("The training loss stays above the validation loss after both curves have flattened, with nothing "
                "random active while training: the fit rows are harder to predict than the validation rows (a "
                "different mix of rows), which is no sign of under- or overfitting.")

    def takeaway(self) -> str:
        """The same finding in a few words, for the caption ('' when there is no curve to read)."""
        return {
            "none": "",
            "overfitting": f"the later epochs overfit (validation loss lowest at epoch {self.best_epoch}, gap widening)",
            "diverging": "the training loss keeps falling while the validation loss stays level: the gap widens",
            "unstable": "training is unstable (the validation loss swings), so the curve cannot show overfitting",
            "drift": "both curves drift together after their minimum; no overfitting",
            "still_falling": "the validation loss is still falling at the last epoch",
            "flat": "the validation loss has flattened; the epoch budget suffices",
        }[self.kind]


def smooth(x: np.ndarray, width: int) -> np.ndarray:
    """Centred moving mean (shorter at the ends): one noisy epoch moves no level."""
    if width <= 1:
        return np.asarray(x, dtype=float)
    return pd.Series(x, dtype=float).rolling(width, center=True, min_periods=1).mean().to_numpy()


def diagnose(history: pd.DataFrame | None, label: str, *, train_mode: str = "", stopped: bool = False) -> CurveDiagnosis:
    """Read a history (columns epoch, train_loss, validation_loss[, test_loss]): validation and fit
    rows only. Fewer than 3 validation values, or non-finite ones, give kind "none"."""
    if history is None or "validation_loss" not in history or history["validation_loss"].notna().sum() < 3:
        return CurveDiagnosis("none", label)
    h = history.dropna(subset=["validation_loss"])
    raw = h["validation_loss"].to_numpy(dtype=float)
    t_raw = h["train_loss"].to_numpy(dtype=float) if "train_loss" in h else np.full_like(raw, np.nan)
    if not np.isfinite(raw).all() or np.abs(raw).min() == 0:
        return CurveDiagnosis("none", label)
    n = len(raw)
    width = max(1, n // 10)
    v = smooth(raw, width)
    have_t = np.isfinite(t_raw).all()
    t = smooth(t_raw, width) if have_t else t_raw
    best = int(np.argmin(v))       # decisions read the smoothed curve ...
    scale = abs(v[best])
    rise = (v[-1] - v[best]) / scale
    low = int(np.argmin(raw))      # ... the words the plotted one: its lowest epoch (the figure marks it) and the rise
    said_rise = float((raw[-1] - raw[low]) / abs(raw[low]))
    if low == n - 1 and best < n - 1:  # a last-epoch dip of the raw curve: the smoothed words, not "0 % higher"
        low, said_rise = best, float(rise)
    tail_drop = (raw[-3] - raw[-1]) / abs(raw[-3]) if raw[-3] else 0.0
    gap = v - t if have_t else np.zeros_like(v)
    gap_change = float((gap[-1] - gap[best]) / scale)
    train_falling = have_t and t[-1] < t[best]
    start = n // 3 if n >= 6 else 0
    late = raw[start:]
    moves = np.diff(late)
    steps = np.sign(moves)
    turns = int(np.sum(steps[1:] * steps[:-1] < 0)) if len(steps) > 1 else 0
    level = abs(late.min()) if late.min() else 1.0
    ups, downs = float(np.clip(moves, 0, None).sum()), float(np.clip(-moves, 0, None).sum())
    # a swing is a rise against the trend: the largest single rise; a curve that falls with small wiggles is no swing
    swing = float(np.clip(moves, 0, None).max() / level) if len(moves) else 0.0
    oscillating = turns >= 2 and swing > SWING and ups >= 0.5 * downs
    k = max(1, n // 3)
    early = max(1, n // 10) if n >= 6 else 0           # the end of the first descent
    early_gap = float(np.mean(gap[early:early + max(1, n // 6)])) if have_t else 0.0
    late_gap = (float(np.mean(gap[-k:])) - early_gap) / scale if have_t else 0.0
    train_above = bool(have_t and np.mean(t_raw[-k:]) > (1 + TOL) * np.mean(raw[-k:]))  # a visible difference
    half = n // 2
    train_flat = bool(have_t and abs(t[-1] - t[half]) <= FLAT_TRAIN * abs(t[half]))  # over the second half
    # the epoch as the figure labels it (the history's own epoch column when it has one)
    epoch_no = int(h["epoch"].to_numpy()[low]) if "epoch" in h else low + 1
    common = dict(epochs=n, best_epoch=epoch_no, rise=said_rise, tail_drop=float(tail_drop), gap_change=gap_change,
                  swing=swing, train_above=train_above, train_flat=train_flat, train_mode=train_mode,
                  stopped=bool(stopped), late_gap=late_gap, plateau_epoch=start + 1)
    # a trend counts only when it is larger than the noise: a rise above half the largest single swing, a
    # widening above the largest swing (one spike near the end moves neither)
    if best < n - 1 and rise > max(TOL, swing / 2) and gap_change > TOL and train_falling and gap[-1] > 0:
        return CurveDiagnosis("overfitting", label, gap_from=float(gap[best]), gap_to=float(gap[-1]), **common)
    if (n >= 6 and late_gap > max(WIDEN, swing) and have_t and t[-1] < t[start] and gap[-1] > 0
            and not (best == n - 1 and tail_drop > FALLING)):
        return CurveDiagnosis("diverging", label, gap_from=early_gap, gap_to=float(np.mean(gap[-k:])), **common)
    if oscillating:
        return CurveDiagnosis("unstable", label, **common)
    if best < n - 1 and rise > TOL:
        return CurveDiagnosis("drift", label, **common)
    # still falling: the last epochs lowered it and it ends at (or within FALLING of) its minimum
    if tail_drop > FALLING and (best == n - 1 or raw[-1] <= raw.min() * (1 + FALLING)):
        return CurveDiagnosis("still_falling", label, **common)
    return CurveDiagnosis("flat", label, **common)


def findings(diagnoses: list[CurveDiagnosis]) -> str:
    """Several networks' findings as prose: networks whose curves say the same simple thing ("still falling",
    "flat") in one sentence, so three sentences that differ only in the name and a number do not follow each other;
    the others one sentence each, in order."""
    from mlplab.experiment.prose import join

    shown = [d for d in diagnoses if d.kind != "none"]
    groups: dict[str, list[CurveDiagnosis]] = {}
    for d in shown:
        groups.setdefault(d.kind if d.kind in ("still_falling", "flat") and not d.train_above else id(d), []).append(d)
    out = []
    for kind, ds in groups.items():
        if len(ds) == 1:
            out.append(ds[0].sentence())
        elif kind == "still_falling":
            out.append(f"The validation losses of {join([d.label for d in ds])} were all still falling at the last epoch "
                       f"(by {join([_pct(d.tail_drop) for d in ds])} over the last two epochs): a longer budget could "
                       "lower them further.")
        else:
            out.append(f"The validation losses of {join([d.label for d in ds])} have all flattened by the last epoch "
                       f"(within {_pct(TOL, 0)} of their minimum): the epoch budget is neither short nor wasteful.")
    return " ".join(out)
