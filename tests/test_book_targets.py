"""A fresh clone renders: the committed book names only committed files (issue 13, point 6).

Quarto builds the chapter list, and expands `{{< include >}}` (and resolves `{{< embed >}}`) while it
does, before `pre-render` has run anything; a target that only a run creates breaks a bare
`quarto render` on a fresh clone. Checked the way a clone sees the project: against `git ls-files`.
Run-dependent content goes through `{{< mlplab-generated NAME.md >}}`, whose files must be ones
`mlplab run` writes; every `@fig-`/`@tbl-`/`@sec-` reference of a committed page must have a target
in the committed or generated pages.
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

from mlplab import pages
from mlplab import results as results_module

ROOT = Path(__file__).resolve().parents[1]
SHORTCODE = re.compile(r"\{\{<\s*(include|embed|mlplab-generated)\s+([^\s>]+)[^>]*>\}\}")
REFERENCE = re.compile(r"(?<![\w@])@((?:fig|tbl|sec)-[A-Za-z0-9_-]+)")
TARGET = re.compile(r"\{#((?:fig|tbl|sec)-[A-Za-z0-9_-]+)")
# what `mlplab run` writes to report/_generated (conclusions.md: the comparison notebook)
GENERATED = set(pages.GENERATED) | {"conclusions.md"}


def _tracked() -> set[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return set(out.stdout.split())


def _config() -> dict:
    return yaml.safe_load((ROOT / "_quarto.yml").read_text())


def _book_entries(book: dict) -> list[str]:
    out = []
    for item in book.get("chapters", []) + book.get("appendices", []):
        if isinstance(item, str):
            out.append(item)
        else:
            if isinstance(item.get("part"), str) and item["part"].endswith((".qmd", ".md", ".ipynb")):
                out.append(item["part"])
            out += item.get("chapters", [])
    return out


def _committed_pages(tracked: set[str]) -> list[str]:
    """The book's committed pages: .qmd files at the project root and in report/."""
    return sorted(f for f in tracked if f.endswith(".qmd") and ("/" not in f or (f.startswith("report/")
                                                                                and f.count("/") == 1)))


def _without_code(text: str) -> str:
    """Page text outside code blocks and code spans (a shortcode shown as an example is not one)."""
    text = re.sub(r"^(```|~~~).*?^\1\s*$", "", text, flags=re.M | re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def test_chapter_list_names_only_committed_files():
    tracked = _tracked()
    book = _config()["book"]
    entries = _book_entries(book)
    assert entries, "no chapters in _quarto.yml"
    assert [e for e in entries if e not in tracked] == [], "Quarto refuses a missing chapter before pre-render"
    for extra in _config().get("metadata-files", []):
        assert extra in tracked or extra.startswith("report/_generated/"), (
            f"metadata file {extra}: neither committed nor written by `mlplab run`")


def test_include_and_embed_targets_are_committed_and_generated_pages_are_known():
    tracked = _tracked()
    pages_checked = _committed_pages(tracked)
    assert "index.qmd" in pages_checked and "report/appendix.qmd" in pages_checked
    for page in pages_checked:
        text = _without_code((ROOT / page).read_text())
        for kind, target in SHORTCODE.findall(text):
            if kind == "mlplab-generated":
                assert target in GENERATED, f"{page}: {{{{< mlplab-generated {target} >}}}} names no file a run writes"
                continue
            path = target.split("#")[0]
            resolved = (ROOT / path.lstrip("/")) if path.startswith("/") else (ROOT / page).parent / path
            rel = resolved.resolve().relative_to(ROOT).as_posix()
            assert rel in tracked, f"{page}: {{{{< {kind} {target} >}}}} names {rel}, which a fresh clone lacks"


def test_the_shortcode_extension_is_committed_and_declares_the_shortcode():
    tracked = _tracked()
    ext = "_extensions/mlplab/_extension.yml"
    assert ext in tracked
    meta = yaml.safe_load((ROOT / ext).read_text())
    scripts = meta["contributes"]["shortcodes"]
    for script in scripts:
        assert f"_extensions/mlplab/{script}" in tracked
    lua = "".join((ROOT / "_extensions" / "mlplab" / s).read_text() for s in scripts)
    assert '["mlplab-generated"]' in lua and "quarto.project.directory" in lua and "string_to_blocks" in lua
    assert '"report", "_generated"' in lua


def _generated_targets(tmp_path, monkeypatch) -> set[str]:
    """Labels the generated pages define, from pages.write_generated_pages on a fake results set."""
    root = tmp_path / "proj"
    for d in ("analysis", "params", "report/_results/.state"):
        (root / d).mkdir(parents=True)
    monkeypatch.setenv("MLPLAB_ROOT", str(root))
    monkeypatch.delenv("MLPLAB_RESULTS_DIR", raising=False)
    monkeypatch.setattr(results_module, "read_results",
                        lambda name, r=None: json.loads((root / "report" / "_results" / f"{name}.json").read_text()))
    for name in ("regression", "classification"):
        (root / "report" / "_results" / f"{name}.json").write_text(json.dumps(
            {"notebook": name, "profile": "quick", "timings_s": {"total": 1.0},
             "provenance": {"source": "embedded", "path": f"embedded:{name}", "rows": 10, "sha256": "0" * 64}}))
        (root / "report" / "_results" / ".state" / f"{name}.json").write_text(json.dumps(
            {"profile": "quick", "seconds": 1.0, "finished": "2026-01-01T00:00:00+00:00", "params": {"a": 1}}))
    targets = set()
    for path in pages.write_generated_pages(root):
        targets |= set(TARGET.findall(path.read_text()))
    return targets


def test_cross_references_of_committed_pages_resolve(tmp_path, monkeypatch):
    tracked = _tracked()
    defined = _generated_targets(tmp_path, monkeypatch)
    cited: dict[str, str] = {}
    for page in _committed_pages(tracked):
        text = (ROOT / page).read_text()
        defined |= set(TARGET.findall(text))
        for label in REFERENCE.findall(_without_code(text)):
            cited.setdefault(label, page)
    for nb_path in sorted(ROOT.glob("analysis/*.ipynb")):  # the notebooks' own headings ({#sec-...})
        nb = nbformat.read(nb_path, as_version=4)
        defined |= {m for c in nb.cells if c.cell_type == "markdown" for m in TARGET.findall(c.source)}
    missing = {label: page for label, page in cited.items() if label not in defined}
    assert missing == {}, f"cross-references without a target: {missing}"
    assert {"sec-parameters", "sec-environment", "sec-run-times"} <= defined


def _pandoc() -> str | None:
    found = shutil.which("pandoc")
    if found:
        return found
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except Exception:  # noqa: BLE001 - pypandoc absent or without a binary
        return None


def test_shortcode_reads_generated_markdown_and_notes_a_missing_file(tmp_path):
    """Runs the extension's Lua under pandoc (a stand-in `quarto` table: project directory, no
    string_to_blocks, so pandoc.read parses) where pandoc is installed; always checks the static parts."""
    lua = ROOT / "_extensions" / "mlplab" / "generated.lua"
    source = lua.read_text()
    assert "Not generated yet" in source and "does not exist yet" in source
    pandoc = _pandoc()
    if pandoc is None:
        return  # the static checks above are what can be verified without pandoc
    (tmp_path / "report" / "_generated").mkdir(parents=True)
    (tmp_path / "report" / "_generated" / "banner.md").write_text(
        "::: {.callout-note}\n## Real data\nBuilt on **it**.\n:::\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    harness = tmp_path / "harness.lua"
    harness.write_text(
        'quarto = { project = { directory = os.getenv("MLPLAB_TEST_PROJECT") }, utils = {} }\n'
        'local shortcodes = dofile(os.getenv("MLPLAB_SHORTCODE"))\n'
        "function Para(el)\n"
        "  local name = pandoc.utils.stringify(el):match('^{{< mlplab%-generated (%S+) >}}$')\n"
        "  if name then return shortcodes['mlplab-generated']({ name }, {}, {}) end\n"
        "end\n")
    page = tmp_path / "page.qmd"
    page.write_text("Intro\n\n{{< mlplab-generated banner.md >}}\n\n{{< mlplab-generated missing.md >}}\n\n"
                    "{{< mlplab-generated ../etc.md >}}\n")
    out = subprocess.run([pandoc, "-f", "markdown", "-t", "markdown", "-L", str(harness), str(page)],
                         capture_output=True, text=True, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "MLPLAB_TEST_PROJECT": str(tmp_path), "MLPLAB_SHORTCODE": str(lua)})
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "callout-note" in text and "Built on **it**." in text and "a   b" in text
    assert "report/_generated/missing.md` does not exist yet" in " ".join(text.split())
    assert "Unknown generated page" in text and "mlplab-generated" not in text
