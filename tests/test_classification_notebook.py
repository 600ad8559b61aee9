"""The maintenance notebook under papermill on the quick parameters, on the real sample (the embedded default
runs in tests/test_e2e_run.py)."""

import nbformat
import pytest
import yaml

from conftest import ROOT, execute_notebook
from mlplab.experiment.schema import NOTEBOOKS

NOTEBOOK = ROOT / "analysis" / "02_classification_maintenance.ipynb"
QUICK = {"profile": "quick", **yaml.safe_load((ROOT / "params" / "quick.yml").read_text())["classification"]}
FIGURES = {"fig-clf-classes", "fig-clf-corr", "fig-clf-dist", "fig-clf-pairs", "fig-clf-lab-protocol",
           "fig-clf-rebalancing-recall", "fig-clf-search", "fig-clf-headline", "fig-clf-arch", "fig-clf-curves",
           "fig-clf-confusion", "fig-clf-confusion-train", "fig-clf-roc-pr", "fig-clf-regularization"}


def test_notebook_source_is_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "next cell" not in prose and "96.5" not in prose  # no results typed into markdown


def test_parameters_parse_validate_and_cover_the_quick_profile():
    from mlplab.classification import validate_params
    from mlplab.params import notebook_defaults

    defaults = notebook_defaults(NOTEBOOK)
    assert set(QUICK) <= set(defaults)
    assert defaults["grid_optimizer"] == ["adam", "sgd", "rmsprop"]  # the assignment's optimizers
    validate_params(defaults)
    validate_params({**defaults, **QUICK})


@pytest.mark.slow
def test_notebook_on_the_real_sample(tmp_path, monkeypatch, maintenance_sample):
    doc, _ = execute_notebook(NOTEBOOK, "classification", tmp_path, monkeypatch, FIGURES,
                              {**QUICK, "data_path": str(maintenance_sample), "max_rows": 0})
    models = doc["models"]
    assert set(NOTEBOOKS["classification"].required_models) <= set(models)
    assert {"mlp_tuned_smote", "mlp_tuned_net_noise", "mlp_baseline_noise", "mlp_searched"} <= set(models)
    assert doc["protocol"]["kind"] == "nested" and doc["protocol"]["outer_splits"] == len(QUICK["seeds"])
    assert models["documented_rules"]["role"] == "reference"
    assert models["lab_protocol"]["role"] == "leaky_reference"
    # every outer split ran its own search, on its own fit rows
    assert set(doc["extra"]["searches"]["mlp"]) == {str(i) for i in range(len(QUICK["seeds"]))}
    assert set(doc["extra"]["searches"]["hgb"]) == set(doc["extra"]["searches"]["mlp"])
    rec = doc["recommended"]
    honest = {n: m["validation"]["macro_f1"] for n, m in models.items() if m["role"] != "leaky_reference"}
    assert rec["model"] == max(honest, key=honest.get) and rec["by"] == "validation"
    assert {v["topic"] for v in doc["verdicts"]} >= {"ladder", "rebalancing", "regularization", "mlp_vs_boosting"}
    for name in ("logreg", "hgb", "mlp_tuned"):  # same decision-threshold treatment for every probabilistic model
        assert models[name]["settings"]["thresholds"] == "out-of-fold"

