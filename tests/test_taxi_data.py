"""NAB taxi loader: the committed real sample, every accepted layout, the embedded default, bad files (exit 2)."""

from __future__ import annotations

import json
import lzma
import shutil

import pandas as pd
import pytest

from conftest import ROOT
from mlplab.cli import main
from mlplab.data import nab
from mlplab.errors import UserError

SAMPLE = ROOT / "tests" / "data" / "nab"
KEY = "realKnownCause/nyc_taxi.csv"


def _full_series(path):
    path.write_bytes(lzma.decompress(nab.EMBEDDED_SERIES.read_bytes()))
    return path


def test_sample_with_its_windows_and_labels(monkeypatch):
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(SAMPLE))
    data = nab.load_nab_taxi()
    assert data.provenance.source == "file" and data.provenance.kind == "real"
    assert len(data.frame) == 672 and data.frame["timestamp"].iloc[0] == pd.Timestamp("2014-10-25")
    assert data.frame["value"].dtype == float
    w = data.windows.iloc[0]
    assert len(data.windows) == 1 and w["name"] == "NYC marathon"
    assert w["label"] == pd.Timestamp("2014-11-01 19:00") and w["start"] == pd.Timestamp("2014-10-30 15:30")
    assert not data.report["notes"]


def test_nab_repository_layout_with_combined_label_files(tmp_path, monkeypatch):
    repo = tmp_path / "NAB"
    (repo / "data" / "realKnownCause").mkdir(parents=True)
    (repo / "labels").mkdir()
    shutil.copy(SAMPLE / "nyc_taxi.csv", repo / "data" / "realKnownCause" / "nyc_taxi.csv")
    windows = json.loads((SAMPLE / "nyc_taxi_windows.json").read_text())
    labels = json.loads((SAMPLE / "nyc_taxi_labels.json").read_text())
    other = "realTraffic/speed_7578.csv"
    (repo / "labels" / "combined_windows.json").write_text(json.dumps({other: [], KEY: windows[KEY]}))
    (repo / "labels" / "combined_labels.json").write_text(json.dumps({other: [], KEY: labels[KEY]}))
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(tmp_path))
    data = nab.load_nab_taxi()
    assert data.report["windows_source"] == "combined_windows.json"  # outside the project: the file name only
    assert data.report["labels_source"] == "combined_labels.json"
    assert data.windows["label"].iloc[0] == pd.Timestamp("2014-11-01 19:00")


def test_kaggle_layout_without_labels_uses_nab_windows(tmp_path, monkeypatch):
    folder = tmp_path / "realKnownCause" / "realKnownCause"
    folder.mkdir(parents=True)
    _full_series(folder / "nyc_taxi.csv")
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(tmp_path))
    data = nab.load_nab_taxi()
    assert data.provenance.source == "file" and len(data.frame) == 10_320
    assert len(data.windows) == 5 and data.report["windows_source"] == "embedded:nyc_taxi_windows.json"
    assert any("NAB's windows" in n for n in data.report["notes"])


def test_windows_without_labels_take_their_midpoints(tmp_path):
    shutil.copy(SAMPLE / "nyc_taxi.csv", tmp_path / "nyc_taxi.csv")
    shutil.copy(SAMPLE / "nyc_taxi_windows.json", tmp_path / "nyc_taxi_windows.json")
    data = nab.load_nab_taxi(tmp_path / "nyc_taxi.csv")
    w = data.windows.iloc[0]
    assert w["label"] == w["start"] + (w["end"] - w["start"]) / 2
    assert data.report["labels_source"] == "window midpoints"


def test_kagglehub_download_is_used_when_the_data_folder_has_none(tmp_path, monkeypatch):
    folder = tmp_path / "versions" / "3" / "realKnownCause" / "realKnownCause"
    folder.mkdir(parents=True)
    series = _full_series(folder / "nyc_taxi.csv")
    monkeypatch.setattr(nab, "kagglehub_file", lambda spec: (series, "3", ""))
    data = nab.load_nab_taxi()
    assert data.provenance.source == "kagglehub" and data.report["version"] == f"{nab.HANDLE} version 3"


def test_embedded_default_offline(monkeypatch):
    def offline(spec):
        return None, "", "kagglehub skipped (offline: OSError)"

    monkeypatch.setattr(nab, "kagglehub_file", offline)
    data = nab.load_nab_taxi()
    assert data.provenance.source == "embedded" and data.provenance.kind == "real"
    assert data.provenance.sha256 == "d8fa6f7f0734bf5c8be12c52a94e20a82664c397d9dec4449156bd453d32856d"
    assert len(data.frame) == 10_320 and len(data.windows) == 5
    assert data.windows["name"].tolist() == ["NYC marathon", "Thanksgiving", "Christmas", "New Year", "snow storm"]
    assert "offline" in data.provenance.note


def _check_fails(capsys, *args) -> str:
    assert main(["data", "check", "nab", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    return err


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("timestamp,value", "time,value"), "missing column(s) timestamp"),
    (lambda t: t.replace("2014-10-26 03:00:00", "2014-13-26 03:00:00"), "'2014-13-26 03:00:00'"),
    (lambda t: t.replace("2014-10-26 03:00:00,", "2014-10-26 03:00:00,-5"), "non-negative count"),
    (lambda t: "\n".join(line for line in t.split("\n") if not line.startswith("2014-10-26 03:00")), "without gaps"),
])
def test_bad_series_files_exit_2_naming_the_file(tmp_path, capsys, edit, expected):
    bad = tmp_path / "nyc_taxi.csv"
    bad.write_text(edit((SAMPLE / "nyc_taxi.csv").read_text()))
    shutil.copy(SAMPLE / "nyc_taxi_windows.json", tmp_path)
    err = _check_fails(capsys, "--path", str(bad))
    assert str(bad) in err and expected in err


@pytest.mark.parametrize("content, expected", [
    ("{not json", "not valid JSON"),
    (json.dumps({"realTraffic/speed_7578.csv": []}), "one key ending in nyc_taxi.csv"),
    (json.dumps({KEY: [["2014-11-03 22:30:00", "2014-10-30 15:30:00"]]}), "ends"),
    (json.dumps({KEY: [["2014-10-30 15:30:00", "soon"]]}), "expected a timestamp"),
    (json.dumps({KEY: [["2014-12-23 11:30:00", "2014-12-27 18:30:00"]]}), "outside the series"),
])
def test_bad_windows_files_exit_2_naming_the_file(tmp_path, capsys, monkeypatch, content, expected):
    shutil.copy(SAMPLE / "nyc_taxi.csv", tmp_path)
    (tmp_path / "nyc_taxi_windows.json").write_text(content)
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(tmp_path))
    err = _check_fails(capsys)
    assert "nyc_taxi_windows.json" in err and expected in err


def test_a_label_outside_its_window_is_an_error(tmp_path):
    shutil.copy(SAMPLE / "nyc_taxi.csv", tmp_path)
    shutil.copy(SAMPLE / "nyc_taxi_windows.json", tmp_path)
    (tmp_path / "nyc_taxi_labels.json").write_text(json.dumps({KEY: ["2014-10-26 12:00:00"]}))
    with pytest.raises(UserError, match="holds 0 labels"):
        nab.load_nab_taxi(tmp_path / "nyc_taxi.csv")


def test_check_prints_the_summary(capsys, monkeypatch):
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(SAMPLE))
    assert main(["data", "check", "nab"]) == 0
    out = capsys.readouterr().out
    assert "rows:      672" in out and "NYC marathon" in out
