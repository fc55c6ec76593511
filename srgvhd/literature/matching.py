"""Which published Niu et al. 2026 week-4 CR rows describe a patient like this one.

Niu et al. (Leuk Lymphoma 2026) report week-4 complete response, UC-MSC + standard therapy vs
standard therapy alone, for grade II–IV, grade III–IV, liver involvement, GI involvement and
≥ 2 organs involved. The paper's subgroup CR rates use the **whole arm** as denominator
(e.g. 24/44 for grade III–IV in the UC-MSC arm), not the number of patients in the subgroup,
so a subgroup figure is the share of the whole arm that was in the subgroup *and* reached CR.
"""

from __future__ import annotations

from typing import Any

from srgvhd.literature.published import WEEK4_CR, ComparisonRow

SEVERE_GRADES = ("III", "IV")


def _organs_involved(stages: dict[str, int]) -> set[str]:
    """Organs at stage ≥ 1; upper and lower GI together count as the one organ "gi"."""
    involved = {organ for organ in ("skin", "liver") if (stages.get(organ) or 0) >= 1}
    if (stages.get("upper_gi") or 0) >= 1 or (stages.get("lower_gi") or 0) >= 1:
        involved.add("gi")
    return involved


def _worst_assessment(result: dict[str, Any]) -> dict[str, Any] | None:
    """The assessment at the course's maximum grade with the most organs involved (earliest on
    a tie), or None when there are no assessments."""
    assessments = result.get("assessments") or []
    at_max = [a for a in assessments if a.get("grade") == result.get("max_grade")] or assessments
    if not at_max:
        return None
    return max(at_max, key=lambda a: len(_organs_involved(a["stages"])))


def patient_profile(result: dict[str, Any]) -> dict[str, Any]:
    """Benchmark-relevant features of one assess result (docs/architecture.md contract).

    Returns ``max_grade`` (the course maximum MAGIC grade), ``liver_involved`` (liver stage ≥ 1
    at any assessment), ``gi_involved`` (upper or lower GI stage ≥ 1 at any assessment),
    ``worst_date`` and ``organs_at_worst`` (skin, liver, GI counted once, at the assessment with
    the maximum grade and the most organs) and ``multi_organ`` (``organs_at_worst >= 2``).
    """
    assessments = result.get("assessments") or []
    worst = _worst_assessment(result)
    organs_at_worst = len(_organs_involved(worst["stages"])) if worst else 0
    return {
        "max_grade": result.get("max_grade"),
        "liver_involved": any("liver" in _organs_involved(a["stages"]) for a in assessments),
        "gi_involved": any("gi" in _organs_involved(a["stages"]) for a in assessments),
        "worst_date": worst["date"] if worst else None,
        "organs_at_worst": organs_at_worst,
        "multi_organ": organs_at_worst >= 2,
    }


def matched_benchmarks(result: dict[str, Any]) -> list[ComparisonRow]:
    """The Niu 2026 week-4 CR rows that match the patient, in the paper's order.

    Grade II–IV is always included (the study population); grade III–IV when the course
    maximum grade is III or IV; liver and GI involvement when ever involved; ≥ 2 organs when
    the worst assessment involves two or more organs. Each row carries both arms' n/N (whole
    arm as denominator, see the module docstring), the published % and the p-value.
    """
    profile = patient_profile(result)
    wanted = {
        "cr_grade_2_4": True,
        "cr_grade_3_4": profile["max_grade"] in SEVERE_GRADES,
        "cr_liver": profile["liver_involved"],
        "cr_gi": profile["gi_involved"],
        "cr_multi_organ": profile["multi_organ"],
    }
    return [row for row in WEEK4_CR if wanted[row.key]]
