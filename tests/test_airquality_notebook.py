"""Lab 4's three notebooks end to end under papermill on the quick profile (embedded real data): the taxi
chapter, the air-quality chapter, then the conclusions reading both results files."""

from __future__ import annotations

import nbformat
import papermill
import pytest
import yaml

from conftest import ROOT, execute_notebook
from mlplab.experiment.schema import NOTEBOOKS

QUICK = yaml.safe_load((ROOT / "params" / "quick.yml").read_text())
NOTEBOOK_FILES = {"taxi_anomaly": "41_taxi_anomaly.ipynb", "air_quality": "42_air_quality.ipynb",
                  "lab4_conclusions": "43_lab4_conclusions.ipynb"}
TAXI_FIGURES = {"fig-taxi-series", "fig-taxi-reconstruction", "fig-taxi-errors", "fig-taxi-curves", "fig-taxi-seeds"}
AQ_FIGURES = {"fig-aq-overview", "fig-aq-acf", "fig-aq-corr", "fig-aq-horizons", "fig-aq-levers", "fig-aq-features",
              "fig-aq-forecast", "fig-aq-curves"}


@pytest.mark.parametrize("name", list(NOTEBOOK_FILES))
def test_notebook_source_is_clean_and_its_parameters_validate(name):
    from mlplab.params import BY_NAME, notebook_defaults, _module_validate

    path = ROOT / "analysis" / NOTEBOOK_FILES[name]
    nb = nbformat.read(path, as_version=4)
    assert len([c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]) == 1
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    defaults = notebook_defaults(path)
    assert defaults["profile"] == "full" and set(QUICK[name]) <= set(defaults)
    _module_validate(BY_NAME[name], defaults)
    _module_validate(BY_NAME[name], {**defaults, **QUICK[name]})
    assert BY_NAME[name].lab == 4


@pytest.mark.slow
def test_lab4_notebooks_on_the_quick_profile(tmp_path, monkeypatch):
    from book_checks import check_notebook_tables, identifier_leaks, stderr_outputs

    taxi, figs = execute_notebook(ROOT / "analysis" / NOTEBOOK_FILES["taxi_anomaly"], "taxi_anomaly", tmp_path,
                                  monkeypatch, TAXI_FIGURES, {"profile": "quick", **QUICK["taxi_anomaly"]})
    assert identifier_leaks(tmp_path / "out.ipynb", taxi["models"]) == []  # labels, never run names
    assert set(NOTEBOOKS["taxi_anomaly"].required_models) <= set(taxi["models"])
    assert taxi["provenance"]["source"] == "embedded" and taxi["provenance"]["kind"] == "real"
    assert taxi["recommended"] is None and "no labelled validation period" in taxi["reason"]
    ae = taxi["models"]["conv_ae"]
    assert ae["seeds"]["n"] == len(QUICK["taxi_anomaly"]["seeds"]) and len(ae["windows"]) == 5
    assert ae["windows_detected"] == sum(w["detected"] for w in ae["windows"])
    assert taxi["models"]["rolling_z"]["per_seed"]["windows_detected"][0] == taxi["models"]["rolling_z"]["windows_detected"]
    variants = ("conv_ae_week", "conv_ae_narrow", "conv_ae_weekly_change")
    assert {taxi["models"][n]["role"] for n in variants} == {"variant"} and set(taxi["extra"]["variants"]) == set(variants)
    assert taxi["extra"]["reach"] == {"conv_ae": 35, "conv_ae_week": 35, "conv_ae_narrow": 47, "conv_ae_weekly_change": 35}
    assert taxi["models"]["conv_ae_narrow"]["settings"]["stride"] == 4

    aq, _ = execute_notebook(ROOT / "analysis" / NOTEBOOK_FILES["air_quality"], "air_quality", tmp_path, monkeypatch,
                             AQ_FIGURES, {"profile": "quick", **QUICK["air_quality"]})
    assert identifier_leaks(tmp_path / "out.ipynb", [*aq["models"], *aq["extra"]["search"]["validation_r2_mean"]]) == []
    assert {"lstm_lr_high", "lstm_bidirectional", "lstm_deep", "gru"} <= set(aq["models"])
    assert not any(n.startswith("search_") for n in aq["models"])
    assert aq["provenance"]["kind"] == "subset"  # the quick profile reads the first hours only
    for entry in aq["models"].values():
        assert set(entry["horizons"]) == {"1", "6", "24"} and len(entry["horizons"]["1"]["r2"]) == 12
    assert aq["recommended"]["by"] == "validation" and aq["extra"]["search"]["winner"]
    ens = aq["extra"]["ensemble"]
    assert ens["size"] == QUICK["air_quality"]["ensemble"] and {"lstm_single", "lstm_ensemble"} <= set(aq["models"])
    assert ens["chosen"] == max(ens["validation_r2_mean"], key=ens["validation_r2_mean"].get)
    chosen = aq["models"][ens["chosen"]]["per_split"]["test"]["r2_mean"]
    assert aq["models"]["lstm_tuned"]["per_split"]["test"]["r2_mean"] == chosen
    assert aq["best_params"]["lstm_tuned"]["members"] == ens["members"]
    assert {v["metric"] for v in aq["verdicts"]} >= {"r2_1h", "r2_6h", "r2_24h", "r2_mean"}

    out = tmp_path / "conclusions.ipynb"
    papermill.execute_notebook(str(ROOT / "analysis" / NOTEBOOK_FILES["lab4_conclusions"]), str(out),
                               parameters={"profile": "quick", "results_dir": str(tmp_path / "results")},
                               cwd=str(tmp_path), progress_bar=False, kernel_name="python3")
    assert stderr_outputs(out) == [] and check_notebook_tables(out) == []
    assert identifier_leaks(out, [*taxi["models"], *aq["models"]]) == []
    text = "".join(o.get("data", {}).get("text/markdown", "") for c in nbformat.read(out, as_version=4).cells
                   for o in c.get("outputs", []))
    assert "#tbl-lab4-detection" in text and "#fig-lab4-levers" in text and "For forecasting" in text
