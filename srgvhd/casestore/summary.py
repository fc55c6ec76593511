"""What the ward list shows of a saved course, computed by the assess engine at save time.

``assess`` is the store's only call into the engine (``srgvhd.clinical.course.assess_case``,
interfaces.md §2), so a change of its return type is a change here only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from srgvhd.clinical.case import Case, parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.clinical.refractory import RULE_SETS
from srgvhd.errors import InputError, Problem

DEFAULT_RULE_SET = "study"


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


def list_fields(document: dict[str, Any]) -> dict[str, Any]:
    """Validate a case file document and give the ward list's fields for it.

    ``day`` is the day of the course of its latest assessment; ``status``, ``rule``,
    ``next_decision_date`` and ``max_grade`` are the engine's (interfaces.md §2).
    Raises ``InputError`` naming the field when the document is not a valid case.
    """
    case = parse_case(document)
    result = assess(case, rule_set_of(document))
    status = result["status"]
    next_date = status["next_decision_date"]
    return {
        "age_years": case.patient.age_years,
        "steroid_start": case.steroids.start_date,
        "day": result["assessments"][-1]["day"],
        "status": status["value"],
        "rule": status["rule"],
        "max_grade": result["max_grade"],
        "next_decision_date": None if next_date is None else date.fromisoformat(next_date),
    }
