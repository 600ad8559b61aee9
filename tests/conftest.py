"""Shared fixtures: paths to the real samples in tests/data/ (see its SOURCE.md), seeding, temp dirs.

The samples are committed: no test reads anything outside the repository.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data"
NYSE_SAMPLE = SAMPLES / "prices-split-adjusted.csv"  # AAL, DOW, EQIX, ZION, 2014-01-02 .. 2016-12-30: 3,024 rows
SECURITIES_SAMPLE = SAMPLES / "securities.csv"  # the whole real 505-row file
MAINT_SAMPLE = SAMPLES / "predictive_maintenance.csv"  # 392 rows, every class, all 27 disagreeing rows

os.environ.setdefault("MPLBACKEND", "Agg")

# Tiny test fits are dominated by thread start-up and spin-waiting: one torch thread is several
# times faster here, and keeps the suite's timing stable on a busy 2-core machine.
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture
def nyse_sample() -> Path:
    return NYSE_SAMPLE


@pytest.fixture
def securities_sample() -> Path:
    return SECURITIES_SAMPLE


@pytest.fixture
def maintenance_sample() -> Path:
    return MAINT_SAMPLE


@pytest.fixture
def seeded():
    """Seed every RNG the package touches, so tiny-data tests are deterministic."""
    import torch

    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    return 0


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Tests never pick up a developer's data/raw/: point the data dir at an empty temp dir."""
    d = tmp_path / "_empty_data_dir"
    d.mkdir()
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(d))
    monkeypatch.setenv("MLPLAB_NO_KAGGLEHUB", "1")


def execute_notebook(notebook: Path, name: str, tmp_path: Path, monkeypatch, figures: set[str], parameters: dict):
    """Run one analysis notebook under papermill in tmp_path as `mlplab run` would; assert no error and no
    stderr output, tables that fit the PDF text block, a results document that passes the schema and the
    expected figures; return (results document, figure names)."""
    import json

    import nbformat
    import papermill

    from book_checks import check_notebook_tables, stderr_outputs
    from mlplab.experiment.schema import validate

    monkeypatch.setenv("MLPLAB_ROOT", str(tmp_path))
    monkeypatch.setenv("MLPLAB_REPORT_DIR", str(tmp_path / "report"))
    monkeypatch.setenv("MLPLAB_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("MLPLAB_CACHE_DIR", str(ROOT / "data" / "cache"))
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(notebook), str(out), parameters=parameters, cwd=str(tmp_path),
                               progress_bar=False, kernel_name="python3")
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert stderr_outputs(out) == []
    assert check_notebook_tables(out) == []
    doc = json.loads((tmp_path / "results" / f"{name}.json").read_text())
    assert validate(doc) == []
    produced = {p.stem for p in (tmp_path / "report" / "figures" / name).glob("*.png")}
    assert figures <= produced, figures - produced
    return doc, produced
