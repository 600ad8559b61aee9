"""Lab 4's sequence models: shapes, parameter counts, centring and skip semantics, the masked loss and the skorch net."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import r2_score

from mlplab.models import ConvAutoencoder, MaskedMSELoss, RecurrentForecaster, SequenceRegressor
from mlplab.models.sequence import masked_r2, n_parameters


@pytest.mark.parametrize("window", [8, 48, 336])
def test_autoencoder_output_length_equals_input(window):
    net = ConvAutoencoder(window, window)
    x = torch.randn(5, window)
    assert net(x).shape == (5, window)


def test_autoencoder_parameters_and_bad_arguments():
    # Conv1d 1->16 (k7): 128; Conv1d 16->8: 904; ConvT 8->16: 912; ConvT 16->1: 113
    assert n_parameters(ConvAutoencoder(48, 48, hidden=(16, 8))) == 128 + 904 + 912 + 113
    with pytest.raises(ValueError, match="multiple of 4"):
        ConvAutoencoder(50, 50)
    with pytest.raises(ValueError, match="d_out"):
        ConvAutoencoder(48, 24)
    with pytest.raises(ValueError, match="two encoder channel counts"):
        ConvAutoencoder(48, 48, hidden=(16,))
    with pytest.raises(ValueError, match="batch_norm"):
        ConvAutoencoder(48, 48, batch_norm=True)


@pytest.mark.parametrize("window, code", [(48, 3), (336, 21), (16, 1)])
def test_a_stride_4_autoencoder_squeezes_its_code_below_its_input(window, code):
    net = ConvAutoencoder(window, window, hidden=(16, 8), stride=4)
    x = torch.randn(3, window)
    assert net.encoder(x.unsqueeze(1)).shape == (3, 8, code) and 8 * code < window
    assert net(x).shape == (3, window)
    with pytest.raises(ValueError, match="multiple of 16"):
        ConvAutoencoder(40, 40, stride=4)
    for bad in (0, 9, True, 2.0):
        with pytest.raises(ValueError, match="stride must be"):
            ConvAutoencoder(48, 48, stride=bad)
    with pytest.raises(ValueError, match="at least the stride"):
        ConvAutoencoder(64, 64, stride=8, kernel_size=7)


def _lstm_params(d_in, h):
    return 4 * (h * d_in + h * h + 2 * h)


def test_forecaster_shapes_and_parameter_counts():
    x = torch.randn(7, 24, 12)
    src = RecurrentForecaster(12, 36, hidden=(64,))
    assert src(x).shape == (7, 36)
    assert n_parameters(src) == _lstm_params(12, 64) + 64 * 36 + 36 == 22308
    bi = RecurrentForecaster(12, 36, hidden=(64,), bidirectional=True)
    assert n_parameters(bi) == 2 * _lstm_params(12, 64) + 128 * 36 + 36
    deep = RecurrentForecaster(12, 36, hidden=(64, 64))
    assert n_parameters(deep) == _lstm_params(12, 64) + _lstm_params(64, 64) + 64 * 36 + 36
    gru = RecurrentForecaster(12, 36, hidden=(64,), cell="gru")
    assert n_parameters(gru) == 3 * (64 * 12 + 64 * 64 + 2 * 64) + 64 * 36 + 36
    skip = RecurrentForecaster(12, 36, hidden=(64,), skip=True, steps=24)
    assert n_parameters(skip) == 22308 + 24 * 12 * 36 + 36
    assert bi(x).shape == deep(x).shape == gru(x).shape == skip(x).shape == (7, 36)


def test_centring_adds_the_reference_back():
    torch.manual_seed(0)
    x = torch.randn(4, 24, 3)
    for centring, ref in (("last", x[:, -1, :]), ("mean", x.mean(dim=1))):
        net = RecurrentForecaster(3, 6, hidden=(8,), centring=centring)
        torch.nn.init.zeros_(net.head.weight)
        torch.nn.init.zeros_(net.head.bias)
        net.eval()
        assert torch.allclose(net(x), ref.repeat(1, 2), atol=1e-6)
    with pytest.raises(ValueError, match="multiple of d_in"):
        RecurrentForecaster(3, 7, centring="last")
    with pytest.raises(ValueError, match="steps"):
        RecurrentForecaster(3, 6, skip=True)


def test_bidirectional_encoder_reads_the_first_hour_of_the_window():
    """Its final states join both directions: the backward one ends on the window's first hour."""
    torch.manual_seed(0)
    net = RecurrentForecaster(2, 2, hidden=(8,), bidirectional=True).eval()
    x = torch.randn(1, 10, 2)
    y = x.clone()
    y[0, 0] += 5.0
    assert not torch.allclose(net(x), net(y))


def test_masked_loss_and_r2_ignore_missing_targets():
    pred = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    target = torch.tensor([[1.0, float("nan")], [2.0, 4.0], [5.0, 8.0]])
    loss = MaskedMSELoss()(pred, target)
    assert loss.item() == pytest.approx((0 + 1 + 0 + 0 + 4) / 5)
    loss.backward()
    assert torch.isfinite(pred.grad).all() and pred.grad[0, 1] == 0
    y = np.array([[1.0, np.nan], [2.0, 4.0], [5.0, 8.0], [3.0, 1.0]])
    p = np.array([[1.5, 0.0], [2.0, 5.0], [4.0, 7.0], [3.0, 2.0]])
    expected = np.mean([r2_score(y[:, 0], p[:, 0]), r2_score(y[1:, 1], p[1:, 1])])
    assert masked_r2(torch.tensor(y), torch.tensor(p)) == pytest.approx(expected)


def _data(n=300, steps=12, f=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, steps, f)).astype(np.float32)
    y = np.concatenate([X[:, -1, :], X[:, -2, :]], axis=1) + 0.05 * rng.normal(size=(n, 2 * f))
    y[::5, 1] = np.nan
    return X, y


def test_sequence_regressor_fits_with_missing_targets_and_is_reproducible():
    X, y = _data()
    kw = dict(module__hidden=(16,), module__centring="last", max_epochs=3, batch_size=64, lr=3e-3, seed=1,
              train_metric_rows=0)
    a = SequenceRegressor(**kw).fit(X, y)
    b = SequenceRegressor(**kw).fit(X, y)
    assert a.predict(X[:10]).shape == (10, 6)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert np.isfinite(a.history[-1]["train_loss"])
    with pytest.raises(ValueError, match="windows of shape"):
        a.predict(X[:, :6, :])
    with pytest.raises(ValueError, match="NaN"):
        SequenceRegressor(**kw).fit(np.where(X > 2, np.nan, X), y)
    empty = y.copy()
    empty[:, 2] = np.nan
    with pytest.raises(ValueError, match="no observed value"):
        SequenceRegressor(**kw).fit(X, empty)


def test_sequence_regressor_trains_the_autoencoder_on_2d_windows():
    rng = np.random.default_rng(0)
    t = np.arange(400 + 16)
    series = np.sin(2 * np.pi * t / 16) + 0.05 * rng.normal(size=len(t))
    W = np.lib.stride_tricks.sliding_window_view(series, 16).astype(np.float32)
    net = SequenceRegressor(module=ConvAutoencoder, module__hidden=(8, 4), max_epochs=25, lr=5e-3, batch_size=64,
                            seed=0, train_metric_rows=0).fit(W, W)
    rec = net.predict(W)
    assert rec.shape == W.shape
    assert r2_score(W.ravel(), rec.ravel()) > 0.8
