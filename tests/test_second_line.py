"""Second line (docs/clinical-rules.md §8, docs/interfaces.md §7), worked by hand.

Every case is a course of directly entered stages (skin, liver, upper GI, lower GI). The
steroids start on 2026-11-01 (steroid day 0); the second line starts on START_2L (steroid day
10) unless a test says otherwise, so second-line day n is 2026-11-11 + n. Each expected
response is worked from §4 against the second-line baseline written beside it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srgvhd.cli.main import format_table, main
from srgvhd.clinical.case import case_to_dict, dumps_case, parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.errors import InputError
from srgvhd.literature.second_line import with_benchmarks
from srgvhd.risk.patient import assess_patient
from srgvhd.risk.store import ModelStore
from tests.cases import course, staged

REPO = Path(__file__).resolve().parents[1]
START_2L = "2026-11-11"  # steroid day 10
REFRACTORY_DAYS = ((0, 2, 0, 0, 2), (7, 2, 0, 0, 2))  # grade III, no response on day 7 -> R2


def d2l(day: int) -> str:
    """ISO date of second-line day ``day`` (START_2L is day 0)."""
    return (date.fromisoformat(START_2L) + timedelta(days=day)).isoformat()


def at2l(day: int, skin: int = 0, liver: int = 0, upper_gi: int = 0, lower_gi: int = 0) -> dict:
    """An assessment on second-line day ``day`` with directly entered stages."""
    return {
        "date": d2l(day),
        "stages": {"skin": skin, "liver": liver, "upper_gi": upper_gi, "lower_gi": lower_gi},
    }


def with_2l(doc: dict, *later: dict, therapy: str = "standard", **second: Any) -> dict:
    """The course ``doc`` (srgvhd-case/2) with ``later`` assessments and a second line."""
    doc = json.loads(json.dumps(doc))
    doc["format"] = "srgvhd-case/2"
    doc["assessments"] += list(later)
    doc["second_line"] = {"therapy": therapy, "start_date": START_2L, **second}
    return doc


def refractory(*later: dict, **second: Any) -> dict:
    """Steroid days 0 and 7 at (2, 0, 0, 2) — R2 on day 7 — then ``later``, second line."""
    return with_2l(course(*REFRACTORY_DAYS), *later, **second)


def second(doc: dict) -> dict:
    """The ``second_line`` object of the assess result."""
    return with_benchmarks(assess_case(parse_case(doc))).to_json()["second_line"]


def problems(doc: dict) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_case(doc)
    return [str(p) for p in info.value.problems]


def msc(*doses: float, therapy: str = "uc-msc") -> dict:
    """Second-line fields for an MSC therapy with weekly infusions from START_2L."""
    return {
        "therapy": therapy,
        "infusions": [
            {"date": d2l(7 * i), "dose_10e6_cells_per_kg": dose} for i, dose in enumerate(doses)
        ],
    }


# ---------------------------------------------------------------- the case file (§8.1)


def test_uc_msc_round_trips_through_the_case_file():
    doc = refractory(at2l(0, 2, 0, 0, 3), **msc(1.5, 2.0, 3.0), therapy_name=None)
    case = parse_case(doc)
    assert case.second_line is not None
    assert [i.dose_10e6_cells_per_kg for i in case.second_line.infusions] == [1.5, 2.0, 3.0]
    written = case_to_dict(case)
    assert written["second_line"] == {
        "therapy": "uc-msc",
        "therapy_name": None,
        "start_date": START_2L,
        "infusions": [
            {"date": "2026-11-11", "dose_10e6_cells_per_kg": 1.5},
            {"date": "2026-11-18", "dose_10e6_cells_per_kg": 2.0},
            {"date": "2026-11-25", "dose_10e6_cells_per_kg": 3.0},
        ],
    }
    assert parse_case(json.loads(dumps_case(case))) == case


def test_a_case_without_second_line_writes_none():
    case = parse_case(course(*REFRACTORY_DAYS))
    assert case.second_line is None and "second_line" not in case_to_dict(case)


def test_unknown_top_level_fields_are_still_ignored_as_before():
    doc = refractory()
    doc["something_else"] = {"x": 1}
    assert parse_case(doc).second_line is not None


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"therapy": "rituximab"}, "second_line.therapy"),
        ({"therapy": "other"}, "second_line.therapy_name"),
        ({"therapy": "other", "therapy_name": " "}, "second_line.therapy_name"),
        ({"start_date": "2026-11-01"}, "second_line.start_date"),  # the steroid start itself
        ({"start_date": "2026-10-30"}, "second_line.start_date"),
        ({"start_date": "2026-02-30"}, "second_line.start_date"),
        ({"start_date": None}, "second_line.start_date"),
        ({"therapy": "uc-msc"}, "second_line.infusions"),  # uc-msc needs its first infusion
        ({**msc(1.5), "start_date": "2026-11-10"}, "second_line.start_date"),
        ({**msc(1.5), "therapy": "ruxolitinib"}, "second_line.infusions"),
        ({"infusions": {"date": START_2L}, "therapy": "bm-msc"}, "second_line.infusions"),
        ({"dose": 2}, "second_line.dose"),  # a typo never drops a field silently
    ],
)
def test_bad_second_line_is_refused_naming_the_field(fields, where):
    found = problems(refractory(**fields))
    assert [p.split(":")[0] for p in found] == [where], found


def test_other_therapy_with_its_name_is_accepted():
    case = parse_case(refractory(therapy="other", therapy_name="etanercept"))
    assert (case.second_line.therapy, case.second_line.therapy_name) == ("other", "etanercept")


def test_the_day_after_the_steroid_start_is_a_valid_start():
    doc = refractory()
    doc["second_line"]["start_date"] = "2026-11-02"
    assert parse_case(doc).second_line.start_date == date(2026, 11, 2)


def test_infusion_before_the_start_and_a_second_on_one_date_are_refused():
    doc = refractory(**msc(1.5, 1.5))
    infusions = doc["second_line"]["infusions"]
    infusions[1]["date"] = "2026-11-10"
    assert problems(doc) == [
        "second_line.infusions[1].date: before second_line.start_date (2026-11-11)"
    ]
    infusions[1]["date"] = START_2L
    assert problems(doc) == ["second_line.infusions[1].date: same date as second_line.infusions[0]"]


@pytest.mark.parametrize("dose", [0.09, 10.01, 0, -1, 100])
def test_dose_outside_0_1_to_10_is_refused_naming_the_infusion(dose):
    found = problems(refractory(**msc(1.5, dose)))
    assert len(found) == 1
    assert found[0].startswith("second_line.infusions[1].dose_10e6_cells_per_kg: ")


@pytest.mark.parametrize(
    ("dose", "warned"),
    [(0.1, True), (0.99, True), (1, False), (2, False), (3, False), (3.01, True), (10, True)],
)
def test_dose_outside_the_study_range_1_to_3_is_accepted_with_a_warning(dose, warned):
    result = assess_case(parse_case(refractory(**msc(1.5, dose))))
    warnings = [w for w in result.to_json()["warnings"] if "dose" in w]
    if not warned:
        assert warnings == []
        return
    assert len(warnings) == 1
    assert warnings[0].startswith("second_line.infusions[1].dose_10e6_cells_per_kg: ")
    assert "outside the study's range of 1–3 × 10^6 cells/kg" in warnings[0]


def test_bm_msc_doses_are_checked_too_and_need_no_infusion_on_the_start():
    doc = refractory(therapy="bm-msc", infusions=[{"date": d2l(2), "dose_10e6_cells_per_kg": 11}])
    assert [p.split(":")[0] for p in problems(doc)] == [
        "second_line.infusions[0].dose_10e6_cells_per_kg"
    ]
    doc["second_line"]["infusions"][0]["dose_10e6_cells_per_kg"] = 2
    assert parse_case(doc).second_line.infusions[0].date == date(2026, 11, 13)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"dose_10e6_cells_per_kg": 0.05},
            "second_line.infusions[1].dose_10e6_cells_per_kg: 0.05 is out of range [0.1, 10]",
        ),
        ({"date": "2026-11-31"}, "second_line.infusions[1].date: '2026-11-31' is not a valid"),
    ],
)
def test_cli_refuses_bad_second_line_with_exit_2_and_one_line(change, message, tmp_path, capsys):
    doc = refractory(**msc(1.5, 1.5))
    doc["second_line"]["infusions"][1].update(change)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc))
    assert main(["assess", str(path), "--json", "--no-risk"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(message)


# ---------------------------------------------------------------- baseline (§8.3)


@pytest.mark.parametrize("before", [0, 1, 7])
def test_baseline_is_the_latest_assessment_up_to_7_days_before_the_start(before):
    # steroid day 0 (2,0,0,2) is 10 days before the start; (2,0,0,3) `before` days before it
    # and (1,0,0,1) on second-line day 10: skin 2->1 and lower GI 3->1 improved, none worse -> PR
    doc = with_2l(course((0, 2, 0, 0, 2)), at2l(-before, 2, 0, 0, 3), at2l(10, 1, 0, 0, 1))
    result = second(doc)
    assert result["baseline_date"] == d2l(-before)
    assert result["assessments"] == [{"date": d2l(10), "day": 10, "response": "PR"}]


def test_a_baseline_8_days_before_is_too_old_so_there_is_none():
    # steroid days 0 (2,0,0,2) and 2 (= second-line day -8); nothing from day -7 to day 0
    doc = with_2l(course((0, 2, 0, 0, 2), (2, 2, 0, 0, 3)), at2l(10, 0, 0, 0, 0))
    result = assess_case(parse_case(doc))
    out = result.to_json()
    assert out["second_line"]["baseline_date"] is None
    assert out["second_line"]["assessments"] == [
        {"date": d2l(10), "day": 10, "response": "not assessable"}
    ]
    assert result.second_line.assessments[0].reason == "no second-line baseline"
    assert out["second_line"]["week4"]["status"] == "not assessable"
    (warning,) = [w for w in out["warnings"] if w.startswith("no second-line baseline")]
    assert "record an assessment on the second-line start date" in warning
    assert "from 2026-11-04 to the second-line start (2026-11-11)" in warning


def test_without_baseline_every_response_is_not_assessable_even_a_clear_cr():
    doc = with_2l(
        course((0, 2, 0, 0, 2)), at2l(10, 0, 0, 0, 0), at2l(28, 0, 0, 0, 0), at2l(40, 3, 0, 0, 3)
    )
    result = second(doc)
    assert {a["response"] for a in result["assessments"]} == {"not assessable"}
    assert result["progression"] is None  # nothing can be judged worse without a baseline
    table = format_table(assess_case(parse_case(doc))).splitlines()
    assert "  Progression on second line: cannot be judged (no second-line baseline)." in table
    assert result["week4"] == {
        "status": "not assessable",
        "due_date": d2l(28),
        "date": d2l(28),
        "day": 28,
        "response": "not assessable",
        "overall_response": None,
    }


def test_second_line_responses_use_the_not_measured_rules():
    # baseline (2,0,0,3) on the start; day 10 skin not measured, lower GI 3->1: skin was
    # involved at baseline, so its blank leaves the response not assessable (§7.3)
    later = {"date": d2l(10), "stages": {"skin": None, "liver": 0, "upper_gi": 0, "lower_gi": 1}}
    result = assess_case(parse_case(refractory(at2l(0, 2, 0, 0, 3), later)))
    (row,) = result.second_line.assessments
    assert row.response == "not assessable"
    assert row.reason.startswith("skin not measured on day 10")
    # a blank liver that was 0 at the second-line baseline is taken as not involved (§7.2)
    later["stages"] |= {"skin": 1, "liver": None}
    assert second(refractory(at2l(0, 2, 0, 0, 3), later))["assessments"][0]["response"] == "PR"


# ---------------------------------------------------------------- week 4 (§8.5)


@pytest.mark.parametrize(
    ("stages", "response", "orr"),
    [
        ((0, 0, 0, 0), "CR", True),
        ((1, 0, 0, 0), "VGPR", True),  # skin ≤ 1, the rest 0, improved
        ((2, 0, 0, 1), "PR", True),  # lower GI 3 -> 1, skin unchanged
        ((3, 0, 0, 1), "mixed", False),  # skin worse, lower GI better: not a response (§4)
        ((2, 0, 0, 3), "no response", False),
    ],
)
def test_week4_is_the_first_assessable_assessment_on_days_28_to_35(stages, response, orr):
    doc = refractory(at2l(0, 2, 0, 0, 3), at2l(14, 2, 0, 0, 2), at2l(30, *stages))
    assert second(doc)["week4"] == {
        "status": "assessed",
        "due_date": d2l(28),
        "date": d2l(30),
        "day": 30,
        "response": response,
        "overall_response": orr,
    }


def test_week4_skips_a_not_assessable_assessment_in_the_window():
    blank = {"date": d2l(28), "stages": {"skin": None, "liver": 0, "upper_gi": 0, "lower_gi": 0}}
    doc = refractory(at2l(0, 2, 0, 0, 3), blank, at2l(35, 0, 0, 0, 0))
    week4 = second(doc)["week4"]
    assert (week4["status"], week4["day"], week4["response"]) == ("assessed", 35, "CR")


def test_week4_only_not_assessable_in_the_window_is_not_assessable():
    blank = {"date": d2l(29), "stages": {"skin": None, "liver": 0, "upper_gi": 0, "lower_gi": 0}}
    doc = refractory(at2l(0, 2, 0, 0, 3), blank, at2l(40, 0, 0, 0, 0))
    assert second(doc)["week4"] == {
        "status": "not assessable",
        "due_date": d2l(28),
        "date": d2l(29),
        "day": 29,
        "response": "not assessable",
        "overall_response": None,
    }


@pytest.mark.parametrize(
    ("last_day", "status", "day"),
    [
        (None, "due", 0),  # nothing after the start: read on the start date, day 0
        (20, "due", 20),
        (27, "due", 27),
        (36, "missed", 36),  # past day 35, nothing on days 28–35
    ],
)
def test_week4_due_or_missed_is_read_at_the_last_assessment(last_day, status, day):
    later = [] if last_day is None else [at2l(last_day, 1, 0, 0, 1)]
    result = second(refractory(at2l(0, 2, 0, 0, 3), *later))
    assert result["day"] == day
    assert result["week4"] == {
        "status": status,
        "due_date": "2026-12-09",  # 2026-11-11 + 28 days
        "date": None,
        "day": None,
        "response": None,
        "overall_response": None,
    }


def test_assessment_on_day_27_and_36_only_is_missed_not_assessed():
    doc = refractory(at2l(0, 2, 0, 0, 3), at2l(27, 0, 0, 0, 0), at2l(36, 0, 0, 0, 0))
    assert second(doc)["week4"]["status"] == "missed"


def test_a_later_assessment_never_moves_the_week4_answer():
    doc = refractory(at2l(0, 2, 0, 0, 3), at2l(28, 1, 0, 0, 0))
    first = second(doc)["week4"]
    doc["assessments"].append(at2l(33, 0, 0, 0, 0))
    assert second(doc)["week4"] == first


# ---------------------------------------------------------------- progression (§8.6)


def test_progression_on_day_10_is_named_with_its_day_and_date():
    # baseline (2,0,0,3); day 5 (2,0,0,2): lower GI better -> PR; day 10 (2,1,0,3): liver
    # 0 -> 1 worse, nothing better -> progression; day 12 (3,1,0,3) progression again
    doc = refractory(
        at2l(0, 2, 0, 0, 3), at2l(5, 2, 0, 0, 2), at2l(10, 2, 1, 0, 3), at2l(12, 3, 1, 0, 3)
    )
    result = second(doc)
    assert [a["response"] for a in result["assessments"]] == ["PR", "progression", "progression"]
    assert result["progression"] == {"date": "2026-11-21", "day": 10}


def test_a_mixed_response_is_progression_on_second_line():
    doc = refractory(at2l(0, 2, 0, 0, 3), at2l(10, 3, 0, 0, 1))
    result = second(doc)
    assert result["assessments"][0]["response"] == "mixed"
    assert result["progression"] == {"date": d2l(10), "day": 10}


def test_no_progression_when_every_assessment_is_better_or_the_same():
    doc = refractory(at2l(0, 2, 0, 0, 3), at2l(10, 2, 0, 0, 3), at2l(28, 0, 0, 0, 0))
    assert second(doc)["progression"] is None


def test_worse_than_the_steroid_baseline_but_not_the_second_line_one_is_not_progression():
    # steroid day 0 (2,0,0,2); second-line baseline (3,0,0,3); day 10 (3,0,0,3): vs the steroid
    # baseline that is progression, vs the second-line baseline no response
    doc = refractory(at2l(0, 3, 0, 0, 3), at2l(10, 3, 0, 0, 3))
    result = second(doc)
    assert result["assessments"][0]["response"] == "no response"
    assert result["progression"] is None


# ---------------------------------------------------------------- steroid verdict (§8.4)


def test_the_steroid_verdict_is_judged_before_the_start_only():
    # steroid days 0 (2,0,0,1), 7 (1,0,0,0) VGPR; the second line starts on steroid day 10.
    # Day 20 (2,0,0,0) is PR — no CR/VGPR after day 14: without a second line that is R3; with
    # it the assessment is second line's and the verdict stays "not refractory so far" (day 14).
    steroid_days = course((0, 2, 0, 0, 1), (7, 1, 0, 0, 0))
    later = staged(20, 2, 0, 0, 0)
    alone = json.loads(json.dumps(steroid_days))
    alone["assessments"].append(later)
    assert assess_case(parse_case(alone)).status.rule == "R3"
    result = assess_case(parse_case(with_2l(steroid_days, later)))
    status = result.status
    assert (status.value, status.next_decision_day) == ("not refractory so far", 14)
    assert [a.day for a in result.assessments] == [0, 7]
    assert result.second_line.assessments[0].day == 10


def test_an_assessment_on_the_start_date_is_the_second_lines_not_the_steroids():
    doc = refractory(at2l(0, 4, 0, 0, 3))  # stage 4 skin on the start date
    result = assess_case(parse_case(doc))
    assert result.max_grade == "III" and [a.day for a in result.assessments] == [0, 7]
    assert result.second_line.baseline_date == date(2026, 11, 11)


def _without_second_line(doc: dict) -> dict:
    result = assess_case(parse_case(doc))
    return replace(result, second_line=None).to_json()


stage_values = st.one_of(st.none(), st.integers(0, 4))


@settings(max_examples=200, deadline=None)
@given(
    steroid_rows=st.lists(
        st.tuples(st.integers(1, 40), st.integers(0, 4), st.integers(0, 4), st.integers(0, 1)),
        max_size=6,
    ),
    start_day=st.integers(1, 45),
    offset=st.integers(0, 60),
    stages=st.fixed_dictionaries(
        {
            "skin": stage_values,
            "liver": stage_values,
            "upper_gi": st.one_of(st.none(), st.integers(0, 1)),
            "lower_gi": stage_values,
        }
    ),
    rule_set=st.sampled_from(["study", "ebmt2018"]),
)
def test_no_assessment_on_or_after_the_start_changes_the_steroid_phase(
    steroid_rows, start_day, offset, stages, rule_set
):
    rows = {0: (2, 1, 0, 2)} | {day: (s, li, 0, lg) for day, s, li, lg in steroid_rows}
    doc = course(*((day, *row) for day, row in sorted(rows.items())), rule_set=rule_set)
    doc["format"] = "srgvhd-case/2"
    start = date(2026, 11, 1) + timedelta(days=start_day)
    doc["second_line"] = {"therapy": "ruxolitinib", "start_date": start.isoformat()}
    when = (start + timedelta(days=offset)).isoformat()
    doc["assessments"] = [a for a in doc["assessments"] if a["date"] != when]
    before = _without_second_line(doc)
    doc["assessments"].append({"date": when, "stages": stages})
    assert _without_second_line(doc) == before


# ---------------------------------------------------------------- benchmarks (§8.7)


def _subgroups(doc: dict) -> list[tuple[str, str, float, int]]:
    return [(b["subgroup"], b["arm"], b["cr_rate"], b["n"]) for b in second(doc)["benchmarks"]]


def test_grade_ii_skin_only_course_gets_the_grade_ii_iv_rates_only():
    # skin 2 alone is grade II; later liver involvement on second line does not count (§8.7:
    # the subgroup is the course up to the second-line start)
    doc = with_2l(course((0, 2, 0, 0, 0), (7, 2, 0, 0, 0)), at2l(10, 2, 3, 0, 3))
    assert _subgroups(doc) == [
        ("grade II-IV", "uc-msc", 0.841, 44),  # 37/44, published 84.1%
        ("grade II-IV", "standard", 0.588, 51),  # 30/51, published 58.8%
    ]


def test_grade_iii_liver_and_gi_course_gets_every_matching_subgroup():
    # (2,1,0,2): grade III (lower GI 2), liver and GI involved, three organs
    doc = with_2l(course((0, 2, 1, 0, 2), (7, 2, 1, 0, 2)))
    assert _subgroups(doc) == [
        ("grade II-IV", "uc-msc", 0.841, 44),
        ("grade II-IV", "standard", 0.588, 51),
        ("grade III-IV", "uc-msc", 0.545, 44),
        ("grade III-IV", "standard", 0.314, 51),
        ("liver involvement", "uc-msc", 0.455, 44),
        ("liver involvement", "standard", 0.137, 51),
        ("GI involvement", "uc-msc", 0.614, 44),
        ("GI involvement", "standard", 0.333, 51),
        ("≥2 organs involved", "uc-msc", 0.591, 44),
        ("≥2 organs involved", "standard", 0.294, 51),
    ]


def test_ruxolitinib_adds_reach2_day28_orr_and_cr():
    doc = with_2l(course((0, 2, 0, 0, 0)), therapy="ruxolitinib")
    rows = second(doc)["benchmarks"]
    reach2 = [b for b in rows if "REACH2" in b["source"]]
    assert [(b["arm"], b["cr_rate"], b["orr_rate"], b["n"]) for b in reach2] == [
        ("ruxolitinib", 0.34, 0.62, 309),
        ("best available therapy", 0.19, 0.39, 309),
    ]
    assert all(b["source"] == "Niu et al. 2026" for b in rows if b not in reach2)
    standard = with_2l(course((0, 2, 0, 0, 0)), therapy="standard")
    assert not any("REACH2" in b["source"] for b in second(standard)["benchmarks"])


# ---------------------------------------------------------------- the contract (interfaces §7)


def test_contract_shape_and_key_order(tmp_path, capsys):
    doc = refractory(at2l(0, 2, 0, 0, 3), at2l(28, 0, 0, 0, 0), at2l(30, 0, 0, 0, 0))
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc))
    assert main(["assess", str(path), "--json", "--no-risk"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == [
        "rule_set",
        "assessments",
        "max_grade",
        "status",
        "warnings",
        "second_line",
    ]
    sl = out["second_line"]
    assert list(sl) == [
        "therapy",
        "start_date",
        "day",
        "baseline_date",
        "assessments",
        "week4",
        "progression",
        "benchmarks",
    ]
    assert (sl["therapy"], sl["start_date"], sl["day"], sl["baseline_date"]) == (
        "standard",
        START_2L,
        30,
        START_2L,
    )
    assert list(sl["week4"]) == [
        "status",
        "due_date",
        "date",
        "day",
        "response",
        "overall_response",
    ]
    assert list(sl["benchmarks"][0]) == ["source", "subgroup", "arm", "cr_rate", "n"]


def test_course_json_without_second_line_has_no_such_key():
    out = assess_case(parse_case(course(*REFRACTORY_DAYS))).to_json()
    assert "second_line" not in out


# ---------------------------------------------------------------- risk from the start (§8.8)


@pytest.fixture(scope="module")
def reference_model():
    model, _ = ModelStore(REPO / "srgvhd" / "risk" / "reference").load_active()
    return model


def _risk(doc: dict, model) -> dict:
    doc["patient"]["hemoglobin"] = {"value": 120, "unit": "g/L"}
    return assess_patient(parse_case(doc), model).to_json()["risk"]


def test_risk_has_its_time_origin_and_no_conditional_without_second_line(reference_model):
    risk = _risk(course(*REFRACTORY_DAYS), reference_model)
    assert risk["time_origin"] == "second-line start"
    assert "conditional" not in risk


@pytest.mark.parametrize(
    ("last_day", "shown"),
    [(None, ("180", "365")), (30, ("180", "365")), (180, ("365",)), (200, ("365",))],
)
def test_conditional_survival_from_the_last_assessments_day(reference_model, last_day, shown):
    later = [] if last_day is None else [at2l(last_day, 0, 0, 0, 0)]
    risk = _risk(refractory(at2l(0, 2, 0, 0, 3), *later), reference_model)
    conditional = risk["conditional"]
    assert conditional["alive_on_day"] == (last_day or 0)
    for horizon in ("180", "365"):
        band = conditional["survival"][horizon]
        if horizon not in shown:
            assert band is None  # t ≤ d: already passed
            continue
        unconditional = risk["survival"][horizon]["estimate"]
        # S(t | alive on d) ≥ S(t), with its band around it
        assert band["lower"] <= band["estimate"] <= band["upper"]
        assert band["estimate"] >= unconditional - 1e-12


# ---------------------------------------------------------------- the worked example


def test_example_second_line_uc_msc_worked_by_hand():
    """examples/second_line_uc_msc.json (adult, 41 y, 70 kg, Hb 85 g/L).

    Steroids from 2026-10-01. Day 0: skin 30% -> 2, bilirubin 2.5 mg/dL -> 1, 1100 mL and
    5 episodes -> lower GI 2 (grade III). Day 7 (10-08): 30%, 2.6, 1200 mL / 6 -> the same
    stages -> no response -> R2 on day 7. UC-MSC from 2026-10-10 (first infusion; 1.5, 1.5 and
    0.8 × 10^6/kg weekly: 0.8 is below the study's 1–3, a warning). Second-line baseline the
    same day: 40% -> 2, 3.5 -> 2, 1600 mL / 8 -> 3. Day 10 (10-20): 20% -> 1, 1.8 -> 0,
    900 mL / 3 -> 1: all three better, lower GI not 0 -> PR. Day 28 (11-07) and day 35
    (11-14): every organ 0 -> CR. Week 4 = day 28 CR (due 10-10 + 28 = 11-07), an overall
    response; no progression; read on day 35. Subgroups from the steroid course (days 0, 7):
    grade III, liver 1, GI 2, three organs -> all five.
    """
    case = parse_case(json.loads((REPO / "examples" / "second_line_uc_msc.json").read_text()))
    result = with_benchmarks(assess_case(case)).to_json()
    assert [
        (a["day"], tuple(a["stages"].values()), a["response"]) for a in result["assessments"]
    ] == [
        (0, (2, 1, 0, 2), None),
        (7, (2, 1, 0, 2), "no response"),
    ]
    assert (result["status"]["rule"], result["status"]["date"]) == ("R2", "2026-10-08")
    assert result["warnings"] == [
        "second_line.infusions[2].dose_10e6_cells_per_kg: 0.8 × 10^6 cells/kg on 2026-10-24 is "
        "outside the study's range of 1–3 × 10^6 cells/kg per infusion (Niu et al. 2026)"
    ]
    sl = result["second_line"]
    rows = assess_case(case).second_line.assessments
    assert [tuple(r.row.stages.as_dict().values()) for r in rows] == [
        (1, 0, 0, 1),
        (0, 0, 0, 0),
        (0, 0, 0, 0),
    ]
    assert {k: v for k, v in sl.items() if k != "benchmarks"} == {
        "therapy": "uc-msc",
        "start_date": "2026-10-10",
        "day": 35,
        "baseline_date": "2026-10-10",
        "assessments": [
            {"date": "2026-10-20", "day": 10, "response": "PR"},
            {"date": "2026-11-07", "day": 28, "response": "CR"},
            {"date": "2026-11-14", "day": 35, "response": "CR"},
        ],
        "week4": {
            "status": "assessed",
            "due_date": "2026-11-07",
            "date": "2026-11-07",
            "day": 28,
            "response": "CR",
            "overall_response": True,
        },
        "progression": None,
    }
    assert [(b["subgroup"], b["arm"]) for b in sl["benchmarks"]][::2] == [
        ("grade II-IV", "uc-msc"),
        ("grade III-IV", "uc-msc"),
        ("liver involvement", "uc-msc"),
        ("GI involvement", "uc-msc"),
        ("≥2 organs involved", "uc-msc"),
    ]


def test_example_table_prints_the_second_line_block(capsys):
    path = REPO / "examples" / "second_line_uc_msc.json"
    assert main(["assess", str(path), "--no-risk"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index(
        "Second line: UC-MSC + standard second-line therapy from 2026-10-10 (day 35 of second "
        "line at the last assessment)."
    )
    assert lines[start + 1 : start + 8] == [
        "  3 infusions: 2026-10-10 1.5, 2026-10-17 1.5, 2026-10-24 0.8 × 10^6 cells/kg",
        "  Baseline: 2026-10-10.",
        "  day 10 (2026-10-20): PR",
        "  day 28 (2026-11-07): CR",
        "  day 35 (2026-11-14): CR",
        "  Week-4 response: CR on day 28 (2026-11-07), an overall response.",
        "  Progression on second line: none found.",
    ]
    assert (
        "    Niu et al. 2026, grade III-IV: UC-MSC + standard CR 54.5% (n = 44); standard alone "
        "CR 31.4% (n = 51)." in lines
    )


def test_reach2_figures_restate_the_published_benchmark_row():
    from srgvhd.literature.second_line import REACH2_ARMS, REACH2_N, REACH2_ROW

    # docs/published-figures.md: REACH2, n = 309, day-28 ORR 62% vs 39%, CR 34% vs 19%
    assert (REACH2_ROW.n, REACH2_ROW.orr, REACH2_ROW.cr) == (309, "62% vs 39%", "34% vs 19%")
    assert REACH2_N == REACH2_ROW.n
    orr = " vs ".join(f"{100 * a.orr:.0f}%" for a in REACH2_ARMS)
    cr = " vs ".join(f"{100 * a.cr:.0f}%" for a in REACH2_ARMS)
    assert (orr, cr) == (REACH2_ROW.orr, REACH2_ROW.cr)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    field=st.sampled_from(["therapy", "therapy_name", "start_date", "infusions", "note"]),
    value=json_values,
    infusion_field=st.sampled_from(["date", "dose_10e6_cells_per_kg"]),
)
def test_any_second_line_value_is_read_or_refused_naming_a_second_line_field(
    field, value, infusion_field
):
    in_infusion = refractory(**msc(1.5, 2))
    in_infusion["second_line"]["infusions"][1][infusion_field] = value
    for doc in (refractory(**{field: value}), in_infusion):
        try:
            case = parse_case(doc)
        except InputError as exc:
            assert all(p.where.startswith("second_line") for p in exc.problems), exc
        else:
            assess_case(case).to_json()
