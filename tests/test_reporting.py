"""Notebook output helpers: labelled, captioned markdown; nothing echoed twice."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from mlplab import reporting


@pytest.fixture
def shown(monkeypatch, tmp_path):
    out = []
    monkeypatch.setattr(reporting, "_display_markdown", out.append)
    monkeypatch.setenv("MLPLAB_REPORT_DIR", str(tmp_path))
    return out


def test_table_keeps_precision_and_label(shown):
    assert reporting.show_table(pd.DataFrame({"model": ["a"], "r2": [0.99985], "n": [3]}), "tbl-x", "Cap.",
                                synthetic=True) is None
    text = shown[0]
    sep = text.splitlines()[1]
    assert sep.startswith("|:-") and sep.count("-:|") == 2  # strings left, numbers right
    assert "1.000" in text and "0.99985" not in text
    assert text.rstrip().endswith(": Cap. Synthetic data (embedded default, not the Kaggle dataset). {#tbl-x}")


def test_figure_saved_and_referenced(shown, tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    assert reporting.show_figure(fig, "fig-a-b", "A line.", notebook="nb", synthetic=True) is None
    assert (tmp_path / "figures" / "nb" / "fig-a-b.png").stat().st_size > 1000
    assert shown[0] == ("![A line. **Synthetic data** (embedded default, not the Kaggle dataset).]"
                        "(figures/nb/fig-a-b.png){#fig-a-b width=100%}")


def test_caption_names_the_synthetic_part(shown):
    reporting.show_table(pd.DataFrame({"a": [1]}), "tbl-y", "Both parts.", synthetic="NYSE regression part")
    assert "Both parts. Synthetic data (embedded default, not the Kaggle dataset) for the NYSE regression part. {#tbl-y}" \
        in shown[0]
    reporting.show_table(pd.DataFrame({"a": [1]}), "tbl-z", "Real.", synthetic=False)
    assert ": Real. {#tbl-z}" in shown[1]


@pytest.mark.parametrize("label", ["fig_bad", "tbl-x", "Fig-x", "fig-"])
def test_bad_figure_label(shown, label):
    fig = plt.figure()
    with pytest.raises(ValueError, match="must look like 'fig-some-name'"):
        reporting.show_figure(fig, label, "c", notebook="nb")
    plt.close(fig)


def test_banner_loud_when_synthetic(shown):
    reporting.provenance_banner({"source": "embedded", "path": "embedded:x", "rows": 1234, "sha256": "f" * 64}, "NYSE")
    assert "callout-warning" in shown[0] and "Rows: 1,234" in shown[0]
    reporting.provenance_banner({"source": "file", "path": "/d/prices.csv", "rows": 5, "sha256": "a" * 64}, "NYSE")
    assert "callout-note" in shown[1] and "`prices.csv`" in shown[1] and "/d/" not in shown[1]


def test_banner_shows_project_relative_paths(shown, tmp_path, monkeypatch):
    (tmp_path / "analysis").mkdir()
    (tmp_path / "params").mkdir()
    monkeypatch.setenv("MLPLAB_ROOT", str(tmp_path))
    reporting.provenance_banner({"source": "file", "path": str(tmp_path / "data" / "raw" / "p.csv"), "rows": 5,
                                 "sha256": "b" * 64, "kind": "subset"}, "NYSE")
    assert "`data/raw/p.csv`" in shown[0] and str(tmp_path) not in shown[0] and "subset" in shown[0]
    assert reporting.display_path("embedded:nyse") == "embedded:nyse"
    assert reporting.display_path("/elsewhere/x/file.csv") == "file.csv"


# --- table widths ------------------------------------------------------------------------------

def test_estimator_counts_half_an_em_per_character_plus_inset():
    one = reporting.estimate_table_width_cm(["abcdefghij"], [["x"]], 10.0)
    two = reporting.estimate_table_width_cm(["abcdefghij" * 2], [["x"]], 10.0)
    per_char_cm = 0.5 * 10 / (72 / 2.54)
    assert abs((two - one) - 10 * per_char_cm) < 1e-9
    assert abs(one - (10 * per_char_cm + reporting.CELL_PAD_PT / (72 / 2.54))) < 1e-9
    assert reporting.estimate_table_width_cm(["abcdefghij"], [["x"]], 5.0) < one


def test_estimator_sees_unbreakable_words_overflow_fixed_widths():
    header, rows = ["model", "rmse"], [["mlp_tuned_class_thresholds_focal", "2.902"]]
    natural = reporting.estimate_table_width_cm(header, rows, 10.0)
    assert natural < 8  # fits unwrapped: auto layout keeps it
    squeezed = reporting.estimate_table_width_cm(header, rows, 10.0, fractions=[0.1, 0.9], text_width_cm=15)
    assert squeezed > 15  # the 1.5 cm model column cannot hold the identifier: it overprints
    broken = [[reporting.break_identifiers(rows[0][0]), "2.902"]]
    assert reporting.estimate_table_width_cm(header, broken, 10.0, fractions=[0.2, 0.8], text_width_cm=15) <= 15


def test_auto_layout_shares_the_width_fairly():
    ext = [(1.0, 1.0), (1.0, 10.0), (1.0, 10.0)]
    assert reporting.allocated_widths(ext, None, 15.0) == [1.0, 7.0, 7.0]
    assert reporting.allocated_widths([(1, 2), (1, 3)], None, 15.0) == [2, 3]


def _wide_frame(n_rows=4):
    import numpy as np

    rng = np.random.default_rng(0)
    data = {"model": ["intraday_return", "lab_protocol_dropout", "mlp_tuned_class_thresholds_focal", "ols"][:n_rows]}
    for m in ("rmse", "mae", "r2", "mape", "mse"):
        data[f"test {m}"] = rng.random(n_rows) * 1000
        data[f"train {m}"] = rng.random(n_rows) * 1000
    return pd.DataFrame(data)


def test_narrow_table_is_the_plain_pipe_table(shown):
    reporting.show_table(pd.DataFrame({"model": ["ols", "naive"], "rmse": [1.5, 2.25]}), "tbl-n", "Narrow.")
    text = shown[0]
    assert not text.startswith(":::") and text.rstrip().endswith(": Narrow. {#tbl-n}")
    assert reporting.table_problems(text) == []


def test_wide_table_gets_smaller_type_and_widths_and_keeps_every_column(shown):
    reporting.show_table(_wide_frame().iloc[:, :9], "tbl-w", "Wide.")
    text = shown[0]
    assert text.startswith("::: {#tbl-w}") and text.count("{#tbl-w}") == 1
    tables = reporting.markdown_tables(text)
    assert len(tables) == 1 and tables[0].in_pdf and len(tables[0].header) == 9   # no column left out
    assert tables[0].width_cm() <= reporting.PDF_TEXT_WIDTH_CM + 1e-6
    assert tables[0].font_pt < 10 and tables[0].fractions() is not None
    assert "content-visible" not in text and "tbl-colwidths" not in text
    assert reporting.table_problems(text) == []


def test_a_table_too_wide_for_any_layout_is_reported_not_cut(shown):
    reporting.show_table(pd.concat([_wide_frame(), _wide_frame().iloc[:, 1:].add_prefix("x ")], axis=1), "tbl-x", "Too wide.")
    tables = reporting.markdown_tables(shown[0])
    assert len(tables[0].header) == 21
    problems = reporting.table_problems(shown[0])
    assert len(problems) == 1 and problems[0].startswith("tbl-x: about ") and "wider than the 15 cm text block" in problems[0]


def test_widths_live_in_the_separator_so_a_captionless_table_needs_no_attribute():
    frame = pd.DataFrame({"data set": ["Fashion-MNIST for the depth study (plain and residual stacks)"] * 2,
                          "source": ["Zalando Research fashion-mnist, the official IDX files (MIT); file x"] * 2,
                          "ran on": ["real data (a subset)"] * 2, "rows": [60200, 900]})
    text = reporting.table_markdown(frame)
    assert "{" not in text   # nothing a generated page could show as literal text
    sep = text.splitlines()[1]
    assert len(sep) > reporting.PANDOC_COLUMNS and sep.count("-") >= 190   # 2 dashes per percent
    table = reporting.markdown_tables(text)[0]
    assert table.width_cm() <= reporting.PDF_TEXT_WIDTH_CM + 1e-6


def test_identifiers_break_after_underscores_without_turning_into_emphasis():
    cell = reporting._cell("param_module__hidden_units")
    assert cell == r"param\_module\_\_hidden\_units"
    broken = reporting.break_identifiers(cell)
    assert broken.count(reporting.ZWSP) == 3 and "\\_\u200b\\_" not in broken
    assert reporting._cell("a `b_c` d") == "a `b_c` d"  # code spans untouched


def test_problems_report_tables_wider_than_the_text_block():
    wide = "| " + " | ".join(f"column_{i}_with_a_long_name" for i in range(8)) + " |\n|" + "---|" * 8 + "\n| " + \
        " | ".join("1" for _ in range(8)) + " |\n\n: Too wide {#tbl-too-wide}\n"
    problems = reporting.table_problems(wide)
    assert len(problems) == 1 and problems[0].startswith("tbl-too-wide: about")
    sized = '::: {typst:text:size="7pt"}\n' + wide.replace(": Too wide {#tbl-too-wide}", ': {tbl-colwidths="[12,12,12,12,13,13,13,13]"}') + ":::\n"
    assert reporting.markdown_tables(sized)[0].font_pt == 7.0


def test_typeset_sets_minus_signs_and_apostrophes_outside_code():
    text = ("difference -0.004 (interval -0.01 to +0.02), 2014-06-30, 1e-3, `lr=-1`, |-1.5|, [-2, 3], x-1, "
            "VGG-16's loss\n```yaml\na: -1\n```\n![cap -1](figures/a-1.png){#fig-a-1}")
    assert reporting.typeset(text) == (
        "difference \u22120.004 (interval \u22120.01 to +0.02), 2014-06-30, 1e-3, `lr=-1`, |\u22121.5|, [\u22122, 3], "
        "x-1, VGG\u201116\u2019s loss\n```yaml\na: -1\n```\n![cap \u22121](figures/a-1.png){#fig-a-1}")
    # a network's name never breaks at its hyphen; lower-case labels and paths keep theirs
    assert reporting.typeset("ResNet-18 and VGG-16-C, `ResNet-18`, @fig-lite-0, Lite0, macro-F1") == (
        "ResNet\u201118 and VGG\u201116\u2011C, `ResNet-18`, @fig-lite-0, Lite0, macro-F1")


def test_shown_markdown_is_typeset(monkeypatch):
    import IPython.display

    seen = []
    monkeypatch.setattr(IPython.display, "display", lambda md: seen.append(md.data))
    reporting.say("a change of -0.5 for VGG-16's stack")
    assert seen == ["a change of \u22120.5 for VGG\u201116\u2019s stack"]


def test_a_float_column_has_one_precision_and_never_scientific_notation():
    from mlplab.reporting import format_frame

    t = format_frame(pd.DataFrame({"difference": [0.0123, -0.003, 7.68e-05], "lr": [0.01, 0.001, 0.0001],
                                   "rmse": [0.5, 0.25, 0.0], "large": [1234.5, 0.5, float("nan")]}))
    assert t["difference"].tolist() == ["0.01230", "-0.00300", "0.00008"]
    assert t["lr"].tolist() == ["0.0100", "0.0010", "0.0001"]
    assert t["rmse"].tolist() == ["0.500", "0.250", "0.000"]
    assert t["large"].tolist() == ["1,234", "0.500", "–"]
    tiny = format_frame(pd.DataFrame({"x": [1e-9, 0.2]}))["x"].tolist()
    assert tiny == ["0.000000", "0.200000"] and not any("e-" in v for v in tiny)
    t = format_frame(pd.DataFrame({"temperature °C": [30.0, 25.0, 35.0], "share of squared error %": [24.07, 15.255, 0.5],
                                   "accuracy": [1.0, 0.0, 1.0], "small %": [0.0004, 1.0, 2.0]}))
    assert t["temperature °C"].tolist() == ["30", "25", "35"]            # whole-number data without decimals
    assert t["share of squared error %"].tolist() == ["24.1", "15.3", "0.5"]  # per cent: one decimal, as in the prose
    assert t["accuracy"].tolist() == ["1.000", "0.000", "1.000"]          # 0/1 scores keep the metric's decimals
    assert t["small %"].tolist()[0] != "0.0"                            # a tiny share is never printed as zero
    t = format_frame(pd.DataFrame({"s/epoch": [6.915, 33.05], "minutes": [0.543, 3.11], "test accuracy": [0.8635, 0.9]}))
    assert t["s/epoch"].tolist() == ["6.9", "33.0"] and t["minutes"].tolist() == ["0.5", "3.1"]   # timings: 1 decimal
    assert t["test accuracy"].tolist() == ["0.864", "0.900"]


def test_say_shows_a_finding_and_nothing_for_an_empty_one(shown):
    reporting.say("")
    reporting.say("  ")
    assert shown == []
    reporting.say("The loss fell.")
    assert shown == ["The loss fell."]


def test_prose_keeps_a_number_and_its_unit_on_one_line():
    from mlplab import reporting as rp

    text = rp._NUMBER_UNIT.sub("\\1\u00a0\\2", "the 95 % interval over 3 seeds took 102 s at 24 h, not 5 hours")
    assert text == "the 95\u00a0% interval over 3 seeds took 102\u00a0s at 24\u00a0h, not 5 hours"
