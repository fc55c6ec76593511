"""The model card's figures in words and table rows, shared by the Model page and the card PDF.

Streamlit-free. Reads the typed card (``srgvhd.risk.card.ModelCard``): the hazard
ratios beside the published multivariate Cox model of Niu et al. 2026
(``srgvhd.literature.published.COX_FACTORS``), concordance, calibration by risk third and the
decision curve (``srgvhd.risk.calibration``; Royston & Altman 2013, Vickers et al. 2008).
A missing figure prints as "—", never as 0. Also the comparison of a new version with the
active one that the Model page shows before Promote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from srgvhd.literature.published import COX_FACTORS
from srgvhd.risk.calibration import CalibrationGroup, NetBenefit
from srgvhd.risk.card import CardMetrics, Exclusions, ModelCard
from srgvhd.risk.horizons import DECISION_CURVE_DAY

DASH = "—"
DECISION_DAY = str(DECISION_CURVE_DAY)  # the card keys its curves by day as text


def fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    """A number in ``pattern``, or "—" when it is missing."""
    return DASH if value is None else pattern.format(value)


def with_interval(
    estimate: float | None, lower: float | None, upper: float | None, pattern: str = "{:.2f}"
) -> str:
    """ "5.02 (1.01–24.93)": an estimate with its 95% interval in one cell ("(no interval)" when
    there is none, e.g. a Kaplan–Meier survival of 100%)."""
    if estimate is None:
        return DASH
    if lower is None or upper is None:
        return f"{fmt(estimate, pattern)} (no interval)"
    return f"{fmt(estimate, pattern)} ({fmt(lower, pattern)}–{fmt(upper, pattern)})"


def coefficient_rows(card: ModelCard) -> list[dict[str, str]]:
    """This model's hazard ratios beside the published ones (Niu et al. 2026 multivariate Cox
    model), each with its 95% CI in the same cell."""
    published = {f.covariate: f.hazard_ratio for f in COX_FACTORS}
    rows = []
    for c in card.coefficients:
        paper = published.get(c.name)
        rows.append(
            {
                "covariate": c.label,
                "HR (95% CI), this model": with_interval(c.hazard_ratio, c.hr_lower, c.hr_upper),
                "p": fmt(c.p, "{:.3f}"),
                "HR (95% CI), published": DASH
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
            "risk group": r.group,
            "n": r.n,
            "deaths": r.events,
            "at risk": r.at_risk,
            "predicted": fmt(r.predicted, "{:.0%}"),
            "observed (95% CI)": with_interval(
                r.observed, r.observed_lower, r.observed_upper, "{:.0%}"
            ),
        }
        for r in rows
    ]


def concordance_text(metrics: CardMetrics) -> str:
    """ "apparent 0.71, cross-validated 0.66 (5 folds)" (Harrell's C of the model card)."""
    return (
        f"apparent {fmt(metrics.concordance_apparent)}, cross-validated "
        f"{fmt(metrics.concordance_cv_mean)} ({metrics.concordance_cv_folds} folds)"
    )


def concordance_by_day_text(metrics: CardMetrics) -> str | None:
    """Time-dependent concordance (deaths up to each day), or None when not computed."""
    if not metrics.concordance_by_day:
        return None
    return "Concordance for deaths by day " + "; ".join(
        f"{day}: apparent {fmt(v.apparent)}, cross-validated {fmt(v.cross_validated)}"
        for day, v in metrics.concordance_by_day.items()
    )


def ph_text(metrics: CardMetrics) -> str:
    """ "Proportional hazards (method): verdict" as the card states it."""
    ph = metrics.ph_test
    return f"Proportional hazards ({ph.method or DASH}): {ph.verdict or DASH}"


def decision_rows(points: Sequence[NetBenefit]) -> list[dict[str, str]]:
    """Decision-curve points: threshold, how many are called high risk, net benefits."""
    return [
        {
            "threshold": fmt(p.threshold, "{:.0%}"),
            "called high risk": str(p.high_risk),
            "net benefit, model": fmt(p.model, "{:.3f}"),
            "treat everyone": fmt(p.treat_all, "{:.3f}"),
            "treat no one": "0.000",
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
        return (
            "At no threshold does calling “high risk” by the model give more net benefit "
            "than treating everyone or no one."
        )
    shown = ", ".join(fmt(t, "{:.0%}") for t in better)
    return (
        f"Calling “high risk” by the model gives more net benefit than treating everyone "
        f"and than treating no one at thresholds {shown} (of {len(points)} examined)."
    )


def exclusion_summary(report: Exclusions | None) -> str:
    """Rows a complete-rows fit left out, as counts by empty column (no row's values)."""
    if report is None:
        return "not used (a file with an empty cell is refused)"
    count = report.excluded
    if not count:
        return "used; no row had an empty cell"
    columns = Counter(name for row in report.rows for name in row.empty)
    by_column = ", ".join(f"{name} {n}" for name, n in sorted(columns.items()))
    scope = "" if report.listed >= count else f" (of the first {report.listed} listed)"
    return f"used; {count} row{'s' if count != 1 else ''} left out, empty cells{scope}: {by_column}"


def exclusion_rows(report: Exclusions | None) -> list[dict[str, Any]]:
    """The rows a complete-rows fit left out, one line each (row, patient_id, empty cells)."""
    if report is None:
        return []
    return [
        {"row": r.row, "patient_id": r.patient_id or DASH, "empty": ", ".join(r.empty)}
        for r in report.rows
    ]


def calibration_gap(rows: Sequence[CalibrationGroup] | None) -> str:
    """Largest |predicted − observed| survival over the risk thirds, in percentage points."""
    gaps = [
        abs(r.predicted - r.observed)
        for r in rows or ()
        if r.predicted is not None and r.observed is not None
    ]
    return f"{max(gaps):.0%}" if gaps else DASH


def comparison_figures(card: ModelCard | None) -> dict[str, str]:
    """The figures a data manager compares before promoting a version (empty without a card)."""
    if card is None:
        return {}
    m = card.metrics
    last = DECISION_DAY
    by_day = m.concordance_by_day.get(last)
    excluded = card.exclusions.excluded if card.exclusions is not None else None
    return {
        "patients (deaths)": f"{fmt(card.n, '{}')} ({fmt(card.events, '{}')})",
        "events per coefficient": fmt(card.events_per_coefficient, "{:.1f}"),
        "concordance, apparent": fmt(m.concordance_apparent),
        "concordance, cross-validated": fmt(m.concordance_cv_mean),
        f"concordance to day {last}, cross-validated": fmt(
            by_day.cross_validated if by_day else None
        ),
        f"largest calibration gap at day {last}, cross-validated": calibration_gap(
            m.calibration_cv.get(last)
        ),
        "proportional hazards, global p": fmt(m.ph_test.global_p, "{:.3f}"),
        "rows left out (complete rows)": DASH if excluded is None else str(excluded),
        "file read as": card.dialect_description or DASH,
    }


def comparison_rows(current: ModelCard | None, new: ModelCard) -> list[dict[str, str]]:
    """The new version's figures beside the active one's, one row per figure."""
    old, fresh = comparison_figures(current), comparison_figures(new)
    return [
        {"": name, "current": old.get(name, DASH), "new (not active)": value}
        for name, value in fresh.items()
    ]


def new_version_summary(card: ModelCard) -> str:
    """One line on a new version: its name, size, deaths and concordance."""
    return (
        f"New version **{card.version}**: n = {card.n}, deaths = {card.events}, "
        f"concordance: {concordance_text(card.metrics)}. Compare it with the current version "
        "below before promoting."
    )
