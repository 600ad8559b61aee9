"""Lab 5's loaders on the committed samples (tests/data/text, see SOURCE.md): every accepted layout, the embedded real
subsets, faulty files (one line naming the file) and `mlplab data check imdb|newsgroups`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile

import numpy as np
import pytest

from conftest import SAMPLES
from mlplab.data import imdb, newsgroups
from mlplab.data.textsets import with_subset
from mlplab.errors import UserError

TEXT = SAMPLES / "text"
IMDB_ARCHIVE = TEXT / "aclImdb_sample.tar.gz"
NG_ARCHIVE = TEXT / "20news-bydate_sample.tar.gz"


def test_imdb_archive_folder_and_data_dir_give_the_same_reviews(tmp_path, monkeypatch):
    a = imdb.load_imdb(IMDB_ARCHIVE)
    assert (a.n_train, a.n_test) == (60, 60) and a.counts()["train"] == {"negative": 30, "positive": 30}
    with tarfile.open(IMDB_ARCHIVE) as tar:
        tar.extractall(tmp_path / "raw", filter="data")
    b = imdb.load_imdb(tmp_path / "raw" / "aclImdb")
    assert b.provenance["sha256"] == a.provenance["sha256"] and b.provenance["layout"] == "folder"
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(tmp_path / "raw"))
    assert imdb.load_imdb().provenance["sha256"] == a.provenance["sha256"]
    assert all(r >= 7 for r in a.train_meta["rating"][30:]) and all(r <= 4 for r in a.train_meta["rating"][:30])
    assert "<br />" in "".join(a.train_texts)  # the raw text; cleaning is the tokenizer's job


def test_imdb_kaggle_csv_gets_a_stated_stratified_split(tmp_path, monkeypatch):
    shutil.copy(TEXT / "IMDB Dataset.csv", tmp_path / "IMDB Dataset.csv")
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(tmp_path))
    c = imdb.load_imdb()
    assert c.provenance["layout"] == "csv" and (c.n_train, c.n_test) == (20, 20)
    assert c.counts()["test"] == {"negative": 10, "positive": 10} and "no split" in c.provenance["split"]


def test_imdb_embedded_subset_is_labelled_as_such():
    c = imdb.load_imdb()  # the autouse fixture points the data dir at an empty folder
    assert c.provenance["kind"] == "subset" and c.provenance["source"] == "embedded"
    assert (c.n_train, c.n_test) == (2_000, 1_000) and c.counts()["test"] == {"negative": 500, "positive": 500}
    assert "EMBEDDED REAL SUBSET" in imdb.describe(c)[0]


def _archive(tmp_path, members: dict[str, bytes], name="aclImdb_v1.tar.gz"):
    import io

    path = tmp_path / name
    with tarfile.open(path, "w:gz") as tar:
        for arc, data in members.items():
            info = tarfile.TarInfo(arc)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("members,message", [
    ({"aclImdb/train/pos/1_3.txt": b"x", "aclImdb/train/neg/2_1.txt": b"y"}, "rating 3 in the pos/ folder"),
    ({"aclImdb/train/pos/1_8.txt": b"\xff\xfe bad", "aclImdb/train/neg/2_1.txt": b"y"}, "not UTF-8"),
    ({"aclImdb/train/pos/1_8.txt": b"x", "aclImdb/train/neg/2_1.txt": b"y"}, "no negative or positive test reviews"),
])
def test_imdb_bad_archives_name_the_file(tmp_path, members, message):
    path = _archive(tmp_path, members)
    with pytest.raises(UserError, match=message) as err:
        imdb.load_imdb(path)
    assert "aclImdb_v1.tar.gz" in str(err.value) and "\n" not in str(err.value)


def test_imdb_bad_csv_and_corrupt_archive(tmp_path):
    bad = tmp_path / "IMDB Dataset.csv"
    bad.write_text("text,label\nhello,positive\n")
    with pytest.raises(UserError, match="expected the columns review,sentiment"):
        imdb.load_imdb(bad)
    bad.write_text("review,sentiment\nhello,great\n")
    with pytest.raises(UserError, match="row 2: sentiment 'great', expected positive or negative"):
        imdb.load_imdb(bad)
    broken = tmp_path / "aclImdb_v1.tar.gz"
    broken.write_bytes(IMDB_ARCHIVE.read_bytes()[:5000])
    with pytest.raises(UserError, match="not a readable tar archive"):
        imdb.load_imdb(broken)


def test_newsgroups_archive_folders_and_text_only(tmp_path, monkeypatch):
    a = newsgroups.load_newsgroups(NG_ARCHIVE)
    assert (a.n_train, a.n_test, len(a.classes)) == (100, 60, 20)
    with tarfile.open(NG_ARCHIVE) as tar:
        tar.extractall(tmp_path / "raw", filter="data")
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(tmp_path / "raw"))
    b = newsgroups.load_newsgroups()
    assert b.provenance["layout"] == "folders" and b.provenance["sha256"] == a.provenance["sha256"]
    with_header = [t for t in a.train_texts if t.startswith("From:")]
    stripped = newsgroups.text_only(with_header)
    still = sum(s.startswith("From:") for s in stripped)
    assert with_header and still <= len(with_header) // 10  # a message whose body repeats a header keeps it
    assert sum(map(len, stripped)) < sum(map(len, with_header))


def test_newsgroups_unknown_group_and_embedded_subset(tmp_path):
    path = _archive(tmp_path, {"20news-bydate-train/alt.cooking/1": b"x"}, "20news-bydate.tar.gz")
    with pytest.raises(UserError, match="unknown newsgroup 'alt.cooking'"):
        newsgroups.load_newsgroups(path)
    c = newsgroups.load_newsgroups()
    assert c.provenance["kind"] == "subset" and (c.n_train, c.n_test) == (1_000, 500) and len(c.classes) == 20


def test_stratified_subset_says_so():
    c = with_subset(imdb.load_imdb(IMDB_ARCHIVE), 20, 10)
    assert (c.n_train, c.n_test) == (20, 10) and c.provenance["kind"] == "subset"
    assert c.counts()["train"] == {"negative": 10, "positive": 10} and "20 of 60 training" in c.provenance["note"]
    with pytest.raises(UserError, match="max_train=-1"):
        with_subset(c, -1, 0)


@pytest.mark.parametrize("dataset,path,expected", [("imdb", IMDB_ARCHIVE, ["positive", "30", "30"]),
                                                   ("newsgroups", NG_ARCHIVE, ["total", "100", "60"])])
def test_data_check_prints_counts_per_split_and_class(dataset, path, expected):
    out = subprocess.run([sys.executable, "-m", "mlplab", "data", "check", dataset, "--path", str(path)],
                         capture_output=True, text=True)
    assert out.returncode == 0 and expected in [line.split() for line in out.stdout.splitlines()]


def test_data_check_bad_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "IMDB Dataset.csv"
    bad.write_text("a,b\n1,2\n")
    out = subprocess.run([sys.executable, "-m", "mlplab", "data", "check", "imdb", "--path", str(bad)],
                         capture_output=True, text=True)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1 and "IMDB Dataset.csv" in out.stderr
