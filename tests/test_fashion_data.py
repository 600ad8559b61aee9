"""Fashion-MNIST reader and loader: the committed real sample (tests/data/fashion-mnist, see SOURCE.md), every
accepted layout, the embedded subset, the optional download, and bad files (exit 2, one line naming the file)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import SAMPLES
from mlplab.cli import main
from mlplab.data import fashion_mnist as fm
from mlplab.errors import UserError

SAMPLE = SAMPLES / "fashion-mnist"


@pytest.fixture
def data_dir(monkeypatch, tmp_path) -> Path:
    d = tmp_path / "raw"
    d.mkdir()
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(d))
    monkeypatch.setenv("MLPLAB_OFFLINE", "1")
    monkeypatch.setattr(fm, "SYSTEM_DIRS", (tmp_path / "no-debian",))
    return d


def copy_sample(dest: Path, *, gunzip: bool = False, dotted: bool = False) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in SAMPLE.glob("*.gz"):
        name = f.name.replace("-idx", ".idx") if dotted else f.name
        if gunzip:
            (dest / name.removesuffix(".gz")).write_bytes(gzip.decompress(f.read_bytes()))
        else:
            shutil.copy(f, dest / name)
    return dest


def write_csvs(dest: Path, data: fm.FashionMNIST) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    header = "label," + ",".join(f"pixel{i}" for i in range(1, 785))
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        rows = np.c_[y, X.reshape(len(X), -1)]
        np.savetxt(dest / fm.CSV_FILES[part], rows, fmt="%d", delimiter=",", header=header, comments="")


def one_line_error(capsys, argv) -> str:
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0 and err.startswith("mlplab: error: ")
    return err


# ---- the reader on the real sample ---------------------------------------------------------------------

def test_sample_reads_with_its_documented_shape_and_classes(data_dir):
    d = fm.load_fashion_mnist(SAMPLE)
    assert d.X_train.shape == (200, 28, 28) and d.X_test.shape == (100, 28, 28)
    assert d.X_train.dtype == np.uint8 and d.y_train.dtype == np.int64
    assert np.bincount(d.y_train).tolist() == [20] * 10 and np.bincount(d.y_test).tolist() == [10] * 10
    assert d.provenance["source"] == "file" and d.provenance["kind"] == "real"
    assert d.provenance["path"] == "tests/data/fashion-mnist"
    assert not Path(d.provenance["path"]).is_absolute()
    assert d.provenance["layout"] == "idx" and d.provenance["split"] == "official"
    assert d.report["verified"] is False  # a subset: its content is not the official files'
    # real images: dark background, bright item, every class's mean image different from the others
    assert d.X_train[:, 0, 0].max() < 50 and d.X_train.max() == 255
    means = np.stack([d.X_train[d.y_train == k].mean(axis=0) for k in range(10)])
    assert len({m.tobytes() for m in means}) == 10


def test_parse_idx_round_trip_and_big_endian_header(tmp_path):
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = fm.write_idx(tmp_path / "x.idx", arr, compress=False)
    raw = path.read_bytes()
    assert raw[:4] == bytes([0, 0, 8, 3]) and raw[4:8] == (2).to_bytes(4, "big") and raw[12:16] == (4).to_bytes(4, "big")
    assert np.array_equal(fm.parse_idx(raw, path), arr)


def test_verification_is_on_decompressed_content_not_the_gzip_wrapper(data_dir, monkeypatch):
    """Debian recompressed the .gz files: same content, other bytes. The loader checks the content."""
    plain = fm.load_fashion_mnist(SAMPLE)
    digests = {stem: fm.read_idx(SAMPLE / f"{stem}.gz", "images" if "images" in stem else "labels")[1]
               for stem in fm.OFFICIAL_SHA256}
    monkeypatch.setattr(fm, "OFFICIAL_SHA256", digests)
    folder = data_dir / "fashion-mnist"
    folder.mkdir()
    for f in SAMPLE.glob("*.gz"):  # recompress: different .gz bytes, identical content
        (folder / f.name).write_bytes(gzip.compress(gzip.decompress(f.read_bytes()), compresslevel=1, mtime=12345))
        assert (folder / f.name).read_bytes() != f.read_bytes()
    d = fm.load_fashion_mnist()
    assert d.report["verified"] is True and d.provenance["verified"] is True
    assert np.array_equal(d.X_train, plain.X_train) and d.provenance["sha256"] == plain.provenance["sha256"]


# ---- every layout ------------------------------------------------------------------------------------

@pytest.mark.parametrize("where, kind, gunzip, dotted", [
    ("fashion-mnist", "idx", False, False),
    (".", "idx", True, False),                      # the four files directly in data/raw, not gzipped
    ("FashionMNIST/raw", "torchvision", True, False),  # torchvision's folder layout
    ("fashion-mnist/FashionMNIST/raw", "torchvision", False, False),
    ("fashion-mnist", "idx", False, True),          # 'train-images.idx3-ubyte' spelled with a dot
])
def test_idx_layouts(data_dir, where, kind, gunzip, dotted):
    copy_sample(data_dir / where, gunzip=gunzip, dotted=dotted)
    d = fm.load_fashion_mnist()
    ref = fm.load_fashion_mnist(SAMPLE)
    assert d.provenance["layout"] == kind and d.provenance["source"] == "file"
    assert np.array_equal(d.X_train, ref.X_train) and np.array_equal(d.y_test, ref.y_test)


def test_debian_install_path(data_dir, monkeypatch, tmp_path):
    debian = copy_sample(tmp_path / "usr" / "share" / "datasets" / "fashion-mnist")
    monkeypatch.setattr(fm, "SYSTEM_DIRS", (debian,))
    d = fm.load_fashion_mnist()
    assert d.provenance["layout"] == "debian" and d.X_train.shape == (200, 28, 28)
    assert not Path(d.provenance["path"]).is_absolute()


def test_kaggle_csv_layout_says_its_split_is_not_the_official_one(data_dir):
    ref = fm.load_fashion_mnist(SAMPLE)
    write_csvs(data_dir, ref)
    d = fm.load_fashion_mnist()
    assert d.provenance["layout"] == "kaggle_csv" and d.provenance["split"] == "kaggle"
    assert "not the official" in d.report["split"]
    assert np.array_equal(d.X_train, ref.X_train) and np.array_equal(d.y_train, ref.y_train)


def test_explicit_csv_file_path_uses_its_folder(data_dir, tmp_path):
    ref = fm.load_fashion_mnist(SAMPLE)
    write_csvs(tmp_path / "kaggle", ref)
    d = fm.load_fashion_mnist(tmp_path / "kaggle" / "fashion-mnist_test.csv")
    assert d.provenance["layout"] == "kaggle_csv" and np.array_equal(d.X_test, ref.X_test)


def test_layouts_are_never_mixed_between_train_and_test(data_dir, capsys):
    """IDX training files in one folder and nothing else there: an error naming the missing files, not a
    test set borrowed from another layout (Kaggle's CSVs hold official test images in their train file)."""
    folder = data_dir / "fashion-mnist"
    folder.mkdir()
    for f in SAMPLE.glob("train-*.gz"):
        shutil.copy(f, folder / f.name)
    write_csvs(data_dir, fm.load_fashion_mnist(SAMPLE))
    err = one_line_error(capsys, ["data", "check", "fashion-mnist"])
    assert "fashion-mnist/" in err and "t10k-images-idx3-ubyte" in err and "same folder" in err


def test_one_kaggle_csv_without_the_other_is_an_error(data_dir, capsys):
    ref = fm.load_fashion_mnist(SAMPLE)
    write_csvs(data_dir, ref)
    (data_dir / fm.CSV_FILES["test"]).unlink()
    err = one_line_error(capsys, ["data", "check", "fashion-mnist"])
    assert "fashion-mnist_train.csv" in err and "fashion-mnist_test.csv" in err


# ---- the embedded subset and the optional download ---------------------------------------------------

def test_embedded_subset_when_no_file_exists(data_dir):
    d = fm.load_fashion_mnist()
    assert d.provenance["source"] == "embedded" and d.provenance["kind"] == "subset"
    assert d.X_train.shape == (2000, 28, 28) and d.X_test.shape == (1000, 28, 28)
    assert np.bincount(d.y_train).tolist() == [200] * 10 and np.bincount(d.y_test).tolist() == [100] * 10
    assert "no Fashion-MNIST files" in d.provenance["note"]
    manifest = (fm.EMBEDDED_DIR / "indices.json").read_text()
    assert '"train"' in manifest and '"test"' in manifest


def test_download_failure_falls_back_to_the_embedded_subset_with_a_note(data_dir, monkeypatch):
    monkeypatch.delenv("MLPLAB_OFFLINE")

    def offline(dest, **kw):
        raise OSError("network unreachable")

    monkeypatch.setattr(fm, "download_official", offline)
    d = fm.load_fashion_mnist(download=True)
    assert d.provenance["source"] == "embedded" and "download of the official files failed" in d.provenance["note"]


def test_download_writes_into_data_raw_once_and_is_then_a_file_source(data_dir, monkeypatch):
    monkeypatch.delenv("MLPLAB_OFFLINE")
    calls = []

    def fake(dest, **kw):
        calls.append(dest)
        copy_sample(dest)
        return ["downloaded (test double)"]

    monkeypatch.setattr(fm, "download_official", fake)
    d = fm.load_fashion_mnist(download=True)
    assert d.provenance["source"] == "file" and d.provenance["path"].endswith("fashion-mnist")
    assert calls == [data_dir / "fashion-mnist"]
    fm.load_fashion_mnist(download=True)
    assert len(calls) == 1  # the files are there now: no second download


def test_offline_setting_never_tries_the_network(data_dir, monkeypatch):
    monkeypatch.setattr(fm, "download_official", lambda *a, **k: pytest.fail("tried the network"))
    assert fm.load_fashion_mnist(download=True).provenance["source"] == "embedded"


def test_with_subset_is_stratified_and_labelled(data_dir):
    d = fm.with_subset(fm.load_fashion_mnist(), 500, 200, seed=0)
    assert np.bincount(d.y_train).tolist() == [50] * 10 and np.bincount(d.y_test).tolist() == [20] * 10
    assert d.provenance["kind"] == "subset" and "500 of 2,000" in d.provenance["note"]


def test_fingerprint_follows_the_file_content(data_dir):
    folder = copy_sample(data_dir / "fashion-mnist")
    before = fm.fingerprint()
    assert before["source"] == "file" and before["layout"] == "idx"
    labels = folder / "t10k-labels-idx1-ubyte.gz"
    y = fm.read_idx(labels, "labels")[0].copy()
    y[0] = (y[0] + 1) % 10
    fm.write_idx(labels, y)
    assert fm.fingerprint() != before


# ---- bad files: exit 2, one line naming the file ------------------------------------------------------

def _corrupt(folder: Path, name: str, data: bytes) -> None:
    (folder / name).write_bytes(data)


@pytest.mark.parametrize("name, make, words", [
    ("train-images-idx3-ubyte.gz", lambda raw: gzip.compress(raw[: len(raw) // 2]), "truncated"),
    ("train-images-idx3-ubyte.gz", lambda raw: gzip.compress(raw)[:-40], "corrupt gzip"),
    ("t10k-labels-idx1-ubyte.gz", lambda raw: gzip.compress(b"\x00\x00\x0c\x01" + raw[4:]), "not an unsigned-byte IDX"),
    ("t10k-labels-idx1-ubyte.gz", lambda raw: gzip.compress(raw[:8] + bytes([11]) + raw[9:]), "not a class code"),
    ("train-labels-idx1-ubyte.gz", lambda raw: gzip.compress(raw + b"\x00"), "beyond"),
])
def test_bad_idx_files(data_dir, capsys, name, make, words):
    folder = copy_sample(data_dir / "fashion-mnist")
    raw = gzip.decompress((folder / name).read_bytes())
    _corrupt(folder, name, make(raw))
    err = one_line_error(capsys, ["data", "check", "fashion-mnist"])
    assert name in err and words in err


def test_image_and_label_counts_must_match(data_dir, capsys):
    folder = copy_sample(data_dir / "fashion-mnist")
    labels = fm.read_idx(folder / "t10k-labels-idx1-ubyte.gz", "labels")[0]
    fm.write_idx(folder / "t10k-labels-idx1-ubyte.gz", labels[:-1])
    err = one_line_error(capsys, ["data", "check", "fashion-mnist"])
    assert "t10k-images-idx3-ubyte.gz" in err and "100 images" in err and "99 labels" in err


def test_images_of_another_size_are_rejected(data_dir, capsys):
    folder = copy_sample(data_dir / "fashion-mnist")
    fm.write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((100, 32, 32), dtype=np.uint8))
    err = one_line_error(capsys, ["data", "check", "fashion-mnist"])
    assert "t10k-images-idx3-ubyte.gz" in err and "32 × 32" in err


def _first_row(text: str, column: int, value: str) -> str:
    lines = text.split("\n")
    cells = lines[1].split(",")
    cells[column] = value
    return "\n".join([lines[0], ",".join(cells), *lines[2:]])


@pytest.mark.parametrize("edit, words", [
    (lambda text: text.replace("label,pixel1", "class,pixel1", 1), "column 1 is 'class'"),
    (lambda text: _first_row(text, 5, "300"), "'pixel5': 300 is not a pixel value 0–255"),
    (lambda text: _first_row(text, 0, "12"), "'label': 12 is not a class code 0–9"),
    (lambda text: _first_row(text, 3, "x"), "values must be integers"),
    (lambda text: "", "file is empty"),
])
def test_bad_kaggle_csv(data_dir, capsys, edit, words):
    write_csvs(data_dir, fm.load_fashion_mnist(SAMPLE))
    path = data_dir / fm.CSV_FILES["train"]
    path.write_text(edit(path.read_text()))
    err = one_line_error(capsys, ["data", "check", "fashion-mnist"])
    assert "fashion-mnist_train.csv" in err and words in err


def test_explicit_path_without_fashion_files(data_dir, capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    err = one_line_error(capsys, ["data", "check", "fashion-mnist", "--path", str(tmp_path / "empty")])
    assert "no Fashion-MNIST files there" in err


def test_reader_rejects_a_short_file(tmp_path):
    p = tmp_path / "x"
    p.write_bytes(b"\x00\x00")
    with pytest.raises(UserError, match="not an IDX file"):
        fm.read_idx(p, "labels")
