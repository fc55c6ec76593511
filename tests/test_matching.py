"""Patient profile and matched Niu 2026 CR rows, switch by switch.

Expected rows follow the task's matching rules (grade II–IV always; III–IV when the course
maximum is III/IV; liver; GI; ≥ 2 organs at the worst assessment) and the published table in
docs/published-figures.md; the results are hand-written (tests/sample_results.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from srgvhd.clinical.results import AssessmentResult, CourseResult, Status
from srgvhd.clinical.staging import OrganStages
from srgvhd.literature.matching import PatientProfile, matched_benchmarks, patient_profile
from tests.sample_results import BASELINE_RESULT, LONG_RESULT, REFRACTORY_RESULT, course, row


def result_of(rows: list[AssessmentResult], max_grade: str) -> CourseResult:
    return course(rows, max_grade, Status(value="not refractory so far", rule_set="study"))


def outcomes(result: CourseResult) -> list[str]:
    return [r.outcome for r in matched_benchmarks(result)]


# Each case: one assessment's stages (skin, liver, upper GI, lower GI), its grade by
# clinical-rules.md §2, and the expected matched rows.
SWITCHES = [
    ((3, 0, 0, 0), "II", ["CR, grade II–IV"]),  # skin 3 alone: grade II
    (
        (1, 0, 0, 2),
        "III",
        ["CR, grade II–IV", "CR, grade III–IV", "CR, GI involvement", "CR, ≥2 organs involved"],
    ),  # lower GI 2: grade III
    ((4, 0, 0, 0), "IV", ["CR, grade II–IV", "CR, grade III–IV"]),  # skin 4: grade IV
    ((0, 1, 0, 0), "II", ["CR, grade II–IV", "CR, liver involvement"]),
    ((0, 0, 1, 0), "II", ["CR, grade II–IV", "CR, GI involvement"]),  # upper GI alone
    ((0, 0, 1, 1), "II", ["CR, grade II–IV", "CR, GI involvement"]),  # GI counts once
    ((2, 1, 0, 0), "II", ["CR, grade II–IV", "CR, liver involvement", "CR, ≥2 organs involved"]),
    ((2, 0, 1, 0), "II", ["CR, grade II–IV", "CR, GI involvement", "CR, ≥2 organs involved"]),
]


@pytest.mark.parametrize(("stages", "grade", "expected"), SWITCHES)
def test_each_switch(stages: tuple[int, int, int, int], grade: str, expected: list[str]) -> None:
    result = result_of([row(0, *stages, grade, "standard", None)], grade)
    assert outcomes(result) == expected


def test_grade_ii_vs_iii_switches_the_severe_row() -> None:
    grade_2 = result_of([row(0, 0, 1, 0, 0, "II", "high", None)], "II")
    grade_3 = result_of([row(0, 0, 2, 0, 0, "III", "high", None)], "III")
    assert "CR, grade III–IV" not in outcomes(grade_2)
    assert "CR, grade III–IV" in outcomes(grade_3)


def test_involvement_anywhere_in_the_course_counts() -> None:
    # liver only on day 7, GI only on day 0; the worst assessment (grade III) is day 7
    rows = [row(0, 0, 0, 0, 1, "II", "standard", None), row(7, 0, 2, 0, 0, "III", "high", "mixed")]
    profile = patient_profile(result_of(rows, "III"))
    assert profile.liver_involved and profile.gi_involved
    assert (profile.worst_date, profile.organs_at_worst) == (date(2026, 11, 8), 1)
    assert not profile.multi_organ  # never two organs at the same time
    assert "CR, ≥2 organs involved" not in outcomes(result_of(rows, "III"))


def test_organs_counted_at_the_worst_assessment_not_the_largest() -> None:
    # day 0: skin + liver (grade II, 2 organs); day 3: lower GI 3 alone (grade III, 1 organ)
    rows = [row(0, 2, 1, 0, 0, "II", "high", None), row(3, 0, 0, 0, 3, "III", "high", "mixed")]
    profile = patient_profile(result_of(rows, "III"))
    assert (profile.organs_at_worst, profile.multi_organ) == (1, False)


@pytest.mark.parametrize(
    ("rows", "worst", "organs"),
    [
        # skin 3 (1 organ) then skin 2 + upper GI 1 (2 organs), both grade II: the later one
        (
            [
                row(0, 3, 0, 0, 0, "II", "standard", None),
                row(3, 2, 0, 1, 0, "II", "standard", "PR"),
            ],
            date(2026, 11, 4),
            2,
        ),
        # the same two assessments in the other order: the earlier one
        (
            [
                row(0, 2, 0, 1, 0, "II", "standard", None),
                row(3, 3, 0, 0, 0, "II", "standard", "mixed"),
            ],
            date(2026, 11, 1),
            2,
        ),
        # equal organ counts: the earliest
        (
            [
                row(0, 3, 0, 0, 0, "II", "standard", None),
                row(3, 0, 0, 1, 0, "II", "standard", "mixed"),
            ],
            date(2026, 11, 1),
            1,
        ),
    ],
)
def test_ties_at_the_maximum_grade_take_the_most_organs(
    rows: list[AssessmentResult], worst: date, organs: int
) -> None:
    profile = patient_profile(result_of(rows, "II"))
    assert (profile.worst_date, profile.organs_at_worst) == (worst, organs)


def test_sample_results_profiles() -> None:
    # refractory sample: max IV, liver and GI involved, 3 organs on day 14 (skin 4, liver 3, GI 4)
    profile = patient_profile(REFRACTORY_RESULT)
    assert profile == PatientProfile(
        max_grade="IV",
        liver_involved=True,
        gi_involved=True,
        worst_date=date(2026, 11, 15),
        organs_at_worst=3,
    )
    assert profile.multi_organ
    assert len(matched_benchmarks(REFRACTORY_RESULT)) == 5
    assert outcomes(BASELINE_RESULT) == ["CR, grade II–IV"]
    assert outcomes(LONG_RESULT) == ["CR, grade II–IV"]


def test_rows_carry_whole_arm_counts_percent_and_p() -> None:
    liver = matched_benchmarks(REFRACTORY_RESULT)[2]
    assert liver.outcome == "CR, liver involvement"
    assert (liver.msc.count, liver.msc.denominator, liver.msc.percent) == (20, 44, 45.5)
    assert (liver.standard.count, liver.standard.denominator, liver.standard.percent) == (
        7,
        51,
        13.7,
    )
    assert liver.p == 0.009


def test_no_assessments_gives_only_the_study_population_row() -> None:
    result = result_of([], "0")
    assert patient_profile(result).organs_at_worst == 0
    assert outcomes(result) == ["CR, grade II–IV"]


def test_an_organ_not_measured_is_not_counted_as_involved() -> None:
    # clinical-rules.md §7: liver and lower GI unknown (None) on the only assessment
    unknown = replace(row(0, 2, 0, 1, 0, "II", "high", None), stages=OrganStages(2, None, 1, None))  # type: ignore[arg-type]
    profile = patient_profile(result_of([unknown], "II"))
    assert not profile.liver_involved
    assert profile.gi_involved  # upper GI 1 was measured
    assert profile.organs_at_worst == 2  # skin and GI
