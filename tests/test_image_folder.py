"""The folder image loader (Pillow) on small folders of generated images: class folders, split folders and
Food-11's numbered files; every bad folder stops with one line naming the folder or file; and the transfer
chapter's split of a folder set (its own parts, or a test part split off and said so)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from mlplab.data.images import FOOD11, fingerprint, food11_class, load_image_folder, scan
from mlplab.errors import UserError
from mlplab.transfer import data as D


def _img(path, colour=(200, 30, 30), size=(20, 12), mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour if mode == "RGB" else colour[0]).save(path)
    return path


def class_folders(root, classes=("cat", "dog", "owl"), n=6):
    for c, colour in zip(classes, ((255, 0, 0), (0, 255, 0), (0, 0, 255))):
        for i in range(n):
            _img(root / c / f"{i}.jpg" if i % 2 else root / c / f"{i}.PNG", colour)
    return root


def test_class_folders_are_read_resized_and_labelled(tmp_path):
    root = class_folders(tmp_path / "set")
    _img(root / "owl" / "grey.png", (90, 90, 90), mode="L")  # grey images become RGB
    s = load_image_folder(root, size=16)
    assert s.layout == "class_folders" and s.parts == ("train",)
    assert s.classes == ("cat", "dog", "owl")
    X, y = s.images["train"], s.labels["train"]
    assert X.shape == (19, 3, 16, 16) and X.dtype == np.uint8
    assert list(y).count("owl") == 7
    red = X[list(y).index("cat")]
    assert red[0].mean() > 200 and red[1].mean() < 40  # channel order R, G, B; centre crop of a 20 × 12 image
    assert len(s.sha256) == 64 and s.count() == 19


def test_split_folders_keep_their_parts(tmp_path):
    root = tmp_path / "set"
    class_folders(root / "train")
    class_folders(root / "val", n=2)
    class_folders(root / "test", n=3)
    s = load_image_folder(root, size=8)
    assert s.layout == "split_folders" and set(s.parts) == {"train", "validation", "test"}
    assert len(s.labels["validation"]) == 6 and len(s.labels["test"]) == 9


def test_food11_names_give_the_class_by_number(tmp_path):
    root = tmp_path / "food-11"
    for part, n in (("training", 4), ("validation", 2), ("evaluation", 2)):
        for c in (0, 3, 10):
            for i in range(n):
                _img(root / part / f"{c}_{i}.jpg", (c * 20, 100, 100))
    layout, files = scan(root)
    assert layout == "food11" and set(files) == {"train", "validation", "test"}
    s = load_image_folder(root, size=8)
    assert s.classes == ("Bread", "Egg", "Vegetable/Fruit")
    assert food11_class("10_7") == FOOD11[10] and food11_class("12_1") == "12"


@pytest.mark.parametrize("make, words", [
    (lambda r: r / "missing", "folder not found"),
    (lambda r: _img(r / "one.jpg"), "not a folder of images"),
    (lambda r: (r / "empty").mkdir() or r / "empty", "no images"),
    (lambda r: (class_folders(r / "s"), (r / "s" / "ghost").mkdir(), r / "s")[-1], "ghost/: a class folder without images"),
    (lambda r: (_img(r / "f" / "training" / "bread.jpg"), r / "f")[-1], "bread.jpg: not a Food-11 file name"),
    (lambda r: (class_folders(r / "s"), (r / "s" / "cat" / "bad.jpg").write_bytes(b"not a jpeg"), r / "s")[-1],
     "bad.jpg: not a readable image"),
    (lambda r: (class_folders(r / "s" / "train"), class_folders(r / "s" / "test", classes=("cat", "emu")), r / "s")[-1],
     "the test images hold class 'emu'"),
    (lambda r: (class_folders(r / "s", classes=("cat",)), r / "s")[-1], "1 class in the training images"),
    (lambda r: (class_folders(r / "s"), _img(r / "s" / "stray.jpg"), r / "s")[-1], "both images and class folders"),
    (lambda r: (class_folders(r / "s" / "val"), r / "s")[-1], "without a training part"),
    (lambda r: (class_folders(r / "s" / "train"), class_folders(r / "s" / "misc"), r / "s")[-1],
     "misc/: neither a split part"),
])
def test_bad_folders_stop_with_one_line_naming_them(tmp_path, make, words):
    root = make(tmp_path)
    with pytest.raises(UserError) as err:
        load_image_folder(root, size=8)
    text = str(err.value)
    assert words in text and "\n" not in text


def test_the_fingerprint_changes_when_an_image_changes(tmp_path):
    root = class_folders(tmp_path / "set")
    before = fingerprint(root)
    assert fingerprint(root) == before and before["images"] == 18
    _img(root / "dog" / "new.jpg")
    assert fingerprint(root)["files"] != before["files"]


def test_a_folder_set_without_a_test_part_gets_one_split_off_and_says_so(tmp_path):
    s = load_image_folder(class_folders(tmp_path / "set", n=20), size=8)
    d = D.from_folder(s, valid_images=6, max_test=0, test_share=0.25, seed=0)
    assert len(d.y_test) == 15 and len(d.y_valid) == 6 and len(d.y_pool) == 39
    assert sorted(np.unique(d.y_test, return_counts=True)[1]) == [5, 5, 5]  # stratified
    assert "split off" in d.report["test_source"] and "split off" in d.provenance["note"]
    assert d.channels == 3 and d.image_size == 8
    assert len(d.y_pool) + len(d.y_valid) + len(d.y_test) == 60  # every image in exactly one part


def test_a_folder_set_with_parts_uses_them(tmp_path):
    root = tmp_path / "set"
    class_folders(root / "train", n=10)
    class_folders(root / "validation", n=3)
    class_folders(root / "test", n=4)
    d = D.from_folder(load_image_folder(root, size=8), valid_images=100, max_test=0, test_share=0.2, seed=0)
    assert (len(d.y_pool), len(d.y_valid), len(d.y_test)) == (30, 9, 12)
    assert d.report["test_source"] == "the folder's test part" and not d.report["notes"]


@pytest.mark.parametrize("make, words", [
    (lambda r: r / "nowhere", "nowhere: folder not found"),
    (lambda r: (class_folders(r / "s" / "train"), class_folders(r / "s" / "test", classes=("cat", "emu")), r / "s")[-1],
     "the test images hold class 'emu'"),
    (lambda r: (_img(r / "f" / "training" / "bread.jpg"), r / "f")[-1], "bread.jpg: not a Food-11 file name"),
])
def test_mlplab_run_stops_on_a_bad_folder_with_exit_2_and_one_line(tmp_path, monkeypatch, capsys, make, words):
    from conftest import ROOT
    from mlplab.cli import main

    folder = make(tmp_path)
    monkeypatch.chdir(ROOT)
    assert main(["run", "--profile", "quick", "--only", "transfer", "--set", f"transfer.data_path={folder}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and words in err
