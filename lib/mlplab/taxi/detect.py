"""Anomaly scores, one threshold rule, alarm events and their evaluation against NAB's windows.

Everything here is fixed before any label is looked at (every labelled window lies after the training
period):
- a detector learns on the fit rows only (the training period without its validation tail) and gives
  every half-hour a score from the present and the past only (causal), so an alarm's time is the time
  it could have been raised;
- its threshold is the `quantile` of its own scores over the validation tail (1.0: the largest score
  seen there), the same rule for every detector;
- an alarm event is a run of points above the threshold, flags closer than `merge` points (one window
  length) joined; its start is its first flagged point;
- a labelled window is detected when an event starts inside it; the lead time is the window's label
  (NAB's timestamp) minus that start, in hours (positive: raised before the label);
- a false alarm is an event that starts outside every window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from mlplab.errors import UserError
from mlplab.taxi import WEEK  # half-hours in a week: the seasonal z-score's lag


@dataclass
class Period:
    """Positions [start, stop) of the whole series `values` (times `times`) to score, with the labelled
    windows that start inside it. `tail_start` (training period only): where the validation tail begins."""

    values: np.ndarray
    times: pd.DatetimeIndex
    start: int
    stop: int
    windows: pd.DataFrame
    tail_start: int | None = None
    meta: dict = field(default_factory=dict)

    @property
    def X(self):
        return self

    @property
    def y(self) -> np.ndarray:
        return self.values[self.start:self.stop]

    def __len__(self) -> int:
        return self.stop - self.start


def windows_in(windows: pd.DataFrame, times: pd.DatetimeIndex, start: int, stop: int) -> pd.DataFrame:
    first, last = times[start], times[stop - 1]
    return windows[(windows["start"] >= first) & (windows["start"] <= last)].reset_index(drop=True)


# ---- detectors ---------------------------------------------------------------------------------------

class Detector(BaseEstimator):
    """Base: `fit(period)` learns on [period.start, period.tail_start) and sets `threshold_` from the scores
    on [period.tail_start, period.stop); `score_series(values)` scores every point (NaN before it can)."""

    quantile: float = 1.0

    def fit(self, X: Period, y=None):
        if X.tail_start is None or not X.start < X.tail_start < X.stop:
            raise UserError("a detector is fitted on a training period with a validation tail after its fit rows")
        self._learn(X.values, X.start, X.tail_start)
        tail = self.score_series(X.values)[X.tail_start:X.stop]
        tail = tail[np.isfinite(tail)]
        if len(tail) == 0:
            raise UserError("the validation tail has no scored point: make it longer than one window")
        self.threshold_ = float(np.quantile(tail, float(self.quantile)))
        return self

    def _learn(self, values: np.ndarray, start: int, stop: int) -> None:
        pass

    def score_series(self, values: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def flags(self, part: Period) -> np.ndarray:
        check_is_fitted(self, "threshold_")
        scores = self.score_series(part.values)[part.start:part.stop]
        return np.nan_to_num(scores, nan=-np.inf) > self.threshold_


class RollingZ(Detector):
    """|x_t − mean| / std of the `window` points before t (a trailing z-score; nothing to learn)."""

    def __init__(self, window: int = 48, quantile: float = 1.0):
        self.window = window
        self.quantile = quantile

    def score_series(self, values: np.ndarray) -> np.ndarray:
        s = pd.Series(values, dtype=float)
        past = s.shift(1).rolling(int(self.window), min_periods=int(self.window))
        std = past.std(ddof=0)
        return ((s - past.mean()).abs() / std.where(std > 0)).to_numpy()


class SeasonalZ(Detector):
    """z-score of the seasonal residual r_t = x_t − x_(t−one week) (same half-hour last week), with the mean
    and standard deviation of r over the fit rows."""

    def __init__(self, season: int = WEEK, quantile: float = 1.0):
        self.season = season
        self.quantile = quantile

    def _residual(self, values: np.ndarray) -> np.ndarray:
        r = np.full(len(values), np.nan)
        r[self.season:] = values[self.season:] - values[:-self.season]
        return r

    def _learn(self, values, start, stop):
        r = self._residual(values)[start:stop]
        r = r[np.isfinite(r)]
        if len(r) < 2:
            raise UserError(f"the fit rows must span more than one season ({self.season} half-hours) for the seasonal z-score")
        self.mean_, self.std_ = float(r.mean()), float(r.std())

    def score_series(self, values):
        return np.abs(self._residual(values) - self.mean_) / self.std_


def sliding(values: np.ndarray, window: int) -> np.ndarray:
    """Every window of `window` consecutive values, the k-th ending at position k + window − 1."""
    return np.lib.stride_tricks.sliding_window_view(values, window).astype(np.float32)


class ConvAEDetector(Detector):
    """The convolutional autoencoder (mlplab.models.sequence.ConvAutoencoder) trained to reconstruct every
    stretch of `context` points of the fit rows (standardized with their mean and standard deviation); a
    point's score is the mean absolute reconstruction error over the last `window` points of the stretch
    that ends at it. `context` 0 means `window` (the autoencoder sees one window and scores all of it); a
    longer context lets it judge the latest window against the days before it. `stride` is the
    autoencoder's (2: the code holds twice the stretch's numbers; 4: half of them). `season` > 0: it reads
    the change from `season` points earlier (x_t − x_(t−season)) instead of the counts."""

    def __init__(self, window: int = 48, epochs: int = 50, lr: float = 1e-3, batch_size: int = 128,
                 hidden=(16, 8), seed: int = 0, quantile: float = 1.0, context: int = 0, stride: int = 2,
                 season: int = 0):
        self.window = window
        self.context = context
        self.stride = stride
        self.season = season
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.hidden = hidden
        self.seed = seed
        self.quantile = quantile

    def _net(self):
        from mlplab.models.sequence import ConvAutoencoder, SequenceRegressor

        return SequenceRegressor(module=ConvAutoencoder, module__hidden=tuple(self.hidden), module__dropout=0.0,
                                 module__stride=int(self.stride),
                                 lr=float(self.lr), max_epochs=int(self.epochs), batch_size=int(self.batch_size),
                                 seed=int(self.seed), train_metric_rows=0, verbose=0)

    @property
    def estimator(self):
        """The net the next fit trains (built on first access, so experiment tracking can attach to it)."""
        if getattr(self, "_pending", None) is None:
            self._pending = self._net()
        return self._pending

    @property
    def length(self) -> int:
        """Points the autoencoder sees at once."""
        return int(self.context) or int(self.window)

    def _input(self, values: np.ndarray) -> np.ndarray:
        """What the autoencoder reads: the counts, or their change over `season` points (NaN where undefined)."""
        v = np.asarray(values, dtype=float)
        lag = int(self.season)
        if not lag:
            return v
        out = np.full(len(v), np.nan)
        out[lag:] = v[lag:] - v[:-lag]
        return out

    def _scale(self, values: np.ndarray) -> np.ndarray:
        return np.nan_to_num((self._input(values) - self.mean_) / self.std_)

    def _windows(self, values, start, stop) -> np.ndarray:
        return sliding(self._scale(values)[max(start, int(self.season)):stop], self.length)

    def _learn(self, values, start, stop):
        fit = self._input(values)[max(start, int(self.season)):stop]
        if len(fit) < self.length:
            raise UserError(f"the fit rows hold {len(fit)} usable points; the autoencoder needs at least {self.length}")
        self.mean_, self.std_ = float(fit.mean()), float(fit.std()) or 1.0
        W = self._windows(values, start, stop)
        self.net_ = self.estimator  # the net tracking may have attached its logger to
        self._pending = None
        ranges = getattr(self, "_record", None)
        if ranges:
            from mlplab.training import fit_with_eval

            sets = {name: self._windows(values, lo, hi) for name, (lo, hi) in ranges.items()}
            fit_with_eval(self.net_, W, W, eval_sets={name: (v, v) for name, v in sets.items()})
        else:
            self.net_.fit(W, W)

    def fit_recording(self, X: Period, y, sets: dict):
        """Fit, recording the reconstruction loss per epoch on the windows ending in each other part
        (for the curves only: they never influence training)."""
        w = self.length
        self._record = {name: (max(0, part.start - w + 1), part.stop) for name, (part, _) in sets.items()}
        try:
            return self.fit(X)
        finally:
            self._record = None

    def history_frame(self) -> pd.DataFrame:
        from mlplab.training import history_frame

        check_is_fitted(self, "net_")
        return history_frame(self.net_)

    def reconstruct(self, values: np.ndarray) -> np.ndarray:
        """(n_stretches, length) reconstructions in the input's unit (counts, or their change over `season`),
        stretch k ending at position k + length − 1."""
        check_is_fitted(self, "net_")
        W = sliding(self._scale(values), self.length)
        return self.net_.predict(W) * self.std_ + self.mean_

    def score_series(self, values):
        check_is_fitted(self, "net_")
        W = sliding(self._scale(values), self.length)
        err = np.abs(self.net_.predict(W) - W)[:, -int(self.window):].mean(axis=1)
        out = np.full(len(values), np.nan)
        out[self.length - 1:] = err
        out[:int(self.season) + self.length - 1] = np.nan  # stretches reaching before the first defined change
        return out


# ---- events and their evaluation --------------------------------------------------------------------

def events(flags: np.ndarray, merge: int) -> list[tuple[int, int]]:
    """Runs of flagged positions as (first, last), flags fewer than `merge` positions apart joined."""
    pos = np.flatnonzero(flags)
    if len(pos) == 0:
        return []
    breaks = np.flatnonzero(np.diff(pos) >= merge)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(pos) - 1]])
    return [(int(pos[a]), int(pos[b])) for a, b in zip(starts, ends)]


def evaluate(event_list: list[tuple[int, int]], times: pd.DatetimeIndex, windows: pd.DataFrame) -> dict:
    """{"windows_detected", "false_alarms", "alarm_events", "windows": [{start, end, label, name, detected,
    lead_hours}]} for events given as positions into `times`."""
    starts = [times[a] for a, _ in event_list]
    rows, inside_any = [], np.zeros(len(starts), dtype=bool)
    for w in windows.itertuples():
        inside = [i for i, t in enumerate(starts) if w.start <= t <= w.end]
        inside_any[inside] = True
        lead = (w.label - starts[inside[0]]) / pd.Timedelta(hours=1) if inside else None
        rows.append({"start": str(w.start), "end": str(w.end), "label": str(w.label), "name": w.name,
                     "detected": bool(inside), "lead_hours": None if lead is None else float(lead),
                     "events_inside": len(inside)})
    return {"windows_detected": int(sum(r["detected"] for r in rows)), "false_alarms": int((~inside_any).sum()),
            "alarm_events": len(event_list), "windows": rows}


class Detection:
    """The experiment core's task for detectors: fit on the training period; score a part by its alarm events."""

    kind = "detection"
    metrics = ("windows_detected", "false_alarms", "alarm_events", "flagged_points")
    headline = "windows_detected"
    higher_is_better = True

    def __init__(self, merge: int):
        self.merge = int(merge)

    def fit(self, model, part) -> None:
        model.fit(part.X, part.y)

    def _events(self, model, part: Period):
        flags = model.flags(part)
        return flags, [(a + part.start, b + part.start) for a, b in events(flags, self.merge)]

    def score(self, model, part) -> dict:
        flags, ev = self._events(model, part)
        out = evaluate(ev, part.times, part.windows)
        out["flagged_points"] = int(flags.sum())
        out["threshold"] = float(model.threshold_)
        return out

    def detail(self, model, part) -> dict:
        flags, ev = self._events(model, part)
        out = {"scores": model.score_series(part.values), "threshold": float(model.threshold_),
               "events": ev, "flags_start": part.start}
        if hasattr(model, "reconstruct"):
            out["reconstruction"] = model.reconstruct(part.values)
        return out
