"""fpdf2 building blocks of the one-page summary: fonts, wrapped text, tables, vector curve.

Fonts, registered with fpdf2's own ``add_font`` (it subsets each font to the glyphs a document
uses) under one family name, ``FONT``: DejaVu Sans (shipped with matplotlib, found without
importing it) so that ≥, µ and × print; in Simplified Chinese Noto Sans CJK SC (Debian
``fonts-noto-cjk``), whose Latin letters match its Chinese ones, with DejaVu as fpdf2's fallback
for the few signs Noto lacks (⁹ in ×10⁹/L). The survival curve is drawn with fpdf2 vector lines
(no raster image, no matplotlib).
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from fpdf import FPDF, FontFace
from fpdf.enums import CellBordersLayout, MethodReturnValue, TextEmphasis, XPos, YPos
from fpdf.table import Table

from srgvhd.i18n import _, current

if TYPE_CHECKING:
    from srgvhd.risk.predict import SurvivalCurve

FONT = "Body"  # the family every text is set in; which font it is depends on the language
FALLBACK_FONT = "DejaVu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# Noto Sans CJK as Debian's fonts-noto-cjk installs it; face 2 of each collection is the
# Simplified Chinese one (JP, KR, SC, TC, HK).
CJK_FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"),)
CJK_FONT_FILES = {"": "NotoSansCJK-Regular.ttc", "B": "NotoSansCJK-Bold.ttc"}
CJK_COLLECTION_INDEX = 2
CJK_LANGUAGES = ("zh",)
PAGE_LEFT = 12.0
PAGE_WIDTH = 186.0  # A4 210 mm minus 12 mm margins
TABLE_FONT_PT = 7.8
MIN_CELL_PT = 6.8  # a table cell wider than its column is set down to this size before a cut
GREY_TEXT = (90, 90, 90)
CURVE_RGB = (31, 78, 121)
BAND_RGB = (205, 216, 228)
GUIDE_RGB = (110, 110, 110)


def ttf_dir() -> Path:
    """matplotlib's TrueType folder, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            _("matplotlib (needed for the DejaVu fonts of the PDF) is not installed")
        )
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


def cjk_font_file(style: str) -> Path:
    """The Noto Sans CJK collection of ``style``; RuntimeError naming the package when absent."""
    for folder in CJK_FONT_DIRS:
        path = folder / CJK_FONT_FILES[style]
        if path.is_file():
            return path
    raise RuntimeError(
        _(
            "the Chinese PDF needs the Noto Sans CJK fonts (Debian package fonts-noto-cjk), "
            "not found in {folders}",
            folders=", ".join(str(d) for d in CJK_FONT_DIRS),
        )
    )


def add_fonts(pdf: FPDF, lang: str | None = None) -> None:
    """Register the fonts of a document in ``lang`` (default: the current language) with
    ``pdf`` as the family ``FONT``: DejaVu Sans; in Chinese Noto Sans CJK SC, with DejaVu Sans
    as the fallback font."""
    lang = lang or current().lang
    if lang not in CJK_LANGUAGES:
        for style, name in FONT_FILES.items():
            pdf.add_font(FONT, style, ttf_dir() / name)
        return
    for style in CJK_FONT_FILES:
        pdf.add_font(FONT, style, cjk_font_file(style), collection_font_number=CJK_COLLECTION_INDEX)
    for style, name in FONT_FILES.items():
        pdf.add_font(FALLBACK_FONT, style, ttf_dir() / name)
    pdf.set_fallback_fonts([FALLBACK_FONT])


# --- text ---------------------------------------------------------------------------------------
def _wrapped(pdf: FPDF, body: str, width: float) -> list[str]:
    """``body`` wrapped to ``width`` at ``pdf``'s current font (fpdf2's own line breaking,
    measured without drawing)."""
    return list(pdf.multi_cell(width, text=body, dry_run=True, output=MethodReturnValue.LINES))


def lines(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    """``text`` wrapped to ``width`` at the current font, at most ``max_lines`` lines; a cut
    text ends with "…"."""
    wrapped = _wrapped(pdf, text, width)
    if len(wrapped) <= max_lines:
        return wrapped
    kept = wrapped[:max_lines]
    last = kept[-1]
    while last and pdf.get_string_width(last + " …") > width:
        last = last[:-1]
    return [*kept[:-1], last.rstrip() + " …"]


def clip(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut to ``width`` at the current font, ending with "…" when cut."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def text(
    pdf: FPDF,
    body: str,
    *,
    size: float = 8.5,
    style: str = "",
    width: float = PAGE_WIDTH,
    line_mm: float = 4.0,
    max_lines: int = 2,
    x: float = PAGE_LEFT,
) -> None:
    """Wrapped plain text at the cursor, within its line budget."""
    pdf.set_font(FONT, style, size)
    for line in lines(pdf, body, width, max_lines):
        pdf.set_x(x)
        pdf.cell(width, line_mm, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def heading(pdf: FPDF, title: str) -> None:
    """A section heading with a rule under it."""
    pdf.ln(1.6)
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(31, 78, 121)
    pdf.cell(PAGE_WIDTH, 5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(31, 78, 121)
    pdf.line(PAGE_LEFT, pdf.get_y(), PAGE_LEFT + PAGE_WIDTH, pdf.get_y())
    pdf.set_text_color(0, 0, 0)
    pdf.ln(0.8)


HEADER_FILL = (228, 233, 238)
RULE_GREY = (160, 160, 160)


@contextmanager
def table(
    pdf: FPDF,
    columns: Sequence[tuple[str, float]],
    *,
    line_mm: float,
    x: float = PAGE_LEFT,
) -> Iterator[Table]:
    """fpdf2's own table (``pdf.table``) at ``x`` with ``columns`` (heading, width mm): rows
    are added with ``heading_row`` and ``table_row``; each text line takes ``line_mm``, a row
    at least its ``min_mm``. Rules under rows, no vertical lines; drawn when the block ends."""
    left = pdf.l_margin
    pdf.set_left_margin(x)
    pdf.set_x(x)
    pdf.set_draw_color(*RULE_GREY)
    pdf.set_fill_color(0)  # fpdf2's default: the table starts from no fill and black text
    pdf.set_text_color(0)
    pdf.set_font(FONT, "", TABLE_FONT_PT)
    try:
        with pdf.table(
            col_widths=[width for _name, width in columns],
            width=sum(width for _name, width in columns),
            align="LEFT",
            v_align="MIDDLE",
            text_align="LEFT",
            borders_layout="NONE",
            first_row_as_headings=False,
            line_height=line_mm,
            padding=0,
        ) as drawn:
            yield drawn
    finally:
        pdf.set_left_margin(left)
        pdf.set_x(left)


def heading_row(
    pdf: FPDF, drawn: Table, columns: Sequence[tuple[str, float]], row_mm: float
) -> None:
    """The columns' headings, bold on a grey band."""
    face = FontFace(
        family=FONT, emphasis=TextEmphasis.B, size_pt=TABLE_FONT_PT, fill_color=HEADER_FILL
    )
    table_row(pdf, drawn, [_(name) for name, _w in columns], columns, row_mm=row_mm, face=face)


def table_row(
    pdf: FPDF,
    drawn: Table,
    cells: Sequence[str],
    columns: Sequence[tuple[str, float]],
    *,
    row_mm: float,
    bold: bool = False,
    rule: bool = True,
    face: FontFace | None = None,
) -> None:
    """One row of ``drawn``, one line per cell: a cell wider than its column is set smaller
    (down to ``MIN_CELL_PT``) and only then cut; a rule under the row unless ``rule`` is False
    (findings follow)."""
    emphasis = TextEmphasis.B if bold else TextEmphasis.NONE
    face = face or FontFace(family=FONT, emphasis=emphasis, size_pt=TABLE_FONT_PT)
    style = "B" if face.emphasis == TextEmphasis.B else ""
    fitted = [
        _fitted(pdf, cell, width - 2 * pdf.c_margin, style)
        for cell, (_name, width) in zip(cells, columns, strict=True)
    ]
    pdf.set_font(FONT, "", TABLE_FONT_PT)  # the table's own starting style stays regular
    row = drawn.row(style=face, min_height=row_mm)
    border = CellBordersLayout.BOTTOM if rule else CellBordersLayout.NONE
    for text, size in fitted:
        smaller = None if size == TABLE_FONT_PT else replace(face, size_pt=size)
        row.cell(text, border=border, style=smaller)


def _fitted(pdf: FPDF, cell: str, width: float, style: str) -> tuple[str, float]:
    """``cell`` and the font size at which it fits ``width``, cut only below ``MIN_CELL_PT``."""
    size = TABLE_FONT_PT
    pdf.set_font(FONT, style, size)
    while pdf.get_string_width(cell) > width and size > MIN_CELL_PT:
        size = max(MIN_CELL_PT, size - 0.25)
        pdf.set_font(FONT, style, size)
    return clip(pdf, cell, width), size


def spanning_row(
    drawn: Table,
    lines: Sequence[str],
    *,
    columns: int,
    size: float,
    indent_columns: int = 0,
    rule: bool = False,
    color: tuple[int, int, int] = GREY_TEXT,
    min_mm: float | None = None,
) -> None:
    """Lines already wrapped to the width of the columns after ``indent_columns`` (grey, small):
    a row of findings under an assessment, or a "… N more" line across the table."""
    face = FontFace(family=FONT, emphasis=TextEmphasis.NONE, size_pt=size, color=color)
    border = CellBordersLayout.BOTTOM if rule else CellBordersLayout.NONE
    row = drawn.row(style=face, min_height=min_mm)
    for _column in range(indent_columns):
        row.cell("", border=border)
    row.cell("\n".join(lines), colspan=columns - indent_columns, border=border)


# --- survival curve -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Box:
    """A plot area on the page (mm) and the data range it shows."""

    x: float
    y: float
    w: float
    h: float
    x_max: float

    def px(self, day: float) -> float:
        return self.x + self.w * day / self.x_max

    def py(self, survival: float) -> float:
        return self.y + self.h * (1 - survival)


def _steps(
    days: Sequence[float], values: Sequence[float | None], x_max: float
) -> Iterator[list[tuple[float, float]]]:
    """Runs of a right-continuous step function as (day, value) corner points, split where the
    value is null (beyond follow-up) and cut at ``x_max``."""
    run: list[tuple[float, float]] = []
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        if day > x_max:
            break
        if value is None or math.isnan(value):
            if run:
                yield run
            run = []
            continue
        if run:
            run.append((day, run[-1][1]))
        run.append((day, value))
        following = days[i + 1] if i + 1 < len(days) else day
        if following > x_max:
            run.append((x_max, value))
    if run:
        yield run


def _band_polygons(curve: SurvivalCurve, box: Box) -> Iterator[list[tuple[float, float]]]:
    """The 95% band as closed polygons: the upper step line, then the lower one reversed."""
    uppers = list(_steps(curve.days, curve.upper, box.x_max))
    lowers = list(_steps(curve.days, curve.lower, box.x_max))
    for upper, lower in zip(uppers, lowers, strict=False):
        outline = upper + lower[::-1]
        yield [(box.px(d), box.py(s)) for d, s in outline]


def _axes(pdf: FPDF, box: Box, x_ticks: Sequence[int], marks: Sequence[int]) -> None:
    """Frame, y grid at 0/25/50/75/100%, x ticks, dotted guides at ``marks``, axis titles."""
    pdf.set_font(FONT, "", 6.3)
    pdf.set_text_color(*GREY_TEXT)
    pdf.set_line_width(0.1)
    for pct in (0, 25, 50, 75, 100):
        y = box.py(pct / 100)
        pdf.set_draw_color(225, 225, 225)
        pdf.line(box.x, y, box.x + box.w, y)
        pdf.set_xy(box.x - 9, y - 1.5)
        pdf.cell(8, 3, f"{pct}%", align="R")
    pdf.set_draw_color(*GUIDE_RGB)
    pdf.set_dash_pattern(dash=0.6, gap=0.6)
    for mark in marks:
        pdf.line(box.px(mark), box.y, box.px(mark), box.y + box.h)
    pdf.set_dash_pattern()
    pdf.set_draw_color(120, 120, 120)
    pdf.line(box.x, box.y + box.h, box.x + box.w, box.y + box.h)
    pdf.line(box.x, box.y, box.x, box.y + box.h)
    for tick in x_ticks:
        pdf.set_xy(box.px(tick) - 5, box.y + box.h + 0.4)
        pdf.cell(10, 2.8, str(tick), align="C")
    pdf.set_xy(box.x, box.y + box.h + 3.2)
    pdf.cell(box.w, 2.8, _("days from start of second-line therapy"), align="C")
    pdf.set_text_color(0, 0, 0)


def survival_curve(pdf: FPDF, curve: SurvivalCurve, box: Box, marks: Sequence[int]) -> None:
    """Predicted survival (step line) with its 95% band (filled) in ``box``; dotted guides at
    ``marks`` (the estimate's horizons) and a small legend above the plot."""
    _axes(pdf, box, sorted({0, 90, *marks}), marks)
    pdf.set_fill_color(*BAND_RGB)
    for polygon in _band_polygons(curve, box):
        pdf.polygon(polygon, style="F")
    pdf.set_draw_color(*CURVE_RGB)
    pdf.set_line_width(0.4)
    for run in _steps(curve.days, curve.estimate, box.x_max):
        pdf.polyline([(box.px(d), box.py(s)) for d, s in run])
    pdf.set_line_width(0.2)
    # legend
    y = box.y - 2.6
    pdf.line(box.x + 1, y, box.x + 6, y)
    pdf.set_fill_color(*BAND_RGB)
    pdf.rect(box.x + 24, y - 1, 5, 2, style="F")
    pdf.set_font(FONT, "", 6.3)
    pdf.set_text_color(*GREY_TEXT)
    pdf.set_xy(box.x + 6.5, y - 1.4)
    pdf.cell(16, 2.8, _("estimate"))
    pdf.set_xy(box.x + 29.5, y - 1.4)
    pdf.cell(30, 2.8, _("95% band · overall survival"))
    pdf.set_text_color(0, 0, 0)
