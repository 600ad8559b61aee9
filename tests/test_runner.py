"""`mlplab run`: parameter validation, staleness, atomic promotion, failure handling (fake notebooks)."""

from __future__ import annotations

import json

import pytest

from mlplab import params as P
from mlplab import runner
from mlplab.cli import main
from mlplab.errors import UserError

from fakeproject import make_fake_project


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_fake_project(tmp_path / "proj")
    monkeypatch.setenv("MLPLAB_ROOT", str(root))
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(root / "data" / "raw"))
    monkeypatch.delenv("MLPLAB_RESULTS_DIR", raising=False)
    monkeypatch.delenv("MLPLAB_REPORT_DIR", raising=False)
    # the fake notebooks have none of the real modules' parameters
    monkeypatch.setattr(P, "NOTEBOOKS", tuple(P.NotebookSpec(s.name, s.source, None, s.needs, s.lab) for s in P.NOTEBOOKS
                                              if s.name in ("regression", "classification", "comparison")))
    monkeypatch.setattr(P, "BY_NAME", {s.name: s for s in P.NOTEBOOKS})
    # pin the package fingerprint: edits to the package while tests run must not look like staleness
    monkeypatch.setattr(runner, "package_fingerprint", lambda: "pinned")
    return root


def test_package_fingerprint_tracks_source():
    fp = runner.package_fingerprint()
    assert len(fp) == 64 and fp == runner.package_fingerprint()


def test_parse_override_types():
    assert P.parse_override("epochs=100") == (None, "epochs", 100)
    assert P.parse_override("lr=1e-3")[2] == 0.001
    assert P.parse_override("seeds=[0, 1]")[2] == [0, 1]
    assert P.parse_override("regression.split=random") == ("regression", "split", "random")
    assert P.parse_override("flag=true")[2] is True


@pytest.mark.parametrize("text, fragment", [("epochs", "expected KEY=VALUE"), ("=3", "empty parameter name"),
                                            ("nope.epochs=3", "unknown notebook 'nope'")])
def test_parse_override_errors(text, fragment):
    with pytest.raises(UserError, match=fragment):
        P.parse_override(text)


def test_run_skip_force_and_param_change(project, capsys):
    assert main(["run", "--profile", "quick", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.count("run  ") == 3 and "no previous run" in out
    reg = json.loads((project / "report/_results/regression.json").read_text())
    assert reg["params"]["scale"] == 2.0 and reg["profile"] == "quick"
    assert (project / "report/figures/regression/fig-regression-line.png").stat().st_size > 1000
    assert (project / "report/_generated/conclusions.md").read_text() == "scales 2.0 3.0"
    assert (project / "report/03_comparison.ipynb").exists()
    for page in ("banner.md", "appendix.md", "reproduce.md"):
        assert (project / "report/_generated" / page).exists()
    assert "Synthetic data" in (project / "report/_generated/banner.md").read_text()

    assert main(["run", "--profile", "quick", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.count("skip ") == 3 and "run  " not in out

    assert main(["run", "--profile", "quick", "--no-progress", "--set", "classification.scale=5"]) == 0
    out = capsys.readouterr().out
    assert "skip regression" in out and "run  classification (changed: params)" in out
    assert "run  comparison (changed: data)" in out  # upstream results changed
    assert (project / "report/_generated/conclusions.md").read_text() == "scales 2.0 5"

    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression", "--force"]) == 0
    out = capsys.readouterr().out
    assert "run  regression (forced)" in out
    # the comparison reads regression.json, which this run rewrote: the run says so, once
    assert out.count("note: comparison reads regression.json, rewritten by this run; refresh it with "
                     "`mlplab run --only comparison`") == 1

    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression", "--only", "comparison",
                 "--force"]) == 0
    assert "note:" not in capsys.readouterr().out  # the reader ran too


def test_data_file_change_makes_stale(project, capsys):
    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression"]) == 0
    raw = project / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "prices.csv").write_text("date,symbol,open,close,low,high,volume\n")
    capsys.readouterr()
    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression"]) == 0
    assert "changed: data" in capsys.readouterr().out


def test_failing_cell_keeps_previous_outputs(project, capsys):
    assert main(["run", "--profile", "quick", "--no-progress"]) == 0
    res = project / "report/_results/regression.json"
    before = res.read_bytes()
    fig = project / "report/figures/regression/fig-regression-line.png"
    fig_before = fig.read_bytes()
    capsys.readouterr()
    code = main(["run", "--profile", "quick", "--no-progress", "--only", "regression",
                 "--set", "fail=true", "--set", "scale=9"])
    err = capsys.readouterr().err
    assert code == 1
    assert "regression: cell" in err and "RuntimeError: boom on purpose" in err
    assert (project / "report/.failed/01_regression_nyse.ipynb").exists()
    assert res.read_bytes() == before and fig.read_bytes() == fig_before
    assert not (project / "report/.staging/regression").exists()
    # the failed run did not record a new state: the next normal run is a skip
    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression"]) == 0
    assert "skip regression" in capsys.readouterr().out


@pytest.mark.parametrize("argv, fragment", [
    (["--set", "nosuch=1"], "--set nosuch: unknown parameter"),
    (["--set", "scale=abc"], "expected a number, got 'abc'"),
    (["--set", "seeds=3"], "expected a list, got 3"),
    (["--only", "nope"], "--only 'nope': expected one of"),
    (["--profile", "huge"], "--profile 'huge': no file"),
])
def test_run_bad_input_exit_2(project, capsys, argv, fragment):
    assert main(["run", "--no-progress", "--profile", "quick", *argv] if "--profile" not in argv
                else ["run", "--no-progress", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and len(err.strip().splitlines()) == 1
    assert not (project / "report/_results/regression.json").exists()


def test_profile_with_unknown_key_is_rejected_before_any_run(project, capsys):
    (project / "params" / "quick.yml").write_text("regression:\n  scale: 2.0\n  epochz: 3\n")
    assert main(["run", "--profile", "quick", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "regression.epochz is not a parameter" in err
    assert not (project / "report/01_regression_nyse.ipynb").exists()


def test_only_comparison_needs_upstream(project, capsys):
    assert main(["run", "--profile", "quick", "--only", "comparison"]) == 2
    assert "needs report/_results/regression.json" in capsys.readouterr().err


def test_pre_render_is_a_noop_under_render(project, capsys, monkeypatch):
    monkeypatch.setenv("MLPLAB_RENDERING", "1")
    assert main(["run", "--pre-render"]) == 0
    assert "already up to date" in capsys.readouterr().out
    assert not (project / "report/_results").exists()


def test_run_output_has_no_kernel_chatter(project, capfd):
    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression"]) == 0
    out, err = capfd.readouterr()  # capfd: the kernel is a child process writing to fd 2
    assert "done regression" in out
    assert "IPKernelApp" not in err and "without encryption" not in err


def test_pre_render_of_a_single_file_writes_the_generated_files_only(project, capsys, monkeypatch):
    monkeypatch.delenv("MLPLAB_RENDERING", raising=False)
    monkeypatch.delenv("QUARTO_PROJECT_RENDER_ALL", raising=False)  # Quarto sets it for whole-book renders only
    assert main(["run", "--pre-render"]) == 0
    assert "single-file render, analysis not run" in capsys.readouterr().out
    assert not (project / "report/_results/regression.json").exists()
    assert (project / "report/_generated/chapters.yml").exists()


def test_pre_render_of_the_whole_book_runs_the_stale_notebooks(project, capsys, monkeypatch):
    monkeypatch.delenv("MLPLAB_RENDERING", raising=False)
    monkeypatch.setenv("QUARTO_PROJECT_RENDER_ALL", "1")
    assert main(["run", "--pre-render", "--no-progress"]) == 0
    assert capsys.readouterr().out.count("done ") == 3
    assert (project / "report/03_comparison.ipynb").exists()


def test_render_without_quarto_is_one_clear_line(project, capsys, monkeypatch, tmp_path):
    empty = tmp_path / "emptybin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr("mlplab.render.find_quarto", lambda: None)
    assert main(["render"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "quarto not found" in err[0] and "quarto.org" in err[0]


def test_render_needs_a_run_first(project, capsys, monkeypatch):
    monkeypatch.setattr("mlplab.render.find_quarto", lambda: "/usr/bin/true")
    assert main(["render", "--to", "html"]) == 2
    assert "run `mlplab run` first" in capsys.readouterr().err


# ---- staleness follows the source the loader resolves ------------------------------------------------

def test_fingerprint_hashes_the_file_found_by_header(project, nyse_sample, maintenance_sample):
    """A file under a non-preferred name is what the loader reads: editing it makes the notebook stale."""
    raw = project / "data" / "raw"
    assert runner.data_fingerprint("regression", {"data_path": ""}, project) == {
        "prices": {"source": "embedded", "version": "synth_nyse generator v1 seed 0"},
        "securities": {"source": "none"}}
    raw.mkdir(parents=True)
    export = raw / "my_prices_export.csv"
    export.write_bytes(nyse_sample.read_bytes())
    before = runner.data_fingerprint("regression", {"data_path": ""}, project)
    assert before["prices"]["source"] == "file" and before["prices"]["path"] == "data/raw/my_prices_export.csv"
    export.write_bytes(nyse_sample.read_bytes().replace(b"25.07", b"25.08", 1))
    after = runner.data_fingerprint("regression", {"data_path": ""}, project)
    assert after["prices"]["sha256"] != before["prices"]["sha256"]
    (raw / "securities.csv").write_text("Ticker symbol,GICS Sector\nAAL,Industrials\n")
    assert runner.data_fingerprint("regression", {"data_path": ""}, project)["securities"]["source"] == "file"

    machines = raw / "machines.csv"
    machines.write_bytes(maintenance_sample.read_bytes())
    fp = runner.data_fingerprint("classification", {"data_path": ""}, project)["maintenance"]
    machines.write_bytes(maintenance_sample.read_bytes() + b"")  # same bytes: same fingerprint
    assert runner.data_fingerprint("classification", {"data_path": ""}, project)["maintenance"] == fp
    machines.write_bytes(maintenance_sample.read_bytes().replace(b"M14921", b"M14922"))
    assert runner.data_fingerprint("classification", {"data_path": ""}, project)["maintenance"]["sha256"] != fp["sha256"]
    # an explicit data_path (relative to the project root) wins over the data dir
    explicit = runner.data_fingerprint("classification", {"data_path": "data/raw/machines.csv"}, project)
    assert explicit["maintenance"]["path"] == "data/raw/machines.csv"


def test_header_detected_file_change_reruns_the_notebook(project, capsys, nyse_sample):
    raw = project / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "my_prices_export.csv").write_bytes(nyse_sample.read_bytes())
    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression"]) == 0
    (raw / "my_prices_export.csv").write_bytes(nyse_sample.read_bytes()[:-200])
    capsys.readouterr()
    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression"]) == 0
    assert "run  regression (changed: data)" in capsys.readouterr().out


def test_malformed_data_file_stops_the_run_with_exit_2(project, capsys):
    raw = project / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "predictive_maintenance.csv").write_text("UDI,Type\n1,M\n")
    assert main(["run", "--profile", "quick", "--no-progress", "--only", "classification"]) == 2
    out, err = capsys.readouterr()
    assert "run  " not in out and len(err.strip().splitlines()) == 1
    assert f"{raw / 'predictive_maintenance.csv'}: missing required column(s) product_id" in err
    assert not (project / "report/_results/classification.json").exists()


# ---- corrupt run state: dropped with one warning line, never a traceback ----------------------------

def test_corrupt_state_is_dropped_and_the_notebook_reruns(project, capsys):
    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression"]) == 0
    state = project / "report/_results/.state/regression.json"
    state.write_text('{"fingerprint": {"source": "tru')  # e.g. a disk filled up mid-write by another tool
    capsys.readouterr()
    assert main(["run", "--profile", "quick", "--no-progress", "--only", "regression"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == ["mlplab run: report/_results/.state/regression.json: unreadable run state, re-running"]
    assert "run  regression (no previous run)" in out and "done regression" in out
    assert json.loads(state.read_text())["fingerprint"]["data"]  # a valid record again


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2]", b'{"fingerprint": 3}', b""])
def test_read_state_drops_any_corrupt_record(tmp_path, capsys, content):
    state = tmp_path / "report/_results/.state/classification.json"
    state.parent.mkdir(parents=True)
    state.write_bytes(content)
    assert runner._read_state(state, tmp_path) is None and not state.exists()
    assert capsys.readouterr().err == ("mlplab run: report/_results/.state/classification.json: "
                                       "unreadable run state, re-running\n")
    state.write_text('{"fingerprint": {"data": {}}, "finished": "now"}')
    assert runner._read_state(state, tmp_path) == {"fingerprint": {"data": {}}, "finished": "now"}
    assert runner._read_state(tmp_path / "missing.json", tmp_path) is None and capsys.readouterr().err == ""


@pytest.mark.parametrize("content", [b"\xff\xfe\x00", b"", b"../../etc\n", b"nosuchprofile\n"])
def test_corrupt_last_profile_falls_back_with_a_warning(project, capsys, content):
    last = project / "report/_results/.state/last_profile"
    last.parent.mkdir(parents=True)
    last.write_bytes(content)
    assert runner._last_profile(project, "full") == "full"
    err = capsys.readouterr().err
    assert err.splitlines() == ["mlplab run: report/_results/.state/last_profile: unreadable run state, "
                                "re-running with profile 'full'"]
    assert not last.exists()
    last.write_text("quick\n")
    assert runner._last_profile(project, "full") == "quick" and capsys.readouterr().err == ""


def test_bad_data_path_parameter_is_a_user_error_before_any_run(project, tmp_path):
    with pytest.raises(UserError, match=r"nope\.csv: file not found"):
        runner.data_fingerprint("classification", {"data_path": "data/nope.csv"}, project)
    bad = tmp_path / "prices.csv"
    bad.write_text("date,symbol\n2010-01-04,AAL\n")
    with pytest.raises(UserError, match=r"prices\.csv: missing required column\(s\) open, close, low, high, volume"):
        runner.data_fingerprint("regression", {"data_path": str(bad), "securities_path": ""}, project)


def test_parameter_cells_are_hidden_in_the_book(tmp_path):
    import nbformat

    from mlplab.runner import hide_parameter_cells

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("x = 2", metadata={"tags": ["injected-parameters"]}),
                nbformat.v4.new_code_cell("import numpy"), nbformat.v4.new_markdown_cell("text")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    hide_parameter_cells(path)
    hide_parameter_cells(path)   # idempotent
    tags = [c.metadata.get("tags", []) for c in nbformat.read(str(path), as_version=4).cells]
    assert tags == [["parameters", "hide-code"], ["injected-parameters", "hide-code"], [], []]
