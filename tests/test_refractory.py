"""Steroid-refractory status (clinical-rules.md §5): study rules R1–R3 and EBMT 2018.

Each course is written as directly entered stages; the expected response of each assessment and
the verdict (rule, day, date, next decision point) are worked out by hand from §4 and §5.
Start date 2026-11-01 is day 0, so day 3 = 2026-11-04, day 7 = 2026-11-08, day 14 = 2026-11-15.
"""

from __future__ import annotations

from datetime import date

import pytest

from srgvhd.clinical.case import parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.clinical.refractory import STUDY_RULES, CoursePoint, first_fired
from srgvhd.clinical.staging import OrganStages
from srgvhd.errors import InputError
from tests.cases import case_doc, course, day_date, staged

BASE = (0, 2, 0, 0, 1)  # skin 2, lower GI 1: grade II
WORSE = (3, 0, 0, 1)  # skin 3: progression vs BASE
SAME = (2, 0, 0, 1)  # no response vs BASE
MIXED = (3, 0, 0, 0)  # skin worse, lower GI better
BETTER = (1, 0, 0, 1)  # PR vs BASE (lower GI still 1, so not VGPR)
VGPR = (1, 0, 0, 0)
CR = (0, 0, 0, 0)


def status(doc: dict, rule_set: str = "study") -> dict:
    return assess_case(parse_case(doc), rule_set).to_json()["status"]


def at(day: int, stages: tuple[int, int, int, int]) -> tuple[int, int, int, int, int]:
    return (day, *stages)


def refractory(rule: str, day: int, iso: str) -> dict:
    return {"value": "steroid-refractory", "rule": rule, "day": day, "date": iso}


def so_far(next_day: int, next_date: str) -> dict:
    return {
        "value": "not refractory so far",
        "rule": None,
        "next_decision_day": next_day,
        "next_decision_date": next_date,
    }


def assert_status(got: dict, expected: dict) -> None:
    assert {k: got[k] for k in expected} == expected


# ---------------------------------------------------------------- R1 window: days 3–5


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (2, so_far(7, "2026-11-08")),
        (3, refractory("R1", 3, "2026-11-04")),
        (5, refractory("R1", 5, "2026-11-06")),
        (6, so_far(7, "2026-11-08")),
    ],
)
def test_r1_window_edges(day, expected):
    assert_status(status(course(BASE, at(day, WORSE))), expected)


def test_r1_fires_on_mixed_response():
    assert_status(status(course(BASE, at(4, MIXED))), refractory("R1", 4, "2026-11-05"))


def test_r1_needs_an_organ_worse():
    assert_status(status(course(BASE, at(4, SAME))), so_far(7, "2026-11-08"))


# ---------------------------------------------------------------- R2: day >= 7, no PR


@pytest.mark.parametrize(
    ("day", "expected"),
    [(6, so_far(7, "2026-11-08")), (7, refractory("R2", 7, "2026-11-08"))],
)
def test_r2_window_edge(day, expected):
    assert_status(status(course(BASE, at(day, SAME))), expected)


@pytest.mark.parametrize("stages", [SAME, MIXED, WORSE])
def test_r2_fires_on_no_response_mixed_or_progression(stages):
    assert_status(status(course(BASE, at(7, stages))), refractory("R2", 7, "2026-11-08"))


def test_r2_is_literal_even_if_a_site_counts_mixed_in_orr(monkeypatch):
    # §5a defines R2 as "not CR, VGPR or PR"; the ORR policy for mixed must not change it.
    monkeypatch.setattr("srgvhd.clinical.response.MIXED_COUNTS_AS_RESPONSE", True)
    assert_status(status(course(BASE, at(7, MIXED))), refractory("R2", 7, "2026-11-08"))


@pytest.mark.parametrize("stages", [BETTER, VGPR, CR])
def test_r2_not_fired_by_pr_or_better(stages):
    assert_status(status(course(BASE, at(7, stages))), so_far(14, "2026-11-15"))


# ---------------------------------------------------------------- R3: day >= 14, no CR/VGPR


@pytest.mark.parametrize(
    ("day", "expected"),
    [(13, so_far(14, "2026-11-15")), (14, refractory("R3", 14, "2026-11-15"))],
)
def test_r3_window_edge(day, expected):
    assert_status(status(course(BASE, at(7, BETTER), at(day, BETTER))), expected)


@pytest.mark.parametrize("stages", [VGPR, CR])
def test_cr_or_vgpr_by_day_14_is_responsive(stages):
    got = status(course(BASE, at(7, BETTER), at(14, stages)))
    assert got["value"] == "steroid-responsive"
    assert got["rule"] is None


# ---------------------------------------------------------------- order, ties, responsive


def test_earliest_firing_assessment_wins():
    got = status(course(BASE, at(4, WORSE), at(7, SAME), at(14, SAME)))
    assert_status(got, refractory("R1", 4, "2026-11-05"))


def test_earliest_wins_even_when_the_file_lists_assessments_out_of_order():
    doc = course(BASE, at(14, SAME), at(7, SAME), at(4, WORSE))
    assert_status(status(doc), refractory("R1", 4, "2026-11-05"))


def test_later_improvement_does_not_undo_a_verdict():
    got = status(course(BASE, at(5, WORSE), at(7, CR), at(14, CR)))
    assert_status(got, refractory("R1", 5, "2026-11-06"))


def test_tie_on_one_assessment_goes_to_the_lower_rule():
    # Day 14, no response: R2 (no PR) and R3 (no CR/VGPR) both fire; R2 is named.
    assert_status(status(course(BASE, at(14, SAME))), refractory("R2", 14, "2026-11-15"))


def test_tie_rule_order_on_the_rule_function():
    # Independent of the case file: a day-14 "no response" fires R2 and R3; R2 is named.
    baseline = CoursePoint(date(2026, 11, 1), 0, OrganStages(skin=2), None)
    point = CoursePoint(date(2026, 11, 15), 14, OrganStages(skin=2), "no response")
    assert [rule.id for rule in STUDY_RULES.values() if rule.fires(point)] == ["R2", "R3"]
    assert first_fired([baseline, point], tuple(STUDY_RULES.values())) == (point, "R2")


def test_responsive_needs_an_assessment_on_day_14_or_later():
    assert_status(status(course(BASE, at(7, CR))), so_far(14, "2026-11-15"))
    assert status(course(BASE, at(7, CR), at(20, CR)))["value"] == "steroid-responsive"


def test_baseline_only_next_decision_is_day_7():
    assert_status(status(course(BASE)), so_far(7, "2026-11-08"))


def test_next_decision_dates_cross_month_and_year():
    start = "2026-12-28"
    assert_status(status(course(BASE, start=start)), so_far(7, "2027-01-04"))
    assert_status(status(course(BASE, at(7, BETTER), start=start)), so_far(14, "2027-01-11"))


def test_refractory_sentence_names_rule_day_and_date():
    sentence = status(course(BASE, at(3, WORSE)))["sentence"]
    assert "R1" in sentence and "day 3" in sentence and "2026-11-04" in sentence


def test_so_far_sentence_names_the_next_decision_point():
    sentence = status(course(BASE, at(7, BETTER)))["sentence"]
    assert "day 14" in sentence and "2026-11-15" in sentence


# ---------------------------------------------------------------- refusals and warnings


def test_missing_baseline_is_an_error_naming_assessments():
    doc = course(at(3, WORSE), at(7, SAME))
    with pytest.raises(InputError) as info:
        parse_case(doc)
    assert [p.where for p in info.value.problems] == ["assessments"]


def test_assessment_before_start_is_an_error_naming_its_date():
    doc = case_doc([staged(0, skin=2), staged(-1, skin=2), staged(7, skin=1)])
    with pytest.raises(InputError) as info:
        parse_case(doc)
    assert [p.where for p in info.value.problems] == ["assessments[1].date"]
    assert "before" in info.value.problems[0].what


@pytest.mark.parametrize("dose", [1.0, 1.99])
def test_low_dose_warns_and_still_gives_a_verdict(dose):
    result = assess_case(parse_case(course(BASE, at(3, WORSE), dose=dose))).to_json()
    assert_status(result["status"], refractory("R1", 3, "2026-11-04"))
    assert len(result["warnings"]) == 1 and "mg/kg/day" in result["warnings"][0]


@pytest.mark.parametrize("dose", [2.0, 2.5])
def test_study_dose_gives_no_warning(dose):
    assert assess_case(parse_case(course(BASE, at(3, WORSE), dose=dose))).warnings == ()


# ---------------------------------------------------------------- EBMT 2018

# Stages for the EBMT cases: baseline skin 3 + lower GI 2; PR = skin 2 + lower GI 1.
E_BASE = (0, 3, 0, 0, 2)
E_PR = (2, 0, 0, 1)
E_PR_WORSE_THAN_BEFORE = (2, 0, 0, 2)  # still PR vs baseline, worse than E_PR


def ebmt(doc: dict) -> dict:
    return status(doc, "ebmt2018")


def dose_changes(*day_dose: tuple[int, float]) -> list[dict]:
    return [{"date": day_date(d), "methylprednisolone_mg_per_kg_day": dose} for d, dose in day_dose]


def test_e1_progression_on_days_3_to_5():
    assert_status(ebmt(course(BASE, at(4, WORSE))), refractory("E1", 4, "2026-11-05"))
    assert_status(ebmt(course(BASE, at(6, WORSE))), so_far(7, "2026-11-08"))


def test_e2_failure_to_improve_by_day_7():
    assert_status(ebmt(course(BASE, at(7, SAME))), refractory("E2", 7, "2026-11-08"))
    assert_status(ebmt(course(BASE, at(6, SAME))), so_far(7, "2026-11-08"))


def test_e2_is_decided_once_on_the_first_assessable_assessment_from_day_7():
    """ "Failure to improve within 5–7 days" is one decision: a later flare does not fire E2."""
    assert_status(ebmt(course(BASE, at(8, SAME))), refractory("E2", 8, "2026-11-09"))
    later_flare = ebmt(course(BASE, at(7, BETTER), at(16, WORSE)))
    assert_status(later_flare, so_far(29, "2026-11-30"))
    worse_day_16 = assess_case(parse_case(course(BASE, at(7, BETTER), at(16, WORSE))), "ebmt2018")
    assert any(w.startswith("day 16: progression after the day-7 decision") for w in
               worse_day_16.to_json()["warnings"])  # fmt: skip
    assert_status(
        ebmt(course(BASE, at(7, BETTER), at(16, WORSE), at(29, WORSE))),
        refractory("E3", 29, "2026-11-30"),
    )


def test_e2_waits_on_a_not_assessable_day_7_and_fires_on_the_next_assessable_day() -> None:
    doc = course(BASE, at(8, SAME))
    doc["assessments"].insert(1, {"date": day_date(7), "stages": {
        "skin": None, "liver": 0, "upper_gi": 0, "lower_gi": 1}})  # fmt: skip
    doc["format"] = "srgvhd-case/2"
    assert_status(ebmt(doc), refractory("E2", 8, "2026-11-09"))


def test_e3_incomplete_response_after_28_days():
    rows = (E_BASE, at(7, E_PR), at(14, E_PR), at(28, E_PR))
    assert_status(ebmt(course(*rows)), so_far(29, "2026-11-30"))
    assert_status(ebmt(course(*rows, at(29, E_PR))), refractory("E3", 29, "2026-11-30"))
    assert_status(ebmt(course(*rows, at(29, VGPR))), refractory("E3", 29, "2026-11-30"))
    assert ebmt(course(*rows, at(29, CR)))["value"] == "steroid-responsive"


def test_rule_sets_disagree_on_a_partial_response_at_day_14():
    doc = course(E_BASE, at(7, E_PR), at(14, E_PR))
    assert_status(status(doc), refractory("R3", 14, "2026-11-15"))
    assert_status(ebmt(doc), so_far(29, "2026-11-30"))


def test_d1_dose_raised_again_after_taper_is_dependence():
    doc = course(E_BASE, at(7, E_PR), at(14, E_PR), dose_changes=dose_changes((10, 1.0), (15, 2.0)))
    got = ebmt(doc)
    assert_status(got, {"value": "steroid-dependent", "rule": "D1", "day": 15})
    assert got["date"] == "2026-11-16"


def test_d2_worse_again_during_taper_is_dependence():
    doc = course(
        E_BASE, at(7, E_PR), at(12, E_PR_WORSE_THAN_BEFORE), dose_changes=dose_changes((8, 1.0))
    )
    assert_status(
        ebmt(doc), {"value": "steroid-dependent", "rule": "D2", "day": 12, "date": "2026-11-13"}
    )


def test_flare_during_taper_after_a_response_is_dependence_not_e2():
    """CR on day 7, taper from day 8, back to the baseline stages on day 20: a recurrence during
    the taper (D2), not a failure to improve by day 7."""
    doc = course(BASE, at(7, CR), at(20, SAME), dose_changes=dose_changes((8, 1.0)))
    assert_status(
        ebmt(doc), {"value": "steroid-dependent", "rule": "D2", "day": 20, "date": "2026-11-21"}
    )


def test_dependence_wins_over_e3_on_the_same_date():
    """CR on days 7 and 14, taper from day 8, skin 1 on day 30: both "incomplete response after
    28 days" (E3) and "recurrence during the taper" (D2) — the taper flare is dependence."""
    doc = course(BASE, at(7, CR), at(14, CR), at(30, (1, 0, 0, 0)),
                 dose_changes=dose_changes((8, 1.0)))  # fmt: skip
    assert_status(
        ebmt(doc), {"value": "steroid-dependent", "rule": "D2", "day": 30, "date": "2026-12-01"}
    )
    no_taper = course(BASE, at(7, CR), at(14, CR), at(30, (1, 0, 0, 0)))
    assert_status(ebmt(no_taper), refractory("E3", 30, "2026-12-01"))


def test_no_dependence_without_an_initial_response_from_day_7():
    # Responded on day 5 only, tapered on day 6, raised on day 8: no course of >= 7 days.
    doc = course(E_BASE, at(5, E_PR), dose_changes=dose_changes((6, 1.0), (8, 2.0)))
    assert ebmt(doc)["value"] == "not refractory so far"


def test_dependence_is_not_a_study_rule():
    doc = course(
        E_BASE, at(7, E_PR), at(12, E_PR_WORSE_THAN_BEFORE), dose_changes=dose_changes((8, 1.0))
    )
    assert status(doc)["value"] == "not refractory so far"


def test_intolerant_flag_is_reported_under_ebmt2018():
    # clinical-rules.md §5b: intolerance is a clinician-entered flag of the EBMT 2018 rule set.
    got = ebmt(course(BASE, at(7, BETTER), intolerant=True))
    assert got["intolerant"] is True
    assert "intoleran" in got["sentence"].lower()
    assert ebmt(course(BASE, at(7, BETTER)))["intolerant"] is False


def test_unknown_rule_set_is_refused():
    with pytest.raises(ValueError):
        assess_case(parse_case(course(BASE)), "fda")
