"""End to end: `mlplab run --profile quick` on a copy of the project (embedded data), then a re-run.

This is the test that proves the book can be assembled: every chapter listed in _quarto.yml exists
after a run, notebooks carry no error outputs, both results files satisfy the contract, and the
comparison produced its tables and the conclusions page.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from mlplab.cli import main
from mlplab.results import validate

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


def _includes(qmd: Path) -> list[Path]:
    return [qmd.parent / m for m in re.findall(r"\{\{< include (\S+) >\}\}", qmd.read_text())]


@pytest.mark.slow
def test_quick_profile_end_to_end(tmp_path, monkeypatch, capsys):
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
    monkeypatch.delenv("MLPLAB_RESULTS_DIR", raising=False)
    monkeypatch.delenv("MLPLAB_REPORT_DIR", raising=False)

    assert main(["run", "--profile", "quick", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.count("done ") == 3, out

    for name in ("regression", "classification"):
        doc = json.loads((proj / "report" / "_results" / f"{name}.json").read_text())
        assert validate(doc) == []
        assert doc["profile"] == "quick" and doc["provenance"]["source"] == "embedded"
        figs = list((proj / "report" / "_figures" / name).glob("*.png"))
        assert len(figs) >= 5, f"{name}: only {len(figs)} figures"

    for nb_path in (proj / "report").glob("*.ipynb"):
        nb = nbformat.read(nb_path, as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{nb_path.name}: error outputs"
    comparison = (proj / "report" / "03_comparison.ipynb").read_text()
    for label in ("tbl-cmp-tuning", "tbl-cmp-protocol", "tbl-cmp-published", "tbl-cmp-all-regression"):
        assert label in comparison
    conclusions = (proj / "report" / "_generated" / "conclusions.md").read_text()
    assert "use **" in conclusions and "synthetic" in conclusions

    book = yaml.safe_load((proj / "_quarto.yml").read_text())["book"]
    for chapter in _chapters(book):
        path = proj / chapter
        assert path.exists(), f"_quarto.yml lists {chapter}, which a run did not produce"
        if path.suffix == ".qmd":
            for inc in _includes(path):
                assert inc.exists(), f"{chapter} includes {inc}, which a run did not produce"

    assert main(["run", "--profile", "quick", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.count("skip ") == 3 and "done " not in out
