"""`mlplab render`: run Quarto on the book; a clear one-line error when Quarto is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from mlplab.errors import UserError
from mlplab.experiment.paths import Paths

HOW_TO_GET = ("quarto not found on PATH: install Quarto >= 1.10 from https://quarto.org/docs/get-started/ "
              "(or `pip install 'quarto-cli>=1.10'` on a machine with internet), then run `mlplab render` again")


def find_quarto() -> str | None:
    """PATH first, then the venv's bin (where the quarto-cli wheel puts its launcher)."""
    found = shutil.which("quarto")
    if found:
        return found
    candidate = Path(sys.executable).parent / "quarto"
    return str(candidate) if candidate.exists() else None


def render(to: str = "all") -> int:
    paths = Paths.find(required=True)
    root = paths.root
    quarto = find_quarto()
    if quarto is None:
        raise UserError(HOW_TO_GET)
    from mlplab import pages

    notebooks = [c for lab in pages.LABS for c in lab.chapters if c.endswith(".ipynb")]
    if not any((root / c).exists() for c in notebooks):
        raise UserError(f"{paths.display(paths.report)}: no executed notebook found; run `mlplab run` first")

    pages.write_generated_pages(root)  # chapters.yml and pages match the results now on disk
    cmd = [quarto, "render"]
    if to == "html":
        cmd += ["--to", "html"]
    elif to == "pdf":
        cmd += ["--to", "typst"]
    env = dict(os.environ, MLPLAB_RENDERING="1", MLPLAB_ROOT=str(root))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    print("running: " + " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=root, env=env)
    if proc.returncode != 0:
        print(f"mlplab render: quarto exited with {proc.returncode}", file=sys.stderr)
        return 1
    print(f"rendered into {root / '_book'}")
    return 0
