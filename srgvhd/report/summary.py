"""One-page A4 PDF summary of a steroid course, for the patient's file.

Built from the case (interfaces.md §1) and its assess result (interfaces.md §2 and
docs/architecture.md) with fpdf2 and a Unicode TrueType font (DejaVu Sans, shipped with
matplotlib) so that ≥, µ and × print. The layout is fixed and every section has a line budget,
so the summary is always exactly one page; longer content is shortened and says so.
Text from the case and the result is printed as plain text, never interpreted.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from srgvhd.clinical.case import parse_case
from srgvhd.clinical.policy import HEMOGLOBIN_THRESHOLD_G_L, PROJECT_RULES
from srgvhd.clinical.refractory import RULE_SET_LABELS
from srgvhd.clinical.units import (
    canonical_hemoglobin_unit,
    hemoglobin_to_g_l,
    mg_dl_to_bilirubin_unit,
)
from srgvhd.errors import InputError, Problem
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

FONT = "DejaVu"
PAGE_LEFT = 12.0
PAGE_WIDTH = 186.0  # A4 210 mm minus 12 mm margins
FOOTER_TOP = 252.0
TABLE_ROW_MM = 4.3
MAX_TABLE_ROWS = 12  # a longer course prints its first and last rows and the verdict's row
TABLE_HEAD_ROWS = 6
TABLE_TAIL_ROWS = 5
MAX_WARNING_LINES = 5
DISCLAIMER = "Decision support, not a substitute for clinical judgement."
VERDICT_TINTS = {
    "steroid-refractory": (250, 228, 226),
    "steroid-dependent": (252, 240, 214),
    "steroid-responsive": (228, 240, 230),
}
ASSESSMENT_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Date", 21), ("Day", 10), ("Skin", 10), ("Liver", 11), ("Upper GI", 17), ("Lower GI", 17),
    ("Bilirubin mg/dL (µmol/L)", 40), ("Grade", 13), ("Minnesota risk", 25), ("Response", 22),
)
ASSESSMENT_FIELDS = ("date", "day", "stages.skin", "stages.liver", "stages.upper_gi",
                     "stages.lower_gi", "grade")
RISK_FIELDS = ("hazard_ratio", "hazard_ratio_ci", "survival.180", "survival.365")
BENCHMARK_COLUMNS: tuple[tuple[str, float], ...] = (
    ("Week-4 CR, subgroup", 52), (MSC_ARM_LABEL, 42), (STANDARD_ARM_LABEL, 42), ("p", 50),
)


# --- formatting helpers -------------------------------------------------------------------------
def _number(value: float) -> str:
    """A measurement as entered, without a trailing ``.0``."""
    return f"{float(value):g}"


def _ratio(value: float) -> str:
    """A hazard ratio to three significant figures, never in exponent notation."""
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def _percent(value: float) -> str:
    """A probability as a whole percentage."""
    return f"{100 * value:.0f}%"


def _ttf_dir() -> Path:
    """matplotlib's TrueType folder, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise RuntimeError("matplotlib (needed for the DejaVu fonts of the PDF) is not installed")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


# --- input checks -------------------------------------------------------------------------------
def _get(data: dict[str, Any], path: str) -> Any:
    """The value at a dotted path, or None when any part is missing."""
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _check_inputs(case: dict[str, Any], result: dict[str, Any]) -> None:
    """Refuse, naming every missing or unusable field, what the summary cannot be built from.
    The case is checked by ``srgvhd.clinical.case.parse_case`` (interfaces.md §1), the result's
    fields
    here."""
    try:
        parse_case(case)
    except InputError as exc:
        problems = [Problem(f"case.{p.where}", p.what) for p in exc.problems]
    else:
        problems = []
    assessments = result.get("assessments")
    if not isinstance(assessments, list):
        problems.append(Problem("result.assessments", "missing"))
    else:
        problems += [Problem(f"result.assessments[{i}].{path}", "missing")
                     for i, a in enumerate(assessments) for path in ASSESSMENT_FIELDS
                     if _get(a, path) is None]
    problems += [Problem(f"result.{path}", "missing")
                 for path in ("max_grade", "status.value", "status.sentence")
                 if _get(result, path) is None]
    if result.get("risk"):
        problems += [Problem(f"result.risk.{path}", "missing")
                     for path in RISK_FIELDS if _get(result["risk"], path) is None]
    if problems:
        raise InputError(problems)


# --- drawing primitives -------------------------------------------------------------------------
def _lines(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    """``text`` wrapped to ``width`` at the current font, at most ``max_lines`` lines; a cut
    text ends with "…"."""
    lines = pdf.multi_cell(width, text=text, dry_run=True, output=MethodReturnValue.LINES)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and pdf.get_string_width(last + " …") > width:
        last = last[:-1]
    return [*kept[:-1], last.rstrip() + " …"]


def _clip(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut to ``width`` at the current font, ending with "…" when cut."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _text(pdf: FPDF, text: str, *, size: float = 8.5, style: str = "", width: float = PAGE_WIDTH,
          line_mm: float = 4.0, max_lines: int = 2, x: float = PAGE_LEFT) -> None:
    """Wrapped plain text at the cursor, within its line budget."""
    pdf.set_font(FONT, style, size)
    for line in _lines(pdf, text, width, max_lines):
        pdf.set_x(x)
        pdf.cell(width, line_mm, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, text: str) -> None:
    """A section heading with a rule under it."""
    pdf.ln(1.6)
    pdf.set_font(FONT, "B", 10)
    pdf.set_text_color(31, 78, 121)
    pdf.cell(PAGE_WIDTH, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(31, 78, 121)
    pdf.line(PAGE_LEFT, pdf.get_y(), PAGE_LEFT + PAGE_WIDTH, pdf.get_y())
    pdf.set_text_color(0, 0, 0)
    pdf.ln(0.8)


def _table_row(pdf: FPDF, cells: Sequence[str], columns: Sequence[tuple[str, float]], *,
               style: str = "", fill: bool = False) -> None:
    """One table row; each cell is cut to its column width."""
    pdf.set_font(FONT, style, 7.8)
    for text, (_, width) in zip(cells, columns, strict=True):
        pdf.cell(width, TABLE_ROW_MM, _clip(pdf, text, width - 2 * pdf.c_margin), border="B",
                 fill=fill)
    pdf.ln(TABLE_ROW_MM)


def _table_header(pdf: FPDF, columns: Sequence[tuple[str, float]]) -> None:
    """Header row on a grey band."""
    pdf.set_fill_color(228, 233, 238)
    pdf.set_draw_color(160, 160, 160)
    _table_row(pdf, [name for name, _ in columns], columns, style="B", fill=True)


# --- sections -----------------------------------------------------------------------------------
def _header(pdf: FPDF, generated_at: datetime) -> None:
    """Title, generation time and the empty box for the patient's label."""
    pdf.set_xy(PAGE_LEFT, 12)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(118, 7, "SR-aGVHD steroid-course summary", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(118, 4, f"srgvhd decision support  ·  generated {generated_at:%Y-%m-%d %H:%M %Z}",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(120, 120, 120)
    pdf.set_dash_pattern(dash=1.2, gap=1.0)
    pdf.rect(134, 10, 64, 30)
    pdf.set_dash_pattern()
    pdf.set_xy(136, 11)
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(120, 120, 120)
    pdf.cell(60, 3.5, "Patient label / sticker")
    pdf.set_xy(136, 35.5)
    pdf.cell(60, 3.5, "(the app stores no patient identifiers)")
    pdf.set_text_color(0, 0, 0)


def _dose_text(steroids: dict[str, Any]) -> str:
    """Methylprednisolone start and dose, then any dose changes of the case."""
    text = (f"Methylprednisolone {_number(steroids['methylprednisolone_mg_per_kg_day'])} "
            f"mg/kg/day from {steroids['start_date']} (day 0)")
    changes = [
        f"{_number(c['methylprednisolone_mg_per_kg_day'])} mg/kg/day from {c['date']}"
        for c in steroids.get("dose_changes") or []
    ]
    return text + ("; then " + ", ".join(changes) if changes else "")


def _hemoglobin_text(hemoglobin: dict[str, Any] | None) -> str:
    """Hemoglobin as entered and, when entered in g/dL, in g/L (the model's unit)."""
    if hemoglobin is None:
        return "not entered"
    unit = canonical_hemoglobin_unit(hemoglobin["unit"])
    text = f"{_number(hemoglobin['value'])} {unit}"
    if unit != "g/L":
        text += f" (= {_number(hemoglobin_to_g_l(hemoglobin['value'], unit))} g/L)"
    return text


def _patient(pdf: FPDF, case: dict[str, Any]) -> None:
    """Patient inputs with units, and the steroid course."""
    patient = case["patient"]
    weight = patient.get("weight_kg")
    weight_text = "not entered" if weight is None else f"{_number(weight)} kg"
    pdf.set_xy(PAGE_LEFT, 26)
    _text(pdf, "Patient and steroid course", size=8.5, style="B", width=118, max_lines=1)
    _text(pdf, f"Age {_number(patient['age_years'])} years  ·  weight {weight_text}  ·  "
               f"hemoglobin {_hemoglobin_text(patient.get('hemoglobin'))}", width=118,
          max_lines=1)
    _text(pdf, _dose_text(case["steroids"]), width=118, max_lines=2)


def _verdict(pdf: FPDF, result: dict[str, Any]) -> None:
    """The SR verdict in a tinted box, with the maximum grade and the rule set."""
    tint = VERDICT_TINTS.get(result["status"]["value"], VERDICT_TINTS["steroid-responsive"])
    rule_set = result.get("rule_set") or result["status"].get("rule_set") or "study"
    pdf.set_font(FONT, "B", 10)
    sentence = _lines(pdf, str(result["status"]["sentence"]), PAGE_WIDTH - 4, 2)
    top = 43.0
    height = 2.5 + 4.6 * len(sentence) + 5.5
    pdf.set_fill_color(*tint)
    pdf.rect(PAGE_LEFT, top, PAGE_WIDTH, height, style="F")
    pdf.set_xy(PAGE_LEFT + 2, top + 1.5)
    for line in sentence:
        pdf.set_x(PAGE_LEFT + 2)
        pdf.cell(PAGE_WIDTH - 4, 4.6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(0.6)
    _text(pdf, f"Maximum MAGIC grade over the course: {result['max_grade']}   ·   Rule set: "
               f"{RULE_SET_LABELS.get(rule_set, rule_set)}", size=8, width=PAGE_WIDTH - 4,
          max_lines=1, x=PAGE_LEFT + 2)
    pdf.set_y(top + height)


def _shown_rows(rows: list[dict[str, Any]], verdict_date: str | None) -> list[dict | int]:
    """The rows to print, with the number of rows left out (an int) where there is a gap:
    everything when the course fits, else the first and last rows and the verdict's row."""
    if len(rows) <= MAX_TABLE_ROWS:
        return list(rows)
    keep = set(range(TABLE_HEAD_ROWS)) | set(range(len(rows) - TABLE_TAIL_ROWS, len(rows)))
    keep |= {i for i, a in enumerate(rows) if a["date"] == verdict_date}
    shown: list[dict | int] = []
    previous = -1
    for i in sorted(keep):
        if i > previous + 1:
            shown.append(i - previous - 1)
        shown.append(rows[i])
        previous = i
    return shown


def _assessment_cells(a: dict[str, Any]) -> list[str]:
    """One assessment as table cells."""
    stages = a["stages"]
    bilirubin = a.get("bilirubin_mg_dl")
    return [
        str(a["date"]), str(a["day"]), str(stages["skin"]), str(stages["liver"]),
        str(stages["upper_gi"]), str(stages["lower_gi"]),
        "—" if bilirubin is None else
        f"{bilirubin:.1f} ({mg_dl_to_bilirubin_unit(bilirubin, 'umol/L'):.0f})", str(a["grade"]),
        a.get("minnesota_risk") or "—", a.get("response") or "baseline",
    ]


def _assessments(pdf: FPDF, result: dict[str, Any]) -> None:
    """Assessment table (organ stages 0–4, upper GI 0–1); the verdict's row in bold."""
    _heading(pdf, "Assessments (MAGIC organ stages; response vs day-0 baseline)")
    _table_header(pdf, ASSESSMENT_COLUMNS)
    verdict_date = result["status"].get("date")
    for item in _shown_rows(result["assessments"], verdict_date):
        if isinstance(item, int):
            _text(pdf, f"… {item} more assessments in the app", size=7.8,
                  line_mm=TABLE_ROW_MM, max_lines=1)
        else:
            _table_row(pdf, _assessment_cells(item), ASSESSMENT_COLUMNS,
                       style="B" if item["date"] == verdict_date else "")


def _warning_lines(pdf: FPDF, warnings: list[str]) -> list[str]:
    """Each warning on its own line(s), at most two each and MAX_WARNING_LINES in all; what does
    not fit is counted in a last "… N more warnings in the app" line."""
    blocks = [_lines(pdf, f"Warning: {w}", PAGE_WIDTH, 2) for w in warnings]
    shown: list[str] = []
    for i, block in enumerate(blocks):
        left = len(blocks) - i
        if len(shown) + len(block) > MAX_WARNING_LINES - (1 if left > 1 else 0):
            return [*shown, f"… {left} more warnings in the app"]
        shown += block
    return shown


def _warnings(pdf: FPDF, warnings: list[str]) -> None:
    """Engine warnings (dose, staging notes, why there is no risk estimate)."""
    if not warnings:
        return
    pdf.ln(1)
    pdf.set_text_color(150, 60, 0)
    pdf.set_font(FONT, "", 8)
    for line in _warning_lines(pdf, [str(w) for w in warnings]):
        pdf.cell(PAGE_WIDTH, 3.8, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def _hemoglobin_group(le_threshold: bool) -> str:
    """``Hb ≤ 90 g/L`` or ``Hb > 90 g/L`` (threshold from srgvhd.clinical.policy, rules §6)."""
    return f"Hb {'≤' if le_threshold else '>'} {_number(HEMOGLOBIN_THRESHOLD_G_L)} g/L"


def _reference_text() -> str:
    """The reference patient of the hazard ratio: the paper's reference categories (Niu et al.
    2026; srgvhd.risk.covariates.REFERENCE)."""
    from srgvhd.risk.covariates import REFERENCE

    return (f"age {REFERENCE['age_group']} years, grade {REFERENCE['grade']}, "
            f"{_hemoglobin_group(REFERENCE['hemoglobin_le_90'])}")


def _risk_lines(risk: dict[str, Any]) -> list[str]:
    """The risk estimate (interfaces.md §2 ``risk``) as lines of text."""
    low, high = risk["hazard_ratio_ci"]
    cov = risk.get("covariates") or {}
    lines = [
        f"Hazard ratio {_ratio(risk['hazard_ratio'])} (95% CI {_ratio(low)}–{_ratio(high)}) vs the "
        f"reference patient ({_reference_text()}).",
        f"Covariates: age {cov.get('age_group', '?')}, grade {cov.get('grade', '?')}"
        f" ({risk.get('grade_source', 'course maximum')}), "
        f"{_hemoglobin_group(bool(cov.get('hemoglobin_le_90')))}.",
    ]
    for day in ("180", "365"):
        s = risk["survival"][day]
        if s["estimate"] is None:
            lines.append(f"Survival at {day} days: not estimated (beyond the model's follow-up).")
        else:
            lines.append(f"Survival at {day} days: {_percent(s['estimate'])} "
                         f"(95% band {_percent(s['lower'])}–{_percent(s['upper'])}).")
    if risk.get("reference_model"):
        lines.append("SYNTHETIC REFERENCE MODEL: not fitted to real patients; the numbers "
                     "only show how the app works.")
    return lines


def _no_risk_reason(model_card: dict[str, Any] | None) -> str:
    """Why the summary shows no risk estimate (the engine's warnings give the detail)."""
    if model_card is None:
        return "No survival estimate: no risk model is active."
    return "No survival estimate for this patient; the warnings above say why."


def _risk(pdf: FPDF, result: dict[str, Any], model_card: dict[str, Any] | None) -> None:
    """Risk text on the left and the survival curve on the right, or why there is none."""
    _heading(pdf, "Survival risk (Cox model: age group, grade, hemoglobin)")
    risk = result.get("risk")
    if not risk:
        _text(pdf, _no_risk_reason(model_card), size=8.5, max_lines=2)
        return
    top = pdf.get_y()
    for line in _risk_lines(risk):
        bold = "B" if line.startswith("SYNTHETIC") else ""
        _text(pdf, line, size=8.3, style=bold, width=100, max_lines=2)
    if risk.get("band_method"):
        _text(pdf, f"Band: {risk['band_method']}", size=6.8, line_mm=3.1, width=100, max_lines=4)
    if risk.get("curve"):
        from srgvhd.report.charts import figure_png, survival_curve_figure

        png = figure_png(survival_curve_figure(risk["curve"], size_in=(3.3, 1.85)), dpi=200)
        pdf.image(io.BytesIO(png), x=PAGE_LEFT + PAGE_WIDTH - 82, y=top, w=82)
        pdf.set_y(max(pdf.get_y(), top + 82 * 1.85 / 3.3))


def _benchmarks(pdf: FPDF, result: dict[str, Any]) -> None:
    """Matched Niu 2026 week-4 CR rows for this patient."""
    _heading(pdf, "Published benchmarks matching this patient")
    _table_header(pdf, BENCHMARK_COLUMNS)
    rows = matched_benchmarks(result)
    for row in rows:
        _table_row(pdf, [row.outcome.removeprefix("CR, "), format_arm(row.msc),
                         format_arm(row.standard), format_p(row)], BENCHMARK_COLUMNS)
    _text(pdf, f"Source: {rows[0].source.short} (retrospective; n = {MSC_ARM_N} UC-MSC, "
               f"{STANDARD_ARM_N} standard). {WHOLE_ARM_NOTE}",
          size=7, line_mm=3.4, max_lines=2)


def _notes_area(pdf: FPDF) -> None:
    """Ruled lines for handwritten notes in the space left above the footer."""
    top = pdf.get_y() + 4
    if FOOTER_TOP - top < 16:
        return
    pdf.set_xy(PAGE_LEFT, top)
    _text(pdf, "Clinician notes", size=8, style="B", max_lines=1)
    pdf.set_draw_color(190, 190, 190)
    y = pdf.get_y() + 7
    while y < FOOTER_TOP - 3:
        pdf.line(PAGE_LEFT, y, PAGE_LEFT + PAGE_WIDTH, y)
        y += 7


def _card_digest(model_card: dict[str, Any]) -> str:
    """SHA-256 of a model card as the model store computes it (its saved bytes)."""
    from srgvhd.risk.store import card_bytes, sha256

    return sha256(card_bytes(model_card))


def _model_text(result: dict[str, Any], model_card: dict[str, Any] | None) -> str:
    """Model version, card SHA-256 (first 12 hex) and whether it is the synthetic reference
    model: from the result's ``risk`` when there is one, else from the active model's card."""
    risk = result.get("risk")
    if risk:
        version, digest, reference = (risk.get("model_version"), risk.get("model_card_sha256"),
                                      risk.get("reference_model"))
    elif model_card:
        version, digest, reference = (model_card.get("version"), _card_digest(model_card),
                                      model_card.get("reference_model"))
    else:
        return "Risk model: none active."
    kind = ("synthetic reference model" if reference
            else "fitted model (not the synthetic reference)")
    return (f"Risk model {version or 'unknown'}  ·  card SHA-256 "
            f"{str(digest or 'unknown')[:12]}  ·  {kind}")


def _footer(pdf: FPDF, result: dict[str, Any], model_card: dict[str, Any] | None) -> None:
    """Model identity, project rules, disclaimer and signature line."""
    pdf.set_y(FOOTER_TOP)
    pdf.set_draw_color(160, 160, 160)
    pdf.line(PAGE_LEFT, pdf.get_y(), PAGE_LEFT + PAGE_WIDTH, pdf.get_y())
    pdf.ln(0.8)
    _text(pdf, _model_text(result, model_card), size=7.5, line_mm=3.6, max_lines=1)
    rules = " ".join(f"({i}) {rule.text}" for i, rule in enumerate(PROJECT_RULES, 1))
    pdf.set_text_color(80, 80, 80)
    _text(pdf, "Rules of this project: " + rules, size=6.3, line_mm=2.9, max_lines=5)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(277)
    _text(pdf, DISCLAIMER, size=8.5, style="B", max_lines=1)
    pdf.ln(3)
    _text(pdf, "Reviewed by (name, signature): ______________________________    "
               "Date: ________________", size=8.5, max_lines=1)


def build_summary_pdf(case: dict[str, Any], result: dict[str, Any], *,
                      model_card: dict[str, Any] | None = None,
                      generated_at: datetime | None = None) -> bytes:
    """The one-page A4 summary of ``case`` and its assess ``result`` as PDF bytes.

    ``model_card`` is the active risk model's card as the model store loads it (``version``,
    ``reference_model``); it identifies the model when the result has no ``risk``.
    ``generated_at`` (UTC when naive; now when None) is printed and is the PDF creation date,
    so the same inputs give identical bytes. Raises :class:`InputError` naming each missing
    or unusable field.
    """
    _check_inputs(case, result)
    when = generated_at or datetime.now(UTC)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(PAGE_LEFT, 10, PAGE_LEFT)
    pdf.set_auto_page_break(False)
    fonts = _ttf_dir()
    pdf.add_font(FONT, "", fonts / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", fonts / "DejaVuSans-Bold.ttf")
    pdf.set_creation_date(when)
    pdf.set_title("SR-aGVHD steroid-course summary")
    pdf.add_page()
    _header(pdf, when)
    _patient(pdf, case)
    _verdict(pdf, result)
    _assessments(pdf, result)
    _warnings(pdf, result.get("warnings") or [])
    _risk(pdf, result, model_card)
    _benchmarks(pdf, result)
    _notes_area(pdf)
    _footer(pdf, result, model_card)
    return bytes(pdf.output())
