"""20 Newsgroups, by-date version (Ken Lang's collection as published by Jason Rennie, the split scikit-learn's
`fetch_20newsgroups` uses): 11,314 training and 7,532 later test messages in 20 groups, one message per file,
raw bytes (latin-1 in places; read as latin-1, as scikit-learn does). No licence text is published with it.

Layouts, first found wins (an explicit `path` is one of them): the archive `20news-bydate.tar.gz` (or the
`.tar.xz` recompression), read without unpacking; the folders `20news-bydate-train/` and `20news-bydate-test/`
(in `data/raw/`, in `data/raw/20news-bydate/`, or in scikit-learn's cache `~/scikit_learn_data/20news_home/`,
`$SCIKIT_LEARN_DATA` honoured); else the embedded real subset (50 training and 25 test messages per group).

Two variants of every message: as published (headers From/Subject/Organization/Lines, signatures and quoted
replies included, which give much away) and text only, with scikit-learn's own `remove=('headers', 'footers',
'quotes')` functions applied; `text_only` returns the latter.
"""

from __future__ import annotations

import os
import re
import tarfile
from pathlib import Path

import numpy as np

from mlplab.data.provenance import Provenance
from mlplab.data.textsets import (EMBEDDED_DIR, Corpus, content_hash, count_lines, read_embedded, write_embedded)
from mlplab.errors import UserError
from mlplab.experiment.paths import Paths

NAME = "newsgroups"
ARCHIVES = ("20news-bydate.tar.gz", "20news-bydate.tar.xz", "20news-bydate.tgz")
PARTS = {"train": "20news-bydate-train", "test": "20news-bydate-test"}
MEMBER = re.compile(r"(?:^|/)20news-bydate-(train|test)/([a-z0-9.\-]+)/(\d+)$")
EMBEDDED = EMBEDDED_DIR / "newsgroups_subset.jsonl.xz"
EMBEDDED_PER_GROUP = {"train": 50, "test": 25}
GROUPS = ("alt.atheism", "comp.graphics", "comp.os.ms-windows.misc", "comp.sys.ibm.pc.hardware",
          "comp.sys.mac.hardware", "comp.windows.x", "misc.forsale", "rec.autos", "rec.motorcycles",
          "rec.sport.baseball", "rec.sport.hockey", "sci.crypt", "sci.electronics", "sci.med", "sci.space",
          "soc.religion.christian", "talk.politics.guns", "talk.politics.mideast", "talk.politics.misc",
          "talk.religion.misc")
CITATION = "Ken Lang (1995), NewsWeeder: Learning to Filter Netnews, ICML; by-date version qwone.com/~jason/20Newsgroups/"


def _records(items, shown: str) -> list[tuple]:
    out = []
    for name, get in items:
        m = MEMBER.search(name)
        if not m:
            continue
        split, group, ident = m.group(1), m.group(2), int(m.group(3))
        if group not in GROUPS:
            raise UserError(f"{shown}:{name}: unknown newsgroup {group!r} (expected the 20 groups of the by-date set)")
        out.append((split, group, get().decode("latin-1"), ident))
    return out


def read_archive(path: Path) -> list[tuple]:
    shown = Paths.find().display(path)
    try:
        with tarfile.open(path, "r:*") as tar:
            items = [(m.name, (lambda d: (lambda: d))(tar.extractfile(m).read())) for m in tar
                     if m.isfile() and MEMBER.search(m.name)]
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UserError(f"{shown}: not a readable tar archive ({type(exc).__name__}: {str(exc)[:80]}); download "
                        "20news-bydate.tar.gz again") from None
    return _records(items, shown)


def read_folders(base: Path) -> list[tuple]:
    shown = Paths.find().display(base)
    items = []
    for split, folder in PARTS.items():
        for p in sorted((base / folder).glob("*/*")):
            if p.is_file():
                items.append((f"{folder}/{p.parent.name}/{p.name}", p.read_bytes))
    return _records(items, shown)


def sklearn_home() -> Path:
    return Path(os.environ.get("SCIKIT_LEARN_DATA") or Path.home() / "scikit_learn_data") / "20news_home"


def _has_folders(d: Path) -> bool:
    return any((d / f).is_dir() for f in PARTS.values())


def locate(path: str | Path | None = None, data_dir: Path | None = None) -> tuple[str, Path | None, list[str]]:
    if path:
        from mlplab.data.resolve import explicit_path

        p = explicit_path(path)
        if p.is_dir():
            if _has_folders(p):
                return "folders", p, []
            raise UserError(f"{p}: no 20news-bydate-train/ or 20news-bydate-test/ folder there")
        if p.name.endswith((".tar.gz", ".tgz", ".tar.xz", ".tar")):
            return "archive", p, []
        raise UserError(f"{p}: not a 20 Newsgroups layout (expected 20news-bydate.tar.gz or its two folders)")
    d = data_dir or Paths.find().data_raw
    for name in ARCHIVES:
        if (d / name).is_file():
            return "archive", d / name, []
    for base in (d, d / "20news-bydate", sklearn_home()):
        if _has_folders(base):
            return "folders", base, []
    where = Paths.find().display(d)
    return "embedded", None, [f"no {ARCHIVES[0]} or 20news-bydate-train/ and -test/ folders in {where}/ or in "
                              "scikit-learn's cache"]


def fingerprint(path: str | Path | None = None, data_dir: Path | None = None) -> dict:
    from mlplab.data.io import sha256_file

    layout, p, _ = locate(path, data_dir)
    if layout == "embedded":
        return {"source": "embedded", "sha256": sha256_file(EMBEDDED)}
    if layout == "folders":
        files = [f for f in p.rglob("*") if f.is_file()]
        return {"source": "file", "layout": layout, "files": len(files), "bytes": sum(f.stat().st_size for f in files)}
    return {"source": "file", "layout": layout, "sha256": sha256_file(p)}


def load_newsgroups(path: str | Path | None = None) -> Corpus:
    layout, p, notes = locate(path)
    if layout == "embedded":
        recs = [(r["split"], r["label"], r["text"], r["id"]) for r in read_embedded(EMBEDDED)]
        shown, source, kind = "embedded:newsgroups_subset", "embedded", "subset"
    else:
        recs = read_archive(p) if layout == "archive" else read_folders(p)
        shown, source, kind = Paths.find().display(p), "file", "real"
    parts = {s: sorted((r for r in recs if r[0] == s), key=lambda r: (r[1], r[3])) for s in ("train", "test")}
    for s, rows in parts.items():
        if not rows:
            raise UserError(f"{shown}: no {s} messages (expected {PARTS[s]}/<group>/<id> files)")
        groups = {r[1] for r in rows}
        if len(groups) < 2:
            raise UserError(f"{shown}: {s} messages of {len(groups)} group only; the by-date set has 20")
    classes = tuple(g for g in GROUPS if any(r[1] == g for r in parts["train"]))
    sha = content_hash((r[0], r[1], r[2]) for s in ("train", "test") for r in parts[s])
    split = ("the by-date split, whose test messages were posted later than the training ones" if layout != "embedded"
             else "a stratified real subset of the by-date split, 50 training and 25 test messages per group")
    n = len(parts["train"]) + len(parts["test"])
    prov = {**Provenance(source, shown, n, sha, note="; ".join(notes), kind=kind).to_dict(), "layout": layout,
            "split": split, "citation": CITATION}
    corpus = Corpus([r[2] for r in parts["train"]], np.array([r[1] for r in parts["train"]], dtype=object),
                    [r[2] for r in parts["test"]], np.array([r[1] for r in parts["test"]], dtype=object), classes, prov,
                    train_meta={"id": [r[3] for r in parts["train"]]}, test_meta={"id": [r[3] for r in parts["test"]]})
    corpus.report = {"layout": layout, "split": split, "train": corpus.n_train, "test": corpus.n_test,
                     "counts": corpus.counts(), "notes": notes}
    return corpus


def text_only(texts: list[str]) -> list[str]:
    """scikit-learn's remove=('headers', 'footers', 'quotes'): the header block, a signature after the last
    '--' line (or the last lines after a blank line), and quoted lines ('>' or 'writes:'/'wrote:')."""
    from sklearn.datasets._twenty_newsgroups import (strip_newsgroup_footer, strip_newsgroup_header,
                                                     strip_newsgroup_quoting)

    return [strip_newsgroup_quoting(strip_newsgroup_footer(strip_newsgroup_header(t))) for t in texts]


def describe(corpus: Corpus) -> list[str]:
    p, r = corpus.provenance, corpus.report
    lines = []
    if p["source"] == "embedded":
        lines.append("EMBEDDED REAL SUBSET — real messages, but only 1,000 training and 500 test messages; put "
                     "20news-bydate.tar.gz in data/raw/ for all 18,846 (see data/README.md)")
    lines += [f"dataset:   {NAME}", f"source:    {p['source']}", f"kind:      {p['kind']}", f"path:      {p['path']}",
              f"layout:    {r['layout']}", f"split:     {r['split']}", f"sha256:    {p['sha256']} (of the texts and labels)",
              f"messages:  {corpus.n_train:,} training, {corpus.n_test:,} test, {len(corpus.classes)} groups",
              *count_lines(corpus, "messages")]
    lines += [f"note:      {n}" for n in r.get("notes", [])]
    lines.append(f"cite:      {CITATION}")
    return lines


def build_embedded(corpus: Corpus, dest: Path = EMBEDDED, seed: int = 1995) -> Path:
    if corpus.provenance.get("source") != "file":
        raise UserError("the embedded subset must be drawn from the by-date files")
    rng = np.random.default_rng(seed)
    records = []
    for split, texts, labels, meta in (("train", corpus.train_texts, corpus.train_labels, corpus.train_meta),
                                       ("test", corpus.test_texts, corpus.test_labels, corpus.test_meta)):
        for g in corpus.classes:
            rows = np.flatnonzero(labels == g)
            for i in np.sort(rng.choice(rows, EMBEDDED_PER_GROUP[split], replace=False)):
                records.append({"split": split, "label": g, "id": int(meta["id"][i]), "text": texts[i]})
    return write_embedded(dest, records)
