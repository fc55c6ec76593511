"""Hand-written sample cases (interfaces.md §1) and assess results (typed course results,
srgvhd.clinical.results; the risk object of interfaces.md §2).

Stages, grades, Minnesota risk, responses and SR verdicts were worked out by hand from
clinical-rules.md (§2 grade, §3 Minnesota, §4 response, §5a rules R1–R3) so that the report and
matching tests do not depend on the engine. Fields the report does not read (keystone_grade,
ibmtr_index) are filled with placeholders.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from srgvhd.clinical.results import AssessmentResult, CourseResult, Grade, Response, Status
from srgvhd.clinical.staging import OrganStages
from srgvhd.risk.patient import PatientResult
from srgvhd.risk.predict import RiskEstimate, SurvivalBand, SurvivalCurve

START = date(2026, 11, 1)


def day_date(day: int) -> str:
    """ISO date of steroid day ``day`` (day 0 = 2026-11-01)."""
    return (START + timedelta(days=day)).isoformat()


def row(
    day: int,
    skin: int,
    liver: int,
    upper: int,
    lower: int,
    grade: str,
    risk: str | None,
    response: str | None,
    bilirubin: float | None = None,
) -> AssessmentResult:
    """One assessment row of an assess result (stages entered directly)."""
    return AssessmentResult(
        date=START + timedelta(days=day),
        day=day,
        stages=OrganStages(skin, liver, upper, lower),
        grade=Grade(grade),
        minnesota_risk=risk,
        response=None if response is None else Response(response),
        source="stages",
        bilirubin_mg_dl=bilirubin,
        keystone_grade=Grade(grade),  # placeholder: not read by the report
        ibmtr_index="-",  # placeholder: not read by the report
    )


def course(
    rows: list[AssessmentResult], max_grade: str, status: Status, warnings: tuple[str, ...] = ()
) -> CourseResult:
    """A course result of the study rule set."""
    return CourseResult("study", tuple(rows), Grade(max_grade), status, warnings)


def case_for(
    rows: list[AssessmentResult],
    *,
    age: float = 42,
    weight: float = 70.0,
    hemoglobin: dict[str, Any] | None = None,
    dose: float = 2.0,
) -> dict[str, Any]:
    """An srgvhd-case/1 dict whose assessments enter the given rows' stages directly."""
    return {
        "format": "srgvhd-case/1",
        "patient": {
            "age_years": age,
            "weight_kg": weight,
            "hemoglobin": hemoglobin or {"value": 85, "unit": "g/L"},
        },
        "steroids": {"start_date": START.isoformat(), "methylprednisolone_mg_per_kg_day": dose},
        "assessments": [{"date": r.date.isoformat(), "stages": r.stages.as_dict()} for r in rows],
        "grade_override": None,
    }


# --- 5 assessments, refractory by R1 on day 3, max grade IV ------------------------------------
# Day 0: skin 2, liver 1, upper GI 1, lower GI 1 -> grade II (liver 1), high risk (3 organs).
# Day 3: liver 2, lower GI 2 -> grade III; liver and lower GI worse, nothing better: progression
#        -> R1 fires (3 <= d <= 5, progression).
# Day 7: skin 1, upper GI 0 better; liver 2, lower GI 2 worse -> mixed.
# Day 10: liver 3, lower GI 3 -> grade III, mixed. Day 14: skin 4, lower GI 4 -> grade IV, mixed.
REFRACTORY_ROWS = [
    row(0, 2, 1, 1, 1, "II", "high", None, bilirubin=2.5),
    row(3, 2, 2, 1, 2, "III", "high", "progression", bilirubin=4.1),
    row(7, 1, 2, 0, 2, "III", "high", "mixed", bilirubin=5.0),
    row(10, 1, 3, 0, 3, "III", "high", "mixed", bilirubin=7.2),
    row(14, 4, 3, 0, 4, "IV", "high", "mixed", bilirubin=9.8),
]
REFRACTORY_CASE = case_for(REFRACTORY_ROWS, hemoglobin={"value": 8.5, "unit": "g/dL"})
REFRACTORY_RESULT = course(
    REFRACTORY_ROWS,
    "IV",
    Status(
        value="steroid-refractory",
        rule_set="study",
        rule="R1",
        rule_text="progression (any organ worse) on days 3–5",
        day=3,
        date=date(2026, 11, 4),
        assessed_through_day=14,
    ),
)


def risk_block(hr: float = 12.3, ci: tuple[float, float] = (2.1, 71.0)) -> dict[str, Any]:
    """A risk object (interfaces.md §2) with a smooth survival curve and 95% band."""
    days = list(range(0, 366, 5))
    estimate = [math.exp(-0.002 * d) for d in days]
    return {
        "model_version": "ref-2026.11-a",
        "reference_model": True,
        "covariates": {"age_group": "≥35", "grade": "IV", "hemoglobin_le_90": True},
        "hazard_ratio": hr,
        "hazard_ratio_ci": list(ci),
        "survival": {
            "180": {"estimate": 0.70, "lower": 0.52, "upper": 0.83},
            "365": {"estimate": 0.48, "lower": 0.27, "upper": 0.70},
        },
        "curve": {
            "days": days,
            "estimate": estimate,
            "lower": [e**1.8 for e in estimate],
            "upper": [e**0.55 for e in estimate],
        },
        "band_method": "log-log transformed pointwise 95% CI",
        "model_card_sha256": "3f2a9c0d5be17a44c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8",
    }


# --- 1 assessment: baseline only --------------------------------------------------------------
# Skin 3 alone -> grade II (skin 3), standard risk (skin 1-3 alone); next decision day 7.
BASELINE_ROWS = [row(0, 3, 0, 0, 0, "II", "standard", None)]
BASELINE_CASE = case_for(BASELINE_ROWS, age=16, weight=48.0)
BASELINE_RESULT = course(
    BASELINE_ROWS,
    "II",
    Status(
        value="not refractory so far",
        rule_set="study",
        next_decision_day=7,
        next_decision_date=date(2026, 11, 8),
        assessed_through_day=0,
    ),
)


# --- 30 daily assessments: refractory by R3 on day 14 -----------------------------------------
# Days 0-6: skin 3 alone -> grade II, standard risk, no change -> "no response".
# Days 7-29: skin 2 alone -> grade I, standard risk, skin improved -> PR (skin 2 > 1, not VGPR);
# R2 (day >= 7, not PR) never fires; R3 (day >= 14, not CR/VGPR) fires on day 14.
def _long_rows() -> list[AssessmentResult]:
    rows = [row(0, 3, 0, 0, 0, "II", "standard", None)]
    rows += [row(d, 3, 0, 0, 0, "II", "standard", "no response") for d in range(1, 7)]
    rows += [row(d, 2, 0, 0, 0, "I", "standard", "PR") for d in range(7, 30)]
    return rows


LONG_ROWS = _long_rows()
LONG_CASE = case_for(LONG_ROWS, age=29, hemoglobin={"value": 112, "unit": "g/L"}, dose=1.5)
LONG_RESULT = course(
    LONG_ROWS,
    "II",
    Status(
        value="steroid-refractory",
        rule_set="study",
        rule="R3",
        rule_text="no complete or very good partial response by day 14",
        day=14,
        date=date(2026, 11, 15),
        assessed_through_day=29,
    ),
    ("Methylprednisolone dose 1.5 mg/kg/day is below the study dose of 2 mg/kg/day.",),
)


def patient(result: CourseResult | PatientResult) -> PatientResult:
    """``result`` as the renderers take it: a course with or without the risk part."""
    return result if isinstance(result, PatientResult) else PatientResult(result)


def estimate(block: dict[str, Any]) -> RiskEstimate:
    """The :class:`RiskEstimate` whose ``to_json()`` (without ``synthetic``) is ``block``."""
    curve = block["curve"]
    return RiskEstimate(
        model_version=block["model_version"],
        reference_model=block["reference_model"],
        synthetic=block.get("synthetic", False),
        age_group=block["covariates"]["age_group"],
        grade=block["covariates"]["grade"],
        hemoglobin_le_90=block["covariates"]["hemoglobin_le_90"],
        hazard_ratio=block["hazard_ratio"],
        hazard_ratio_ci=tuple(block["hazard_ratio_ci"]),
        survival={int(h): SurvivalBand(**band) for h, band in block["survival"].items()},
        curve=SurvivalCurve(
            tuple(curve["days"]),
            tuple(curve["estimate"]),
            tuple(curve["lower"]),
            tuple(curve["upper"]),
        ),
        model_card_sha256=block["model_card_sha256"],
        band_method=block["band_method"],
    )


def with_risk(result: CourseResult | PatientResult, **risk: Any) -> PatientResult:
    """``result`` with a fresh sample risk estimate (``risk`` overrides its JSON fields)."""
    return replace(
        patient(result), risk=estimate({**risk_block(), **risk}), grade_source="course maximum"
    )


SAMPLES: dict[str, tuple[dict[str, Any], CourseResult]] = {
    "baseline": (BASELINE_CASE, BASELINE_RESULT),
    "refractory": (REFRACTORY_CASE, REFRACTORY_RESULT),
    "long": (LONG_CASE, LONG_RESULT),
}
