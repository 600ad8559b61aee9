"""The notebook checks other tests call (tests/book_checks.py), on hand-made executed notebooks."""

from __future__ import annotations

import nbformat as nbf
import pandas as pd
import pytest
from book_checks import check_notebook_tables, stderr_outputs

from mlplab import reporting


def _notebook(tmp_path, outputs, markdown="# Title"):
    nb = nbf.v4.new_notebook()
    cell = nbf.v4.new_code_cell("x = 1")
    cell.outputs = outputs
    nb.cells = [nbf.v4.new_markdown_cell(markdown), cell]
    path = tmp_path / "executed.ipynb"
    nbf.write(nb, path)
    return path


def _markdown_output(text):
    return nbf.v4.new_output("display_data", data={"text/markdown": text})


def test_stderr_outputs_lists_each_stderr_stream(tmp_path):
    path = _notebook(tmp_path, [
        nbf.v4.new_output("stream", name="stdout", text="fine\n"),
        nbf.v4.new_output("stream", name="stderr", text="/abs/resample.py:90: UserWarning: class 'Random Failures'\n  warn()\n"),
    ])
    assert stderr_outputs(path) == ["cell 1: /abs/resample.py:90: UserWarning: class 'Random Failures'"]
    assert stderr_outputs(_notebook(tmp_path, [nbf.v4.new_output("stream", name="stdout", text="ok")])) == []


def test_check_notebook_tables_flags_only_tables_wider_than_the_text_block(tmp_path):
    wide = ("| " + " | ".join(f"rank_test_score_{i}" for i in range(9)) + " |\n|" + "---|" * 9 + "\n| "
            + " | ".join("0.0071" for _ in range(9)) + " |\n\n: Search {#tbl-search}\n")
    narrow = "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Small {#tbl-small}\n"
    path = _notebook(tmp_path, [_markdown_output(wide), _markdown_output(narrow)], markdown=narrow)
    problems = check_notebook_tables(path)
    assert len(problems) == 1 and problems[0].startswith("cell 1: tbl-search: about")


def test_show_table_output_passes_the_check(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(reporting, "_display_markdown", shown.append)
    frame = pd.DataFrame({f"param_module__name_{i}": ["intraday_return_with_suffix"] * 3 for i in range(9)})
    reporting.show_table(frame, "tbl-wide", "Wide.")
    assert check_notebook_tables(_notebook(tmp_path, [_markdown_output(t) for t in shown])) == []


def test_html_dataframe_output_is_reported(tmp_path):
    out = nbf.v4.new_output("execute_result", data={"text/html": "<table><tr><td>1</td></tr></table>",
                                                   "text/plain": "x"}, execution_count=1)
    assert "HTML table" in check_notebook_tables(_notebook(tmp_path, [out]))[0]


def test_missing_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no executed notebook"):
        stderr_outputs(tmp_path / "nope.ipynb")


def test_identifier_leaks_finds_run_names_in_cells_and_sentences(tmp_path):
    from book_checks import identifier_leaks

    names = ["lstm_tuned", "linear_ar", "persistence", "hgb"]
    good = reporting.table_markdown(pd.DataFrame({"model": ["tuned network", "persistence (last hour)", "HGB"],
                                                  "R²": [0.8, 0.7, 0.6]}), "tbl-good", "Caption.")
    bad = reporting.table_markdown(pd.DataFrame({"model": ["lstm_tuned", "hgb"], "R² linear_ar": [0.8, 0.7]}),
                                   "tbl-bad", "Caption.")
    prose = "The tuned network beats linear_ar here; the parameter `lstm_tuned` is code, and so is @tbl-lstm_tuned."
    path = _notebook(tmp_path, [_markdown_output(good), _markdown_output(bad), _markdown_output(prose)])
    assert identifier_leaks(path, names) == ["cell 1: 'linear_ar' in table tbl-bad", "cell 1: 'lstm_tuned' in table tbl-bad",
                                             "cell 1: 'hgb' in table tbl-bad", "cell 1: 'linear_ar' in the text"]
    assert identifier_leaks(_notebook(tmp_path, [_markdown_output(good)]), names) == []


def test_identifier_leaks_reads_a_header_word_as_a_statistic(tmp_path):
    from book_checks import identifier_leaks

    table = reporting.table_markdown(pd.DataFrame({"column": ["HouseAge"], "mean": [28.6]}), "tbl-cols", "Caption.")
    assert identifier_leaks(_notebook(tmp_path, [_markdown_output(table)]), ["mean", "mlp_tuned"]) == []
    body = reporting.table_markdown(pd.DataFrame({"model": ["mean"], "rmse": [1.1]}), "tbl-m", "Caption.")
    assert identifier_leaks(_notebook(tmp_path, [_markdown_output(body)]), ["mean"]) == ["cell 1: 'mean' in table tbl-m"]
