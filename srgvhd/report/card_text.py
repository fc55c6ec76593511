"""The model card's figures in words and table rows, shared by the Model page and the card PDF.

Streamlit-free. Reads the typed card (``srgvhd.risk.card.ModelCard``): the hazard
ratios beside the published multivariate Cox model of Niu et al. 2026
(``srgvhd.literature.published.COX_FACTORS``), concordance, calibration by risk third and the
decision curve (``srgvhd.risk.calibration``; Royston & Altman 2013, Vickers et al. 2008).
A missing figure prints as "—", never as 0. Also the comparison of a new version with the
active one that the Model page shows before Promote.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from srgvhd.i18n import N_, NP_, _, current, ngettext
from srgvhd.literature.published import COX_FACTORS
from srgvhd.risk.calibration import CalibrationGroup, NetBenefit
from srgvhd.risk.card import CardMetrics, Exclusions, ModelCard
from srgvhd.risk.dialect import describe_dialect
from srgvhd.risk.horizons import DECISION_CURVE_DAY
from srgvhd.risk.phtest import PH_NONE, PH_NOT_COMPUTED, PH_VIOLATED

DASH = "—"
DECISION_DAY = str(DECISION_CURVE_DAY)  # the card keys its curves by day as text
# Column headings (English message ids, said with _() where a table is drawn; the card PDF's
# srgvhd.report.pdfkit.heading_row says them itself). Terms: docs/glossary.md.
COVARIATE = N_("covariate")
HR_THIS_MODEL = N_("HR (95% CI), this model")
P_VALUE = N_("p")
HR_PUBLISHED = N_("HR (95% CI), published")
RISK_GROUP = N_("risk group")
N_PATIENTS = N_("n")
DEATHS = N_("deaths")
AT_RISK = N_("at risk")
PREDICTED = N_("predicted")
OBSERVED = N_("observed (95% CI)")
THRESHOLD = N_("threshold")
CALLED_HIGH_RISK = N_("called high risk")
NET_BENEFIT_MODEL = N_("net benefit, model")
TREAT_EVERYONE = N_("treat everyone")
TREAT_NO_ONE = N_("treat no one")
ROW = N_("row")
EMPTY_CELLS = NP_("left-out rows", "empty")  # the empty cells of a left-out row
CURRENT = N_("current")
NEW_NOT_ACTIVE = N_("new (not active)")


def fmt(value: float | None, spec: str = ".2f") -> str:
    """A number in the current language with ``spec`` (``"%"`` for a whole percentage, ``"d"``
    for a count), or "—" when it is missing (never 0)."""
    if value is None:
        return DASH
    if spec == "%":
        return current().percent(value)
    if spec == "d":
        return str(int(value))
    return current().number(value, spec)


def with_interval(
    estimate: float | None, lower: float | None, upper: float | None, spec: str = ".2f"
) -> str:
    """ "5.02 (1.01–24.93)": an estimate with its 95% interval in one cell ("(no interval)" when
    there is none, e.g. a Kaplan–Meier survival of 100%)."""
    if estimate is None:
        return DASH
    if lower is None or upper is None:
        return _("{estimate} (no interval)", estimate=fmt(estimate, spec))
    return f"{fmt(estimate, spec)} ({fmt(lower, spec)}–{fmt(upper, spec)})"


def said(stored: str | None) -> str:
    """A text saved on a card in English (a covariate label, a risk third, the statement, the
    estimation method) in the current language when the catalogues know it, else as saved."""
    return DASH if not stored else current().text(stored)


ENGLISH_AS_RECORDED = N_(
    "As recorded on the card (in English; the catalogues do not translate free text):"
)


def untranslated_note(stored: Sequence[str]) -> str | None:
    """A note that texts saved on a card (e.g. the assumptions a training script wrote) are
    shown in English, when the current language is not English and one of them has no
    translation; None otherwise."""
    if current().lang == "en" or all(current().text(text) != text for text in stored):
        return None
    return _(ENGLISH_AS_RECORDED)


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(pattern + "$", re.DOTALL)


def ph_verdict(stored: str | None) -> str:
    """The proportional-hazards verdict saved on a card (English, srgvhd.risk.fit) in the
    current language: matched against the verdict's templates (srgvhd.risk.phtest), the
    covariates and the significance level said again; an unknown text as saved."""
    if not stored:
        return DASH
    if stored == PH_NOT_COMPUTED:
        return _(PH_NOT_COMPUTED)
    for template in (PH_NONE, PH_VIOLATED):
        found = _template_pattern(template).match(stored)
        if not found:
            continue
        try:
            alpha = float(found["alpha"])
        except ValueError:
            break
        if template == PH_NONE:
            return _(PH_NONE, alpha=alpha)
        labels = [said(label) for label in found["covariates"].split("; ")]
        return _(PH_VIOLATED, covariates="; ".join(labels), alpha=alpha)
    return stored


def dialect_text(card: ModelCard) -> str | None:
    """How the training file was read ("semicolon-separated, decimal comma, UTF-8, CRLF line
    ends") in the current language, from the card's dialect fields; the saved description of
    an older card; None when not recorded."""
    dialect = card.get("dialect")
    if isinstance(dialect, Mapping):
        try:
            return current().text(
                describe_dialect(
                    dialect["separator"],
                    dialect.get("decimal_mark"),
                    dialect["encoding"],
                    dialect["line_ending"],
                )
            )
        except (KeyError, TypeError):
            pass
    return card.dialect_description


def created_text(card: ModelCard) -> str:
    """When the card was made: a date in the current language and the UTC time ("2026-12-01
    08:23 UTC", "01.12.2026 08:23 UTC"); "unknown" (in the current language) without one."""
    if card.created_at is None:
        return _("unknown")
    when = datetime.fromisoformat(card.created_at)
    when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    return _("{date} {time} UTC", date=current().date(when.date()), time=when.strftime("%H:%M"))


def coefficient_rows(card: ModelCard) -> list[dict[str, str]]:
    """This model's hazard ratios beside the published ones (Niu et al. 2026 multivariate Cox
    model), each with its 95% CI in the same cell; headings in the current language."""
    published = {f.covariate: f.hazard_ratio for f in COX_FACTORS}
    rows = []
    for c in card.coefficients:
        paper = published.get(c.name)
        rows.append(
            {
                _(COVARIATE): said(c.label),
                _(HR_THIS_MODEL): with_interval(c.hazard_ratio, c.hr_lower, c.hr_upper),
                _(P_VALUE): fmt(c.p, ".3f"),
                _(HR_PUBLISHED): DASH
                if paper is None
                else with_interval(paper.estimate, paper.lower, paper.upper),
            }
        )
    return rows


def calibration_rows(rows: Sequence[CalibrationGroup]) -> list[dict[str, Any]]:
    """Calibration groups with predicted and Kaplan–Meier observed survival (95% CI) as
    percentages, in six columns."""
    return [
        {
            _(RISK_GROUP): said(r.group),
            _(N_PATIENTS): r.n,
            _(DEATHS): r.events,
            _(AT_RISK): r.at_risk,
            _(PREDICTED): fmt(r.predicted, "%"),
            _(OBSERVED): with_interval(r.observed, r.observed_lower, r.observed_upper, "%"),
        }
        for r in rows
    ]


def concordance_text(metrics: CardMetrics) -> str:
    """ "apparent 0.71, cross-validated 0.66 (5 folds)" (Harrell's C of the model card)."""
    return ngettext(
        "apparent {apparent}, cross-validated {cross_validated} ({n} fold)",
        "apparent {apparent}, cross-validated {cross_validated} ({n} folds)",
        metrics.concordance_cv_folds,
        apparent=fmt(metrics.concordance_apparent),
        cross_validated=fmt(metrics.concordance_cv_mean),
    )


def concordance_by_day_text(metrics: CardMetrics) -> str | None:
    """Time-dependent concordance (deaths up to each day), or None when not computed."""
    if not metrics.concordance_by_day:
        return None
    days = [
        _(
            "day {day}: apparent {apparent}, cross-validated {cross_validated}",
            day=day,
            apparent=fmt(v.apparent),
            cross_validated=fmt(v.cross_validated),
        )
        for day, v in metrics.concordance_by_day.items()
    ]
    return _("Concordance for deaths by day: {days}", days="; ".join(days))


def ph_text(metrics: CardMetrics) -> str:
    """ "Proportional hazards (method): verdict" as the card states it."""
    ph = metrics.ph_test
    return _(
        "Proportional hazards ({method}): {verdict}",
        method=said(ph.method),
        verdict=ph_verdict(ph.verdict),
    )


def decision_rows(points: Sequence[NetBenefit]) -> list[dict[str, str]]:
    """Decision-curve points: threshold, how many are called high risk, net benefits."""
    return [
        {
            _(THRESHOLD): fmt(p.threshold, "%"),
            _(CALLED_HIGH_RISK): str(p.high_risk),
            _(NET_BENEFIT_MODEL): fmt(p.model, ".3f"),
            _(TREAT_EVERYONE): fmt(p.treat_all, ".3f"),
            _(TREAT_NO_ONE): fmt(0.0, ".3f"),
        }
        for p in points
    ]


def decision_summary(points: Sequence[NetBenefit]) -> str:
    """The thresholds at which calling "high risk" by the model has more net benefit than both
    treating everyone and treating no one (Vickers et al. 2008)."""
    better = [
        p.threshold
        for p in points
        if p.model is not None and p.treat_all is not None and p.model > max(p.treat_all, 0.0)
    ]
    if not better:
        return _(
            "At no threshold does calling “high risk” by the model give more net benefit "
            "than treating everyone or no one."
        )
    return _(
        "Calling “high risk” by the model gives more net benefit than treating everyone "
        "and than treating no one at thresholds {thresholds} (of {n} examined).",
        thresholds=", ".join(fmt(t, "%") for t in better),
        n=len(points),
    )


def exclusion_summary(report: Exclusions | None) -> str:
    """Rows a complete-rows fit left out, as counts by empty column (no row's values)."""
    if report is None:
        return _("not used (a file with an empty cell is refused)")
    count = report.excluded
    if not count:
        return _("used; no row had an empty cell")
    columns = Counter(name for row in report.rows for name in row.empty)
    by_column = ", ".join(f"{name} {n}" for name, n in sorted(columns.items()))
    if report.listed >= count:
        return ngettext(
            "used; {n} row left out, empty cells: {columns}",
            "used; {n} rows left out, empty cells: {columns}",
            count,
            columns=by_column,
        )
    return ngettext(
        "used; {n} row left out, empty cells (of the first {listed} listed): {columns}",
        "used; {n} rows left out, empty cells (of the first {listed} listed): {columns}",
        count,
        listed=report.listed,
        columns=by_column,
    )


def exclusion_rows(report: Exclusions | None) -> list[dict[str, Any]]:
    """The rows a complete-rows fit left out, one line each (row, patient_id, empty cells)."""
    if report is None:
        return []
    return [
        {
            _(ROW): r.row,
            "patient_id": r.patient_id or DASH,
            current().pgettext("left-out rows", EMPTY_CELLS): ", ".join(r.empty),
        }
        for r in report.rows
    ]


def calibration_gap(rows: Sequence[CalibrationGroup] | None) -> str:
    """Largest |predicted − observed| survival over the risk thirds, in percentage points."""
    gaps = [
        abs(r.predicted - r.observed)
        for r in rows or ()
        if r.predicted is not None and r.observed is not None
    ]
    return fmt(max(gaps), "%") if gaps else DASH


def comparison_figures(card: ModelCard | None) -> dict[str, str]:
    """The figures a data manager compares before promoting a version (empty without a card),
    named in the current language."""
    if card is None:
        return {}
    m = card.metrics
    last = DECISION_DAY
    by_day = m.concordance_by_day.get(last)
    excluded = card.exclusions.excluded if card.exclusions is not None else None
    return {
        _("patients (deaths)"): f"{fmt(card.n, 'd')} ({fmt(card.events, 'd')})",
        _("events per coefficient"): fmt(card.events_per_coefficient, ".1f"),
        _("concordance, apparent"): fmt(m.concordance_apparent),
        _("concordance, cross-validated"): fmt(m.concordance_cv_mean),
        _("concordance to day {day}, cross-validated", day=last): fmt(
            by_day.cross_validated if by_day else None
        ),
        _("largest calibration gap at day {day}, cross-validated", day=last): calibration_gap(
            m.calibration_cv.get(last)
        ),
        _("proportional hazards, global p"): fmt(m.ph_test.global_p, ".3f"),
        _("rows left out (complete rows)"): DASH if excluded is None else str(excluded),
        _("file read as"): dialect_text(card) or DASH,
    }


def comparison_rows(current_card: ModelCard | None, new: ModelCard) -> list[dict[str, str]]:
    """The new version's figures beside the active one's, one row per figure."""
    old, fresh = comparison_figures(current_card), comparison_figures(new)
    return [
        {"": name, _(CURRENT): old.get(name, DASH), _(NEW_NOT_ACTIVE): value}
        for name, value in fresh.items()
    ]


def new_version_summary(card: ModelCard) -> str:
    """One line on a new version: its name, size, deaths and concordance."""
    return _(
        "New version **{version}**: n = {n}, deaths = {deaths}, concordance: {concordance}. "
        "Compare it with the current version below before promoting.",
        version=card.version,
        n=fmt(card.n, "d"),
        deaths=fmt(card.events, "d"),
        concordance=concordance_text(card.metrics),
    )
