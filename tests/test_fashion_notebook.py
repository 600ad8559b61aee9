"""Lab 3's notebooks under papermill on the quick profile, as `mlplab run` runs them: the Fashion-MNIST chapter
and the depth chapter on the embedded subset (offline), then the conclusions from their two results files."""

from __future__ import annotations

import json

import nbformat
import papermill
import pytest
import yaml

from conftest import ROOT, execute_notebook
from mlplab.experiment.schema import NOTEBOOKS

QUICK = yaml.safe_load((ROOT / "params" / "quick.yml").read_text())
NB31, NB32, NB33 = (ROOT / "analysis" / n for n in ("31_fashion_mnist.ipynb", "32_depth.ipynb", "33_lab3_conclusions.ipynb"))
FIG31 = {f"fig-fashion-{n}" for n in ("samples", "symmetry", "source-curves", "search", "augment", "cnn", "curves",
                                      "scores", "per-class", "confusion", "roc-pr", "misclassified", "reg-curves")}
FIG32 = {f"fig-depth-{n}" for n in ("grad", "loss", "curves", "cost")}


@pytest.mark.parametrize("path, module", [(NB31, "mlplab.fashion"), (NB32, "mlplab.depth"),
                                          (NB33, "mlplab.conclusions.lab3")])
def test_notebook_sources_are_clean_and_their_parameters_validate(path, module):
    import importlib

    from mlplab.params import BY_NAME, notebook_defaults

    nb = nbformat.read(path, as_version=4)
    assert len([c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]) == 1
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "next cell" not in prose and "%" not in prose.replace("95 %", "")  # no results typed into the prose
    name = next(s.name for s in BY_NAME.values() if s.source == path.name)
    defaults = notebook_defaults(path)
    assert set(QUICK[name]) <= set(defaults)
    check = importlib.import_module(module).validate_params
    check(defaults)
    check({**defaults, **QUICK[name]})
    # every figure and table the markdown cites is produced by the notebook's code
    code = " ".join(c.source for c in nb.cells if c.cell_type == "code")
    for ref in {w.strip(".,;:()") for w in prose.split() if w.startswith("@fig-") or w.startswith("@tbl-")}:
        assert f'"{ref[1:]}"' in code, ref


@pytest.mark.slow
def test_lab3_notebooks_on_the_quick_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("MLPLAB_OFFLINE", "1")
    fashion, figs = execute_notebook(NB31, "fashion_mnist", tmp_path, monkeypatch, FIG31,
                                     {"profile": "quick", **QUICK["fashion_mnist"], "tracking": "tensorboard"})
    # tracked: every final fit of a net, its per-epoch curves and final scores (read back from the event files)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    (tuned_dir,) = [d for d in (tmp_path / "runs" / "fashion_mnist").glob("*/*") if d.name.startswith("cnn_tuned_split_1")]
    acc = EventAccumulator(str(tuned_dir))
    acc.Reload()
    assert acc.Scalars("final_test_accuracy")[0].value == pytest.approx(
        fashion["models"]["cnn_tuned"]["per_split"]["test"]["accuracy"][1], rel=1e-6)
    assert len(acc.Scalars("Loss/train_loss")) == fashion["models"]["cnn_tuned"]["settings"]["epochs"]
    assert fashion["extra"]["tracking"]["backend"] == "tensorboard"
    assert set(NOTEBOOKS["fashion_mnist"].required_models) <= set(fashion["models"])
    assert {f"cnn_tuned_{r}" for r in ("plain", "dropout", "l2", "batchnorm", "augment")} <= set(fashion["models"])
    assert fashion["provenance"]["source"] == "embedded" and fashion["provenance"]["kind"] == "subset"
    tuned = fashion["models"]["cnn_tuned"]
    assert tuned["seeds"]["n"] == len(QUICK["fashion_mnist"]["seeds"]) and tuned["role"] == "tuned"
    assert all("tta_flip" in c for c in tuned["chosen"])  # flip averaging decided on validation, per seed
    assert fashion["recommended"]["by"] == "validation"
    assert fashion["recommended"]["model"] == max(("logreg", "mlp", "cnn_source", "cnn_tuned"),
                                                  key=lambda n: fashion["models"][n]["validation"]["accuracy"])
    assert {"searches", "epochs", "goal", "per_class", "confusions", "flip_asymmetry"} <= set(fashion["extra"])
    assert fashion["extra"]["epochs"]["chosen"] in QUICK["fashion_mnist"]["tuned_epochs"]
    assert {v["topic"] for v in fashion["verdicts"]} == {"headline", "regularization", "ladder"}
    ladder = fashion["extra"]["ladder"]
    assert ladder[0]["name"] == "ladder_source" and len(ladder) >= 3 and all(r["name"] in fashion["models"] for r in ladder)

    depth, _ = execute_notebook(NB32, "depth", tmp_path, monkeypatch, FIG32, {"profile": "quick", **QUICK["depth"]})
    assert set(NOTEBOOKS["depth"].required_models) <= set(depth["models"])
    assert depth["recommended"] is None and "study" in depth["reason"]
    for name in ("plain_deep", "residual_deep"):
        m = depth["models"][name]
        assert len(m["grad_norms"]["init"]) == len(m["grad_norms"]["trained"]) == len(m["layers"])
        assert m["conv_layers"] >= 20
    plain = depth["models"]["plain_deep"]["grad_norms"]["init"]
    assert plain[0] < plain[-2] / 1e3  # vanishing at initialization: first conv layer far below the last
    assert len(depth["extra"]["claims"]) >= 5

    out = tmp_path / "conclusions.ipynb"
    papermill.execute_notebook(str(NB33), str(out), parameters={"profile": "quick"}, cwd=str(tmp_path),
                               progress_bar=False, kernel_name="python3")
    from book_checks import check_notebook_tables, stderr_outputs

    assert stderr_outputs(out) == [] and check_notebook_tables(out) == []
    text = json.dumps([o.get("data", {}).get("text/markdown", "") for c in nbformat.read(out, as_version=4).cells
                       for o in c.get("outputs", [])])
    rec = fashion["models"][fashion["recommended"]["model"]]["label"]
    assert f"use {rec}" in text and "tbl-lab3-claims" in text


@pytest.mark.parametrize("override, words", [
    ("fashion_mnist.grid_augment=[rotate]", "fashion_mnist parameter grid_augment=['rotate']"),
    ("fashion_mnist.grid_epochs=[6, 2]", "grid_epochs"),
    ("depth.deep_blocks=2", "depth parameter deep_blocks=2: expected at least 4"),
    ("fashion_mnist.data_path=no/such/folder", "no/such/folder: file not found"),
])
def test_bad_parameters_stop_the_run_with_one_line(capsys, monkeypatch, override, words):
    from mlplab.cli import main

    monkeypatch.chdir(ROOT)
    notebook = override.split(".")[0]
    assert main(["run", "--profile", "quick", "--only", notebook, "--set", override]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and words in err
