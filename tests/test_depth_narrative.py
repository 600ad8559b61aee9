"""Every qualitative branch of the depth chapter (mlplab.depth.narrative) and the measurements it reads
(gradient ratios, the source's claims by the noise rule, stability)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlplab.conclusions import lab3 as C
from mlplab.depth import narrative as nv
from mlplab.depth import steps
from mlplab.experiment.record import Run, SplitResult

LAYERS = [f"conv{i}" for i in range(1, 6)] + ["fc1"]


def deep_run(name, first_over_last_orders, *, acc=(0.8, 0.81, 0.82), losses=(2.3, 1.0), layers=LAYERS):
    """A run whose conv1 gradient is 10**orders times its last conv layer's, on every seed (tiny jitter)."""
    r = Run(name, "variant", steps.DEEP_LABELS.get(name, name), settings={"cardinality": 8, "group_width": 3})
    per = []
    for i, a in enumerate(acc):
        norms = [1e-2] * len(layers)
        convs = [j for j, n in enumerate(layers) if n.startswith("conv")]
        norms[convs[0]] = 1e-2 * 10 ** (first_over_last_orders + 0.01 * i)
        per.append(norms)
        hist = pd.DataFrame({"epoch": [1, 2], "train_loss": list(losses)})
        r.splits.append(SplitResult(i, i, {"accuracy": a + 0.05}, {"accuracy": a}, {"accuracy": a}, 10.0, {},
                                    {"history": hist} if i == 0 else {}))
    r.info.update({"layers": layers, "grad_norms_per_seed": {"init": per, "trained": per},
                   "grad_norms": {"init": steps.geometric_mean(per), "trained": steps.geometric_mean(per)},
                   "conv_layers": sum(n.startswith("conv") for n in layers), "parameters": 1000,
                   "seconds_per_epoch": 1.0})
    return r


def deep_runs(plain=-9.0, res=-0.2, plain_bn=0.5, res_bn=0.4):
    return {"plain_deep": deep_run("plain_deep", plain, losses=(2.3, 2.29)),
            "residual_deep": deep_run("residual_deep", res, acc=(0.85, 0.86, 0.87)),
            "plain_deep_bn": deep_run("plain_deep_bn", plain_bn), "residual_deep_bn": deep_run("residual_deep_bn", res_bn)}


def test_gradient_ratio_and_geometric_mean():
    r = deep_run("plain_deep", -3.0)
    assert [round(x, 2) for x in steps.gradient_ratio(r)] == [-3.0, -2.99, -2.98]
    assert np.allclose(steps.geometric_mean([[1e-4, 1.0], [1e-2, 1.0]]), [1e-3, 1.0])


@pytest.mark.parametrize("orders, words", [(-5.0, "vanishes towards the input"), (3.0, "grows towards the input"),
                                           (-1.0, "stays within 2 orders")])
def test_vanishing_word(orders, words):
    assert nv.vanishing_word(orders) == words or words in nv.vanishing_word(orders)


def test_gradient_sentence_uses_the_noise_rule_each_way():
    runs = deep_runs()
    v = steps.deep_verdicts(runs)
    text = nv.gradient_sentence(runs, v, steps.gradient_ratio)
    assert "plain stack vanishes towards the input (first conv layer 9.0 orders of magnitude below the last's" in text
    assert "residual connections keep it stronger at the input by the noise rule" in text
    worse = deep_runs(plain=-0.1, res=-4.0)
    assert "the plain stack keeps it stronger" in nv.gradient_sentence(worse, steps.deep_verdicts(worse),
                                                                     steps.gradient_ratio)
    par = deep_runs()
    par["residual_deep_bn"] = deep_run("residual_deep_bn", 0.5)
    assert "cannot tell them apart" in nv.gradient_sentence(par, steps.deep_verdicts(par), steps.gradient_ratio)
    two = {k: Run(r.name, r.role, r.label, splits=r.splits[:2], info=r.info) for k, r in deep_runs().items()}
    for r in two.values():
        r.info = {**r.info, "grad_norms_per_seed": {k: v[:2] for k, v in r.info["grad_norms_per_seed"].items()}}
    assert "2 seeds are too few" in nv.gradient_sentence(two, steps.deep_verdicts(two), steps.gradient_ratio)


def test_source_gradient_sentence_names_missing_layers_only_when_missing():
    runs = deep_runs()
    text = nv.source_gradient_sentence(runs, steps.layer_norm)
    assert "at conv layer 3" in text and "layers 15, 27 and 38 do not exist here" in text
    deep = [f"conv{i}" for i in range(1, 41)] + ["fc1"]
    runs["plain_deep"] = deep_run("plain_deep", -9.0, layers=deep)
    text2 = nv.source_gradient_sentence(runs, steps.layer_norm)
    assert "at conv layer 38" in text2 and "do not exist" not in text2
    assert steps.layer_norm(deep_run("x", 0.0), 38) is None


def test_training_sentence_says_when_a_loss_barely_moved():
    runs = deep_runs()
    text = nv.training_sentence(runs, steps.deep_verdicts(runs))
    assert "the plain stack ends training at a loss of 2.290 and the residual one at" in text
    assert "(the plain one barely moved from its first epoch's)" in text
    assert "With batch norm, the plain stack ends training at a loss of 1.000 and" in text
    assert "the residual stack is better than the plain one: +" in text and "((" not in text


def test_orders_text_says_below_or_above():
    assert nv.orders_text(-11.84) == "11.8 orders of magnitude below the last's"
    assert nv.orders_text(1.2, "the last layer") == "1.2 orders of magnitude above the last layer"
    caption = nv.grad_caption(deep_runs(), steps.gradient_ratio)
    assert "gradient is 9.0 orders of magnitude below the last layer's in the plain stack" in caption


def arch_runs(vgg_gap=0.10, res_gap=0.01, vgg_loss=1.2, res_loss=0.5, x_loss=0.45, x_acc=0.91, r_acc=0.90, v_acc=0.89):
    def make(name, label, gap, loss, acc):
        r = Run(name, "variant", label)
        for i in range(3):
            a = acc + 0.001 * i
            r.splits.append(SplitResult(i, i, {"accuracy": a + gap + 0.002 * i}, {"accuracy": a, "log_loss": loss + 0.01 * i},
                                        {"accuracy": a}, 1.0, {}, {"history": pd.DataFrame(
                                            {"epoch": [1, 2, 3, 4], "validation_loss": [1.0, loss, loss + 0.1 * (1 + i), loss]})}))
        return r
    return {"vgg16c": make("vgg16c", "VGG-16-C", vgg_gap, vgg_loss, v_acc),
            "resnet18": make("resnet18", "ResNet-18", res_gap, res_loss, r_acc),
            "resnext": make("resnext", "ResNeXt", 0.02, x_loss, x_acc)}


def test_claims_confirmed_contradicted_or_not_decided():
    claims = steps.claims(arch_runs())
    status = {c["claim"].split(" (")[0]: c["status"] for c in claims}
    assert status["VGG-16 overfits more than ResNet-18"] == "confirmed"
    assert status["VGG-16's validation loss is higher than ResNet-18's"] == "confirmed"
    assert status["ResNeXt's validation accuracy is higher than ResNet-18's"] == "confirmed"
    assert status["ResNeXt's validation loss is lower than ResNet-18's"] == "confirmed"
    flipped = steps.claims(arch_runs(vgg_gap=0.0, res_gap=0.1, x_loss=0.6))
    st2 = {c["claim"].split(" (")[0]: c["status"] for c in flipped}
    assert st2["VGG-16 overfits more than ResNet-18"] == "contradicted"
    assert st2["ResNeXt's validation loss is lower than ResNet-18's"] == "contradicted"
    text = nv.claims_sentence(flipped)
    assert "contradicted" in text and "Contradicted: VGG-16 overfits more than ResNet-18" in text


def test_claims_sentence_counts_not_decided():
    claims = [{"claim": "A (1)", "status": "not decided"}, {"claim": "B (2)", "status": "not decided"}]
    text = nv.claims_sentence(claims)
    assert text == "Of the source's 2 claims, 2 not decided by the noise rule on our seeds."


def test_stability_is_the_late_spread_of_each_seeds_validation_loss():
    r = arch_runs()["resnet18"]
    vals = steps.stability(r)
    assert len(vals) == 3 and math.isclose(vals[0], float(np.std([0.6, 0.5], ddof=1)))


def test_cardinality_sentence_and_caption_branches():
    runs = {"resnext": deep_run("resnext", 0.0), "resnext_c2": deep_run("resnext_c2", 0.0, acc=(0.5, 0.51, 0.52))}
    runs["resnext_c2"].settings = {"cardinality": 2, "group_width": 12}
    assert "Only the default cardinality ran" in nv.cardinality_sentence(runs, ["resnext"])
    table, records = steps.cardinality_table(runs, ["resnext", "resnext_c2"])
    assert table["verdict"].tolist() == ["reference", "worse"] and len(records) == 1
    assert "Beyond the noise" in nv.cardinality_caption(table)
    assert "highest mean test accuracy is at 8 groups" in nv.cardinality_sentence(runs, ["resnext", "resnext_c2"])
    single, _ = steps.cardinality_table(runs, ["resnext"])
    assert "Only the default cardinality ran." in nv.cardinality_caption(single)


def test_conclusions_fashion_sentence_branches():
    doc = {"models": {"cnn_tuned": {"label": "the tuned CNN"}, "cnn_source": {"label": "the source's CNN"},
                      "mlp": {"label": "the MLP"}, "logreg": {"label": "logistic regression"}},
           "verdicts": [{"a": "cnn_tuned", "b": "cnn_source", "word": "better", "mean_diff": 0.02, "n": 3, "topic": "headline"}],
           "extra": {"goal": {"met_accuracy": False, "goal_accuracy": 0.925, "n_seeds": 3, "mean": 0.92, "sd": 0.001,
                              "fit_seconds": [300.0, 420.0], "threads": 2, "within_time": False, "goal_seconds": 360.0}}}
    text = C.fashion_sentences(doc)
    assert text.startswith("The tuned CNN is better than the source's CNN") and "does not meet the goal" in text
    assert "beyond the 6-minute budget" in text
    doc["extra"]["goal"].update(met_accuracy=True, within_time=True)
    assert "meets the goal" in C.fashion_sentences(doc) and "within" in C.fashion_sentences(doc)
    assert "ran no regularization study" in C.regularization_sentence(doc)
    doc["verdicts"].append({"a": "cnn_tuned_augment", "b": "cnn_tuned_plain", "word": "on a par", "mean_diff": 0.0,
                            "n": 3, "topic": "regularization"})
    assert "None of the 1 regularizers" in C.regularization_sentence(doc)
    doc["models"]["cnn_tuned_augment"] = {"label": "augmentation"}
    doc["verdicts"][-1]["word"] = "better"
    assert "augmentation is better than it" in C.regularization_sentence(doc)



def test_setting_sentence_states_the_reductions_and_the_device():
    params = {"deep_epochs": 6, "arch_epochs": 8, "optimizer": "sgd", "deep_lr": 0.05, "arch_lr": 0.05, "batch_size": 128,
              "deep_width": 8, "vgg_width": 16, "resnet_width": 16, "init": "default"}
    text = nv.setting_sentence(params, 8000, 25)
    assert "8,000 of the fit images" in text and "25 convolution layers of widths 8, 16 and 32" in text
    assert "on the CPU" in text and "16 filters instead of 64" in text and "He-normal" not in text
    gpu = nv.setting_sentence({**params, "init": "kaiming"}, 8000, 25, "cuda")
    assert "on the GPU" in gpu and "He-normal" in gpu
