"""The one-page summary's second-line section (docs/clinical-rules.md §8), in fixed height.

Therapy and start, infusions, the responses against the second-line baseline, the week-4
response and progression, the study's week-4 CR rates for the patient's subgroups (both arms;
REACH2 for ruxolitinib) and the survival for a patient alive on day d of second line. Each item
is wrapped to at most two lines, so ``height_mm`` is known before the page is laid out and the
summary stays one page (``srgvhd.report.summary`` gives the assessment table what is left).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from srgvhd.clinical.second_line import DOSE_OUTSIDE_STUDY
from srgvhd.i18n import N_, _, current
from srgvhd.literature.second_line import NIU_SOURCE
from srgvhd.report import pdfkit as kit
from srgvhd.report import second_line_text as words
from srgvhd.report.pdfkit import FONT, PAGE_WIDTH
from srgvhd.report.text import day_date, engine_text, number, response_text, survival_text

if TYPE_CHECKING:
    from srgvhd.clinical.results import SecondLineResult
    from srgvhd.risk.patient import PatientResult
    from srgvhd.risk.predict import ConditionalSurvival

HEADING_MM = 7.4  # kit.heading's height
SHORT_THERAPY = {
    "uc-msc": N_("UC-MSC + standard therapy"),
    "standard": N_("standard therapy alone"),
}
SIZE_PT, LINE_MM, MOST_LINES = 7.4, 3.3, 2
Line = tuple[str, str, float]  # (text, style, height mm)


def _items(
    second: SecondLineResult, conditional: ConditionalSurvival | None
) -> list[tuple[str, str]]:
    """(text, style) of each item of the section."""
    items = []
    infusions = words.infusions_text(second, sentence=True)
    if infusions:
        items.append((infusions, ""))
    base = second.baseline_date
    judged = words.semicolons(
        _("day {day} {response}", day=a.day, response=response_text(a.response))
        for a in second.assessments
    ) or _(words.NONE_YET)
    items.append(
        (
            _(
                "Responses against the second-line baseline ({date}): {responses}.",
                date=day_date(base),
                responses=judged,
            )
            if base
            else _(
                "No second-line baseline: {responses}; record an assessment on the start date.",
                responses=judged,
            ),
            "",
        )
    )
    items.append((f"{words.week4_text(second)} {words.progression_text(second)}", "B"))
    niu = [b for b in second.benchmarks if b.source == NIU_SOURCE]
    if niu:
        items.append(
            (
                _(
                    "The study's week-4 CR rates for this patient's subgroups, both arms, are in "
                    "“{heading}” below.",
                    heading=_("Published benchmarks matching this patient"),
                ),
                "",
            )
        )
    others = [b for b in second.benchmarks if b.source != NIU_SOURCE]
    items += [(line, "") for line in words.benchmark_lines(others)]
    if conditional is not None:
        shown = [
            _(
                "{days} days {survival}",
                days=int(h),
                survival=survival_text(b.estimate, b.lower, b.upper),
            )
            for h, b in conditional.survival.items()
            if b is not None
        ]
        if shown:
            items.append(
                (
                    _(
                        "Survival from the second-line start, alive on day {day}: {survival}.",
                        day=conditional.alive_on_day,
                        survival=words.semicolons(shown),
                    ),
                    "",
                )
            )
    doses = [w for w in second.warnings if getattr(w, "template", None) == DOSE_OUTSIDE_STUDY]
    if len(doses) > 1:  # one line for all of them: the infusion line above lists every dose
        items.append(
            (
                _(
                    "Warning: {count} doses outside the study's range of {low}–{high} × 10^6 "
                    "cells/kg per infusion (Niu et al. 2026): {doses}.",
                    count=len(doses),
                    low=number(doses[0].params["low"]),
                    high=number(doses[0].params["high"]),
                    doses=words.semicolons(
                        [f"{day_date(w.params['date'])} {number(w.params['dose'])}" for w in doses]
                    ),
                ),
                "",
            )
        )
    else:
        doses = []
    items += [
        (_("Warning: {warning}", warning=engine_text(w)), "")
        for w in second.warnings
        if w not in doses
    ]
    return items


def section_lines(pdf: FPDF, result: PatientResult) -> list[Line]:
    """The section's wrapped lines (none without a second line)."""
    second = result.course.second_line
    if second is None:
        return []
    # as in the --json contract, the conditional survival only beside an estimate
    conditional = result.conditional if result.risk is not None else None
    out: list[Line] = []
    for body, style in _items(second, conditional):
        pdf.set_font(FONT, style, SIZE_PT)
        out += [(line, style, LINE_MM) for line in kit.lines(pdf, body, PAGE_WIDTH, MOST_LINES)]
    return out


def heading_text(result: PatientResult) -> str:
    """``Second line: UC-MSC + standard second-line therapy from 2026-10-10 (day 35)``."""
    second = result.course.second_line
    assert second is not None
    short = SHORT_THERAPY.get(second.therapy)
    therapy = _(short) if short else words.therapy_text(second)
    # the therapy cut to 60 characters as typed, filled in after translating (never looked up)
    return current()(N_("Second line: {therapy} from {date} (day {day})")).format(
        therapy=therapy[:60], date=day_date(second.start_date), day=second.day
    )


def height_mm(lines: Sequence[Line]) -> float:
    """The section's height on the page (0 without a second line)."""
    return HEADING_MM + sum(line[2] for line in lines) if lines else 0.0


def draw(pdf: FPDF, result: PatientResult, lines: Sequence[Line]) -> None:
    """Draw the section (nothing without a second line)."""
    if not lines:
        return
    kit.heading(pdf, heading_text(result))
    for line, style, line_mm in lines:
        pdf.set_font(FONT, style, SIZE_PT)
        pdf.cell(PAGE_WIDTH, line_mm, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
