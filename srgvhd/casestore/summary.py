"""What the ward list shows of a saved course, computed by the assess engine at save time.

``assess`` is the store's only call into the engine (``srgvhd.clinical.course.assess_case``,
interfaces.md §2), so a change of its return type is a change here only. ``course_phase`` reads
the engine's JSON result (interfaces.md §2 and §7) and says where the course stands and what the
ward has to do next (docs/clinical-rules.md §8):

- steroid phase, no verdict yet: ``steroids``, "decision on day 7" due on the rule's date;
- steroid-refractory (or, under the EBMT 2018 rules, steroid-dependent) with no second line
  recorded: ``second-line choice pending``, due on the verdict's date and overdue after it —
  never closed;
- a second line recorded: ``second line``, "week-4 response due" on start + 28 days; once an
  assessable week-4 response is known the course is closed, unless progression on second line
  was found (then the next therapy is to be decided, due on the progression's date);
- steroid-responsive with nothing left to decide: ``closed``.

The second line is read from the result's ``second_line`` object; a case file that records a
second line the engine does not yet report falls back on the file's ``second_line.start_date``.

The next action is a ``srgvhd.i18n.Msg``: its English text is what the store's ``next_action``
column and ``cases list --json`` hold, and its template and values (the engine's waiting reason
nested in it, itself a ``Msg`` straight from the engine: the store runs the engine on every
save, never on a JSON round trip) are stored beside it as JSON (``next_action_msg``, written by
``srgvhd.casestore.message_json``), so the Ward page can say it in the clinician's language. An
English string alone could not be translated: the reason it embeds varies with the course.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from srgvhd.casestore.message_json import message_json
from srgvhd.clinical.case import Case, parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.clinical.refractory import RULE_SETS
from srgvhd.errors import InputError, Problem
from srgvhd.i18n import Msg

DEFAULT_RULE_SET = "study"
STEROIDS = "steroids"
PENDING = "second-line choice pending"
SECOND_LINE = "second line"
CLOSED = "closed"
PHASES = (PENDING, SECOND_LINE, STEROIDS, CLOSED)  # the ward list's order
NEEDS_SECOND_LINE = ("steroid-refractory", "steroid-dependent")
WEEK4_DAY = 28  # clinical-rules.md §8.5: the week-4 response is due on day 28 of second line


@dataclass(frozen=True)
class Phase:
    """Where a course stands, the ward's next action in words, and when it is due."""

    phase: str
    next_action: Msg
    due_date: date | None


def assess(case: Case, rule_set: str) -> dict[str, Any]:
    """The engine's §2 result as a JSON-shaped dict (the engine returns the dict itself, or a
    result object whose ``to_json()`` gives it)."""
    result = assess_case(case, rule_set)
    return result if isinstance(result, dict) else result.to_json()


def rule_set_of(document: dict[str, Any]) -> str:
    """The case file's ``rule_set`` (interfaces.md §1, case/2); "study" when absent."""
    rule_set = document.get("rule_set")
    if rule_set is None:
        return DEFAULT_RULE_SET
    if rule_set not in RULE_SETS:
        raise InputError(
            Problem("rule_set", f"expected one of {', '.join(RULE_SETS)}, got {rule_set!r}")
        )
    return rule_set


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def course_phase(result: dict[str, Any], document: dict[str, Any] | None = None) -> Phase:
    """The course's phase and next action from its assess result (see the module docstring)."""
    second = result.get("second_line")
    if second is None and document is not None:
        second = _recorded_second_line(document)
    if second is not None:
        return _second_line_phase(second)
    status = result["status"]
    if status["value"] in NEEDS_SECOND_LINE:
        return Phase(PENDING, Msg("second-line choice pending"), _day(status["date"]))
    if status.get("next_decision_date") is not None:
        day = status["next_decision_day"]
        waiting = status.get("waiting")
        action = (
            Msg("decision on day {day} ({reason})", day=day, reason=waiting["reason"])
            if waiting
            else Msg("decision on day {day}", day=day)
        )
        return Phase(STEROIDS, action, _day(status["next_decision_date"]))
    return Phase(CLOSED, no_decision_pending(status["value"]), None)


def no_decision_pending(status: str) -> Msg:
    """The next action of a course with nothing left to decide ("steroid-responsive: no
    decision pending"); the status is the engine's English value, translated where shown."""
    return Msg("{status}: no decision pending", status=status)


def closed_by_hand(reason: str) -> Msg:
    """The next action of a course closed by hand: its reason as stored (one of the Ward's
    English choices, translated where shown, or the clinician's own words)."""
    return Msg("closed by hand: {reason}", reason=reason)


def _recorded_second_line(document: dict[str, Any]) -> dict[str, Any] | None:
    """A minimal second-line result from the case file (an engine without second-line output)."""
    recorded = document.get("second_line")
    if not isinstance(recorded, dict) or not isinstance(recorded.get("start_date"), str):
        return None
    try:
        start = date.fromisoformat(recorded["start_date"])
    except ValueError:
        return None
    due = (start + timedelta(days=WEEK4_DAY)).isoformat()
    return {"start_date": start.isoformat(), "week4": {"status": "due", "due_date": due}}


def _second_line_phase(second: dict[str, Any]) -> Phase:
    week4 = second.get("week4") or {}
    due = _day(week4.get("due_date"))
    if due is None and second.get("start_date"):
        due = date.fromisoformat(second["start_date"]) + timedelta(days=WEEK4_DAY)
    progression = second.get("progression")
    if progression:
        return Phase(
            SECOND_LINE,
            Msg(
                "progression on second line on day {day}: decide the next therapy",
                day=progression["day"],
            ),
            _day(progression["date"]),
        )
    status = week4.get("status")
    if status == "assessed":
        return Phase(
            CLOSED, Msg("week-4 response {response}", response=week4.get("response")), None
        )
    if status == "missed":
        return Phase(
            SECOND_LINE, Msg("week-4 response missed (none assessable on days 28–35)"), due
        )
    if status == "not assessable":
        return Phase(SECOND_LINE, Msg("week-4 response not assessable (see the result)"), due)
    return Phase(SECOND_LINE, Msg("week-4 response due"), due)


def list_fields(document: dict[str, Any]) -> dict[str, Any]:
    """Validate a case file document and give the ward list's fields for it.

    ``day`` is the day of the steroid course of its latest assessment; ``status``, ``rule``,
    ``next_decision_date`` and ``max_grade`` are the engine's (interfaces.md §2), with
    ``max_grade_incomplete`` when that grade is a lower bound; ``phase``,
    ``next_action`` and ``due_date`` are ``course_phase``'s, with ``next_action_msg`` the next
    action's template and values as JSON (``srgvhd.casestore.message_json``).
    Raises ``InputError`` naming the field when the document is not a valid case.
    """
    case = parse_case(document)
    result = assess(case, rule_set_of(document))
    status = result["status"]
    phase = course_phase(result, document)
    return {
        "age_years": case.patient.age_years,
        "steroid_start": case.steroids.start_date,
        # the latest assessment's day of the course, second-line ones included (the engine's
        # steroid-phase list stops at the second-line start)
        "day": case.day(case.assessments[-1].date),
        "status": status["value"],
        "rule": status["rule"],
        "max_grade": result["max_grade"],
        # an assessment with an organ not measured makes the highest grade a lower bound (§7.5)
        "max_grade_incomplete": any(a.get("grade_incomplete") for a in result["assessments"]),
        "next_decision_date": _day(status["next_decision_date"]),
        "phase": phase.phase,
        "next_action": str(phase.next_action),  # English: the list's --json contract
        "next_action_msg": message_json(phase.next_action),  # said again in any language
        "due_date": phase.due_date,
    }
