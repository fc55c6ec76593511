"""The Assess page's charts as plain Vega-Lite specs (srgvhd.report.vega)."""

from __future__ import annotations

import json

from srgvhd.report.vega import RESPONSE_COLOURS, survival_spec, timeline_spec
from tests.sample_results import REFRACTORY_RESULT


def test_timeline_has_one_point_per_assessment_with_grade_rank_and_response() -> None:
    spec = timeline_spec(REFRACTORY_RESULT)
    values = spec["data"]["values"]
    # tests/sample_results.py: days 0, 3, 7, 10, 14; grades II, III, III, III, IV
    assert [(v["day"], v["grade"], v["response"]) for v in values] == [
        (0, 2, "baseline"),
        (3, 3, "progression"),
        (7, 3, "mixed"),
        (10, 3, "mixed"),
        (14, 4, "mixed"),
    ]
    (points,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]
    scale = points["encoding"]["color"]["scale"]
    assert scale["domain"] == ["baseline", "mixed", "progression"]  # legend order, only present
    assert scale["range"] == [RESPONSE_COLOURS[r] for r in scale["domain"]]
    json.dumps(spec)  # plain data, nothing to validate


def test_an_incomplete_grade_is_a_faded_marker_saying_what_is_missing() -> None:
    """§7.5: a grade with an organ not measured is a lower bound; drawn at 0 like a complete
    grade it would look like healing."""
    from srgvhd.clinical.case import parse_case
    from srgvhd.clinical.course import assess_case
    from tests.cases import case_doc, staged

    doc = case_doc([staged(0, liver=3), staged(14, liver=0)])
    doc["format"] = "srgvhd-case/2"
    doc["assessments"][1]["stages"]["liver"] = None
    values = timeline_spec(assess_case(parse_case(doc)))["data"]["values"]
    assert [(v["grade"], v["incomplete"]) for v in values] == [(3, False), (0, True)]
    assert values[1]["MAGIC grade"] == "0 or higher (liver not measured)"
    (points,) = [
        layer for layer in timeline_spec(assess_case(parse_case(doc)))["layer"]
        if layer["mark"]["type"] == "point"
    ]  # fmt: skip
    assert points["encoding"]["opacity"]["condition"]["test"] == "datum.incomplete"


def test_survival_leaves_out_points_beyond_follow_up_and_marks_the_horizons() -> None:
    curve = {
        "days": [0, 100, 200, 300, 401],
        "estimate": [1.0, 0.8, 0.6, None, 0.5],
        "lower": [1.0, 0.7, 0.5, None, 0.4],
        "upper": [1.0, 0.9, 0.7, None, 0.6],
    }
    spec = survival_spec(curve, [180, 365])
    band, line, rules = spec["layer"]
    # day 300 unknown (beyond follow-up), day 401 past the axis (CURVE_X_MAX_DAYS = 400)
    assert [v["days"] for v in spec["data"]["values"]] == [0, 100, 200]
    assert line["encoding"]["x"]["scale"]["domain"] == [0, 400]
    assert band["encoding"]["y"]["field"] == "lower" and band["encoding"]["y2"]["field"] == "upper"
    assert line["mark"]["interpolate"] == "step-after"  # a Kaplan–Meier-like step function
    assert rules["data"]["values"] == [{"days": 180}, {"days": 365}]


def test_survival_sends_only_the_days_where_the_step_changes_and_the_last_day() -> None:
    flat = {"estimate": 0.8, "lower": 0.7, "upper": 0.9}
    curve = {"days": list(range(6))} | {
        k: [1.0, 1.0, v, v, v, v] if k != "estimate" else [1.0, 1.0, v, v, 0.6, 0.6]
        for k, v in flat.items()
    }
    values = survival_spec(curve, [180])["data"]["values"]
    # day 1 repeats day 0, day 3 repeats day 2, day 5 repeats day 4 but ends the line
    assert [v["days"] for v in values] == [0, 2, 4, 5]
    assert [v["estimate"] for v in values] == [1.0, 0.8, 0.6, 0.6]
    assert values[2] == {"days": 4, "estimate": 0.6, "lower": 0.7, "upper": 0.9}
