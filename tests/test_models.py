"""MLP shapes, argument checks, and each option actually present in the module."""

import copy

import pytest
import torch
from torch import nn

from mlplab.models import MLP, PeriodicEmbedding


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny tensors gain nothing from threads, and on a shared machine idle threads spin-wait."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _x(n=8, d=5):
    return torch.randn(n, d, generator=torch.Generator().manual_seed(0))


def test_default_shapes_and_layers(seeded):
    m = MLP(5, 3)
    assert m(_x()).shape == (8, 3)
    linears = [layer for layer in m.modules() if isinstance(layer, nn.Linear)]
    assert [(l.in_features, l.out_features) for l in linears] == [(5, 64), (64, 32), (32, 3)]


def test_regression_head_has_one_output(seeded):
    assert MLP(5, 1, hidden=(16,))(_x()).shape == (8, 1)


@pytest.mark.parametrize("name,cls", [("relu", nn.ReLU), ("gelu", nn.GELU), ("tanh", nn.Tanh),
                                      ("leaky_relu", nn.LeakyReLU)])
def test_each_activation(seeded, name, cls):
    m = MLP(5, 2, hidden=(8, 4), activation=name)
    assert sum(isinstance(layer, cls) for layer in m.modules()) == 2
    assert torch.isfinite(m(_x())).all()


def test_batch_norm_and_dropout_layers(seeded):
    m = MLP(5, 2, hidden=(8, 4), batch_norm=True, dropout=(0.5, 0.0))
    assert sum(isinstance(layer, nn.BatchNorm1d) for layer in m.modules()) == 2
    drops = [layer.p for layer in m.modules() if isinstance(layer, nn.Dropout)]
    assert drops == [0.5]
    m.train()
    assert m(_x()).shape == (8, 2)


def test_dropout_is_random_in_train_and_off_in_eval(seeded):
    m = MLP(5, 1, hidden=(256,), dropout=0.5)
    x = _x()
    m.train()
    assert not torch.equal(m(x), m(x))
    m.eval()
    assert torch.equal(m(x), m(x))


def test_periodic_embedding(seeded):
    m = MLP(5, 2, hidden=(8,), embedding="periodic", n_frequencies=6, d_embedding=3)
    assert isinstance(m.embedding, PeriodicEmbedding)
    assert m.embedding.frequencies.shape == (5, 6)
    assert m.blocks[0].in_features == 5 * 3
    out = m(_x())
    assert out.shape == (8, 2)
    out.sum().backward()
    assert m.embedding.frequencies.grad is not None and m.embedding.frequencies.grad.abs().sum() > 0


@pytest.mark.parametrize("kwargs,message", [
    ({"d_in": 0}, "d_in must be a positive integer"),
    ({"d_out": -1}, "d_out must be a positive integer"),
    ({"hidden": ()}, "hidden must be a non-empty sequence"),
    ({"hidden": (8, -2)}, "positive integer widths"),
    ({"hidden": (8, 0)}, "positive integer widths"),
    ({"activation": "swish"}, "activation must be one of relu, gelu, tanh, leaky_relu"),
    ({"dropout": 1.0}, r"dropout rates must be floats in \[0, 1\)"),
    ({"dropout": (0.1,)}, "dropout has 1 rates but hidden has 2 layers"),
    ({"batch_norm": "yes"}, "batch_norm must be True or False"),
    ({"embedding": "linear"}, "embedding must be None or 'periodic'"),
])
def test_bad_arguments_raise_clear_value_errors(kwargs, message):
    args = {"d_in": 5, "d_out": 2, "hidden": (8, 4), **kwargs}
    with pytest.raises(ValueError, match=message):
        MLP(**args)


@pytest.mark.parametrize("batch_norm,dropout,activation", [(False, 0.0, "relu"), (True, 0.3, "relu"), (True, 0.0, "leaky_relu")])
def test_inplace_activations_give_the_same_gradients(batch_norm, dropout, activation):
    torch.manual_seed(0)
    m = MLP(5, 2, hidden=(8, 4), activation=activation, batch_norm=batch_norm, dropout=dropout)
    assert all(getattr(a, "inplace", False) for a in m.modules() if isinstance(a, (nn.ReLU, nn.LeakyReLU)))
    ref = copy.deepcopy(m)
    for a in ref.modules():
        if hasattr(a, "inplace"):
            a.inplace = False
    x = torch.randn(16, 5)
    grads = []
    for net in (m, ref):
        torch.manual_seed(1)  # same dropout masks
        net(x).pow(2).sum().backward()
        grads.append([p.grad.clone() for p in net.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*grads))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_requires_grad", [False, True])
def test_input_linear_matches_nn_linear(bias, x_requires_grad):
    from mlplab.models import InputLinear

    torch.manual_seed(0)
    fast = InputLinear(4, 6, bias=bias)
    ref = nn.Linear(4, 6, bias=bias)
    ref.load_state_dict(fast.state_dict())
    x = torch.randn(InputLinear.MIN_ROWS + 3, 4)  # large enough for the custom backward
    grads = []
    for layer in (fast, ref):
        xi = x.clone().requires_grad_(x_requires_grad)
        out = layer(xi)
        out.pow(2).sum().backward()
        grads.append((out.detach(), [p.grad for p in layer.parameters()], xi.grad))
    (o1, g1, x1), (o2, g2, x2) = grads
    # the custom layer and nn.Linear may call different BLAS kernels: equal up to float32 rounding
    assert torch.allclose(o1, o2, rtol=1e-6, atol=1e-6)
    assert len(g1) == (2 if bias else 1) and all(torch.allclose(a, b, rtol=1e-5, atol=1e-5) for a, b in zip(g1, g2))
    assert (x1 is None) == (not x_requires_grad) and (x1 is None or torch.allclose(x1, x2))
    xd = torch.randn(InputLinear.MIN_ROWS, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(InputLinear(4, 3, bias=bias).double(), (xd,))
    assert type(fast(x).grad_fn).__name__ == "_InputLinearFunctionBackward"  # the custom backward above
    assert type(fast(x[:10]).grad_fn).__name__ in ("AddmmBackward0", "MmBackward0")  # small batches: F.linear
    with torch.no_grad():
        assert torch.allclose(fast(x), ref(x), rtol=1e-6, atol=1e-6)


def test_first_layer_is_the_input_linear_only(seeded):
    from mlplab.models import InputLinear

    m = MLP(4, 1, hidden=(64, 32))
    assert [type(layer) for layer in m.modules() if isinstance(layer, nn.Linear)] == [InputLinear, nn.Linear, nn.Linear]
