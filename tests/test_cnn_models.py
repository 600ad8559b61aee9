"""Lab 3's networks and the image classifier: shapes, parameter counts, batch augmentation, memory layout,
a residual block's identity at zero weights, the gradient-norm probe, the skorch net on the fast loop,
and the CNN rows of `mlplab bench`."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from mlplab import bench
from mlplab.fashion.net import CNNClassifier, OneCycle, cnn_kwargs, make_cnn
from mlplab.models.cnn import CNN, BatchAugment, ImageInput, count_parameters, multiply_adds, random_erase, random_shift
from mlplab.models.residual import (DeepStack, GroupedBottleneck, PairBlock, ResNet18, ResNeXt, VGG16C, gradient_norms,
                                    weight_layers)


def images(n=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 1, 28, 28), generator=g, dtype=torch.uint8)


# ---- shapes and parameter counts ------------------------------------------------------------------------

def test_source_cnn_layers_and_parameter_count():
    m = CNN(1, 10, blocks=((32,), (64,)), hidden=(128,))
    assert m(images()).shape == (8, 10)
    # conv 1→32 (3×3 + bias), conv 32→64, dense 64·7·7→128, dense 128→10
    expected = (9 * 32 + 32) + (9 * 32 * 64 + 64) + (64 * 49 * 128 + 128) + (128 * 10 + 10)
    assert count_parameters(m) == expected == 421_642
    assert multiply_adds(m) == 28 * 28 * 32 * 9 + 14 * 14 * 64 * 32 * 9 + 3136 * 128 + 128 * 10


def test_pooling_stops_at_pool_until():
    deep = CNN(1, 10, blocks=((8,),) * 6, hidden=())
    assert sum(isinstance(m, nn.MaxPool2d) for m in deep.modules()) == 4  # 28 → 14 → 7 → 3 → 1, then no more
    tuned = CNN(1, 10, blocks=((24,), (48, 48), (96, 96)), pool_until=7)
    assert sum(isinstance(m, nn.MaxPool2d) for m in tuned.modules()) == 2 and multiply_adds(tuned) == 12_965_504


def test_cnn_options_change_the_layers_they_should():
    m = CNN(1, 10, blocks=((24,), (48, 48), (96,)), hidden=(), batch_norm=True, head="gap", pool_until=7,
            dropout=0.2, conv_dropout=0.1)
    kinds = [type(x).__name__ for x in m.modules()]
    assert kinds.count("Conv2d") == 4 and kinds.count("BatchNorm2d") == 4 and kinds.count("MaxPool2d") == 2
    assert kinds.count("Dropout") == 3  # after each of the two poolings, and before the output layer
    assert all(c.bias is None for c in m.modules() if isinstance(c, nn.Conv2d))  # batch norm supplies the shift
    assert m(images()).shape == (8, 10)


@pytest.mark.parametrize("kwargs, match", [
    ({"blocks": ()}, "blocks"), ({"blocks": ((32,), (0,))}, "positive conv widths"), ({"dropout": 1.0}, "dropout"),
    ({"head": "attention"}, "head"), ({"augment": "rotate"}, "augment"),
    ({"pool_until": 0}, "pool_until"),
])
def test_cnn_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CNN(1, 10, **kwargs)


def test_deep_stacks_have_equal_depth_and_weights_plain_or_residual():
    plain, res = DeepStack(blocks=4, width=8), DeepStack(blocks=4, width=8, residual=True)
    convs = [n for n, _ in weight_layers(plain) if n.startswith("conv")]
    assert len(convs) == 6 * 4 + 1 == 25
    assert count_parameters(plain) == count_parameters(res)  # the zero-padding shortcuts have no weights
    x = images()
    assert plain(x).shape == res(x).shape == (8, 10)


def test_architectures_adapted_to_28x28():
    vgg, r18, rx = VGG16C(width=16), ResNet18(width=16), ResNeXt(width=48, cardinality=8, group_width=3)
    x = images(4)
    for m in (vgg, r18, rx):
        assert m(x).shape == (4, 10)
    convs = lambda m: [c for c in m.modules() if isinstance(c, nn.Conv2d)]  # noqa: E731
    assert len(convs(vgg)) == 13 and sum(c.kernel_size == (1, 1) for c in convs(vgg)) == 3  # configuration C
    assert sum(isinstance(c, nn.Linear) for c in vgg.modules()) == 3
    body = [n for n, _ in weight_layers(r18) if n.startswith("conv")]
    assert len(body) == 17  # stem + 4 stages × 2 blocks × 2 convs (projections counted apart)
    grouped = [c for c in convs(rx) if c.groups > 1]
    assert grouped and {c.groups for c in grouped} == {8}
    assert count_parameters(vgg) == 1_818_586 and count_parameters(r18) == 701_178 and count_parameters(rx) == 562_114


def test_strided_1x1_convolutions_subsample_first_and_train_in_channels_last():
    """torch 2.13's CPU backward of a strided 1 × 1 convolution in channels_last corrupts the heap for small
    channel counts (it killed the process at width 4 and 6): the networks subsample, then convolve 1 × 1."""
    from mlplab.models.cnn import Subsample

    m = ResNet18(width=4)
    strided = [c for c in m.modules() if isinstance(c, nn.Conv2d) and c.kernel_size == (1, 1) and c.stride != (1, 1)]
    assert strided == [] and sum(isinstance(c, Subsample) for c in m.modules()) == 3
    x, y = images(8), torch.randint(0, 10, (8,))
    torch.nn.functional.cross_entropy(m(x), y).backward()
    ref = nn.Conv2d(4, 8, 1, stride=2, bias=False)
    sub = nn.Sequential(Subsample(2), nn.Conv2d(4, 8, 1, bias=False))
    sub[1].weight.data.copy_(ref.weight.data)
    z = torch.randn(2, 4, 14, 14)
    assert torch.allclose(ref(z), sub(z), atol=1e-6)


def test_resnext_cardinality_keeps_the_total_width():
    a = ResNeXt(width=48, cardinality=2, group_width=12)
    b = ResNeXt(width=48, cardinality=8, group_width=3)
    widths = lambda m: [c.out_channels for c in m.modules() if isinstance(c, nn.Conv2d) and c.groups > 1]  # noqa: E731
    assert widths(a) == widths(b)
    assert count_parameters(a) > count_parameters(b)  # fewer, wider groups: more weights per grouped convolution


# ---- residual block at zero weights, gradient probe -----------------------------------------------------

def test_residual_block_is_the_identity_when_its_weights_are_zero():
    block = PairBlock(8, 8, batch_norm=False, residual=True)
    for p in block.parameters():
        nn.init.zeros_(p)
    x = torch.rand(2, 8, 7, 7)  # non-negative, as after a ReLU
    assert torch.equal(block(x), x)
    plain = PairBlock(8, 8, batch_norm=False, residual=False)
    for p in plain.parameters():
        nn.init.zeros_(p)
    assert torch.count_nonzero(plain(x)) == 0  # without the shortcut nothing gets through


def test_grouped_bottleneck_identity_at_zero_weights():
    block = GroupedBottleneck(16, 16, cardinality=4, group_width=2, batch_norm=False)
    for p in block.parameters():
        nn.init.zeros_(p)
    x = torch.rand(2, 16, 5, 5)
    assert torch.equal(block(x), x)


def test_gradient_probe_on_a_tiny_net_matches_autograd_and_changes_nothing():
    torch.manual_seed(0)
    net = DeepStack(blocks=1, width=4, batch_norm=True)
    x, y = images(16), torch.randint(0, 10, (16,))
    state = {k: v.clone() for k, v in net.state_dict().items()}
    names, norms = gradient_norms(net, x, y)
    assert names == ["conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "conv7", "fc1"]
    net.zero_grad()
    torch.nn.functional.cross_entropy(net.train()(x), y).backward()
    ref = [m.weight.grad.norm().item() for _, m in weight_layers(net)]
    assert np.allclose(norms, ref, rtol=1e-5)
    net.load_state_dict(state)
    names2, norms2 = gradient_norms(net, x, y)
    assert np.allclose(norms, norms2)  # running statistics restored: the probe does not change the net
    for k, v in net.state_dict().items():
        assert torch.equal(v, state[k]), k


def test_plain_deep_stack_gradient_vanishes_at_init_and_residual_does_not():
    torch.manual_seed(0)
    x, y = images(64), torch.randint(0, 10, (64,))
    _, plain = gradient_norms(DeepStack(blocks=4, width=8), x, y)
    torch.manual_seed(0)
    _, res = gradient_norms(DeepStack(blocks=4, width=8, residual=True), x, y)
    assert plain[0] / plain[-2] < 1e-4  # first conv against the last conv: orders of magnitude apart
    assert 1e-2 < res[0] / res[-2] < 1e2


# ---- augmentation and memory layout ------------------------------------------------------------------

def test_random_shift_moves_each_image_by_a_whole_offset_within_the_bound():
    torch.manual_seed(1)
    x = torch.zeros(32, 1, 28, 28, dtype=torch.uint8)
    x[:, 0, 14, 14] = 255
    out = random_shift(x, 2)
    pos = [tuple(torch.nonzero(o[0])[0].tolist()) for o in out]
    assert all(12 <= r <= 16 and 12 <= c <= 16 for r, c in pos)
    assert len(set(pos)) > 5 and out.dtype == torch.uint8


def test_erase_and_flip_are_batch_operations_and_training_only():
    torch.manual_seed(2)
    x = torch.full((64, 1, 28, 28), 200, dtype=torch.uint8)
    erased = random_erase(x, 1.0, 8)
    zeros = (erased == 0).sum(dim=(1, 2, 3))
    assert (zeros > 0).all() and (zeros <= 64).all()
    aug = BatchAugment(shift=0, flip=1.0)
    img = images(4)
    assert torch.equal(aug.train()(img), img.flip(-1))
    assert torch.equal(aug.eval()(img), img)


def test_channels_last_gives_the_same_numbers():
    torch.manual_seed(0)
    a = CNN(1, 10, blocks=((8,), (16,)), hidden=(32,), channels_last=True)
    b = CNN(1, 10, blocks=((8,), (16,)), hidden=(32,), channels_last=False)
    b.load_state_dict(a.state_dict())
    x = images(16)
    assert torch.allclose(a(x), b(x), atol=1e-5)
    assert ImageInput(True)(x).is_contiguous(memory_format=torch.channels_last)


def test_flip_averaging_at_prediction_only():
    torch.manual_seed(0)
    m = CNN(1, 10, blocks=((8,),), hidden=(), tta_flip=True).eval()
    x = images(4)
    with torch.no_grad():
        m.tta_flip = False
        plain, mirrored = m(x), m(x.flip(-1))
        m.tta_flip = True
        assert torch.allclose(m(x), 0.5 * (plain + mirrored), atol=1e-6)


# ---- the skorch net ------------------------------------------------------------------------------------

def tiny_data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), n // 3)
    X = rng.integers(0, 40, size=(n, 28, 28)).astype(np.uint8)
    for k in range(3):  # a bright bar whose position says the class
        X[y == k, 4 + 8 * k: 8 + 8 * k, :] = 250
    return X, np.array(["a", "b", "c"])[y]


def test_cnn_classifier_learns_keeps_uint8_and_is_reproducible():
    X, y = tiny_data()
    s = dict(blocks=[[4], [8]], hidden=[16], batch_norm=True, optimizer="adam", lr=0.01, epochs=4, batch_size=40,
             augment="shift_flip", lr_schedule="onecycle", label_smoothing=0.1)
    a = make_cnn(s, seed=3).fit(X, y)
    b = make_cnn(s, seed=3).fit(X, y)
    assert (a.predict(X) == y).mean() > 0.9
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.predict_proba(X).shape == (120, 3) and np.allclose(a.predict_proba(X).sum(1), 1, atol=1e-5)
    assert isinstance(a.module_, CNN) and a.n_features_in_ == 1
    assert a.criterion_.label_smoothing == 0.1 and any(isinstance(cb, OneCycle) for _, cb in a.callbacks_)
    assert "nesterov" not in a.optimizer_.defaults  # Adam has no Nesterov flag; SGD (below) gets it


def test_onecycle_ends_near_zero_and_sgd_uses_nesterov():
    X, y = tiny_data()
    net = make_cnn(dict(blocks=[[4]], hidden=[], optimizer="sgd", lr=0.1, epochs=3, batch_size=40,
                        lr_schedule="onecycle"), seed=0).fit(X, y)
    lr = net.optimizer_.param_groups[0]["lr"]
    assert lr < 0.1 / 1000 and net.optimizer_.defaults["nesterov"] is True


def test_cnn_classifier_accepts_n_c_h_w_and_float_and_rejects_flat_rows():
    X, y = tiny_data(60)
    net = CNNClassifier(module__blocks=((4,),), module__hidden=(), max_epochs=1, batch_size=30)
    net.fit(X[:, None].astype(np.float32) / 255.0, y)
    assert net.predict(X[:5, None].astype(np.float32) / 255.0).shape == (5,)
    with pytest.raises(ValueError, match="images"):
        net.fit(X.reshape(60, -1), y)


def test_cnn_kwargs_rejects_unknown_settings():
    with pytest.raises(ValueError, match="unknown CNN setting"):
        cnn_kwargs({"widths": [32]})
    kw = cnn_kwargs({"blocks": [[32], [64, 64]], "epochs": 3, "weight_decay": 1e-4, "augment": "shift_flip"})
    assert kw["module__blocks"] == ((32,), (64, 64)) and kw["max_epochs"] == 3 and kw["module__augment"] == "shift_flip"


# ---- bench -------------------------------------------------------------------------------------------

def test_bench_cnn_rows_measure_the_same_network_in_each_path(monkeypatch):
    out = bench.cnn_rows(64, gflops=100.0)
    for key in ("cnn_skorch_default_ips", "cnn_torch_loop_ips", "cnn_torch_loop_channels_last_ips", "cnn_lab_ips",
                "cnn_torch_loop_channels_last_kept_ips"):
        assert out[key] > 0
    assert out["cnn_allocator_gain"] == out["cnn_torch_loop_channels_last_kept_ips"] / out["cnn_torch_loop_channels_last_ips"]
    assert out["cnn_ratio"] == out["cnn_lab_ips"] / out["cnn_skorch_default_ips"]
    assert out["cnn_layout_gain"] == out["cnn_torch_loop_channels_last_ips"] / out["cnn_torch_loop_ips"]
    lab = CNN(1, 10, blocks=bench.CNN_BLOCKS, hidden=bench.CNN_HIDDEN)
    assert out["cnn_flops_per_image"] == 6 * multiply_adds(lab) == 6 * 4_241_152
    textbook = bench.cnn_module(False)  # torch.nn layers only: the same weight shapes as the lab's network
    assert [p.shape for p in textbook.parameters()] == [p.shape for p in lab.parameters()]
    assert not any(m.__module__.startswith("mlplab") for m in textbook.modules())
    table = bench.format_table({"rows": 1, "threads": 1, "torch": "x", "skorch_default_sps": 1.0, "fast_sps_b128": 1.0,
                                "fast_sps_large": 1.0, "torch_loop_sps_large": 1.0, "plain_loop_sps_large": 1.0,
                                "large_batch": 8, "ceiling_sps": 1.0, "matmul_gflops": 1.0, "flops_per_sample": 1,
                                "fast_sps_by_batch": {}, "epoch_seconds": {}, "fast_sps_large_by_threads": {},
                                **out})
    assert "lab's path (CNNClassifier)" in table and "cnn_ratio" in table and "channels_last alone" in table
    assert "kept memory" in table and "allocator thresholds alone" in table
    with pytest.raises(ValueError, match="unknown CNN row 'cnn_typo_ips'"):
        bench.cnn_row("cnn_typo_ips", 8)


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("channels_last", [False, True])
def test_relu_after_pooling_computes_the_textbook_function(batch_norm, channels_last):
    """The lab's CNN applies a pooled block's ReLU after its max pooling (a quarter of the work); the
    outputs and every gradient must equal those of the textbook order Conv → [BN] → ReLU → MaxPool."""
    torch.manual_seed(0)
    lab = CNN(1, 10, blocks=((8,), (8, 16)), hidden=(32,), batch_norm=batch_norm, channels_last=channels_last)
    order = [type(m).__name__ for m in lab.features]
    assert order[order.index("MaxPool2d") + 1] == "ReLU"  # the reordering this test is about
    textbook = []
    for m in lab.features:  # the same layer objects (shared weights), ReLU moved back before each pool
        if isinstance(m, nn.MaxPool2d):
            textbook += [nn.ReLU(), m]
        elif isinstance(m, nn.ReLU) and textbook and isinstance(textbook[-1], nn.MaxPool2d):
            continue
        else:
            textbook.append(m)
    reference = nn.Sequential(lab.input, *textbook, *lab.head)
    x = images(16)
    lab.train(), reference.train()
    out_lab = lab(x)
    grads_lab = torch.autograd.grad(out_lab.square().sum(), list(lab.parameters()))
    out_ref = reference(x)
    grads_ref = torch.autograd.grad(out_ref.square().sum(), list(lab.parameters()))
    torch.testing.assert_close(out_lab, out_ref, rtol=1e-5, atol=1e-6)
    for a, b in zip(grads_lab, grads_ref):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_keep_freed_memory_raises_glibcs_thresholds_once(monkeypatch):
    """The lab's CNN fit keeps freed blocks in the process (mlplab.allocator): on Linux/glibc the call
    reaches mallopt with both thresholds, once per process, and reports whether it applied."""
    import ctypes

    from mlplab import allocator

    calls = []

    class FakeLibc:
        def mallopt(self, param, value):
            calls.append((param, value))
            return 1

    monkeypatch.setattr(allocator, "_STATE", [])
    monkeypatch.setattr(allocator.sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: FakeLibc())
    assert allocator.keep_freed_memory() is True and allocator.keep_freed_memory() is True
    assert calls == [(allocator.M_MMAP_THRESHOLD, 1 << 30), (allocator.M_TRIM_THRESHOLD, 1 << 30)]
    monkeypatch.setattr(allocator, "_STATE", [])
    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    assert allocator.keep_freed_memory() is False and len(calls) == 2
    monkeypatch.setattr(allocator, "_STATE", [])
    net = CNNClassifier(module__blocks=((4,),), module__hidden=(8,), max_epochs=1, batch_size=8, train_metric_rows=0)
    net.fit(images(16).numpy(), np.arange(16) % 10)
    assert allocator._STATE == [False]  # the fit made the call (not Linux here, so it did not apply)
