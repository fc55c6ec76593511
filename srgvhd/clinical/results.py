"""Typed results of the clinical engine: what a steroid course means.

``Grade`` (defined with the grading rules in ``srgvhd.clinical.grading``) and ``Response`` are
``StrEnum``s whose values are the contract's strings.

``srgvhd.clinical.course.assess_case`` returns a :class:`CourseResult`; every renderer (CLI,
page, PDF, benchmark matching) reads these frozen objects. ``to_json()`` gives the
``srgvhd assess --json`` contract (docs/interfaces.md §2) plus the added fields listed in
docs/architecture.md ("The assess result"), with the same keys in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from srgvhd.clinical.grading import Grade
from srgvhd.clinical.staging import OrganStages

if TYPE_CHECKING:
    from srgvhd.clinical.scores import Scores


class Response(StrEnum):
    """Response of one assessment against the day-0 baseline (docs/clinical-rules.md §4, §7)."""

    CR = "CR"
    VGPR = "VGPR"
    PR = "PR"
    MIXED = "mixed"
    PROGRESSION = "progression"
    NO_RESPONSE = "no response"
    NOT_ASSESSABLE = "not assessable"


# Values of ``Status.value`` (docs/clinical-rules.md §5).
REFRACTORY = "steroid-refractory"
DEPENDENT = "steroid-dependent"
RESPONSIVE = "steroid-responsive"
SO_FAR = "not refractory so far"


def _iso(when: date | None) -> str | None:
    return None if when is None else when.isoformat()


@dataclass(frozen=True)
class AssessmentResult:
    """One assessment staged, graded and judged against the baseline (response None on it)."""

    date: date
    day: int
    stages: OrganStages
    grade: Grade
    minnesota_risk: str | None
    response: Response | None
    source: str
    bilirubin_mg_dl: float | None
    keystone_grade: Grade
    ibmtr_index: str
    notes: tuple[str, ...] = ()

    @property
    def not_measured(self) -> tuple[str, ...]:
        """Organs not measured at this assessment (docs/clinical-rules.md §7)."""
        return self.stages.not_measured

    @property
    def grade_incomplete(self) -> bool:
        """Whether the grades left out an organ that was not measured (§7.5)."""
        return bool(self.not_measured)

    def to_json(self) -> dict[str, Any]:
        """One element of the contract's ``assessments`` list; ``grade_incomplete`` and
        ``not_measured`` are added only when an organ was not measured."""
        out = {
            "date": self.date.isoformat(),
            "day": self.day,
            "stages": self.stages.as_dict(),
            "grade": self.grade.value,
            "minnesota_risk": self.minnesota_risk,
            "response": None if self.response is None else self.response.value,
            "source": self.source,
            "bilirubin_mg_dl": self.bilirubin_mg_dl,
            "keystone_grade": self.keystone_grade.value,
            "ibmtr_index": self.ibmtr_index,
            "notes": list(self.notes),
        }
        if self.grade_incomplete:
            out["grade_incomplete"] = True
            out["not_measured"] = list(self.not_measured)
        return out


@dataclass(frozen=True)
class Waiting:
    """A refractoriness rule that could not be judged because an assessment in its window was
    not assessable (docs/clinical-rules.md §7.6): the rule, its decision day and why."""

    rule: str
    day: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        """The contract's ``status.waiting`` object."""
        return {"rule": self.rule, "day": self.day, "reason": self.reason}


@dataclass(frozen=True)
class Status:
    """The verdict on the course (the contract's ``status``)."""

    value: str
    rule_set: str
    rule: str | None = None
    rule_text: str | None = None
    day: int | None = None
    date: date | None = None
    next_decision_day: int | None = None
    next_decision_date: date | None = None
    intolerant: bool = False
    assessed_through_day: int | None = None
    waiting: Waiting | None = None

    @property
    def sentence(self) -> str:
        """The verdict in one sentence, with rule, day and date or the next decision point."""
        if self.value in (REFRACTORY, DEPENDENT):
            assert self.date is not None
            text = (
                f"{self.value.capitalize()} by rule {self.rule} ({self.rule_text}) "
                f"on day {self.day} ({self.date.isoformat()})."
            )
        elif self.value == RESPONSIVE:
            text = (
                "Steroid-responsive: no refractoriness rule fired through day "
                f"{self.assessed_through_day}."
            )
        elif self.waiting is not None:
            assert self.next_decision_date is not None
            text = (
                f"Not refractory so far, but rule {self.waiting.rule} cannot be judged: "
                f"{self.waiting.reason}. Decision point day {self.next_decision_day} "
                f"({self.next_decision_date.isoformat()}) is overdue and needs an assessable "
                "assessment."
            )
        else:
            assert self.next_decision_date is not None
            text = (
                f"Not refractory so far; next decision point day {self.next_decision_day} "
                f"({self.next_decision_date.isoformat()})."
            )
        if self.intolerant:
            text += " Steroid intolerance recorded by the clinician."
        return text

    def to_json(self) -> dict[str, Any]:
        """The contract's ``status`` object."""
        return {
            "value": self.value,
            "rule": self.rule,
            "day": self.day,
            "date": _iso(self.date),
            "next_decision_day": self.next_decision_day,
            "next_decision_date": _iso(self.next_decision_date),
            "rule_set": self.rule_set,
            "rule_text": self.rule_text,
            "intolerant": self.intolerant,
            "assessed_through_day": self.assessed_through_day,
            "sentence": self.sentence,
            "waiting": None if self.waiting is None else self.waiting.to_json(),
        }


@dataclass(frozen=True)
class CourseResult:
    """Stages, grades and responses of every assessment (date order) and the verdict."""

    rule_set: str
    assessments: tuple[AssessmentResult, ...]
    max_grade: Grade
    status: Status
    warnings: tuple[str, ...] = ()
    scores: Scores | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``srgvhd assess --json`` object without the risk model's part; ``scores`` only
        when the case has labs or reached day 28 (docs/interfaces.md §6)."""
        out = {
            "rule_set": self.rule_set,
            "assessments": [a.to_json() for a in self.assessments],
            "max_grade": self.max_grade.value,
            "status": self.status.to_json(),
            "warnings": list(self.warnings),
        }
        if self.scores is not None:
            out["scores"] = self.scores.to_json()
        return out
