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
    """`losses`: the first seed's training loss at the first and last epoch; every seed's final training loss
    (fit images, eval mode) is the last one."""
    """A run whose conv1 gradient is 10**orders times its last conv layer's, on every seed (tiny jitter)."""
    r = Run(name, "variant", steps.DEEP_LABELS.get(name, name), settings={"cardinality": 8, "group_width": 3})
    per = []
    for i, a in enumerate(acc):
        norms = [1e-2] * len(layers)
        convs = [j for j, n in enumerate(layers) if n.startswith("conv")]
        norms[convs[0]] = 1e-2 * 10 ** (first_over_last_orders + 0.01 * i)
        per.append(norms)
        hist = pd.DataFrame({"epoch": [1, 2], "train_loss": list(losses)})
        r.splits.append(SplitResult(i, i, {"accuracy": a + 0.05, "log_loss": losses[-1]}, {"accuracy": a}, {"accuracy": a},
                                    10.0, {},
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
    assert nv.vanishing_word(orders, plural=True).split()[0] == {"vanishes": "vanish", "grows": "grow",
                                                                 "stays": "stay"}[words.split()[0]]


def test_gradient_sentence_uses_the_noise_rule_each_way():
    runs = deep_runs()
    v = steps.deep_verdicts(runs)
    text = nv.gradient_sentence(runs, v, steps.gradient_ratio)
    assert "plain stack vanishes towards the input (first conv layer 9.0 orders of magnitude below the last's" in text
    assert ("by the noise rule, the residual connections keep it nearer the same strength at input and output, its "
            "distance from a ratio of 1 differing by -8.80 orders of magnitude (95 % interval -8.80 to -8.80 orders of "
            "magnitude, 3 runs), residual minus plain.") in text
    assert "while that of the residual stack stays within 2 orders" in text
    assert "growth towards the input is judged as far from that as decay" in text
    worse = deep_runs(plain=-0.1, res=-4.0)
    assert "the plain stack keeps it nearer the same strength" in nv.gradient_sentence(
        worse, steps.deep_verdicts(worse), steps.gradient_ratio)
    par = deep_runs()
    par["residual_deep_bn"] = deep_run("residual_deep_bn", 0.5)
    assert "both are equally far from the same strength" in nv.gradient_sentence(par, steps.deep_verdicts(par),
                                                                                 steps.gradient_ratio)
    two = {k: Run(r.name, r.role, r.label, splits=r.splits[:2], info=r.info) for k, r in deep_runs().items()}
    for r in two.values():
        r.info = {**r.info, "grad_norms_per_seed": {k: v[:2] for k, v in r.info["grad_norms_per_seed"].items()}}
    assert "2 seeds are too few" in nv.gradient_sentence(two, steps.deep_verdicts(two), steps.gradient_ratio)


def test_gradient_health_is_the_distance_from_a_ratio_of_one():
    """A tenfold growth towards the input is not healthier than a twofold decay: |log10| decides, lower wins."""
    runs = deep_runs(plain_bn=1.0, res_bn=-0.3)
    assert [round(x, 2) for x in steps.gradient_distance(runs["plain_deep_bn"])] == [1.0, 1.01, 1.02]
    v = steps.deep_verdicts(runs)["gradient_bn"]
    assert v.word == "better" and v.higher_is_better is False and v.mean_diff < 0   # the residual stack's is nearer 1
    text = nv.gradient_sentence(runs, steps.deep_verdicts(runs), steps.gradient_ratio)
    assert ("With batch norm, the gradients of both stacks stay within 2 orders of magnitude from output to input (first "
            "conv layer 1.0 orders of magnitude above the last's in the plain stack, 0.3 orders of magnitude below the "
            "last's in the residual one; means over seeds)") in text   # one shared description, said once
    assert text.count("stay within 2 orders") == 1
    assert text.count("the residual connections keep it nearer") == 2
    mixed = deep_runs()
    for i, s in enumerate(mixed["residual_deep_bn"].info["grad_norms_per_seed"]["init"]):
        s[0] = 1e-2 * 10 ** (0.5 + 0.3 * i)   # residual 0.5, 0.8, 1.1 against plain 0.5, 0.51, 0.52: undecided
    assert steps.deep_verdicts(mixed)["gradient_bn"].word == "undecided"
    assert "the noise rule cannot tell which keeps it nearer" in nv.gradient_sentence(
        mixed, steps.deep_verdicts(mixed), steps.gradient_ratio)


def chance_runs(bn_acc=(0.85, 0.86, 0.87)):
    runs = deep_runs()
    runs["plain_deep"] = deep_run("plain_deep", -9.0, acc=(0.1, 0.1, 0.1), losses=(2.303, 2.302))
    runs["residual_deep"] = deep_run("residual_deep", -0.2, acc=(0.1, 0.1, 0.11), losses=(2.31, 2.302))
    runs["plain_deep_bn"] = deep_run("plain_deep_bn", 0.5, acc=bn_acc)
    return runs


def test_at_chance_needs_every_seed_near_one_in_ten():
    runs = chance_runs()
    assert steps.at_chance(runs["plain_deep"]) and steps.at_chance(runs["residual_deep"])
    assert not steps.at_chance(runs["plain_deep_bn"])
    one_learns = deep_run("x", 0.0, acc=(0.1, 0.1, 0.4))
    assert not steps.at_chance(one_learns)
    info = steps.chance(runs)
    assert info["plain_deep"]["at_chance"] and not info["residual_deep_bn"]["at_chance"]
    assert math.isclose(info["plain_deep"]["chance_loss"], math.log(10))
    assert math.isclose(info["plain_deep"]["train_loss"], 2.302) and math.isclose(info["plain_deep"]["accuracy"], 0.1)


def test_chance_sentence_says_which_stacks_learned_nothing_and_why():
    runs = chance_runs()
    text = nv.chance_sentence(runs, steps.chance(runs), steps.gradient_ratio)
    assert text.startswith("On every seed the plain deep CNN and the residual deep CNN score what guessing among 10 "
                           "classes scores (test accuracy 0.100 to 0.103; training loss 2.302 against ln 10 = 2.303, the "
                           "loss of a uniform guess): they learned nothing.")
    caption = nv.loss_caption(runs, steps.chance(runs))
    assert "stay at chance on every seed" in caption and "stay at chance on every seed" not in text  # not repeated
    assert ("The plain deep CNN: gradient at initialization vanishes towards the input (first conv layer 9.0 orders "
            "of magnitude below the last's), so its first layers barely move; the same stack with batch normalization "
            "trains (test accuracy 0.860)") in text
    assert "The residual deep CNN: the same stack with batch normalization trains (test accuracy 0.810)" in text
    # its gradient reaches the input, so the text does not blame a lost gradient scale (it did, beside a healthy ratio)
    resid = text.split("The residual deep CNN:")[1]
    assert "so a vanishing gradient does not explain it" in resid and "lose their scale" not in resid.split(".")[0]
    assert "lose their scale" in text.split("The residual deep CNN:")[0]  # the plain stack's gradient did vanish
    assert text.endswith("As both stacks without batch norm learned nothing, their accuracies below say nothing about "
                         "residual connections; only their gradients at initialization compare them.")
    assert nv.chance_sentence(deep_runs(), steps.chance(deep_runs()), steps.gradient_ratio) == ""
    both = chance_runs(bn_acc=(0.1, 0.1, 0.1))
    text2 = nv.chance_sentence(both, steps.chance(both), steps.gradient_ratio)
    assert "On every seed the plain deep CNN, the residual deep CNN and the plain deep CNN with batch norm score what" in text2
    assert "barely move; the same stack" not in text2 and "batch normalization trains (test accuracy 0.100)" not in text2
    assert "The residual deep CNN: the same stack with batch normalization trains (test accuracy 0.810)" in text2
    grows = chance_runs()
    grows["residual_deep"] = deep_run("residual_deep", 3.0, acc=(0.1, 0.1, 0.1))
    assert "gradient at initialization grows towards the input" in nv.chance_sentence(grows, steps.chance(grows),
                                                                                       steps.gradient_ratio)
    single = deep_runs()
    single["plain_deep"] = deep_run("plain_deep", -9.0, acc=(0.1, 0.1, 0.1))
    assert "On every seed the plain deep CNN scores what guessing among 10 classes scores (test accuracy 0.100;" in nv.chance_sentence(
        single, steps.chance(single), steps.gradient_ratio)


def test_training_sentence_gives_no_verdict_to_a_pair_at_chance():
    runs = chance_runs()
    text = nv.training_sentence(runs, steps.deep_verdicts(runs), steps.chance(runs))
    first = text.split(". With")[0]
    assert "both at chance on every seed: neither learned" in first and "would compare two guessers" in first
    assert "+0.000 (95 % interval" not in first  # no numbers for a null comparison
    assert "on a par" not in first and "the residual stack is" not in first
    assert "With batch norm" in text and "the residual stack is worse than the plain one" in text
    one = chance_runs()
    one["residual_deep"] = deep_run("residual_deep", -0.2, acc=(0.5, 0.5, 0.52))
    text1 = nv.training_sentence(one, steps.deep_verdicts(one), steps.chance(one))
    assert "(the plain stack at chance on every seed), so the residual stack is better than the plain one" in text1


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
    # the losses on the fit images after training, seed means (the table's), not the plotted curve's last epoch
    assert "the plain stack ends training at a loss of 2.290 on the fit images and the residual one at" in text
    assert "(means over seeds; the plain one's curve barely moved from its first epoch)" in text
    assert "With batch norm, the plain stack ends training at a loss of 1.000 on the fit images and" in text
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


def test_claims_confirmed_not_reproduced_or_not_decided():
    claims = steps.claims(arch_runs())
    status = {c["claim"].split(" (")[0]: c["status"] for c in claims}
    assert status["VGG-16 overfits more than ResNet-18"] == "confirmed"
    assert status["VGG-16's validation loss is higher than ResNet-18's"] == "confirmed"
    assert status["ResNeXt's validation accuracy is higher than ResNet-18's"] == "confirmed"
    assert status["ResNeXt's validation loss is lower than ResNet-18's"] == "confirmed"
    flipped = steps.claims(arch_runs(vgg_gap=0.0, res_gap=0.1, x_loss=0.6))
    st2 = {c["claim"].split(" (")[0]: c["status"] for c in flipped}
    assert st2["VGG-16 overfits more than ResNet-18"] == "not reproduced at this budget"
    assert st2["ResNeXt's validation loss is lower than ResNet-18's"] == "not reproduced at this budget"
    text = nv.claims_sentence(flipped)
    assert "contradicted" not in text.lower()
    assert "Not reproduced at this budget: VGG-16 overfits more than ResNet-18" in text
    assert "does not refute the source" in text
    assert "not reproduced at this budget" in nv.claims_caption(flipped)
    par = steps.claims(arch_runs(x_acc=0.90, r_acc=0.90))
    assert {c["claim"].split(" (")[0]: c["status"] for c in par}[
        "ResNeXt's validation accuracy is higher than ResNet-18's"] == "not reproduced at this budget"


def test_claims_sentence_counts_not_decided():
    claims = [{"claim": "A (1)", "status": "undecided"}, {"claim": "B (2)", "status": "undecided"}]
    text = nv.claims_sentence(claims)
    assert text == "Of the source's 2 claims, 2 undecided by the noise rule on our seeds."


def fashion_doc(mlp=0.885, source=0.903):
    return {"models": {"mlp": {"label": "the MLP on pixels", "seeds": {"mean": {"accuracy": mlp}}},
                       "cnn_source": {"label": "the source's CNN", "seeds": {"mean": {"accuracy": source}}}},
            "extra": {"split": {"fit": 54000, "test": 10000}}}


def test_baselines_sentence_says_when_the_architectures_score_below_the_pixels_mlp():
    table = steps.arch_rows(arch_table_runs(), ["vgg16c", "resnet18", "resnext"])
    text = nv.baselines_sentence(table, fashion_doc(), 5000, 6)
    assert text.startswith("All three architectures (0.834 to 0.865 test accuracy) score below the MLP on pixels "
                           "(0.885) and the source's CNN (0.903) of @sec-fashion, trained on 54,000 fit images")
    assert "with 5,000 fit images and 6 epochs" in text and "not reproduced at this budget rather than refuted" in text
    some = nv.baselines_sentence(table, fashion_doc(mlp=0.86, source=0.87), 5000, 6)
    assert some.startswith("VGG-16-C and ResNet-18 score below")
    assert "All three architectures score at least as high as the MLP on pixels (0.500)" in nv.baselines_sentence(
        table, fashion_doc(0.5, 0.6), 5000, 6)
    assert "results are missing" in nv.baselines_sentence(table, None, 5000, 6)


def arch_table_runs():
    runs = arch_runs(x_acc=0.865, r_acc=0.85, v_acc=0.834)
    for r in runs.values():
        r.info.update({"parameters": 1_818_586, "conv_layers": 13, "seconds_per_epoch": 2.0})
    for s in runs["resnext"].splits:   # test accuracy exactly 0.865 on every seed
        s.test["accuracy"] = 0.865
    for s in runs["vgg16c"].splits:
        s.test["accuracy"] = 0.834
    return runs


def test_arch_table_prints_seed_means_of_the_validation_loss():
    runs = arch_table_runs()
    table = steps.arch_rows(runs, ["vgg16c", "resnet18", "resnext"])
    # the per-seed final validation losses are 0.5, 0.51, 0.52 for ResNet-18: the mean, not the first seed's
    assert math.isclose(table.loc[1, "validation loss"], 0.51)
    caption = nv.arch_table_caption(table)
    assert "each the mean over the seeds" in caption and "The most accurate is ResNeXt (0.8650)" in caption
    assert "1,818,586 parameters" in caption


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
    text = nv.cardinality_sentence(runs, ["resnext", "resnext_c2"])
    assert "the cardinalities compared are 2 groups (" in text and "and 8 groups (" in text
    assert "highest" not in text  # a ranking inside the noise says nothing; the table's verdict says it
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
    doc["verdicts"][0].update(low=0.01, high=0.03)
    assert C.fashion_sentences(doc).startswith("The tuned CNN is better than the source's CNN on test accuracy (+0.020, "
                                               "95 % interval +0.010 to +0.030, 3 seeds)")
    doc["extra"]["goal"].update(met_accuracy=True, within_time=True)
    assert "meets the goal" in C.fashion_sentences(doc) and "within" in C.fashion_sentences(doc)
    assert "ran no regularization study" in C.regularization_sentence(doc)
    doc["verdicts"].append({"a": "cnn_tuned_augment", "b": "cnn_tuned_plain", "word": "on a par", "mean_diff": 0.0,
                            "n": 3, "topic": "regularization"})
    assert "None of the 1 regularizers" in C.regularization_sentence(doc)
    doc["models"]["cnn_tuned_augment"] = {"label": "augmentation"}
    doc["verdicts"][-1]["word"] = "better"
    assert "augmentation is better than it" in C.regularization_sentence(doc)
    assert "early training" not in C.regularization_sentence(doc)
    doc["verdicts"].append({"a": "cnn_tuned_l2", "b": "cnn_tuned_plain", "word": "undecided", "mean_diff": 0.01,
                            "n": 3, "topic": "regularization"})
    doc["models"].update({"cnn_tuned_plain": {"label": "the tuned CNN without regularizers",
                                              "validation": {"accuracy": 0.727}},
                          "logreg": {"label": "logistic regression", "validation": {"accuracy": 0.846}}})
    text = C.regularization_sentence(doc)
    assert "augmentation is better than it (+0.000, 3 seeds); of the others, 1 undecided." in text
    assert text.endswith("These verdicts measure early training speed, not regularization: the unregularized "
                         "reference has not fitted (validation accuracy 0.727, below the 0.846 of logistic regression).")



def test_setting_sentence_states_the_reductions_and_the_device():
    params = {"deep_epochs": 6, "arch_epochs": 8, "optimizer": "sgd", "deep_lr": 0.05, "arch_lr": 0.05, "batch_size": 128,
              "deep_width": 8, "vgg_width": 16, "resnet_width": 16, "init": "default"}
    text = nv.setting_sentence(params, 8000, 25)
    assert "8,000 of the fit images" in text and "25 convolution layers of widths 8, 16 and 32" in text
    assert "on the CPU" in text and "16 filters instead of 64" in text and "He-normal" not in text
    gpu = nv.setting_sentence({**params, "init": "kaiming"}, 8000, 25, "cuda")
    assert "on the GPU" in gpu and "He-normal" in gpu
    assert "(learning rate 0.05, cosine decay" in text and "0.05 and 0.05" not in text
    diff = nv.setting_sentence({**params, "arch_lr": 0.1}, 8000, 25)
    assert "learning rate 0.05 for the deep stacks and 0.1 for the architectures" in diff


def test_data_note_states_the_computed_sizes():
    from types import SimpleNamespace

    split = SimpleNamespace(fit=range(5000), validation=range(3000), test=range(5000))
    report = {"train": 60000, "test": 5000, "subset_of": {"train": 60000, "test": 10000}}
    note = nv.data_note({"source": "files", "kind": "subset"}, report, [split])
    assert note == (" Data: 5,000 fit, 3,000 validation and 5,000 test images, stratified from Fashion-MNIST's 60,000 "
                    "training and 10,000 test images.")
    emb = nv.data_note({"source": "embedded"}, {"train": 2000, "test": 1000}, [split])
    assert "the embedded subset's 2,000 training and 1,000 test images (the embedded subset, not the full set)" in emb


def depth_doc(chance_pair=True, statuses=("confirmed", "not reproduced at this budget", "undecided")):
    runs = chance_runs() if chance_pair else deep_runs()
    verdicts = steps.deep_verdicts(runs)
    from mlplab.experiment.verdict import record

    recs = [record(f"depth_{k}", *(("residual_deep", "plain_deep") if not k.endswith("_bn") else
                                   ("residual_deep_bn", "plain_deep_bn")), "accuracy", v) for k, v in verdicts.items()]
    models = {n: {"label": r.label, "parameters": 1000, "conv_layers": 25, "seconds_per_epoch": 1.0,
                  "seeds": {"mean": {"accuracy": r.mean("accuracy")}}} for n, r in runs.items()}
    for n, lbl, a in (("vgg16c", "VGG-16-C", 0.834), ("resnet18", "ResNet-18", 0.85), ("resnext", "ResNeXt", 0.865)):
        models[n] = {"label": lbl, "parameters": 1000, "conv_layers": 13, "seconds_per_epoch": 1.0,
                     "seeds": {"mean": {"accuracy": a}}}
    return {"models": models, "verdicts": recs, "params": {"arch_epochs": 6},
            "extra": {"chance": steps.chance(runs), "gradient_ratio": {}, "fit_images": 5000,
                      "claims": [{"claim": f"c{i}", "status": s} for i, s in enumerate(statuses)]}}


def test_conclusions_depth_sentences_say_chance_and_not_reproduced():
    text = C.depth_sentences(depth_doc())
    assert text.startswith("Without batch norm, both deep stacks stay at chance on every seed (test accuracy 0.100 "
                           "and 0.103, training loss near ln 10 = 2.30): neither learned")
    assert "on a par" not in text.split("; with batch norm")[0]
    assert ("with batch norm, at initialization the residual deep CNN with batch norm keeps the gradient nearer the same strength at "
            "input and output than the plain deep CNN with batch norm") in text
    assert "1 confirmed, 1 not reproduced at this budget and 1 undecided on Fashion-MNIST" in text
    assert "contradicted" not in text
    learned = C.depth_sentences(depth_doc(chance_pair=False))
    assert learned.startswith("Without batch norm, at initialization the residual deep CNN keeps the gradient nearer") \
        and "the plain deep CNN (" in learned and "), and it is better than it on test accuracy (+" in learned
    with_f = C.depth_sentences(depth_doc(), fashion_doc())
    assert ("All three architectures (0.834 to 0.865) score below the MLP on pixels (0.885) and the source's CNN "
            "(0.903): at 5,000 fit images and 6 epochs they are far from trained, so the source's claims about them "
            "are tested at this budget only, and a claim our runs do not show is not reproduced rather than refuted.") in with_f
    assert C.architectures_against_baselines(depth_doc(), fashion_doc(0.84, 0.9)).startswith("VGG-16-C scores below")
    assert "at least as high" in C.architectures_against_baselines(depth_doc(), fashion_doc(0.5, 0.6))


def test_deep_table_has_short_headers_and_seed_means():
    table = steps.deep_rows(deep_runs())
    assert list(table.columns) == ["network", "conv layers", "parameters", "log10 ratio at init", "log10 ratio trained",
                                   "train loss", "test accuracy"]
    assert max(len(c) for c in table.columns) <= 20
    assert math.isclose(table.loc[0, "log10 ratio at init"], -8.99) and math.isclose(table.loc[0, "train loss"], 2.29)
    caption = nv.deep_table_caption(table)
    assert caption.endswith("The weakest gradient at the input at initialization: the plain deep CNN (-9.0).")


def test_conclusions_ladder_sentence():
    doc = {"extra": {"ladder": [{"name": "ladder_source", "rung": "the source's CNN", "fit_images": 6000},
                                {"name": "ladder_batchnorm", "rung": "batch norm after every convolution", "fit_images": 6000},
                                {"name": "ladder_epochs", "rung": "7 epochs instead of 5", "fit_images": 6000}]},
           "verdicts": [{"topic": "ladder", "a": "ladder_batchnorm", "b": "ladder_source", "word": "better",
                         "mean_diff": 0.031},
                        {"topic": "ladder", "a": "ladder_epochs", "b": "ladder_batchnorm", "word": "worse",
                         "mean_diff": -0.004}]}
    assert C.ladder_sentence(doc) == (
        "In the ablation ladder from the source's CNN to the tuned configuration, the change that raised the test "
        "accuracy beyond the noise was batch norm after every convolution (+0.031); 7 epochs instead of 5 (-0.004) "
        "lowered it (2 steps, each on the same 6,000 fit images).")
    doc["verdicts"] = [dict(v, word="better") for v in doc["verdicts"]]
    assert "the changes that raised the test accuracy beyond the noise were batch norm" in C.ladder_sentence(doc)
    doc["verdicts"] = [dict(v, word="undecided") for v in doc["verdicts"]]
    assert "no single change raised the test accuracy beyond the noise (2 steps" in C.ladder_sentence(doc)
    assert C.ladder_sentence({"extra": {}, "verdicts": []}) == ""


def test_conclusions_claims_caption_counts_not_reproduced():
    caption = C.claims_caption(depth_doc(), "")
    assert caption == ("The source's claims about the three architectures, tested on Fashion-MNIST with the noise "
                       "rule: 1 of 3 confirmed, 1 not reproduced at this budget (narrowed networks, a few thousand "
                       "images, a few epochs).")
    assert C.claims_caption(depth_doc(statuses=("confirmed",)), "").endswith("1 of 1 confirmed.")


def test_claims_tables_print_each_verdict_with_its_interval():
    from mlplab.conclusions import lab3
    from mlplab.depth import steps as depth_steps
    from mlplab.experiment.verdict import compare as _compare

    v = _compare([0.80, 0.81, 0.79], [0.85, 0.84, 0.86], higher_is_better=True, margin=0.01)
    claims = [{"claim": "ResNeXt's validation accuracy is higher than ResNet-18's (90.61 % against 89.89 %)",
               "measure": "validation accuracy", "status": "not reproduced at this budget", **v.to_dict()}]
    for table in (depth_steps.claims_table(claims), lab3.claims_table({"extra": {"claims": claims}})):
        row = table.iloc[0]
        assert row["95 % interval"] == "-0.100 to -0.0003" and row["difference"] == "-0.050"  # below zero throughout, and said so (not -0.000)
        assert "verdict" not in table and row["status"] == "not reproduced at this budget"  # the status says it plainly


def test_loss_caption_names_the_stacks_on_the_uniform_guess_line():
    runs = chance_runs()
    chance = steps.chance(runs)
    text = nv.loss_caption(runs, chance)
    assert "the dotted line, ln 10 = 2.303, is a uniform guess's" in text
    stuck = [runs[n].label for n in chance if chance[n]["at_chance"]]
    assert stuck == ["the plain deep CNN", "the residual deep CNN"]
    assert "The plain deep CNN and the residual deep CNN stay at chance on every seed (a guess's test accuracy); the " \
           "curves of the plain deep CNN and the residual deep CNN lie on top of each other on the dotted line." in text
    runs["residual_deep"].history.loc[runs["residual_deep"].history.index[-1], "train_loss"] = 2.08
    text = nv.loss_caption(runs, chance)   # a drawn curve that ends off the line is not said to lie on it
    assert "; the curve of the plain deep CNN lies on the dotted line." in text and "on top of each other" not in text
    assert "at chance" not in nv.loss_caption(runs)   # without the chance records, no claim


def test_transfer_sentences_quote_every_budget_and_a_recommendation_inside_the_margin():
    from mlplab.experiment.verdict import compare, record

    def rec(a, b, vals_a, vals_b):
        return record("transfer", a, b, "accuracy", compare(vals_a, vals_b, higher_is_better=True, margin=0.01))

    models = {f"{n}_k{k}": {"label": label, "validation": {"accuracy": acc}}
              for k in (10, 50) for n, label, acc in (("lite0_finetune", "fine-tuned Lite0", 0.80),
                                                      ("lite1_finetune", "fine-tuned Lite1", 0.805),
                                                      ("cnn_scratch", "the lab's CNN", 0.7),
                                                      ("lite0_random", "Lite0 from random", 0.6))}
    doc = {"models": models, "protocol": {"outer_splits": 3},
           "extra": {"budgets": ["10", "50"], "headline_budget": 50},
           "verdicts": [rec("lite0_finetune_k10", "cnn_scratch_k10", [0.7, 0.8, 0.75], [0.7, 0.7, 0.7]),
                        rec("lite0_finetune_k50", "cnn_scratch_k50", [0.8, 0.81, 0.82], [0.7, 0.7, 0.7]),
                        rec("lite0_finetune_k10", "lite0_random_k10", [0.8, 0.81, 0.82], [0.6, 0.6, 0.6]),
                        rec("lite0_finetune_k50", "lite0_random_k50", [0.8, 0.81, 0.82], [0.7, 0.7, 0.7])],
           "recommended": {"model": "lite1_finetune_k50", "validation": 0.805, "test": 0.81,
                           "runner_up": "lite0_finetune_k50"}}
    text = C.transfer_sentences(doc)
    assert "with 10 labelled images per class (+0.050, 95 % interval" in text   # every budget, with its interval
    assert "better than the lab's CNN with 50 labelled images per class (+0.110" in text
    assert "at every budget (by +0.110 to +0.210)" in text
    assert text.endswith("recommend fine-tuned Lite1 (test accuracy 0.810), ahead of fine-tuned Lite0 by 0.005 of "
                         "validation accuracy, inside the margin of parity: either would do.")
    doc["recommended"]["validation"] = 0.9
    assert C.transfer_sentences(doc).endswith("recommend fine-tuned Lite1 (test accuracy 0.810).")


def test_loss_caption_says_its_numbers_are_the_plotted_first_seed():
    runs = deep_runs()
    assert "Lowest at the end of its first-seed curve: " in nv.loss_caption(runs, steps.chance(runs))
