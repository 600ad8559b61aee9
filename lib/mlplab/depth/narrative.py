"""Sentences and captions of the depth chapter, each from computed numbers; every qualitative clause
has a tested condition (tests/test_depth_narrative.py). Verdict words come from the noise rule only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlplab.experiment import verdict as V
from mlplab.experiment.prose import capital, join

VANISHING_ORDERS = 2.0   # first-layer gradient this many orders of magnitude below the last: "vanishing"


def data_note(provenance: dict, report: dict, splits) -> str:
    """Appended to every caption: how many images each part of this chapter used, and of what."""
    s = splits[0]
    whole = report.get("subset_of", {})
    n_train, n_test = int(whole.get("train", report["train"])), int(whole.get("test", report["test"]))
    what = ("the embedded subset's" if provenance.get("source") == "embedded" else "Fashion-MNIST's")
    tail = " (the embedded subset, not the full set)" if provenance.get("source") == "embedded" else ""
    return (f" Data: {len(s.fit):,} fit, {len(s.validation):,} validation and {len(s.test):,} test images, stratified "
            f"from {what} {n_train:,} training and {n_test:,} test images{tail}.")


def rates_text(*rates: float) -> str:
    """'learning rate 0.05' when every rate is the same, else 'learning rate 0.05 and 0.1'."""
    uniq = list(dict.fromkeys(float(r) for r in rates))
    if len(uniq) == 1:
        return f"learning rate {uniq[0]:g}"
    return f"learning rate {join([f'{r:g}' for r in rates])}"


def setting_sentence(params: dict, fit_images: int, deep_convs: int, device: str = "cpu") -> str:
    same = float(params["deep_lr"]) == float(params["arch_lr"])
    rate = (rates_text(params["deep_lr"]) if same else
            f"learning rate {params['deep_lr']:g} for the deep stacks and {params['arch_lr']:g} for the architectures")
    return (f"Every network here trains on a stratified {fit_images:,} of the fit images for a fixed number of epochs "
            f"({params['deep_epochs']} for the deep stacks, {params['arch_epochs']} for the three architectures) with "
            f"{params['optimizer'].upper() if params['optimizer'] == 'sgd' else params['optimizer']} ({rate}, cosine "
            f"decay, batch {params['batch_size']}), on the "
            f"{'GPU' if str(device).startswith('cuda') else 'CPU'}. The deep stacks have {deep_convs} convolution layers of widths "
            f"{params['deep_width']}, {2 * params['deep_width']} and {4 * params['deep_width']}; the architectures' "
            f"widths are scaled down from the papers' (VGG-16-C's first block {params['vgg_width']} filters instead of "
            f"64, ResNet-18's {params['resnet_width']} instead of 64). Weights start from PyTorch's default "
            f"initialisation" + (" (He-normal for convolutions)" if params.get("init") == "kaiming" else "") + ".")


def vanishing_word(orders: float, plural: bool = False) -> str:
    if orders <= -VANISHING_ORDERS:
        return f"{'vanish' if plural else 'vanishes'} towards the input"
    if orders >= VANISHING_ORDERS:
        return f"{'grow' if plural else 'grows'} towards the input"
    return f"{'stay' if plural else 'stays'} within {VANISHING_ORDERS:g} orders of magnitude from output to input"


def orders_text(orders: float, of: str = "the last's") -> str:
    """'11.8 orders of magnitude below the last's' (log10 ratio of the first conv layer's gradient to the last's)."""
    side = "below" if orders < 0 else "above"
    return f"{abs(orders):.1f} orders of magnitude {side} {of}"


def gradient_sentence(runs: dict, verdicts: dict, ratio) -> str:
    """At initialization: how many orders of magnitude the first conv layer's gradient is below (or above) the
    last's, plain against residual, without and with batch norm, one sentence each (a shared description said
    once). Gradient health is judged by the distance from a ratio of 1 on a log scale (the verdicts of
    `steps.deep_verdicts`): growth counts as much as decay."""
    out = []
    for bn, what in (("", "At initialization and without batch norm"), ("_bn", "With batch norm")):
        p, r = runs[f"plain_deep{bn}"], runs[f"residual_deep{bn}"]
        rp_, rr = float(np.mean(ratio(p))), float(np.mean(ratio(r)))
        wp, wr = vanishing_word(rp_), vanishing_word(rr)
        if wp == wr:
            text = (f"{what}, the gradients of both stacks {vanishing_word(rp_, plural=True)} (first conv layer "
                    f"{orders_text(rp_)} in the plain stack, "
                    f"{orders_text(rr)} in the residual one; means over seeds)")
        else:
            text = (f"{what}, the gradient of the plain stack {wp} (first conv layer {orders_text(rp_)}, mean over "
                    f"seeds), while that of the residual stack {wr} ({orders_text(rr)})")
        v = verdicts[f"gradient{bn}"]
        if v.word == V.BETTER:
            text += ": by the noise rule, the residual connections keep it nearer the same strength at input and output"
        elif v.word == V.WORSE:
            text += ": by the noise rule, the plain stack keeps it nearer the same strength at input and output"
        elif v.word == V.PAR:
            text += ": by the noise rule, both are equally far from the same strength at input and output"
        elif v.word == V.UNDECIDED:
            text += ": the noise rule cannot tell which keeps it nearer the same strength at input and output"
        else:
            text += f": {v.n} seeds are too few to tell which keeps it nearer the same strength at input and output"
        if v.word != V.TOO_FEW:
            text += (", its distance from a ratio of 1 differing by "
                     f"{V.interval_text(v, digits=2, unit=' orders of magnitude')}, residual minus plain")
        out.append(text + ".")
    return (" ".join(out) + " A healthy gradient reaches the input about as strong as it leaves the output (a ratio of "
            "1): growth towards the input is judged as far from that as decay (distance from a ratio of 1 on a log "
            "scale).")


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


def _span(values, digits: int = 3) -> str:
    lo, hi = min(values), max(values)
    return f"{lo:.{digits}f}" if f"{lo:.{digits}f}" == f"{hi:.{digits}f}" else f"{lo:.{digits}f} to {hi:.{digits}f}"


def chance_sentence(runs: dict, chance: dict, ratio) -> str:
    """Which deep stacks learned nothing (`steps.chance`: at chance on every seed), and why: the gradient ratio
    at initialization, and whether the same stack with batch normalization trained. Empty when every stack
    learned."""
    names = ("plain_deep", "residual_deep", "plain_deep_bn", "residual_deep_bn")
    stuck = [n for n in names if n in chance and chance[n]["at_chance"]]
    if not stuck:
        return ""
    k = round(1 / chance[stuck[0]]["chance_accuracy"])
    labels = [runs[n].label for n in stuck]
    one = len(stuck) == 1
    # worded unlike the figure's caption above it ("… stay at chance on every seed"), which it explains
    out = [f"On every seed {join(labels)} {'scores' if one else 'score'} what guessing among {k} classes scores (test "
           f"accuracy {_span([chance[n]['accuracy'] for n in stuck])}; training loss "
           f"{_span([chance[n]['train_loss'] for n in stuck])} against ln {k} = {chance[stuck[0]]['chance_loss']:.3f}, "
           "the loss of a uniform guess): " + ("it learned" if one else "they learned") + " nothing."]
    for n in stuck:
        orders = float(np.mean(ratio(runs[n])))
        why = []
        if orders <= -VANISHING_ORDERS:
            why.append(f"gradient at initialization vanishes towards the input (first conv layer {orders_text(orders)}), "
                       "so its first layers barely move")
        elif orders >= VANISHING_ORDERS:
            why.append(f"gradient at initialization grows towards the input (first conv layer {orders_text(orders)}), "
                       "so its first layers take steps too large to settle")
        bn = f"{n}_bn"
        if not n.endswith("_bn") and bn in chance and not chance[bn]["at_chance"]:
            healthy = -VANISHING_ORDERS < orders < VANISHING_ORDERS
            why.append(f"the same stack with batch normalization trains (test accuracy {chance[bn]['accuracy']:.3f}), so "
                       + ("batch normalization is what it lacks; its gradient at initialization reaches the input "
                          f"(first conv layer {orders_text(orders)}), so a vanishing gradient does not explain it, and "
                          "this study does not isolate what does (the scale of the activations through the residual "
                          "sums, or a learning rate too large for the unnormalized stack)" if healthy else
                          "without it the signal and its gradient lose their scale across the layers"))
        if why:
            text = f"{capital(runs[n].label)}: " + "; ".join(why)
            out.append(text[:1].upper() + text[1:] + ".")
    pairs = ["without batch norm" if bn == "" else "with batch norm" for bn in ("", "_bn")
             if f"plain_deep{bn}" in stuck and f"residual_deep{bn}" in stuck]
    if pairs:
        out.append(f"As both stacks {join(pairs)} learned nothing, their accuracies below say nothing about residual "
                   "connections; only their gradients at initialization compare them.")
    return " ".join(out)


def training_sentence(runs: dict, verdicts: dict, chance: dict | None = None) -> str:
    """Final training loss (on the fit images after training, mean over seeds, as in the table) and test accuracy
    of each pair; a pair that stayed at chance (`chance`, from `steps.chance`) is said to be at chance instead of
    being given an ordinary verdict."""
    from mlplab.depth.steps import train_losses

    chance = chance or {}
    out = []
    for bn, what in (("", "Without batch norm"), ("_bn", "With batch norm")):
        p, r = runs[f"plain_deep{bn}"], runs[f"residual_deep{bn}"]
        v = verdicts[f"accuracy{bn}"]
        lp, lr_ = float(np.mean(train_losses(p))), float(np.mean(train_losses(r)))
        still = [n for n, run in (("plain", p), ("residual", r))
                 if float(run.history["train_loss"].iloc[-1]) >= float(run.history["train_loss"].iloc[0]) * 0.9]
        stuck = ("" if not still else "; both curves of the first seed barely moved from their first epoch"
                 if len(still) == 2 else f"; the {still[0]} one's curve barely moved from its first epoch")
        clause = (f"{what}, the plain stack ends training at a loss of {lp:.3f} on the fit images and the residual one "
                  f"at {lr_:.3f} (means over seeds{stuck}); test accuracy {p.mean('accuracy'):.3f} against "
                  f"{r.mean('accuracy'):.3f}")
        at = [name for name, key in (("plain", f"plain_deep{bn}"), ("residual", f"residual_deep{bn}"))
              if chance.get(key, {}).get("at_chance")]
        if len(at) == 2:
            clause += (", both at chance on every seed: neither learned, so no verdict is drawn on their accuracies; "
                       "the noise rule would compare two guessers, not the residual connections")
        else:
            if at:
                clause += f" (the {at[0]} stack at chance on every seed)"
            clause += (f", so the residual stack is {V.relation(v)} the plain one: {V.interval_text(v, digits=3)}")
        out.append(clause)
    return ". ".join(out) + "."


def claims_sentence(claims: list[dict]) -> str:
    from mlplab.depth import CLAIM_STATUSES, CONFIRMED, NOT_REPRODUCED

    counts = {k: sum(c["status"] == k for c in claims) for k in CLAIM_STATUSES}
    parts = [f"{n} {k}" for k, n in counts.items() if n]
    text = f"Of the source's {len(claims)} claims, {join(parts)} by the noise rule on our seeds."
    conf = [c["claim"].split(" (")[0] for c in claims if c["status"] == CONFIRMED]
    missed = [c["claim"].split(" (")[0] for c in claims if c["status"] == NOT_REPRODUCED]
    if conf:
        text += f" Confirmed: {join(conf)}."
    if missed:
        text += (f" Not reproduced at this budget: {join(missed)} (our runs do not show it; with narrowed networks "
                 "trained briefly on a few thousand images, that does not refute the source).")
    return text


def baselines_sentence(table: pd.DataFrame, fashion: dict | None, fit_images: int, epochs: int) -> str:
    """The three architectures against the MLP on pixels and the source's CNN of the Fashion-MNIST chapter
    (its results file), which train on all its fit images: if they score below, the text says so and why
    the source's claims are then not reproduced at this budget. Different fit and test images: no noise
    rule, a plain comparison of means."""
    if fashion is None:
        return ("The Fashion-MNIST chapter's results are missing, so the architectures are not set against its MLP "
                "and the source's CNN.")
    m = fashion["models"]
    split = fashion.get("extra", {}).get("split", {})
    refs = [(m[k]["label"], float(m[k]["seeds"]["mean"]["accuracy"])) for k in ("mlp", "cnn_source") if k in m]
    if not refs:
        return ""
    acc = dict(zip(table["network"], table["test accuracy"]))
    floor = min(a for _, a in refs)
    below = [n for n, a in acc.items() if a < floor]
    ref_text = join([f"{lbl} ({a:.3f})" for lbl, a in refs])
    where = (f"trained on {split['fit']:,} fit images and tested on {split['test']:,} test images"
             if split.get("fit") and split.get("test") else "trained on that chapter's images")
    if len(below) == len(acc):
        lo, hi = min(acc.values()), max(acc.values())
        return (f"All three architectures ({lo:.3f} to {hi:.3f} test accuracy) score below {ref_text} of @sec-fashion, "
                f"{where} (not this chapter's images, so no noise-rule verdict): with {fit_images:,} fit images and "
                f"{epochs} epochs these networks are far from trained, so the source's claims about them are tested at "
                "this budget only, and a claim our runs do not show is not reproduced at this budget rather than "
                "refuted.")
    if below:
        return (f"{join(below)} score{'s' if len(below) == 1 else ''} below {ref_text} of @sec-fashion, {where} (not "
                f"this chapter's images, so no noise-rule verdict): at {fit_images:,} fit images and {epochs} epochs "
                "the architectures are not fully trained.")
    low_label, low = min(refs, key=lambda t: t[1])
    return (f"All three architectures score at least as high as {low_label} ({low:.3f}) of @sec-fashion, {where}, "
            f"despite training on {fit_images:,} fit images for {epochs} epochs (different images, so no noise-rule "
            "verdict).")


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
    listed = join([f"{c} groups ({p:,} parameters, {s:.1f} s per epoch)" for c, _, p, s, _ in rows])
    return (f"At a fixed total width of the grouped convolutions the cardinalities compared are {listed}; their test "
            "accuracies, and the noise rule's verdict on each difference, are in @tbl-depth-cardinality.")


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


def loss_caption(runs: dict, chance: dict | None = None) -> str:
    """`chance`: `steps.chance`'s records; stacks at chance on every seed are named as the curves on the dotted
    line (two of them lie on top of each other there)."""
    finals = {n: float(runs[n].history["train_loss"].iloc[-1]) for n in ("plain_deep", "residual_deep",
                                                                          "plain_deep_bn", "residual_deep_bn")}
    low = min(finals, key=finals.get)
    high = max(finals, key=finals.get)
    text = ("Training loss per epoch of the four deep stacks (first seed; the dotted line, ln 10 = 2.303, is a uniform "
            "guess's). ")
    stuck = [n for n in finals if chance and chance.get(n, {}).get("at_chance")]
    if stuck:
        text += (f"{capital(join([runs[n].label for n in stuck]))} {'stays' if len(stuck) == 1 else 'stay'} at chance "
                 "on every seed (a guess's test accuracy)")
        # on the line only when the drawn (first-seed) curve ends there
        on = [n for n in stuck if abs(finals[n] - chance[n]["chance_loss"]) <= 0.01 * chance[n]["chance_loss"]]
        if len(on) > 1:
            text += f"; the curves of {join([runs[n].label for n in on])} lie on top of each other on the dotted line"
        elif on:
            text += f"; the curve of {runs[on[0]].label} lies on the dotted line"
        text += ". "
    # the plotted first seed's curve, not the table's seed means on the fit images (0.444 beside 0.404 confused)
    return (text + f"Lowest at the end of its first-seed curve: {runs[low].label} ({finals[low]:.3f}); highest: "
            f"{runs[high].label} ({finals[high]:.3f}).")


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
    best = table.sort_values("test accuracy").iloc[-1]
    return ("Parameters, convolution layers, seconds per epoch, train and validation accuracy, final validation loss "
            f"and test accuracy, each the mean over the seeds. The most accurate is {best['network']} "
            f"({best['test accuracy']:.4f}); the smallest {small['network']} ({int(small['parameters']):,} parameters).")


def deep_table_caption(table: pd.DataFrame) -> str:
    from mlplab.depth.steps import INIT_COLUMN

    worst = table.sort_values(INIT_COLUMN).iloc[0]
    return ("The four deep stacks: depth, parameters, the log10 ratio of the first conv layer's gradient norm to "
            "the last's (0: a healthy ratio of 1) at initialization and after training, the training loss at the end "
            "(fit images) and test accuracy, each the mean over the seeds. The weakest gradient at the input at "
            f"initialization: {worst['network']} ({worst[INIT_COLUMN]:+.1f}).")


def claims_caption(claims: list[dict]) -> str:
    from mlplab.depth import CONFIRMED, NOT_REPRODUCED

    n = sum(c["status"] == CONFIRMED for c in claims)
    missed = sum(c["status"] == NOT_REPRODUCED for c in claims)
    return (f"The source's claims (its numbers in brackets) tested on our seeds with the noise rule: "
            f"{n} of {len(claims)} confirmed" + (f", {missed} not reproduced at this budget" if missed else "") + ".")


def cardinality_caption(table: pd.DataFrame) -> str:
    decided = table.loc[table["verdict"].isin([V.BETTER, V.WORSE])]
    take = ("No cardinality differs from the default's beyond the noise." if decided.empty else
            f"Beyond the noise: {join([f'{c} ({w})' for c, w in zip(decided['change'], decided['verdict'])])}.")
    if len(table) == 1:
        take = "Only the default cardinality ran."
    return ("ResNeXt at each cardinality, same total width of the grouped convolutions: groups, channels per group, "
            "parameters, test accuracy, and against the default the paired difference over the seeds with its 95 % "
            "interval and the noise rule's verdict. " + take)
