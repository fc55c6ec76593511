"""Published rates beside a patient's week-4 response on second line (docs/clinical-rules.md §8.7).

- Niu et al. 2026: week-4 CR by subgroup (grade II–IV, grade III–IV, liver involvement, GI
  involvement, ≥ 2 organs involved) for both arms, UC-MSC + standard second-line therapy
  (n = 44) and standard therapy alone (n = 51) — the figures of
  ``srgvhd.literature.published.WEEK4_CR`` (published percentages; the paper's denominator is the
  whole arm). The patient's subgroups come from the course up to the second-line start
  (``srgvhd.literature.matching.matched_benchmarks`` on the steroid-phase result, which is judged
  on the assessments before the start); a subgroup that does not apply is not shown.
- REACH2 (Zeiser et al., NEJM 2020;382:1800), only for ruxolitinib: day-28 ORR and CR for
  ruxolitinib and for best available therapy. The published summary gives the trial's size
  (n = 309, both arms randomized together), not each arm's: ``n`` is that total.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from srgvhd.clinical.results import Benchmark, CourseResult
from srgvhd.literature.matching import matched_benchmarks
from srgvhd.literature.published import EXTERNAL_BENCHMARKS, MSC_ARM_N, STANDARD_ARM_N

NIU_SOURCE = "Niu et al. 2026"
# The contract's subgroup names (docs/interfaces.md §7), by WEEK4_CR row key.
SUBGROUPS = {
    "cr_grade_2_4": "grade II-IV",
    "cr_grade_3_4": "grade III-IV",
    "cr_liver": "liver involvement",
    "cr_gi": "GI involvement",
    "cr_multi_organ": "≥2 organs involved",
}
NIU_ARMS = (("uc-msc", "msc", MSC_ARM_N), ("standard", "standard", STANDARD_ARM_N))


@dataclass(frozen=True)
class TrialArm:
    """One arm's day-28 response rates as published (proportions)."""

    arm: str
    orr: float
    cr: float


REACH2_SOURCE = "Zeiser et al., NEJM 2020;382:1800 (REACH2)"
REACH2_POPULATION = "SR-aGVHD, age ≥ 12 (all randomized)"
REACH2_N = 309
REACH2_ARMS = (
    TrialArm("ruxolitinib", orr=0.62, cr=0.34),
    TrialArm("best available therapy", orr=0.39, cr=0.19),
)
# The row of EXTERNAL_BENCHMARKS these figures restate (tests check they agree).
REACH2_ROW = next(b for b in EXTERNAL_BENCHMARKS if "REACH2" in b.therapy)


def _proportion(percent: float) -> float:
    """A published percentage as a proportion with the precision it was published with."""
    return round(percent / 100, 4)


def niu_benchmarks(course: CourseResult) -> tuple[Benchmark, ...]:
    """The study's week-4 CR rates for the subgroups this course is in, both arms, in the
    paper's order (each subgroup: UC-MSC arm, then standard arm)."""
    rows = []
    for row in matched_benchmarks(course):
        for arm, field, n in NIU_ARMS:
            value = getattr(row, field)
            assert value.percent is not None and value.denominator == n
            rows.append(
                Benchmark(NIU_SOURCE, SUBGROUPS[row.key], arm, _proportion(value.percent), n)
            )
    return tuple(rows)


def reach2_benchmarks() -> tuple[Benchmark, ...]:
    """REACH2's day-28 CR and ORR, ruxolitinib and best available therapy."""
    return tuple(
        Benchmark(REACH2_SOURCE, REACH2_POPULATION, a.arm, a.cr, REACH2_N, orr_rate=a.orr)
        for a in REACH2_ARMS
    )


def with_benchmarks(course: CourseResult) -> CourseResult:
    """The course result with the published rates beside its second line (unchanged without
    one): the study's rates for every therapy, REACH2's for ruxolitinib."""
    second = course.second_line
    if second is None:
        return course
    rows = niu_benchmarks(course)
    if second.therapy == "ruxolitinib":
        rows += reach2_benchmarks()
    return replace(course, second_line=replace(second, benchmarks=rows))
