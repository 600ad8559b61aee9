"""The NYSE notebook under papermill on the quick parameters, on the real sample (the embedded default runs
in tests/test_e2e_run.py)."""

import nbformat
import pytest
import yaml

from conftest import ROOT, execute_notebook
from mlplab.experiment.schema import NOTEBOOKS

NOTEBOOK = ROOT / "analysis" / "01_regression_nyse.ipynb"
QUICK = {"profile": "quick", **yaml.safe_load((ROOT / "params" / "quick.yml").read_text())["regression"]}
FIGURES = {"fig-reg-coverage", "fig-reg-corr", "fig-reg-hist", "fig-reg-box", "fig-reg-trends", "fig-reg-search",
           "fig-reg-curves",
           "fig-reg-regularization", "fig-reg-arch", "fig-reg-models", "fig-reg-pred-actual", "fig-reg-residuals",
           "fig-reg-error-symbol"}
REGULARIZED = {"mlp_tuned_dropout", "mlp_tuned_l2", "mlp_tuned_batchnorm", "mlp_tuned_noise",
               "mlp_tuned_early_stopping", "mlp_tuned_es_reference"}


def test_notebook_source_is_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "next cell" not in prose  # the PDF hides the code


def test_parameters_parse_validate_and_cover_the_quick_profile():
    from mlplab.params import notebook_defaults
    from mlplab.regression import validate_params

    defaults = notebook_defaults(NOTEBOOK)
    assert set(QUICK) <= set(defaults)
    assert defaults["profile"] == "full" and defaults["seeds"] == [0, 1, 2, 3, 4] and defaults["n_jobs"] == 2
    validate_params(defaults)
    validate_params({**defaults, **QUICK})


@pytest.mark.slow
def test_notebook_on_the_real_sample(tmp_path, monkeypatch, nyse_sample):
    doc, figures = execute_notebook(NOTEBOOK, "regression", tmp_path, monkeypatch, FIGURES | {"fig-reg-sectors"},
                                    {**QUICK, "data_path": str(nyse_sample), "tracking": "tensorboard"})
    models = doc["models"]
    assert set(NOTEBOOKS["regression"].required_models) | REGULARIZED <= set(models)
    assert doc["provenance"]["source"] == "file" and doc["provenance"]["kind"] == "subset"
    assert doc["provenance"]["rows"] == 3024 and not doc["provenance"]["path"].startswith("/")
    assert doc["protocol"]["kind"] == "holdout" and doc["protocol"]["seeds"] == QUICK["seeds"]
    assert models["mlp_tuned"]["seeds"]["n"] == len(QUICK["seeds"]) and models["mlp_tuned"]["role"] == "tuned"
    assert models["lab_protocol"]["role"] == "leaky_reference" and models["lab_protocol"]["validation"] == {}
    roles = {n: m["role"] for n, m in models.items()}
    assert {roles[n] for n in ("naive", "ols", "ols_return", "mlp_baseline")} == {"baseline"}
    # the recommendation is the best validation RMSE among the non-leaky models
    rec = doc["recommended"]
    honest = {n: m["validation"]["rmse"] for n, m in models.items() if m["role"] != "leaky_reference"}
    assert rec["by"] == "validation" and rec["model"] == min(honest, key=honest.get)
    assert {v["topic"] for v in doc["verdicts"]} >= {"regularization", "tuning", "formulation"}
    # on real prices the scale-free least squares beats least squares on prices (the formulation matters)
    assert models["ols_return"]["seeds"]["mean"]["rmse"] < models["ols"]["seeds"]["mean"]["rmse"]

    # tracking: one TensorBoard run per final network fit (every seed of every MLP), under the project
    nets = [n for n, m in models.items() if n.startswith("mlp_") or n == "lab_protocol"]
    events = list((tmp_path / "runs" / "regression").rglob("events.out.tfevents.*"))
    assert len({e.parent for e in events}) >= sum(models[n]["seeds"]["n"] for n in nets)
    assert doc["extra"]["tracking"]["backend"] == "tensorboard"
