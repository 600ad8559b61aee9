"""The images of the transfer chapter and its few-label protocol.

Where the images come from: Fashion-MNIST by default (mlplab.data.fashion_mnist: the official files in
data/raw/, else the embedded real subset), or a user's folder set (`data_path`, mlplab.data.images:
class folders or Food-11's parts). Either way the chapter gets three parts:

- the **pool**: training images the labelled sets are drawn from;
- the **validation images**: a fixed stratified draw from the training images, outside the pool (a
  folder set's own validation part when it has one): they choose the logistic regression's C and the
  recommended model, never fit anything;
- the **test images**: the official test set (Fashion-MNIST, optionally a stratified `max_test` of it) or
  the folder set's test part; a folder set without one gets a stratified `test_share` of its images split
  off, and the chapter says so. Scored once per model and seed, never chosen on.

Labelled sets: for each seed, every class's pool images are put in a random order (seeded) and the first
k of them are that class's labelled images at budget k, so a seed's smaller sets lie inside its larger
ones (a learning curve of one growing collection, not unrelated draws).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split

from mlplab.errors import UserError


@dataclass
class TransferData:
    """Pool, validation and test images (uint8; N × H × W grey or N × 3 × H × W colour) with class names."""

    X_pool: np.ndarray
    y_pool: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]
    provenance: dict
    report: dict = field(default_factory=dict)

    @property
    def channels(self) -> int:
        return 1 if self.X_pool.ndim == 3 else int(self.X_pool.shape[1])

    @property
    def image_size(self) -> int:
        return int(self.X_pool.shape[-1])

    @property
    def name(self) -> str:
        return self.report.get("dataset", "images")

    def per_class_pool(self) -> dict[str, int]:
        names, counts = np.unique(self.y_pool, return_counts=True)
        return {str(n): int(c) for n, c in zip(names, counts)}


def _stratified(n: int, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of a stratified draw of `n` rows and of the rest (both sorted)."""
    rows = np.arange(len(y))
    take, rest = train_test_split(rows, train_size=int(n), stratify=y, random_state=seed)
    return np.sort(take), np.sort(rest)


def _check_count(name: str, n: int, available: int, classes: int, what: str) -> None:
    if n < classes:
        raise UserError(f"transfer parameter {name}={n}: expected at least one image per class ({classes})")
    if n >= available:
        raise UserError(f"transfer parameter {name}={n}: only {available:,} {what} are available; give fewer")


def from_fashion(data, *, valid_images: int, max_test: int, seed: int) -> TransferData:
    """Fashion-MNIST (mlplab.data.fashion_mnist.FashionMNIST) as pool / validation / test."""
    from mlplab.data.fashion_mnist import CLASSES

    names = np.asarray(CLASSES, dtype=object)
    y_train, y_test = names[data.y_train], names[data.y_test]
    _check_count("valid_images", valid_images, len(y_train), len(CLASSES), "training images")
    valid, pool = _stratified(valid_images, y_train, seed)
    X_test, test_note = data.X_test, ""
    if max_test and max_test < len(y_test):
        _check_count("max_test", max_test, len(y_test), len(CLASSES), "test images")
        keep, _ = _stratified(max_test, y_test, seed)
        X_test, y_test = data.X_test[keep], y_test[keep]
        test_note = f"a stratified {max_test:,} of the {len(data.y_test):,} official test images"
    report = {"dataset": "Fashion-MNIST", "layout": data.report.get("layout"), "split": data.report.get("split"),
              "train": int(len(data.y_train)), "test_available": int(len(data.y_test)), "test_note": test_note,
              "test_source": "official", "validation_source": "drawn from the training images", "colour": False,
              "native_size": int(data.X_train.shape[-1])}
    return TransferData(data.X_train[pool], y_train[pool], data.X_train[valid], y_train[valid], X_test, y_test,
                        tuple(CLASSES), dict(data.provenance), report)


def from_folder(folder, *, valid_images: int, max_test: int, test_share: float, seed: int) -> TransferData:
    """A folder set (mlplab.data.images.ImageFolderSet) as pool / validation / test: its own validation
    and test parts when it has them; otherwise stratified draws from its training images (and the
    report says which part was split off)."""
    from mlplab.data.provenance import Provenance
    from mlplab.experiment.paths import Paths

    classes = folder.classes
    X, y = folder.images["train"], folder.labels["train"]
    notes = []
    if "test" in folder.images:
        X_test, y_test, test_source = folder.images["test"], folder.labels["test"], "the folder's test part"
    else:
        n_test = max(len(classes), int(round(test_share * len(y))))
        _check_count("test_share", n_test, len(y), len(classes), "images")
        test, keep = _stratified(n_test, y, seed)
        X_test, y_test, X, y = X[test], y[test], X[keep], y[keep]
        test_source = f"a stratified {100 * test_share:.0f} % of the images, split off (the folder has no test part)"
        notes.append(f"no test part: {len(test):,} images ({100 * test_share:.0f} %, stratified) were split off as the test set")
    if "validation" in folder.images:
        X_valid, y_valid = folder.images["validation"], folder.labels["validation"]
        if valid_images and valid_images < len(y_valid):
            keep, _ = _stratified(valid_images, y_valid, seed)
            X_valid, y_valid = X_valid[keep], y_valid[keep]
        valid_source = "the folder's validation part"
    else:
        _check_count("valid_images", valid_images, len(y), len(classes), "training images")
        valid, pool = _stratified(valid_images, y, seed)
        X_valid, y_valid, X, y = X[valid], y[valid], X[pool], y[pool]
        valid_source = "drawn from the training images"
    test_note = ""
    if max_test and max_test < len(y_test):
        keep, _ = _stratified(max_test, y_test, seed)
        test_note = f"a stratified {max_test:,} of the {len(y_test):,} test images"
        X_test, y_test = X_test[keep], y_test[keep]
    shown = Paths.find().display(folder.root)
    prov = Provenance("file", shown, folder.count(), folder.sha256, note="; ".join(notes), kind="real").to_dict()
    report = {"dataset": f"the images in {shown}", "layout": folder.layout, "split": test_source,
              "train": int(len(folder.labels["train"])), "test_available": int(len(y_test)), "test_note": test_note,
              "test_source": test_source, "validation_source": valid_source, "colour": True,
              "native_size": int(X.shape[-1]), "notes": notes}
    return TransferData(X, y, X_valid, y_valid, X_test, y_test, tuple(classes), prov, report)


def labelled_positions(y_pool: np.ndarray, classes, budgets, seed: int) -> dict[int, np.ndarray]:
    """For one seed: {k: pool positions of the first k images of every class in that seed's order} (nested)."""
    rng = np.random.default_rng(seed)
    order = {c: rng.permutation(np.flatnonzero(y_pool == c)) for c in classes}
    short = [(c, len(o)) for c, o in order.items() if len(o) < max(budgets)]
    if short:
        c, n = short[0]
        raise UserError(f"transfer parameter budgets={list(budgets)}: class {c!r} has {n:,} pool images, fewer than "
                        f"the largest budget ({max(budgets):,} per class); give smaller budgets")
    return {int(k): np.sort(np.concatenate([order[c][:k] for c in classes])) for k in budgets}
