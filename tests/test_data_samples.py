"""The committed real samples (tests/data/): within budget, documented, and shaped as SOURCE.md says.

Why: the suite must run on a fresh clone with nothing beside it, so every real-data test reads these
files; their facts are hard-coded in the tests, so a changed sample must fail here first.
"""

from __future__ import annotations

import re

import pandas as pd

from conftest import MAINT_SAMPLE, NYSE_SAMPLE, ROOT, SAMPLES, SECURITIES_SAMPLE

LAB1 = (NYSE_SAMPLE, SECURITIES_SAMPLE, MAINT_SAMPLE)


def test_size_budget():
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total <= 2_000_000  # everything under tests/data, all labs
    assert sum(p.stat().st_size for p in LAB1) <= 300_000  # Lab 1's share


def test_every_sample_has_its_source_and_licence():
    note = (SAMPLES / "SOURCE.md").read_text(encoding="utf-8")
    for p in LAB1:
        assert f"`{p.name}`" in note, p.name
    assert "dgawlik/nyse" in note and "CC0" in note
    assert "AI4I 2020" in note and "CC BY 4.0" in note


def test_nyse_sample_is_a_complete_panel():
    f = pd.read_csv(NYSE_SAMPLE)
    assert list(f.columns) == ["date", "symbol", "open", "close", "low", "high", "volume"]
    assert sorted(f["symbol"].unique()) == ["AAL", "DOW", "EQIX", "ZION"]
    assert (f.groupby("symbol").size() == 756).all() and len(f) == 3024  # every symbol on every day
    assert (f["date"].min(), f["date"].max()) == ("2014-01-02", "2016-12-30")
    assert len(pd.read_csv(SECURITIES_SAMPLE)) == 505  # the whole real file


def test_maintenance_sample_keeps_every_class_and_every_disagreeing_row():
    f = pd.read_csv(MAINT_SAMPLE)
    assert f["Failure Type"].value_counts().to_dict() == {
        "No Failure": 259, "Heat Dissipation Failure": 30, "Power Failure": 30, "Overstrain Failure": 30,
        "Tool Wear Failure": 25, "Random Failures": 18}
    disagree = f[(f["Target"] == 1) != (f["Failure Type"] != "No Failure")]
    assert len(disagree) == 27  # all of the full file's: 18 Random Failures with Target 0, 9 'No Failure' with 1
    assert f["UDI"].is_monotonic_increasing and f["UDI"].is_unique  # file order kept


def test_no_test_reads_outside_the_repository():
    """The samples replaced a folder beside the clone; no test may point there again."""
    outside = re.compile(r"""["']shared["']|/work/shared|parents\[2\]|\.\./shared""")
    offenders = [p.name for p in (ROOT / "tests").glob("*.py")
                 if p.name != "test_data_samples.py" and outside.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
