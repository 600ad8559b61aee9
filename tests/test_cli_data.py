"""`mlplab data check|synth` in-process (exit codes, stdout, one-line errors) plus one real subprocess."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from mlplab.cli import main
from mlplab.data import load_maintenance, load_nyse


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_nyse_real_file(capsys, nyse_sample):
    code, out, err = _run(capsys, "data", "check", "nyse", "--path", str(nyse_sample))
    assert code == 0 and err == ""
    assert "source:    file" in out and str(nyse_sample) in out
    assert "rows:      7,048" in out
    assert "dates:     2010-01-04 .. 2016-12-30 (1,762 trading days)" in out
    assert "symbols:   4" in out and "duplicates dropped: 0" in out
    assert "SYNTHETIC" not in out


def test_check_maintenance_real_file(capsys, maintenance_sample):
    code, out, _ = _run(capsys, "data", "check", "maintenance", "--path", str(maintenance_sample))
    assert code == 0
    assert re.search(r"^  Heat Dissipation Failure +112 +1\.12%$", out, re.M)
    assert re.search(r"^  No Failure +9,652 +96\.52%$", out, re.M)
    assert "label inconsistencies: 18 failure type with target 0, 9 target 1 with 'No Failure'" in out
    assert "label rule: The multi-class label is failure_type" in out


def test_check_embedded_is_loud(capsys):
    code, out, _ = _run(capsys, "data", "check", "maintenance")
    assert code == 0
    assert out.splitlines()[0].startswith("SYNTHETIC embedded default")
    assert "source:    embedded" in out and "embedded:synth_maintenance(seed=0)" in out


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
