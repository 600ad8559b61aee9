"""Model builders for the regression part. Every builder returns an unfitted sklearn-compatible
estimator that predicts in its formulation's units; scoring in dollars happens in experiment.py.

- naive: close = open (a constant 0 return), the bar any model must clear;
- ols: least squares; on price inputs it reproduces the near-identity close ~ open/high/low;
- lab_protocol: the lab's network as it was: raw prices in, raw price out, no scaling;
- mlp: standardized inputs (StandardScaler) and target (scale_target) in one Pipeline whose last
  step is "net", so searches route parameters with `net__` and scaling is refitted per CV fold.
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

LAB_HIDDEN = (64, 32)
LAB_LR = 1e-3
LAB_EPOCHS = 50


def naive_model() -> DummyRegressor:
    """Predicts a zero intraday return, i.e. close = open (use with the intraday_return design)."""
    return DummyRegressor(strategy="constant", constant=0.0)


def ols_model() -> LinearRegression:
    return LinearRegression()


def net(*, hidden: Sequence[int] = LAB_HIDDEN, activation: str = "relu", optimizer: str = "adam", lr: float = LAB_LR,
        batch_size: int = 1024, epochs: int = 20, dropout: float = 0.0, weight_decay: float = 0.0,
        batch_norm: bool = False, early_stopping: int = 0, valid_fraction: float = 0.0, lr_schedule: str = "",
        scale_target: bool = True, seed: int = 0):
    """The skorch regressor of mlplab.training with this part's settings (early_stopping=0: off)."""
    from mlplab.training import MLPRegressor

    kwargs = dict(module__hidden=tuple(int(h) for h in hidden), module__activation=activation,
                  module__dropout=float(dropout), module__batch_norm=bool(batch_norm), optimizer=optimizer,
                  lr=float(lr), optimizer__weight_decay=float(weight_decay), batch_size=int(batch_size),
                  max_epochs=int(epochs), lr_schedule=lr_schedule or None, scale_target=scale_target,
                  seed=int(seed), verbose=0)
    if early_stopping:
        kwargs.update(early_stopping=int(early_stopping), valid_fraction=float(valid_fraction or 0.1))
    return MLPRegressor(**kwargs)


def lab_protocol_model(*, batch_size: int = 1024, epochs: int = LAB_EPOCHS, seed: int = 0):
    """Unscaled inputs, unscaled target, 64-32 ReLU, Adam 1e-3: the lab's model as it was."""
    return net(hidden=LAB_HIDDEN, activation="relu", optimizer="adam", lr=LAB_LR, batch_size=batch_size,
               epochs=epochs, scale_target=False, seed=seed)


def mlp_model(**settings) -> Pipeline:
    """Standardized inputs and target around `net(**settings)`."""
    return Pipeline([("scale", StandardScaler()), ("net", net(**settings))])
