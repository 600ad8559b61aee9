"""Notebook-side helpers that turn figures, tables and generated sentences into Quarto markdown.

Why markdown outputs: captions must be computed (e.g. they say when the data are synthetic), and
Quarto renders a `text/markdown` output as part of the page, so `![cap](path){#fig-id}` and
`: cap {#tbl-id}` become real cross-referenceable figures and tables in both HTML and Typst PDF.
Figures are saved as PNG under report/figures/<notebook>/ and referenced relative to report/ (no
leading underscore: static-site hosts such as Jekyll on GitHub Pages drop underscore folders).

Tables and the PDF's text block
-------------------------------
A table wider than the PDF's text block overprints in Typst: a pipe table whose longest row exceeds
pandoc's `columns` (72 characters) gets relative column widths from its separator dashes, and an
identifier that cannot break ("intraday_return") runs into the next cell. `show_table` therefore
estimates every table's width (`column_extents`, `estimate_table_width_cm`: about 0.5 em per
character plus the cell inset) and picks, per table, the first layout that fits
(`plan_table`): the table as it is; smaller type (9, 8, 7 pt, set for the PDF only through a Div
attribute `typst:text:size`, which pandoc's Typst writer turns into `#set text(size: ...)` and the
HTML ignores); identifiers broken after their underscores (a zero-width space, a line-break
opportunity in both formats); explicit column widths (2 separator dashes per percent, so each column gets at least
its longest unbreakable word). Both formats always show every column: a table that fits no layout
is a defect `table_problems` reports, fixed by giving it fewer or shorter columns in the notebook.

`markdown_tables` and `table_problems` read such markdown back (the way `tests/book_checks.py`
checks every table an executed notebook shows), with the same estimator.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mlplab.experiment.paths import Paths

_LABEL = re.compile(r"^(fig|tbl)-[a-z0-9][a-z0-9-]*$")

# The PDF's text block. Quarto (>= 1.9) renders a Typst book with its bundled orange-book format,
# whose `book()` sets the page margins itself (A4, 3 cm left and right) and is not handed the
# `margin:` of _quarto.yml, so the text block is 21 - 2 x 3 = 15 cm wide (17 cm if the 2 cm
# margins of _quarto.yml applied): 15 cm is the width tables are checked against.
PDF_TEXT_WIDTH_CM = 15.0
PDF_BODY_PT = 10.0
PDF_FONT_STEPS = (10.0, 9.0, 8.0, 7.0)  # sizes a table may use in the PDF, largest first
CHAR_EM = 0.5           # average glyph width of the body font (measured: 0.42-0.47 em for Libertinus)
WIDE_CHAR_EM = 0.65     # capitals and wide glyphs
CODE_CHAR_EM = 0.6      # monospace (inline code)
CELL_PAD_PT = 12.0      # cell inset, left + right (Typst's default is 5 pt a side; Quarto's 6 pt)
PANDOC_COLUMNS = 72     # pandoc's `columns`: longer pipe-table rows get relative widths
ZWSP = "\u200b"
_PT_PER_CM = 72.0 / 2.54
_WIDE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZMW@%&—mw")


def project_root() -> Path:
    """The project root, as `mlplab.experiment.paths.Paths` resolves it ($MLPLAB_ROOT first)."""
    return Paths.find().root


def report_dir() -> Path:
    """Where this notebook's outputs go (a run's staging folder under `mlplab run`)."""
    return Paths.find().report


def display_path(path, root: Path | None = None) -> str:
    """A data path as the report may show it: relative to the project (`root`, default the one
    `Paths.find()` resolves) or the file name, never absolute. Non-file locations ("embedded:nyse",
    "kagglehub:owner/name") are shown as they are."""
    text = str(path or "")
    if not text:
        return ""
    if re.match(r"^[A-Za-z][\w+.-]*:(?![\\/])", text):  # a scheme such as embedded: (not C:\ or C:/)
        return text
    if not Path(text).is_absolute():
        return Path(text).as_posix()
    return (Paths(Path(root)) if root is not None else Paths.find()).display(text)


_MINUS = re.compile(r"(?<![\w.\-/\\\u2212])-(?=\d)")
_DIGIT_APOSTROPHE = re.compile(r"(?<=\d)'(?=[a-z])")
_FENCE = re.compile(r"(^```.*?^```[^\n]*$)", re.MULTILINE | re.DOTALL)
# a network's name with a number (ResNet-18, VGG-16-C): browsers broke the line at its hyphen ("ResNet-" / "18")
_NAME_NUMBER = re.compile(r"\b([A-Z][A-Za-z]*)-(\d+)(?:-([A-Z])\b)?")


def _name_hyphens(text: str) -> str:
    return _NAME_NUMBER.sub(lambda m: f"{m[1]}\u2011{m[2]}" + (f"\u2011{m[3]}" if m[3] else ""), text)


def typeset(text: str) -> str:
    """Print typography for generated markdown, applied once where it is displayed: a hyphen-minus
    that starts a number (' -0.004', '(-3', '|-1') becomes a true minus sign (U+2212), as in the
    figures, and an apostrophe after a digit ("VGG-16's") a typographic one (Typst's smart quotes
    would set a prime there); code spans and fenced code are left alone, and so are dates and
    ranges (2014-06-30). A capitalized name joined to a number by a hyphen (ResNet-18, VGG-16-C) gets
    non-breaking hyphens (U+2011), so no line breaks inside it."""
    out = []
    for block in _FENCE.split(text):
        if block.startswith("```"):
            out.append(block)
            continue
        parts = re.split(r"(`[^`]*`)", block)
        out.append("".join(p if p.startswith("`") else _name_hyphens(_DIGIT_APOSTROPHE.sub("\u2019", _MINUS.sub("\u2212", p)))
                           for p in parts))
    return "".join(out)


def _display_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(typeset(text)))


# The show_* functions return None on purpose: a returned value would also be echoed as the cell's
# result and rendered a second time as a code output.


def say(text: str) -> None:
    """Show generated prose (built from numbers by the caller) as markdown; nothing for an empty
    finding (a sentence function returns '' when there is nothing to say, e.g. a curve too short to read)."""
    if text and text.strip():
        _display_markdown(_NUMBER_UNIT.sub("\\1\u00a0\\2", text))


# a number and its unit stay on one line ("95 %", "102 s", "24 h"): a no-break space between them in prose
_NUMBER_UNIT = re.compile(r"(\d) (%|s\b|h\b)")


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


_TIMES = re.compile(r"s/epoch|\bseconds\b|\bminutes\b|\(s\)|\(min\)")  # timings: one decimal
_NO_SEPARATOR = re.compile(r"\b(year|seed|epoch|id)s?\b", re.IGNORECASE)


def _decimal_places(s: pd.Series, digits: int) -> int:
    """One number of decimals per column: `digits`, or more (at most 6) when a non-zero value would
    otherwise print as 0.000 (learning rates, tiny differences), so a column never mixes 0.003 with
    0.000829 or 7.68e-05."""
    small = s[(s.abs() > 0) & (s.abs() < 0.5 * 10.0 ** -digits)].abs()
    if small.empty:
        return digits
    return int(min(6, max(digits, -math.floor(math.log10(float(small.min()))))))


def format_frame(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Sensible precision: counts with thousands separators (not years, seeds, epochs or ids), large
    floats with thousands separators, small ones with `digits`."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_integer_dtype(s) and not pd.api.types.is_bool_dtype(s) \
                and not _NO_SEPARATOR.search(str(col)):
            out[col] = s.map(lambda v: f"{v:,}")
        elif pd.api.types.is_float_dtype(s):
            places = _decimal_places(s, digits)
            whole = s.dropna()
            if not whole.empty and (whole == whole.round()).all() and whole.abs().max() >= 2:
                places = 0  # whole-number data (temperatures, counts as floats): "30", not "30.000"
            elif (str(col).rstrip().endswith("%") or _TIMES.search(str(col))) and places == digits:
                places = 1  # a share in per cent ("24.1", as the prose writes it) or a measured time ("6.9 s")

            def fmt(v, places=places):
                if pd.isna(v):
                    return "–"
                if abs(v) >= 1000:
                    return f"{v:,.0f}"
                return f"{v:.{places}f}"
            out[col] = s.map(fmt)
    return out


# --------------------------------------------------------------------------- table width estimate

def break_identifiers(text: str) -> str:
    """Line-break opportunities after the underscores and slashes of identifiers and paths
    ("intraday_return" -> "intraday_\\u200breturn"): Typst (and browsers) may then wrap them."""
    return re.sub(r"(?<=[_/])(?=[^\s_/\\\u200b])", ZWSP, text)


def _plain(cell: str) -> tuple[str, str]:
    """(text in the body font, text in code font) of a markdown cell, markup removed."""
    code = "".join(re.findall(r"`([^`]*)`", cell))
    body = re.sub(r"`[^`]*`", "", cell)
    body = re.sub(r"\\([|*_`\\])", r"\1", body).replace("**", "").replace("&nbsp;", " ")
    return body, code


def _em(text: str, *, code: bool = False) -> float:
    if code:
        return CODE_CHAR_EM * sum(1 for ch in text if ch != ZWSP)
    return sum(0.0 if ch == ZWSP else WIDE_CHAR_EM if ch in _WIDE else CHAR_EM for ch in text)


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: split at spaces and zero-width spaces, and after a hyphen that a letter
    follows (Unicode line breaking never breaks between a hyphen and a digit: 2012-06-06 and -0.5
    stay whole)."""
    return [t for t in re.split(r"[\s\u200b]+|(?<=-)(?=[^\d\s])", text) if t]


def column_extents(header: Sequence[str], rows: Sequence[Sequence[str]], font_pt: float = PDF_BODY_PT
                   ) -> list[tuple[float, float]]:
    """Per column, (narrowest, natural) width in cm at `font_pt`, cell inset included: the widest
    unbreakable word (below it the cell overprints its neighbour) and the widest cell unwrapped."""
    cm_per_em = font_pt / _PT_PER_CM
    pad = CELL_PAD_PT / _PT_PER_CM
    out = []
    for j, head in enumerate(header):
        cells = [head] + [r[j] if j < len(r) else "" for r in rows]
        narrow = natural = 0.0
        for cell in cells:
            body, code = _plain(str(cell))
            natural = max(natural, _em(body) + _em(code, code=True))
            words = [_em(t) for t in _tokens(body)] + [_em(t, code=True) for t in _tokens(code)]
            narrow = max([narrow, *words])
        out.append((narrow * cm_per_em + pad, natural * cm_per_em + pad))
    return out


def allocated_widths(extents: Sequence[tuple[float, float]], fractions: Sequence[float] | None = None,
                     text_width_cm: float = PDF_TEXT_WIDTH_CM) -> list[float]:
    """Width each column gets in Typst: a share of the text width when the table has relative
    widths, else Typst's auto layout (natural widths; when they do not fit, the widest columns are
    cut down to an equal fair share of what the narrow ones leave)."""
    if fractions is not None:
        total = sum(fractions) or 1.0
        return [text_width_cm * f / total for f in fractions]
    natural = [n for _, n in extents]
    if sum(natural) <= text_width_cm:
        return natural
    keep: set[int] = set()
    while True:
        rest = [i for i in range(len(natural)) if i not in keep]
        if not rest:
            return natural
        fair = (text_width_cm - sum(natural[i] for i in keep)) / len(rest)
        small = {i for i in rest if natural[i] <= fair}
        if not small:
            return [natural[i] if i in keep else fair for i in range(len(natural))]
        keep |= small


def estimate_table_width_cm(header: Sequence[str], rows: Sequence[Sequence[str]], font_pt: float = PDF_BODY_PT,
                            *, fractions: Sequence[float] | None = None,
                            text_width_cm: float = PDF_TEXT_WIDTH_CM) -> float:
    """The width a table takes in the PDF, in cm: each column as wide as the layout gives it or as
    its widest unbreakable word, whichever is more. Above `text_width_cm` the table overprints (a
    word runs into the next column) or runs off the page.

    Pure: `header` and `rows` are the formatted cell strings (markdown allowed: code spans count in
    the monospace font), `fractions` the relative column widths if the table has them."""
    extents = column_extents(header, rows, font_pt)
    given = allocated_widths(extents, fractions, text_width_cm)
    return sum(max(g, narrow) for g, (narrow, _) in zip(given, extents))


@dataclass(frozen=True)
class TablePlan:
    """How a table is laid out in the PDF (see `plan_table`)."""

    font_pt: float
    break_identifiers: bool
    colwidths: tuple[int, ...] | None  # percentages for tbl-colwidths, or None (natural widths)
    columns: tuple[int, ...]            # indices of the columns the PDF shows
    width_cm: float                     # estimated width at that size
    fits: bool

    @property
    def adapted(self) -> bool:
        """True when the PDF differs from the plain table (smaller type, widths, breaks or columns)."""
        return self.font_pt != PDF_BODY_PT or self.colwidths is not None or self.break_identifiers


def _percentages(extents, text_width_cm: float) -> tuple[int, ...]:
    """Column widths in whole percent: each column its narrowest width, the rest shared in
    proportion to what each needs to lie unwrapped."""
    narrow = [n for n, _ in extents]
    extra = [max(0.0, nat - n) for n, nat in extents]
    room = max(0.0, text_width_cm - sum(narrow))
    share = sum(extra)
    widths = [n + (room * e / share if share else room / len(extents)) for n, e in zip(narrow, extra)]
    pct = [max(1, math.ceil(100 * w / text_width_cm - 1e-9)) for w in widths]
    while sum(pct) > 100:  # ceil may overshoot by a few points: take them from the roomiest column
        i = max(range(len(pct)), key=lambda k: pct[k] - 100 * narrow[k] / text_width_cm)
        pct[i] -= 1
    return tuple(pct)


def _pandoc_fractions(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float] | None:
    """The relative widths pandoc gives a pipe table written by `_pipe_table` without widths: its
    separator dashes when a source line is longer than pandoc's 72 columns, else None (natural widths)."""
    widths = [max(3, len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(header)]
    if sum(widths) + 3 * len(widths) + 1 <= PANDOC_COLUMNS:
        return None
    return [float(w + 1) for w in widths]


def plan_table(header: Sequence[str], rows: Sequence[Sequence[str]], *,
               text_width_cm: float = PDF_TEXT_WIDTH_CM, font_steps: Sequence[float] = PDF_FONT_STEPS,
               columns: Sequence[int] | None = None) -> TablePlan:
    """The first layout that fits the text block, in this order: as it is at body size; one size
    smaller, unwrapped; then at each size (10, 9, 8, 7 pt) explicit widths that wrap cells at their
    spaces, first without and then with identifier breaks. Returns the smallest, broken layout with
    `fits=False` when nothing fits (a defect `table_problems` reports)."""
    cols = tuple(range(len(header))) if columns is None else tuple(columns)
    head = [header[j] for j in cols]
    body = [[r[j] for j in cols] for r in rows]
    broken_head = [break_identifiers(h) for h in head]
    broken_body = [[break_identifiers(c) for c in r] for r in body]
    pandoc = _pandoc_fractions(head, body)
    for size in font_steps[:2]:  # one size smaller, unwrapped, reads better than wrapped cells
        ext = column_extents(head, body, size)
        if sum(nat for _, nat in ext) <= text_width_cm:
            if pandoc is not None and estimate_table_width_cm(head, body, size, fractions=pandoc,
                                                              text_width_cm=text_width_cm) > text_width_cm:
                # pandoc would size the columns by their separator dashes and squeeze one: give the widths
                return TablePlan(size, False, _percentages(ext, text_width_cm), cols, sum(nat for _, nat in ext), True)
            return TablePlan(size, False, None, cols, sum(nat for _, nat in ext), True)
    last = None
    for size in font_steps:
        for broken in (False, True):
            h, b = (broken_head, broken_body) if broken else (head, body)
            ext = column_extents(h, b, size)
            if sum(n for n, _ in ext) <= text_width_cm:
                pct = _percentages(ext, text_width_cm)
                width = estimate_table_width_cm(h, b, size, fractions=pct, text_width_cm=text_width_cm)
                if width <= text_width_cm + 1e-6:
                    return TablePlan(size, broken, pct, cols, width, True)
            last = (size, broken, ext)
    size, broken, ext = last
    return TablePlan(size, broken, _percentages(ext, text_width_cm), cols, sum(n for n, _ in ext), False)


# --------------------------------------------------------------------------- markdown table output

def _cell(value) -> str:
    """A cell's markdown: one line, pipes escaped, and underscores outside code spans escaped (a
    "_" next to a line-break opportunity would otherwise open emphasis: param_module__hidden_units)."""
    text = str(value).replace("\n", " ").replace("|", r"\|")
    parts = re.split(r"(`[^`]*`)", text)
    text = "".join(p if p.startswith("`") else re.sub(r"(?<!\\)_", r"\_", p) for p in parts)
    return text if text.strip() else " "


def _pipe_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str],
                widths_pct: Sequence[int] | None = None) -> str:
    """A pipe table. Without `widths_pct` the separator dashes follow each column's natural width
    (pandoc's relative widths, when a line is longer than 72 characters, then follow the content);
    with it, the separator holds 2 dashes per percent, a line longer than pandoc's 72 columns, so
    pandoc (and through it Quarto's HTML and Typst) sets exactly those relative widths. Widths set
    this way need no attribute, so they also work where a caption-less table cannot carry one."""
    widths = [max(3, len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(header)]
    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    dashes = [2 * p for p in widths_pct] if widths_pct is not None else [w + 1 for w in widths]
    seps = []
    for a, d in zip(align, dashes):
        seps.append((":" + "-" * d) if a == "left" else ("-" * d + ":") if a == "right" else "-" * (d + 1))
    return "\n".join([line(header), "|" + "|".join(seps) + "|", *(line(r) for r in rows)])


def show_table(df: pd.DataFrame, label: str, caption: str, *, digits: int = 3, index: bool = False,
               synthetic: bool | str = False, text_width_cm: float = PDF_TEXT_WIDTH_CM) -> None:
    """Emit a labelled, captioned markdown table (Quarto cross-references `@tbl-...`) that fits the PDF.

    Both formats show every column (a reader of the PDF must see what the claims rest on). The PDF
    shows the table as it is when it fits the text block, else with smaller type, explicit widths
    and identifiers broken after underscores (see the module docstring). A table that fits no
    layout is a defect the notebook tests report (`table_problems`): give it fewer or shorter columns.
    """
    if not _LABEL.match(label) or not label.startswith("tbl-"):
        raise ValueError(f"table label {label!r} must look like 'tbl-some-name'")
    _display_markdown(table_markdown(df, label, _synthetic_caption(caption, synthetic), digits=digits, index=index,
                                     text_width_cm=text_width_cm))


def table_markdown(df: pd.DataFrame, label: str | None = None, caption: str = "", *, digits: int = 3,
                   index: bool = False, text_width_cm: float = PDF_TEXT_WIDTH_CM) -> str:
    """The markdown `show_table` shows (pure). Without a label the table has no cross-reference
    target; without a caption, no caption (generated pages use it for their tables). Both formats
    show every column: the PDF gets the first layout of `plan_table` that fits."""
    # numbers are formatted here, once; nothing downstream re-parses them (0.99985 must not become 1)
    align = ["right" if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) else "left"
             for c in df.columns]
    frame = format_frame(df, digits)
    if index:
        names = [n if n is not None else "" for n in frame.index.names]
        frame = frame.reset_index(names=names if len(names) > 1 else (names[0] or " "))
        align = ["left"] * len(names) + align
    header = [_cell(c) for c in frame.columns]
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    plan = plan_table(header, rows, text_width_cm=text_width_cm)
    ident = f" {{#{label}}}" if label else ""
    if plan.break_identifiers:
        header = [break_identifiers(x) for x in header]
        rows = [[break_identifiers(x) for x in r] for r in rows]
    table = _pipe_table(header, rows, align, plan.colwidths)
    if plan.font_pt != PDF_BODY_PT:
        # the type size is set on a Div that only the Typst writer reads; the caption stays outside it
        table = f'::: {{typst:text:size="{plan.font_pt:g}pt"}}\n{table}\n:::'
        if caption or label:
            return f"::: {{#{label}}}\n{table}\n\n{caption}\n:::\n" if label else f"{table}\n\n{caption}\n"
        return table + "\n"
    if caption or label:
        return f"{table}\n\n: {caption}{ident}\n"
    return table + "\n"


# --------------------------------------------------------------------------- reading tables back

@dataclass
class MarkdownTable:
    """A pipe table found in markdown, with what decides its PDF width."""

    header: list[str]
    rows: list[list[str]]
    dashes: list[int]
    label: str | None = None
    font_pt: float = PDF_BODY_PT
    colwidths: list[float] | None = None
    in_pdf: bool = True
    line: int = 0
    notes: list[str] = field(default_factory=list)
    line_length: int = 0   # the longest source line of the table (separator included)

    def fractions(self) -> list[float] | None:
        """Relative widths as pandoc and Quarto will set them: tbl-colwidths, else the separator
        dashes when a source line is longer than pandoc's 72 columns, else None (Typst's auto layout)."""
        if self.colwidths:
            return self.colwidths
        return [float(d) for d in self.dashes] if self.line_length > PANDOC_COLUMNS else None

    def width_cm(self, text_width_cm: float = PDF_TEXT_WIDTH_CM) -> float:
        return estimate_table_width_cm(self.header, self.rows, self.font_pt, fractions=self.fractions(),
                                       text_width_cm=text_width_cm)


_SEP = re.compile(r"^\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$")
_FENCE_OPEN = re.compile(r"^(:{3,})\s*(\{.*\}|[\w-]+)\s*$")
_FENCE_CLOSE = re.compile(r"^:{3,}\s*$")


def _split_row(line: str) -> list[str]:
    text = line.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith(r"\|") else text
    return [c.strip() for c in re.split(r"(?<!\\)\|", text)]


def _attrs(text: str) -> dict:
    """Key facts of a `{...}` attribute block (or a bare class name)."""
    out = {"id": None, "classes": [], "kv": {}}
    body = text.strip()
    if body.startswith("{"):
        body = body[1:-1]
    else:
        body = "." + body
    for m in re.finditer(r'([\w:.-]+)="([^"]*)"|([\w:.-]+)=(\S+)|#([\w:.-]+)|\.([\w:.-]+)', body):
        if m.group(1):
            out["kv"][m.group(1)] = m.group(2)
        elif m.group(3):
            out["kv"][m.group(3)] = m.group(4)
        elif m.group(5):
            out["id"] = m.group(5)
        else:
            out["classes"].append(m.group(6))
    return out


def _font_pt(kv: dict) -> float | None:
    size = kv.get("typst:text:size")
    if size is None:
        m = re.search(r"font-size\s*:\s*([\d.]+)\s*(pt|px)", kv.get("style", ""))
        if not m:
            return None
        return float(m.group(1)) * (0.75 if m.group(2) == "px" else 1.0)
    m = re.match(r"^\s*([\d.]+)\s*pt\s*$", size)
    if m:
        return float(m.group(1))
    m = re.match(r"^\s*([\d.]+)\s*em\s*$", size)
    return float(m.group(1)) * PDF_BODY_PT if m else None


def markdown_tables(text: str) -> list[MarkdownTable]:
    """Every pipe table in a markdown text, with the PDF font size, widths, label and visibility
    that the enclosing Divs and the caption give it."""
    lines = text.splitlines()
    stack: list[dict] = []
    tables: list[MarkdownTable] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE_OPEN.match(line)
        if m:
            stack.append(_attrs(m.group(2)))
            i += 1
            continue
        if _FENCE_CLOSE.match(line):
            if stack:
                stack.pop()
            i += 1
            continue
        if line.lstrip().startswith("|") and i + 1 < len(lines) and _SEP.match(lines[i + 1].strip()):
            header = _split_row(line)
            dashes = [max(1, c.count("-")) for c in _split_row(lines[i + 1])]
            j = i + 2
            rows = []
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                rows.append(_split_row(lines[j]))
                j += 1
            table = MarkdownTable(header, rows, dashes, line=i + 1,
                                  line_length=max(len(x.strip()) for x in lines[i:j]))
            k = j
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k < len(lines) and lines[k].startswith(":") and not lines[k].startswith(":::"):
                cap = re.search(r"\{([^{}]*)\}\s*$", lines[k])
                if cap:
                    attrs = _attrs("{" + cap.group(1) + "}")
                    table.label = attrs["id"]
                    if "tbl-colwidths" in attrs["kv"]:
                        try:
                            table.colwidths = [float(v) for v in json.loads(attrs["kv"]["tbl-colwidths"])]
                        except (ValueError, TypeError):
                            table.notes.append(f"unreadable tbl-colwidths {attrs['kv']['tbl-colwidths']!r}")
                j = k + 1
            for frame in stack:
                size = _font_pt(frame["kv"])
                if size is not None:
                    table.font_pt = size
                if table.label is None and frame["id"] and frame["id"].startswith("tbl-"):
                    table.label = frame["id"]
                if "content-visible" in frame["classes"] and frame["kv"].get("unless-format") in ("typst", "pdf"):
                    table.in_pdf = False
                if "content-visible" in frame["classes"] and frame["kv"].get("when-format") not in (None, "typst"):
                    table.in_pdf = False
                if "content-hidden" in frame["classes"] and frame["kv"].get("when-format") == "typst":
                    table.in_pdf = False
            tables.append(table)
            i = j
            continue
        i += 1
    return tables


def table_problems(text: str, *, text_width_cm: float = PDF_TEXT_WIDTH_CM, tolerance_cm: float = 0.05
                   ) -> list[str]:
    """One line per PDF table of a markdown text whose estimated width exceeds the text block."""
    out = []
    for t in markdown_tables(text):
        if not t.in_pdf:
            continue
        width = t.width_cm(text_width_cm)
        if width > text_width_cm + tolerance_cm:
            ext = column_extents(t.header, t.rows, t.font_pt)
            widest = max(range(len(ext)), key=lambda k: ext[k][0]) if ext else 0
            out.append(f"{t.label or f'table at line {t.line}'}: about {width:.1f} cm at {t.font_pt:g} pt, wider "
                       f"than the {text_width_cm:g} cm text block (widest unbreakable column: "
                       f"{_plain(t.header[widest])[0] if t.header else '?'!r})")
        out.extend(f"{t.label or f'table at line {t.line}'}: {n}" for n in t.notes)
    return out


# --------------------------------------------------------------------------- provenance

def provenance_banner(provenance: dict, dataset: str) -> None:
    """The first thing each part shows: where the data came from, loudly when synthetic.

    The path is shown relative to the project (or as a file name), never as an absolute path of
    the machine that ran the notebook. `kind` (real | subset | synthetic) refines `source`."""
    p = provenance
    where = display_path(p.get("path"))
    kind = p.get("kind") or ("synthetic" if p.get("source") == "embedded" else "real")
    if kind == "synthetic":  # an embedded default may be real data shipped with the package (Lab 2)
        head = (f"::: {{.callout-warning}}\n## Synthetic data\nThe {dataset} results below use the **embedded "
                f"synthetic default** (`{where}`), not the Kaggle dataset. Put the Kaggle files in "
                f"`data/raw/` to run on real data.\n:::\n")
    elif kind == "subset":
        head = (f"::: {{.callout-note}}\n## Data\n{dataset}: a **subset** of the real data, from `{where}` "
                f"(source: {p.get('source')}).\n:::\n")
    else:
        head = (f"::: {{.callout-note}}\n## Data\n{dataset}: real data from `{where}` "
                f"(source: {p.get('source')}).\n:::\n")
    rows = p.get("rows")
    sha = str(p.get("sha256", ""))[:12]
    _display_markdown(head + f"\nRows: {rows:,} · SHA-256: `{sha}…`\n" if isinstance(rows, int) else head)
