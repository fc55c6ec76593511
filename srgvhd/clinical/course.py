"""What a steroid course means: stages, grades, responses and the steroid-refractory verdict.

``assess_case`` builds the result of ``srgvhd assess --json`` (interfaces.md §2) from a parsed
case; ``attach_risk`` adds the Cox model's estimate when a model is active.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from srgvhd.clinical.case import Assessment, Case, Patient
from srgvhd.clinical.grading import grade_rank, ibmtr_index, keystone_grade, magic_grade
from srgvhd.clinical.grading import minnesota_risk as minnesota
from srgvhd.clinical.policy import STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY
from srgvhd.clinical.refractory import RULE_SETS, CoursePoint, ebmt2018_status, study_status
from srgvhd.clinical.response import judge_response
from srgvhd.clinical.staging import (
    OrganStages,
    Staging,
    stage_liver,
    stage_lower_gi,
    stage_skin,
    stage_upper_gi,
)
from srgvhd.errors import InputError

if TYPE_CHECKING:
    from srgvhd.risk.model import RiskModel

RISK_MODEL_GRADES = ("II", "III", "IV")
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


def assess_case(case: Case, rule_set: str = "study") -> dict[str, Any]:
    """Stage, grade and judge every assessment, then give the refractoriness verdict.

    The first assessment is the day-0 baseline (``parse_case`` guarantees it); each later one is
    judged against it. ``rule_set`` is "study" (Niu et al. 2026, default) or "ebmt2018".
    """
    if rule_set not in RULE_SETS:
        raise ValueError(f"rule_set must be one of {RULE_SETS}, not {rule_set!r}")
    baseline = case.assessments[0]
    stagings = [stage_assessment(a, case.patient) for a in case.assessments]
    rows: list[dict[str, Any]] = []
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
    return {
        "rule_set": rule_set,
        "assessments": rows,
        "max_grade": max((r["grade"] for r in rows), key=grade_rank),
        "status": status.as_dict(),
        "warnings": warnings,
    }


def _row(
    assessment: Assessment, day: int, staging: Staging, response: str | None
) -> dict[str, Any]:
    stages = staging.stages
    return {
        "date": assessment.date.isoformat(),
        "day": day,
        "stages": stages.as_dict(),
        "grade": magic_grade(stages),
        "minnesota_risk": minnesota(stages),
        "response": response,
        "source": "stages" if assessment.stages is not None else "measurements",
        "bilirubin_mg_dl": _bilirubin(assessment),
        "keystone_grade": keystone_grade(stages),
        "ibmtr_index": ibmtr_index(stages),
        "notes": list(staging.notes),
    }


def risk_grade(case: Case, result: dict[str, Any]) -> tuple[str, str]:
    """The grade the risk model uses and where it came from (clinical-rules.md §6).

    Rule of this project: the highest MAGIC grade of the course, unless the clinician overrides.
    """
    if case.grade_override is not None:
        return case.grade_override, "clinician override"
    return result["max_grade"], "course maximum"


def attach_risk(result: dict[str, Any], case: Case, model: RiskModel | None) -> dict[str, Any]:
    """Add the model's ``risk`` object to ``result`` (in place), or a warning saying why not."""
    from srgvhd.risk.predict import patient_risk

    if model is None:
        result["warnings"].append("no risk model is active: no survival estimate")
        return result
    grade, source = risk_grade(case, result)
    hb = case.patient.hemoglobin_g_l
    if grade not in RISK_MODEL_GRADES:
        result["warnings"].append(
            f"the risk model covers grades II–IV; this course's grade is {grade}: no estimate"
        )
    elif hb is None:
        result["warnings"].append("hemoglobin not entered: no survival estimate")
    else:
        try:
            risk = patient_risk(
                model, age_years=case.patient.age_years, grade=grade, hemoglobin_g_l=hb
            ).to_json()
        except InputError as exc:
            result["warnings"].append(f"no survival estimate: {exc}")
        else:
            risk["grade_source"] = source
            result["risk"] = risk
    return result
