"""The Assess and Model pages' charts as plain Vega-Lite specifications (dicts, data inline).

Built without Altair: no chart objects and no schema validation on each rerun
(perf/results/charts.md measured Altair construction + validation at about half the page
script's own time). Streamlit draws them with ``st.vega_lite_chart(spec)``. Response colours:
distinct hues after Okabe & Ito and Paul Tol's colour-blind-safe palettes, each at least 3:1
against white (WCAG 2.1 SC 1.4.11); progression in vermillion, the baseline in black.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from srgvhd.clinical.results import CourseResult, Grade
from srgvhd.clinical.staging import ORGAN_LABELS
from srgvhd.i18n import N_, _, current
from srgvhd.risk.calibration import RISK_THIRDS, CalibrationGroup, NetBenefit
from srgvhd.risk.horizons import DECISION_CURVE_DAY

if TYPE_CHECKING:
    from srgvhd.risk.predict import SurvivalCurve

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
RESPONSE_COLOURS = {
    "baseline": "#000000",
    "CR": "#117733",
    "VGPR": "#1F78B4",
    "PR": "#332288",
    "mixed": "#997700",
    "no response": "#AA4499",
    "progression": "#D55E00",
    "not assessable": "#666666",
}
CURVE_COLOUR = "#1f4e79"
# The decision curve's strategies, all in the legend even when a line is wholly below the axis.
DECISION_COLOURS = {
    N_("model: high risk"): CURVE_COLOUR,
    N_("treat everyone"): "#E69F00",
    N_("treat no one"): "#666666",
}
CURVE_X_MAX_DAYS = 400  # the curve is shown to here (past the 365-day horizon), page and PDF


INCOMPLETE_OPACITY = 0.35


def timeline_spec(course: CourseResult) -> dict[str, Any]:
    """MAGIC grade by day of steroids, one marker per assessment in its response's colour and
    shape; the legend below the chart (a legend at the right edge got clipped). A grade from an
    assessment with an organ not measured is a lower bound (clinical-rules.md §7.5): its marker
    is faded and its tooltip says which organ is missing."""
    grades = [g.value for g in Grade]
    values = [
        {
            "day": a.day,
            "grade": a.grade.rank,
            "MAGIC grade": (
                f"{a.grade.value} or higher "
                f"({', '.join(ORGAN_LABELS[o] for o in a.not_measured)} not measured)"
                if a.grade_incomplete
                else a.grade.value
            ),
            "incomplete": a.grade_incomplete,
            "response": a.response.value if a.response else "baseline",
        }
        for a in course.assessments
    ]
    present = {v["response"] for v in values}
    shown = [r for r in RESPONSE_COLOURS if r in present]
    legend = {"orient": "bottom", "direction": "horizontal", "title": "response"}
    labels = "[" + ",".join(f"'{g}'" for g in grades) + "][datum.value]"
    return {
        "$schema": SCHEMA,
        "data": {"values": values},
        "encoding": {
            "x": {
                "field": "day",
                "type": "quantitative",
                "title": "day of steroids",
                "scale": {"padding": 12},
                "axis": {"format": "d", "tickMinStep": 1},
            },
            "y": {
                "field": "grade",
                "type": "quantitative",
                "title": "MAGIC grade",
                "scale": {"domain": [0, len(grades) - 1]},
                "axis": {"values": list(range(len(grades))), "labelExpr": labels},
            },
        },
        "layer": [
            {"mark": {"type": "line", "color": "#999"}},
            {
                "mark": {"type": "point", "size": 160, "filled": True, "opacity": 1},
                "encoding": {
                    "opacity": {
                        "condition": {"test": "datum.incomplete", "value": INCOMPLETE_OPACITY},
                        "value": 1,
                    },
                    "color": {
                        "field": "response",
                        "type": "nominal",
                        "legend": legend,
                        "scale": {"domain": shown, "range": [RESPONSE_COLOURS[r] for r in shown]},
                    },
                    "shape": {
                        "field": "response",
                        "type": "nominal",
                        "legend": legend,
                        "scale": {"domain": shown},
                    },
                    "tooltip": [
                        {"field": "day", "type": "quantitative"},
                        {"field": "MAGIC grade", "type": "nominal"},
                        {"field": "response", "type": "nominal"},
                    ],
                },
            },
        ],
    }


def _curve_columns(
    curve: SurvivalCurve | Mapping[str, Sequence[Any]],
) -> tuple[Sequence[Any], Sequence[Any], Sequence[Any], Sequence[Any]]:
    """Days, estimate, lower and upper of the estimate's curve, or of its ``curve`` object as
    read from a file."""
    if isinstance(curve, Mapping):
        return curve["days"], curve["estimate"], curve["lower"], curve["upper"]
    return curve.days, curve.estimate, curve.lower, curve.upper


def survival_spec(
    curve: SurvivalCurve | Mapping[str, Sequence[Any]], horizons: Sequence[int]
) -> dict[str, Any]:
    """Predicted survival (step line) with its 95% band and dotted rules at ``horizons`` (the
    estimate's days), up to day CURVE_X_MAX_DAYS; points beyond the model's follow-up (null)
    are left out, and so are days that repeat the step before them (the picture is the same,
    the page sends a fraction of the points on every rerun)."""
    values = _steps(
        [
            {"days": d, "estimate": e, "lower": lo, "upper": hi}
            for d, e, lo, hi in zip(*_curve_columns(curve), strict=True)
            if None not in (e, lo, hi) and d <= CURVE_X_MAX_DAYS
        ]
    )
    x = {
        "field": "days",
        "type": "quantitative",
        "title": "days from second-line therapy",
        "scale": {"domain": [0, CURVE_X_MAX_DAYS]},
    }
    survival = {
        "type": "quantitative",
        "title": "overall survival",
        "scale": {"domain": [0, 1]},
        "axis": {"format": "%"},
    }
    return {
        "$schema": SCHEMA,
        "data": {"values": values},
        "layer": [
            {
                "mark": {
                    "type": "area",
                    "opacity": 0.25,
                    "interpolate": "step-after",
                    "color": CURVE_COLOUR,
                },
                "encoding": {"x": x, "y": {"field": "lower", **survival}, "y2": {"field": "upper"}},
            },
            {
                "mark": {"type": "line", "interpolate": "step-after", "color": CURVE_COLOUR},
                "encoding": {
                    "x": x,
                    "y": {"field": "estimate", **survival},
                    "tooltip": [
                        {"field": "days", "type": "quantitative"},
                        {"field": "estimate", "type": "quantitative", "format": ".0%"},
                    ],
                },
            },
            {
                "data": {"values": [{"days": h} for h in horizons]},
                "mark": {"type": "rule", "strokeDash": [2, 3], "color": "#666"},
                "encoding": {"x": x},
            },
        ],
    }


def _steps(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The points of a step-after curve where a value changes, plus the last (where the line
    ends); a point that repeats the previous one draws nothing new."""
    kept = [p for i, p in enumerate(points) if i == 0 or _level(p) != _level(points[i - 1])]
    if points and kept[-1] is not points[-1]:
        kept.append(points[-1])
    return kept


def _level(point: dict[str, Any]) -> tuple[Any, ...]:
    return point["estimate"], point["lower"], point["upper"]


def _cut_below(series: list[tuple[float, float]], low: float) -> list[dict[str, Any]]:
    """A line's (threshold, net benefit) points at or above ``low``; where it crosses ``low``
    the crossing (linear, as the line is drawn) is added without a marker."""
    out: list[dict[str, Any]] = []
    for i, (x, y) in enumerate(series):
        if i and (y < low) != (series[i - 1][1] < low):
            x0, y0 = series[i - 1]
            out.append(
                {
                    "threshold": x0 + (low - y0) * (x - x0) / (y - y0),
                    "net benefit": low,
                    "marker": False,
                }
            )
        if y >= low:
            out.append({"threshold": x, "net benefit": y, "marker": True})
    return out


def _said_labels(names: Sequence[str]) -> str:
    """A Vega legend ``labelExpr``: each English legend name in the current language's words
    (a JSON object literal, so no name can break out of the expression), any other as is."""
    words = json.dumps({name: current().text(name) for name in names}, ensure_ascii=False)
    return f"({words})[datum.label] || datum.label"


def decision_curve_spec(points: Sequence[NetBenefit]) -> dict[str, Any]:
    """The Model page's decision curve (Vickers et al. 2008): net benefit of calling "high risk"
    by the model against treating everyone and no one, by threshold probability of death.

    The y axis runs from a quarter of the largest net benefit below zero (at least −0.05) to the
    largest; a line stops where it leaves the axis (treating everyone at a high threshold has a
    net benefit far below zero that would squash the curves that matter)."""
    strategies = (("model: high risk", "model"), ("treat everyone", "treat_all"))
    series = {
        name: [(p.threshold, getattr(p, key)) for p in points if getattr(p, key) is not None]
        for name, key in strategies
    }
    series["treat no one"] = [(p.threshold, 0.0) for p in points]
    top = max([0.0, *(y for line in series.values() for _, y in line)])
    domain = [-max(0.05, top / 4), max(top, 0.05)]
    values = [
        {**v, "strategy": name}
        for name, line in series.items()
        for v in _cut_below(line, domain[0])
    ]
    encoding = {
        "x": {
            "field": "threshold",
            "type": "quantitative",
            "axis": {"format": "%"},
            "title": _("threshold probability of death by day {day}", day=DECISION_CURVE_DAY),
        },
        "y": {
            "field": "net benefit",
            "type": "quantitative",
            "scale": {"domain": domain},
            "title": _("net benefit"),
        },
        "color": {
            "field": "strategy",
            "type": "nominal",
            "title": None,
            "scale": {"domain": list(DECISION_COLOURS), "range": list(DECISION_COLOURS.values())},
            # the data keep the English strategy; the legend says it in the current language
            "legend": {"labelExpr": _said_labels(DECISION_COLOURS)},
        },
    }
    return {
        "$schema": SCHEMA,
        "height": 220,
        "data": {"values": values},
        "encoding": encoding,
        "layer": [
            {"mark": "line"},
            {"transform": [{"filter": "datum.marker"}], "mark": {"type": "point", "filled": True}},
        ],
    }


def calibration_spec(rows: Sequence[CalibrationGroup]) -> dict[str, Any]:
    """The Model page's calibration chart: Kaplan–Meier observed survival (with its 95%
    interval) against mean predicted survival, one point per risk third, and the diagonal of
    perfect calibration (Royston & Altman 2013)."""
    points = [
        {
            "group": r.group,
            "predicted": r.predicted,
            "observed": r.observed,
            "lower": r.observed_lower,
            "upper": r.observed_upper,
        }
        for r in rows
        if r.predicted is not None and r.observed is not None
    ]
    scale = {"domain": [0, 1]}
    axis = {"format": "%"}
    return {
        "$schema": SCHEMA,
        "height": 220,
        "layer": [
            {
                "data": {"values": [{"x": 0, "y": 0}, {"x": 1, "y": 1}]},
                "mark": {"type": "line", "strokeDash": [4, 4], "color": "gray"},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative", "scale": scale},
                    "y": {"field": "y", "type": "quantitative", "scale": scale},
                },
            },
            {
                "data": {"values": points},
                "mark": "rule",
                "encoding": {
                    "x": {"field": "predicted", "type": "quantitative"},
                    "y": {"field": "lower", "type": "quantitative"},
                    "y2": {"field": "upper"},
                },
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "filled": True, "size": 70},
                "encoding": {
                    "x": {
                        "field": "predicted",
                        "type": "quantitative",
                        "scale": scale,
                        "axis": axis,
                        "title": _("predicted survival"),
                    },
                    "y": {
                        "field": "observed",
                        "type": "quantitative",
                        "scale": scale,
                        "axis": axis,
                        "title": _("observed (Kaplan–Meier)"),
                    },
                    "color": {
                        "field": "group",
                        "type": "nominal",
                        "title": None,
                        "sort": None,
                        "legend": {"labelExpr": _said_labels(RISK_THIRDS)},
                    },
                },
            },
        ],
    }
