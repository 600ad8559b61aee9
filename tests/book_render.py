"""Checks of the RENDERED book (Quarto's _book/: the HTML site and the Typst PDF), as a reader gets it.

Each function takes the project folder after `quarto render` and returns a list of problems, one
readable line each (empty: fine), so `assert check(...) == []` prints what is wrong. They read the
rendered files only (HTML with the standard library's parser, the PDF with pypdfium2), plus the
executed notebooks for what the book should contain.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import nbformat

# Quarto/Pandoc syntax that must never reach a reader as text
LITERAL_SYNTAX = ("{tbl-", "{#", ":::", "?@", "{{<", "{fig-")
# a Python object's repr leaked as a cell's result
REPR = re.compile(r"<[A-Za-z_][\w.]*(\(| object at 0x)")
# the only warning Quarto may print here (the offline build has no typst-gather)
KNOWN_WARNING = "typst-gather analyze failed"
NO_CELLS = re.compile(r"\b(next|previous|this|the following|above|below) (code )?cells?\b", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------- Quarto

def quarto_warnings(output: str) -> list[str]:
    """Lines of Quarto's output that warn about anything but the known typst-gather notice."""
    out = []
    lines = re.sub(r"\x1b\[[0-9;]*m", "", output).splitlines()
    for i, line in enumerate(lines):
        if re.search(r"\bWARN(ING)?\b", line) and KNOWN_WARNING not in line:
            out.append(line.strip() + (f" / {lines[i + 1].strip()}" if i + 1 < len(lines) else ""))
    return out


# ---------------------------------------------------------------------------------------------- HTML

class _Text(HTMLParser):
    """The visible text of a page's main content (code blocks kept apart), and its sidebar links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.code: list[str] = []
        self.sidebar: list[tuple[str, str]] = []   # (kind, text): kind "part" | "chapter"
        self._skip = 0
        self._pre = 0
        self._main = 0
        self._side = 0
        self._item = 0      # depth of <span> inside a sidebar entry's menu-text span
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag in ("script", "style", "noscript"):
            self._skip += 1
        if tag in ("pre", "code"):
            self._pre += 1
        if tag == "main":
            self._main += 1
        if tag == "nav" and "sidebar" in (a.get("id") or "") + cls:
            self._side += 1
        if self._item and tag == "span":
            self._item += 1
        elif self._side and tag == "span" and "menu-text" in cls:
            self._item, self._buf = 1, []
        if tag in ("p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "figcaption", "br"):
            (self.code if self._pre else self.text).append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript"):
            self._skip -= 1
        if tag in ("pre", "code"):
            self._pre -= 1
        if tag == "main":
            self._main -= 1
        if tag == "nav" and self._side:
            self._side -= 1
        if tag == "span" and self._item:
            self._item -= 1
            if not self._item:
                self.sidebar.append(("item", " ".join("".join(self._buf).split())))

    def handle_data(self, data):
        if self._item:
            self._buf.append(data)
        if self._skip or not self._main:
            return
        (self.code if self._pre else self.text).append(data)


def html_page(path: Path) -> _Text:
    p = _Text()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def html_pages(book: Path) -> list[Path]:
    return sorted([book / "index.html", *(book / "report").glob("*.html")])


def html_problems(book: Path) -> list[str]:
    """Literal Quarto/Pandoc syntax, unresolved cross-references, leaked reprs and references to
    notebook cells in the visible text of every page."""
    out = []
    for page in html_pages(book):
        raw = page.read_text(encoding="utf-8")
        text = "".join(html_page(page).text)
        name = page.relative_to(book).as_posix()
        for token in LITERAL_SYNTAX:
            for m in re.finditer(re.escape(token), text):
                out.append(f"{name}: literal {token!r} in the text: …{_around(text, m.start())}…")
        if "quarto-unresolved-ref" in raw:
            out.append(f"{name}: an unresolved cross-reference (class quarto-unresolved-ref)")
        for m in REPR.finditer(text):
            out.append(f"{name}: a Python repr in the text: …{_around(text, m.start())}…")
        for m in NO_CELLS.finditer(text):
            out.append(f"{name}: refers to notebook cells the book does not show: …{_around(text, m.start())}…")
    return out


def sidebar_entries(book: Path) -> list[str]:
    return [t for _, t in html_page(book / "index.html").sidebar]


def _around(text: str, i: int, n: int = 40) -> str:
    return " ".join(text[max(0, i - n): i + n].split())


# ---------------------------------------------------------------------------------------------- PDF

@dataclass
class PdfPage:
    number: int                 # 1-based
    width: float
    height: float
    words: list[tuple[str, float, float, float, float, float]] = field(default_factory=list)
    # (text, x0, y0, x1, y1, size): the box of the word's glyphs and its font size (pt) from the loose box
    images: int = 0

    @property
    def text(self) -> str:
        return " ".join(w[0] for w in self.words)


@dataclass
class Pdf:
    pages: list[PdfPage]
    outline: list[tuple[int, str, int]]   # (level, title, page number)


def read_pdf(path: Path) -> Pdf:
    """Words with their boxes, image counts and the outline of every page (pypdfium2)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(path))
    pages = []
    for i in range(len(doc)):
        page = doc[i]
        w, h = page.get_size()
        tp = page.get_textpage()
        words, cur, box = [], [], None
        for k in range(tp.count_chars()):
            ch = tp.get_text_range(k, 1)
            if not ch or ch.isspace() or ch in "\u200b\ufffe\u00ad":
                if cur:
                    words.append(("".join(cur), *box))
                    cur, box = [], None
                continue
            x0, y0, x1, y1 = tp.get_charbox(k)
            _, ly0, _, ly1 = tp.get_charbox(k, loose=True)
            if cur and box is not None and (x0 - box[2] > 1.5 or abs(y0 - box[1]) > 3):
                words.append(("".join(cur), *box))
                cur, box = [], None
            cur.append(ch)
            size = ly1 - ly0
            box = (x0, y0, x1, y1, size) if box is None else (min(box[0], x0), min(box[1], y0), max(box[2], x1),
                                                               max(box[3], y1), max(box[4], size))
        if cur:
            words.append(("".join(cur), *box))
        images = sum(1 for _ in page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=3))
        pages.append(PdfPage(i + 1, w, h, words, images))
    outline = []
    for item in doc.get_toc():
        title = item.get_title() if hasattr(item, "get_title") else item.title
        dest = item.get_dest() if hasattr(item, "get_dest") else None
        index = dest.get_index() if dest is not None and hasattr(dest, "get_index") else getattr(item, "page_index", None)
        outline.append((item.level, title, (index or 0) + 1))
    return Pdf(pages, outline)


def text_block(pdf: Pdf) -> dict[int, tuple[float, float]]:
    """The text block's left and right edge for odd and even pages (a book's margins alternate):
    the most common left edge of a line, and the most common right edge of justified lines."""
    out = {}
    for parity in (0, 1):
        lefts, rights = Counter(), Counter()
        for p in pdf.pages:
            if p.number % 2 != parity:
                continue
            for line in _lines(p):
                if max(w[5] for w in line) > HEADING_PT:
                    continue
                lefts[round(line[0][1])] += 1
                rights[round(line[-1][3])] += 1
        if lefts and rights:
            out[parity] = (float(lefts.most_common(1)[0][0]), float(rights.most_common(1)[0][0]))
    return out


def _lines(page: PdfPage) -> list[list[tuple]]:
    rows: dict[int, list[tuple]] = {}
    for w in page.words:
        rows.setdefault(round(w[2] / 2), []).append(w)
    return [sorted(ws, key=lambda w: w[1]) for _, ws in sorted(rows.items())]


HEADING_NUMBER = re.compile(r"^([A-Z]\.?)?[\d.]*$")
HEADING_PT = 13.0   # the body is 10 pt; larger words are headings, which the book format sets in boxes


def words_outside_block(pdf: Pdf, skip: set[int] = frozenset(), tolerance: float = 3.0) -> list[str]:
    """Words that reach past the text block's left or right edge (tables and code included). Not
    overflow, by the book format's design: the cover (page 1) and the part pages (`skip`), chapter
    titles in their box that reaches into the margin, section numbers set in the left margin, and a
    hyphen hanging at the end of a justified line."""
    block = text_block(pdf)
    out = []
    for p in pdf.pages[1:]:
        if p.number % 2 not in block or p.number in skip:
            continue
        left, right = block[p.number % 2]
        for text, x0, _, x1, _, size in p.words:
            if size > HEADING_PT or (x1 <= left + tolerance and HEADING_NUMBER.match(text)):
                continue
            if text in ("-", "\u2010", "\u2013") and x1 <= right + 6:
                continue
            if x0 < left - tolerance or x1 > right + tolerance:
                out.append(f"p. {p.number}: {text!r} at x {x0:.0f}–{x1:.0f} pt, text block {left:.0f}–{right:.0f} pt")
    return out


def words_below_the_text(pdf: Pdf) -> list[str]:
    """Words at or below the footer's page number (a table or figure that ran off the page)."""
    out = []
    for p in pdf.pages[1:]:
        numbers = [w for w in p.words if w[0].isdigit()]
        if not numbers:
            continue
        footer = min(numbers, key=lambda w: w[2])
        if footer[2] > 0.15 * p.height:   # no footer line on this page
            continue
        number = [w for w in numbers if abs(w[2] - footer[2]) < 2]   # its digits may come as separate words
        low = [w for w in p.words if w not in number and w[2] <= footer[4]]
        out += [f"p. {p.number}: {w[0]!r} at y {w[2]:.0f} pt, below the text (page number at {footer[2]:.0f} pt)"
                for w in low[:5]]
    return out


def empty_pages(pdf: Pdf, starts: set[int]) -> list[str]:
    """Pages with no text and no image, other than a blank verso (an even page) before a page on
    which a part or a chapter starts (`starts`, from the outline): the book's binding forces those."""
    out = []
    for p in pdf.pages:
        blank = p.images == 0 and all(w[0].isdigit() for w in p.words)
        if blank and not (p.number % 2 == 0 and p.number + 1 in starts) and p.number != 2:
            out.append(f"p. {p.number}: empty")
    return out


def normalise(text: str) -> str:
    """Text compared across formats: no whitespace, soft hyphens, zero-width spaces or ligatures, and
    pandoc's smart punctuation read back as typed ("..." is set as an ellipsis)."""
    text = text.replace("\u2026", "...").replace("\ufb01", "fi").replace("\ufb02", "fl").replace("\ufb00", "ff").replace("\u00ad", "")
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"[\s\u200b]+", "", text)


# ---------------------------------------------------------------------------------------------- what the book should hold

def executed_notebooks(proj: Path) -> list[Path]:
    return sorted((proj / "report").glob("*.ipynb"))


def _outputs_markdown(nb_path: Path) -> list[str]:
    nb = nbformat.read(str(nb_path), as_version=4)
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out.append("".join(cell.source))
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if "text/markdown" in data:
                md = data["text/markdown"]
                out.append("".join(md) if isinstance(md, list) else md)
    return out


def figures_of(nb_path: Path) -> list[str]:
    """The figure labels (fig-...) an executed notebook shows."""
    return [m for md in _outputs_markdown(nb_path) for m in re.findall(r"\]\([^)]+\.png\)\{#(fig-[\w-]+)", md)]


def table_cells(nb_path: Path) -> list[str]:
    """The text of every cell of every table an executed notebook shows, markup removed."""
    from mlplab.reporting import markdown_tables

    cells = []
    for md in _outputs_markdown(nb_path):
        for t in markdown_tables(md):
            for row in [t.header, *t.rows]:
                cells.extend(_plain_cell(c) for c in row)
    return [c for c in cells if c]


def _plain_cell(cell: str) -> str:
    text = cell.replace("`", "").replace("**", "").replace("\\_", "_").replace("\\|", "|").replace("&nbsp;", " ")
    text = re.sub(r"\\([*_`\\<>\[\]])", r"\1", text)
    return text.strip()


def cells_changed_in_pdf(pdf: Pdf, cells: list[str]) -> list[str]:
    """Table cells whose opening (its first two words) is not in the PDF's text as written: Typst
    markup read a leading "+ ", "- ", "= ", "/ " or "1. " as a list or heading, or a character was
    dropped. Whitespace is ignored (cells wrap)."""
    from mlplab.reporting import typeset

    whole = normalise(" ".join(p.text for p in pdf.pages))
    out = []
    for cell in dict.fromkeys(cells):
        head = normalise(" ".join(typeset(cell).split()[:2]))
        if head and head not in whole:
            out.append(f"table cell {cell[:60]!r}: {head!r} is not in the PDF's text")
    return out


def outline_titles(pdf: Pdf) -> list[str]:
    return [" ".join(t.split()) for _, t, _ in pdf.outline]


def chapter_titles(nb_path: Path) -> str:
    """The first level-1 heading of an executed notebook (its chapter title), markup removed."""
    nb = nbformat.read(str(nb_path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^# (.+?)(\s*\{[^}]*\})?\s*$", "".join(cell.source), re.MULTILINE)
            if m:
                return m.group(1).strip()
    return ""


def on_a_par_too_wide(proj: Path) -> list[str]:
    """Verdict records (results files) and verdict-table rows (executed notebooks) that say "on a par"
    with an interval reaching past the metric's margin of parity."""
    from mlplab.experiment.verdict import PAR
    from mlplab.reporting import markdown_tables

    out = []
    for f in sorted((proj / "report" / "_results").glob("*.json")):
        doc = json.loads(f.read_text())
        for v in doc.get("verdicts") or []:
            if v.get("word") == PAR and (v.get("margin") is None or v.get("low") is None
                                          or v["low"] < -v["margin"] - 1e-12 or v["high"] > v["margin"] + 1e-12):
                out.append(f"{f.name}: {v['a']} against {v['b']} ({v['metric']}) is 'on a par' with interval "
                           f"{v.get('low')} to {v.get('high')} and margin {v.get('margin')}")
    for nb_path in executed_notebooks(proj):
        for md in _outputs_markdown(nb_path):
            for t in markdown_tables(md):
                head = [_plain_cell(h).lower() for h in t.header]
                if "verdict" not in head:
                    continue
                for row in t.rows:
                    cells = dict(zip(head, (_plain_cell(c) for c in row)))
                    if cells.get("verdict") == PAR and not any("interval" in h for h in head):
                        out.append(f"{nb_path.name}: a verdict table ({t.label}) says 'on a par' without its interval")
    return out


def verdict_tables_without_evidence(proj: Path) -> list[str]:
    """Tables whose cells print a verdict word but not what it rests on: a difference, its interval and n (the
    number of paired splits or seeds, headed "n", "seeds" or "splits")."""
    from mlplab.experiment.verdict import WORDS
    from mlplab.reporting import markdown_tables

    out = []
    for nb_path in executed_notebooks(proj):
        for md in _outputs_markdown(nb_path):
            for t in markdown_tables(md):
                head = [_plain_cell(h).lower() for h in t.header]
                if not any(_plain_cell(c) in WORDS for row in t.rows for c in row):
                    continue
                has = {"difference": any("difference" in h or "change in" in h or "\u2212" in h for h in head),
                       "interval": any("interval" in h for h in head),
                       "n": any(h in ("n", "seeds") or "splits" in h for h in head)}
                missing = [k for k, ok in has.items() if not ok]
                if missing:
                    out.append(f"{nb_path.name}: {t.label or 'a table'} prints verdicts without {', '.join(missing)}")
    return out


def _caption_of(md: str) -> str | None:
    m = re.search(r"!\[(.*)\]\([^)]+\.png\)\{#fig-", md, re.DOTALL)
    if m:
        return m.group(1)
    m = re.search(r"^: (.*?)\s*\{#tbl-[\w-]+\}\s*$", md, re.MULTILINE)
    if m:
        return m.group(1)
    m = re.search(r"^::: \{#tbl-[\w-]+\}.*\n\n(.+?)\n:::\s*$", md, re.DOTALL)
    return m.group(1).strip() if m else None


def _sentences(text: str) -> set[str]:
    return {" ".join(s.split()) for s in re.split(r"(?<=[.:;])\s+", text) if len(s.split()) >= 8}


def repeated_captions(nb_path: Path) -> list[str]:
    """A caption sentence repeated word for word by the paragraph right after its figure or table."""
    outs = _outputs_markdown(nb_path)
    problems = []
    for md, nxt in zip(outs, outs[1:]):
        cap = _caption_of(md)
        if cap is None or _caption_of(nxt) is not None or "|" in nxt:
            continue
        for s in _sentences(cap.replace("Takeaway: ", "")) & _sentences(nxt):
            problems.append(f"{nb_path.name}: the text after a caption repeats it: {s[:90]!r}")
    return problems
