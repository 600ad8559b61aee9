"""A tiny project with Lab 1's three notebook names, for testing the orchestration without training."""

from __future__ import annotations

from pathlib import Path

import nbformat as nbf

_PART = '''
from mlplab import reporting
from mlplab.experiment import document
from mlplab.experiment.protocol import Protocol
from mlplab.experiment.record import Run, SplitResult
from mlplab.experiment.schema import NOTEBOOKS
from mlplab.plots.style import new_figure
if fail:
    raise RuntimeError("boom on purpose")
spec = NOTEBOOKS[{kind!r}]
metrics = {{m: float(scale) for m in spec.metrics}}
runs = {{}}
for name in spec.required_models:
    runs[name] = Run(name, "baseline", name, splits=[SplitResult(0, 0, dict(metrics), dict(metrics), dict(metrics))])
doc = document.build({kind!r}, profile=profile, params={{"scale": scale}},
                     provenance={{"source": "embedded", "kind": "synthetic", "path": "embedded:test", "rows": 10,
                                 "sha256": "0" * 64}},
                     protocol=Protocol("holdout", 1, "nothing is selected in the fake project"),
                     timings={{"total": 0.1}}, runs=runs, best_params={{}}, recommended=None, reason="a fake run")
document.save(doc)
fig, ax = new_figure()
ax.plot([1, 2], [scale, scale])
reporting.show_figure(fig, "fig-{kind}-line", "A line", notebook={kind!r})
'''

_COMPARISON = '''
from mlplab import reporting
from mlplab.experiment.schema import read_results
reg = read_results("regression")
clf = read_results("classification")
out = reporting.report_dir() / "_generated" / "conclusions.md"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(f"scales {reg['params']['scale']} {clf['params']['scale']}")
'''


def _nb(params_src: str, body: str) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    nb.cells = [nbf.v4.new_markdown_cell("# Test"),
                nbf.v4.new_code_cell(params_src, metadata={"tags": ["parameters"]}),
                nbf.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def make_fake_project(root: Path) -> Path:
    (root / "analysis").mkdir(parents=True)
    (root / "params").mkdir()
    (root / "report").mkdir()
    for kind, fname in (("regression", "01_regression_nyse.ipynb"), ("classification", "02_classification_maintenance.ipynb")):
        nbf.write(_nb('profile = "full"\nscale = 1.0\nfail = False\nseeds = [0, 1, 2]\ndata_path = ""',
                      _PART.format(kind=kind)), root / "analysis" / fname)
    nbf.write(_nb('profile = "full"', _COMPARISON), root / "analysis" / "03_comparison.ipynb")
    (root / "params" / "quick.yml").write_text("regression:\n  scale: 2.0\nclassification:\n  scale: 3.0\ncomparison: {}\n")
    (root / "params" / "full.yml").write_text("regression: {}\nclassification: {}\n")
    return root
