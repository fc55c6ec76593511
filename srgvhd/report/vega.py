"""The Assess and Model pages' charts as plain Vega-Lite specifications (dicts, data inline).

Built without Altair: no chart objects and no schema validation on each rerun
(perf/results/charts.md measured Altair construction + validation at about half the page
script's own time). Streamlit draws them with ``st.vega_lite_chart(spec)``. Response colours:
distinct hues after Okabe & Ito and Paul Tol's colour-blind-safe palettes, each at least 3:1
against white (WCAG 2.1 SC 1.4.11); progression in vermillion, the baseline in black.

Every title, legend, tooltip and category the reader sees is said in the current language
(``srgvhd.i18n``); the colours stay keyed by the English values. In German and French the
specification carries a Vega-Lite ``config.locale`` (d3-format number locale: decimal comma
and the language's percent spacing), so axis and tooltip numbers read "0,25" and "50 %".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from srgvhd.clinical.results import CourseResult, Grade
from srgvhd.clinical.staging import ORGAN_LABELS
from srgvhd.i18n import N_, _, current
from srgvhd.report.text import response_text
from srgvhd.risk.calibration import CalibrationGroup, NetBenefit
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
MODEL_STRATEGY = N_("model: high risk")
TREAT_ALL = N_("treat everyone")
TREAT_NONE = N_("treat no one")
DECISION_COLOURS = {MODEL_STRATEGY: CURVE_COLOUR, TREAT_ALL: "#E69F00", TREAT_NONE: "#666666"}
# The calibration chart's groups (srgvhd.risk.calibration.RISK_THIRDS), said where shown.
RISK_THIRD_WORDS = (N_("lowest risk third"), N_("middle risk third"), N_("highest risk third"))
CURVE_X_MAX_DAYS = 400  # the curve is shown to here (past the 365-day horizon), page and PDF


INCOMPLETE_OPACITY = 0.35


def locale_config() -> dict[str, Any]:
    """The ``config`` of a chart in the current language: a Vega-Lite number locale where the
    language writes a decimal comma (German, French: "0,25", "50 %"); empty otherwise (English
    and Chinese read d3's defaults). No grouping separator, as in the rest of the app."""
    tr = current()
    if tr.decimal_sign == ".":
        return {}
    percent = tr.percent(0.5).removeprefix("50")
    number = {
        "decimal": tr.decimal_sign,
        "thousands": "",
        "grouping": [3],
        "currency": ["", ""],
        "percent": percent,
    }
    return {"config": {"locale": {"number": number}}}


def _grade_words(grade: str, incomplete: bool, missing: Sequence[str]) -> str:
    """A MAGIC grade for the tooltip; a lower bound says which organs were not measured."""
    if not incomplete:
        return grade
    return _(
        "{grade} or higher ({organs} not measured)",
        grade=grade,
        organs=current().listed([ORGAN_LABELS[o] for o in missing]),
    )


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
            "MAGIC grade": _grade_words(a.grade.value, a.grade_incomplete, a.not_measured),
            "incomplete": a.grade_incomplete,
            "response": response_text(a.response.value if a.response else None),
        }
        for a in course.assessments
    ]
    keys = {response_text(None if r == "baseline" else r): r for r in RESPONSE_COLOURS}
    present = {v["response"] for v in values}
    shown = [word for word, key in keys.items() if word in present]
    legend = {"orient": "bottom", "direction": "horizontal", "title": _("response")}
    labels = "[" + ",".join(f"'{g}'" for g in grades) + "][datum.value]"
    return {
        "$schema": SCHEMA,
        **locale_config(),
        "data": {"values": values},
        "encoding": {
            "x": {
                "field": "day",
                "type": "quantitative",
                "title": _("day of steroids"),
                "scale": {"padding": 12},
                "axis": {"format": "d", "tickMinStep": 1},
            },
            "y": {
                "field": "grade",
                "type": "quantitative",
                "title": _("MAGIC grade"),
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
                        "scale": {
                            "domain": shown,
                            "range": [RESPONSE_COLOURS[keys[r]] for r in shown],
                        },
                    },
                    "shape": {
                        "field": "response",
                        "type": "nominal",
                        "legend": legend,
                        "scale": {"domain": shown},
                    },
                    "tooltip": [
                        {"field": "day", "type": "quantitative", "title": _("day")},
                        {"field": "MAGIC grade", "type": "nominal", "title": _("MAGIC grade")},
                        {"field": "response", "type": "nominal", "title": _("response")},
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
        "title": _("days from second-line therapy"),
        "scale": {"domain": [0, CURVE_X_MAX_DAYS]},
    }
    survival = {
        "type": "quantitative",
        "title": _("overall survival"),
        "scale": {"domain": [0, 1]},
        "axis": {"format": "%"},
    }
    return {
        "$schema": SCHEMA,
        **locale_config(),
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
                        {"field": "days", "type": "quantitative", "title": _("day")},
                        {
                            "field": "estimate",
                            "type": "quantitative",
                            "format": ".0%",
                            "title": _("overall survival"),
                        },
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


def decision_curve_spec(points: Sequence[NetBenefit]) -> dict[str, Any]:
    """The Model page's decision curve (Vickers et al. 2008): net benefit of calling "high risk"
    by the model against treating everyone and no one, by threshold probability of death.

    The y axis runs from a quarter of the largest net benefit below zero (at least −0.05) to the
    largest; a line stops where it leaves the axis (treating everyone at a high threshold has a
    net benefit far below zero that would squash the curves that matter)."""
    strategies = ((MODEL_STRATEGY, "model"), (TREAT_ALL, "treat_all"))
    series = {
        _(name): [(p.threshold, getattr(p, key)) for p in points if getattr(p, key) is not None]
        for name, key in strategies
    }
    series[_(TREAT_NONE)] = [(p.threshold, 0.0) for p in points]
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
            "scale": {
                "domain": [_(name) for name in DECISION_COLOURS],
                "range": list(DECISION_COLOURS.values()),
            },
        },
    }
    return {
        "$schema": SCHEMA,
        **locale_config(),
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
            "group": current().text(r.group),
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
        **locale_config(),
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
                    "color": {"field": "group", "type": "nominal", "title": None, "sort": None},
                },
            },
        ],
    }
