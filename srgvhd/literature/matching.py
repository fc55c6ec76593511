"""Which published Niu et al. 2026 week-4 CR rows describe a patient like this one.

Niu et al. (Leuk Lymphoma 2026) report week-4 complete response, UC-MSC + standard therapy vs
standard therapy alone, for grade II–IV, grade III–IV, liver involvement, GI involvement and
≥ 2 organs involved. The paper's subgroup CR rates use the **whole arm** as denominator
(e.g. 24/44 for grade III–IV in the UC-MSC arm), not the number of patients in the subgroup,
so a subgroup figure is the share of the whole arm that was in the subgroup *and* reached CR.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from srgvhd.clinical.results import AssessmentResult, CourseResult
from srgvhd.clinical.staging import OrganStages
from srgvhd.literature.published import WEEK4_CR, ComparisonRow

SEVERE_GRADES = ("III", "IV")  # the paper's "grade III–IV" subgroup


@dataclass(frozen=True)
class PatientProfile:
    """Benchmark-relevant features of one course (see :func:`patient_profile`)."""

    max_grade: str
    liver_involved: bool
    gi_involved: bool
    worst_date: date | None
    organs_at_worst: int

    @property
    def multi_organ(self) -> bool:
        """Two or more organs involved at the worst assessment."""
        return self.organs_at_worst >= 2


def _involved(stage: int | None) -> bool:
    """Stage ≥ 1; an organ not measured (None, clinical-rules.md §7) is not counted."""
    return stage is not None and stage >= 1


def _organs_involved(stages: OrganStages) -> set[str]:
    """Organs at stage ≥ 1; upper and lower GI together count as the one organ "gi"."""
    involved = {organ for organ in ("skin", "liver") if _involved(getattr(stages, organ))}
    if _involved(stages.upper_gi) or _involved(stages.lower_gi):
        involved.add("gi")
    return involved


def _worst_assessment(result: CourseResult) -> AssessmentResult | None:
    """The assessment at the course's maximum grade with the most organs involved (earliest on
    a tie), or None when there are no assessments."""
    assessments = result.assessments
    at_max = [a for a in assessments if a.grade == result.max_grade] or list(assessments)
    if not at_max:
        return None
    return max(at_max, key=lambda a: len(_organs_involved(a.stages)))


def patient_profile(result: CourseResult) -> PatientProfile:
    """Benchmark-relevant features of one course result.

    ``max_grade`` (the course maximum MAGIC grade), ``liver_involved`` (liver stage ≥ 1 at any
    assessment), ``gi_involved`` (upper or lower GI stage ≥ 1 at any assessment),
    ``worst_date`` and ``organs_at_worst`` (skin, liver, GI counted once, at the assessment with
    the maximum grade and the most organs) and ``multi_organ`` (``organs_at_worst >= 2``).
    """
    worst = _worst_assessment(result)
    return PatientProfile(
        max_grade=str(result.max_grade),
        liver_involved=any(_involved(a.stages.liver) for a in result.assessments),
        gi_involved=any("gi" in _organs_involved(a.stages) for a in result.assessments),
        worst_date=worst.date if worst else None,
        organs_at_worst=len(_organs_involved(worst.stages)) if worst else 0,
    )


def matched_benchmarks(result: CourseResult) -> list[ComparisonRow]:
    """The Niu 2026 week-4 CR rows that match the patient, in the paper's order.

    Grade II–IV is always included (the study population); grade III–IV when the course
    maximum grade is III or IV; liver and GI involvement when ever involved; ≥ 2 organs when
    the worst assessment involves two or more organs. Each row carries both arms' n/N (whole
    arm as denominator, see the module docstring), the published % and the p-value.
    """
    profile = patient_profile(result)
    wanted = {
        "cr_grade_2_4": True,
        "cr_grade_3_4": profile.max_grade in SEVERE_GRADES,
        "cr_liver": profile.liver_involved,
        "cr_gi": profile.gi_involved,
        "cr_multi_organ": profile.multi_organ,
    }
    return [row for row in WEEK4_CR if wanted[row.key]]
