"""The Benchmarks page's chart of the published week-4 complete response by subgroup, as a plain
Vega-Lite dict (as :mod:`srgvhd.report.vega`: no Altair, no matplotlib).

Drawn by the browser, so every language's letters show (a matplotlib figure would need a CJK
font for the Chinese words); titles, subgroups and arms in the current language, the published
percentages and counts with its decimal sign (``srgvhd.report.text.figures``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from srgvhd.i18n import _
from srgvhd.literature.published import (
    MSC_ARM_LABEL,
    STANDARD_ARM_LABEL,
    WEEK4_CR,
    ComparisonRow,
    format_p,
    format_percent,
)
from srgvhd.report.text import figures
from srgvhd.report.vega import SCHEMA, locale_config

MSC_COLOUR = "#1f6f8b"
STANDARD_COLOUR = "#b0b7bd"


def _subgroup(row: ComparisonRow) -> list[str]:
    """The subgroup's axis label: its words, and the p-value on a second line."""
    words = _(row.outcome.removeprefix("CR, "))  # the subgroup ("grade III–IV")
    return [words, figures(format_p(row))] if row.p is not None else [words]


def cr_by_subgroup_spec(rows: Sequence[ComparisonRow] = WEEK4_CR) -> dict[str, Any]:
    """Grouped bars of published week-4 CR, UC-MSC arm vs standard arm, one group per subgroup,
    each bar labelled with its percentage and n/N (whole arm as denominator, as in Niu et al.
    2026) and the p-value in the subgroup's axis label. No chart title: the page's heading and
    the caption under the table name the outcome, the denominator and the source (a Vega title
    above a chart of this height was drawn outside Streamlit's frame)."""
    arms = ((MSC_ARM_LABEL, MSC_COLOUR, "msc"), (STANDARD_ARM_LABEL, STANDARD_COLOUR, "standard"))
    values = [
        {
            "key": row.key,
            "arm": _(label),
            "CR": value.percent / 100 if value.percent is not None else None,
            "percent": figures(format_percent(value.percent)) if value.percent is not None else "",
            "counts": f"{value.count}/{value.denominator}" if value.count is not None else "",
        }
        for row in rows
        for label, _colour, field in arms
        for value in (getattr(row, field),)
    ]
    order = [_(label) for label, _colour, _field in arms]
    x = {
        "field": "key",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelAngle": 0, "labelExpr": _label_expr(rows), "labelLimit": 200},
    }
    y = {
        "field": "CR",
        "type": "quantitative",
        "title": _("week-4 complete response"),
        "scale": {"domain": [0, 1.1]},
        "axis": {"format": "%", "values": [0, 0.25, 0.5, 0.75, 1]},
    }
    text = {"type": "text", "baseline": "bottom", "fontSize": 10}
    return {
        "$schema": SCHEMA,
        **locale_config(),
        "data": {"values": values},
        "encoding": {"x": x, "xOffset": {"field": "arm", "sort": order}, "y": y},
        "layer": [
            {
                "mark": {"type": "bar"},
                "encoding": {
                    "color": {
                        "field": "arm",
                        "type": "nominal",
                        "title": _("study arm"),
                        "scale": {"domain": order, "range": [c for _l, c, _f in arms]},
                        "legend": {"orient": "bottom", "direction": "horizontal"},
                    },
                    "tooltip": [
                        {"field": "arm", "title": _("study arm")},
                        {"field": "percent", "title": _("complete response")},
                        {"field": "counts", "title": _("patients / whole arm")},
                    ],
                },
            },
            {"mark": {**text, "dy": -13}, "encoding": {"text": {"field": "percent"}}},
            {"mark": {**text, "dy": -2}, "encoding": {"text": {"field": "counts"}}},
        ],
    }


def _label_expr(rows: Sequence[ComparisonRow]) -> str:
    """A Vega expression giving each subgroup key its (translated, two-line) axis label."""
    entries = ",".join(
        "{}:[{}]".format(_quoted(row.key), ",".join(_quoted(line) for line in _subgroup(row)))
        for row in rows
    )
    return "{" + entries + "}[datum.value]"


def _quoted(text: str) -> str:
    """``text`` as a single-quoted Vega expression string."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
