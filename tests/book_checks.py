"""Checks of an executed notebook as the book will show it, for the end-to-end test (issue 13, point 7).

    from book_checks import check_notebook_tables, stderr_outputs

    assert check_notebook_tables(proj / "report" / "01_regression_nyse.ipynb") == []
    assert stderr_outputs(proj / "report" / "02_classification_maintenance.ipynb") == []

Both take the path of an executed .ipynb and return a list: empty means fine, each entry is one
problem as a readable string (so `assert ... == []` prints what is wrong). They read the notebook with
nbformat only, never execute anything, and accept any notebook (a missing file raises
FileNotFoundError, an unreadable one nbformat's error).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from mlplab.reporting import PDF_TEXT_WIDTH_CM, table_problems


def _read(path) -> nbformat.NotebookNode:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no executed notebook there")
    return nbformat.read(str(path), as_version=4)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def check_notebook_tables(executed_ipynb_path, *, text_width_cm: float = PDF_TEXT_WIDTH_CM) -> list[str]:
    """Tables of an executed notebook that would be wider than the PDF's text block.

    Reads every markdown table the PDF will show: markdown outputs of code cells (what
    `reporting.show_table` emits, with the font size of an enclosing `typst:text:size` Div, the
    `tbl-colwidths` widths, pandoc's relative widths for rows longer than 72 characters, and
    `.content-visible` conditions that keep a table out of the PDF) and tables typed in markdown
    cells. Each table's width is estimated at its font size (`reporting.estimate_table_width_cm`:
    0.5 em per character, plus the cell inset; a column is never narrower than its longest
    unbreakable word) and compared with `text_width_cm`. A DataFrame displayed as HTML (a cell that
    ends with a bare frame) is reported too: its width is not controlled at all.

    Returns one string per problem, "cell N: tbl-label: about W cm at S pt, wider than ...".
    """
    nb = _read(executed_ipynb_path)
    problems: list[str] = []
    for i, cell in enumerate(nb.cells):
        texts = []
        if cell.cell_type == "markdown":
            texts.append(_text(cell.source))
        elif cell.cell_type == "code":
            for out in cell.get("outputs", []):
                data = out.get("data", {}) if out.get("output_type") in ("display_data", "execute_result") else {}
                if "text/markdown" in data:
                    texts.append(_text(data["text/markdown"]))
                elif "<table" in _text(data.get("text/html", "")):
                    problems.append(f"cell {i}: an HTML table (a DataFrame shown as the cell's result): use "
                                    "reporting.show_table so its width is planned for the PDF")
        for text in texts:
            problems.extend(f"cell {i}: {p}" for p in table_problems(text, text_width_cm=text_width_cm))
    return problems


def stderr_outputs(executed_ipynb_path) -> list[str]:
    """The stderr stream outputs of an executed notebook, as "cell N: first line of the text".

    A warning printed while a cell ran lands in the notebook as a `stream` output named `stderr`
    and Quarto prints it into the report (with the absolute path of the package file). Returns []
    when there is none.
    """
    nb = _read(executed_ipynb_path)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = _text(out.get("text")).strip()
                found.append(f"cell {i}: {text.splitlines()[0] if text else '(empty stderr output)'}")
    return found


def identifier_leaks(executed_ipynb_path, names) -> list[str]:
    """Run names (code identifiers such as `lstm_tuned`) shown where a reader expects a model's label.

    A table cell (header or body) equal to a run name, or any table cell or sentence of the notebook's
    markdown output holding a run name with an underscore as a word outside `code` spans, is reported as
    "cell N: 'name' in table tbl-x" or "cell N: 'name' in the text". Names without an underscore are only
    matched as whole body cells (a label may contain the word 'persistence'; a header 'mean' is a statistic).
    Returns [] when there is none.
    """
    import re

    from mlplab.reporting import markdown_tables

    names = sorted(set(names), key=len, reverse=True)
    snake = [n for n in names if "_" in n]
    word = re.compile(r"(?<![\w`])(" + "|".join(map(re.escape, snake)) + r")(?![\w`])") if snake else None
    nb = _read(executed_ipynb_path)
    found: list[str] = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            text = _text(out.get("data", {}).get("text/markdown", ""))
            if not text:
                continue
            for t in markdown_tables(text):
                for k, c in enumerate([*t.header, *(x for r in t.rows for x in r)]):
                    plain = re.sub(r"`[^`]*`", "", c.replace("\u200b", "").replace("\\_", "_")).strip()
                    whole = plain in names and ("_" in plain or k >= len(t.header))  # a header 'mean' is a statistic
                    hit = plain if whole else (word.search(plain).group(1) if word and word.search(plain) else None)
                    if hit:
                        found.append(f"cell {i}: {hit!r} in table {t.label or 'without label'}")
            prose = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("|"))
            prose = re.sub(r"`[^`]*`", "", prose.replace("\\_", "_"))
            prose = re.sub(r"[#@][\w-]+", "", prose)  # labels and cross-references are not prose
            if word:
                found.extend(f"cell {i}: {m.group(1)!r} in the text" for m in word.finditer(prose))
    return found
