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
    from srgvhd.clinical.case import Infusion
    from srgvhd.clinical.scores import Scores

# How a grade computed with an organ not measured is marked wherever it is shown (a lower bound,
# docs/clinical-rules.md §7.5): the Assess page, the PDF, the CLI table and the Ward list.
GRADE_INCOMPLETE_MARK = "*"


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


# Values of ``Week4.status`` (docs/clinical-rules.md §8.5, interfaces.md §7).
WEEK4_DUE = "due"
WEEK4_ASSESSED = "assessed"
WEEK4_MISSED = "missed"
WEEK4_NOT_ASSESSABLE = "not assessable"


@dataclass(frozen=True)
class SecondLineAssessment:
    """One assessment after the second-line start, judged against the second-line baseline:
    ``reason`` says why when not assessable; ``row`` has its stages and grades (None without a
    second-line baseline)."""

    date: date
    day: int
    response: Response
    reason: str | None = None
    row: AssessmentResult | None = None

    def to_json(self) -> dict[str, Any]:
        """One element of the contract's ``second_line.assessments``."""
        return {"date": self.date.isoformat(), "day": self.day, "response": self.response.value}


@dataclass(frozen=True)
class Week4:
    """The week-4 response (the study's endpoint): ``status`` is one of "due", "assessed",
    "missed", "not assessable"; ``date``/``day``/``response`` are those of the assessment read
    (the first in the window when not assessable); ``overall_response`` (CR, VGPR or PR) only
    when assessed."""

    status: str
    due_date: date
    date: date | None = None
    day: int | None = None
    response: Response | None = None
    overall_response: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """The contract's ``second_line.week4`` object."""
        return {
            "status": self.status,
            "due_date": self.due_date.isoformat(),
            "date": _iso(self.date),
            "day": self.day,
            "response": None if self.response is None else self.response.value,
            "overall_response": self.overall_response,
        }


@dataclass(frozen=True)
class SecondLineEvent:
    """Progression on second line: the first assessment found worse than its baseline."""

    date: date
    day: int
    response: Response

    def to_json(self) -> dict[str, Any]:
        """The contract's ``second_line.progression`` object."""
        return {"date": self.date.isoformat(), "day": self.day}


@dataclass(frozen=True)
class Benchmark:
    """A published rate beside the patient's week-4 response: ``cr_rate`` (and ``orr_rate``
    where the source gives one) as a proportion, ``n`` its denominator, ``arm`` the study arm,
    ``subgroup`` the patient subgroup it describes."""

    source: str
    subgroup: str
    arm: str
    cr_rate: float
    n: int
    orr_rate: float | None = None

    def to_json(self) -> dict[str, Any]:
        """One element of ``second_line.benchmarks``; ``orr_rate`` only when published."""
        out: dict[str, Any] = {
            "source": self.source,
            "subgroup": self.subgroup,
            "arm": self.arm,
            "cr_rate": self.cr_rate,
            "n": self.n,
        }
        if self.orr_rate is not None:
            out["orr_rate"] = self.orr_rate
        return out


@dataclass(frozen=True)
class SecondLineResult:
    """The second line (docs/clinical-rules.md §8): ``day`` is the day of second line as of the
    last assessment (never before the start); ``baseline_date`` None when there is no
    second-line baseline; ``warnings`` (doses outside the study's range, no baseline) go to the
    result's warnings; ``benchmarks`` are added by ``srgvhd.literature.second_line``."""

    therapy: str
    start_date: date
    day: int
    baseline_date: date | None
    assessments: tuple[SecondLineAssessment, ...]
    week4: Week4
    progression: SecondLineEvent | None
    therapy_name: str | None = None
    infusions: tuple[Infusion, ...] = ()
    warnings: tuple[str, ...] = ()
    benchmarks: tuple[Benchmark, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The contract's ``second_line`` object (docs/interfaces.md §7)."""
        return {
            "therapy": self.therapy,
            "start_date": self.start_date.isoformat(),
            "day": self.day,
            "baseline_date": _iso(self.baseline_date),
            "assessments": [a.to_json() for a in self.assessments],
            "week4": self.week4.to_json(),
            "progression": None if self.progression is None else self.progression.to_json(),
            "benchmarks": [b.to_json() for b in self.benchmarks],
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
    second_line: SecondLineResult | None = None

    @property
    def all_warnings(self) -> tuple[str, ...]:
        """The steroid course's warnings, then the second line's."""
        extra = () if self.second_line is None else self.second_line.warnings
        return (*self.warnings, *extra)

    def to_json(self) -> dict[str, Any]:
        """The ``srgvhd assess --json`` object without the risk model's part; ``scores`` only
        when the case has labs or reached day 28 (docs/interfaces.md §6); ``second_line`` only
        when the case records one (§7). With a second line, every other field is judged on the
        assessments before its start."""
        out = {
            "rule_set": self.rule_set,
            "assessments": [a.to_json() for a in self.assessments],
            "max_grade": self.max_grade.value,
            "status": self.status.to_json(),
            "warnings": list(self.all_warnings),
        }
        if self.scores is not None:
            out["scores"] = self.scores.to_json()
        if self.second_line is not None:
            out["second_line"] = self.second_line.to_json()
        return out
