"""The Large Movie Review Dataset (IMDB; Maas et al., ACL 2011): 25,000 training and 25,000 test reviews,
balanced, positive = rating >= 7, negative = rating <= 4; the halves share no movie. No licence text: the
authors ask users to cite the paper.

Layouts, first found wins (an explicit `path` is one of them):
- Stanford's folder `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt` (in `data/raw/` or given);
- Stanford's archive `aclImdb_v1.tar.gz` (or the `.tar.xz` recompression), read without unpacking;
- Kaggle's `IMDB Dataset.csv` (`review,sentiment` with positive/negative, 50,000 rows, shuffled, no split): the
  loader then draws a stratified random half as the test set (seed 0) and says so; the original's movie-disjoint
  split is lost with it, so test reviews may share movies with training reviews.
- the embedded default: a real subset (1,000 training and 500 test reviews per class, drawn at random from
  the original split) shipped in the package, labelled "real subset" everywhere.
A file that is used and does not fit (a rating against its folder, an unreadable review, a CSV without the
columns) is a UserError naming it; the embedded subset is used only when no candidate exists.
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import numpy as np

from mlplab.data.provenance import Provenance
from mlplab.data.textsets import (EMBEDDED_DIR, Corpus, content_hash, count_lines, read_embedded, stratified_take,
                                  write_embedded)
from mlplab.errors import UserError
from mlplab.experiment.paths import Paths

NAME = "imdb"
CLASSES = ("negative", "positive")
FOLDERS = {"neg": "negative", "pos": "positive"}
ARCHIVES = ("aclImdb_v1.tar.gz", "aclImdb_v1.tar.xz", "aclImdb_v1.tgz", "aclImdb.tar.gz")
CSV_NAMES = ("IMDB Dataset.csv", "imdb_dataset.csv", "IMDB_Dataset.csv")
MEMBER = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
EMBEDDED = EMBEDDED_DIR / "imdb_subset.jsonl.xz"
EMBEDDED_PER_CLASS = {"train": 1_000, "test": 500}
CITATION = ("Maas, Daly, Pham, Huang, Ng and Potts (2011), Learning Word Vectors for Sentiment Analysis, ACL; "
            "ai.stanford.edu/~amaas/data/sentiment/")


def _check_rating(where: str, folder: str, rating: int) -> None:
    ok = rating >= 7 if folder == "pos" else rating <= 4
    if not ok or not 1 <= rating <= 10:
        raise UserError(f"{where}: rating {rating} in the {folder}/ folder (positive reviews are rated 7-10, "
                        "negative 1-4)")


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{where}: not UTF-8 text (byte {exc.start}); Stanford's reviews are UTF-8") from None


def _records_from_members(items, shown: str) -> list[tuple]:
    """(split, label, text, id, rating) from (member name, bytes getter) pairs."""
    out = []
    for name, get in items:
        m = MEMBER.search(name)
        if not m:
            continue
        split, folder, ident, rating = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
        where = f"{shown}:{name}" if shown else name
        _check_rating(where, folder, rating)
        out.append((split, FOLDERS[folder], _decode(get(), where), ident, rating))
    return out


def read_folder(folder: Path) -> list[tuple]:
    root = folder if (folder / "train").is_dir() or (folder / "test").is_dir() else folder / "aclImdb"
    base = root.parent
    files = sorted(p for part in ("train", "test") for f in FOLDERS for p in (root / part / f).glob("*.txt"))
    shown = Paths.find().display(root)
    items = [(p.relative_to(base).as_posix(), p.read_bytes) for p in files]
    if root.name != "aclImdb":  # a renamed folder: match on the part below it
        items = [("aclImdb/" + p.relative_to(root).as_posix(), p.read_bytes) for p in files]
    return _records_from_members(items, shown)


def read_archive(path: Path) -> list[tuple]:
    try:
        with tarfile.open(path, "r:*") as tar:
            items = []
            for member in tar:
                if member.isfile() and MEMBER.search(member.name):
                    data = tar.extractfile(member).read()
                    items.append((member.name, lambda d=data: d))
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UserError(f"{Paths.find().display(path)}: not a readable tar archive ({type(exc).__name__}: "
                        f"{str(exc)[:80]}); download aclImdb_v1.tar.gz again") from None
    return _records_from_members(items, Paths.find().display(path))


def read_csv(path: Path, seed: int = 0) -> list[tuple]:
    """Kaggle's single CSV: a stratified random half becomes the test set (seeded)."""
    import pandas as pd

    shown = Paths.find().display(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{shown}: could not be read as CSV ({str(exc).splitlines()[0][:100]})") from None
    cols = {c.strip().lower(): c for c in frame.columns}
    if "review" not in cols or "sentiment" not in cols:
        raise UserError(f"{shown}: expected the columns review,sentiment (Kaggle's IMDB Dataset.csv), got "
                        f"{','.join(map(str, frame.columns[:5]))}")
    sentiment = frame[cols["sentiment"]].str.strip().str.lower()
    bad = ~sentiment.isin(CLASSES)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise UserError(f"{shown}: row {row + 2:,}: sentiment {frame[cols['sentiment']].iloc[row]!r}, expected "
                        "positive or negative")
    if frame.empty:
        raise UserError(f"{shown}: has a header but no reviews")
    labels = sentiment.to_numpy()
    test = np.zeros(len(labels), dtype=bool)
    test[stratified_take(labels, len(labels) // 2, seed)] = True
    texts = frame[cols["review"]].tolist()
    return [("test" if t else "train", lab, text, i, 0) for i, (t, lab, text) in enumerate(zip(test, labels, texts))]


def locate(path: str | Path | None = None, data_dir: Path | None = None) -> tuple[str, Path | None, list[str]]:
    """(layout, file or folder, notes): folder | archive | csv | embedded. Nothing is read here."""
    if path:
        from mlplab.data.resolve import explicit_path

        p = explicit_path(path)
        if p.is_dir():
            if (p / "train").is_dir() or (p / "test").is_dir() or (p / "aclImdb").is_dir():
                return "folder", p, []
            raise UserError(f"{p}: no aclImdb/ folders there (expected train/ and test/ with pos/ and neg/)")
        if p.name.endswith((".tar.gz", ".tgz", ".tar.xz", ".tar")):
            return "archive", p, []
        if p.suffix.lower() == ".csv":
            return "csv", p, []
        raise UserError(f"{p}: not an IMDB layout (expected the aclImdb folder, aclImdb_v1.tar.gz or IMDB Dataset.csv)")
    d = data_dir or Paths.find().data_raw
    if (d / "aclImdb").is_dir():
        return "folder", d / "aclImdb", []
    for name in ARCHIVES:
        if (d / name).is_file():
            return "archive", d / name, []
    for name in CSV_NAMES:
        if (d / name).is_file():
            return "csv", d / name, []
    where = Paths.find().display(d)
    return "embedded", None, [f"no aclImdb/, {' or '.join(ARCHIVES[:2])} or '{CSV_NAMES[0]}' in {where}/"]


def fingerprint(path: str | Path | None = None, data_dir: Path | None = None) -> dict:
    from mlplab.data.io import sha256_file

    layout, p, _ = locate(path, data_dir)
    if layout == "embedded":
        return {"source": "embedded", "sha256": sha256_file(EMBEDDED)}
    if layout == "folder":
        files = sorted(p.rglob("*.txt"))
        return {"source": "file", "layout": layout, "files": len(files),
                "bytes": sum(f.stat().st_size for f in files), "mtime": max((int(f.stat().st_mtime) for f in files), default=0)}
    return {"source": "file", "layout": layout, "sha256": sha256_file(p)}


def load_imdb(path: str | Path | None = None, *, csv_seed: int = 0) -> Corpus:
    layout, p, notes = locate(path)
    if layout == "embedded":
        recs = [(r["split"], r["label"], r["text"], r["id"], r["rating"]) for r in read_embedded(EMBEDDED)]
        shown, source, kind = "embedded:imdb_subset", "embedded", "subset"
    else:
        recs = {"folder": read_folder, "archive": read_archive}.get(layout, lambda q: read_csv(q, csv_seed))(p)
        shown, source, kind = Paths.find().display(p), "file", "real"
    parts = {s: [r for r in recs if r[0] == s] for s in ("train", "test")}
    for s, rows in parts.items():
        got = {r[1] for r in rows}
        if set(CLASSES) - got:
            where = shown if layout != "embedded" else "the embedded subset"
            raise UserError(f"{where}: no {' or '.join(sorted(set(CLASSES) - got))} {s} reviews "
                            f"(expected {s}/pos/ and {s}/neg/ with <id>_<rating>.txt files)")
    for rows in parts.values():  # a fixed order whatever the layout: by class, then id
        rows.sort(key=lambda r: (r[1], r[3]))
    split = {"folder": "the original movie-disjoint split", "archive": "the original movie-disjoint split",
             "embedded": "a stratified real subset of the original split (1,000 training and 500 test reviews per class)",
             "csv": f"Kaggle's CSV has no split: a stratified random half as test set (seed {csv_seed}); reviews of one "
                    "movie may be on both sides"}[layout]
    sha = content_hash((r[0], r[1], r[2]) for s in ("train", "test") for r in parts[s])
    n = len(parts["train"]) + len(parts["test"])
    prov = {**Provenance(source, shown, n, sha, note="; ".join(notes), kind=kind).to_dict(), "layout": layout,
            "split": split, "citation": CITATION}
    corpus = Corpus([r[2] for r in parts["train"]], np.array([r[1] for r in parts["train"]], dtype=object),
                    [r[2] for r in parts["test"]], np.array([r[1] for r in parts["test"]], dtype=object), CLASSES, prov,
                    train_meta={"rating": [r[4] for r in parts["train"]], "id": [r[3] for r in parts["train"]]},
                    test_meta={"rating": [r[4] for r in parts["test"]], "id": [r[3] for r in parts["test"]]})
    corpus.report = {"layout": layout, "split": split, "train": corpus.n_train, "test": corpus.n_test,
                     "counts": corpus.counts(), "notes": notes}
    return corpus


def describe(corpus: Corpus) -> list[str]:
    """The `mlplab data check imdb` summary."""
    p, r = corpus.provenance, corpus.report
    lines = []
    if p["source"] == "embedded":
        lines.append("EMBEDDED REAL SUBSET — real reviews, but only 2,000 training and 1,000 test reviews; put "
                     "aclImdb_v1.tar.gz (or the aclImdb folder) in data/raw/ for all 50,000 (see data/README.md)")
    lines += [f"dataset:   {NAME}", f"source:    {p['source']}", f"kind:      {p['kind']}", f"path:      {p['path']}",
              f"layout:    {r['layout']}", f"split:     {r['split']}", f"sha256:    {p['sha256']} (of the texts and labels)",
              f"reviews:   {corpus.n_train:,} training, {corpus.n_test:,} test", *count_lines(corpus, "reviews")]
    lines += [f"note:      {n}" for n in r.get("notes", [])]
    lines.append(f"cite:      {CITATION}")
    return lines


def build_embedded(corpus: Corpus, dest: Path = EMBEDDED, seed: int = 2011) -> Path:
    """Write the embedded subset from the original layout: `EMBEDDED_PER_CLASS` reviews per class and split."""
    if corpus.provenance.get("layout") not in ("folder", "archive"):
        raise UserError("the embedded subset must be drawn from Stanford's original layout")
    rng = np.random.default_rng(seed)
    records = []
    for split, texts, labels, meta in (("train", corpus.train_texts, corpus.train_labels, corpus.train_meta),
                                       ("test", corpus.test_texts, corpus.test_labels, corpus.test_meta)):
        for c in CLASSES:
            rows = np.flatnonzero(labels == c)
            for i in np.sort(rng.choice(rows, EMBEDDED_PER_CLASS[split], replace=False)):
                records.append({"split": split, "label": c, "id": int(meta["id"][i]), "rating": int(meta["rating"][i]),
                                "text": texts[i]})
    return write_embedded(dest, records)
