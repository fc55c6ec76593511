"""The model card's figures in words and table rows, shared by the Model page and the card PDF.

Streamlit-free. Reads a card (``srgvhd.risk.card.ModelCard`` or its JSON dict): the hazard
ratios beside the published multivariate Cox model of Niu et al. 2026
(``srgvhd.literature.published.COX_FACTORS``), concordance, calibration by risk third and the
decision curve (``srgvhd.risk.calibration``; Royston & Altman 2013, Vickers et al. 2008).
A missing figure prints as "—", never as 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from srgvhd.literature.published import COX_FACTORS
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


def coefficient_rows(card: Mapping[str, Any]) -> list[dict[str, str]]:
    """This model's hazard ratios beside the published ones (Niu et al. 2026 multivariate Cox
    model), each with its 95% CI in the same cell."""
    published = {f.covariate: f.hazard_ratio for f in COX_FACTORS}
    rows = []
    for c in card.get("coefficients") or []:
        paper = published.get(c["name"])
        rows.append(
            {
                "covariate": c["label"],
                "HR (95% CI), this model": with_interval(
                    c["hazard_ratio"], c["hr_lower"], c["hr_upper"]
                ),
                "p": fmt(c["p"], "{:.3f}"),
                "HR (95% CI), published": DASH
                if paper is None
                else with_interval(paper.estimate, paper.lower, paper.upper),
            }
        )
    return rows


def calibration_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Calibration groups with predicted and Kaplan–Meier observed survival (95% CI) as
    percentages, in six columns."""
    return [
        {
            "risk group": r["group"],
            "n": r["n"],
            "deaths": r["events"],
            "at risk": r["at_risk"],
            "predicted": fmt(r["predicted"], "{:.0%}"),
            "observed (95% CI)": with_interval(
                r["observed"], r["observed_lower"], r["observed_upper"], "{:.0%}"
            ),
        }
        for r in rows
    ]


def concordance_text(metrics: Mapping[str, Any]) -> str:
    """ "apparent 0.71, cross-validated 0.66 (5 folds)" (Harrell's C of the model card)."""
    cv = metrics.get("concordance_cv") or {}
    return (
        f"apparent {fmt(metrics.get('concordance_apparent'))}, cross-validated "
        f"{fmt(cv.get('mean'))} ({len(cv.get('folds', []))} folds)"
    )


def concordance_by_day_text(metrics: Mapping[str, Any]) -> str | None:
    """Time-dependent concordance (deaths up to each day), or None when not computed."""
    by_day = metrics.get("concordance_by_day")
    if not by_day:
        return None
    return "Concordance for deaths by day " + "; ".join(
        f"{day}: apparent {fmt(v.get('apparent'))}, cross-validated {fmt(v.get('cross_validated'))}"
        for day, v in by_day.items()
    )


def decision_rows(points: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Decision-curve points: threshold, how many are called high risk, net benefits."""
    return [
        {
            "threshold": fmt(p["threshold"], "{:.0%}"),
            "called high risk": str(p["high_risk"]),
            "net benefit, model": fmt(p["model"], "{:.3f}"),
            "treat everyone": fmt(p["treat_all"], "{:.3f}"),
            "treat no one": "0.000",
        }
        for p in points
    ]


def decision_summary(points: Sequence[Mapping[str, Any]]) -> str:
    """The thresholds at which calling "high risk" by the model has more net benefit than both
    treating everyone and treating no one (Vickers et al. 2008)."""
    better = [
        p["threshold"]
        for p in points
        if p.get("model") is not None
        and p.get("treat_all") is not None
        and p["model"] > max(p["treat_all"], 0.0)
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


def exclusion_summary(report: Mapping[str, Any] | None) -> str:
    """Rows a complete-rows fit left out, as counts by empty column (no row's values)."""
    if report is None:
        return "not used (a file with an empty cell is refused)"
    count = report.get("excluded", 0)
    if not count:
        return "used; no row had an empty cell"
    columns = Counter(name for row in report.get("rows", []) for name in row.get("empty", []))
    listed = report.get("listed", count)
    by_column = ", ".join(f"{name} {n}" for name, n in sorted(columns.items()))
    scope = "" if listed >= count else f" (of the first {listed} listed)"
    return f"used; {count} row{'s' if count != 1 else ''} left out, empty cells{scope}: {by_column}"
