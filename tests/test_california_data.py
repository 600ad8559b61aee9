"""California Housing loader: both file layouts on real samples, scikit-learn and the embedded copy
offline, and bad files (exit 2, one line naming the file)."""

from __future__ import annotations

import hashlib
import lzma
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlplab.cli import main
from mlplab.data import california as cal
from mlplab.errors import UserError

SAMPLES = Path(__file__).parent / "data" / "california"
SKLEARN = SAMPLES / "california_housing.csv"
GERON = SAMPLES / "housing_head.csv"


@pytest.fixture(autouse=True)
def _no_sklearn(monkeypatch):
    """No test reads scikit-learn's data home or the network: the fetcher fails unless a test says otherwise."""
    def fail(download):
        raise OSError("scikit-learn fetcher disabled in the tests")

    monkeypatch.setattr(cal, "_fetch_sklearn", fail)
    monkeypatch.setenv(cal.OFFLINE_ENV, "1")


def test_sklearn_layout_sample():
    ld = cal.load_california(SKLEARN)
    raw = pd.read_csv(SKLEARN)
    assert list(ld.frame.columns) == list(cal.COLUMNS)
    assert len(ld.frame) == len(raw) == 300
    assert ld.report["capped_rows"] == int((raw["MedHouseVal"] == 5.00001).sum()) == 15
    assert ld.provenance.source == "file" and ld.provenance.kind == "real"
    assert not Path(ld.provenance.path).is_absolute()
    np.testing.assert_allclose(ld.frame["AveOccup"], raw["AveOccup"])


def test_geron_layout_maps_to_the_sklearn_values():
    geron = cal.load_california(GERON)
    sk = cal.load_california(SKLEARN).frame.iloc[:5].reset_index(drop=True)
    assert geron.report["layout_key"] == "geron"
    assert geron.report["dropped_columns"] == ["ocean_proximity"]
    np.testing.assert_allclose(geron.frame[list(cal.COLUMNS)].to_numpy(), sk[list(cal.COLUMNS)].to_numpy(), rtol=1e-9)


def test_geron_missing_bedrooms_become_nan(tmp_path):
    text = GERON.read_text().splitlines()
    cells = text[2].split(",")
    cells[4] = ""  # total_bedrooms left empty, as in 207 rows of the real housing.csv
    path = tmp_path / "housing.csv"
    path.write_text("\n".join([text[0], text[1], ",".join(cells), *text[3:]]) + "\n")
    ld = cal.load_california(path)
    assert ld.report["missing_avebedrms"] == 1
    assert np.isnan(ld.frame["AveBedrms"].iloc[1]) and ld.frame["AveBedrms"].notna().sum() == 4
    assert any("total_bedrooms" in w for w in ld.report["warnings"])


def test_data_dir_file_found_by_header(tmp_path, monkeypatch):
    d = tmp_path / "raw"
    d.mkdir()
    (d / "my_copy.csv").write_bytes(SKLEARN.read_bytes())
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(d))
    ld = cal.load_california()
    assert ld.provenance.source == "file" and ld.provenance.path.endswith("my_copy.csv")
    assert cal.fingerprint()["california"]["sha256"] == hashlib.sha256(SKLEARN.read_bytes()).hexdigest()


def test_offline_falls_back_to_the_embedded_real_copy():
    ld = cal.load_california()
    assert ld.provenance.source == "embedded" and ld.provenance.kind == "real" and not ld.provenance.synthetic
    assert len(ld.frame) == 20_640 and ld.report["capped_rows"] == 965
    assert ld.provenance.sha256 == hashlib.sha256(lzma.decompress(cal.EMBEDDED.read_bytes())).hexdigest()
    assert "scikit-learn" in ld.report["warnings"][0]


def test_sklearn_fetcher_used_when_it_answers(monkeypatch):
    frame = pd.read_csv(SKLEARN)
    monkeypatch.setattr(cal, "_fetch_sklearn", lambda download: frame)
    ld = cal.load_california()
    assert ld.provenance.source == "sklearn" and len(ld.frame) == 300
    assert ld.provenance.path == "sklearn:fetch_california_housing"


def test_bad_candidate_in_data_dir_is_an_error_not_a_fallback(tmp_path, monkeypatch, capsys):
    d = tmp_path / "raw"
    d.mkdir()
    (d / "california_housing.csv").write_text("MedInc,HouseAge\n1,2\n")
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(d))
    with pytest.raises(UserError, match="california_housing.csv: not a California Housing table"):
        cal.load_california()
    assert main(["data", "check", "california"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "california_housing.csv" in err


def _broken(tmp_path: Path, row: int, column: str, value: str) -> Path:
    frame = pd.read_csv(SKLEARN, dtype=str)
    frame.loc[row, column] = value
    path = tmp_path / "broken.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("column, value, expected", [
    ("MedInc", "abc", "column 'MedInc' has non-numeric value 'abc' at data row 4 (line 5)"),
    ("Latitude", "-122.0", "column 'Latitude' has -122.0 at data row 4 (line 5); expected latitude within California"),
    ("MedHouseVal", "0", "column 'MedHouseVal' has 0.0 at data row 4 (line 5); expected a positive value"),
    ("Population", "", "column 'Population' has an empty value at data row 4"),
])
def test_bad_values_exit_2_one_line(tmp_path, capsys, column, value, expected):
    path = _broken(tmp_path, 3, column, value)
    assert main(["data", "check", "california", "--path", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "broken.csv" in err and expected in err


def test_geron_zero_households_is_named(tmp_path, capsys):
    text = GERON.read_text().replace(",126.0,8.3252", ",0.0,8.3252")
    path = tmp_path / "housing.csv"
    path.write_text(text)
    assert main(["data", "check", "california", "--path", str(path)]) == 2
    err = capsys.readouterr().err
    assert "column 'households' is 0.0 at data row 1 (line 2)" in err


def test_missing_columns_and_empty_file(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["data", "check", "california", "--path", str(empty)]) == 2
    assert "empty.csv: file is empty" in capsys.readouterr().err
    assert main(["data", "check", "california", "--path", str(tmp_path / "absent.csv")]) == 2
    assert "absent.csv: file not found" in capsys.readouterr().err


def test_check_prints_the_summary(capsys):
    assert main(["data", "check", "california", "--path", str(SKLEARN)]) == 0
    out = capsys.readouterr().out
    assert "rows:      300" in out and "capped:    15 rows" in out and "source:    file" in out
