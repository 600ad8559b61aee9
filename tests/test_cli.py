"""The `mlplab` command surface: help, argument errors as one line + exit 2, `python -m mlplab`."""

import subprocess
import sys

from mlplab.cli import main


def test_help_lists_commands(capsys):
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for cmd in ("data", "run", "render", "bench"):
        assert cmd in out


def test_bad_subcommand_is_one_line_exit_2(capsys):
    assert main(["fly"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "invalid choice: 'fly'" in err[0]


def test_bad_rows_value(capsys):
    assert main(["data", "synth", "nyse", "--out", "x.csv", "--rows", "-5"]) == 2
    assert "expected a positive integer, got '-5'" in capsys.readouterr().err


def test_python_dash_m_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "mlplab", "run", "--set", "x"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "expected KEY=VALUE" in proc.stderr
