"""The Ward list's words (srgvhd.casestore.ward): urgency at the day boundaries, phases and next
actions, and the study's assessment schedule (day 0, days 3–5, day 7, day 14; Niu et al.
2026)."""

from __future__ import annotations

from datetime import date

import pytest

from srgvhd.casestore.ward import next_assessment_day, urgency, ward_rows

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("due", "expected"),
    [("2026-11-30", "overdue"), ("2026-12-01", "today"), ("2026-12-02", "later"), (None, None)],
)
def test_urgency_at_the_day_boundaries(due, expected) -> None:
    assert urgency(due, TODAY) == expected


def test_an_open_course_without_a_date_is_never_shown_as_closed() -> None:
    assert urgency(None, TODAY, "second-line choice pending") == "open"
    assert urgency(None, TODAY, "closed") is None


@pytest.mark.parametrize(
    ("last", "expected"),
    [(0, 3), (2, 3), (3, 7), (5, 7), (6, 7), (7, 14), (13, 14), (14, None), (30, None)],
)
def test_next_assessment_follows_the_study_schedule(last, expected) -> None:
    assert next_assessment_day(last) == expected


def _listed(**fields) -> dict:
    return {
        "code": "W-1",
        "steroid_start": "2026-11-24",
        "next_decision_date": "2026-12-01",
        "due_date": "2026-12-01",
        "phase": "steroids",
        "next_action": "decision on day 7",
        "status": "not refractory so far",
        "rule": None,
        "max_grade": "II",
        "day": 4,
        "version": 2,
        "updated_at": "2026-11-28T10:00:00Z",
        "updated_by": "alice",
        **fields,
    }


def test_a_row_says_due_today_with_days_and_dates() -> None:
    (row,) = ward_rows([_listed()], TODAY)
    assert row["due"] == "● DUE TODAY"
    assert row["day of course"] == 7
    assert row["due date"] == "day 7 · 2026-12-01"
    assert (row["phase"], row["next action"]) == ("steroids", "decision on day 7")
    assert row["next assessment"] == "day 7 · 2026-12-01"
    assert row["rule"] == "—" and row["last assessed"] == "day 4"


def test_a_pending_second_line_choice_is_overdue_after_the_verdict_date() -> None:
    pending = _listed(
        next_decision_date=None,
        due_date="2026-11-28",
        rule="R1",
        status="steroid-refractory",
        phase="second-line choice pending",
        next_action="second-line choice pending",
    )
    (row,) = ward_rows([pending], TODAY)
    assert row["due"] == "▲ OVERDUE" and row["due date"] == "day 4 · 2026-11-28"
    assert row["next action"] == "second-line choice pending"
    assert row["next assessment"] == "—"  # the steroid schedule is over


def test_a_closed_course_has_no_next_dates() -> None:
    closed = _listed(
        next_decision_date=None,
        due_date=None,
        rule="R1",
        phase="closed",
        next_action="closed by hand: death",
    )
    (row,) = ward_rows([closed], TODAY)
    assert (row["due"], row["due date"], row["next assessment"]) == ("— closed", "—", "—")
    assert row["rule"] == "R1" and row["next action"] == "closed by hand: death"


def test_a_second_line_course_shows_its_week4_date_without_a_steroid_day() -> None:
    week4 = _listed(
        next_decision_date=None,
        due_date="2026-12-24",
        status="steroid-refractory",
        phase="second line",
        next_action="week-4 response due",
    )
    (row,) = ward_rows([week4], TODAY)
    assert (row["due"], row["due date"]) == ("○ later", "2026-12-24")
    assert row["next action"] == "week-4 response due" and row["next assessment"] == "—"


def test_updated_is_short_enough_to_show_whole() -> None:
    (row,) = ward_rows([_listed()], TODAY)
    assert row["updated"] == "11-28 10:00 · alice"  # UTC to the minute, this year's
    (row,) = ward_rows([_listed(updated_at="2025-12-31T23:59:59Z")], TODAY)
    assert row["updated"] == "2025-12-31 23:59 · alice"  # another year's says which


def test_the_highest_grade_keeps_its_lower_bound_mark() -> None:
    """clinical-rules.md §7.5: a grade from an assessment with an organ not measured is a lower
    bound; the Ward list marks it as the Assess page does, and an unmarked one stays plain."""
    marked, plain, unknown = ward_rows(
        [
            _listed(max_grade="II", max_grade_incomplete=True),
            _listed(max_grade="III", max_grade_incomplete=False),
            _listed(max_grade="II"),  # saved before the flag existed: nothing to claim
        ],
        TODAY,
    )
    assert (marked["max grade"], plain["max grade"], unknown["max grade"]) == ("II*", "III", "II")


def test_a_stored_course_with_an_organ_not_measured_lists_a_marked_grade(tmp_path) -> None:
    from srgvhd.casestore.store import CaseStore
    from tests.cases import course

    document = course((0, 2, 1, 0, 0), start="2026-11-24")
    document["format"] = "srgvhd-case/2"  # where a blank stage means not measured
    document["assessments"][0]["stages"]["upper_gi"] = None  # not measured on day 0
    store = CaseStore(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    try:
        store.save("W-NM", document, "alice")
        (listed,) = store.list_cases()
    finally:
        store.close()
    assert listed["max_grade"] == "II" and listed["max_grade_incomplete"] is True
    assert ward_rows([listed], TODAY)[0]["max grade"] == "II*"
