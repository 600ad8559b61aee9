"""Lab 2's three notebooks on the quick profile, in one project folder: California (tracked with
TensorBoard), wildfire (tracked with MLflow, two worker processes writing one SQLite store at once)
and the conclusions that read both results files. The tracked runs are read back and must hold the
numbers of the results files."""

from __future__ import annotations

import nbformat
import pytest
import yaml

from conftest import ROOT, execute_notebook
from mlplab.experiment.schema import NOTEBOOKS

ANALYSIS = ROOT / "analysis"
QUICK = yaml.safe_load((ROOT / "params" / "quick.yml").read_text())
FILES = {"california": "21_california.ipynb", "wildfire": "22_wildfire.ipynb", "lab2_comparison": "23_lab2_conclusions.ipynb"}
FIGURES = {
    "california": {"fig-cal-target", "fig-cal-dist", "fig-cal-map", "fig-cal-corr", "fig-cal-search", "fig-cal-models",
                   "fig-cal-arch", "fig-cal-curves", "fig-cal-curves-source", "fig-cal-residuals", "fig-cal-residual-map",
                   "fig-cal-deciles", "fig-cal-reg-curves"},
    "wildfire": {"fig-fire-classes", "fig-fire-season", "fig-fire-features", "fig-fire-corr", "fig-fire-models",
                 "fig-fire-sets", "fig-fire-arch", "fig-fire-curves", "fig-fire-confusion", "fig-fire-roc-pr",
                 "fig-fire-contrast"},
    "lab2_comparison": {"fig-lab2-mlp"},
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Run the three notebooks once; return ({name: results document or None}, project folder)."""
    root = tmp_path_factory.mktemp("lab2")
    empty = tmp_path_factory.mktemp("empty")
    docs = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLPLAB_DATA_DIR", str(empty))        # the embedded real copies, never a developer's files
        mp.setenv("SCIKIT_LEARN_DATA", str(empty))      # no scikit-learn cache outside the repository
        mp.setenv("MLPLAB_OFFLINE", "1")
        mp.setenv("OMP_NUM_THREADS", "1")               # one OpenMP thread per process, as in the fan-out's workers
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        for name, tracking in (("california", "tensorboard"), ("wildfire", "mlflow")):
            params = {"profile": "quick", **QUICK[name], "tracking": tracking}
            folder = root / name
            folder.mkdir()
            docs[name], _ = execute_notebook(ANALYSIS / FILES[name], name, folder, mp, FIGURES[name], params)
        conc = root / "conclusions"
        conc.mkdir()
        results = conc / "results"
        results.mkdir()
        for name in ("california", "wildfire"):
            (results / f"{name}.json").write_bytes((root / name / "results" / f"{name}.json").read_bytes())
        mp.setenv("MLPLAB_ROOT", str(conc))
        mp.setenv("MLPLAB_REPORT_DIR", str(conc / "report"))
        mp.setenv("MLPLAB_RESULTS_DIR", str(results))
        import papermill

        out = conc / "out.ipynb"
        papermill.execute_notebook(str(ANALYSIS / FILES["lab2_comparison"]), str(out),
                                   parameters={"profile": "quick", "results_dir": str(results)}, cwd=str(conc),
                                   progress_bar=False, kernel_name="python3")
    return docs, root


def test_sources_are_clean_and_parameters_validate():
    from mlplab.california import validate_params as vc
    from mlplab.params import notebook_defaults
    from mlplab.wildfire import validate_params as vw

    for name, file in FILES.items():
        nb = nbformat.read(ANALYSIS / file, as_version=4)
        assert len([c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]) == 1
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
        defaults = notebook_defaults(ANALYSIS / file)
        assert set(QUICK[name]) <= set(defaults)
    vc({**notebook_defaults(ANALYSIS / FILES["california"]), **QUICK["california"]})
    vw({**notebook_defaults(ANALYSIS / FILES["wildfire"]), **QUICK["wildfire"]})


def test_bad_parameters_are_one_line_errors():
    from mlplab.california import validate_params as vc
    from mlplab.errors import UserError
    from mlplab.wildfire import validate_params as vw

    with pytest.raises(UserError, match="california parameter grid_encoding"):
        vc({"grid_encoding": ["periodic"]})
    with pytest.raises(UserError, match="wildfire parameter tracking='comet'"):
        vw({"tracking": "comet"})
    with pytest.raises(UserError, match="wildfire parameter folds=2: expected an integer >= 3"):
        vw({"folds": 2})


@pytest.mark.slow
def test_california_results(project):
    docs, _ = project
    doc = docs["california"]
    models = doc["models"]
    assert set(NOTEBOOKS["california"].required_models) <= set(models)
    assert {"mlp_tuned_plain", "mlp_tuned_dropout", "mlp_tuned_l2", "mlp_tuned_batchnorm", "mlp_tuned_noise",
            "mlp_tuned_early_stopping", "mlp_tuned_es_reference"} <= set(models)
    assert doc["provenance"]["source"] == "embedded" and doc["provenance"]["kind"] == "subset"
    assert doc["protocol"]["kind"] == "nested" and doc["protocol"]["outer_splits"] == 3
    assert set(doc["extra"]["search"]["mlp"]) == set(doc["extra"]["search"]["hgb"]) == {"0", "1", "2"}
    budget = doc["extra"]["search"]["budget"]
    assert budget["mlp"]["candidates"] == budget["hgb"]["candidates"] and budget["mlp"]["rounds"] == [
        [r[0], r[1]] for r in budget["mlp"]["rounds"]]
    rec = doc["recommended"]
    best = min(models, key=lambda n: models[n]["validation"]["rmse"])
    assert rec["model"] == best and rec["by"] == "validation"
    goal = doc["extra"]["goal"]
    assert goal["met"] == (goal["mlp_mean"] <= 0.48) and goal["per_split"] == models["mlp_tuned"]["per_split"]["test"]["rmse"]
    for m in models.values():   # every prediction clipped to the training range: no RMSE above the mean's by chance
        assert m["test"]["rmse"] > 0


@pytest.mark.slow
def test_wildfire_results(project):
    docs, _ = project
    doc = docs["wildfire"]
    models = doc["models"]
    assert set(NOTEBOOKS["wildfire"].required_models) <= set(models)
    assert {"mlp_tuned_weather", "hgb_weather", "logreg_weather", "threshold_rule_weather"} <= set(models)
    assert models["mlp_source_random"]["role"] == "leaky_reference" and doc["recommended"]["model"] != "mlp_source_random"
    assert doc["provenance"]["source"] == "embedded" and doc["provenance"]["kind"] == "real"
    assert doc["extra"]["data"]["class_counts"] == {"not fire": 106, "fire": 138}
    assert {v["topic"] for v in doc["verdicts"]} >= {"headline", "weather only", "feature sets"}
    for name in ("logreg", "hgb", "mlp_source", "mlp_tuned"):
        assert models[name]["settings"]["thresholds"] == "day-grouped out-of-fold"
    assert len(doc["extra"]["thresholds"]["mlp_tuned"]) == doc["protocol"]["outer_splits"]


@pytest.mark.slow
def test_mlflow_runs_hold_the_wildfire_results(project):
    from mlflow.tracking import MlflowClient

    docs, root = project
    doc = docs["wildfire"]
    info = doc["extra"]["tracking"]
    assert info["backend"] == "mlflow" and info["location"] == "sqlite:///mlruns/mlflow.db"
    client = MlflowClient(f"sqlite:///{root / 'wildfire' / 'mlruns' / 'mlflow.db'}")
    exp = client.get_experiment_by_name("mlplab-wildfire")
    fits = client.search_runs([exp.experiment_id], f"tags.`mlplab.group` = '{info['group']}' and tags.`mlplab.kind` = 'fit'")
    nets = [n for n in doc["models"] if n.startswith("mlp_")]
    assert len(fits) == sum(doc["models"][n]["seeds"]["n"] for n in nets)   # every net's final fit, once
    for r in fits:
        name, split = r.data.params["model"], int(r.data.params["split"])
        assert r.data.metrics["final_test_macro_f1"] == pytest.approx(doc["models"][name]["per_split"]["test"]["macro_f1"][split])
    summary = client.search_runs([exp.experiment_id], f"tags.`mlplab.kind` = 'summary'")
    assert len(summary) == 1
    figures = {a.path.split("/")[-1] for a in client.list_artifacts(summary[0].info.run_id, "figures")}
    assert {f"{f}.png" for f in FIGURES["wildfire"]} <= figures


@pytest.mark.slow
def test_tensorboard_events_hold_the_california_results(project):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    docs, root = project
    doc = docs["california"]
    info = doc["extra"]["tracking"]
    folder = root / "california" / info["location"]
    runs = [p for p in folder.iterdir() if p.is_dir() and "_split_" in p.name and "search" not in p.name]
    members = lambda m: sum(c.get("ensemble_members", 1) for c in m.get("chosen") or [{}] * m["seeds"]["n"])  # noqa: E731
    assert len(runs) == sum(members(m) for n, m in doc["models"].items() if n.startswith("mlp_"))  # one per fitted net
    for d in runs:
        name, rest = d.name.split("_split_")
        acc = EventAccumulator(str(d))
        acc.Reload()
        split = int(rest.split("-")[0])
        expected = doc["models"][name]["per_split"]["test"]["rmse"][split]
        assert acc.Scalars("final_test_rmse")[0].value == pytest.approx(expected, rel=1e-6)


@pytest.mark.slow
def test_conclusions_chapter(project):
    _, root = project
    nb = nbformat.read(root / "conclusions" / "out.ipynb", as_version=4)
    text = "\n".join(o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                     if o.get("output_type") == "display_data" and "text/markdown" in o.get("data", {}))
    assert "#tbl-lab2-recommended" in text and "#fig-lab2-mlp" in text and "#tbl-lab2-helped" in text
    assert "California Housing (regression)" in text and "Algerian forest fires (classification)" in text
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert (root / "conclusions" / "report" / "figures" / "lab2_comparison" / "fig-lab2-mlp.png").is_file()


def test_tables_and_sentences_name_models_by_label(project):
    """No run name (`mlp_tuned`, `hgb`, ...) in a table cell or a sentence of the executed chapters."""
    from book_checks import identifier_leaks

    docs, root = project
    names = {n for d in docs.values() for n in d["models"]}
    for name in docs:
        assert identifier_leaks(root / name / "out.ipynb", docs[name]["models"]) == [], name
    assert identifier_leaks(root / "conclusions" / "out.ipynb", names) == []
