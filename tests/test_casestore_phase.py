"""The ward's phase and next action of a course (srgvhd.casestore.summary.course_phase), from
the assess result's JSON (docs/interfaces.md §2 and §7), by docs/clinical-rules.md §8.

The results are written by hand in the contract's shape, including the ``second_line`` object,
so every branch is checked whatever engine produced the result.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srgvhd.casestore.summary import Phase, course_phase


def status(value: str, **fields) -> dict:
    base = {
        "value": value,
        "rule": None,
        "day": None,
        "date": None,
        "next_decision_day": None,
        "next_decision_date": None,
        "waiting": None,
    }
    return {"status": {**base, **fields}}


REFRACTORY = status("steroid-refractory", rule="R2", day=7, date="2026-11-08")


def second_line(week4: dict | None, progression: dict | None = None) -> dict:
    return {
        **REFRACTORY,
        "second_line": {
            "therapy": "uc-msc",
            "start_date": "2026-11-12",
            "day": 30,
            "week4": week4,
            "progression": progression,
        },
    }


def test_not_refractory_so_far_is_a_steroid_decision_on_its_day() -> None:
    result = status("not refractory so far", next_decision_day=7, next_decision_date="2026-11-08")
    assert course_phase(result) == Phase("steroids", "decision on day 7", date(2026, 11, 8))


def test_a_rule_waiting_for_a_measurement_says_why() -> None:
    waiting = {"rule": "R2", "day": 7, "reason": "upper GI not measured on day 7"}
    result = status(
        "not refractory so far",
        next_decision_day=7,
        next_decision_date="2026-11-08",
        waiting=waiting,
    )
    phase = course_phase(result)
    assert phase.next_action == "decision on day 7 (upper GI not measured on day 7)"
    assert phase.due_date == date(2026, 11, 8)


@pytest.mark.parametrize("value", ["steroid-refractory", "steroid-dependent"])
def test_a_verdict_without_second_line_is_a_pending_choice_due_on_its_date(value: str) -> None:
    result = status(value, rule="R1", day=4, date="2026-11-05")
    assert course_phase(result) == Phase(
        "second-line choice pending", "second-line choice pending", date(2026, 11, 5)
    )


def test_steroid_responsive_with_nothing_to_decide_is_closed() -> None:
    phase = course_phase(status("steroid-responsive"))
    assert (phase.phase, phase.due_date) == ("closed", None)


def test_second_line_week4_due_on_its_date() -> None:
    result = second_line({"status": "due", "due_date": "2026-12-10"})
    assert course_phase(result) == Phase("second line", "week-4 response due", date(2026, 12, 10))


def test_an_assessable_week4_response_closes_the_course() -> None:
    week4 = {"status": "assessed", "due_date": "2026-12-10", "date": "2026-12-10", "day": 28}
    phase = course_phase(second_line({**week4, "response": "CR", "overall_response": True}))
    assert phase == Phase("closed", "week-4 response CR", None)
    phase = course_phase(second_line({**week4, "response": "no response"}))
    assert phase == Phase("closed", "week-4 response no response", None)


def test_progression_keeps_it_open_even_after_the_week4_response() -> None:
    week4 = {"status": "assessed", "due_date": "2026-12-10", "response": "PR"}
    result = second_line(week4, progression={"date": "2026-11-22", "day": 10})
    phase = course_phase(result)
    assert phase.phase == "second line" and phase.due_date == date(2026, 11, 22)
    assert phase.next_action.startswith("progression on second line on day 10")


def test_progression_before_week4_is_the_next_decision() -> None:
    result = second_line(
        {"status": "due", "due_date": "2026-12-10"}, progression={"date": "2026-11-22", "day": 10}
    )
    assert course_phase(result).due_date == date(2026, 11, 22)


@pytest.mark.parametrize(
    ("week4_status", "words"),
    [("missed", "week-4 response missed"), ("not assessable", "week-4 response not assessable")],
)
def test_a_missed_or_unassessable_week4_stays_open(week4_status: str, words: str) -> None:
    phase = course_phase(second_line({"status": week4_status, "due_date": "2026-12-10"}))
    assert phase.phase == "second line" and phase.next_action.startswith(words)
    assert phase.due_date == date(2026, 12, 10)


def test_a_second_line_only_in_the_case_file_is_followed_to_week4() -> None:
    """An engine that does not report the second line yet: the file's start date, + 28 days."""
    document = {"second_line": {"therapy": "standard", "start_date": "2026-11-12"}}
    phase = course_phase(REFRACTORY, document)
    assert phase == Phase("second line", "week-4 response due", date(2026, 12, 10))
    # the engine's own object wins over the file
    engine = second_line({"status": "assessed", "due_date": "2026-12-10", "response": "CR"})
    assert course_phase(engine, document).phase == "closed"


@pytest.mark.parametrize("recorded", [None, {}, {"start_date": None}, {"start_date": "12/11"}])
def test_no_usable_second_line_in_the_file_leaves_the_choice_pending(recorded) -> None:
    document = {} if recorded is None else {"second_line": recorded}
    assert course_phase(REFRACTORY, document).phase == "second-line choice pending"


DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@given(
    value=st.sampled_from(["steroid-refractory", "steroid-dependent"]),
    verdict=DATES,
    day=st.integers(0, 400),
    recorded=st.one_of(st.none(), st.just({}), st.just({"therapy": "uc-msc"})),
)
def test_a_verdict_without_a_second_line_is_never_closed(value, verdict, day, recorded) -> None:
    """clinical-rules.md §8: pending from the verdict's date, whatever else the result holds."""
    result = status(value, rule="R2", day=day, date=verdict.isoformat())
    document = {} if recorded is None else {"second_line": recorded}
    phase = course_phase(result, document)
    assert phase.phase == "second-line choice pending" != "closed"
    assert phase.due_date == verdict


@given(
    week4=st.sampled_from(["due", "missed", "not assessable", "assessed"]),
    response=st.sampled_from(["CR", "VGPR", "PR", "mixed", "progression", "no response"]),
    progression_day=st.one_of(st.none(), st.integers(1, 120)),
)
def test_a_second_line_course_is_closed_only_by_an_assessed_week4_without_progression(
    week4, response, progression_day
) -> None:
    progression = (
        None if progression_day is None else {"date": "2026-11-30", "day": progression_day}
    )
    result = second_line(
        {"status": week4, "due_date": "2026-12-10", "response": response}, progression
    )
    closed = course_phase(result).phase == "closed"
    assert closed == (week4 == "assessed" and progression is None)
