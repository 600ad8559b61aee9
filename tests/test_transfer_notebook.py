"""The transfer chapter under papermill on the quick profile, as `mlplab run` runs it (the embedded Fashion-MNIST
subset, offline, tracked with TensorBoard), its results in the core schema, and the Lab 3 conclusions' sentences
about it."""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest
import yaml

from conftest import ROOT, execute_notebook
from mlplab.experiment.schema import NOTEBOOKS

QUICK = yaml.safe_load((ROOT / "params" / "quick.yml").read_text())
NB = ROOT / "analysis" / "34_transfer.ipynb"
FIGURES = {f"fig-transfer-{n}" for n in ("imagenet", "resolution", "curve", "training", "confusion", "misclassified")}


def test_the_notebook_source_is_clean_and_its_quick_profile_validates():
    from mlplab.params import notebook_defaults
    from mlplab.transfer import validate_params

    nb = nbformat.read(NB, as_version=4)
    assert len([c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]) == 1
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "next cell" not in prose and "%" not in prose.replace("95 %", "")  # no results typed into the prose
    validate_params({**notebook_defaults(NB), **QUICK["transfer"]})
    code = " ".join(c.source for c in nb.cells if c.cell_type == "code")
    for ref in {w.strip(".,;:()") for w in prose.split() if w.startswith("@fig-") or w.startswith("@tbl-")}:
        if ref != "@sec-fashion":
            assert f'"{ref[1:]}"' in code, ref


@pytest.mark.slow
def test_the_transfer_chapter_on_the_quick_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("MLPLAB_OFFLINE", "1")
    q = QUICK["transfer"]
    doc, _ = execute_notebook(NB, "transfer", tmp_path, monkeypatch, FIGURES,
                              {"profile": "quick", **q, "tracking": "tensorboard"})
    spec = NOTEBOOKS["transfer"]
    models = doc["models"]
    assert {e["model"] for e in models.values()} >= set(spec.families) | {"lite1_features", "lite1_finetune"}
    for k in q["budgets"]:
        for m in ("logreg_pixels", "cnn_scratch", "lite0_features", "lite0_finetune", "lite0_random"):
            e = models[f"{m}_k{k}"]
            assert e["budget"] == {"per_class": k, "images": 10 * k} and e["seeds"]["n"] == len(q["seeds"])
            assert {"accuracy", "macro_f1"} <= set(e["test"]) and "accuracy" in e["validation"]
    # the regimes shared every labelled image: same seeds, same number of fit images, at every budget
    k = q["headline_budget"]
    assert models[f"lite0_finetune_k{k}"]["settings"]["backbone_lr"] < models[f"lite0_finetune_k{k}"]["settings"]["lr"]
    assert models[f"lite0_random_k{k}"]["settings"]["backbone_lr"] == models[f"lite0_random_k{k}"]["settings"]["lr"]
    assert models[f"lite0_features_k{k}"]["settings"]["C"] in q["logreg_C"]
    # recommended on validation among the headline budget's models
    rec = doc["recommended"]
    pool = {n: e for n, e in models.items() if n.endswith(f"_k{k}")}
    assert rec["by"] == "validation" and rec["model"] == max(sorted(pool), key=lambda n: pool[n]["validation"]["accuracy"])
    topics = {v["topic"] for v in doc["verdicts"]}
    assert topics == {f"transfer_k{b}" for b in q["budgets"]} | {f"sizes_k{k}"}
    extra = doc["extra"]
    assert [r["resolution"] for r in extra["resolution_study"]] == sorted(q["resolutions"])
    assert set(extra["throughput"]) == set(q["variants"]) and all(t["finetune"] > 0 for t in extra["throughput"].values())
    assert len(extra["imagenet"]["per_class"]) == 10 and extra["imagenet"]["resolution"] == 224
    assert extra["parameters"]["lite0"] < extra["parameters"]["lite1"]
    assert extra["tracking"]["backend"] == "tensorboard"
    assert list((tmp_path / "runs" / "transfer").glob(f"*/lite0_finetune_k{k}_split_0*"))  # the fine-tuning was tracked

    from mlplab.conclusions.lab3 import transfer_sentences

    text = transfer_sentences(doc)
    assert text.startswith("In the transfer-learning chapter (@sec-transfer), fine-tuned EfficientNet-Lite0 is ")
    assert f"with {min(q['budgets'])} labelled images per class" in text and "_" not in text
    assert re.search(rf"with {min(q['budgets'])} labelled images per class \([+-]\d\.\d{{3}}, 95 % interval [+-]\d\.\d{{3}} "
                     r"to [+-]\d\.\d{3}\)", text), text  # the verdict with its interval


def shapes(root, n=30, size=40):
    """A small folder set of three classes a network can tell apart: a disc, a square and a bar, each drawn at a
    random place and size on a noisy background (class folders, no test part)."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(0)
    for cls, colour in (("disc", (220, 60, 60)), ("square", (60, 200, 60)), ("bar", (60, 60, 220))):
        (root / cls).mkdir(parents=True)
        for i in range(n):
            img = Image.fromarray(rng.integers(0, 60, (size, size + 8, 3), dtype=np.uint8))
            d, x, y, r = ImageDraw.Draw(img), *rng.integers(8, 24, 2), int(rng.integers(6, 12))
            box = (x, y, x + r, y + r) if cls != "bar" else (x, y, x + r // 3 + 2, y + 2 * r)
            (d.ellipse if cls == "disc" else d.rectangle)(box, fill=colour)
            img.save(root / cls / f"{i}.png")
    return root


@pytest.mark.slow
def test_the_chapter_runs_on_a_folder_of_the_users_images(tmp_path, monkeypatch):
    monkeypatch.setenv("MLPLAB_OFFLINE", "1")
    folder = shapes(tmp_path / "shapes")
    params = {**QUICK["transfer"], "profile": "quick", "data_path": str(folder), "valid_images": 15, "max_test": 0,
              "budgets": [2, 4], "headline_budget": 4, "variants": ["lite0"], "resolutions": [32], "imagenet_images": 1,
              "batch_size": 8}
    run = tmp_path / "run"
    run.mkdir()
    doc, _ = execute_notebook(NB, "transfer", run, monkeypatch, FIGURES, params)
    assert doc["extra"]["classes"] == ["bar", "disc", "square"]
    assert doc["extra"]["split"] == {"pool": 57, "validation": 15, "test": 18, "seeds": 3}
    assert "split off" in doc["extra"]["data"]["test_source"] and doc["provenance"]["source"] == "file"
    assert doc["models"]["cnn_scratch_k4"]["budget"] == {"per_class": 4, "images": 12}
