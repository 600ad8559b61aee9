"""The Fashion-MNIST notebook's sections as functions over the experiment core.

Protocol (holdout): the official test images are the test set, scored once per model and never
chosen on. A stratified `valid_size` of the training images are the validation rows: every search
scores its candidates on them, the number of epochs of the tuned CNN and test-time flip averaging
are chosen on them, and the recommendation ranks the models by their accuracy on them. The other
training images are the fit rows every model trains on. One fixed split: the seeds vary only the
training randomness (initialisation, batch order, augmentation draws, dropout), so their spread
says nothing about how the test images were drawn; the noise rule pairs the models seed by seed
without the Nadeau-Bengio correction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.model_selection import PredefinedSplit, train_test_split

from mlplab.data.fashion_mnist import CLASSES, FashionMNIST, load_fashion_mnist, with_subset
from mlplab.errors import UserError
from mlplab.experiment import fanout
from mlplab.experiment.protocol import OuterSplit, Protocol, Rows, holdout_indices, outer_splits, row_selector
from mlplab.experiment.record import Run
from mlplab.experiment.search import SearchResult, run_search
from mlplab.experiment.tasks import Classification
from mlplab.fashion import models as mo

NB = "fashion_mnist"
METRIC = "accuracy"
REGULARIZERS = ("dropout", "l2", "batchnorm", "augment")
REG_LABELS = {"dropout": "dropout", "l2": "L2 weight decay", "batchnorm": "batch normalization",
              "augment": "data augmentation (shifts and flips)"}


@dataclass
class Setup:
    """What every section shares: the data, the (holdout) splits, the task, and how to run jobs."""

    data: FashionMNIST
    splits: list[OuterSplit]
    task: Classification
    protocol: Protocol
    n_jobs: int = 1
    threads: int = 1
    scheduler: str | None = None
    runs: dict = field(default_factory=dict)
    device: str = "cpu"

    def run(self, jobs, splits=None, *, cnn: bool = False) -> dict[str, Run]:
        """Fit `jobs`; CNN fits use `threads` torch threads each, so fewer run at once (`cnn_jobs`)."""
        n_jobs = self.cnn_jobs if cnn else self.n_jobs
        out = fanout.run(jobs, splits or self.splits, self.task, n_jobs=n_jobs, scheduler=self.scheduler)
        self.runs.update(out)
        return out

    @property
    def cnn_jobs(self) -> int:
        """Parallel CNN fits: the workers that fit when each uses `threads` torch threads."""
        return max(1, int(self.n_jobs) // max(1, int(self.threads)))

    @property
    def seeds(self) -> list[int]:
        return [s.seed for s in self.splits]


def load(data_path: str = "", *, download: bool = False, max_train: int = 0, max_test: int = 0,
         seed: int = 0) -> FashionMNIST:
    data = load_fashion_mnist(data_path or None, download=download)
    return with_subset(data, max_train, max_test, seed=seed)


def class_names(codes) -> np.ndarray:
    return np.asarray(CLASSES, dtype=object)[np.asarray(codes)]


def setup(data: FashionMNIST, seeds, *, valid_size: float, n_jobs: int = 1, threads: int = 1,
          scheduler: str = "", device: str = "cpu") -> Setup:
    idx = holdout_indices(np.arange(len(data.y_train)), np.arange(len(data.y_test)), seeds, valid_size=valid_size,
                          ordered=False, y=data.y_train)
    splits = outer_splits(idx, row_selector(data.X_train, class_names(data.y_train)),
                          test=Rows(data.X_test, class_names(data.y_test)))
    protocol = Protocol.for_splits(
        "holdout", splits,
        selection=("searches score their candidates on the validation images (successive halving on epochs for the "
                   "CNN, on a stratified subsample of the fit images); the tuned CNN's number of epochs and test-time "
                   "flip averaging are chosen on the validation images; seeds vary only the training randomness"),
        validation=f"a stratified {100 * valid_size:.0f} % of the training images, never used for fitting")
    return Setup(data, splits, Classification(list(CLASSES), headline=METRIC), protocol, n_jobs, threads,
                 scheduler or None, device=device)


def split_sizes(st: Setup) -> dict:
    s = st.splits[0]
    return {"fit": len(s.fit), "validation": len(s.validation), "test": len(s.test), "seeds": len(st.splits)}


# ---- selection on the validation images -------------------------------------------------------------

def selection_rows(st: Setup, n_fit: int = 0, seed: int = 0) -> tuple[np.ndarray, np.ndarray, PredefinedSplit, int]:
    """Fit rows (a stratified `n_fit` of them; 0: all) followed by the validation rows, and the split
    that trains on the former and scores on the latter (one fold: the validation images)."""
    s = st.splits[0]
    X, y = s.fit.X, s.fit.y
    if n_fit and n_fit < len(y):
        keep, _ = train_test_split(np.arange(len(y)), train_size=int(n_fit), stratify=y, random_state=seed)
        keep = np.sort(keep)
        X, y = X[keep], y[keep]
    fold = np.r_[np.full(len(y), -1), np.zeros(len(s.validation.y), dtype=int)]
    return (np.concatenate([X, s.validation.X]), np.concatenate([y, s.validation.y]), PredefinedSplit(fold), len(y))


def search(st: Setup, estimator, grid: dict, *, n_fit: int = 0, method: str = "grid", min_epochs: int | None = None,
           factor: int = 3) -> SearchResult:
    """The core's search, every candidate trained on (a subsample of) the fit rows and scored on the
    validation images by accuracy."""
    X, y, folds, n = selection_rows(st, n_fit, seed=st.seeds[0])
    result = run_search(estimator, X, y, grid, task="classification", method=method, cv=folds, scoring=METRIC,
                        n_jobs=st.n_jobs, scheduler=st.scheduler, seed=st.seeds[0], factor=factor,
                        min_resources=min_epochs if method == "halving" else None)
    result.searched_rows = n
    if n < len(st.splits[0].fit):
        result.notes.append(f"searched on a stratified {n:,} of the {len(st.splits[0].fit):,} fit images")
    return result


def chosen(result: SearchResult, fixed: dict, rename: dict | None = None) -> dict:
    """The fixed settings with the search's winner over them (friendly names, `module__` dropped)."""
    out = dict(fixed)
    for k, v in result.best_params.items():
        key = (rename or {}).get(k, k.removeprefix("module__"))
        out[key] = [list(b) if isinstance(b, tuple) else b for b in v] if isinstance(v, tuple) else v
    return out


# ---- the models -------------------------------------------------------------------------------------

def baselines(st: Setup, *, logreg_C: float, logreg_iter: int, mlp: dict) -> dict[str, Run]:
    """Logistic regression and the MLP on the standardized pixels, every seed."""
    jobs = fanout.jobs_for("logreg", lambda info: mo.logreg(logreg_C, logreg_iter, seed=info.seed), st.splits,
                           role="baseline", label="logistic regression on pixels", cost=2.0,
                           settings={"C": logreg_C, "max_iter": logreg_iter, "inputs": "784 standardized pixels"},
                           describe=mo.converged)
    jobs += fanout.jobs_for("mlp", lambda info: mo.mlp(mlp, seed=info.seed, device=st.device), st.splits, role="baseline",
                            label="the MLP on pixels", curves=True, cost=1.5,
                            settings={**mlp, "inputs": "784 standardized pixels"})
    return st.run(jobs)


def cnn_jobs(st: Setup, name: str, settings: dict, *, label: str, role: str, splits=None, curves: bool = True,
             cost: float = 5.0, tta: bool = False, keep: bool = True) -> list:
    return fanout.jobs_for(name, lambda info: mo.cnn(settings, seed=info.seed, device=st.device), splits or st.splits, role=role,
                           label=label, settings=dict(settings), curves=curves, cost=cost, threads=st.threads,
                           tune=choose_tta if tta else None, keep_first=keep)


def source_cnn(st: Setup, settings: dict) -> dict[str, Run]:
    return st.run(cnn_jobs(st, "cnn_source", settings, label="the source's CNN", role="reference", cost=4.0), cnn=True)


def choose_tta(model, split) -> dict:
    """Test-time flip averaging on or off, whichever scores the higher accuracy on the validation images
    (ties: off). Sets the fitted network accordingly; returns both validation accuracies."""
    module = model.module_
    scores = {}
    for on in (False, True):
        module.tta_flip = on
        scores[on] = float(np.mean(model.predict(split.validation.X) == np.asarray(split.validation.y)))
    module.tta_flip = scores[True] > scores[False]
    return {"tta_flip": bool(module.tta_flip), "validation_accuracy_plain": scores[False],
            "validation_accuracy_flip_averaged": scores[True]}


def epochs_choice(st: Setup, settings: dict, epochs: list[int]) -> tuple[int, dict[str, Run]]:
    """Train the chosen configuration for each epoch budget on the first seed; the budget with the best
    validation accuracy wins (ties: the shorter). Returns it and the candidate runs (one seed each)."""
    if not epochs:
        raise UserError("parameter tuned_epochs: give at least one epoch budget")
    first = st.splits[:1]
    jobs = []
    for e in sorted(set(int(x) for x in epochs)):
        jobs += cnn_jobs(st, f"cnn_tuned_e{e}", {**settings, "epochs": e}, label=f"the tuned CNN, {e} epochs",
                         role="variant", splits=first, cost=10.0 + e, tta=True)
    runs = fanout.run(jobs, first, st.task, n_jobs=st.cnn_jobs, scheduler=st.scheduler)
    best = max(runs.values(), key=lambda r: (r.mean(METRIC, "validation"), -r.settings["epochs"]))
    return int(best.settings["epochs"]), runs


def tuned_cnn(st: Setup, settings: dict, candidates: dict[str, Run]) -> Run:
    """The tuned CNN on every seed: the first seed's fit is the winning epoch candidate itself (same
    rows, same seed, same settings), the other seeds are fitted here."""
    winner = next(r for r in candidates.values() if r.settings["epochs"] == settings["epochs"])
    rest = st.splits[1:]
    run = Run("cnn_tuned", "tuned", "the tuned CNN", settings=dict(settings), splits=list(winner.splits))
    if rest:
        more = fanout.run(cnn_jobs(st, "cnn_tuned", settings, label="the tuned CNN", role="tuned", splits=rest,
                                   tta=True, curves=False, keep=False), rest, st.task, n_jobs=st.cnn_jobs,
                          scheduler=st.scheduler)
        run.splits += more["cnn_tuned"].splits
        run.splits.sort(key=lambda s: s.split)
    st.runs["cnn_tuned"] = run
    return run


def regularization_splits(st: Setup, n_fit: int) -> list[OuterSplit]:
    """The same validation and test images, a stratified `n_fit` of the fit images (0: all)."""
    s = st.splits[0]
    if not n_fit or n_fit >= len(s.fit):
        return st.splits
    keep, _ = train_test_split(np.arange(len(s.fit)), train_size=int(n_fit), stratify=s.fit.y,
                               random_state=st.seeds[0])
    keep = np.sort(keep)
    fit = Rows(s.fit.X[keep], s.fit.y[keep])
    return [replace(sp, fit=fit) for sp in st.splits]


def reg_settings(tuned: dict, *, epochs: int, dropout: float, weight_decay: float, augment: str,
                 optimizer: str = "adam", lr: float = 0.001) -> dict[str, dict]:
    """{name: {"settings", "regularizer", "reference"}}: the tuned architecture with every regularizer off
    (`cnn_tuned_plain`, the reference: no batch norm, dropout, weight decay, label smoothing or
    augmentation), and with each one alone on top of it. Without batch norm the tuned SGD schedule
    does not train this network on a short budget (validation accuracy near chance in a full run), so
    the study trains every variant with `optimizer` at a constant `lr`, as the source trains its CNN."""
    plain = {**tuned, "epochs": int(epochs), "dropout": 0.0, "conv_dropout": 0.0, "weight_decay": 0.0,
             "label_smoothing": 0.0, "batch_norm": False, "augment": "none", "optimizer": optimizer,
             "lr": float(lr), "lr_schedule": None}
    one = {"dropout": {"dropout": float(dropout)}, "l2": {"weight_decay": float(weight_decay)},
           "batchnorm": {"batch_norm": True}, "augment": {"augment": augment}}
    out = {"cnn_tuned_plain": {"settings": plain, "regularizer": None, "reference": None}}
    for reg in REGULARIZERS:
        out[f"cnn_tuned_{reg}"] = {"settings": {**plain, **one[reg]}, "regularizer": reg, "reference": "cnn_tuned_plain"}
    return out


def regularization(st: Setup, tuned: dict, *, n_fit: int, epochs: int, dropout: float, weight_decay: float,
                   augment: str, optimizer: str = "adam", lr: float = 0.001) -> dict[str, dict]:
    """Each regularizer alone on the tuned network without any (same reduced fit rows, same epochs and
    optimizer, every seed). Returns the plan {name: {"regularizer", "reference"}}."""
    splits = regularization_splits(st, n_fit)
    plan = reg_settings(tuned, epochs=epochs, dropout=dropout, weight_decay=weight_decay, augment=augment,
                        optimizer=optimizer, lr=lr)
    jobs = []
    for name, p in plan.items():
        label = ("the tuned CNN without regularizers" if p["regularizer"] is None
                 else f"the tuned CNN with {REG_LABELS[p['regularizer']]} only")
        jobs += cnn_jobs(st, name, p["settings"], label=label, role="variant", splits=splits, cost=2.0)
    runs = fanout.run(jobs, splits, st.task, n_jobs=st.cnn_jobs, scheduler=st.scheduler)
    for name, p in plan.items():
        runs[name].info["regularization"] = {"regularizer": p["regularizer"], "reference": p["reference"],
                                             "fit_images": len(splits[0].fit)}
    st.runs.update(runs)
    return {n: {k: v for k, v in p.items() if k != "settings"} for n, p in plan.items()}


# ---- the ablation ladder: what made the tuned CNN better than the source's ----------------------------

def ladder_rungs(source: dict, tuned: dict) -> list[tuple[str, str, dict]]:
    """(name, rung, settings) from the source's CNN to the tuned configuration, one change at a time: its layers,
    batch norm, its optimizer (with schedule, learning rate and batch size), label smoothing, weight decay,
    augmentation, its epochs. A change that changes nothing (the search kept the source's value) is no rung.
    The rung texts name the change without a leading '+' (Typst reads it as a list item)."""
    from mlplab.fashion.narrative import AUGMENT_WORDS, OPTIMIZER_WORDS, SCHEDULE_WORDS

    cur = {**source, "pool_until": 1, "lr_schedule": None, "weight_decay": 0.0, "label_smoothing": 0.0,
           "dropout": 0.0, "conv_dropout": 0.0}
    rungs = [("ladder_source", "the source's CNN", dict(cur))]

    def step(name: str, text: str, **change) -> None:
        nonlocal cur
        if all(cur.get(k) == v for k, v in change.items()):
            return
        cur = {**cur, **change}
        rungs.append((name, text, dict(cur)))

    step("ladder_layers", f"its layers (convolution widths per block {blocks_text(tuned['blocks'])})",
         blocks=[list(b) for b in tuned["blocks"]], pool_until=tuned.get("pool_until", 1), hidden=list(tuned["hidden"]))
    step("ladder_batchnorm", "batch norm after every convolution", batch_norm=bool(tuned.get("batch_norm", False)))
    schedule = (f"learning rate {tuned['lr']:g}" if not tuned.get("lr_schedule") else
                SCHEDULE_WORDS.get(tuned["lr_schedule"], str(tuned["lr_schedule"])).split(" (")[0]
                + f" peaking at {tuned['lr']:g}")
    batch = f", batch {tuned['batch_size']}" if int(tuned["batch_size"]) != int(cur.get("batch_size", 0)) else ""
    step("ladder_optimizer", f"{OPTIMIZER_WORDS.get(tuned['optimizer'], tuned['optimizer'])}, {schedule}{batch}",
         optimizer=tuned["optimizer"], lr=float(tuned["lr"]),
         lr_schedule=tuned.get("lr_schedule") or None, batch_size=int(tuned["batch_size"]))
    step("ladder_smoothing", f"label smoothing {tuned.get('label_smoothing', 0.0):g}",
         label_smoothing=float(tuned.get("label_smoothing", 0.0)))
    step("ladder_decay", f"weight decay {tuned.get('weight_decay', 0.0):g}", weight_decay=float(tuned.get("weight_decay", 0.0)))
    step("ladder_dropout", f"dropout {tuned.get('dropout', 0.0):g}", dropout=float(tuned.get("dropout", 0.0)),
         conv_dropout=float(tuned.get("conv_dropout", 0.0)))
    step("ladder_augment", f"augmentation ({AUGMENT_WORDS.get(tuned.get('augment', 'none'), tuned.get('augment'))})",
         augment=tuned.get("augment", "none"))
    step("ladder_epochs", f"{tuned['epochs']} epochs instead of {source['epochs']}", epochs=int(tuned["epochs"]))
    return rungs


def ladder(st: Setup, source: dict, tuned: dict, *, n_fit: int) -> list[tuple[str, str]]:
    """Fit every rung of `ladder_rungs` on every seed, on the same stratified `n_fit` fit images (0: all), so each
    change is measured against the rung before it with the noise rule. Returns [(name, rung)] for
    experiment.tables.ladder."""
    splits = regularization_splits(st, n_fit)
    rungs = ladder_rungs(source, tuned)
    jobs = []
    for name, text, settings in rungs:
        jobs += cnn_jobs(st, name, settings, label=f"ladder rung: {text}", role="variant", splits=splits,
                         curves=False, cost=3.0)
    runs = fanout.run(jobs, splits, st.task, n_jobs=st.cnn_jobs, scheduler=st.scheduler)
    for name, text, _ in rungs:
        runs[name].info["ladder"] = {"rung": text, "fit_images": len(splits[0].fit)}
    st.runs.update(runs)
    return [(name, text) for name, text, _ in rungs]


def ladder_table(st: Setup, steps: list[tuple[str, str]]) -> tuple[pd.DataFrame, list[dict]]:
    """The ladder's table (each rung against the one above, noise rule over the seeds) without the model column,
    which repeats the rung, and its verdict records (topic "ladder")."""
    from mlplab.experiment.tables import ladder as ladder_frame

    table, records = ladder_frame(st.runs, steps, METRIC, higher_is_better=True, test_train_ratio=None, topic="ladder")
    return table.drop(columns=["model"]), records


# ---- error analysis ---------------------------------------------------------------------------------

def confusion_pairs(detail: dict, k: int = 6) -> pd.DataFrame:
    """The k most frequent (true, predicted) confusions of a kept fit's test predictions."""
    t, p = np.asarray(detail["y_true"]), np.asarray(detail["y_pred"])
    wrong = t != p
    if not wrong.any():
        return pd.DataFrame(columns=["true", "predicted", "images", "share of true class"])
    pairs = pd.DataFrame({"true": t[wrong], "predicted": p[wrong]}).value_counts().rename("images").reset_index()
    pairs = pairs.sort_values(["images", "true", "predicted"], ascending=[False, True, True])  # ties: by name
    support = pd.Series(t).value_counts()
    pairs["share of true class"] = pairs["images"] / pairs["true"].map(support)
    return pairs.head(k).reset_index(drop=True)


def misclassified(detail: dict, X: np.ndarray, pairs: pd.DataFrame, per_pair: int = 6) -> list[dict]:
    """For each confused pair: up to `per_pair` misclassified test images (first in test order), with
    the predicted probability of the wrong class."""
    t, p = np.asarray(detail["y_true"]), np.asarray(detail["y_pred"])
    proba = detail.get("proba")
    classes = list(detail.get("classes") or CLASSES)
    out = []
    for _, row in pairs.iterrows():
        idx = np.flatnonzero((t == row["true"]) & (p == row["predicted"]))[:per_pair]
        conf = proba[idx, classes.index(row["predicted"])] if proba is not None else np.full(len(idx), np.nan)
        out.append({"true": row["true"], "predicted": row["predicted"], "count": int(row["images"]),
                    "images": X[idx], "confidence": conf.tolist(), "index": idx.tolist()})
    return out


def per_class_table(runs: dict[str, Run], names) -> pd.DataFrame:
    """Test F1 per class (mean over seeds) of each model, classes as rows."""
    cols = {}
    for n in names:
        r = runs[n]
        cols[r.label] = [float(np.mean([s.test["per_class"][c]["f1"] for s in r.splits])) for c in CLASSES]
    return pd.DataFrame(cols, index=list(CLASSES))


def per_class_report(run: Run) -> pd.DataFrame:
    """Precision, recall, F1 per class on the test images, mean over seeds, plus the support."""
    rows = []
    for c in CLASSES:
        stats = [s.test["per_class"][c] for s in run.splits]
        rows.append({"class": c, **{m: float(np.mean([x[m] for x in stats])) for m in ("precision", "recall", "f1")},
                     "support": int(stats[0]["support"])})
    return pd.DataFrame(rows)


def overall_table(runs: dict[str, Run], names) -> pd.DataFrame:
    """Accuracy and the macro averages of precision, recall and F1 over the classes, on the test images,
    mean over the seeds, one row per model."""
    rows = []
    for n in names:
        r = runs[n]
        macro = {m: float(np.mean([np.mean([s.test["per_class"][c][m] for c in CLASSES]) for s in r.splits]))
                 for m in ("precision", "recall", "f1")}
        rows.append({"model": r.label, "accuracy": r.mean("accuracy"), "macro precision": macro["precision"],
                     "macro recall": macro["recall"], "macro F1": macro["f1"]})
    return pd.DataFrame(rows)


def flip_asymmetry(data: FashionMNIST) -> pd.DataFrame:
    """How far each class's training images are from their mirror image: the mean absolute pixel
    difference |x − flip(x)| over the mean pixel value (0: perfectly left-right symmetric). A flip
    turns an asymmetric item into one the test set does not hold (shoes all point the same way)."""
    X = data.X_train.astype(np.float32)
    rows = []
    for code, c in enumerate(CLASSES):
        imgs = X[data.y_train == code]
        if not len(imgs):
            continue
        diff = np.abs(imgs - imgs[:, :, ::-1]).mean()
        mean_img = imgs.mean(axis=0)
        rows.append({"class": c, "asymmetry": float(diff / max(imgs.mean(), 1e-9)),
                     "mean-image asymmetry": float(np.abs(mean_img - mean_img[:, ::-1]).mean() / max(mean_img.mean(), 1e-9)),
                     "images": int(len(imgs))})
    return pd.DataFrame(rows).sort_values("mean-image asymmetry", ascending=False).reset_index(drop=True)


# ---- what the notebook calls ---------------------------------------------------------------------------

PARAMETERS = ("profile", "data_path", "download", "max_train", "max_test", "valid_size", "seeds", "n_jobs", "threads",
              "device", "tracking", "logreg_C", "logreg_iter", "mlp_hidden", "mlp_lr", "mlp_epochs", "mlp_batch_size",
              "baseline_search_images", "source_blocks", "source_hidden", "source_optimizer", "source_lr",
              "source_epochs", "source_batch_size", "search_images", "grid_blocks", "grid_lr", "grid_batch_size",
              "grid_augment", "grid_epochs", "tuned_optimizer", "tuned_weight_decay", "tuned_label_smoothing",
              "tuned_lr_schedule", "tuned_hidden", "tuned_epochs", "reg_images", "reg_epochs", "reg_optimizer",
              "reg_lr", "reg_dropout", "reg_weight_decay", "reg_augment", "ladder_images")
HEAD = ("logreg", "mlp", "cnn_source", "cnn_tuned")
HEADLINE_PAIRS = [("cnn_tuned", "cnn_source"), ("cnn_tuned", "mlp"), ("cnn_source", "mlp"), ("mlp", "logreg")]


def similar_classes(data: FashionMNIST) -> tuple[str, str, float]:
    """The two classes whose mean training images correlate most (Pearson r over the 784 pixels)."""
    means = np.stack([data.X_train[data.y_train == k].reshape(-1, 784).mean(axis=0) for k in range(len(CLASSES))])
    r = np.corrcoef(means)
    np.fill_diagonal(r, -np.inf)
    i, j = np.unravel_index(np.argmax(r), r.shape)
    return CLASSES[min(i, j)], CLASSES[max(i, j)], float(r[i, j])


def protocol_table(st: Setup) -> pd.DataFrame:
    s = st.splits[0]
    return pd.DataFrame([
        {"part": "fit images", "images": len(s.fit), "use": "every model trains on them"},
        {"part": "validation images", "images": len(s.validation), "use": "searches, epochs, flip averaging, recommendation"},
        {"part": "test images", "images": len(s.test), "use": "scored once per model and seed, never chosen on"},
    ])


def mlp_fixed(epochs: int, batch_size: int) -> dict:
    return {"hidden": [256, 128], "activation": "relu", "optimizer": "adam", "lr": 1e-3, "epochs": int(epochs),
            "batch_size": int(batch_size)}


def baseline_searches(st: Setup, *, logreg_C, logreg_iter: int, mlp_hidden, mlp_lr, mlp_epochs: int,
                      mlp_batch_size: int, n_fit: int) -> dict[str, SearchResult]:
    seed = st.seeds[0]
    return {"logreg": search(st, mo.logreg(1.0, logreg_iter, seed=seed), {"C": list(logreg_C)}, n_fit=n_fit),
            "mlp": search(st, mo.mlp(mlp_fixed(mlp_epochs, mlp_batch_size), seed=seed, device=st.device),
                          {"hidden": [list(h) for h in mlp_hidden], "lr": list(mlp_lr)}, n_fit=n_fit)}


def search_table(searches: dict[str, SearchResult]) -> pd.DataFrame:
    from mlplab.experiment.prose import params_text

    names = {"logreg": "logistic regression", "mlp": "MLP", "cnn": "CNN"}
    rows = []
    for key, r in searches.items():
        d = r.to_dict()
        from mlplab.fashion.narrative import readable

        rows.append({"model": names.get(key, key), "configurations": d["n_candidates"], "fits": d["n_fits"],
                     "fit images": d["searched_rows"], "chosen": params_text(readable(d["best_params"])),
                     "validation accuracy": d["best_score"]})
    return pd.DataFrame(rows)


def source_settings(blocks, hidden, optimizer: str, lr: float, epochs: int, batch_size: int) -> dict:
    return {"blocks": [list(b) for b in blocks], "hidden": list(hidden), "batch_norm": False, "optimizer": optimizer,
            "lr": float(lr), "epochs": int(epochs), "batch_size": int(batch_size), "augment": "none"}


def tuned_fixed(optimizer: str, weight_decay: float, label_smoothing: float, lr_schedule: str, hidden,
                epochs: int) -> dict:
    return {"blocks": [[32], [64]], "pool_until": 7, "hidden": list(hidden), "batch_norm": True, "optimizer": optimizer,
            "lr": 0.1,
            "weight_decay": float(weight_decay), "label_smoothing": float(label_smoothing),
            "lr_schedule": lr_schedule or None, "epochs": int(epochs), "batch_size": 256, "augment": "none"}


def cnn_search(st: Setup, fixed: dict, *, grid_blocks, grid_lr, grid_batch_size, grid_augment, grid_epochs,
               n_fit: int) -> SearchResult:
    """Successive halving over the CNN's levers, the epoch budget growing from min to max of `grid_epochs`."""
    grid = {"module__blocks": [[list(b) for b in blocks] for blocks in grid_blocks], "lr": list(grid_lr),
            "batch_size": list(grid_batch_size), "module__augment": list(grid_augment)}
    estimator = mo.cnn({**fixed, "epochs": int(max(grid_epochs))}, seed=st.seeds[0], device=st.device)
    return search(st, estimator, grid, n_fit=n_fit, method="halving", min_epochs=int(min(grid_epochs)))


def blocks_text(blocks) -> str:
    """((24,), (48, 48)) -> '24 | 48, 48': the convolution widths of each block, blocks separated by bars."""
    return " | ".join(", ".join(str(int(w)) for w in b) for b in blocks)


def search_frame(result: SearchResult) -> pd.DataFrame:
    """The CNN search's table with readable columns: block widths as text, `module__` dropped, the
    validation accuracy named as such (the one fold is the validation images: no spread)."""
    df = result.cv_results.rename(columns=lambda c: c.removeprefix("module__"))
    if "blocks" in df:
        df["blocks"] = df["blocks"].map(blocks_text)
    if "augment" in df:
        from mlplab.fashion.narrative import AUGMENT_WORDS

        df["augment"] = df["augment"].map(lambda v: AUGMENT_WORDS.get(v, v))
        df = df.rename(columns={"augment": "augmentation"})
    return df


def top_searched(result: SearchResult, k: int = 8) -> pd.DataFrame:
    from mlplab.plots.search import top_configs

    out = top_configs(search_frame(result), k)
    out = out.drop(columns=[c for c in out.columns if c.endswith("SD")])
    return out.rename(columns={"CV score": "validation accuracy", "budget": "epochs"})


def augmenter(settings: dict):
    """The augmentation layer the settings' network trains with (for the figure)."""
    from mlplab.models.cnn import CNN

    return CNN(augment=settings.get("augment", "none"), shift=settings.get("shift", 2)).augment


def architectures(st: Setup) -> list[tuple]:
    return [(st.runs[n].detail["model"].module_, st.runs[n].label[:1].upper() + st.runs[n].label[1:])
            for n in ("cnn_source", "cnn_tuned")]


def parameter_counts(st: Setup) -> tuple[int, int]:
    from mlplab.models.cnn import count_parameters

    return tuple(count_parameters(st.runs[n].detail["model"].module_) for n in ("cnn_source", "cnn_tuned"))


def models_table(st: Setup, names) -> pd.DataFrame:
    from mlplab.experiment.tables import score_table

    return score_table(st.runs, list(names), ["accuracy", "macro_f1"], ids=False)  # names, not identifiers


def headline_verdicts(st: Setup) -> dict:
    from mlplab.experiment.verdict import compare_runs

    return {(a, b): compare_runs(st.runs[a], st.runs[b], METRIC, higher_is_better=True, test_train_ratio=None)
            for a, b in HEADLINE_PAIRS}


def recommend(st: Setup) -> dict | None:
    from mlplab.experiment.select import recommend as core_recommend

    return core_recommend([st.runs[n] for n in HEAD], METRIC, higher_is_better=True)


def pairs_frame(pairs: pd.DataFrame) -> pd.DataFrame:
    from mlplab.plots.fashion import short  # the class names the figures and the text use

    out = pairs.copy()
    out["true"], out["predicted"] = out["true"].map(short), out["predicted"].map(short)
    out["share of true class"] = (100 * out["share of true class"]).round(1)
    return out.rename(columns={"true": "true class", "predicted": "predicted as",
                               "share of true class": "% of true class"})


def regularization_table(st: Setup, plan: dict) -> tuple[pd.DataFrame, list[dict]]:
    from mlplab.experiment.tables import pairs_table

    pairs = [(n, p["reference"], REG_LABELS[p["regularizer"]]) for n, p in plan.items() if p["reference"]]
    return pairs_table(st.runs, pairs, METRIC, higher_is_better=True, test_train_ratio=None, topic="regularization",
                       digits=4)


def reg_fit_images(st: Setup, plan: dict) -> int:
    return int(st.runs[next(iter(plan))].info["regularization"]["fit_images"])


def ladder_fit_images(st: Setup, name: str) -> int:
    """How many fit images the ladder run `name` trained on."""
    return int(st.runs[name].info["ladder"]["fit_images"])


def reg_context(st: Setup) -> dict:
    """What the regularization sentence needs besides the table: the study's training settings, the
    unregularized network's validation accuracy, and logistic regression's as the floor of a fitted model."""
    plain = st.runs["cnn_tuned_plain"]
    return {"settings": dict(plain.settings), "reference": plain.mean(METRIC, "validation"), "floor": floor(st)}


def floor(st: Setup) -> tuple[str, float] | None:
    """(label, mean validation accuracy) of logistic regression on pixels, fitted on every fit image: a network
    below it has not fitted."""
    return ("logistic regression on pixels", st.runs["logreg"].mean(METRIC, "validation")) if "logreg" in st.runs else None


def goal(run: Run, *, threads: int, accuracy: float = 0.925, seconds: float = 360.0) -> dict:
    vals = run.values(METRIC)
    secs = [s.seconds for s in run.splits]
    return {"goal_accuracy": accuracy, "goal_seconds": seconds, "per_seed": vals, "mean": float(np.mean(vals)),
            "sd": float(np.std(vals, ddof=1)) if len(vals) > 1 else 0.0, "n_seeds": len(vals),
            "met_accuracy": bool(len(vals) >= 3 and np.mean(vals) >= accuracy), "fit_seconds": secs,
            "within_time": bool(max(secs) <= seconds), "threads": int(threads)}


def results(st: Setup, *, profile: str, params: dict, provenance: dict, timings: dict, data: FashionMNIST,
            asymmetry: pd.DataFrame, searches: dict, epoch_runs: dict, verdicts: dict, reg_records: list,
            plan: dict, report: pd.DataFrame, pairs: pd.DataFrame, recommended: dict | None, threads: int,
            tracking=None, ladder_steps=(), ladder_records=()) -> dict:
    """The results document (schema: mlplab.experiment.schema, notebook fashion_mnist)."""
    from mlplab.experiment import document
    from mlplab.experiment.verdict import record

    runs = {n: st.runs[n] for n in (*HEAD, *plan, *(name for name, _ in ladder_steps))}
    runs.update(epoch_runs)
    verdict_list = ([record("headline", a, b, METRIC, v) for (a, b), v in verdicts.items()] + list(reg_records)
                    + list(ladder_records))
    tuned = st.runs["cnn_tuned"]
    extra = {
        "data": {k: v for k, v in data.report.items() if k != "files"}, "split": split_sizes(st),
        "flip_asymmetry": asymmetry.to_dict("records"),
        "searches": {k: r.to_dict() for k, r in searches.items()},
        "epochs": {"candidates": {str(r.settings["epochs"]): {"validation_accuracy": r.mean(METRIC, "validation"),
                                                               "seconds": r.seconds} for r in epoch_runs.values()},
                   "chosen": int(tuned.settings["epochs"])},
        "tta": [s.settings for s in tuned.splits],
        "goal": goal(tuned, threads=threads),
        "per_class": report.to_dict("records"),
        "confusions": pairs.to_dict("records"),
        "regularization": {n: p for n, p in plan.items()},
        "ladder": [{"name": name, **st.runs[name].info["ladder"]} for name, _ in ladder_steps],
        "tracking": tracking.describe() if tracking is not None else {"backend": "none"},
    }
    best = {"logreg": {"C": searches["logreg"].best_params["C"]}, "mlp": dict(st.runs["mlp"].settings),
            "cnn_tuned": dict(tuned.settings)}
    reason = "" if recommended else "no model was scored on the validation images"
    return document.build(NB, profile=profile, params=params, provenance=provenance, protocol=st.protocol,
                          timings=timings, runs=runs, best_params=best, recommended=recommended, reason=reason,
                          verdicts=verdict_list, history=("mlp", "cnn_source", "cnn_tuned", *plan), extra=extra)
