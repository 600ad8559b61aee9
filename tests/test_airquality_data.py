"""UCI Air Quality loader: the committed original-format sample, the comma/dot export, header detection, the
embedded default, bad files (exit 2, one line naming the file)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from conftest import ROOT
from mlplab.cli import main
from mlplab.data import airquality as aq

SAMPLE = ROOT / "tests" / "data" / "airquality" / "AirQualityUCI.csv"


def test_original_layout_sample():
    ld = aq.load_airquality(SAMPLE)
    f, r = ld.frame, ld.report
    assert len(f) == 360 and list(f.columns) == list(aq.SERIES)
    assert f.index[0] == pd.Timestamp("2004-03-10 18:00") and f.index.freq == "h"
    assert f.loc["2004-03-10 18:00", "CO(GT)"] == pytest.approx(2.6) and f.loc["2004-03-10 18:00", "AH"] == pytest.approx(0.7578)
    assert r["layout"].startswith("UCI original") and r["trailing_blank_rows"] == 5
    assert r["missing_code"]["NMHC(GT)"] == int(f["NMHC(GT)"].isna().sum()) and r["hours_added"] == 0
    assert not (f == -200).any().any()
    assert ld.provenance.source == "file" and ld.provenance.kind == "real"


def test_comma_dot_export_with_iso_dates_and_empty_cells(tmp_path):
    ld = aq.load_airquality(SAMPLE)
    out = ld.frame.drop(columns=["NMHC(GT)"]).copy()
    out.insert(0, "Time", out.index.strftime("%H:%M:%S"))
    out.insert(0, "Date", out.index.strftime("%Y-%m-%d"))
    out.to_csv(tmp_path / "export.csv", index=False)  # NaN written as empty cells
    again = aq.load_airquality(tmp_path / "export.csv")
    assert again.report["layout"] == "comma/dot export" and "NMHC(GT)" not in again.frame
    pd.testing.assert_frame_equal(again.frame, ld.frame.drop(columns=["NMHC(GT)"]), check_freq=False)
    assert sum(again.report["empty_cells"].values()) == int(ld.frame.drop(columns=["NMHC(GT)"]).isna().sum().sum())


def test_missing_hours_are_added_and_counted(tmp_path):
    lines = SAMPLE.read_bytes().split(b"\r\n")
    (tmp_path / "gap.csv").write_bytes(b"\r\n".join(lines[:11] + lines[14:]))
    ld = aq.load_airquality(tmp_path / "gap.csv")
    assert ld.report["hours_added"] == 3 and len(ld.frame) == 360 and ld.frame.iloc[10:13].isna().all().all()


def test_data_folder_file_found_by_header(tmp_path, monkeypatch):
    shutil.copy(SAMPLE, tmp_path / "my_air.csv")
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(tmp_path))
    ld = aq.load_airquality()
    assert ld.provenance.source == "file" and ld.provenance.path.endswith("my_air.csv")


def test_embedded_default_when_no_file(monkeypatch):
    ld = aq.load_airquality()
    assert ld.provenance.source == "embedded" and ld.provenance.kind == "real"
    assert ld.provenance.sha256 == "13277ae5d8581e80b7be09d47c7d3d06fe9b8e957078f2cf6e859f955e62f996"
    assert len(ld.frame) == 9357 and ld.report["missing"]["NMHC(GT)"] == 8443 and ld.report["missing"]["CO(GT)"] == 1683
    assert ld.report["trailing_blank_rows"] == 114


def _edit(old: bytes, new: bytes):
    return lambda data: data.replace(old, new, 1)


@pytest.mark.parametrize("edit, expected", [
    (_edit(b";NOx(GT);", b";NOX;"), "missing column(s) NOx(GT)"),
    (_edit(b"10/03/2004;19.00.00;2;", b"10/03/2004;19.00.00;two;"), "'two'"),
    (_edit(b"10/03/2004;19.00.00", b"10/03/2004;18.00.00"), "appears twice"),
    (_edit(b"10/03/2004;19.00.00", b"10/03/2004;17.00.00"), "in time order"),
    (_edit(b"10/03/2004;19.00.00", b"31/02/2004;19.00.00"), "not a date and hour"),
    (lambda data: b"", "file is empty"),
])
def test_bad_files_exit_2_naming_the_file(tmp_path, capsys, edit, expected):
    bad = tmp_path / "AirQualityUCI.csv"
    bad.write_bytes(edit(SAMPLE.read_bytes()))
    assert main(["data", "check", "airquality", "--path", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(bad) in err and expected in err


def test_a_bad_candidate_in_the_data_folder_is_an_error_not_a_fallback(tmp_path, monkeypatch, capsys):
    (tmp_path / "AirQualityUCI.csv").write_bytes(SAMPLE.read_bytes().replace(b";RH;", b";Humidity;"))
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(tmp_path))
    assert main(["data", "check", "airquality"]) == 2
    assert "missing column(s) RH" in capsys.readouterr().err


def test_check_prints_the_summary(capsys):
    assert main(["data", "check", "airquality", "--path", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "rows:      360 hours" in out and "NMHC(GT)" in out
