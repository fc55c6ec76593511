"""The PDF summary's assessment table: each assessment's stages, grade, Minnesota risk and
response (MAGIC; docs/clinical-rules.md §1–§4), its raw findings on a grey line under it,
"n/m" for what was not measured and "*" for a grade computed without it (§7), and, when the
course does not fit its space, the first and last rows and the verdict's row with a count of
each run of rows left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from srgvhd.clinical.case import Assessment, Case
from srgvhd.clinical.course import steroid_phase
from srgvhd.clinical.results import AssessmentResult, CourseResult
from srgvhd.i18n import N_, _
from srgvhd.report import pdfkit as kit
from srgvhd.report import text as words
from srgvhd.report.pdfkit import FONT, PAGE_WIDTH

ROW_MM = 3.9
FINDINGS_MM = 2.9
GAP_MM = 3.6
LEGEND_MM = 3.4
FINDINGS_INDENT = 20.0  # under the Day column
FINDINGS_WIDTH = PAGE_WIDTH - FINDINGS_INDENT
FINDINGS_PT = 6.6
FINDINGS_LINES = 3  # a row's findings, wrapped, at most (cut with "…" beyond)
ASSESSMENT_COLUMNS: tuple[tuple[str, float], ...] = (
    # widths (mm) from the longest heading or value of each column in zh/de/fr; the response
    # takes the rest ("sehr gutes partielles Ansprechen (VGPR)")
    (N_("Date"), 20),
    (N_("Day"), 9),
    (N_("Skin"), 11),
    (N_("Liver"), 12),
    (N_("Upper GI"), 17),
    (N_("Lower GI"), 16),
    (N_("Grade"), 12),
    (N_("Minnesota risk"), 30),
    (N_("Response"), 59),
)


@dataclass(frozen=True)
class TableRow:
    """One printed assessment: the engine's row and the raw findings it was staged from,
    wrapped to the findings line's width (never cut)."""

    result: AssessmentResult
    findings: tuple[str, ...]

    @property
    def height(self) -> float:
        return ROW_MM + FINDINGS_MM * len(self.findings)


def table_rows(
    pdf: FPDF, case: Case, course: CourseResult, findings_lines: int = FINDINGS_LINES
) -> list[TableRow]:
    """The result's assessment rows, each with its case assessment's findings (same order) on
    at most ``findings_lines`` lines."""
    pdf.set_font(FONT, "", FINDINGS_PT)

    def findings(a: Assessment) -> tuple[str, ...]:
        if a.measurements is None:
            return ()
        return tuple(
            kit.lines(
                pdf,
                words.findings_text(a.measurements, legacy=case.legacy),
                FINDINGS_WIDTH,
                findings_lines,
            )
        )

    return [
        TableRow(r, findings(a))
        for r, a in zip(course.assessments, steroid_phase(case).assessments, strict=True)
    ]


def _gaps(count: int, keep: Sequence[int]) -> list[tuple[int, int]]:
    """(position in ``keep`` before which, rows left out) for each run of left-out rows; a run
    after the last kept row has position ``len(keep)``."""
    bounds = [-1, *keep, count]
    return [
        (i, bounds[i + 1] - bounds[i] - 1)
        for i in range(len(bounds) - 1)
        if bounds[i + 1] - bounds[i] > 1
    ]


def table_height(rows: Sequence[TableRow], keep: Sequence[int]) -> float:
    """Height of the kept rows plus one "… N more" line per gap."""
    return sum(rows[k].height for k in keep) + GAP_MM * len(_gaps(len(rows), keep))


def kept_rows(rows: Sequence[TableRow], verdict: int | None, total: int) -> list[int]:
    """The first ⌈total/2⌉ and last ⌊total/2⌋ rows, and the verdict's row."""
    head = (total + 1) // 2
    keep = set(range(head)) | set(range(len(rows) - (total - head), len(rows)))
    return sorted(keep | ({verdict} if verdict is not None else set()))


def shown_rows(rows: Sequence[TableRow], verdict: int | None, budget_mm: float) -> list[int]:
    """Indexes of the rows to print within ``budget_mm``: all when they fit, else as many of the
    first and last rows as fit, always with the verdict's row."""
    everything = list(range(len(rows)))
    if table_height(rows, everything) <= budget_mm:
        return everything
    low, high = 2, len(rows) - 1  # the largest total that fits (at least the first and last)
    while low < high:
        mid = (low + high + 1) // 2
        if table_height(rows, kept_rows(rows, verdict, mid)) <= budget_mm:
            low = mid
        else:
            high = mid - 1
    return kept_rows(rows, verdict, low)


def _cells(row: AssessmentResult) -> list[str]:
    """One assessment as table cells; a stage not measured prints as "n/m"."""
    return [
        words.day_date(row.date),
        str(row.day),
        *(words.stage_text(stage) for stage in row.stages.as_dict().values()),
        words.grade_text(row.grade, row.grade_incomplete),
        words.minnesota_text(row.minnesota_risk),
        words.response_text(row.response),
    ]


def table_legend(rows: Sequence[TableRow]) -> str:
    """What bold, the grey lines, n/m, "blank" and * mean, for the marks in the table."""
    parts = [_("MAGIC organ stages; response vs the day-0 baseline; the verdict's row in bold.")]
    if any(r.findings for r in rows):
        parts.append(_("Grey line: the findings the stages were derived from."))
    cells = [text for r in rows for text in (*_cells(r.result), *r.findings)]
    legends = words.marks_legend(cells, any(r.result.grade_incomplete for r in rows))
    parts += [_("{legend}.", legend=legend) for legend in legends]
    return " ".join(parts)


def draw_table(
    pdf: FPDF,
    rows: Sequence[TableRow],
    shown: Sequence[int],
    verdict: int | None,
    legend: list[str],
) -> None:
    """Assessment table with each row's findings under it, gaps counted, legend below."""
    kit.heading(pdf, _("Assessments"))
    gaps = dict(_gaps(len(rows), shown))
    columns = len(ASSESSMENT_COLUMNS)
    # Each text line of the table takes FINDINGS_MM; a row of cells at least ROW_MM, a "… N
    # more" line GAP_MM: the heights table_height() plans with.
    with kit.table(pdf, ASSESSMENT_COLUMNS, line_mm=FINDINGS_MM) as drawn:
        kit.heading_row(pdf, drawn, ASSESSMENT_COLUMNS, ROW_MM)
        for position, i in enumerate([*shown, None]):
            if position in gaps:
                kit.spanning_row(
                    drawn,
                    [_("… {n} more assessments in the app", n=gaps[position])],
                    columns=columns,
                    size=7.5,
                    color=(0, 0, 0),
                    min_mm=GAP_MM,
                )
            if i is None:
                break
            row = rows[i]
            kit.table_row(
                pdf,
                drawn,
                _cells(row.result),
                ASSESSMENT_COLUMNS,
                row_mm=ROW_MM,
                bold=i == verdict,
                rule=not row.findings,
            )
            if row.findings:
                kit.spanning_row(
                    drawn,
                    row.findings,
                    columns=columns,
                    size=FINDINGS_PT,
                    indent_columns=1,
                    rule=True,
                )
    pdf.set_text_color(*kit.GREY_TEXT)
    for line in legend:
        pdf.set_font(FONT, "", 6.8)
        pdf.cell(PAGE_WIDTH, LEGEND_MM, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def verdict_index(course: CourseResult) -> int | None:
    """The row of the assessment the verdict was given on, if any."""
    date = course.status.date
    return next((i for i, a in enumerate(course.assessments) if a.date == date), None)
