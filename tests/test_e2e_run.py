"""End to end: `mlplab run --profile quick --lab 1` on a copy of the project (embedded data), then a re-run.

This is the test that proves the book can be assembled: _quarto.yml itself names only committed
files (Quarto checks them before `pre-render` runs, so a fresh clone must have them), every chapter
of the book as Quarto merges it with the generated report/_generated/chapters.yml exists after a run,
notebooks carry no error outputs, both results files satisfy the contract, and the comparison
produced its tables and the conclusions page.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

from mlplab.cli import main
from mlplab.experiment.schema import read_results

ROOT = Path(__file__).resolve().parents[1]


def _chapters(book: dict) -> list[str]:
    out = []
    for item in book.get("chapters", []) + book.get("appendices", []):
        if isinstance(item, str):
            out.append(item)
        else:
            if isinstance(item.get("part"), str) and item["part"].endswith((".qmd", ".md")):
                out.append(item["part"])
            out += item.get("chapters", [])
    return out


def _merged_book(proj: Path) -> dict:
    """The book as Quarto sees it after pre-render: _quarto.yml, then its metadata-files, lists concatenated."""
    config = yaml.safe_load((proj / "_quarto.yml").read_text())
    book = dict(config["book"])
    for extra in config.get("metadata-files", []):
        path = proj / extra
        if path.exists():
            for key, value in (yaml.safe_load(path.read_text()).get("book") or {}).items():
                book[key] = book.get(key, []) + value if isinstance(value, list) else value
    return book


def test_quarto_yml_names_only_committed_files():
    listed = _chapters(yaml.safe_load((ROOT / "_quarto.yml").read_text())["book"])
    tracked = subprocess.run(["git", "ls-files", *listed], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert sorted(tracked.stdout.split()) == sorted(listed), "Quarto refuses a missing chapter before pre-render"
    assert "report/_generated/chapters.yml" in yaml.safe_load((ROOT / "_quarto.yml").read_text())["metadata-files"]


@pytest.mark.slow
def test_quick_profile_end_to_end(tmp_path, monkeypatch, capsys):
    """Lab 1 with `mlplab run --profile quick --lab 1` on a copy of the project (embedded data), then a re-run."""
    from book_checks import check_notebook_tables, stderr_outputs

    proj = tmp_path / "proj"
    proj.mkdir()
    for name in ("analysis", "params"):
        shutil.copytree(ROOT / name, proj / name)
    (proj / "report").mkdir()
    for qmd in (ROOT / "report").glob("*.qmd"):
        shutil.copy(qmd, proj / "report" / qmd.name)
    shutil.copy(ROOT / "_quarto.yml", proj / "_quarto.yml")
    shutil.copy(ROOT / "index.qmd", proj / "index.qmd")
    monkeypatch.setenv("MLPLAB_ROOT", str(proj))
    monkeypatch.setenv("MLPLAB_CACHE_DIR", str(ROOT / "data" / "cache"))
    monkeypatch.delenv("MLPLAB_RESULTS_DIR", raising=False)
    monkeypatch.delenv("MLPLAB_REPORT_DIR", raising=False)

    assert main(["run", "--profile", "quick", "--lab", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.count("done ") == 3, out

    for name in ("regression", "classification"):
        doc = read_results(name, proj)
        assert doc["profile"] == "quick" and doc["provenance"]["source"] == "embedded"
        assert doc["provenance"]["kind"] == "synthetic"
        figs = list((proj / "report" / "figures" / name).glob("*.png"))
        assert len(figs) >= 10, f"{name}: only {len(figs)} figures"

    for nb_path in (proj / "report").glob("*.ipynb"):
        nb = nbformat.read(nb_path, as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{nb_path.name}: error outputs"
        assert stderr_outputs(nb_path) == [], nb_path.name
        assert check_notebook_tables(nb_path) == [], nb_path.name
        cited = {m for c in nb.cells if c.cell_type == "markdown" for m in re.findall(r"@((?:fig|tbl)-[a-z0-9-]+)", c.source)}
        defined = set(re.findall(r"\{#((?:fig|tbl)-[a-z0-9-]+)", nb_path.read_text()))
        assert cited <= defined, f"{nb_path.name}: cross-references without a target: {sorted(cited - defined)}"
        assert nb_path.name == "03_comparison.ipynb" or len(cited) >= 10
    comparison = (proj / "report" / "03_comparison.ipynb").read_text()
    for label in ("tbl-cmp-recommended", "tbl-cmp-regularization", "tbl-cmp-published"):
        assert label in comparison
    conclusions = (proj / "report" / "_generated" / "conclusions.md").read_text()
    assert "**Use " in conclusions and "synthetic stand-in data" in conclusions

    book = _merged_book(proj)
    chapters = _chapters(book)
    assert chapters[:2] == ["index.qmd", "report/reproduce.qmd"] and chapters[-1] == "report/appendix.qmd"
    assert [p["part"].split(" ")[0] for p in book["chapters"][2:]] == ["Lab"]
    for chapter in chapters:
        assert (proj / chapter).exists(), f"the book lists {chapter}, which a run did not produce"

    assert main(["run", "--profile", "quick", "--lab", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.count("skip ") == 3 and "done " not in out
