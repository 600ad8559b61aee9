"""The depth notebook's sections: vanishing gradients in a deep plain CNN against the same depth with
residual connections (batch norm off and on), then VGG-16-C, ResNet-18 and ResNeXt adapted to 28 × 28.

Protocol: the Fashion-MNIST chapter's (mlplab.fashion.steps.setup): official test images, a
stratified validation share of the training images, seeds that vary only the training randomness.
To fit a CPU, every network here trains on a stratified subset of the fit images (`train_images`)
for a fixed number of epochs with the same optimizer, learning rate and batch size; the
subset, widths and epochs are parameters and the text states them. Nothing is selected: this is a
study, so `recommended` is null.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import train_test_split

from mlplab.depth import CLAIM_STATUSES, CONFIRMED, NOT_DECIDED, NOT_REPRODUCED  # noqa: F401
from mlplab.experiment import fanout
from mlplab.experiment.protocol import Rows
from mlplab.experiment.record import Run
from mlplab.experiment.tables import difference_cell, interval_cell
from mlplab.experiment.tasks import Classification
from mlplab.experiment.verdict import BETTER, PAR, WORSE, Verdict, compare, margin_for
from mlplab.fashion import steps as fs
from mlplab.fashion.net import CNNClassifier
from mlplab.models.residual import DeepStack, ResNet18, ResNeXt, VGG16C, gradient_norms

NB = "depth"
DEEP = {"plain_deep": (False, False), "residual_deep": (True, False), "plain_deep_bn": (False, True),
        "residual_deep_bn": (True, True)}
DEEP_LABELS = {"plain_deep": "the plain deep CNN", "residual_deep": "the residual deep CNN",
               "plain_deep_bn": "the plain deep CNN with batch norm",
               "residual_deep_bn": "the residual deep CNN with batch norm"}
ARCH_LABELS = {"vgg16c": "VGG-16-C", "resnet18": "ResNet-18", "resnext": "ResNeXt"}
PARAMETERS = ("profile", "data_path", "download", "max_test", "valid_size", "valid_images", "train_images", "seeds",
              "n_jobs",
              "threads", "device", "tracking", "deep_blocks", "deep_width", "deep_epochs", "deep_lr", "init", "probe_images",
              "arch_epochs", "arch_lr", "vgg_width", "resnet_width", "resnext_width", "cardinality", "group_width",
              "cardinalities", "optimizer", "batch_size")
# The source's table (30,000 images of dogs, food and vehicles; LABS-PUBLISHED.md), quoted for the claims.
SOURCE = {"vgg16c": {"train_accuracy": 0.9944, "validation_accuracy": 0.8940, "validation_loss": 1.2873},
          "resnet18": {"train_accuracy": 0.8097, "validation_accuracy": 0.8989, "validation_loss": 0.5344},
          "resnext": {"train_accuracy": 0.87, "validation_accuracy": 0.9061, "validation_loss": 0.4661}}
SOURCE_GRADIENTS = {"plain": ((3, 1e-8), (15, 1e-6), (27, 1e-4), (38, 1e-2))}


class LossTask(Classification):
    """The classification scores plus the cross-entropy (`log_loss`, nats) of each part, from one
    probability pass: the depth study compares validation losses seed by seed."""

    def score(self, model, part) -> dict:
        from mlplab.metrics import classification_metrics

        proba = np.asarray(model.predict_proba(part.X), dtype=float)
        classes = np.asarray(model.classes_)
        y = np.asarray(part.y)
        out = classification_metrics(y, classes[proba.argmax(axis=1)], self.labels)
        codes = np.searchsorted(classes, y)
        out["log_loss"] = float(-np.mean(np.log(np.clip(proba[np.arange(len(y)), codes], 1e-12, None))))
        return out


def setup(data, seeds, *, valid_size: float, n_jobs: int = 1, threads: int = 1, device: str = "cpu") -> fs.Setup:
    st = fs.setup(data, seeds, valid_size=valid_size, n_jobs=n_jobs, threads=threads, device=device)
    st.task = LossTask(list(fs.CLASSES), headline="accuracy")
    st.protocol = replace(st.protocol, selection="nothing is selected (a study): every network trains with the same "
                          "optimizer, learning rate, batch size and epochs; seeds vary only the training randomness")
    return st


def training_splits(st: fs.Setup, n: int, n_valid: int = 0):
    """Every seed's split with a stratified `n` of the fit images and `n_valid` of the validation images
    (0: all); the test images unchanged."""
    s = st.splits[0]
    fit, valid = _stratified_rows(s.fit, n, st.seeds[0]), _stratified_rows(s.validation, n_valid, st.seeds[0])
    return [replace(sp, fit=fit, validation=valid) for sp in st.splits]


def _stratified_rows(rows: Rows, n: int, seed: int) -> Rows:
    if not n or n >= len(rows):
        return rows
    keep, _ = train_test_split(np.arange(len(rows)), train_size=int(n), stratify=rows.y, random_state=seed)
    keep = np.sort(keep)
    return Rows(rows.X[keep], rows.y[keep])


def probe_batch(splits, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """A fixed stratified batch of fit images for the gradient probe (uint8 images, class codes)."""
    fit = splits[0].fit
    n = min(int(n), len(fit))
    idx = np.arange(len(fit)) if n >= len(fit) else np.sort(train_test_split(
        np.arange(len(fit)), train_size=n, stratify=fit.y, random_state=seed)[0])
    codes = np.searchsorted(np.array(sorted(fs.CLASSES), dtype=object), fit.y[idx])  # the nets' class order
    return torch.as_tensor(np.ascontiguousarray(fit.X[idx]))[:, None], torch.as_tensor(codes, dtype=torch.long), idx


def net(module, module_kwargs: dict, *, epochs: int, lr: float, optimizer: str, batch_size: int, seed: int,
        device: str = "cpu"):
    # A stack that learns nothing drives its activations towards zero; subnormal floats then make a CPU epoch up to
    # 40 times slower (the residual stack without batch norm: one epoch of 269 s beside 6 s). Flushing them to zero
    # (this worker process) changes no value a float32 network can use.
    torch.set_flush_denormal(True)
    kw = {f"module__{k}": v for k, v in module_kwargs.items()}
    extra = {"optimizer__nesterov": True} if optimizer == "sgd" else {}
    return CNNClassifier(module=module, max_epochs=int(epochs), lr=float(lr), optimizer=optimizer,
                         batch_size=int(batch_size), lr_schedule="cosine", seed=seed, train_metric_rows=2_000, device=device,
                         **kw, **extra)


def probe(probe_X: torch.Tensor, probe_y: torch.Tensor):
    """A `describe` hook: the trained network's per-layer gradient norms on the probe batch, and its
    seconds per epoch."""
    def describe(model) -> dict:
        dev = next(model.module_.parameters()).device
        names, norms = gradient_norms(model.module_, probe_X.to(dev), probe_y.to(dev))
        return {"layers": names, "trained": norms, "seconds_per_epoch": float(np.mean(model.history[:, "dur"]))}
    return describe


def init_norms(module_cls, kwargs: dict, seed: int, probe_X, probe_y) -> tuple[list[str], list[float]]:
    """Per-layer gradient norms of the network as initialised with `seed` (what its fit starts from)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = module_cls(d_in=1, d_out=len(fs.CLASSES), **kwargs)
    return gradient_norms(module, probe_X, probe_y)


def study(st: fs.Setup, splits, specs: dict[str, tuple], *, epochs: int, lr: float, optimizer: str, batch_size: int,
          probe_X, probe_y, threads: int = 1, every_curve: bool = False) -> dict[str, Run]:
    """Fit each {name: (module class, kwargs, label)} on every seed; record gradient norms at init and
    after training (per seed), the architecture's parameter count and seconds per epoch. Per-epoch
    curves are kept for the first seed, or for every seed with `every_curve` (per-seed stability)."""
    jobs = []
    for name, (cls, kwargs, label) in specs.items():
        build = (lambda c, k: lambda info: net(c, k, epochs=epochs, lr=lr, optimizer=optimizer, batch_size=batch_size,
                                               seed=info.seed, device=st.device))(cls, kwargs)
        new = fanout.jobs_for(name, build, splits, role="variant", label=label, curves=True, cost=3.0,
                              settings={**kwargs, "epochs": epochs, "lr": lr, "optimizer": optimizer,
                                        "batch_size": batch_size, "fit_images": len(splits[0].fit)},
                              describe=probe(probe_X, probe_y), threads=threads)
        for job in new:
            job.curves = job.curves or every_curve
        jobs += new
    runs = fanout.run(jobs, splits, st.task, n_jobs=max(1, st.n_jobs // max(1, threads)), scheduler=st.scheduler)
    for name, (cls, kwargs, _) in specs.items():
        r = runs[name]
        init = [init_norms(cls, kwargs, s.seed, probe_X, probe_y) for s in r.splits]
        layers = init[0][0]
        per_seed_init = [n for _, n in init]
        per_seed_trained = [s.settings.pop("trained") for s in r.splits]
        for s in r.splits:
            s.settings.pop("layers", None)
        module = cls(d_in=1, d_out=len(fs.CLASSES), **kwargs)
        per_epoch = [s.settings.pop("seconds_per_epoch") for s in r.splits]
        r.info.update({
            "layers": layers, "grad_norms": {"init": geometric_mean(per_seed_init),
                                             "trained": geometric_mean(per_seed_trained)},
            "grad_norms_per_seed": {"init": per_seed_init, "trained": per_seed_trained},
            "parameters": int(sum(p.numel() for p in module.parameters())),
            "conv_layers": sum(1 for n in layers if n.startswith("conv")),
            "seconds_per_epoch": float(np.median(per_epoch)),
        })
    st.runs.update(runs)
    return runs


def geometric_mean(rows: list[list[float]]) -> list[float]:
    """Per layer, the geometric mean over seeds (gradient norms span orders of magnitude)."""
    arr = np.log10(np.clip(np.asarray(rows, dtype=float), 1e-300, None))
    return (10 ** arr.mean(axis=0)).tolist()


def deep_specs(blocks: int, width: int, init: str) -> dict[str, tuple]:
    return {name: (DeepStack, {"blocks": int(blocks), "width": int(width), "residual": res, "batch_norm": bn,
                               "init": init}, DEEP_LABELS[name]) for name, (res, bn) in DEEP.items()}


def arch_specs(*, vgg_width: int, resnet_width: int, resnext_width: int, cardinality: int, group_width: int,
               cardinalities=(), init: str = "default") -> dict[str, tuple]:
    """VGG-16-C, ResNet-18, ResNeXt (and ResNeXt at other cardinalities with the same total width of the
    grouped convolutions, cardinality × group width)."""
    specs = {"vgg16c": (VGG16C, {"width": int(vgg_width), "init": init}, "VGG-16-C"),
             "resnet18": (ResNet18, {"width": int(resnet_width), "init": init}, "ResNet-18"),
             "resnext": (ResNeXt, {"width": int(resnext_width), "cardinality": int(cardinality),
                                   "group_width": int(group_width), "init": init},
                         f"ResNeXt ({cardinality} groups of {group_width})")}
    total = int(cardinality) * int(group_width)
    for c in cardinalities:
        c = int(c)
        if c == cardinality or total % c:
            continue
        specs[f"resnext_c{c}"] = (ResNeXt, {"width": int(resnext_width), "cardinality": c, "group_width": total // c,
                                            "init": init}, f"ResNeXt ({c} groups of {total // c})")
    return specs


# ---- measurements per seed ---------------------------------------------------------------------------

def gap(run: Run) -> list[float]:
    """Per seed: train accuracy − validation accuracy (eval mode, at the end of training)."""
    return [s.train["accuracy"] - s.validation["accuracy"] for s in run.splits]


def gradient_ratio(run: Run, when: str = "init") -> list[float]:
    """Per seed: log10 of (first conv layer's gradient norm / last conv layer's): 0 means the gradient
    reaches the input as strong as the output; −k means k orders of magnitude weaker."""
    layers = run.info["layers"]
    convs = [i for i, n in enumerate(layers) if n.startswith("conv")]
    out = []
    for norms in run.info["grad_norms_per_seed"][when]:
        first, last = norms[convs[0]], norms[convs[-1]]
        out.append(math.log10(max(first, 1e-300) / max(last, 1e-300)))
    return out


def gradient_distance(run: Run, when: str = "init") -> list[float]:
    """Per seed: |log10 (first conv layer's gradient norm / last's)|, the distance from a ratio of 1 on a log
    scale. A healthy gradient reaches the input about as strong as it leaves the output; a tenfold growth is
    as far from that as a tenfold shrinkage, so smaller is better either way."""
    return [abs(x) for x in gradient_ratio(run, when)]


CHANCE_TOLERANCE = 0.05   # a test accuracy within this of 1/classes counts as chance


def train_losses(run: Run) -> list[float]:
    """Per seed: the cross-entropy (nats) on the fit images at the end of training (eval mode)."""
    return [float(s.train["log_loss"]) for s in run.splits]


def at_chance(run: Run, n_classes: int = len(fs.CLASSES), tolerance: float = CHANCE_TOLERANCE) -> bool:
    """True when the network learned nothing on any seed: every seed's test accuracy is within `tolerance` of
    1/n_classes (guessing). Its loss then stays near ln(n_classes), the cross-entropy of a uniform guess."""
    return bool(run.splits) and all(abs(a - 1.0 / n_classes) <= tolerance for a in run.values("accuracy"))


def uniform_loss(n_classes: int = len(fs.CLASSES)) -> float:
    """The cross-entropy of a uniform guess, ln(n_classes): where a network that learned nothing stays."""
    return math.log(n_classes)


def chance(runs: dict[str, Run], n_classes: int = len(fs.CLASSES)) -> dict[str, dict]:
    """For each deep stack: whether it stayed at chance on every seed, its mean test accuracy, its mean final
    training loss and ln(n_classes), what a uniform guess scores."""
    return {n: {"at_chance": at_chance(runs[n], n_classes), "accuracy": runs[n].mean("accuracy"),
                "train_loss": float(np.mean(train_losses(runs[n]))), "chance_loss": math.log(n_classes),
                "chance_accuracy": 1.0 / n_classes} for n in DEEP if n in runs}


def layer_norm(run: Run, index: int, when: str = "init") -> float | None:
    """Gradient norm of conv layer `index` (1-based, as the source counts), or None beyond the depth."""
    convs = [i for i, n in enumerate(run.info["layers"]) if n.startswith("conv")]
    if index > len(convs):
        return None
    return float(run.info["grad_norms"][when][convs[index - 1]])


# Short headers: Typst justified and hyphenated the long ones in a narrow column ("gra-dient").
INIT_COLUMN, TRAINED_COLUMN = "log10 ratio at init", "log10 ratio trained"


def deep_rows(runs: dict[str, Run]) -> pd.DataFrame:
    rows = []
    for name in DEEP:
        r = runs[name]
        rows.append({"network": r.label, "conv layers": r.info["conv_layers"], "parameters": r.info["parameters"],
                     INIT_COLUMN: float(np.mean(gradient_ratio(r, "init"))),
                     TRAINED_COLUMN: float(np.mean(gradient_ratio(r, "trained"))),
                     "train loss": float(np.mean(train_losses(r))),
                     "test accuracy": r.mean("accuracy")})
    return pd.DataFrame(rows)


def deep_verdicts(runs: dict[str, Run]) -> dict[str, Verdict]:
    """The noise rule on the depth study's questions (seeds paired). Gradient health is the distance of the
    first/last ratio from 1 on a log scale (`gradient_distance`, lower is better): a stack whose gradient
    grows tenfold towards the input is no healthier than one whose gradient shrinks tenfold."""
    out = {}
    for bn in ("", "_bn"):
        p, r = runs[f"plain_deep{bn}"], runs[f"residual_deep{bn}"]
        out[f"gradient{bn}"] = compare(gradient_distance(r), gradient_distance(p), higher_is_better=False,
                                       margin=margin_for("gradient_log10"))
        out[f"accuracy{bn}"] = compare(r.values("accuracy"), p.values("accuracy"), higher_is_better=True,
                                       margin=margin_for("accuracy"))
        out[f"train_accuracy{bn}"] = compare(r.values("accuracy", "train"), p.values("accuracy", "train"),
                                             higher_is_better=True, margin=margin_for("accuracy"))
    return out


def stability(run: Run) -> list[float]:
    """Per seed with a curve: the standard deviation of the validation loss over the second half of the
    epochs, how much it still moves once training has settled (lower: more stable)."""
    out = []
    for s in run.splits:
        h = s.detail.get("history")
        if h is None or "validation_loss" not in h or len(h) < 4:
            continue
        v = h["validation_loss"].to_numpy(float)
        out.append(float(np.std(v[len(v) // 2:], ddof=1)))
    return out


def arch_rows(runs: dict[str, Run], names) -> pd.DataFrame:
    rows = []
    for n in names:
        r = runs[n]
        rows.append({"network": r.label, "parameters": r.info["parameters"], "conv layers": r.info["conv_layers"],
                     "s/epoch": r.info["seconds_per_epoch"], "train accuracy": r.mean("accuracy", "train"),
                     "validation accuracy": r.mean("accuracy", "validation"),
                     "validation loss": float(np.mean([s.validation["log_loss"] for s in r.splits])),
                     "test accuracy": r.mean("accuracy"), "test SD": r.std("accuracy")})
    return pd.DataFrame(rows)


def claims(runs: dict[str, Run]) -> list[dict]:
    """The source's claims about VGG-16, ResNet-18 and ResNeXt, each tested with the noise rule on our
    seeds: confirmed (decided in the claimed direction), not reproduced at this budget (decided the other
    way, or on a par: our networks are narrowed and trained on a few thousand images for a few epochs, so a
    claim the runs do not show is not thereby refuted) or undecided (the interval settles neither, or too few runs). Validation
    loss per seed is the final validation loss in eval mode."""
    def val_loss(r: Run) -> list[float]:
        return [s.validation["log_loss"] for s in r.splits]

    v, r, x = runs["vgg16c"], runs["resnet18"], runs["resnext"]
    tests = [
        (("VGG-16 overfits more than ResNet-18 (train − validation accuracy: 10.0 against −8.9 points; the source's "
          "ResNet-18 scored higher on validation than on training)"),
         "gap", compare(gap(v), gap(r), higher_is_better=True, margin=margin_for("accuracy_gap"))),
        ("VGG-16's validation loss is higher than ResNet-18's (1.29 against 0.53)", "validation loss",
         compare(val_loss(v), val_loss(r), higher_is_better=True, margin=margin_for("log_loss", val_loss(r)))),
        ("ResNeXt's validation accuracy is higher than ResNet-18's (90.61 % against 89.89 %)", "validation accuracy",
         compare(x.values("accuracy", "validation"), r.values("accuracy", "validation"), higher_is_better=True,
                 margin=margin_for("accuracy"))),
        ("ResNeXt's validation accuracy is higher than VGG-16's (90.61 % against 89.40 %)", "validation accuracy",
         compare(x.values("accuracy", "validation"), v.values("accuracy", "validation"), higher_is_better=True,
                 margin=margin_for("accuracy"))),
        ("ResNeXt's validation loss is lower than ResNet-18's (0.47 against 0.53)", "validation loss",
         compare(val_loss(x), val_loss(r), higher_is_better=False, margin=margin_for("log_loss", val_loss(r)))),
    ]
    sv, sr = stability(v), stability(r)
    if len(sv) == len(sr) and sv:
        tests.append(("ResNet-18's validation loss is more stable than VGG-16's (it moved within 0.53–0.58 while "
                      "VGG-16's ranged 0.89–1.29)", "spread of the validation loss, second half of the epochs",
                      compare(sr, sv, higher_is_better=False, margin=margin_for("loss_spread", sv))))
    out = []
    for text, what, verdict in tests:
        status = (CONFIRMED if verdict.word == BETTER else NOT_REPRODUCED if verdict.word in (WORSE, PAR)
                  else NOT_DECIDED)
        out.append({"claim": text, "measure": what, "status": status, **verdict.to_dict()})
    return out


def cardinality_names(runs: dict[str, Run]) -> list[str]:
    return [n for n in runs if n == "resnext" or n.startswith("resnext_c")]


def cardinality_table(runs: dict[str, Run], names: list[str]) -> tuple[pd.DataFrame, list[dict]]:
    """Each ResNeXt (default first): groups, channels per group, parameters, test accuracy, and against
    the default the paired difference, its 95 % interval and the noise rule's verdict."""
    from mlplab.experiment.verdict import compare_runs, record

    rows, records = [], []
    ref = runs["resnext"]
    for n in ["resnext", *[m for m in names if m != "resnext"]]:
        r = runs[n]
        row = {"change": r.label, "groups": r.settings["cardinality"], "channels per group": r.settings["group_width"],
               "parameters": r.info["parameters"], "test accuracy": r.mean("accuracy")}
        if n == "resnext":
            row.update({"difference": "–", "95 % interval": "–", "n": r.n, "verdict": "reference"})
        else:
            v = compare_runs(r, ref, "accuracy", higher_is_better=True, test_train_ratio=None)
            records.append(record("cardinality", n, "resnext", "accuracy", v))
            row.update({"difference": difference_cell(v), "95 % interval": interval_cell(v), "n": v.n,
                        "verdict": v.word})
        rows.append(row)
    return pd.DataFrame(rows), records


def claims_table(claims: list[dict]) -> pd.DataFrame:
    """One row per claim: the difference in the claim's direction with its interval, and the status the noise rule
    gives the claim. No verdict column: its 'better' meant 'in the claim's direction' (it read 'better' beside
    'VGG-16's validation loss is higher'), which the status says plainly."""

    return pd.DataFrame([{"claim (the source's numbers)": c["claim"], "measured on": c["measure"],
                          "difference": difference_cell(c), "95 % interval": interval_cell(c), "n": c["n"],
                          "status": c["status"]} for c in claims])


def grad_entries(runs: dict[str, Run], names) -> dict[str, dict]:
    return {n: {"label": runs[n].label, "layers": runs[n].info["layers"], **runs[n].info["grad_norms"]} for n in names}


def results(st: fs.Setup, runs: dict[str, Run], *, profile: str, params: dict, provenance: dict, timings: dict,
            verdicts: dict, claims: list[dict], card_records: list[dict], fit_images: int, tracking=None) -> dict:
    """The results document (schema: notebook depth; `recommended` null with a reason)."""
    from mlplab.depth.narrative import recommended_reason
    from mlplab.experiment import document
    from mlplab.experiment.verdict import record

    pairs = {"gradient": ("residual_deep", "plain_deep"), "gradient_bn": ("residual_deep_bn", "plain_deep_bn"),
             "accuracy": ("residual_deep", "plain_deep"), "accuracy_bn": ("residual_deep_bn", "plain_deep_bn"),
             "train_accuracy": ("residual_deep", "plain_deep"), "train_accuracy_bn": ("residual_deep_bn", "plain_deep_bn")}
    metric = {"gradient": "|log10 first/last conv gradient norm| at init", "accuracy": "accuracy",
              "train_accuracy": "accuracy"}
    verdict_list = [record(f"depth_{k}", *pairs[k], metric[k.removesuffix("_bn")], v,
                           part="train" if k.startswith("train") else "test") for k, v in verdicts.items()]
    verdict_list += list(card_records)
    extra = {"fit_images": fit_images, "split": fs.split_sizes(st),
             "gradient_ratio": {n: {"init": gradient_ratio(runs[n], "init"), "trained": gradient_ratio(runs[n], "trained")}
                                for n in DEEP},
             "chance": chance(runs),
             "source_layers": {str(i): layer_norm(runs["plain_deep"], i) for i in (3, 15, 27, 38)},
             "claims": claims, "source": SOURCE,
             "stability": {n: stability(runs[n]) for n in ("vgg16c", "resnet18", "resnext")},
             "tracking": tracking.describe() if tracking is not None else {"backend": "none"}}
    return document.build(NB, profile=profile, params=params, provenance=provenance, protocol=st.protocol,
                          timings=timings, runs=runs, best_params={}, recommended=None, reason=recommended_reason(),
                          verdicts=verdict_list, history=tuple(runs), extra=extra)
