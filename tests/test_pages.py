"""Generated pages: the front page's labs and data sources, the run record, the chapter list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mlplab import pages, reporting
from mlplab import results as results_module

SHA = "0123456789abcdef" * 4


def _plain_reader(name, root=None):
    """The pages' reads without the contract check, so these tests can hand in minimal documents."""
    path = Path(root) / "report" / "_results" / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(path)
    return json.loads(path.read_text())


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "proj"
    for d in ("analysis", "params", "report/_results/.state"):
        (root / d).mkdir(parents=True)
    monkeypatch.setenv("MLPLAB_ROOT", str(root))
    for var in ("MLPLAB_RESULTS_DIR", "MLPLAB_REPORT_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(results_module, "read_results", _plain_reader)
    return root


def _doc(root, name, *, source="file", kind=None, profile="full"):
    prov = {"source": source, "path": str(root / "data" / "raw" / f"{name}.csv") if source == "file" else f"embedded:{name}",
            "rows": 10_000, "sha256": SHA}
    if kind:
        prov["kind"] = kind
    doc = {"notebook": name, "profile": profile, "provenance": prov, "timings_s": {"total": 1.5, "search": 1.0}}
    (root / "report" / "_results" / f"{name}.json").write_text(json.dumps(doc))
    return doc


def test_front_page_lists_each_lab_its_data_and_whether_it_was_real(project):
    _doc(project, "regression", source="embedded")
    _doc(project, "classification", source="file", kind="subset")
    text = pages.banner_md(pages._results(project), project)
    assert "## Synthetic data" in text and "NYSE daily prices" in text
    assert pages.LABS[0].title in text
    assert "embedded synthetic data" in text and "real data (a subset)" in text
    assert "Kaggle dgawlik/nyse" in text and "profile **`full`**" in text
    assert str(project) not in text and "`classification.csv`" in text
    assert reporting.table_problems(text) == []


def test_missing_and_corrupt_results_are_named_with_what_to_do(project):
    _doc(project, "regression")
    (project / "report" / "_results" / "classification.json").write_text("{broken")
    text = pages.banner_md(pages._results(project), project)
    assert "report/_results/classification.json` is not valid JSON (line 1)" in text
    assert "mlplab run --only classification" in text and "## Real" not in text
    (project / "report" / "_results" / "regression.json").unlink()
    text = pages.banner_md(pages._results(project), project)
    assert "## No results yet" in text and "report/_results/regression.json` does not exist yet" in text


def test_read_results_file_never_raises(project, monkeypatch):
    def broken(name, root=None):
        raise PermissionError("denied")

    monkeypatch.setattr(results_module, "read_results", broken)
    got = pages.read_results_file("regression", project)
    assert got.doc is None and "cannot be read (PermissionError)" in got.problem


def test_run_record_shortens_hashes_and_paths(project):
    _doc(project, "regression")
    _doc(project, "classification", source="embedded")
    (project / "report" / "_results" / ".state" / "regression.json").write_text(json.dumps(
        {"profile": "full", "seconds": 12.5, "finished": "2026-11-23T10:00:00+00:00",
         "params": {"epochs": 3, "layers": list(range(40))}}))
    text = pages.appendix_md(project, pages._results(project), pages._states(project))
    assert "`0123456789ab`" in text and f"  {SHA}" in text  # 12 characters in the table, full hash below
    assert f"| `{SHA}`" not in text and str(project) not in text
    assert "data/raw/regression.csv" in text
    for label in ("sec-run-times", "sec-provenance", "sec-parameters", "sec-environment"):
        assert "{#" + label + "}" in text
    assert reporting.table_problems(text) == []
    assert max(len(line) for line in text.split("```yaml")[1].split("```")[0].splitlines()) <= 80


def test_chapters_list_only_executed_notebooks_per_lab(project):
    lab = pages.LABS[0]
    assert lab.title.startswith("Lab 1 · ") and len(lab.title) < 50
    assert yaml.safe_load(pages.chapters_yml(project))["book"]["chapters"] == []
    (project / "report" / "01_regression_nyse.ipynb").write_text("{}")
    parts = yaml.safe_load(pages.chapters_yml(project))["book"]["chapters"]
    assert parts == [{"part": lab.title, "chapters": ["report/01_regression_nyse.ipynb"]}]
    for chapter in lab.chapters:
        if chapter.endswith(".ipynb"):
            (project / chapter).write_text("{}")
    parts = yaml.safe_load(pages.chapters_yml(project))["book"]["chapters"]
    assert parts == [{"part": lab.title, "chapters": list(lab.chapters)}]


def test_write_generated_pages_writes_every_file(project):
    _doc(project, "regression")
    written = pages.write_generated_pages(project)
    assert [p.name for p in written] == list(pages.GENERATED)
    assert all(p.parent == project / "report" / "_generated" and p.stat().st_size > 0 for p in written)
    assert not list((project / "report" / "_generated").glob(".*tmp"))


def test_title_and_subtitle_cover_the_labs_that_ran():
    one = pages.book_title([pages.LABS[0]])
    assert one == ("Neural networks on tabular data", "A reproducible lab report: " + pages.LABS[0].subject)
    title, subtitle = pages.book_title(list(pages.LABS[:4]))
    assert title == "Neural networks on tabular data, images and time series"
    assert subtitle.startswith("A reproducible lab report in four labs: ")
    assert all(lab.subject in subtitle for lab in pages.LABS[:4])
    assert pages.book_title([]) == (pages.TITLE_FALLBACK, "A reproducible lab report")


def test_preface_introduces_each_lab_that_ran(tmp_path):
    (tmp_path / "report").mkdir()
    assert pages.labs_ran(tmp_path) == []
    assert "No lab has run yet" in pages.preface_md([])
    (tmp_path / pages.LABS[1].chapters[0]).write_text("{}")
    assert pages.labs_ran(tmp_path) == [pages.LABS[1]]
    text = pages.preface_md(pages.labs_ran(tmp_path))
    assert text.startswith("- **Lab 2 — California housing and Algerian forest fires.** ") and text.count("- **") == 1
    assert pages.LABS[1].blurb in text
    chapters = pages.chapters_yml(tmp_path)
    assert "title: Neural networks on tabular data" in chapters and "A reproducible lab report: MLPs" in chapters
