"""What a steroid course means: stages, grades, responses and the steroid-refractory verdict.

``assess_case`` builds the typed result (``srgvhd.clinical.results.CourseResult``) whose
``to_json()`` is ``srgvhd assess --json`` (docs/interfaces.md §2) from a parsed case. The risk
model's estimate is added outside the clinical engine, by ``srgvhd.risk.patient``.
"""

from __future__ import annotations

from srgvhd.clinical.case import Assessment, Case, Patient
from srgvhd.clinical.grading import ibmtr_index, keystone_grade, magic_grade
from srgvhd.clinical.grading import minnesota_risk as minnesota
from srgvhd.clinical.policy import STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY
from srgvhd.clinical.refractory import RULE_SETS, CoursePoint, ebmt2018_status, study_status
from srgvhd.clinical.response import judge_response
from srgvhd.clinical.results import AssessmentResult, CourseResult, Response
from srgvhd.clinical.staging import (
    OrganStages,
    Staging,
    stage_liver,
    stage_lower_gi,
    stage_skin,
    stage_upper_gi,
)

CHILD_NOTE = "lower GI staged with child thresholds (age < 18 and weight ≤ 50 kg)"


def stage_assessment(assessment: Assessment, patient: Patient) -> Staging:
    """MAGIC stages of one assessment: entered directly, or staged from its raw findings."""
    if assessment.stages is not None:
        return Staging(assessment.stages)
    m = assessment.measurements
    assert m is not None
    lower_gi, notes = stage_lower_gi(
        stool_ml_per_day=m.stool_ml_per_day,
        stool_episodes_per_day=m.stool_episodes_per_day,
        severe_pain_or_ileus=m.severe_abdominal_pain_or_ileus,
        grossly_bloody_stool=m.grossly_bloody_stool,
        child=patient.child,
        weight_kg=patient.weight_kg,
    )
    stool_given = m.stool_ml_per_day is not None or m.stool_episodes_per_day is not None
    if patient.child and stool_given:
        notes = (CHILD_NOTE, *notes)
    stages = OrganStages(
        skin=stage_skin(m.skin_rash_bsa_percent, m.skin_bullae_desquamation_bsa_percent),
        liver=stage_liver(m.bilirubin_mg_dl),
        upper_gi=stage_upper_gi(m.upper_gi_persistent_symptoms),
        lower_gi=lower_gi,
    )
    return Staging(stages, notes)


def _bilirubin(assessment: Assessment) -> float | None:
    return None if assessment.measurements is None else assessment.measurements.bilirubin_mg_dl


def assess_case(case: Case, rule_set: str = "study") -> CourseResult:
    """Stage, grade and judge every assessment, then give the refractoriness verdict.

    The first assessment is the day-0 baseline (``parse_case`` guarantees it); each later one is
    judged against it. ``rule_set`` is "study" (Niu et al. 2026, default) or "ebmt2018".
    """
    if rule_set not in RULE_SETS:
        raise ValueError(f"rule_set must be one of {RULE_SETS}, not {rule_set!r}")
    baseline = case.assessments[0]
    stagings = [stage_assessment(a, case.patient) for a in case.assessments]
    rows: list[AssessmentResult] = []
    points: list[CoursePoint] = []
    warnings: list[str] = []
    for assessment, staging in zip(case.assessments, stagings, strict=True):
        response = None
        if assessment is not baseline:
            response = judge_response(
                stagings[0].stages,
                staging.stages,
                baseline_bilirubin_mg_dl=_bilirubin(baseline),
                current_bilirubin_mg_dl=_bilirubin(assessment),
            )
        day = case.day(assessment.date)
        points.append(CoursePoint(assessment.date, day, staging.stages, response))
        rows.append(_row(assessment, day, staging, response))
    steroids = case.steroids
    if steroids.mg_per_kg_day < STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY:
        warnings.append(
            f"methylprednisolone {steroids.mg_per_kg_day:g} mg/kg/day is below the "
            f"{STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY:g} mg/kg/day the refractoriness rules "
            "assume; the verdict is given but read it with care",
        )
    if rule_set == "study":
        status = study_status(points, steroids.start_date)
    else:
        changes = [(d.date, d.mg_per_kg_day) for d in steroids.dose_changes]
        status = ebmt2018_status(
            points, steroids.start_date, steroids.mg_per_kg_day, changes, steroids.intolerant
        )
    return CourseResult(
        rule_set=rule_set,
        assessments=tuple(rows),
        max_grade=max((r.grade for r in rows), key=lambda g: g.rank),
        status=status,
        warnings=tuple(warnings),
    )


def _row(
    assessment: Assessment, day: int, staging: Staging, response: Response | None
) -> AssessmentResult:
    stages = staging.stages
    return AssessmentResult(
        date=assessment.date,
        day=day,
        stages=stages,
        grade=magic_grade(stages),
        minnesota_risk=minnesota(stages),
        response=response,
        source="stages" if assessment.stages is not None else "measurements",
        bilirubin_mg_dl=_bilirubin(assessment),
        keystone_grade=keystone_grade(stages),
        ibmtr_index=ibmtr_index(stages),
        notes=staging.notes,
    )
