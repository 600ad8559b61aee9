"""Algerian forest fires loader: the file as published (every repair reported), the cleaned single-table
layout with a Region column, the embedded copy, and bad files (exit 2, one line naming the file and line)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlplab.cli import main
from mlplab.data import wildfire as wf
from mlplab.errors import UserError

ORIGINAL = Path(__file__).parent / "data" / "wildfire" / "Algerian_forest_fires_dataset_UPDATE.csv"


def test_original_file_as_published():
    ld = wf.load_wildfire(ORIGINAL)
    f, r = ld.frame, ld.report
    assert len(f) == 244 and r["days"] == 122
    assert r["regions"] == {"Bejaia": 122, "Sidi-Bel Abbes": 122}
    assert r["class_counts"] == {"not fire": 106, "fire": 138}
    assert set(f["label"]) == {"fire", "not fire"} and f["fire"].sum() == 138
    repairs = {x["repair"]: x for x in r["repairs"]}
    assert repairs["title line -> region"]["lines"] == [1, 126]
    assert repairs["repeated header skipped"]["lines"] == [127]
    assert repairs["fused field split"]["lines"] == [171]
    assert repairs["empty line skipped"]["count"] == 1
    fused = f[(f["date"] == "2012-07-14") & (f["region"] == "Sidi-Bel Abbes")].iloc[0]
    assert (fused["dc"], fused["isi"], fused["bui"], fused["fwi"], fused["label"]) == (14.6, 9.0, 12.5, 10.4, "fire")
    assert ld.provenance.source == "file" and ld.provenance.kind == "real"


def _clean_csv(tmp_path: Path, codes: bool) -> Path:
    f = wf.load_wildfire(ORIGINAL).frame
    out = pd.DataFrame({"day": f["day"], "month": f["month"], "year": f["year"],
                        **{wf.SOURCE_NAMES[c]: f[c] for c in wf.NUMERIC}, "Classes": f["label"],
                        "Region": (f["region"] == "Sidi-Bel Abbes").astype(int) if codes else f["region"]})
    path = tmp_path / "Algerian_forest_fires_cleaned_dataset.csv"
    out.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("codes", [True, False])
def test_cleaned_layout_with_region_column(tmp_path, codes):
    original = wf.load_wildfire(ORIGINAL).frame
    ld = wf.load_wildfire(_clean_csv(tmp_path, codes))
    assert ld.report["layout_key"] == "clean"
    pd.testing.assert_frame_equal(ld.frame, original)
    kinds = {x["repair"] for x in ld.report["repairs"]}
    assert ("region code -> name" in kinds) == codes


def test_data_dir_and_embedded(tmp_path, monkeypatch):
    ld = wf.load_wildfire()
    assert ld.provenance.source == "embedded" and ld.provenance.kind == "real" and len(ld.frame) == 244
    assert ld.provenance.sha256 == wf.fingerprint()["wildfire"]["sha256"]
    d = tmp_path / "raw"
    d.mkdir()
    (d / "fires.csv").write_bytes(ORIGINAL.read_bytes())
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(d))
    ld = wf.load_wildfire()
    assert ld.provenance.source == "file" and ld.provenance.path.endswith("fires.csv")


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    data = ORIGINAL.read_bytes().decode()
    assert old in data
    path = tmp_path / "edited.csv"
    path.write_bytes(data.replace(old, new, 1).encode())
    return path


@pytest.mark.parametrize("old, new, expected", [
    ("Sidi-Bel Abbes Region Dataset", "Oran Region Dataset", "line 126: unknown region 'Oran'"),
    ("01,06,2012,29,57,18,0,65.7", "01,06,2012,29,57,18,0,abc", "line 3: column 'FFMC' has non-numeric value 'abc'"),
    ("0.5,not fire", "0.5,smoke", "line 3: column 'Classes' has 'smoke'; expected 'fire' or 'not fire'"),
    ("30,09,2012,25,78", "31,09,2012,25,78", "is not a date"),
    ("02,06,2012,29,61,13,1.3", "01,06,2012,29,61,13,1.3", "Bejaia 2012-06-01 appears twice"),
    ("01,06,2012,29,57,18,0,65.7,3.4,7.6,1.3", "01,06,2012,29,57,18,0,65.7,3.4,7.6", "line 3: 13 fields, expected 14"),
])
def test_bad_files_exit_2_one_line(tmp_path, capsys, old, new, expected):
    path = _edited(tmp_path, old, new)
    with pytest.raises(UserError):
        wf.load_wildfire(path)
    assert main(["data", "check", "wildfire", "--path", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "edited.csv" in err and expected in err


def test_bad_candidate_in_data_dir_is_an_error(tmp_path, monkeypatch, capsys):
    d = tmp_path / "raw"
    d.mkdir()
    (d / "Algerian_forest_fires_dataset_UPDATE.csv").write_text("day,month\n1,2\n")
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(d))
    assert main(["data", "check", "wildfire"]) == 2
    assert "Algerian_forest_fires_dataset_UPDATE.csv: line 1: header" in capsys.readouterr().err


def test_check_lists_every_repair(capsys):
    assert main(["data", "check", "wildfire", "--path", str(ORIGINAL)]) == 0
    out = capsys.readouterr().out
    assert "fused field split" in out and "classes:   not fire 106, fire 138" in out
