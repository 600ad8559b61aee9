"""Fashion-MNIST (Zalando Research, MIT licence): 60,000 + 10,000 grayscale images of 28 × 28 pixels, 10 classes.

The package's own readers (numpy, no torchvision: its wheel does not load with the CPU torch used
here) for the two layouts the images come in:

- **IDX** (the official files, gzip or not): a big-endian header (magic 0x00000803 for images, 0x00000801
  for labels, then the dimensions) followed by unsigned bytes. Found under their official names
  (`train-images-idx3-ubyte[.gz]`, `t10k-labels-idx1-ubyte[.gz]`, ...; `.idx3-ubyte` spelled with a
  dot too) in `data/raw/fashion-mnist/`, in `data/raw/` itself, in torchvision's folder layout
  (`FashionMNIST/raw/`) and in Debian's `dataset-fashion-mnist` install path
  (`/usr/share/datasets/fashion-mnist/`). Debian recompressed the `.gz` wrappers, so their checksums
  differ from upstream's: the loader verifies the *decompressed* bytes against the SHA-256 of the
  official files (`verified` in the provenance), never the `.gz` checksums.
- **Kaggle CSV**: `fashion-mnist_train.csv` / `fashion-mnist_test.csv`, columns `label, pixel1 … pixel784`.
  Kaggle's files do not keep the official split (its training CSV holds official test images), so
  the provenance says which split ran (`split`: official | kaggle).

A layout is one folder and one format: train and test always come from the same place (a layout
missing one of its files is an error naming the file, never completed from another layout, which
could put test images in the training rows). The first folder that holds any file of a layout
wins; a file that is used and fails validation (truncated, corrupt gzip, wrong magic, labels out of
0–9, pixels out of 0–255, image and label counts that differ) is a UserError naming it. Only when no
folder holds any candidate file does the loader fall back to the **embedded default**: a stratified
real subset (2,000 training and 1,000 test images, 200 and 100 per class, drawn from the official
files) shipped in the package (provenance kind `subset`). With `download=True` it first tries to
fetch the official files into `data/raw/fashion-mnist/` (once; verified after download).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlplab.data.provenance import Provenance
from mlplab.errors import UserError
from mlplab.experiment import atomic
from mlplab.experiment.paths import Paths

NAME = "fashion-mnist"
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
IMAGE_SHAPE = (28, 28)
OFFICIAL_COUNTS = {"train": 60_000, "test": 10_000}
IMAGE_MAGIC, LABEL_MAGIC = 0x0803, 0x0801
IDX_FILES = {("train", "images"): "train-images-idx3-ubyte", ("train", "labels"): "train-labels-idx1-ubyte",
             ("test", "images"): "t10k-images-idx3-ubyte", ("test", "labels"): "t10k-labels-idx1-ubyte"}
CSV_FILES = {"train": "fashion-mnist_train.csv", "test": "fashion-mnist_test.csv"}
# SHA-256 of the decompressed official files (identical in upstream's and Debian's copies).
OFFICIAL_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
DOWNLOAD_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/{name}.gz"
SYSTEM_DIRS: tuple[Path, ...] = (Path("/usr/share/datasets/fashion-mnist"),)  # Debian's dataset-fashion-mnist
EMBEDDED_DIR = Path(__file__).parent / "embedded" / NAME
EMBEDDED_COUNTS = {"train": 2_000, "test": 1_000}
LAYOUTS = ("idx", "torchvision", "debian", "kaggle_csv", "embedded")


@dataclass(frozen=True)
class Layout:
    """Where train and test come from: one folder, one format, and the files of each part."""

    kind: str                 # idx | torchvision | debian | kaggle_csv | embedded
    folder: Path
    files: dict[str, Path]    # idx: train_images, train_labels, test_images, test_labels; csv: train, test
    source: str = "file"      # file | embedded

    @property
    def split(self) -> str:
        return "kaggle" if self.kind == "kaggle_csv" else "official"


@dataclass
class FashionMNIST:
    """The images (uint8, N × 28 × 28), labels (int64 codes 0–9), where they came from and what was checked."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    provenance: dict
    report: dict = field(default_factory=dict)

    @property
    def classes(self) -> tuple[str, ...]:
        return CLASSES

    @property
    def subset(self) -> bool:
        return self.provenance.get("kind") == "subset"


# ---- IDX -----------------------------------------------------------------------------------------

def _read_bytes(path: Path) -> bytes:
    """The file's content, gunzipped when it starts with the gzip magic (whatever its name)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise UserError(f"{path}: corrupt gzip stream ({str(exc) or type(exc).__name__}); "
                        "download the file again") from None


def parse_idx(data: bytes, path: Path | str = "<bytes>") -> np.ndarray:
    """An IDX payload (already decompressed) as a uint8 array of the shape its header states."""
    if len(data) < 4:
        raise UserError(f"{path}: not an IDX file ({len(data)} bytes; expected a 4-byte magic number first)")
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise UserError(f"{path}: not an unsigned-byte IDX file (magic {data[:4].hex()}; expected 00000801 "
                        "for labels or 00000803 for images)")
    ndim = data[3]
    if ndim not in (1, 3):
        raise UserError(f"{path}: IDX file with {ndim} dimensions; expected 1 (labels) or 3 (images)")
    head = 4 + 4 * ndim
    if len(data) < head:
        raise UserError(f"{path}: truncated IDX header ({len(data)} bytes; {head} expected)")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64))
    body = len(data) - head
    if body < expected:
        raise UserError(f"{path}: truncated: the header announces {' × '.join(f'{d:,}' for d in shape)} = "
                        f"{expected:,} bytes of data, the file holds {body:,}")
    if body > expected:
        raise UserError(f"{path}: {body - expected:,} bytes beyond the {expected:,} its header announces "
                        f"({' × '.join(f'{d:,}' for d in shape)}); not a valid IDX file")
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=head).reshape(shape)


def read_idx(path: str | Path, kind: str) -> tuple[np.ndarray, str]:
    """(array, sha256 of the decompressed bytes) of an IDX images (N × 28 × 28) or labels (N) file."""
    p = Path(path)
    data = _read_bytes(p)
    arr = parse_idx(data, p)
    if kind == "images":
        if arr.ndim != 3:
            raise UserError(f"{p}: an IDX file of {arr.ndim} dimension(s) where images (N × 28 × 28) were expected")
        if arr.shape[1:] != IMAGE_SHAPE:
            raise UserError(f"{p}: images of {arr.shape[1]} × {arr.shape[2]} pixels; Fashion-MNIST's are 28 × 28")
    elif kind == "labels":
        if arr.ndim != 1:
            raise UserError(f"{p}: an IDX file of {arr.ndim} dimensions where labels (N) were expected")
        _check_labels(arr, p)
    else:  # pragma: no cover - programming error
        raise ValueError(f"kind must be 'images' or 'labels', got {kind!r}")
    return arr, hashlib.sha256(data).hexdigest()


def _check_labels(labels: np.ndarray, path: Path, row_offset: int = 0, what: str = "label") -> None:
    bad = np.flatnonzero(labels > 9)
    if len(bad):
        raise UserError(f"{path}: {what} {int(labels[bad[0]])} at row {int(bad[0]) + row_offset:,} is not a class "
                        f"code 0–9 ({len(bad):,} such rows)")


def write_idx(path: str | Path, array: np.ndarray, *, compress: bool = True) -> Path:
    """Write a uint8 array as an IDX file (gzip-compressed with a fixed mtime, so bytes are reproducible)."""
    arr = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, arr.ndim]) + np.asarray(arr.shape, dtype=">u4").tobytes()
    payload = header + arr.tobytes()
    if compress:
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as gz:
            gz.write(payload)
        payload = buf.getvalue()
    return atomic.write_bytes(path, payload)


# ---- Kaggle CSV ----------------------------------------------------------------------------------

def read_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray, str]:
    """(images N × 28 × 28 uint8, labels, sha256 of the file) of a Kaggle `label, pixel1 … pixel784` CSV."""
    import polars as pl

    p = Path(path)
    if p.stat().st_size == 0:
        raise UserError(f"{p}: file is empty, expected the header 'label, pixel1 … pixel784' and one row per image")
    try:
        head = pl.read_csv(p, n_rows=0).columns
    except Exception as exc:  # polars raises several exception types; all mean "not a readable CSV"
        raise UserError(f"{p}: could not parse as CSV ({_first_line(exc)})") from None
    expected = ["label"] + [f"pixel{i}" for i in range(1, 785)]
    names = [c.strip().lstrip("\ufeff").lower() for c in head]
    if names != expected:
        where = next((i for i, (a, b) in enumerate(zip(names, expected)) if a != b), min(len(names), len(expected)))
        got = head[where] if where < len(head) else "(nothing)"
        want = expected[where] if where < len(expected) else "(no more columns)"
        raise UserError(f"{p}: column {where + 1} is {got!r}, expected {want!r}; a Kaggle Fashion-MNIST CSV has "
                        f"785 columns 'label, pixel1 … pixel784' (this one has {len(head)})")
    try:
        frame = pl.read_csv(p, schema={c: pl.Int64 for c in head})
    except Exception as exc:
        raise UserError(f"{p}: values must be integers ({_first_line(exc)})") from None
    if frame.height == 0:
        raise UserError(f"{p}: has a header but no image rows")
    values = frame.to_numpy()
    if (values < 0).any() or (values[:, 1:] > 255).any() or (values[:, 0] > 9).any():
        rows, cols = np.nonzero((values < 0) | np.c_[values[:, :1] > 9, values[:, 1:] > 255])
        col = head[cols[0]]
        limit = "a class code 0–9" if cols[0] == 0 else "a pixel value 0–255"
        raise UserError(f"{p}: row {int(rows[0]) + 2:,} (line {int(rows[0]) + 2:,}), column {col!r}: "
                        f"{int(values[rows[0], cols[0]])} is not {limit}")
    images = values[:, 1:].astype(np.uint8).reshape(-1, *IMAGE_SHAPE)
    from mlplab.data.io import sha256_file

    return images, values[:, 0].astype(np.uint8), sha256_file(p)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---- layouts -------------------------------------------------------------------------------------

def _idx_file(folder: Path, stem: str) -> Path | None:
    """`stem`, `stem.gz`, or the dotted spelling (`train-images.idx3-ubyte`) in `folder`; gzip preferred."""
    dotted = stem.replace("-idx", ".idx")
    for name in (f"{stem}.gz", stem, f"{dotted}.gz", dotted):
        if (folder / name).is_file():
            return folder / name
    return None


def _layout_in(folder: Path, kind: str) -> Layout | None:
    """The layout held by `folder`, or None when it holds no candidate file; a partial layout is an error."""
    if not folder.is_dir():
        return None
    idx = {f"{part}_{what}": _idx_file(folder, stem) for (part, what), stem in IDX_FILES.items()}
    shown = Paths.find().display(folder)
    if any(idx.values()):
        missing = [IDX_FILES[tuple(k.split("_"))] for k, v in idx.items() if v is None]
        if missing:
            raise UserError(f"{shown}/: holds {', '.join(v.name for v in idx.values() if v)} but not "
                            f"{', '.join(m + '[.gz]' for m in missing)}; train and test must come from the same "
                            "folder (put all four official files there)")
        return Layout(kind, folder, idx)
    csv = {part: folder / name for part, name in CSV_FILES.items()}
    present = [part for part, f in csv.items() if f.is_file()]
    if present:
        if len(present) == 1:
            missing = "test" if present == ["train"] else "train"
            raise UserError(f"{shown}/: holds {CSV_FILES[present[0]]} but not {CSV_FILES[missing]}; Kaggle's train "
                            "and test CSVs must come together (never mixed with the IDX files of another folder)")
        return Layout("kaggle_csv", folder, csv)
    return None


def candidate_folders(data_dir: Path) -> list[tuple[Path, str]]:
    """Folders searched, in order, with the layout name their IDX files would have."""
    return [(data_dir / NAME, "idx"), (data_dir, "idx"), (data_dir / "FashionMNIST" / "raw", "torchvision"),
            (data_dir / NAME / "FashionMNIST" / "raw", "torchvision"),
            *[(d, "debian") for d in SYSTEM_DIRS]]


def embedded_layout() -> Layout:
    files = {f"{part}_{what}": EMBEDDED_DIR / f"{stem}.gz" for (part, what), stem in IDX_FILES.items()}
    return Layout("embedded", EMBEDDED_DIR, files, source="embedded")


def locate(path: str | Path | None = None, *, data_dir: Path | None = None) -> tuple[Layout, list[str]]:
    """The layout the loader will read, and notes on what was looked for where (no pixel is read).

    `path`: a folder holding a layout, or one file of it (its folder is used). Without it: the
    candidate folders under the data dir, then Debian's install path, then the embedded subset."""
    if path is not None and str(path) != "":
        from mlplab.data.resolve import explicit_path

        p = explicit_path(path)
        folder = p if p.is_dir() else p.parent
        found = _layout_in(folder, "idx")
        if found is None:
            raise UserError(f"{p}: no Fashion-MNIST files there (expected the four IDX files "
                            f"{', '.join(IDX_FILES.values())}[.gz] or Kaggle's {' and '.join(CSV_FILES.values())})")
        if not p.is_dir() and p not in found.files.values():
            raise UserError(f"{p}: not one of the Fashion-MNIST files of its folder "
                            f"({', '.join(f.name for f in found.files.values())})")
        return found, []
    d = data_dir if data_dir is not None else Paths.find().data_raw
    for folder, kind in candidate_folders(d):
        found = _layout_in(folder, kind)
        if found is not None:
            return found, []
    where = Paths.find().display(d)
    return embedded_layout(), [f"no Fashion-MNIST files in {where}/{NAME}/, {where}/, {where}/FashionMNIST/raw/ "
                               f"or {', '.join(str(s) for s in SYSTEM_DIRS)}"]


def fingerprint(path: str | Path | None = None, *, directory: str | Path | None = None) -> dict:
    """What the runner's staleness check compares: the layout and the SHA-256 of each file it reads."""
    from mlplab.data.io import sha256_file

    layout, _ = locate(path, data_dir=Path(directory) if directory else None)
    out = {"source": layout.source, "layout": layout.kind}
    for key, f in sorted(layout.files.items()):
        out[key] = sha256_file(f)
    return out


# ---- download (optional, once) ---------------------------------------------------------------------

def download_official(dest: Path, *, timeout: float = 10.0) -> list[str]:
    """Fetch the four official files into `dest` (skipping those already there), verify their
    decompressed SHA-256, write each atomically. Returns notes; raises OSError when offline."""
    import urllib.request

    notes = []
    for stem, digest in OFFICIAL_SHA256.items():
        target = dest / f"{stem}.gz"
        if target.is_file():
            continue
        url = DOWNLOAD_URL.format(name=stem)
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - fixed https/http URL
            data = resp.read()
        if hashlib.sha256(gzip.decompress(data)).hexdigest() != digest:
            raise OSError(f"{url}: downloaded content does not match the official file's SHA-256")
        atomic.write_bytes(target, data)
        notes.append(f"downloaded {target.name} from {url}")
    return notes


# ---- loading -------------------------------------------------------------------------------------

def load_fashion_mnist(path: str | Path | None = None, *, download: bool = False) -> FashionMNIST:
    """Find a layout (see the module docstring), read and validate both parts, say where they came from."""
    layout, notes = locate(path)
    if layout.source == "embedded" and download and not offline():
        dest = Paths.find().data_raw / NAME
        try:
            notes += download_official(dest)
            layout, _ = locate(None)
        except OSError as exc:
            notes.append(f"download of the official files failed ({type(exc).__name__}: {str(exc)[:100]}); "
                         "using the embedded subset")
    return read_layout(layout, notes)


def read_layout(layout: Layout, notes: list[str] | None = None) -> FashionMNIST:
    digests: dict[str, str] = {}
    parts = {}
    if layout.kind == "kaggle_csv":
        for part in ("train", "test"):
            X, y, digests[layout.files[part].name] = read_csv(layout.files[part])
            parts[part] = (X, y)
    else:
        for part in ("train", "test"):
            X, dx = read_idx(layout.files[f"{part}_images"], "images")
            y, dy = read_idx(layout.files[f"{part}_labels"], "labels")
            if len(X) != len(y):
                raise UserError(f"{layout.files[f'{part}_images']}: {len(X):,} images but "
                                f"{layout.files[f'{part}_labels'].name} has {len(y):,} labels")
            digests[IDX_FILES[(part, 'images')]], digests[IDX_FILES[(part, 'labels')]] = dx, dy
            parts[part] = (X, y)
    verified = layout.kind != "kaggle_csv" and all(digests.get(k) == v for k, v in OFFICIAL_SHA256.items())
    (X_tr, y_tr), (X_te, y_te) = parts["train"], parts["test"]
    content = hashlib.sha256("".join(f"{k}:{v};" for k, v in sorted(digests.items())).encode()).hexdigest()
    embedded = layout.source == "embedded"
    shown = "embedded:fashion-mnist" if embedded else Paths.find().display(layout.folder)
    split = ("a stratified subset of the official split (200 training and 100 test images per class)" if embedded
             else "Kaggle's CSV split (not the official one: its training file holds official test images)"
             if layout.kind == "kaggle_csv" else "the official 60,000/10,000 split" if verified
             else "the official file names (content differs from the official files)")
    provenance = {**Provenance(layout.source, shown, int(len(y_tr) + len(y_te)), content, note="; ".join(notes or []),
                               kind="subset" if embedded else "real").to_dict(),
                  "layout": layout.kind, "split": layout.split, "verified": bool(verified)}
    report = {"layout": layout.kind, "split": split, "verified": bool(verified),
              "files": {k: (k if embedded else Paths.find().display(v)) for k, v in layout.files.items()},
              "train": len(y_tr), "test": len(y_te),
              "class_counts": {"train": np.bincount(y_tr, minlength=10).tolist(),
                               "test": np.bincount(y_te, minlength=10).tolist()},
              "notes": list(notes or [])}
    return FashionMNIST(np.ascontiguousarray(X_tr), y_tr.astype(np.int64), np.ascontiguousarray(X_te),
                        y_te.astype(np.int64), provenance, report)


def with_subset(data: FashionMNIST, n_train: int, n_test: int, seed: int = 0) -> FashionMNIST:
    """A stratified subset of the loaded images (n_train / n_test > 0; 0 keeps that part whole); the
    provenance then says `subset` and how many of how many images ran."""
    if n_train < 0 or n_test < 0:
        raise UserError(f"parameters max_train={n_train}, max_test={n_test}: expected counts >= 0 (0: all images)")
    rng = np.random.default_rng(seed)
    X_tr, y_tr = _stratified(data.X_train, data.y_train, n_train, rng)
    X_te, y_te = _stratified(data.X_test, data.y_test, n_test, rng)
    if len(y_tr) == len(data.y_train) and len(y_te) == len(data.y_test):
        return data
    prov = {**data.provenance, "kind": "subset", "rows": int(len(y_tr) + len(y_te)),
            "note": "; ".join(filter(None, [data.provenance.get("note"),
                                            f"stratified subset of {len(y_tr):,} of {len(data.y_train):,} training and "
                                            f"{len(y_te):,} of {len(data.y_test):,} test images (seed {seed})"]))}
    report = {**data.report, "subset_of": {"train": len(data.y_train), "test": len(data.y_test)},
              "train": len(y_tr), "test": len(y_te),
              "class_counts": {"train": np.bincount(y_tr, minlength=10).tolist(),
                               "test": np.bincount(y_te, minlength=10).tolist()}}
    return FashionMNIST(X_tr, y_tr, X_te, y_te, prov, report)


def _stratified(X: np.ndarray, y: np.ndarray, n: int, rng: np.random.Generator):
    if not n or n >= len(y):
        return X, y
    from sklearn.model_selection import train_test_split

    keep, _ = train_test_split(np.arange(len(y)), train_size=int(n), stratify=y,
                               random_state=int(rng.integers(2**31 - 1)))
    keep = np.sort(keep)
    return np.ascontiguousarray(X[keep]), y[keep]


def describe(data: FashionMNIST) -> list[str]:
    """The `mlplab data check fashion-mnist` summary, one fact per line."""
    p, r = data.provenance, data.report
    lines = []
    if p["source"] == "embedded":
        lines.append("EMBEDDED SUBSET — real images, but only 2,000 training and 1,000 test images; put the official "
                     "files in data/raw/fashion-mnist/ for the full set (see data/README.md)")
    lines += [f"dataset:   {NAME}", f"source:    {p['source']}", f"kind:      {p['kind']}", f"path:      {p['path']}",
              f"layout:    {r['layout']}", f"split:     {r['split']}",
              f"verified:  {'yes: decompressed content matches the official files' if r['verified'] else 'no'}",
              f"sha256:    {p['sha256']}", f"images:    {r['train']:,} training, {r['test']:,} test, 28 × 28 uint8",
              "files:"]
    lines += [f"  {k:<13} {v}" for k, v in r["files"].items()]
    lines.append("class counts (train / test):")
    width = max(len(c) for c in CLASSES)
    lines += [f"  {i} {c:<{width}}  {a:>6,}  {b:>6,}"
              for i, (c, a, b) in enumerate(zip(CLASSES, r["class_counts"]["train"], r["class_counts"]["test"]))]
    lines += [f"note:      {n}" for n in r["notes"]]
    return lines


def build_embedded(source: FashionMNIST, dest: Path = EMBEDDED_DIR, *, per_class_train: int = 200,
                   per_class_test: int = 100, seed: int = 2017) -> dict:
    """Write the embedded subset (IDX, gzip) from the official files and a manifest of the indices drawn."""
    if not source.report.get("verified"):
        raise UserError("the embedded subset must be drawn from the verified official files")
    rng = np.random.default_rng(seed)
    manifest = {"seed": seed, "per_class": {"train": per_class_train, "test": per_class_test}, "indices": {}}
    for part, X, y, k in (("train", source.X_train, source.y_train, per_class_train),
                          ("test", source.X_test, source.y_test, per_class_test)):
        idx = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == c), k, replace=False) for c in range(10)]))
        write_idx(dest / f"{IDX_FILES[(part, 'images')]}.gz", X[idx])
        write_idx(dest / f"{IDX_FILES[(part, 'labels')]}.gz", y[idx].astype(np.uint8))
        manifest["indices"][part] = idx.tolist()
    atomic.write_text(dest / "indices.json", json.dumps(manifest) + "\n")
    return manifest


def offline() -> bool:
    """MLPLAB_OFFLINE set: never try the network (the test suite sets it)."""
    return bool(os.environ.get("MLPLAB_OFFLINE"))
