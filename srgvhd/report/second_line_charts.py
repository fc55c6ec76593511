"""The second line's charts as plain Vega-Lite dicts (as ``srgvhd.report.vega``, no Altair).

- ``week4_chart_spec``: the study's week-4 CR rates by the patient's subgroups, both arms (Niu et
  al. 2026; REACH2 for ruxolitinib), with the patient's own week-4 answer marked on every
  subgroup: a diamond at 100% when it was CR, at 0% otherwise, in the response's colour.
- ``survival_from_start_spec``: the survival curve from the second-line start with its band
  (``srgvhd.report.vega.survival_spec``) and a rule at the day being read ("today").
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from srgvhd.clinical.results import WEEK4_ASSESSED, SecondLineResult
from srgvhd.i18n import _
from srgvhd.report.second_line_text import arm_word, subgroup_word
from srgvhd.report.text import response_text
from srgvhd.report.vega import RESPONSE_COLOURS, SCHEMA, locale_config, survival_spec

if TYPE_CHECKING:
    from srgvhd.risk.predict import SurvivalCurve

# Colours by the contract's arm (the words shown are the current language's).
ARM_COLOURS = {"uc-msc": "#0072B2", "standard": "#E69F00"}
OTHER_ARM_COLOURS = ("#009E73", "#CC79A7")
TODAY_COLOUR = "#D55E00"


def patient_mark(second: SecondLineResult) -> tuple[float, str] | None:
    """(height 1 for CR else 0, words) of the patient's week-4 answer, None until assessed."""
    w = second.week4
    if w.status != WEEK4_ASSESSED or w.response is None:
        return None
    words = _("this patient: {response} at week 4", response=response_text(w.response))
    return (1.0 if w.response == "CR" else 0.0), words


def week4_chart_spec(second: SecondLineResult) -> dict[str, Any]:
    """Grouped bars of CR rate per subgroup and arm, and the patient's answer on each group."""
    values = [
        {
            "subgroup": subgroup_word(b.subgroup)
            if b.source.startswith("Niu")
            else _("{subgroup} (REACH2)", subgroup=subgroup_word(b.subgroup)),
            "arm": arm_word(b.arm),
            "CR rate": b.cr_rate,
            "n": b.n,
            "source": b.source,
        }
        for b in second.benchmarks
    ]
    arm_keys = dict(
        zip((v["arm"] for v in values), (b.arm for b in second.benchmarks), strict=True)
    )
    arms = list(arm_keys)
    spare = iter(OTHER_ARM_COLOURS * 2)
    colours = [ARM_COLOURS.get(arm_keys[a]) or next(spare) for a in arms]
    x = {
        "field": "subgroup",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelAngle": -20, "labelLimit": 160},
    }
    y = {
        "field": "CR rate",
        "type": "quantitative",
        "title": _("complete response"),
        "scale": {"domain": [0, 1]},
        "axis": {"format": "%"},
    }
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar"},
            "encoding": {
                "x": x,
                "xOffset": {"field": "arm", "sort": arms},
                "y": y,
                "color": {
                    "field": "arm",
                    "type": "nominal",
                    "title": _("study arm"),
                    "scale": {"domain": arms, "range": colours},
                    "legend": {"orient": "bottom", "direction": "horizontal"},
                },
                "tooltip": [
                    {"field": "arm", "title": _("study arm")},
                    {"field": "subgroup", "title": _("subgroup")},
                    {"field": "CR rate", "format": ".1%", "title": _("CR rate")},
                    {"field": "n", "title": _("denominator")},
                    {"field": "source", "title": _("source")},
                ],
            },
        }
    ]
    mark = patient_mark(second)
    if mark is not None:
        height, words = mark
        groups = list(dict.fromkeys(v["subgroup"] for v in values))
        colour = RESPONSE_COLOURS.get(str(second.week4.response), "#000000")
        layers.append(
            {
                "data": {
                    "values": [{"subgroup": g, "CR rate": height, "patient": words} for g in groups]
                },
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "size": 160,
                    "filled": True,
                    "color": colour,
                    "stroke": "#000000",
                    "strokeWidth": 1,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    "tooltip": [{"field": "patient", "title": _("patient")}],
                },
            }
        )
    title = (
        _("Week-4 complete response: the study's arms")
        if mark is None
        else _("Week-4 complete response: the study's arms and {patient} (◆)", patient=mark[1])
    )
    return {
        "$schema": SCHEMA,
        "title": title,
        "data": {"values": values},
        "layer": layers,
        **locale_config(),
    }


def survival_from_start_spec(
    curve: SurvivalCurve | Mapping[str, Sequence[Any]], horizons: Sequence[int], today_day: int
) -> dict[str, Any]:
    """The survival curve from the second-line start with a rule marking ``today_day``, its
    axes in the current language."""
    spec = copy.deepcopy(survival_spec(curve, horizons))
    for layer in spec["layer"]:
        encoding = layer["encoding"]
        encoding["x"]["title"] = _("days from second-line therapy")
        if "title" in encoding.get("y", {}):
            encoding["y"]["title"] = _("overall survival")
    x = spec["layer"][0]["encoding"]["x"]
    spec["layer"].append(
        {
            "data": {
                "values": [{"days": today_day, "label": _("today (day {day})", day=today_day)}]
            },
            "layer": [
                {
                    "mark": {"type": "rule", "color": TODAY_COLOUR, "strokeWidth": 2},
                    "encoding": {"x": x},
                },
                {
                    "mark": {
                        "type": "text",
                        "align": "left",
                        "dx": 4,
                        "dy": -6,
                        "y": 8,
                        "color": TODAY_COLOUR,
                    },
                    "encoding": {"x": x, "text": {"field": "label"}},
                },
            ],
        }
    )
    return spec
