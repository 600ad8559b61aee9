"""The transfer notebook's sections as functions over the experiment core.

Protocol (holdout, few labels): one fixed set of validation images and one fixed test set (see
mlplab.transfer.data). For every seed and label budget k, the labelled training images are k per class
drawn from the pool with that seed (nested across budgets); the seed also drives every network's
initialization of its new layers, batch order, dropout and drop-connect. Every regime trains on exactly
those labelled images, so the noise rule pairs the regimes seed by seed at each budget (the seeds vary the
labelled draw and the training randomness, not the test images: no Nadeau-Bengio correction).

What selects, on the validation images only: the logistic regressions' C (per budget, on the first
seed's labelled images) and the recommended model. The resolution is a parameter; the resolution study
(frozen Lite0 features on validation images, and each resolution's throughput) says what it costs. The
test images are scored once per model and seed.

Results keys: `<model>_k<k>` (k = labelled images per class), e.g. `lite0_finetune_k100`; each entry
carries `model`, `regime`, `variant` and `budget` ({per_class, images}).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from sklearn.model_selection import PredefinedSplit

from mlplab.errors import UserError
from mlplab.experiment import fanout
from mlplab.experiment.protocol import OuterSplit, Protocol, Rows
from mlplab.experiment.record import Run
from mlplab.experiment.tables import difference_cell, interval_cell
from mlplab.experiment.tasks import Classification
from mlplab.transfer import data as D
from mlplab.transfer import models as mo

NB = "transfer"
METRIC = "accuracy"
REGIMES = ("cnn_scratch", "features", "finetune", "random")
PARAMETERS = ("profile", "data_path", "download", "valid_images", "max_test", "test_share", "budgets",
              "headline_budget", "seeds", "resolution", "resolutions", "resolution_budget", "variants", "epochs",
              "batch_size", "lr", "backbone_lr", "weight_decay", "dropout", "cnn_blocks", "cnn_hidden", "cnn_lr",
              "logreg_C", "imagenet_images", "n_jobs", "threads", "device", "tracking")


def key(model: str, k: int) -> str:
    """The results key of `model` at budget k (labelled images per class)."""
    return f"{model}_k{int(k)}"


def model_label(model: str) -> str:
    """A model name in words ("EfficientNet-Lite0, fine-tuned"), never the identifier."""
    from mlplab.models.lite import LABELS

    if model == "cnn_scratch":
        return "the lab's CNN from scratch"
    if model == "logreg_pixels":
        return "logistic regression on pixels"
    variant, regime = model.split("_", 1)
    return {"features": f"frozen {LABELS[variant]} features", "finetune": f"fine-tuned {LABELS[variant]}",
            "random": f"{LABELS[variant]} from random initialization"}[regime]


@dataclass
class Setup:
    """What every section shares: the images, the labelled positions per seed and budget, the task."""

    data: D.TransferData
    seeds: list[int]
    budgets: list[int]
    labelled: dict[int, dict[int, np.ndarray]]   # seed -> k -> pool positions
    task: Classification
    protocol: Protocol
    n_jobs: int = 1
    threads: int = 1
    device: str = "cpu"
    runs: dict = field(default_factory=dict)
    features: dict = field(default_factory=dict)   # variant -> {"pool": {pos: row}, "F_pool", "F_valid", "F_test"}
    throughput: dict = field(default_factory=dict)  # variant -> {"features": img/s, "finetune": img/s, "load": ...}

    def splits(self, k: int, X_pool=None, X_valid=None, X_test=None, rows=None) -> list[OuterSplit]:
        """One OuterSplit per seed at budget k: the seed's labelled images, the validation and test images
        (given arrays replace the images, e.g. by their features; `rows` maps pool positions to them)."""
        d = self.data
        Xp = d.X_pool if X_pool is None else X_pool
        valid = Rows(d.X_valid if X_valid is None else X_valid, d.y_valid)
        test = Rows(d.X_test if X_test is None else X_test, d.y_test)
        out = []
        for i, seed in enumerate(self.seeds):
            pos = self.labelled[seed][k]
            idx = pos if rows is None else np.asarray([rows[p] for p in pos])
            out.append(OuterSplit(i, seed, Rows(Xp[idx], d.y_pool[pos]), valid, test))
        return out

    def run(self, jobs, splits, *, n_jobs: int | None = None) -> dict[str, Run]:
        out = fanout.run(jobs, splits, self.task, n_jobs=self.n_jobs if n_jobs is None else n_jobs)
        self.runs.update(out)
        return out

    @property
    def net_jobs(self) -> int:
        return max(1, int(self.n_jobs) // max(1, int(self.threads)))


def load(data_path: str = "", *, download: bool = False, resolution: int, valid_images: int, max_test: int,
         test_share: float, seed: int) -> D.TransferData:
    """Fashion-MNIST (default) or a folder set at `data_path` (read at the networks' resolution)."""
    if data_path:
        from mlplab.data.images import load_image_folder
        from mlplab.data.resolve import explicit_path

        folder = load_image_folder(explicit_path(data_path), size=int(resolution))
        return D.from_folder(folder, valid_images=valid_images, max_test=max_test, test_share=test_share, seed=seed)
    from mlplab.data.fashion_mnist import load_fashion_mnist

    return D.from_fashion(load_fashion_mnist(None, download=download), valid_images=valid_images, max_test=max_test,
                          seed=seed)


def setup(data: D.TransferData, seeds, budgets, *, n_jobs: int = 1, threads: int = 1, device: str = "cpu") -> Setup:
    seeds, budgets = [int(s) for s in seeds], sorted(int(k) for k in budgets)
    labelled = {s: D.labelled_positions(data.y_pool, data.classes, budgets, s) for s in seeds}
    protocol = Protocol(
        "holdout", len(seeds),
        selection=("logistic regression's C is chosen per label budget on the validation images (first seed's "
                   "labelled images); every network trains a fixed number of epochs per budget; the recommended "
                   "model is the best by validation accuracy; seeds vary the labelled draw (nested across budgets) "
                   "and the training randomness"),
        seeds=tuple(seeds), validation=f"{len(data.y_valid):,} stratified images outside the labelled pool")
    return Setup(data, seeds, budgets, labelled, Classification(list(data.classes), headline=METRIC), protocol,
                 int(n_jobs), int(threads), device)


def protocol_table(st: Setup) -> pd.DataFrame:
    d = st.data
    rows = [{"part": f"labelled images, {k:,} per class", "images": f"{k * len(d.classes):,}",
             "use": f"every model trains on them ({len(st.seeds)} draws, one per seed)"} for k in st.budgets]
    rows += [{"part": "validation images", "images": f"{len(d.y_valid):,}", "use": "choose C and the recommended model"},
             {"part": "test images", "images": f"{len(d.y_test):,}", "use": "scored once per model and seed"},
             {"part": "pool the labels are drawn from", "images": f"{len(d.y_pool):,}", "use": "nothing else"}]
    return pd.DataFrame(rows)


def epochs_for(budgets, epochs) -> dict[int, int]:
    """{k: epochs}: one epoch count per budget, in the order of `budgets` as given."""
    if len(epochs) != len(budgets):
        raise UserError(f"transfer parameter epochs={list(epochs)}: expected one epoch count per budget "
                        f"({len(budgets)} budgets: {list(budgets)})")
    return {int(k): int(e) for k, e in sorted(zip(budgets, epochs))}


# ---- the pretrained networks' view -----------------------------------------------------------------

def frozen(variant: str, data: D.TransferData, resolution: int) -> torch.nn.Module:
    from mlplab.models.lite import LiteNet

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)  # the head of a frozen extractor is never used; its draw must not move the seeds
        return LiteNet(d_in=data.channels, d_out=len(data.classes), variant=variant, pretrained=True,
                       image_size=int(resolution), regime="features")


def load_average() -> float:
    try:
        return float(os.getloadavg()[0])
    except OSError:  # pragma: no cover - not on Linux
        return float("nan")


def timed_rate(step, images: int, repeats: int) -> dict:
    """Images per second of `step()` (which processes `images` images), run once to warm up and then `repeats`
    times on ONE torch thread: by the wall clock, and estimated for idle cores as the images per CPU-second of
    that thread times the notebook's thread count (an upper bound: threads rarely scale perfectly). One thread,
    because on a machine shared with other jobs a multi-threaded step burns CPU time spinning while its peer
    thread waits for a core; a single thread's CPU time hardly depends on the other jobs. With the load average."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        step()
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(repeats):
            step()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    finally:
        torch.set_num_threads(threads)
    n = images * repeats
    return {"wall": n / max(wall, 1e-9), "idle": n * threads / max(cpu, 1e-9), "threads": threads,
            "load": load_average()}


def finetune_rate(variant: str, data: D.TransferData, resolution: int, batch_size: int, *, pretrained: bool = True,
                  steps: int = 4) -> dict:
    """Training throughput of a fine-tuned network (forward, backward and AdamW step on batches of `batch_size`
    pool images): `timed_rate` over `steps` steps."""
    from mlplab.models.lite import LiteNet

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = LiteNet(d_in=data.channels, d_out=len(data.classes), variant=variant, pretrained=pretrained,
                      image_size=int(resolution))
        opt = torch.optim.AdamW(net.parameters(), lr=1e-4)
        xb = torch.from_numpy(np.ascontiguousarray(data.X_pool[:batch_size]))
        yb = torch.randint(0, len(data.classes), (len(xb),))
        net.train()

        def step():
            opt.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(net(xb), yb).backward()
            opt.step()

        return timed_rate(step, len(xb), steps)


def features_rate(variant: str, data: D.TransferData, resolution: int, batch: int = 128, steps: int = 3) -> dict:
    """Throughput of the frozen network's forward pass (evaluation mode, no gradient) on batches of `batch`
    pool images: `timed_rate` over `steps` batches."""
    net = frozen(variant, data, resolution).eval()
    xb = torch.from_numpy(np.ascontiguousarray(data.X_pool[:batch]))
    with torch.no_grad():
        return timed_rate(lambda: net.embed(xb), len(xb), steps)


def extract(st: Setup, variant: str, resolution: int, budgets=None) -> dict:
    """Pooled features of every labelled image of every seed at `budgets` (default: all), of the validation
    and of the test images, computed once by the frozen network; with the measured images per second."""
    d = st.data
    ks = st.budgets if budgets is None else [int(k) for k in budgets]
    positions = np.unique(np.concatenate([by_k[k] for by_k in st.labelled.values() for k in ks]))
    net = frozen(variant, d, resolution)
    t0 = time.perf_counter()
    F_pool = mo.embed(net, d.X_pool[positions])
    F_valid = mo.embed(net, d.X_valid)
    F_test = mo.embed(net, d.X_test)
    seconds = time.perf_counter() - t0
    n = len(positions) + len(d.y_valid) + len(d.y_test)
    out = {"rows": {int(p): i for i, p in enumerate(positions)}, "F_pool": F_pool, "F_valid": F_valid,
           "F_test": F_test, "images": n, "seconds": seconds, "rate": n / max(seconds, 1e-9),
           "load": load_average()}
    st.features[variant] = out
    return out


def imagenet_view(data: D.TransferData, variant: str = "lite0", per_class: int = 20, seed: int = 0,
                  top: int = 3) -> dict:
    """What the pretrained network's own ImageNet head makes of the images, at its native resolution: for
    `per_class` validation images of each class the top-1 ImageNet class; per class the most frequent one and
    its share, the mean top-1 probability and the share of garments, shoes and bags among the top-1 labels;
    the top `top` labels of one image per class. Validation images only (no test image)."""
    from mlplab.models.lite import ImageNetClassifier
    from mlplab.transfer.imagenet import class_names, wearable_indices

    names, worn = class_names(), wearable_indices()
    rng = np.random.default_rng(seed)
    net = ImageNetClassifier(variant, d_in=data.channels)
    rows, examples = [], []
    with torch.no_grad():
        for c in data.classes:
            pool = np.flatnonzero(data.y_valid == c)
            idx = np.sort(rng.choice(pool, min(int(per_class), len(pool)), replace=False))
            x = torch.from_numpy(np.ascontiguousarray(data.X_valid[idx]))
            proba = torch.softmax(net(x), dim=1).numpy()
            top1 = proba.argmax(axis=1)
            labels, counts = np.unique(top1, return_counts=True)
            best = int(labels[np.argmax(counts)])
            rows.append({"class": c, "images": len(idx), "most frequent ImageNet label": names[best],
                         "share": float(counts.max() / len(idx)), "mean top-1 probability": float(proba.max(1).mean()),
                         "distinct labels": int(len(labels)),
                         "garment, shoe or bag": float(np.mean([int(t) in worn for t in top1])),
                         "most frequent is worn": best in worn})
            order = np.argsort(-proba[0])[:top]
            examples.append({"class": c, "image": data.X_valid[idx[0]],
                             "labels": [(names[int(j)], float(proba[0, j])) for j in order]})
    return {"table": pd.DataFrame(rows), "examples": examples, "variant": variant,
            "resolution": int(net.input.image_size)}


def wearable_summary(view: dict) -> dict:
    """Over every image shown: the share whose top-1 ImageNet label is a garment, shoe or bag; and the classes
    whose most frequent top-1 label is one."""
    t = view["table"]
    share = float((t["garment, shoe or bag"] * t["images"]).sum() / max(1, t["images"].sum()))
    return {"share": share, "classes": t.loc[t["most frequent is worn"], "class"].tolist()}


def imagenet_table(view: dict) -> pd.DataFrame:
    """The per-class table as printed: the figure's short class names, the share in percent (as the prose says it)."""
    from mlplab.plots.fashion import short

    t = view["table"].drop(columns=["images", "most frequent is worn"])
    pct = lambda col: (100 * t[col]).round(0).astype(int)  # noqa: E731
    return t.assign(**{"class": t["class"].map(short), "share": pct("share"),
                       "garment, shoe or bag": pct("garment, shoe or bag")}).rename(
        columns={"share": "share %", "garment, shoe or bag": "garment, shoe or bag %"})


# ---- the resolution study (validation images only) -------------------------------------------------

def resolution_study(st: Setup, resolutions, *, per_class: int, logreg_C, batch_size: int, chosen: int,
                     variant: str = "lite0") -> pd.DataFrame:
    """For each resolution: frozen-feature logistic regression (first seed's `per_class` labelled images per
    class, best C) scored on the validation images, and the frozen extractor's and fine-tuning's images per
    second (estimated for idle cores from CPU time; the wall-clock rates and the load are kept too)."""
    d = st.data
    seed = st.seeds[0]
    per_class = int(per_class)
    pos = D.labelled_positions(d.y_pool, d.classes, [per_class], seed)[per_class]
    rows = []
    for r in sorted(int(x) for x in resolutions):
        net = frozen(variant, d, r)
        F_fit = mo.embed(net, d.X_pool[pos])
        F_val = mo.embed(net, d.X_valid)
        scores = {}
        for C in logreg_C:
            model = mo.features_logreg(C, seed=seed).fit(F_fit, d.y_pool[pos])
            scores[float(C)] = float(np.mean(model.predict(F_val) == d.y_valid))
        best_C = max(scores, key=lambda c: (scores[c], -c))
        fr, tr = features_rate(variant, d, r), finetune_rate(variant, d, r, batch_size)
        rows.append({"resolution": r, "validation accuracy": scores[best_C], "C": best_C,
                     "features per s": fr["idle"], "fine-tuning per s": tr["idle"],
                     "features per s, wall clock": fr["wall"], "fine-tuning per s, wall clock": tr["wall"],
                     "chosen": r == int(chosen), "load": tr["load"]})
    return pd.DataFrame(rows)


def finetune_passes(st: Setup, epochs: dict[int, int]) -> int:
    """Training image passes of the learning curve's EfficientNet-Lite0 fits: fine-tuned and from random
    initialization, at every budget and seed."""
    return int(2 * len(st.seeds) * sum(k * len(st.data.classes) * epochs[k] for k in st.budgets))


def finetune_minutes(st: Setup, study: pd.DataFrame, epochs: dict[int, int], *_ignored) -> dict[int, float]:
    """Minutes of training the learning curve's Lite0 fits would take at each resolution of the study, at
    the fine-tuning rate measured there."""
    passes = finetune_passes(st, epochs)
    return {int(r): passes / max(float(rate), 1e-9) / 60 for r, rate in zip(study["resolution"],
                                                                             study["fine-tuning per s"])}


def resolution_table(study: pd.DataFrame, minutes: dict[int, float]) -> pd.DataFrame:
    out = study[["resolution", "validation accuracy", "features per s", "fine-tuning per s"]].copy()
    out["features per s"] = out["features per s"].round().astype(int).map("{:,}".format)
    out["fine-tuning per s"] = out["fine-tuning per s"].round().astype(int).map("{:,}".format)
    out["fine-tuning minutes"] = [f"{minutes[int(r)]:.1f}" for r in out["resolution"]]
    return out.rename(columns={"resolution": "pixels", "features per s": "frozen img/s",
                               "fine-tuning per s": "fine-tuning img/s", "fine-tuning minutes": "curve training (min)"})


# ---- the regimes ----------------------------------------------------------------------------------

def _info(model: str, k: int, n_classes: int) -> dict:
    regime = "cnn_scratch" if model == "cnn_scratch" else "pixels" if model == "logreg_pixels" else model.split("_", 1)[1]
    variant = model.split("_", 1)[0] if model.startswith("lite") else None
    return {"model": model, "regime": regime, "variant": variant,
            "budget": {"per_class": int(k), "images": int(k) * int(n_classes)}}


def choose_C(st: Setup, k: int, X_fit, y_fit, X_valid, build, grid) -> tuple[float, dict]:
    """The core's search over C: fit on the first seed's labelled rows, score on the validation images."""
    from mlplab.experiment.search import run_search

    X = np.concatenate([X_fit, X_valid])
    y = np.concatenate([y_fit, st.data.y_valid])
    fold = PredefinedSplit(np.r_[np.full(len(y_fit), -1), np.zeros(len(X_valid), dtype=int)])
    result = run_search(build(1.0), X, y, {"C": [float(c) for c in grid]}, task="classification", cv=fold,
                        scoring=METRIC, seed=st.seeds[0])
    C = float(result.best_params.get("net__C", result.best_params.get("C")))
    return C, {"C": C, "validation_accuracy": float(result.best_score), "grid": [float(c) for c in grid]}


def logreg_runs(st: Setup, k: int, *, logreg_C, variant: str | None = None) -> dict[str, Run]:
    """Logistic regression at budget k: on the pixels (`variant` None) or on `variant`'s frozen features."""
    d = st.data
    if variant is None:
        name, splits = "logreg_pixels", st.splits(k)
        build = lambda C: mo.pixels_logreg(C)  # noqa: E731
        X_valid = d.X_valid
        settings = {"inputs": f"{int(np.prod(d.X_pool.shape[1:])):,} standardized pixels"}
    else:
        f = st.features[variant]
        name = f"{variant}_features"
        splits = st.splits(k, f["F_pool"], f["F_valid"], f["F_test"], rows=f["rows"])
        build = lambda C: mo.features_logreg(C)  # noqa: E731
        X_valid = f["F_valid"]
        settings = {"inputs": "1,280 pooled features of the frozen network, standardized"}
    C, chosen = choose_C(st, k, splits[0].fit.X, splits[0].fit.y, X_valid, build, logreg_C)
    jobs = fanout.jobs_for(key(name, k), lambda info: build(C) if variant is None else mo.features_logreg(C, seed=info.seed),
                           splits, role="baseline" if variant is None else "variant", label=model_label(name),
                           settings={**settings, "C": C}, describe=_converged)
    runs = st.run(jobs, splits)
    run = runs[key(name, k)]
    run.info.update(_info(name, k, len(d.classes)), search=chosen)
    return runs


def _converged(model) -> dict:
    from mlplab.fashion.models import converged

    return converged(model)


def net_settings(model: str, *, k: int, epochs: int, resolution: int, batch_size: int, lr: float, backbone_lr: float,
                 weight_decay: float, dropout: float, cnn: dict) -> dict:
    """The training settings of a network regime, as recorded (and shown in words)."""
    if model == "cnn_scratch":
        return {**cnn, "epochs": int(epochs), "batch_size": int(batch_size)}
    variant, regime = model.split("_", 1)
    return {"variant": variant, "pretrained": regime == "finetune", "resolution": int(resolution),
            "optimizer": "adamw", "lr": float(lr), "backbone_lr": float(backbone_lr if regime == "finetune" else lr),
            "weight_decay": float(weight_decay), "lr_schedule": "cosine", "dropout": float(dropout),
            "epochs": int(epochs), "batch_size": int(batch_size)}


def net_runs(st: Setup, k: int, models, *, epochs: int, resolution: int, batch_size: int, lr: float,
             backbone_lr: float, weight_decay: float, dropout: float, cnn: dict, curves=()) -> dict[str, Run]:
    """The networks of `models` (cnn_scratch, <variant>_finetune, <variant>_random) at budget k, every seed;
    per-epoch curves for the first seed of those in `curves`."""
    d = st.data
    jobs = []
    for model in models:
        s = net_settings(model, k=k, epochs=epochs, resolution=resolution, batch_size=batch_size, lr=lr,
                         backbone_lr=backbone_lr, weight_decay=weight_decay, dropout=dropout, cnn=cnn)
        # the per-epoch score of the fit images feeds the curves only: kept for the first seed of `curves`
        shown = (lambda m: lambda info: mo.TRAIN_METRIC_IMAGES if m in curves and info.index == 0 else 0)(model)
        if model == "cnn_scratch":
            settings = {kk: v for kk, v in s.items()}
            build = (lambda ss, rows: lambda info: mo.lab_cnn(ss, seed=info.seed, device=st.device,
                                                              image_size=d.image_size,
                                                              train_metric_rows=rows(info)))(settings, shown)
            cost = 1.0
        else:
            build = (lambda ss, rows: lambda info: mo.lite_net(
                ss["variant"], pretrained=ss["pretrained"], resolution=ss["resolution"], lr=ss["lr"],
                backbone_lr=ss["backbone_lr"], weight_decay=ss["weight_decay"], epochs=ss["epochs"],
                batch_size=ss["batch_size"], dropout=ss["dropout"], seed=info.seed, device=st.device,
                train_metric_rows=rows(info)))(s, shown)
            cost = 10.0
        jobs += fanout.jobs_for(key(model, k), build, st.splits(k), role="variant", label=model_label(model),
                                settings=s, curves=model in curves, cost=cost, threads=st.threads,
                                describe=_seconds_per_epoch)
    runs = st.run(jobs, st.splits(k), n_jobs=st.net_jobs)
    for model in models:
        runs[key(model, k)].info.update(_info(model, k, len(d.classes)))
    return runs


def _seconds_per_epoch(model) -> dict:
    dur = [float(x) for x in model.history[:, "dur"]]
    return {"seconds_per_epoch": float(np.median(dur))}


# ---- tables, verdicts, the recommendation -----------------------------------------------------------

CURVE_MODELS = ("logreg_pixels", "cnn_scratch", "lite0_features", "lite0_finetune", "lite0_random")
# (a, b, what the pair measures): the noise rule's questions at every budget
PAIRS = (("lite0_finetune", "cnn_scratch", "fine-tuned against the lab's CNN"),
         ("lite0_features", "cnn_scratch", "frozen features against the lab's CNN"),
         ("lite0_finetune", "lite0_random", "gain of pretraining (same network)"),
         ("lite0_random", "cnn_scratch", "gain of the architecture (both from scratch)"),
         ("lite0_finetune", "lite0_features", "fine-tuning against frozen features"),
         ("lite0_features", "logreg_pixels", "frozen features against pixels"))


def curve_table(st: Setup, models=CURVE_MODELS) -> pd.DataFrame:
    """Test accuracy (mean over seeds, and SD) of each model at each budget: models as rows."""
    rows = []
    for m in models:
        row = {"model": model_label(m)}
        for k in st.budgets:
            r = st.runs.get(key(m, k))
            row[f"{k:,} per class"] = r.mean(METRIC) if r is not None else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def curve_points(st: Setup, models=CURVE_MODELS) -> dict[str, dict]:
    """{label: {"k": [...], "mean": [...], "values": [[per seed] per k]}} for the learning-curve figure."""
    out = {}
    for m in models:
        ks = [k for k in st.budgets if key(m, k) in st.runs]
        out[model_label(m)] = {"k": ks, "mean": [st.runs[key(m, k)].mean(METRIC) for k in ks],
                               "values": [st.runs[key(m, k)].values(METRIC) for k in ks], "model": m}
    return out


def verdicts(st: Setup) -> tuple[pd.DataFrame, list[dict], dict]:
    """The noise rule on PAIRS at every budget: the table (budget, question, both means, difference, interval,
    verdict), the verdict records, and {(a, b, k): Verdict}."""
    from mlplab.experiment.tables import pairs_table
    from mlplab.experiment.verdict import compare_runs

    frames, records, by = [], [], {}
    for k in st.budgets:
        pairs = [(key(a, k), key(b, k), what) for a, b, what in PAIRS if key(a, k) in st.runs and key(b, k) in st.runs]
        table, recs = pairs_table(st.runs, pairs, METRIC, higher_is_better=True, test_train_ratio=None,
                                  topic=f"transfer_k{k}", digits=3)
        table.insert(0, "per class", k)
        frames.append(table)
        records += recs
        for a, b, _ in PAIRS:
            if key(a, k) in st.runs and key(b, k) in st.runs:
                by[(a, b, k)] = compare_runs(st.runs[key(a, k)], st.runs[key(b, k)], METRIC, higher_is_better=True)
    table = pd.concat(frames, ignore_index=True).rename(columns={"change": "question"})
    return signed_columns(table), records, by


def signed_columns(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """A verdict table's difference and interval with true minus signs (the typeset form)."""
    from mlplab.experiment.verdict import signed

    out = table.copy()
    if "difference" in out:
        out["difference"] = [("–" if v != v else signed(float(v), digits)) if not isinstance(v, str) else v
                             for v in out["difference"]]
    if "95 % interval" in out:
        out["95 % interval"] = [str(v).replace("-", "\u2212") for v in out["95 % interval"]]
    return out


def size_names(variants) -> list[str]:
    return [f"{v}_{r}" for v in variants for r in ("features", "finetune")]


def sizes_table(st: Setup, k: int, variants, params: dict[str, int]) -> tuple[pd.DataFrame, list[dict]]:
    """The Lite sizes at budget k: parameters, images per second (frozen extraction, fine-tuning), validation
    and test accuracy, and each larger size against Lite0 in the same regime (noise rule)."""
    from mlplab.experiment.verdict import compare_runs, record

    rows, records = [], []
    for v in variants:
        for regime in ("features", "finetune"):
            r = st.runs[key(f"{v}_{regime}", k)]
            tp = st.throughput.get(v, {})
            rate = tp.get("features" if regime == "features" else "finetune", float("nan"))
            row = {"network": model_label(f"{v}_{regime}"), "parameters": f"{int(params[v]):,}",
                   "images per s": f"{rate:,.0f}" if rate == rate else "–", "rate": rate, "params": int(params[v]),
                   "validation accuracy": r.mean(METRIC, "validation"), "test accuracy": r.mean(METRIC)}
            if v == "lite0":
                row.update({"difference": "–", "95 % interval": "–", "n": r.n, "verdict": "reference",
                            "diff": float("nan")})
            else:
                ref = st.runs[key(f"lite0_{regime}", k)]
                vd = compare_runs(r, ref, METRIC, higher_is_better=True)
                records.append(record(f"sizes_k{k}", r.name, ref.name, METRIC, vd))
                row.update({"difference": difference_cell(vd), "95 % interval": interval_cell(vd), "n": vd.n,
                            "verdict": vd.word, "diff": vd.mean_diff})
            row.update({"regime": regime, "variant": v})
            rows.append(row)
    return signed_columns(pd.DataFrame(rows)), records


def sizes_shown(table: pd.DataFrame) -> pd.DataFrame:
    """The sizes table as the book shows it (without the raw numbers the sentences use)."""
    return table.drop(columns=["rate", "params", "regime", "variant", "diff"], errors="ignore")


def sizes(st: Setup, variants, k: int, *, epochs: int, logreg_C, resolution: int, batch_size: int, lr: float,
          backbone_lr: float, weight_decay: float, dropout: float, cnn: dict) -> dict:
    """The other Lite sizes at budget k, frozen and fine-tuned (Lite0's runs are the learning curve's); every
    size's fine-tuning throughput timed here, one after the other, so that they share the machine's load."""
    for v in variants:
        if v == "lite0":
            continue
        extract(st, v, resolution, budgets=[k])
        logreg_runs(st, k, logreg_C=logreg_C, variant=v)
        net_runs(st, k, [f"{v}_finetune"], epochs=epochs, resolution=resolution, batch_size=batch_size, lr=lr,
                 backbone_lr=backbone_lr, weight_decay=weight_decay, dropout=dropout, cnn=cnn)
    loads = []
    for v in variants:
        fr, tr = features_rate(v, st.data, resolution), finetune_rate(v, st.data, resolution, batch_size)
        st.throughput[v] = {"features": fr["idle"], "finetune": tr["idle"], "features_wall": fr["wall"],
                            "finetune_wall": tr["wall"], "threads": tr["threads"], "load": tr["load"]}
        loads.append(tr["load"])
    return {"parameters": lite_parameters(variants, st.data.channels, len(st.data.classes), resolution),
            "load": float(np.mean(loads))}


def recommend(st: Setup, k: int) -> dict | None:
    """The best model at budget k by validation accuracy (select.recommend: validation only)."""
    from mlplab.experiment.select import recommend as core_recommend

    runs = [r for n, r in st.runs.items() if n.endswith(f"_k{k}")]
    return core_recommend(runs, METRIC, higher_is_better=True)


def lite_parameters(variants, channels: int, n_classes: int, resolution: int) -> dict[str, int]:
    """Parameters of each variant with the new head (what is fine-tuned), counted on the built network."""
    from mlplab.models.lite import LiteNet, count_parameters

    out = {}
    with torch.random.fork_rng(devices=[]):
        for v in variants:
            out[v] = count_parameters(LiteNet(d_in=channels, d_out=n_classes, variant=v, pretrained=False,
                                              image_size=int(resolution)))
    return out


def misclassified(run: Run, X: np.ndarray, classes, pairs: pd.DataFrame, per_pair: int = 6) -> list[dict]:
    """The test images (first seed) of each confused pair, with the model's probability for the wrong class."""
    from mlplab.fashion.steps import misclassified as pick

    return pick({**run.detail, "classes": run.detail.get("classes") or list(classes)}, X, pairs, per_pair=per_pair)


def results(st: Setup, *, profile: str, params: dict, timings: dict, verdict_records: list, size_records: list,
            recommended: dict | None, by_budget: dict, study: pd.DataFrame, imagenet: dict, params_count: dict,
            headline: int, epochs: dict, resolution: int, tracking=None) -> dict:
    """The results document (schema: mlplab.experiment.schema, notebook transfer)."""
    from mlplab.experiment import document

    extra = {
        "data": {k: v for k, v in st.data.report.items()}, "classes": list(st.data.classes),
        "split": {"pool": len(st.data.y_pool), "validation": len(st.data.y_valid), "test": len(st.data.y_test),
                  "seeds": len(st.seeds)},
        "budgets": st.budgets, "headline_budget": int(headline), "epochs": {str(k): v for k, v in epochs.items()},
        "resolution": int(resolution), "resolution_study": study.to_dict("records"),
        "imagenet": {"variant": imagenet["variant"], "resolution": imagenet["resolution"],
                     "per_class": imagenet["table"].to_dict("records"),
                     "examples": [{"class": e["class"], "labels": e["labels"]} for e in imagenet["examples"]]},
        "parameters": params_count,
        "throughput": st.throughput,
        "features": {v: {"images": f["images"], "seconds": f["seconds"], "rate": f["rate"], "load": f["load"]}
                     for v, f in st.features.items()},
        "recommended_by_budget": {str(k): v for k, v in by_budget.items()},
        "tracking": tracking.describe() if tracking is not None else {"backend": "none"},
    }
    reason = "" if recommended else "no model was scored on the validation images"
    history = [key(m, headline) for m in ("lite0_finetune", "lite0_random", "cnn_scratch")]
    return document.build(NB, profile=profile, params=params, provenance=st.data.provenance, protocol=st.protocol,
                          timings=timings, runs=st.runs, best_params={}, recommended=recommended, reason=reason,
                          verdicts=list(verdict_records) + list(size_records), history=history, extra=extra)
