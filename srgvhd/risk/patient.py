"""One patient's result: the clinical verdict on the steroid course plus the Cox model's estimate.

The clinical engine (``srgvhd.clinical``) knows nothing of the risk model; this module combines
its :class:`~srgvhd.clinical.results.CourseResult` with ``srgvhd.risk.predict.patient_risk``.
``PatientResult.to_json()`` is the whole ``srgvhd assess --json`` object (docs/interfaces.md §2),
with the ``risk`` object last when there is an estimate.

References
----------
Niu et al. 2026 (the Cox model's covariates); docs/clinical-rules.md §6 (the grade the model
uses — Rule of this project: the highest MAGIC grade of the course unless the clinician overrides).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from srgvhd.clinical.case import Case
from srgvhd.clinical.course import assess_case
from srgvhd.clinical.policy import RISK_MODEL_GRADES
from srgvhd.clinical.results import CourseResult
from srgvhd.errors import InputError
from srgvhd.i18n.message import N_, Msg
from srgvhd.risk.model import RiskModel

if TYPE_CHECKING:
    from srgvhd.risk.predict import ConditionalSurvival, RiskEstimate

GRADE_FROM_OVERRIDE = "clinician override"
GRADE_FROM_COURSE = "course maximum"
NO_MODEL = N_("no risk model is active: no survival estimate")
NO_HEMOGLOBIN = N_("hemoglobin not entered: no survival estimate")
# The Cox model's time origin, as in Niu et al. 2026 (docs/clinical-rules.md §8.8).
TIME_ORIGIN = "second-line start"


@dataclass(frozen=True)
class PatientResult:
    """The course result, the model's estimate (None when none could be made) and the warnings
    of the risk part (why there is no estimate, which model was loaded instead); with a second
    line, ``conditional`` is the survival for a patient alive on the last assessment's day of
    second line (docs/clinical-rules.md §8.8)."""

    course: CourseResult
    risk: RiskEstimate | None = None
    grade_source: str | None = None
    warnings: tuple[str, ...] = ()
    conditional: ConditionalSurvival | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``srgvhd assess --json`` object: the course, its warnings then the risk part's,
        and ``risk`` (with ``grade_source``, ``time_origin`` and, with a second line,
        ``conditional``; docs/interfaces.md §7) when there is an estimate."""
        out = self.course.to_json()
        out["warnings"] += list(self.warnings)
        if self.risk is not None:
            risk = {**self.risk.to_json(), "grade_source": self.grade_source}
            risk["time_origin"] = TIME_ORIGIN
            if self.conditional is not None:
                risk["conditional"] = self.conditional.to_json()
            out["risk"] = risk
        return out


def risk_grade(case: Case, course: CourseResult) -> tuple[str, str]:
    """The grade the risk model uses and where it came from (docs/clinical-rules.md §6)."""
    if case.grade_override is not None:
        return case.grade_override, GRADE_FROM_OVERRIDE
    return course.max_grade.value, GRADE_FROM_COURSE


def add_risk(
    course: CourseResult,
    case: Case,
    model: RiskModel | None,
    *,
    load_warnings: Sequence[str] = (),
) -> PatientResult:
    """The course with the model's estimate, or with a warning saying why there is none.

    ``load_warnings`` are the model store's messages (e.g. the bundled reference model was used
    instead of the active one); they come before the reasons for a missing estimate.
    """
    from srgvhd.risk.predict import conditional_risk, patient_risk

    warnings = list(load_warnings)
    if model is None:
        return PatientResult(course, warnings=tuple(warnings or [NO_MODEL]))
    grade, source = risk_grade(case, course)
    hb = case.patient.hemoglobin_g_l
    own = course.max_grade.value
    if source == GRADE_FROM_OVERRIDE and own not in RISK_MODEL_GRADES:
        warnings.append(
            Msg(
                "grade {grade} for the risk model is the clinician's override; the course's own "
                "highest MAGIC grade is {own}, outside the grades II–IV the model was fitted on",
                grade=grade,
                own=own,
            )
        )
    if grade not in RISK_MODEL_GRADES:
        warnings.append(
            Msg(
                "the risk model covers grades II–IV; this course's grade is {grade}: no estimate",
                grade=grade,
            )
        )
    elif hb is None:
        warnings.append(NO_HEMOGLOBIN)
    else:
        try:
            risk = patient_risk(
                model, age_years=case.patient.age_years, grade=grade, hemoglobin_g_l=hb
            )
        except InputError as exc:
            warnings.append(Msg("no survival estimate: {reason}", reason=str(exc)))
        else:
            conditional = None
            if course.second_line is not None:
                conditional = conditional_risk(
                    model,
                    age_years=case.patient.age_years,
                    grade=grade,
                    hemoglobin_g_l=hb,
                    alive_on_day=max(course.second_line.day, 0),
                )
            return PatientResult(course, risk, source, tuple(warnings), conditional)
    return PatientResult(course, warnings=tuple(warnings))


def assess_patient(
    case: Case,
    model: RiskModel | None,
    *,
    rule_set: str | None = None,
    load_warnings: Sequence[str] = (),
) -> PatientResult:
    """Assess the course (``srgvhd.clinical.course.assess_case``), put the published rates
    beside its second line (``srgvhd.literature.second_line``) and add the model's estimate."""
    from srgvhd.literature.second_line import with_benchmarks

    course = with_benchmarks(assess_case(case, rule_set))
    return add_risk(course, case, model, load_warnings=load_warnings)
