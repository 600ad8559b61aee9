"""Notebook-side helpers that turn figures, tables and generated sentences into Quarto markdown.

Why markdown outputs: captions must be computed (e.g. they say when the data are synthetic), and
Quarto renders a `text/markdown` output as part of the page, so `![cap](path){#fig-id}` and
`: cap {#tbl-id}` become real cross-referenceable figures and tables in both HTML and Typst PDF.
Figures are saved as PNG under report/figures/<notebook>/ and referenced relative to report/ (no
leading underscore: static-site hosts such as Jekyll on GitHub Pages drop underscore folders).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

_LABEL = re.compile(r"^(fig|tbl)-[a-z0-9][a-z0-9-]*$")


def project_root() -> Path:
    """$MLPLAB_ROOT (set by `mlplab run`), else the nearest parent holding pyproject.toml."""
    env = os.environ.get("MLPLAB_ROOT")
    if env:
        return Path(env)
    here = Path.cwd().resolve()
    for p in (here, *here.parents):
        if (p / "pyproject.toml").exists() and (p / "lib" / "mlplab").exists():
            return p
    return here


def report_dir() -> Path:
    env = os.environ.get("MLPLAB_REPORT_DIR")
    return Path(env) if env else project_root() / "report"


def _display_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


# The show_* functions return None on purpose: a returned value would also be echoed as the cell's
# result and rendered a second time as a code output.


def say(text: str) -> None:
    """Show generated prose (built from numbers by the caller) as markdown."""
    _display_markdown(text)


def _synthetic_caption(caption: str, synthetic: bool | str, emphasis: str = "") -> str:
    """True: all data synthetic; a string names the part that is (a chapter that mixes both)."""
    if not synthetic:
        return caption
    what = f"{emphasis}Synthetic data{emphasis}"
    where = f" for the {synthetic}" if isinstance(synthetic, str) else ""
    return caption.rstrip(". ") + f". {what} (embedded default, not the Kaggle dataset){where}."


def show_figure(fig, label: str, caption: str, *, notebook: str, synthetic: bool | str = False,
                width: str = "100%") -> None:
    """Save `fig` and emit a labelled, captioned markdown figure. Closes the figure."""
    import matplotlib.pyplot as plt

    if not _LABEL.match(label) or not label.startswith("fig-"):
        raise ValueError(f"figure label {label!r} must look like 'fig-some-name'")
    caption = _synthetic_caption(caption, synthetic, "**")
    rel = Path("figures") / notebook / f"{label}.png"
    out = report_dir() / rel
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=150, bbox_inches="tight")
    plt.close(fig)
    _display_markdown(f"![{caption}]({rel.as_posix()}){{#{label} width={width}}}")


def format_frame(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Sensible precision: integers as-is, large floats with thousands separators, small ones with `digits`."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s):
            def fmt(v):
                if pd.isna(v):
                    return "–"
                if abs(v) >= 1000:
                    return f"{v:,.0f}"
                return f"{v:.{digits}g}" if abs(v) < 1e-3 and v != 0 else f"{v:.{digits}f}"
            out[col] = s.map(fmt)
    return out


def show_table(df: pd.DataFrame, label: str, caption: str, *, digits: int = 3, index: bool = False,
               synthetic: bool | str = False) -> None:
    """Emit a labelled, captioned markdown table (pipe table; Quarto cross-references `@tbl-...`)."""
    if not _LABEL.match(label) or not label.startswith("tbl-"):
        raise ValueError(f"table label {label!r} must look like 'tbl-some-name'")
    caption = _synthetic_caption(caption, synthetic)
    # numbers are formatted here; tabulate must not re-parse them (it would turn 0.99985 back into 1)
    align = ["right" if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) else "left"
             for c in df.columns]
    if index:
        align = ["left"] + align
    body = format_frame(df, digits).to_markdown(index=index, disable_numparse=True, colalign=align)
    _display_markdown(f"{body}\n\n: {caption} {{#{label}}}\n")


def provenance_banner(provenance: dict, dataset: str) -> None:
    """The first thing each part shows: where the data came from, loudly when synthetic."""
    p = provenance
    if p.get("source") == "embedded":
        head = (f"::: {{.callout-warning}}\n## Synthetic data\nThe {dataset} results below use the **embedded "
                f"synthetic default** (`{p.get('path')}`), not the Kaggle dataset. Put the Kaggle files in "
                f"`data/raw/` to run on real data.\n:::\n")
    else:
        head = (f"::: {{.callout-note}}\n## Data\n{dataset}: real data from `{p.get('path')}` "
                f"(source: {p.get('source')}).\n:::\n")
    rows = p.get("rows")
    sha = str(p.get("sha256", ""))[:16]
    _display_markdown(head + f"\nRows: {rows:,} · SHA-256: `{sha}…`\n" if isinstance(rows, int) else head)
