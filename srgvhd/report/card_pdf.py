"""The model card as a two-page A4 PDF.

Page 1: where the data came from (declared source, training file and its SHA-256, dialect,
rows left out by a complete-rows fit as counts), the cohort and fit, hazard ratios beside the
published multivariate Cox model (Niu et al. 2026), concordance (apparent, cross-validated, by
day), the proportional-hazards test and the decision curve at day 365 (Vickers et al. 2008).
Page 2: calibration at 180 and 365 days by risk third — predicted against Kaplan–Meier observed
survival with 95% intervals (Royston & Altman 2013), as tables and a small vector plot — then
the statement and the assumptions. Only the card's aggregate figures are printed, never a
patient's row. Built with the fpdf2 pieces of srgvhd.report.pdfkit; wording shared with the
Model page (srgvhd.report.card_text), in the language asked for (the current one by default:
words, numbers, dates; the font of that language from srgvhd.report.pdfkit, Noto Sans CJK in
Chinese). The PDF's creation date is the card's, so the same card in the same language gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from srgvhd.i18n import N_, _, current, ngettext, using
from srgvhd.literature.published import NIU_2026
from srgvhd.report import card_text as words
from srgvhd.report import pdfkit as kit
from srgvhd.report.pdfkit import FONT, PAGE_LEFT, PAGE_WIDTH
from srgvhd.risk.calibration import CalibrationGroup
from srgvhd.risk.card import CardMetrics, ModelCard
from srgvhd.risk.provenance import DataSource

TITLE = N_("Risk model card")
PAGES = 2
FOOTER_Y = 284.0
CONTENT_BOTTOM = 279.0
ROW_MM = 3.9
LINE_MM = 3.9
UNDATED = datetime(2000, 1, 1, tzinfo=UTC)  # creation date of a card without created_at
SYNTHETIC_TINT = (250, 228, 226)
SYNTHETIC_WARNING = N_(
    "SYNTHETIC DATA: this model was fitted on the bundled synthetic cohort, not on real "
    "patients; its figures only show how the app works. Retrain on your centre's data before "
    "clinical use."
)
# Headings are the card_text message ids (kit.heading_row says them in the PDF's language).
HR_COLUMNS: tuple[tuple[str, float], ...] = (
    (words.COVARIATE, 58),
    (words.HR_THIS_MODEL, 52),
    (words.P_VALUE, 18),
    (words.HR_PUBLISHED, 58),
)
CALIBRATION_COLUMNS: tuple[tuple[str, float], ...] = (
    (words.RISK_GROUP, 36),
    (words.N_PATIENTS, 11),
    (words.DEATHS, 13),
    (words.AT_RISK, 14),
    (words.PREDICTED, 18),
    (words.OBSERVED, 34),
)
DECISION_COLUMNS: tuple[tuple[str, float], ...] = (
    (words.THRESHOLD, 26),
    (words.CALLED_HIGH_RISK, 36),
    (words.NET_BENEFIT_MODEL, 42),
    (words.TREAT_EVERYONE, 42),
    (words.TREAT_NO_ONE, 40),
)
PREDICTED_SURVIVAL = N_("predicted survival")
OBSERVED_KM = N_("observed (Kaplan–Meier)")
PLOT_SIZE = 44.0
GROUP_RGB = ((46, 125, 50), (230, 120, 0), (198, 40, 40))  # lowest, middle, highest risk third


def _line(
    pdf: FPDF,
    body: str,
    *,
    size: float = 8.0,
    style: str = "",
    max_lines: int = 3,
    width: float = PAGE_WIDTH,
    x: float = PAGE_LEFT,
) -> None:
    kit.text(
        pdf, body, size=size, style=style, width=width, line_mm=LINE_MM, max_lines=max_lines, x=x
    )


def _table(
    pdf: FPDF, columns: Sequence[tuple[str, float]], rows: Sequence[Mapping], x: float = PAGE_LEFT
) -> None:
    """A header and one row per dict (values in column order), cells cut to their width."""
    with kit.table(pdf, columns, line_mm=ROW_MM, x=x) as drawn:
        kit.heading_row(pdf, drawn, columns, ROW_MM)
        for row in rows:
            kit.table_row(pdf, drawn, [str(v) for v in row.values()], columns, row_mm=ROW_MM)


# --- page 1 -------------------------------------------------------------------------------------
def _header(pdf: FPDF, card: ModelCard) -> None:
    pdf.set_xy(PAGE_LEFT, 12)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(
        PAGE_WIDTH,
        7,
        _("Risk model card: version {version}", version=card.version),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*kit.GREY_TEXT)
    _line(
        pdf,
        _(
            "created {created}  ·  Cox model of overall survival after steroid-refractory "
            "acute GVHD  ·  srgvhd decision support",
            created=words.created_text(card),
        ),
        max_lines=2,
    )
    pdf.set_text_color(0, 0, 0)
    _synthetic_warning(pdf, card)


def _synthetic_warning(pdf: FPDF, card: ModelCard) -> None:
    """A tinted box on each page of a card fitted on the bundled synthetic cohort."""
    if not card.synthetic:
        return
    pdf.ln(1.5)
    pdf.set_font(FONT, "B", 9)
    body = kit.lines(pdf, _(SYNTHETIC_WARNING), PAGE_WIDTH - 4, 3)
    top = pdf.get_y()
    pdf.set_fill_color(*SYNTHETIC_TINT)
    pdf.rect(PAGE_LEFT, top, PAGE_WIDTH, 2 + 4.4 * len(body), style="F")
    pdf.set_y(top + 1)
    for line in body:
        pdf.set_x(PAGE_LEFT + 2)
        pdf.cell(PAGE_WIDTH - 4, 4.4, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(top + 2 + 4.4 * len(body))


def _provenance(pdf: FPDF, card: ModelCard) -> None:
    kit.heading(pdf, _("Where the data came from"))
    source = card.data_source or DataSource()
    not_declared = _("not declared")
    dialect = words.dialect_text(card)
    _line(pdf, _("Data: {source}", source=current().text(card.source_sentence())), style="B")
    _line(
        pdf,
        _(
            "As declared at upload: centre {centre}  ·  period {period}  ·  declared by {who}",
            centre=source.centre or not_declared,
            period=source.period or not_declared,
            who=source.declared_by or not_declared,
        ),
    )
    _line(
        pdf,
        _(
            "Training file: {name}  ·  SHA-256 {sha256}",
            name=card.training_file_name or _("not named"),
            sha256=card.training_file_sha256 or _("not recorded"),
        ),
        max_lines=2,
    )
    _line(
        pdf,
        _(
            "Read as: {dialect}",
            dialect=dialect or _("not recorded (card older than dialect detection)"),
        ),
    )
    _line(
        pdf,
        _("Fit on complete rows only: {summary}", summary=words.exclusion_summary(card.exclusions)),
        max_lines=2,
    )
    _line(pdf, _("Model artifact SHA-256 {sha256}", sha256=card.artifact_sha256))


def _cohort(pdf: FPDF, card: ModelCard) -> None:
    kit.heading(pdf, _("Cohort and fit"))
    labels = [words.said(c.label) for c in card.coefficients]
    epv = words.fmt(card.events_per_coefficient, ".1f")
    figures = {
        "n": words.fmt(card.n, "d"),
        "deaths": words.fmt(card.events, "d"),
        "coefficients": len(card.covariates),
        "per_coefficient": epv,
    }
    if card.low_epv_allowed:
        cohort = _(
            "n = {n} patients, {deaths} deaths, {coefficients} coefficients: events per "
            "coefficient {per_coefficient}; fewer than recommended, allowed and recorded.",
            **figures,
        )
    else:
        cohort = _(
            "n = {n} patients, {deaths} deaths, {coefficients} coefficients: events per "
            "coefficient {per_coefficient}.",
            **figures,
        )
    _line(pdf, cohort)
    _line(
        pdf,
        _("Covariates: {covariates}.", covariates="; ".join(labels) or ", ".join(card.covariates)),
        max_lines=2,
    )
    _line(
        pdf,
        _(
            "Estimation: {estimator} Longest follow-up {days} days; lifelines {version}.",
            estimator=words.said(card.baseline_estimator)
            if card.baseline_estimator
            else _("not recorded"),
            days=words.fmt(card.max_follow_up_days, ".0f"),
            version=card.lifelines_version or words.DASH,
        ),
        max_lines=2,
    )


def _hazard_ratios(pdf: FPDF, card: ModelCard) -> None:
    kit.heading(pdf, _("Hazard ratios (95% CI) beside the published multivariate Cox model"))
    _table(pdf, HR_COLUMNS, words.coefficient_rows(card))
    pdf.set_text_color(*kit.GREY_TEXT)
    _line(
        pdf,
        _("Published: {reference} “—”: not in the published model.", reference=NIU_2026.full),
        size=6.8,
        max_lines=2,
    )
    pdf.set_text_color(0, 0, 0)


def _discrimination(pdf: FPDF, metrics: CardMetrics) -> None:
    kit.heading(pdf, _("Discrimination and proportional hazards"))
    _line(
        pdf,
        _("Concordance (Harrell's C): {concordance}.", concordance=words.concordance_text(metrics)),
    )
    by_day = words.concordance_by_day_text(metrics)
    _line(
        pdf,
        _("{concordance}.", concordance=by_day)
        if by_day
        else _("Concordance by day: not computed for this version."),
        max_lines=2,
    )
    global_p = metrics.ph_test.global_p
    _line(
        pdf,
        _(
            "{test} Global p = {p}.",
            test=words.ph_text(metrics),
            p=words.fmt(global_p, ".3f"),
        )
        if global_p is not None
        else words.ph_text(metrics),
        max_lines=3,
    )


def _decision_curve(pdf: FPDF, metrics: CardMetrics) -> None:
    kit.heading(
        pdf, _("Decision curve at day {day} (cross-validated)", day=int(words.DECISION_DAY))
    )
    points = metrics.decision_curve_cv.get(words.DECISION_DAY)
    if not points:
        _line(
            pdf,
            _(
                "Not computed for this version (trained before decision curves were added); "
                "retrain to get it."
            ),
        )
        return
    _line(
        pdf,
        _(
            "Net benefit of calling a patient “high risk” when the predicted probability of "
            "death by day {day} is at least the threshold (Vickers et al., BMC Med Inform "
            "Decis Mak 2008;8:53). {summary}",
            day=int(words.DECISION_DAY),
            summary=words.decision_summary(points),
        ),
        max_lines=4,
    )
    _table(pdf, DECISION_COLUMNS, words.decision_rows(points))


# --- page 2 -------------------------------------------------------------------------------------
def _plot(pdf: FPDF, rows: Sequence[CalibrationGroup], box: kit.Box) -> None:
    """Observed (Kaplan–Meier, with its 95% interval) against predicted survival, one colour
    per risk third, with the line of perfect calibration (dashed)."""
    pdf.set_font(FONT, "", 6.3)
    pdf.set_text_color(*kit.GREY_TEXT)
    pdf.set_line_width(0.1)
    for pct in (0, 25, 50, 75, 100):
        pdf.set_draw_color(225, 225, 225)
        pdf.line(box.x, box.py(pct / 100), box.x + box.w, box.py(pct / 100))
        pdf.line(box.px(pct / 100), box.y, box.px(pct / 100), box.y + box.h)
        pdf.set_xy(box.x - 9, box.py(pct / 100) - 1.5)
        pdf.cell(8, 3, current().percent(pct / 100), align="R")
        if pct:  # the y axis's 0% labels the corner
            pdf.set_xy(box.px(pct / 100) - 5, box.y + box.h + 0.4)
            pdf.cell(10, 2.8, current().percent(pct / 100), align="C")
    pdf.set_xy(box.x, box.y + box.h + 3.2)
    pdf.cell(box.w, 2.8, _(PREDICTED_SURVIVAL), align="C")
    pdf.set_xy(box.x - 9, box.y - 4)
    pdf.cell(box.w, 2.8, _(OBSERVED_KM))
    pdf.set_draw_color(*kit.GUIDE_RGB)
    pdf.set_dash_pattern(dash=0.8, gap=0.8)
    pdf.line(box.px(0), box.py(0), box.px(1), box.py(1))
    pdf.set_dash_pattern()
    pdf.set_draw_color(120, 120, 120)
    pdf.rect(box.x, box.y, box.w, box.h)
    pdf.set_line_width(0.35)
    for row, rgb in zip(rows, GROUP_RGB, strict=False):
        if row.predicted is None or row.observed is None:
            continue
        x = box.px(row.predicted)
        pdf.set_draw_color(*rgb)
        pdf.set_fill_color(*rgb)
        if row.observed_lower is not None and row.observed_upper is not None:
            pdf.line(x, box.py(row.observed_lower), x, box.py(row.observed_upper))
        pdf.circle(x, box.py(row.observed), 0.9, style="F")
    pdf.set_line_width(0.2)
    pdf.set_text_color(0, 0, 0)


def _legend(pdf: FPDF, rows: Sequence[CalibrationGroup], x: float, y: float) -> None:
    """The plot's colours, one risk third a line, under the plot."""
    pdf.set_font(FONT, "", 6.3)
    pdf.set_text_color(*kit.GREY_TEXT)
    for i, (row, rgb) in enumerate(zip(rows, GROUP_RGB, strict=False)):
        pdf.set_fill_color(*rgb)
        pdf.circle(x + 0.9, y + 1.4 + 3 * i, 0.9, style="F")
        pdf.set_xy(x + 2.5, y + 3 * i)
        pdf.cell(PLOT_SIZE - 2.5, 2.8, words.said(row.group))
    pdf.set_text_color(0, 0, 0)


def _calibration_day(pdf: FPDF, metrics: CardMetrics, day: str) -> None:
    """One horizon: cross-validated and apparent tables on the left, the plot on the right."""
    cv_rows, apparent = metrics.calibration_cv.get(day), metrics.calibration.get(day)
    top = pdf.get_y()
    pdf.set_font(FONT, "B", 8.5)
    pdf.cell(PAGE_WIDTH, 5, _("Day {day}", day=int(day)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    table_width = sum(w for _, w in CALIBRATION_COLUMNS)
    if cv_rows:
        _line(
            pdf,
            _(
                "Cross-validated: {n} patients each scored by a model fitted without them",
                n=words.fmt(metrics.calibration_cv_n, "d"),
            ),
            size=7.2,
            width=table_width,
        )
        _table(pdf, CALIBRATION_COLUMNS, words.calibration_rows(cv_rows))
    else:
        _line(
            pdf,
            _("Cross-validated: not computed for this version (retrain to get it)"),
            size=7.2,
            width=table_width,
        )
    pdf.ln(1)
    _line(
        pdf,
        _("Apparent: the model scoring its own training cohort"),
        size=7.2,
        width=table_width,
    )
    if apparent:
        _table(pdf, CALIBRATION_COLUMNS, words.calibration_rows(apparent))
    shown = cv_rows or apparent or []
    box = kit.Box(PAGE_LEFT + PAGE_WIDTH - PLOT_SIZE - 2, top + 7, PLOT_SIZE, PLOT_SIZE - 8, 1.0)
    _plot(pdf, shown, box)
    _legend(pdf, shown, box.x, box.y + box.h + 7)
    pdf.set_y(max(pdf.get_y(), box.y + box.h + 7 + 3 * len(shown)) + 2)


def _calibration(pdf: FPDF, metrics: CardMetrics) -> None:
    kit.heading(pdf, _("Calibration at 180 and 365 days, by third of predicted risk"))
    _line(
        pdf,
        _(
            "Patients ordered by predicted survival and cut into thirds: mean predicted "
            "survival against the Kaplan–Meier survival of each third with its 95% interval "
            "(log–log, Greenwood; Royston & Altman, BMC Med Res Methodol 2013;13:33). The "
            "plot shows the cross-validated thirds when computed, else the apparent ones."
        ),
        size=7.2,
        max_lines=3,
    )
    pdf.ln(1)
    days = metrics.calibration_days
    if not days:
        _line(pdf, _("Not computed for this version."))
    for day in days:
        _calibration_day(pdf, metrics, day)


def _statement(pdf: FPDF, card: ModelCard) -> None:
    kit.heading(pdf, _("Statement and assumptions"))
    if card.statement:
        _line(pdf, words.said(card.statement), style="B", max_lines=4)
    assumptions = card.assumptions
    if not assumptions:
        _line(pdf, _("No assumptions recorded beyond those of a Cox proportional-hazards model."))
        return
    note = words.untranslated_note(assumptions)
    if note:
        _line(pdf, note, size=6.8, max_lines=1)
    pdf.set_font(FONT, "", 6.8)
    for i, body in enumerate(assumptions, 1):
        room = int((CONTENT_BOTTOM - pdf.get_y()) // 3.0)
        if room < 1:
            break
        last = i == len(assumptions) or room < 3
        wrapped = kit.lines(pdf, f"{i}. {words.said(body)}", PAGE_WIDTH, room)
        for line in wrapped:
            pdf.cell(PAGE_WIDTH, 3.0, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if last and i < len(assumptions):
            pdf.cell(
                PAGE_WIDTH,
                3.0,
                ngettext(
                    "… {n} more on the Model page",
                    "… {n} more on the Model page",
                    len(assumptions) - i,
                ),
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            break


def _footer(pdf: FPDF, card: ModelCard, page: int) -> None:
    pdf.set_y(FOOTER_Y)
    pdf.set_draw_color(160, 160, 160)
    pdf.line(PAGE_LEFT, FOOTER_Y - 0.8, PAGE_LEFT + PAGE_WIDTH, FOOTER_Y - 0.8)
    pdf.set_text_color(*kit.GREY_TEXT)
    _line(
        pdf,
        _(
            "Model card {version}  ·  {source}  ·  page {page} of {pages}  ·  Decision "
            "support, not a substitute for clinical judgement.",
            version=card.version,
            source=current().text(card.source_sentence()),
            page=page,
            pages=PAGES,
        ),
        size=6.8,
        max_lines=2,
    )
    pdf.set_text_color(0, 0, 0)


def _creation_date(card: ModelCard) -> datetime:
    """The card's creation time (UTC when it has no zone), the PDF's fixed creation date."""
    if card.created_at is None:
        return UNDATED
    when = datetime.fromisoformat(card.created_at)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def build_card_pdf(card: ModelCard, *, lang: str | None = None) -> bytes:
    """The model card as A4 PDF bytes (two pages; module docstring) in ``lang`` (en, zh, de,
    fr; default: the current language, srgvhd.i18n); same card and language, same bytes."""
    with using(lang or current().lang):
        return _build(card)


def _build(card: ModelCard) -> bytes:
    metrics = card.metrics
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(PAGE_LEFT, 10, PAGE_LEFT)
    pdf.set_auto_page_break(False)
    kit.add_fonts(pdf)
    pdf.set_creation_date(_creation_date(card))
    pdf.set_title(f"{_(TITLE)} {card.version}")
    pdf.set_lang(current().locale.language)
    pdf.add_page()
    _header(pdf, card)
    _provenance(pdf, card)
    _cohort(pdf, card)
    _hazard_ratios(pdf, card)
    _discrimination(pdf, metrics)
    _decision_curve(pdf, metrics)
    _footer(pdf, card, 1)
    pdf.add_page()
    pdf.set_y(10)
    _synthetic_warning(pdf, card)
    _calibration(pdf, metrics)
    _statement(pdf, card)
    _footer(pdf, card, 2)
    return bytes(pdf.output())
