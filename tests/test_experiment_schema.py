"""The results contract (mlplab.experiment.schema): valid documents per notebook, every breach reported,
atomic writes, one-line read errors, plain JSON values."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from mlplab.experiment import document, schema
from mlplab.experiment.protocol import Protocol
from mlplab.experiment.record import Run, SplitResult
from mlplab.experiment.schema import NOTEBOOKS, ResultsError, jsonable, read_results, validate, write_results
from mlplab.experiment.select import recommend
from mlplab.experiment.verdict import compare_runs, record

PROVENANCE = {"source": "embedded", "kind": "synthetic", "path": "embedded:test", "rows": 10, "sha256": "0" * 64}


@pytest.fixture
def project(tmp_path, monkeypatch):
    for var in ("MLPLAB_ROOT", "MLPLAB_REPORT_DIR", "MLPLAB_RESULTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "analysis").mkdir()
    (tmp_path / "params").mkdir()
    return tmp_path


def runs_for(notebook: str) -> dict[str, Run]:
    spec = NOTEBOOKS[notebook]
    metrics = spec.metrics or ("accuracy",)
    runs = {}
    # a notebook with one entry per model and label budget names its entries <model>_k<k> (schema `families`)
    names = list(spec.required_models) + [f"{f}_k10" for f in spec.families]
    for i, name in enumerate(names):
        role = "leaky_reference" if name == "lab_protocol" else "tuned" if name.endswith("_tuned") else "baseline"
        splits = []
        for s in range(3):
            values = {m: 0.5 + 0.01 * i + 0.001 * s for m in metrics}
            splits.append(SplitResult(s, s, dict(values), {} if role == "leaky_reference" else dict(values),
                                      dict(values)))
        info = {k: 0 for k in spec.model_keys}
        if spec.families:
            info["model"] = name.rsplit("_k", 1)[0]
        runs[name] = Run(name, role, name.replace("_", " "), splits=splits, info=info)
    return runs


def build_doc(notebook: str) -> dict:
    runs = runs_for(notebook)
    spec = NOTEBOOKS[notebook]
    metric = (spec.metrics or ("accuracy",))[0]
    names = [n for n, r in runs.items() if r.role != "leaky_reference"]
    verdict = compare_runs(runs[names[-1]], runs[names[0]], metric, higher_is_better=True, test_train_ratio=0.25)
    return document.build(
        notebook, profile="quick", params={"seeds": [0, 1, 2]}, provenance=dict(PROVENANCE),
        protocol=Protocol("nested", 3, "grid search on each split's fit rows", seeds=(0, 1, 2)),
        timings={"total": 1.5}, runs=runs, best_params={"lr": 0.01},
        recommended=recommend(runs.values(), metric, higher_is_better=True),
        verdicts=[record("tuning", names[-1], names[0], metric, verdict)])


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_a_minimal_document_of_every_notebook_validates(notebook):
    doc = schema.stamp(build_doc(notebook))
    assert validate(doc) == []
    assert doc["lab"] == NOTEBOOKS[notebook].lab and doc["created"]
    assert doc["recommended"]["by"] == "validation"
    if "lab_protocol" in doc["models"]:      # the leaky reference has no validation scores, and need not
        assert doc["models"]["lab_protocol"]["validation"] == {}
    json.dumps(doc, allow_nan=False)


def test_a_study_without_selection_needs_a_reason():
    doc = build_doc("depth")
    doc["recommended"] = None
    assert validate(doc) == ["recommended is null without a 'reason'"]
    doc["reason"] = "a study of depth: nothing is selected"
    assert validate(doc) == []
    built = document.build("depth", profile="quick", params={}, provenance=PROVENANCE,
                           protocol=Protocol("holdout", 1, "none"), timings={"total": 1}, runs=runs_for("depth"),
                           best_params={}, recommended=None)
    assert built["reason"] == "no model was scored on validation rows" and validate(built) == []


def breach(mutate, notebook="regression"):
    doc = copy.deepcopy(schema.stamp(build_doc(notebook)))
    mutate(doc)
    return validate(doc)


def _set(path, value):
    def mutate(doc):
        *head, last = path
        target = doc
        for key in head:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return mutate


@pytest.mark.parametrize("mutate, message", [
    (_set(["protocol"], KeyError), "missing key 'protocol'"),
    (_set(["recommended"], KeyError), "missing key 'recommended'"),
    (_set(["notebook"], "nope"), "unknown notebook 'nope'"),
    (_set(["provenance", "source"], "ftp"), "provenance.source 'ftp' not one of file, kagglehub, embedded, sklearn"),
    (_set(["provenance", "kind"], "made up"), "provenance.kind 'made up' not one of real, subset, synthetic"),
    (_set(["provenance", "sha256"], KeyError), "provenance missing 'sha256'"),
    (_set(["provenance", "path"], "/home/me/data.csv"), "provenance.path is absolute"),
    (_set(["protocol", "kind"], "random"), "protocol.kind must be one of nested, holdout"),
    (_set(["protocol", "outer_splits"], 0), "protocol.outer_splits must be an integer >= 1"),
    (_set(["protocol", "outer_splits"], "3"), "protocol.outer_splits must be an integer >= 1"),
    (_set(["protocol", "selection"], ""), "protocol.selection must say what chose the hyperparameters"),
    (_set(["timings_s", "total"], KeyError), "timings_s missing 'total'"),
    (_set(["models", "mlp_tuned"], KeyError), "models missing 'mlp_tuned'"),
    (_set(["models", "naive", "role"], "oracle"), "models.naive: role 'oracle' not one of"),
    (_set(["models", "naive", "label"], ""), "models.naive: no label"),
    (_set(["models", "naive", "test", "rmse"], KeyError), "models.naive: test missing ['rmse']"),
    (_set(["models", "naive", "seeds", "n"], 0), "models.naive: seeds.n must be an integer >= 1"),
    (_set(["models", "naive", "validation"], KeyError), "models.naive: validation missing"),
    (_set(["recommended", "model"], "lab_protocol"), "recommended.model 'lab_protocol' is a leaky reference"),
    (_set(["recommended", "model"], "ghost"), "recommended.model 'ghost' is not among the models"),
    (_set(["recommended", "by"], "test"), "recommended must be {model, by: 'validation', metric} or null"),
    (_set(["recommended", "metric"], "smape"), "has no validation 'smape'"),
    (_set(["recommended"], None), "recommended is null without a 'reason'"),
    (_set(["verdicts", 0, "word"], "tied"), "verdicts[0].word 'tied' not one of better, worse, on a par, undecided, too few runs"),
    (_set(["verdicts", 0, "b"], "ghost"), "verdicts[0].b 'ghost' is not among the models"),
])
def test_each_breach_is_reported(mutate, message):
    problems = breach(mutate)
    assert any(message in p for p in problems), problems


def test_recommended_without_validation_scores_is_refused():
    def mutate(doc):
        doc["models"]["naive"]["validation"] = {}
        doc["recommended"]["model"] = "naive"
    assert breach(mutate) == ["recommended.model 'naive' has no validation 'rmse'"]


def test_notebook_specific_model_keys_are_required():
    assert breach(_set(["models", "conv_ae", "windows"], KeyError), "taxi_anomaly") == [
        "models.conv_ae: missing ['windows']"]


def test_every_model_family_of_a_budgeted_notebook_is_required():
    def drop(doc):
        del doc["models"]["lite0_features_k10"]
    assert breach(drop, "transfer") == ["no model entry of 'lite0_features' (an entry whose 'model' is "
                                        "'lite0_features')"]


@pytest.mark.parametrize("key, value, message", [
    ("provenance", None, "provenance must be an object"), ("timings_s", [], "timings_s must be an object"),
    ("models", ["naive"], "models must be an object"), ("protocol", "nested", "protocol.kind must be one of"),
    ("verdicts", ["x"], "verdicts must be a list of objects"), ("notebook", ["regression"], "unknown notebook")])
def test_wrong_types_are_reported_not_raised(key, value, message):
    problems = breach(_set([key], value))
    assert any(p.startswith(message) for p in problems), problems
    assert validate([1, 2]) == ["not a JSON object"]


def test_a_file_with_wrong_types_is_a_results_error(project):
    doc = schema.stamp(build_doc("classification"))
    doc["provenance"] = None
    results = project / "report" / "_results"
    results.mkdir(parents=True)
    (results / "classification.json").write_text(json.dumps(doc))
    assert "breaks the results contract: provenance must be an object" in read_error("classification", project)


def test_write_results_round_trips_and_refuses_an_invalid_document(project):
    path = write_results(build_doc("regression"), root=project)
    assert path == project / "report" / "_results" / "regression.json"
    before = path.read_bytes()
    doc = read_results("regression", root=project)
    assert doc["models"]["mlp_tuned"]["role"] == "tuned" and doc["protocol"]["kind"] == "nested"
    bad = build_doc("regression")
    bad["provenance"]["kind"] = "guess"
    with pytest.raises(ValueError, match=r"results document 'regression' invalid: provenance.kind 'guess'"):
        write_results(bad, root=project)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["regression.json"]   # no temp file left behind


def test_write_results_is_atomic_when_the_write_fails(project, monkeypatch):
    path = write_results(build_doc("regression"), root=project)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", broken)
    with pytest.raises(OSError, match="disk full"):
        write_results(build_doc("regression"), root=project)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["regression.json"]


def read_error(name, root):
    with pytest.raises(ResultsError) as err:
        read_results(name, root=root)
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def test_read_errors_name_the_file_and_what_to_do(project):
    results = project / "report" / "_results"
    assert read_error("regression", project) == (
        "report/_results/regression.json: no results yet; run `mlplab run --only regression`")
    results.mkdir(parents=True)
    (results / "regression.json").write_text('{"notebook": "regression",\n "models": ')
    msg = read_error("regression", project)
    assert msg.startswith("report/_results/regression.json: not valid JSON (line 2")
    assert msg.endswith("run `mlplab run --only regression --force` to rebuild it")
    doc = schema.stamp(build_doc("regression"))
    del doc["protocol"]
    doc["provenance"]["kind"] = "guess"
    (results / "regression.json").write_text(json.dumps(doc))
    assert read_error("regression", project) == (
        "report/_results/regression.json: breaks the results contract: missing key 'protocol'; "
        "run `mlplab run --only regression --force` to rebuild it")
    doc["protocol"] = {"kind": "nested", "outer_splits": 3, "selection": "x"}
    (results / "regression.json").write_text(json.dumps(doc))
    msg = read_error("regression", project)
    assert "breaks the results contract: provenance.kind 'guess'" in msg and "(and" not in msg
    doc["timings_s"] = {}
    (results / "regression.json").write_text(json.dumps(doc))
    assert "(and 1 more)" in read_error("regression", project)
    write_results(build_doc("classification"), root=project)
    (results / "classification.json").rename(results / "regression.json")
    assert read_error("regression", project) == (
        "report/_results/regression.json: holds the results of 'classification', not 'regression'; "
        "run `mlplab run --only regression --force` to rebuild it")


def test_results_dir_override_is_shown_by_file_name(project, tmp_path_factory, monkeypatch):
    elsewhere = tmp_path_factory.mktemp("staging")
    monkeypatch.setenv("MLPLAB_RESULTS_DIR", str(elsewhere))
    assert write_results(build_doc("regression"), root=project) == elsewhere / "regression.json"
    assert read_error("classification", project).startswith("classification.json: no results yet")


def test_jsonable_gives_plain_json():
    class WithDict:
        def to_dict(self):
            return {"x": np.float32(0.5)}

    value = {"i": np.int64(3), "f": np.float32(0.25), "b": np.bool_(True), "nan": float("nan"),
             "npnan": np.float64("nan"), "inf": np.inf, "arr": np.array([[1, 2], [3, 4]]),
             "farr": np.array([1.5, np.nan]), "t": (1, np.int8(2)), 7: "int key", "p": Path("a/b.csv"),
             "obj": WithDict(), "other": {1, 2} and frozenset(), "none": None, "s": "text"}
    out = jsonable(value)
    assert out == {"i": 3, "f": 0.25, "b": True, "nan": None, "npnan": None, "inf": None, "arr": [[1, 2], [3, 4]],
                   "farr": [1.5, None], "t": [1, 2], "7": "int key", "p": "a/b.csv", "obj": {"x": 0.5},
                   "other": "frozenset()", "none": None, "s": "text"}
    assert type(out["i"]) is int and type(out["f"]) is float and type(out["b"]) is bool
    json.dumps(out, allow_nan=False)
