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
    assert "|:--------|------:|----:|" in text  # strings left, numbers right
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
    assert "callout-note" in shown[1] and "/d/prices.csv" in shown[1]
