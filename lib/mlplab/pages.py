"""Generated files of the book: markdown for its static pages (front-page banner, reproduction,
appendix) and the list of its notebook chapters.

The .qmd pages in report/ include the markdown with Quarto's `{{< include >}}` shortcode, so the
pages themselves contain no numbers: everything shown comes from the last run's state and results.

The executed notebooks are git-ignored, and Quarto refuses a book whose chapter list names a
missing file before it runs `pre-render`. So `_quarto.yml` lists only committed pages and reads
the notebook chapters from `report/_generated/chapters.yml` (`metadata-files`): Quarto skips that
file while it does not exist, and re-reads the project after `pre-render` (Quarto >= 1.5), by which
time `mlplab run` has written it. A bare `quarto render` therefore works on a fresh clone too.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

import yaml

PACKAGES = ("torch", "scikit-learn", "skorch", "imbalanced-learn", "numpy", "pandas", "polars", "seaborn",
            "matplotlib", "papermill", "mlplab")
# The book's parts, in order: (part title, chapters). Notebook chapters appear once executed.
PARTS = (
    ("Part 1 — Regression: NYSE daily prices", ("report/01_regression_nyse.ipynb",)),
    ("Part 2 — Classification: machine predictive maintenance", ("report/02_classification_maintenance.ipynb",)),
    ("Comparison and conclusions", ("report/03_comparison.ipynb", "report/conclusions.qmd")),
)
DATASETS = {"regression": "NYSE daily prices (Kaggle dgawlik/nyse)",
            "classification": "Machine Predictive Maintenance (Kaggle, AI4I 2020)"}


def _load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def _results(root: Path) -> dict[str, dict]:
    out = {}
    for name in DATASETS:
        doc = _load(root / "report" / "_results" / f"{name}.json")
        if doc:
            out[name] = doc
    return out


def _states(root: Path) -> dict[str, dict]:
    out = {}
    for f in sorted((root / "report" / "_results" / ".state").glob("*.json")):
        doc = _load(f)
        if doc:
            out[f.stem] = doc
    return out


def banner_md(results: dict[str, dict]) -> str:
    """Impossible to miss: a warning callout when any part ran on the embedded synthetic data."""
    if not results:
        return "::: {.callout-important}\n## No results yet\nRun `make report` (or `mlplab run`) first.\n:::\n"
    synthetic = [n for n, d in results.items() if d["provenance"].get("source") == "embedded"]
    lines = []
    if synthetic:
        parts = ", ".join(f"**{DATASETS[n]}**" for n in synthetic)
        lines += ["::: {.callout-warning}", "## Synthetic data",
                  f"This report was built on the **embedded synthetic default** for {parts}: seeded generators "
                  "that imitate the Kaggle data's schema, scale and character. Its numbers describe the "
                  "generators, not the real markets or machines. Put the Kaggle files in `data/raw/` and run "
                  "`make report` again for the real analysis.", ":::", ""]
    real = [n for n in results if n not in synthetic]
    if real:
        lines += ["::: {.callout-note}", "## Real data",
                  "Built on the real Kaggle files for " + ", ".join(f"**{DATASETS[n]}**" for n in real) + ".",
                  ":::", ""]
    lines += ["| Part | Dataset | Source | File | Rows | SHA-256 (first 12) | Profile |", "|---|---|---|---|---:|---|---|"]
    for name, doc in results.items():
        p = doc["provenance"]
        lines.append(f"| {name} | {DATASETS[name]} | {p.get('source')} | `{Path(str(p.get('path'))).name}` | "
                     f"{p.get('rows'):,} | `{str(p.get('sha256'))[:12]}` | {doc.get('profile')} |")
    lines.append("")
    return "\n".join(lines)


def reproduce_md(states: dict[str, dict]) -> str:
    profile = next((s.get("profile") for s in states.values()), "full")
    lines = [
        "From a fresh clone, two commands build and check everything:", "",
        "```bash", "make report   # creates .venv, installs, runs the analysis (profile full), renders HTML + PDF",
        "make test     # the test suite", "```", "",
        f"This edition was produced with the **`{profile}`** profile (`params/{profile}.yml`). "
        "Re-run one part with other parameters, for example:", "",
        "```bash", ".venv/bin/mlplab run --only classification --set epochs=100", ".venv/bin/mlplab render", "```", "",
        "Unchanged notebooks (same source, parameters, package and data) are skipped, so a second run reuses "
        "the cached results.", "",
    ]
    return "\n".join(lines)


def _versions() -> list[tuple[str, str]]:
    out = [("python", sys.version.split()[0])]
    for pkg in PACKAGES:
        try:
            out.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            out.append((pkg, "not installed"))
    return out


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 ** 2
    except OSError:
        return None
    return None


def appendix_md(root: Path, results: dict[str, dict], states: dict[str, dict]) -> str:
    lines = ["## Run times {#sec-run-times}", "", "| Notebook | Profile | Wall time (s) | Finished (UTC) |",
             "|---|---|---:|---|"]
    for name, st in states.items():
        lines.append(f"| {name} | {st.get('profile')} | {st.get('seconds', 0):.1f} | {st.get('finished')} |")
    lines.append("")
    for name, doc in results.items():
        t = doc.get("timings_s", {})
        if t:
            lines += [f"Section timings of the {name} notebook (s): " +
                      ", ".join(f"{k} {v:.1f}" for k, v in t.items() if isinstance(v, (int, float))) + ".", ""]
    lines += ["## Data provenance {#sec-provenance}", "", "| Part | Source | Path | Rows | SHA-256 |", "|---|---|---|---:|---|"]
    for name, doc in results.items():
        p = doc["provenance"]
        lines.append(f"| {name} | {p.get('source')} | `{p.get('path')}` | {p.get('rows'):,} | `{p.get('sha256')}` |")
    lines += ["", "## Parameters used {#sec-parameters}", ""]
    for name, st in states.items():
        lines += [f"**{name}** (profile `{st.get('profile')}`):", "", "```yaml",
                  yaml.safe_dump(st.get("params", {}), sort_keys=True, default_flow_style=None).rstrip(), "```", ""]
    lines += ["## Environment {#sec-environment}", "", "| Package | Version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in _versions()]
    mem = _memory_gib()
    lines += ["", "| Hardware | |", "|---|---|",
              f"| Machine | {platform.machine()} ({platform.system()} {platform.release()}) |",
              f"| CPU cores | {os.cpu_count()} |",
              f"| Memory | {mem:.1f} GiB |" if mem else "| Memory | unknown |",
              f"| Processor | {platform.processor() or 'unknown'} |", ""]
    return "\n".join(lines)


def chapters_yml(root: Path) -> str:
    """The book's notebook parts as Quarto project metadata, merged after the chapters of `_quarto.yml`.

    A part is listed only when its notebook has been executed into report/ (the conclusions page
    belongs to the comparison's part), so the book never names a file that does not exist.
    """
    parts = [{"part": title, "chapters": list(chapters)} for title, chapters in PARTS
             if (root / chapters[0]).exists()]
    head = ("# Written by `mlplab run` (mlplab.pages.chapters_yml); read by _quarto.yml through metadata-files.\n"
            "# Lists the executed notebooks as book parts, after the chapters _quarto.yml itself names.\n")
    return head + yaml.safe_dump({"book": {"chapters": parts}}, sort_keys=False, allow_unicode=True)


def write_generated_pages(root: Path) -> list[Path]:
    """(Re)write report/_generated/{banner,reproduce,appendix}.md and chapters.yml atomically from
    state and results."""
    out_dir = root / "report" / "_generated"
    out_dir.mkdir(parents=True, exist_ok=True)
    results, states = _results(root), _states(root)
    written = []
    for name, text in (("banner.md", banner_md(results)), ("reproduce.md", reproduce_md(states)),
                       ("appendix.md", appendix_md(root, results, states)), ("chapters.yml", chapters_yml(root))):
        path = out_dir / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
        written.append(path)
    return written
