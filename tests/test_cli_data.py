"""`mlplab data check|synth` in-process (exit codes, stdout, one-line errors) plus one real subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from mlplab.cli import main
from mlplab.data import load_maintenance, load_nyse

from conftest import ROOT


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_nyse_real_file(capsys, nyse_sample, monkeypatch):
    monkeypatch.setenv("MLPLAB_ROOT", str(ROOT))
    code, out, err = _run(capsys, "data", "check", "nyse", "--path", str(nyse_sample))
    assert code == 0 and err == ""
    assert "source:    file" in out and "path:      tests/data/prices-split-adjusted.csv" in out
    assert str(ROOT) not in out  # no absolute path
    # facts of the sample (tests/data/SOURCE.md): 4 symbols x 756 trading days
    assert "rows:      3,024" in out
    assert "dates:     2014-01-02 .. 2016-12-30 (756 trading days)" in out
    assert "symbols:   4" in out and "duplicates dropped: 0" in out
    assert "sectors:   from tests/data/securities.csv (0 symbols without)" in out
    assert "SYNTHETIC" not in out


def test_check_maintenance_real_file(capsys, maintenance_sample):
    code, out, _ = _run(capsys, "data", "check", "maintenance", "--path", str(maintenance_sample))
    assert code == 0
    # class counts of the 392-row sample: 30 of 392 rows are Heat Dissipation Failures
    assert re.search(r"^  Heat Dissipation Failure +30 +7\.65%$", out, re.M)
    assert re.search(r"^  No Failure +259 +66\.07%$", out, re.M)
    assert re.search(r"^  Random Failures +18 +4\.59%$", out, re.M)
    assert "label inconsistencies: 18 failure type with target 0, 9 target 1 with 'No Failure'" in out
    assert "label rule: The multi-class label is failure_type" in out


def test_check_embedded_is_loud(capsys):
    code, out, _ = _run(capsys, "data", "check", "maintenance")
    assert code == 0
    assert out.splitlines()[0].startswith("SYNTHETIC embedded default")
    assert "source:    embedded" in out and "embedded:synth_maintenance(seed=0)" in out
    assert "no predictive_maintenance.csv or ai4i2020.csv and no other CSV with the columns" in out


NYSE_BROKEN = "date,symbol,open\n2010-01-04,AAL,4.84\n"
MAINT_BROKEN = "UDI,Product ID,Type,Air temperature [K],Target\n1,M14860,M,298.1,0\n"


@pytest.mark.parametrize("dataset, name, text, expected", [
    ("nyse", "prices-split-adjusted.csv", NYSE_BROKEN, "missing required column(s) close, low, high, volume"),
    ("nyse", "prices.csv", "date,symbol,open,close,low,high,volume\n2010-01-04,AAL,4.84,4.77,4.66,4.94,x\n",
     "column 'volume' has non-numeric value 'x' at data row 1"),
    ("nyse", "my_export.csv", NYSE_BROKEN.replace("open", "open,close"), "missing required column(s) low, high, volume"),
    ("maintenance", "predictive_maintenance.csv", MAINT_BROKEN, "missing required column(s) process_temperature_k"),
    ("maintenance", "ai4i2020.csv", "", "file is empty"),
    ("maintenance", "machines.tsv", MAINT_BROKEN.replace(",", "\t"), "missing required column(s) process_temperature_k"),
])
def test_check_malformed_data_dir_file_is_exit_2_not_synthetic(capsys, tmp_path, monkeypatch, dataset, name, text,
                                                                expected):
    """A file the loader would use (preferred name, or a look-alike header) that fails validation stops the
    command: exit 2, one stderr line naming the file; never the embedded default."""
    data = tmp_path / "raw"
    data.mkdir()
    (data / name).write_text(text)
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(data))
    code, out, err = _run(capsys, "data", "check", dataset)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(f"mlplab: error: {data / name}: ") and expected in err


def test_subprocess_malformed_file_in_the_project_data_raw(tmp_path):
    """The issue's case, as a user runs it: data/raw/ of the project found from the working directory."""
    for folder in ("analysis", "params", "data/raw"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "data/raw/prices-split-adjusted.csv").write_text(NYSE_BROKEN)
    env = {k: v for k, v in os.environ.items() if k not in ("MLPLAB_DATA_DIR", "MLPLAB_ROOT")}
    res = subprocess.run([sys.executable, "-m", "mlplab", "data", "check", "nyse"], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path / "data", env=env)
    assert res.returncode == 2 and res.stdout == "" and "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and "prices-split-adjusted.csv: missing required column(s) close, low, high, volume" in lines[0]


@pytest.mark.parametrize("dataset", ["nyse", "maintenance"])
def test_synth_writes_loadable_csv(capsys, tmp_path, dataset):
    out_file = tmp_path / "sub" / f"{dataset}.csv"
    code, out, err = _run(capsys, "data", "synth", dataset, "--out", str(out_file), "--rows", "600", "--seed", "7")
    assert code == 0 and err == ""
    assert out.startswith(f"wrote {out_file} (600 rows") and "seed 7" in out
    assert not list(out_file.parent.glob("*.tmp"))
    ld = load_nyse(out_file) if dataset == "nyse" else load_maintenance(out_file)
    assert ld.provenance.rows == 600 and ld.provenance.source == "file"
    again = tmp_path / "again.csv"
    assert _run(capsys, "data", "synth", dataset, "--out", str(again), "--rows", "600", "--seed", "7")[0] == 0
    assert again.read_bytes() == out_file.read_bytes()


@pytest.mark.parametrize("make,argv_tail,needle", [
    (None, ("nyse", "--path", "{tmp}/nope.csv"), "nope.csv: file not found"),
    ("", ("maintenance", "--path", "{tmp}/bad.csv"), "bad.csv: file is empty"),
    ("date,symbol\n2010-01-04,AAL\n", ("nyse", "--path", "{tmp}/bad.csv"),
     "missing required column(s) open, close, low, high, volume"),
    ("UDI,Product ID,Type,Air temperature [K],Process temperature [K],Rotational speed [rpm],Torque [Nm],"
     "Tool wear [min],Target,Failure Type\n1,M1,Q,298.1,308.6,1551,42.8,0,0,No Failure\n",
     ("maintenance", "--path", "{tmp}/bad.csv"), "column 'Type' has unknown value 'Q' at data row 1"),
])
def test_check_bad_input_one_line_exit_2(capsys, tmp_path, make, argv_tail, needle):
    if make is not None:
        (tmp_path / "bad.csv").write_text(make)
    argv = [a.format(tmp=tmp_path) for a in argv_tail]
    code, out, err = _run(capsys, "data", "check", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("mlplab: error: ") and needle in err


def test_synth_bad_arguments(capsys, tmp_path):
    code, _, err = _run(capsys, "data", "synth", "nyse", "--out", str(tmp_path), "--rows", "5")
    assert code == 2 and "is a directory" in err
    code, _, err = _run(capsys, "data", "synth", "nyse", "--out", str(tmp_path / "x.csv"), "--rows", "0")
    assert code == 2 and "expected a positive integer" in err
    code, _, err = _run(capsys, "data", "synth", "weather", "--out", str(tmp_path / "x.csv"))
    assert code == 2 and "weather" in err


def test_subprocess_no_traceback(tmp_path, maintenance_sample):
    bad = tmp_path / "bad.csv"
    pd.read_csv(maintenance_sample, nrows=5).assign(**{"Torque [Nm]": ["1", "2", "x", "4", "5"]}).to_csv(bad, index=False)
    res = subprocess.run([sys.executable, "-m", "mlplab", "data", "check", "maintenance", "--path", str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip() == (f"mlplab: error: {bad}: column 'Torque [Nm]' has non-numeric value 'x' at "
                                  "data row 3 (line 4); expected a number")
