"""Sentences and captions of the depth chapter, each from computed numbers; every qualitative clause
has a tested condition (tests/test_depth_narrative.py). Verdict words come from the noise rule only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.experiment import verdict as V
from mlplab.experiment.prose import join

VANISHING_ORDERS = 2.0   # first-layer gradient this many orders of magnitude below the last: "vanishing"


def setting_sentence(params: dict, fit_images: int, deep_convs: int, device: str = "cpu") -> str:
    return (f"Every network here trains on a stratified {fit_images:,} of the fit images for a fixed number of epochs "
            f"({params['deep_epochs']} for the deep stacks, {params['arch_epochs']} for the three architectures) with "
            f"{params['optimizer'].upper() if params['optimizer'] == 'sgd' else params['optimizer']} (learning rate "
            f"{params['deep_lr']:g} and {params['arch_lr']:g}, cosine decay, batch {params['batch_size']}), on the "
            f"{'GPU' if str(device).startswith('cuda') else 'CPU'}. The deep stacks have {deep_convs} convolution layers of widths "
            f"{params['deep_width']}, {2 * params['deep_width']} and {4 * params['deep_width']}; the architectures' "
            f"widths are scaled down from the papers' (VGG-16-C's first block {params['vgg_width']} filters instead of "
            f"64, ResNet-18's {params['resnet_width']} instead of 64). Weights start from PyTorch's default "
            f"initialisation" + (" (He-normal for convolutions)" if params.get("init") == "kaiming" else "") + ".")


def vanishing_word(orders: float) -> str:
    if orders <= -VANISHING_ORDERS:
        return "vanishes towards the input"
    if orders >= VANISHING_ORDERS:
        return "grows towards the input"
    return f"stays within {VANISHING_ORDERS:g} orders of magnitude from output to input"


def orders_text(orders: float, of: str = "the last's") -> str:
    """'11.8 orders of magnitude below the last's' (log10 ratio of the first conv layer's gradient to the last's)."""
    side = "below" if orders < 0 else "above"
    return f"{abs(orders):.1f} orders of magnitude {side} {of}"


def gradient_sentence(runs: dict, verdicts: dict, ratio) -> str:
    """At initialization: how many orders of magnitude the first conv layer's gradient is below the last's,
    plain against residual, without and with batch norm."""
    out = []
    for bn, what in (("", "without batch norm"), ("_bn", "with batch norm")):
        p, r = runs[f"plain_deep{bn}"], runs[f"residual_deep{bn}"]
        rp_, rr = float(np.mean(ratio(p))), float(np.mean(ratio(r)))
        v = verdicts[f"gradient{bn}"]
        clause = (f"{what}, the gradient of the plain stack {vanishing_word(rp_)} (first conv layer "
                  f"{orders_text(rp_)}, mean over seeds), that of the residual stack {vanishing_word(rr)} "
                  f"({orders_text(rr)})")
        if v.word == V.BETTER:
            clause += "; the residual connections keep it stronger at the input by the noise rule"
        elif v.word == V.WORSE:
            clause += "; the plain stack keeps it stronger at the input by the noise rule"
        elif v.word == V.PAR:
            clause += "; the noise rule cannot tell them apart"
        else:
            clause += f"; {v.n} seeds are too few to call it"
        out.append(clause)
    return "At initialization, " + "; ".join(out) + "."


def source_gradient_sentence(runs: dict, layer_norm) -> str:
    """Our plain stack's gradient norms at the conv layers the source quotes (3, 15, 27, 38), where they exist."""
    p = runs["plain_deep"]
    n_conv = p.info["conv_layers"]
    ours = [(i, layer_norm(p, i)) for i in (3, 15, 27, 38)]
    have = [(i, g) for i, g in ours if g is not None]
    beyond = [i for i, g in ours if g is None]
    text = ("The source reports, for its very deep plain CNN, gradient norms of about 1e-8 at layer 3 against 1e-6 at "
            "layer 15, and 1e-4 at layer 27 against 1e-2 at layer 38. ")
    if have:
        text += ("Our plain stack without batch norm, at initialization: " +
                 join([f"{g:.1e} at conv layer {i}" for i, g in have]) + ". ")
    if beyond:
        text += f"It has {n_conv} convolution layers, so layer{'s' if len(beyond) > 1 else ''} " \
                f"{join([str(i) for i in beyond])} {'do' if len(beyond) > 1 else 'does'} not exist here."
    return text.strip()


def training_sentence(runs: dict, verdicts: dict) -> str:
    out = []
    for bn, what in (("", "Without batch norm"), ("_bn", "With batch norm")):
        p, r = runs[f"plain_deep{bn}"], runs[f"residual_deep{bn}"]
        v = verdicts[f"accuracy{bn}"]
        lp, lr_ = float(p.history["train_loss"].iloc[-1]), float(r.history["train_loss"].iloc[-1])
        still = [n for n, run in (("plain", p), ("residual", r))
                 if float(run.history["train_loss"].iloc[-1]) >= float(run.history["train_loss"].iloc[0]) * 0.9]
        stuck = ("" if not still else " (both barely moved from their first epoch's)" if len(still) == 2
                 else f" (the {still[0]} one barely moved from its first epoch's)")
        clause = (f"{what}, the plain stack ends training at a loss of {lp:.3f} and the residual one at {lr_:.3f}"
                  + stuck + f"; test accuracy {p.mean('accuracy'):.3f} against {r.mean('accuracy'):.3f}, so the "
                  f"residual stack is {V.relation(v)} the plain one: {V.interval_text(v, digits=3)}")
        out.append(clause)
    return ". ".join(out) + "."


def claims_sentence(claims: list[dict]) -> str:
    counts = {k: sum(c["status"] == k for c in claims) for k in ("confirmed", "contradicted", "not decided")}
    parts = [f"{n} {k}" for k, n in counts.items() if n]
    text = f"Of the source's {len(claims)} claims, {join(parts)} by the noise rule on our seeds."
    conf = [c["claim"].split(" (")[0] for c in claims if c["status"] == "confirmed"]
    contra = [c["claim"].split(" (")[0] for c in claims if c["status"] == "contradicted"]
    if conf:
        text += f" Confirmed: {join(conf)}."
    if contra:
        text += f" Contradicted: {join(contra)}."
    return text


def differences_sentence(fit_images: int, epochs: int) -> str:
    return (f"What differs from the source's setting: 10 classes of 28 × 28 grayscale clothing images instead of 3 "
            f"classes of colour photographs (dogs, food, vehicles), {fit_images:,} training images instead of about "
            f"30,000, networks narrowed and adapted to 28 × 28, {epochs} epochs, and our validation scores are the "
            "last epoch's, where the source quotes each network's best epoch.")


def cardinality_sentence(runs: dict, names: list[str]) -> str:
    if len(names) < 2:
        return ("Only the default cardinality ran (parameter `cardinalities` names no other), so this run compares "
                "none.")
    rows = sorted((runs[n].settings["cardinality"], runs[n].mean("accuracy"), runs[n].info["parameters"],
                   runs[n].info["seconds_per_epoch"], n) for n in names)
    listed = join([f"{c} groups: test accuracy {a:.4f}, {p:,} parameters, {s:.1f} s/epoch" for c, a, p, s, _ in rows])
    best = max(rows, key=lambda t: t[1])
    return (f"Cardinality at a fixed total width of the grouped convolutions — {listed}. The highest mean test "
            f"accuracy is at {best[0]} groups (differences between cardinalities are judged in "
            "@tbl-depth-cardinality).")


def recommended_reason() -> str:
    return ("a study of depth, residual connections and architectures on fixed settings, not a selection: no model "
            "is recommended")


# ---- captions ------------------------------------------------------------------------------------

def grad_caption(runs: dict, ratio) -> str:
    p = float(np.mean(ratio(runs["plain_deep"])))
    r = float(np.mean(ratio(runs["residual_deep"])))
    return ("Gradient norm of each weight layer's loss gradient on a fixed batch of fit images, at initialization "
            "and after training (geometric mean over the seeds; log scale; vermilion: plain, blue: residual; dashed: with "
            f"batch norm). At initialization without batch norm, the first conv layer's gradient is "
            f"{orders_text(p, 'the last layer')}'s in the plain stack and {orders_text(r, 'the last layer')}'s in the "
            "residual one.")


def loss_caption(runs: dict) -> str:
    finals = {n: float(runs[n].history["train_loss"].iloc[-1]) for n in ("plain_deep", "residual_deep",
                                                                          "plain_deep_bn", "residual_deep_bn")}
    low = min(finals, key=finals.get)
    high = max(finals, key=finals.get)
    return (f"Training loss per epoch of the four deep stacks (first seed). Lowest at the end: {runs[low].label} "
            f"({finals[low]:.3f}); highest: {runs[high].label} ({finals[high]:.3f}).")


def arch_caption(table: pd.DataFrame) -> str:
    gaps = dict(zip(table["network"], table["train accuracy"] - table["validation accuracy"]))
    widest = max(gaps, key=gaps.get)
    return ("Training (solid) and validation (dashed) loss and accuracy per epoch of VGG-16-C, ResNet-18 and ResNeXt "
            f"(first seed). The largest gap between train and validation accuracy at the end: {widest} "
            f"({gaps[widest]:+.3f}, mean over seeds).")


def cost_caption(table: pd.DataFrame) -> str:
    fast = table.sort_values("s/epoch").iloc[0]
    best = table.sort_values("test accuracy").iloc[-1]
    return (f"Test accuracy against seconds per epoch (marker area: parameters). Fastest: {fast['network']} "
            f"({fast['s/epoch']:.1f} s/epoch); most accurate: {best['network']} ({best['test accuracy']:.4f}).")


def arch_table_caption(table: pd.DataFrame) -> str:
    small = table.sort_values("parameters").iloc[0]
    return ("Parameters, convolution layers, seconds per epoch, train/validation accuracy and final validation loss "
            f"(mean over the seeds), and test accuracy. The smallest network is {small['network']} "
            f"({int(small['parameters']):,} parameters).")


def deep_table_caption(table: pd.DataFrame) -> str:
    worst = table.sort_values("first/last gradient at init (log10)").iloc[0]
    return ("The four deep stacks: depth, parameters, the first conv layer's gradient norm against the last's "
            f"(log10, mean over the seeds) at initialization and after training, final training loss and test "
            f"accuracy. The weakest gradient at the input at initialization: {worst['network']} "
            f"({worst['first/last gradient at init (log10)']:+.1f}).")


def claims_caption(claims: list[dict]) -> str:
    n = sum(c["status"] == "confirmed" for c in claims)
    return (f"The source's claims (its numbers in brackets) tested on our seeds with the noise rule: "
            f"{n} of {len(claims)} confirmed.")


def cardinality_caption(table: pd.DataFrame) -> str:
    decided = table.loc[table["verdict"].isin([V.BETTER, V.WORSE])]
    take = ("No cardinality differs from the default's beyond the noise." if decided.empty else
            f"Beyond the noise: {join([f'{c} ({w})' for c, w in zip(decided['change'], decided['verdict'])])}.")
    if len(table) == 1:
        take = "Only the default cardinality ran."
    return ("ResNeXt at each cardinality, same total width of the grouped convolutions: groups, channels per group, "
            "parameters, test accuracy, and against the default the paired difference over the seeds with its 95 % "
            "interval and the noise rule's verdict. " + take)
