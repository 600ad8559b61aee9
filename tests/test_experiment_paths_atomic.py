"""Project paths (mlplab.experiment.paths) and atomic writes (mlplab.experiment.atomic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlplab.errors import UserError
from mlplab.experiment import atomic
from mlplab.experiment.paths import ENV, Paths, find_root, paths


@pytest.fixture
def clean_env(monkeypatch):
    for var in ENV.values():
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def project(tmp_path, clean_env):
    root = tmp_path / "proj"
    (root / "analysis").mkdir(parents=True)
    (root / "params").mkdir()
    (root / "lib" / "deep").mkdir(parents=True)
    return root


def test_root_is_the_nearest_folder_with_analysis_and_params(project, monkeypatch):
    assert find_root(project / "lib" / "deep") == project
    assert Paths.find(project).root == project
    monkeypatch.chdir(project / "lib" / "deep")
    assert paths().root == project and find_root(required=True) == project
    # analysis/ alone (or params/ alone) does not make a project
    half = project / "lib" / "deep" / "half"
    (half / "analysis").mkdir(parents=True)
    assert find_root(half) == project


def test_outside_a_project(tmp_path, clean_env, monkeypatch):
    alone = tmp_path / "alone"
    (alone / "analysis").mkdir(parents=True)          # no params/: not a project
    assert find_root(alone) == alone                   # the start folder itself
    with pytest.raises(UserError, match=r"alone: not inside an mlplab project \(no analysis/ and params/"):
        find_root(alone, required=True)
    with pytest.raises(UserError, match="not inside an mlplab project"):
        Paths.find(alone, required=True)
    monkeypatch.chdir(alone)
    assert paths().root == alone


def test_default_folders(project):
    p = Paths.find(project)
    assert p.report == project / "report"
    assert p.results == project / "report" / "_results"
    assert p.figures == project / "report" / "figures"
    assert p.generated == project / "report" / "_generated"
    assert p.state == project / "report" / "_results" / ".state"
    assert (p.analysis, p.params) == (project / "analysis", project / "params")
    assert p.data_raw == project / "data" / "raw" and p.cache == project / "data" / "cache"


def test_environment_overrides(project, tmp_path, monkeypatch):
    other = tmp_path / "other"
    monkeypatch.setenv("MLPLAB_ROOT", str(other))
    assert find_root(project, required=True) == other.resolve()    # wins over detection, even if absent
    monkeypatch.delenv("MLPLAB_ROOT")
    stage = tmp_path / "stage"
    monkeypatch.setenv("MLPLAB_REPORT_DIR", str(stage))
    p = Paths.find(project)
    assert p.report == stage and p.results == stage / "_results" and p.figures == stage / "figures"
    assert p.generated == project / "report" / "_generated"          # not moved by the staging folder
    assert p.state == project / "report" / "_results" / ".state"
    monkeypatch.setenv("MLPLAB_RESULTS_DIR", str(tmp_path / "res"))
    monkeypatch.setenv("MLPLAB_DATA_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("MLPLAB_CACHE_DIR", str(tmp_path / "cache"))
    assert (p.results, p.data_raw, p.cache) == (tmp_path / "res", tmp_path / "raw", tmp_path / "cache")
    monkeypatch.setenv("MLPLAB_RESULTS_DIR", "")                      # empty means unset
    assert p.results == stage / "_results"


def test_display_is_project_relative_inside_and_a_file_name_outside(project, tmp_path, monkeypatch):
    p = Paths.find(project)
    assert p.display(project / "data" / "raw" / "file.csv") == "data/raw/file.csv"
    assert p.display(str(project / "report" / "_results" / "x.json")) == "report/_results/x.json"
    assert p.display(tmp_path / "elsewhere" / "secret" / "file.csv") == "file.csv"
    assert p.display(project / "lib" / ".." / "params" / "full.yml") == "params/full.yml"
    monkeypatch.chdir(project / "lib")
    assert p.display("deep/x.txt") == "lib/deep/x.txt"               # relative paths start at the cwd


@pytest.fixture
def folder(tmp_path):
    """An empty folder of its own (tmp_path also holds conftest's empty data dir)."""
    d = tmp_path / "w"
    d.mkdir()
    return d


def test_atomic_writes_content_and_leave_no_temp_file(folder):
    target = folder / "sub" / "dir" / "out.txt"
    assert atomic.write_text(target, "héllo\n") == target              # parents created
    assert target.read_text(encoding="utf-8") == "héllo\n"
    atomic.write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    js = folder / "doc.json"
    atomic.write_json(js, {"b": 1, "a": [1.5]}, sort_keys=True)
    assert js.read_text() == '{\n  "a": [\n    1.5\n  ],\n  "b": 1\n}\n'
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == ["doc.json", "out.txt"]


def test_the_writer_gets_a_temp_file_beside_the_target(folder):
    seen = []

    def writer(tmp):
        seen.append(Path(tmp))
        Path(tmp).write_text("new")

    atomic.write_with(folder / "a.txt", writer)
    assert seen[0].parent == folder and seen[0].name.startswith(".a.txt.") and seen[0].suffix == ".tmp"
    assert not seen[0].exists() and (folder / "a.txt").read_text() == "new"


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_a_failing_writer_keeps_the_old_file_and_no_temp_file(folder, error):
    target = folder / "result.json"
    target.write_text("old")

    def writer(tmp):
        Path(tmp).write_text("half a resu")
        raise error

    with pytest.raises(type(error)):
        atomic.write_with(target, writer)
    assert target.read_text() == "old"
    assert [p.name for p in folder.iterdir()] == ["result.json"]


def test_a_failing_write_of_a_new_file_leaves_nothing(folder):
    def writer(tmp):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic.write_with(folder / "new.txt", writer)
    assert list(folder.iterdir()) == []


def test_write_json_refuses_nan_before_touching_the_file(folder):
    target = folder / "r.json"
    atomic.write_json(target, {"x": 1})
    with pytest.raises(ValueError):
        atomic.write_json(target, {"x": float("nan")})
    assert json.loads(target.read_text()) == {"x": 1}
    assert [p.name for p in folder.iterdir()] == ["r.json"]


def test_replace_dir_swaps_and_removes_the_old_copy(folder):
    dst, src = folder / "site", folder / "build"
    dst.mkdir()
    (dst / "old.html").write_text("old")
    src.mkdir()
    (src / "new.html").write_text("new")
    atomic.replace_dir(src, dst)
    assert [p.name for p in dst.iterdir()] == ["new.html"]
    assert sorted(p.name for p in folder.iterdir()) == ["site"]
    fresh = folder / "again"
    fresh.mkdir()
    (fresh / "x").write_text("x")
    (folder / ".site.old").mkdir()                                    # leftover of an interrupted swap
    atomic.replace_dir(fresh, dst)
    assert [p.name for p in dst.iterdir()] == ["x"]
    assert sorted(p.name for p in folder.iterdir()) == ["site"]
    atomic.replace_dir(dst, folder / "deeper" / "site")               # no previous copy
    assert (folder / "deeper" / "site" / "x").read_text() == "x"
