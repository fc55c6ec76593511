"""One-page A4 PDF summary of a steroid course, for the patient's file.

Built from the parsed case (interfaces.md §1, docs/interfaces.md) and its assess result
(interfaces.md §2) with fpdf2 (building blocks: srgvhd.report.pdfkit; words:
srgvhd.report.text). Every section below the assessment table has a height known before it is
drawn; the table gets the rest of the page. A course of up to WHOLE_COURSE_ROWS assessments is
printed whole (the scores' explanations, then the warnings are shortened first, each saying
so); a longer one prints its first and last rows and the verdict's row with a count of what was
left out. So the summary is always exactly one page and nothing runs into the footer. Text from
the case and the result is printed as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from srgvhd.clinical.case import Case
from srgvhd.clinical.policy import PROJECT_RULES
from srgvhd.clinical.results import CourseResult
from srgvhd.clinical.scores import Scores
from srgvhd.clinical.units import canonical_hemoglobin_unit, hemoglobin_to_g_l
from srgvhd.i18n import N_, _, current, using
from srgvhd.literature.matching import matched_benchmarks
from srgvhd.literature.published import (
    MSC_ARM_LABEL,
    MSC_ARM_N,
    STANDARD_ARM_LABEL,
    STANDARD_ARM_N,
    WHOLE_ARM_NOTE,
    format_arm,
    format_p,
)
from srgvhd.report import course_table as table
from srgvhd.report import pdfkit as kit
from srgvhd.report import second_line as second_line_pdf
from srgvhd.report import text as words
from srgvhd.report.pdfkit import FONT, PAGE_LEFT, PAGE_WIDTH
from srgvhd.report.vega import CURVE_X_MAX_DAYS

if TYPE_CHECKING:
    from srgvhd.risk.model import RiskModel
    from srgvhd.risk.patient import PatientResult
    from srgvhd.risk.predict import RiskEstimate

DISCLAIMER_TOP = 277.0
RULES_PT, RULES_MM, MAX_RULES_LINES = 6.0, 2.65, 12
MODEL_LINE_MM = 3.6
HEADING_MM = 7.4
WARNING_MM = 3.8
# (warning lines, lines of each score's explanation), from more text to more compact: the first
# level that leaves room for the whole course (up to WHOLE_COURSE_ROWS assessments; else for its
# first, verdict and last rows) is used, else the most compact one.
COMPACT_LEVELS = ((5, 4), (5, 3), (5, 2), (5, 1), (3, 1), (2, 1), (1, 1))  # warnings kept longest
WHOLE_COURSE_ROWS = 8
RISK_BODY_MM = 43.0  # room for the conditional note, the estimate and the whole band note
LINE_MM_PER_PT = 0.43  # line height of the risk text per point of font size
BAND_NOTE_PT = 6.2
RISK_SCALES = (1.0, 0.94, 0.88)  # font scales tried so that the risk sentences stay whole
NO_RISK_BODY_MM = 8.0
BENCH_ROW_MM = 3.9
BENCH_SOURCE_MM = 6.8
CURVE_BOX = kit.Box(x=PAGE_LEFT + PAGE_WIDTH - 62, y=0.0, w=62, h=28, x_max=CURVE_X_MAX_DAYS)
CURVE_TOP_PAD = 4.5  # legend above the plot
TEXT_COLUMN_MM = PAGE_WIDTH - CURVE_BOX.w - 14
DISCLAIMER = N_("Decision support, not a substitute for clinical judgement.")
TITLE = N_("SR-aGVHD steroid-course summary")
TITLE_PT, MIN_TITLE_PT, TITLE_MM = 15.0, 11.0, 118.0  # TITLE_MM: up to the patient-label box
TITLE_WRAPPED_LINE_MM = 5.2
VERDICT_TINTS = {  # by the headline's tone (srgvhd.report.text.headline)
    words.TONE_REFRACTORY: (250, 228, 226),
    words.TONE_ATTENTION: (252, 236, 200),
    words.TONE_RESPONSIVE: (228, 240, 230),
    words.TONE_PENDING: (232, 236, 242),
}
# Subgroups of the matched rows (srgvhd.literature.published, "CR, ..." without "CR, ").
SUBGROUP_WORDS = (
    N_("grade II–IV"),
    N_("grade III–IV"),
    N_("liver involvement"),
    N_("GI involvement"),
    N_("≥2 organs involved"),
)
BENCHMARK_COLUMNS: tuple[tuple[str, float], ...] = (
    (N_("Week-4 CR, subgroup"), 52),
    (MSC_ARM_LABEL, 42),
    (STANDARD_ARM_LABEL, 42),
    ("p", 50),
)


# --- header, patient, verdict -------------------------------------------------------------------
def _header(pdf: FPDF, generated_at: datetime) -> None:
    """Title, generation time (report zone) and the empty box for the patient's label."""
    title, size = _(TITLE), TITLE_PT
    room = TITLE_MM - 2 * pdf.c_margin  # the cell's padding: the text stays left of the label box
    pdf.set_font(FONT, "B", size)
    while pdf.get_string_width(title) > room and size > MIN_TITLE_PT:
        size -= 0.5
        pdf.set_font(FONT, "B", size)
    if pdf.get_string_width(title) <= room:
        pdf.set_xy(PAGE_LEFT, 12)
        pdf.cell(TITLE_MM, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:  # a long title (French) on two lines, still above the patient block (y = 26)
        pdf.set_xy(PAGE_LEFT, 10.5)
        for line in kit.lines(pdf, title, TITLE_MM, 2):
            pdf.cell(TITLE_MM, TITLE_WRAPPED_LINE_MM, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*kit.GREY_TEXT)
    kit.text(
        pdf,
        _(
            "srgvhd decision support  ·  generated {when}",
            when=words.generated_text(generated_at),
        ),
        size=8,
        width=118,
        max_lines=2,
    )
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(120, 120, 120)
    pdf.set_dash_pattern(dash=1.2, gap=1.0)
    pdf.rect(134, 10, 64, 30)
    pdf.set_dash_pattern()
    pdf.set_xy(136, 11)
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(120, 120, 120)
    pdf.cell(60, 3.5, _("Patient label / sticker"))
    pdf.set_xy(136, 35.5)
    pdf.cell(60, 3.5, _("(the app stores no patient identifiers)"))
    pdf.set_text_color(0, 0, 0)


def _dose_text(case: Case) -> str:
    """Methylprednisolone start and dose, then any dose changes of the case."""
    steroids = case.steroids
    start = _(
        "Methylprednisolone {dose} mg/kg/day from {date} (day 0)",
        dose=words.number(steroids.mg_per_kg_day),
        date=words.day_date(steroids.start_date),
    )
    changes = [
        _(
            "{dose} mg/kg/day from {date}",
            dose=words.number(c.mg_per_kg_day),
            date=words.day_date(c.date),
        )
        for c in steroids.dose_changes
    ]
    if not changes:
        return start
    return _("{start}; then {changes}", start=start, changes=current().listed(changes, "unit"))


def _hemoglobin_text(case: Case) -> str:
    """Hemoglobin as entered and, when entered in g/dL, in g/L (the model's unit)."""
    hemoglobin = case.patient.hemoglobin
    if hemoglobin is None:
        return _("not entered")
    unit = canonical_hemoglobin_unit(hemoglobin.unit)
    text = f"{words.number(hemoglobin.value)} {unit}"
    if unit != "g/L":
        text += f" (= {words.number(hemoglobin_to_g_l(hemoglobin.value, hemoglobin.unit))} g/L)"
    return text


def _patient(pdf: FPDF, case: Case) -> None:
    """Patient inputs with units, and the steroid course."""
    patient = case.patient
    weight = (
        _("not entered") if patient.weight_kg is None else f"{words.number(patient.weight_kg)} kg"
    )
    pdf.set_xy(PAGE_LEFT, 26)
    heading = (
        _("Patient and steroid course  ·  case code {code}", code=case.case_code)
        if case.case_code  # pseudonymous (§5)
        else _("Patient and steroid course")
    )
    kit.text(pdf, heading, size=8.5, style="B", width=118, max_lines=1)
    kit.text(
        pdf,
        _(
            "Age {age} years  ·  weight {weight}  ·  hemoglobin {hemoglobin}",
            age=words.number(patient.age_years),
            weight=weight,
            hemoglobin=_hemoglobin_text(case),
        ),
        width=118,
        max_lines=1,
    )
    kit.text(pdf, _dose_text(case), width=118, max_lines=2)


def _local_date(when: datetime) -> date:
    """The calendar date of ``when`` (aware) in the report zone: the "today" of the summary."""
    zone, _ = words.report_zone()
    return when.astimezone(zone).date()


def _verdict(pdf: FPDF, course: CourseResult, today: date) -> None:
    """The SR verdict's headline in a tinted box, in the page's words (words.headline: a rule
    still waiting for an assessable assessment leads with "Cannot decide yet", a decision point
    before ``today`` with "Decision overdue"; clinical-rules.md §7.6), with the maximum grade
    and the rule set."""
    lead = words.headline(course.status, today)
    tint = VERDICT_TINTS[lead.tone]
    pdf.set_font(FONT, "B", 10)
    sentence = kit.lines(pdf, lead.text, PAGE_WIDTH - 4, 4)  # a waiting reason is long
    top = 43.0
    height = 2.5 + 4.6 * len(sentence) + 5.5
    pdf.set_fill_color(*tint)
    pdf.rect(PAGE_LEFT, top, PAGE_WIDTH, height, style="F")
    pdf.set_xy(PAGE_LEFT + 2, top + 1.5)
    for line in sentence:
        pdf.set_x(PAGE_LEFT + 2)
        pdf.cell(PAGE_WIDTH - 4, 4.6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(0.6)
    kit.text(
        pdf,
        _(
            "Maximum MAGIC grade over the course: {grade}   ·   Rule set: {rule_set}",
            grade=words.max_grade_text(course),
            rule_set=words.rule_set_text(course.rule_set),
        ),
        size=8,
        width=PAGE_WIDTH - 4,
        max_lines=1,
        x=PAGE_LEFT + 2,
    )
    pdf.set_y(top + height)


# --- warnings -----------------------------------------------------------------------------------
def _warning_lines(pdf: FPDF, warnings: Sequence[str], most: int) -> list[str]:
    """Each warning on its own line(s), at most two each and ``most`` in all; what does not fit
    is counted in a last "… N more warnings in the app" line."""
    pdf.set_font(FONT, "", 8)
    blocks = [
        kit.lines(pdf, _("Warning: {warning}", warning=words.engine_text(w)), PAGE_WIDTH, 2)
        for w in warnings
    ]
    shown: list[str] = []
    for i, block in enumerate(blocks):
        left = len(blocks) - i
        if len(shown) + len(block) > most - (1 if left > 1 else 0):
            return [*shown, _("… {n} more warnings in the app", n=left)]
        shown += block
    return shown


def _warnings(pdf: FPDF, lines: Sequence[str]) -> None:
    """Engine warnings (dose, staging notes, why there is no risk estimate)."""
    if not lines:
        return
    pdf.ln(1)
    pdf.set_text_color(150, 60, 0)
    pdf.set_font(FONT, "", 8)
    for line in lines:
        pdf.cell(PAGE_WIDTH, WARNING_MM, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


# --- risk ---------------------------------------------------------------------------------------
def _risk_items(
    risk: RiskEstimate, grade_source: str | None, own: bool
) -> list[tuple[str, str, float]]:
    """The model's estimate (srgvhd.risk.predict.RiskEstimate) as (text, style, size) items."""
    items = [] if own else [(_(words.CONDITIONAL_RISK_NOTE), "B", 7.6)]
    items += [(sentence, "", 8.0) for sentence in words.risk_sentences(risk, grade_source)]
    if risk.reference_model:
        items.append(
            (
                _(
                    "SYNTHETIC REFERENCE MODEL: not fitted to real patients; the numbers "
                    "only show how the app works."
                ),
                "B",
                8.0,
            )
        )
    if risk.band_method:
        method = words.engine_text(risk.band_method)
        items.append((_("Band: {method}", method=method), "", BAND_NOTE_PT))
    return items


def _risk_height(pdf: FPDF, items: Sequence[tuple[str, str, float]]) -> float:
    """Height (mm) of ``items`` set whole in the text column."""
    height = 0.0
    for body, style, size in items:
        pdf.set_font(FONT, style, size)
        height += len(kit.lines(pdf, body, TEXT_COLUMN_MM, 99)) * size * LINE_MM_PER_PT
    return height


def _risk_fitted(pdf: FPDF, items: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """``items`` so that every sentence is whole in the risk block (longer sentences in German
    and French): set smaller first, then without the band's method note (the model card has
    it); only when even that does not fit is the last sentence cut."""
    band = [item for item in items if item[2] == BAND_NOTE_PT]
    candidates = [items, *([[i for i in items if i not in band]] if band else [])]
    for kept in candidates:
        for scale in RISK_SCALES:
            scaled = [(body, style, size * scale) for body, style, size in kept]
            if _risk_height(pdf, scaled) <= RISK_BODY_MM:
                return scaled
    return [(body, style, size * RISK_SCALES[-1]) for body, style, size in candidates[-1]]


def _risk(pdf: FPDF, result: PatientResult, model: RiskModel | None) -> None:
    """Risk text on the left and the survival curve on the right, or why there is none; the
    heading says whose estimate it is (words.risk_is_own)."""
    risk = result.risk
    own = words.risk_is_own(result.course.status.value)
    kit.heading(
        pdf,
        _("Survival risk (Cox model: age group, grade, hemoglobin)")
        if own
        else _("{heading}: survival risk (Cox model)", heading=_(words.CONDITIONAL_RISK_HEADING)),
    )
    top = pdf.get_y()
    if risk is None:
        reason = (
            _("No survival estimate: no risk model is active.")
            if model is None
            else _("No survival estimate for this patient; the warnings above say why.")
        )
        kit.text(pdf, reason, size=8.5, max_lines=2)
        pdf.set_y(top + NO_RISK_BODY_MM)
        return
    room = RISK_BODY_MM
    for body, style, size in _risk_fitted(pdf, _risk_items(risk, result.grade_source, own)):
        line_mm = size * LINE_MM_PER_PT
        if room < line_mm:
            break
        pdf.set_font(FONT, style, size)
        for line in kit.lines(pdf, body, TEXT_COLUMN_MM, int(room // line_mm)):  # cut: "…"
            pdf.cell(TEXT_COLUMN_MM, line_mm, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            room -= line_mm
    if risk.curve.days:
        box = kit.Box(CURVE_BOX.x, top + CURVE_TOP_PAD, CURVE_BOX.w, CURVE_BOX.h, CURVE_BOX.x_max)
        kit.survival_curve(pdf, risk.curve, box, list(risk.survival))
    pdf.set_y(top + RISK_BODY_MM)


# --- bedside scores -----------------------------------------------------------------------------
def _score_lines(
    pdf: FPDF, scores: Scores | None, detail_lines: int
) -> list[tuple[str, str, float, float]]:
    """Each score's headline (bold) and meaning with its source (small, at most
    ``detail_lines``), wrapped: (line, style, size pt, height mm)."""
    out = []
    for headline, detail in words.score_items(scores):
        for body, style, size, line_mm, most in (
            (headline, "B", 8.0, 3.7, 2),
            (detail, "", 6.5, 2.9, detail_lines),
        ):
            pdf.set_font(FONT, style, size)
            out += [(line, style, size, line_mm) for line in kit.lines(pdf, body, PAGE_WIDTH, most)]
    return out


def _scores(pdf: FPDF, lines: Sequence[tuple[str, str, float, float]]) -> None:
    """EASIX, MAP and the day-28 response, when the case has them (docs/interfaces.md §6)."""
    if not lines:
        return
    kit.heading(pdf, _("Bedside scores (as published; not part of the refractoriness verdict)"))
    for line, style, size, line_mm in lines:
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*((0, 0, 0) if style else kit.GREY_TEXT))
        pdf.cell(PAGE_WIDTH, line_mm, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


# --- benchmarks, notes, footer ------------------------------------------------------------------
def _benchmarks(pdf: FPDF, rows: Sequence[Any]) -> None:
    """Matched Niu 2026 week-4 CR rows for this patient."""
    kit.heading(pdf, _("Published benchmarks matching this patient"))
    with kit.table(pdf, BENCHMARK_COLUMNS, line_mm=BENCH_ROW_MM) as drawn:
        kit.heading_row(pdf, drawn, BENCHMARK_COLUMNS, BENCH_ROW_MM)
        for row in rows:
            kit.table_row(
                pdf,
                drawn,
                [
                    words.engine_text(row.outcome.removeprefix("CR, ")),
                    words.figures(format_arm(row.msc)),
                    words.figures(format_arm(row.standard)),
                    words.figures(format_p(row)),
                ],
                BENCHMARK_COLUMNS,
                row_mm=BENCH_ROW_MM,
            )
    kit.text(
        pdf,
        _(
            "Source: {source} (retrospective; n = {msc} UC-MSC, {standard} standard). {note}",
            source=rows[0].source.short,
            msc=MSC_ARM_N,
            standard=STANDARD_ARM_N,
            note=_(WHOLE_ARM_NOTE),
        ),
        size=7,
        line_mm=3.4,
        max_lines=2,
    )


def _notes_area(pdf: FPDF, footer_top: float) -> None:
    """Ruled lines for handwritten notes in the space left above the footer."""
    top = pdf.get_y() + 4
    if footer_top - top < 16:
        return
    pdf.set_xy(PAGE_LEFT, top)
    kit.text(pdf, _("Clinician notes"), size=8, style="B", max_lines=1)
    pdf.set_draw_color(190, 190, 190)
    y = pdf.get_y() + 7
    while y < footer_top - 3:
        pdf.line(PAGE_LEFT, y, PAGE_LEFT + PAGE_WIDTH, y)
        y += 7


def _model_text(risk: RiskEstimate | None, model: RiskModel | None) -> str:
    """Model version, card SHA-256 (first 12 hex) and whether it is the synthetic reference
    model: from the result's estimate when there is one, else from the active model's card
    (srgvhd.risk.card.ModelCard)."""
    if risk is not None:
        version, digest, reference = (
            risk.model_version,
            risk.model_card_sha256,
            risk.reference_model,
        )
    elif model is not None:
        card = model.card
        version, digest, reference = (
            card.version if card is not None else None,
            model.card_sha256,
            card is not None and card.reference_model,
        )
    else:
        return _("Risk model: none active.")
    kind = (
        _("synthetic reference model")
        if reference
        else _("fitted model (not the synthetic reference)")
    )
    return _(
        "Risk model {version}  ·  card SHA-256 {digest}  ·  {kind}",
        version=version or _("unknown"),
        digest=str(digest or _("unknown"))[:12],
        kind=kind,
    )


def _rules_lines(pdf: FPDF) -> list[str]:
    """The rules of this project (srgvhd.clinical.policy.PROJECT_RULES), wrapped for the footer."""
    rules = " ".join(f"({i}) {_(rule.text)}" for i, rule in enumerate(PROJECT_RULES, 1))
    pdf.set_font(FONT, "", RULES_PT)
    return kit.lines(
        pdf, _("Rules of this project: {rules}", rules=rules), PAGE_WIDTH, MAX_RULES_LINES
    )


def _footer_top(rules: Sequence[str]) -> float:
    """Where the footer starts: high enough for the model line and every rule line."""
    return DISCLAIMER_TOP - 1.5 - RULES_MM * len(rules) - MODEL_LINE_MM - 0.8


def _footer(
    pdf: FPDF, rules: Sequence[str], risk: RiskEstimate | None, model: RiskModel | None
) -> None:
    """Model identity, project rules, disclaimer and signature line."""
    pdf.set_y(_footer_top(rules))
    pdf.set_draw_color(160, 160, 160)
    pdf.line(PAGE_LEFT, pdf.get_y(), PAGE_LEFT + PAGE_WIDTH, pdf.get_y())
    pdf.ln(0.8)
    kit.text(pdf, _model_text(risk, model), size=7.5, line_mm=MODEL_LINE_MM, max_lines=1)
    pdf.set_text_color(80, 80, 80)
    pdf.set_font(FONT, "", RULES_PT)
    for line in rules:
        pdf.cell(PAGE_WIDTH, RULES_MM, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(DISCLAIMER_TOP)
    kit.text(pdf, _(DISCLAIMER), size=8.5, style="B", max_lines=1)
    pdf.ln(3)
    kit.text(
        pdf,
        _(
            "Reviewed by (name, signature): ______________________________    "
            "Date: ________________"
        ),
        size=8.5,
        max_lines=1,
    )


# --- the page -----------------------------------------------------------------------------------
def _below_table_mm(
    warning_lines: int, risk_body: float, score_lines: Sequence[tuple], benchmarks: int
) -> float:
    """Height of everything between the assessment table and the footer (fixed budgets)."""
    warnings = (1 + WARNING_MM * warning_lines) if warning_lines else 0.0
    scores = (HEADING_MM + sum(line[3] for line in score_lines)) if score_lines else 0.0
    bench = HEADING_MM + BENCH_ROW_MM * (1 + benchmarks) + BENCH_SOURCE_MM
    return warnings + HEADING_MM + risk_body + scores + bench


LAYOUT_EPSILON_MM = 1e-6  # floating-point residue of adding up section heights


def render(
    pdf: FPDF, case: Case, result: PatientResult, model: RiskModel | None, when: datetime
) -> float:
    """Draw the summary on ``pdf``'s one page; returns the room left between the content and
    the footer (mm, never negative)."""
    course = result.course
    risk = result.risk
    _header(pdf, when)
    _patient(pdf, case)
    _verdict(pdf, course, _local_date(when))
    rows = table.table_rows(pdf, case, course)
    verdict = table.verdict_index(course)
    benchmarks = matched_benchmarks(course)
    pdf.set_font(FONT, "", 6.8)
    legend = kit.lines(pdf, table.table_legend(rows), PAGE_WIDTH, 3)  # German needs three
    risk_body = RISK_BODY_MM if risk is not None else NO_RISK_BODY_MM
    second_lines = second_line_pdf.section_lines(pdf, result)
    rules = _rules_lines(pdf)
    footer_top = _footer_top(rules)
    table_top = pdf.get_y() + HEADING_MM + table.ROW_MM + table.LEGEND_MM * len(legend)
    short = len(rows) <= WHOLE_COURSE_ROWS  # then the rows matter more than the explanations
    need = table.table_height(
        rows, table.kept_rows(rows, verdict, len(rows) if short else min(2, len(rows)))
    )
    for warning_most, detail_lines in COMPACT_LEVELS:
        warning_lines = _warning_lines(pdf, [*course.warnings, *result.warnings], warning_most)
        score_lines = _score_lines(pdf, course.scores, detail_lines)
        budget = (
            footer_top
            - table_top
            - _below_table_mm(len(warning_lines), risk_body, score_lines, len(benchmarks))
            - second_line_pdf.height_mm(second_lines)
        )
        if budget >= need:
            break
    if budget < table.table_height(rows, table.kept_rows(rows, verdict, min(2, len(rows)))):
        # not even the first, verdict and last rows fit with their whole findings (long words,
        # every section present): each row keeps one findings line, its stages and response whole
        rows = table.table_rows(pdf, case, course, findings_lines=1)
    table.draw_table(pdf, rows, table.shown_rows(rows, verdict, budget), verdict, legend)
    _warnings(pdf, warning_lines)
    _risk(pdf, result, model)
    _scores(pdf, score_lines)
    second_line_pdf.draw(pdf, result, second_lines)
    _benchmarks(pdf, benchmarks)
    room = footer_top - pdf.get_y()
    if -LAYOUT_EPSILON_MM < room < 0:  # sums of the section heights, not an overlap
        room = 0.0
    _notes_area(pdf, footer_top)
    _footer(pdf, rules, risk, model)
    return room


def build_summary_pdf(
    case: Case,
    result: PatientResult,
    model: RiskModel | None = None,
    *,
    generated_at: datetime | None = None,
    lang: str | None = None,
) -> bytes:
    """The one-page A4 summary of ``case`` and its assess ``result`` (the course with the risk
    part, srgvhd.risk.patient) as PDF bytes.

    ``model`` is the active risk model (its ``card`` and ``card_sha256`` identify it when the
    result has no estimate), or None. ``generated_at`` (UTC when naive; now when None) is
    printed in the report zone (``$SRGVHD_TIMEZONE``, else the system's) and is the PDF
    creation date, so the same inputs give identical bytes. ``lang`` (en, zh, de, fr; default:
    the current language, srgvhd.i18n) is the language of its words, numbers and dates.
    """
    with using(lang or current().lang):
        return _build(case, result, model, generated_at)


def _build(
    case: Case, result: PatientResult, model: RiskModel | None, generated_at: datetime | None
) -> bytes:
    when = generated_at or datetime.now(UTC)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(PAGE_LEFT, 10, PAGE_LEFT)
    pdf.set_auto_page_break(False)
    kit.add_fonts(pdf)
    pdf.set_creation_date(when)
    pdf.set_title(_(TITLE))
    pdf.set_lang(current().locale.language)
    pdf.add_page()
    render(pdf, case, result, model, when)
    return bytes(pdf.output())
