"""The regression notebook end to end under papermill on the quick parameters, for each data source."""


import nbformat
import yaml
import pytest

from conftest import ROOT, execute_notebook
from mlplab.results import REQUIRED_MODELS

NOTEBOOK = ROOT / "analysis" / "01_regression_nyse.ipynb"
QUICK = {"profile": "quick", **yaml.safe_load((ROOT / "params" / "quick.yml").read_text())["regression"]}
FIGURES = {"fig-reg-corr", "fig-reg-hist", "fig-reg-box", "fig-reg-trends", "fig-reg-volume-price", "fig-reg-coverage",
           "fig-reg-formulation", "fig-reg-search", "fig-reg-curves", "fig-reg-regularization", "fig-reg-pred-actual",
           "fig-reg-residuals", "fig-reg-error-symbol", "fig-reg-models"}


def test_notebook_source_is_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def test_parameters_parse_validate_and_cover_the_quick_profile():
    from mlplab.params import notebook_defaults
    from mlplab.regression import validate_params

    defaults = notebook_defaults(NOTEBOOK)
    assert set(QUICK) <= set(defaults)
    assert defaults["profile"] == "full" and defaults["seeds"] == [0, 1, 2, 3, 4] and defaults["n_jobs"] == 2
    validate_params(defaults)
    validate_params({**defaults, **QUICK})


def _run(tmp_path, monkeypatch, **params):
    doc, figures = execute_notebook(NOTEBOOK, "regression", tmp_path, monkeypatch, FIGURES, {**QUICK, **params})
    assert set(REQUIRED_MODELS["regression"]) | {"ols_return", "mlp_tuned_dropout", "mlp_tuned_l2", "mlp_tuned_batchnorm",
                                                 "mlp_tuned_early_stopping", "mlp_tuned_all_reg"} <= set(doc["models"])
    assert doc["models"]["mlp_tuned"]["seeds"]["n"] == 3
    assert len(doc["extra"]["quality_bar"]["ratio_vs_ols"]) == 3
    return doc, figures


@pytest.mark.slow
def test_notebook_on_the_real_sample(tmp_path, monkeypatch, nyse_sample):
    doc, figures = _run(tmp_path, monkeypatch, data_path=str(nyse_sample))
    assert doc["provenance"]["source"] == "file" and doc["provenance"]["rows"] == 7048
    assert "fig-reg-sectors" in figures  # securities.csv sits next to the sample
    # the scale-free MLP beats OLS on raw prices on every seed (real data, chronological split)
    assert max(doc["extra"]["quality_bar"]["ratio_vs_ols"]) < 1.0


@pytest.mark.slow
def test_notebook_on_the_embedded_default(tmp_path, monkeypatch):
    doc, figures = _run(tmp_path, monkeypatch)
    assert doc["provenance"]["source"] == "embedded" and doc["extra"]["synthetic"] is True
    assert "fig-reg-sectors" not in figures  # synthetic symbols have no sector
