"""The book as its readers get it: a real Quarto render of a fresh copy, then checks on the rendered files.

On a fresh copy of the repository (the committed files and any new ones, nothing git ignores), the
quick profile runs, then a bare `quarto render` (the environment on PATH, as the README says),
producing the HTML site and the PDF. The checks read what a reader reads: Quarto's own warnings,
the HTML pages' text and sidebar, the PDF's words, boxes, images and outline.

Without Quarto the test is skipped with a one-line reason on a user's machine; with `CI` set it
fails, so CI can never pass without rendering (`.ci/run` installs Quarto first).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import book_render as B

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def _quarto() -> str | None:
    return shutil.which("quarto") or (str(BIN / "quarto") if (BIN / "quarto").exists() else None)


def _fresh_copy(dest: Path) -> None:
    """The repository's files as a clone has them (tracked and new, never what git ignores)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the render test copies the repository's files")
    for name in filter(None, listed.stdout.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    git = ["git", "-c", "user.name=render test", "-c", "user.email=render@test", "-c", "commit.gpgsign=false"]
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "fresh copy"]):
        subprocess.run(git + cmd, cwd=dest, check=True, capture_output=True)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, request):
    again = os.environ.get("MLPLAB_RENDERED_PROJECT")   # a developer's shortcut: check an earlier render again
    if again:
        proj = Path(again)
        pdf = B.read_pdf(proj / "_book" / "mlplab-report.pdf")
        return proj, proj / "_book", pdf, (proj / "_render_output.txt").read_text()
    quarto = _quarto()
    if quarto is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but no quarto is on PATH: .ci/run installs the offline Quarto build before the tests")
        pytest.skip("quarto not on PATH: install Quarto >= 1.10 (quarto.org, or pip install '.[report]') to render the book")
    proj = tmp_path_factory.mktemp("book") / "proj"
    proj.mkdir()
    _fresh_copy(proj)
    data = proj / "_no_data"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLPLAB_")}
    env.update(PATH=os.pathsep.join([str(BIN), str(Path(quarto).parent), env.get("PATH", "")]),
               MLPLAB_DATA_DIR=str(data), MLPLAB_NO_KAGGLEHUB="1", MLPLAB_CACHE_DIR=str(ROOT / "data" / "cache"),
               MPLBACKEND="Agg")
    t0 = time.perf_counter()
    run = subprocess.run([str(BIN / "mlplab"), "run", "--profile", "quick", "--no-progress"], cwd=proj, env=env,
                         capture_output=True, text=True, timeout=3600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    t1 = time.perf_counter()
    render = subprocess.run([quarto, "render"], cwd=proj, env=env, capture_output=True, text=True, timeout=3600)
    t2 = time.perf_counter()
    output = render.stdout + render.stderr
    (proj / "_render_output.txt").write_text(output)
    (proj / ".git" / "info" / "exclude").write_text("_render_output.txt\n")
    assert render.returncode == 0, output[-5000:]
    book = proj / "_book"
    pdf_path = book / "mlplab-report.pdf"
    assert (book / "index.html").is_file() and pdf_path.is_file(), sorted(p.name for p in book.iterdir())
    pdf = B.read_pdf(pdf_path)
    line = (f"rendered: {book / 'index.html'} and {pdf_path} ({len(pdf.pages)} pages); quick profile "
            f"{t1 - t0:.0f} s, quarto render {t2 - t1:.0f} s")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print("\n" + line)  # CI's log shows that the render ran, under -q and output capture alike
    return proj, book, pdf, output


def test_quarto_prints_no_warning(rendered):
    _, _, _, output = rendered
    assert B.quarto_warnings(output) == []


def test_every_lab_and_chapter_is_in_the_sidebar_and_the_pdf_outline(rendered):
    from mlplab import pages

    proj, book, pdf, _ = rendered
    sidebar = B.sidebar_entries(book)
    outline = [B.normalise(t) for t in B.outline_titles(pdf)]
    missing = []
    for lab in pages.LABS:
        notebooks = [proj / c for c in lab.chapters if c.endswith(".ipynb")]
        if not any(n.exists() for n in notebooks):
            continue
        if not any(lab.title in s for s in sidebar):
            missing.append(f"sidebar: part {lab.title!r}")
        if not any(B.normalise(lab.title) in o for o in outline):
            missing.append(f"PDF outline: part {lab.title!r}")
        for nb in notebooks:
            title = B.chapter_titles(nb)
            assert title, f"{nb.name}: no chapter title"
            if not any(B.normalise(title) in B.normalise(s) for s in sidebar):
                missing.append(f"sidebar: chapter {title!r}")
            if not any(B.normalise(title) in o for o in outline):
                missing.append(f"PDF outline: chapter {title!r}")
    assert missing == [], (missing, sidebar, B.outline_titles(pdf))


def test_the_front_matter_names_every_lab(rendered):
    from mlplab import pages

    proj, book, pdf, _ = rendered
    labs = pages.labs_ran(proj)
    title, subtitle = pages.book_title(labs)
    index = "".join(B.html_page(book / "index.html").text)
    first = B.normalise(" ".join(p.text for p in pdf.pages[:3]))
    for lab in labs:
        assert lab.title.replace(" · ", " — ", 1) in index, lab.title
        assert lab.subject in subtitle
    assert B.normalise(title) in first and B.normalise(subtitle.split(":")[0]) in first
    html = (book / "index.html").read_text(encoding="utf-8")
    assert title in html


def test_no_quarto_syntax_repr_or_unresolved_reference_reaches_the_html(rendered):
    _, book, _, _ = rendered
    assert B.html_problems(book) == []


def test_no_unresolved_reference_in_the_pdf(rendered):
    _, _, pdf, _ = rendered
    bad = [f"p. {p.number}: {w[0]!r}" for p in pdf.pages for w in p.words if "?@" in w[0]]
    assert bad == []


def test_no_apostrophe_is_set_as_a_prime_or_an_opening_quote_in_the_pdf(rendered):
    """Typst's smart quotes set "'" after a digit as a prime (VGG-16′s) and after a period as an opening quote
    (et al.‘s); the mlplab filter writes those apostrophes raw."""
    _, _, pdf, _ = rendered
    bad = [f"p. {p.number}: {w[0]!r}" for p in pdf.pages for w in p.words
           if any(ch in w[0] for ch in ("\u2032", "\u2018s", "\u2018re")) or ".\u2018" in w[0]]
    assert bad == []


def test_no_word_lies_outside_the_pdf_text_block(rendered):
    from mlplab import pages

    _, _, pdf, _ = rendered
    designed = {page for _, title, page in pdf.outline if title in {lab.title for lab in pages.LABS} | {"Appendices"}}
    assert designed, "no part page found in the PDF outline"
    assert B.words_outside_block(pdf, designed) == []


def test_nothing_runs_off_the_bottom_of_a_pdf_page(rendered):
    _, _, pdf, _ = rendered
    assert B.words_below_the_text(pdf) == []


def test_no_empty_page_but_the_blank_versos(rendered):
    _, _, pdf, _ = rendered
    starts = {page for level, _, page in pdf.outline if level == 0}
    assert B.empty_pages(pdf, starts) == []


def test_every_figure_of_every_notebook_is_in_the_pdf(rendered):
    proj, _, pdf, _ = rendered
    figures = {nb.name: B.figures_of(nb) for nb in B.executed_notebooks(proj)}
    n = sum(len(f) for f in figures.values())
    assert n > 0
    assert sum(p.images for p in pdf.pages) >= n, figures
    text = B.normalise(" ".join(p.text for p in pdf.pages))
    assert text.count("Figure") >= n


def test_table_cells_read_in_the_pdf_as_in_the_notebooks(rendered):
    proj, _, pdf, _ = rendered
    cells = [c for nb in B.executed_notebooks(proj) for c in B.table_cells(nb)]
    assert len(cells) > 100
    assert B.cells_changed_in_pdf(pdf, cells) == []


def test_on_a_par_only_inside_the_margin(rendered):
    proj, _, _, _ = rendered
    assert B.on_a_par_too_wide(proj) == []


def test_every_verdict_table_shows_the_difference_its_interval_and_n(rendered):
    proj, _, _, _ = rendered
    assert B.verdict_tables_without_evidence(proj) == []


def test_a_render_leaves_git_status_clean(rendered):
    proj, _, _, _ = rendered
    status = subprocess.run(["git", "status", "--porcelain"], cwd=proj, capture_output=True, text=True, check=True)
    assert status.stdout == "", status.stdout


def test_no_caption_is_repeated_by_the_sentence_after_it(rendered):
    proj, _, _, _ = rendered
    assert [p for nb in B.executed_notebooks(proj) for p in B.repeated_captions(nb)] == []
