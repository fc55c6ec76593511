"""Published figures a clinician compares a patient against, as typed data with their sources.

Niu et al. 2026 (UC-MSC + standard second-line therapy vs standard therapy alone for SR-aGVHD)
and the other second-line benchmarks, transcribed from the project references
``docs/published-figures.md``. Percentages are kept exactly as
published; counts are kept beside them. Where a count does not give the published percentage
the row says so (``ArmValue.discrepancy``) instead of silently correcting either number.
The paper reports subgroup CR rates with the **whole arm** as denominator (e.g. 24/44).
"""

from __future__ import annotations

from dataclasses import dataclass

from srgvhd.i18n.message import N_


@dataclass(frozen=True)
class Source:
    """A citation: ``short`` for tables and captions, ``full`` (when known) for a reference list."""

    short: str
    full: str | None = None


NIU_2026 = Source(
    short="Niu et al., Leuk Lymphoma 2026",
    full=(
        "Niu Y, Chen B, Zhao Y, Yu X, Wang T, Ma L. Umbilical cord-derived mesenchymal stem "
        "cells for steroid-refractory acute graft-versus-host disease: a real-world study. "
        "Leukemia & Lymphoma 2026:1–8. doi:10.1080/10428194.2026.2634172"
    ),
)

MSC_ARM_N = 44
STANDARD_ARM_N = 51
MSC_ARM_LABEL = N_("UC-MSC + standard")
STANDARD_ARM_LABEL = N_("standard alone")


@dataclass(frozen=True)
class ArmValue:
    """One arm's figure for one outcome.

    ``percent`` is the published percentage (None when the paper gives only a count);
    ``denominator`` is what the count is out of (None when it is not a proportion);
    ``percent_is_proportion`` is False when the published percentage is an estimate (e.g. a
    cumulative rate) rather than count/denominator; ``discrepancy`` explains a published
    percentage that count/denominator does not reproduce.
    """

    count: int | None = None
    denominator: int | None = None
    percent: float | None = None
    percent_is_proportion: bool = True
    detail: str | None = None
    discrepancy: str | None = None


@dataclass(frozen=True)
class HazardRatio:
    """A published hazard ratio with its 95% confidence interval."""

    estimate: float
    lower: float
    upper: float


@dataclass(frozen=True)
class ComparisonRow:
    """One outcome compared between the UC-MSC arm and the standard arm.

    ``key`` is a stable identifier (used by :mod:`srgvhd.literature.matching`); ``p_text`` is the
    p-value as published when it is not a single number (e.g. ``"> 0.05"``).
    """

    key: str
    outcome: str
    msc: ArmValue
    standard: ArmValue
    p: float | None
    source: Source
    p_text: str | None = None
    hazard_ratio: HazardRatio | None = None
    note: str | None = None


@dataclass(frozen=True)
class CoxFactor:
    """A factor of the paper's multivariate Cox model; ``covariate`` names the column in
    :data:`srgvhd.risk.covariates.COVARIATE_COLUMNS` that encodes it."""

    factor: str
    comparison: str
    covariate: str
    hazard_ratio: HazardRatio
    p: float
    source: Source


@dataclass(frozen=True)
class Fact:
    """A labelled published figure that is not an arm comparison (design, cohort)."""

    label: str
    value: str
    source: Source


@dataclass(frozen=True)
class ExternalBenchmark:
    """One row of docs/published-figures.md "Other second-line results"; response figures are
    kept as published text."""

    therapy: str
    population: str
    n: int
    orr: str | None
    cr: str | None
    other: str
    source: Source


WHOLE_ARM_NOTE = N_("Subgroup CR rates use the whole arm as denominator (paper's convention).")


def _cr_row(
    key: str,
    outcome: str,
    msc: tuple[int, float],
    std: tuple[int, float],
    p: float,
    note: str | None = WHOLE_ARM_NOTE,
) -> ComparisonRow:
    """A week-4 CR row: (count, published %) per arm, whole arm as denominator."""
    return ComparisonRow(
        key=key,
        outcome=outcome,
        msc=ArmValue(count=msc[0], denominator=MSC_ARM_N, percent=msc[1]),
        standard=ArmValue(count=std[0], denominator=STANDARD_ARM_N, percent=std[1]),
        p=p,
        source=NIU_2026,
        note=note,
    )


# Week-4 complete response (CR) by subgroup; docs/published-figures.md "Complete response at
# week 4".
WEEK4_CR: tuple[ComparisonRow, ...] = (
    _cr_row("cr_grade_2_4", "CR, grade II–IV", (37, 84.1), (30, 58.8), 0.007, note=None),
    _cr_row("cr_grade_3_4", "CR, grade III–IV", (24, 54.5), (16, 31.4), 0.034),
    _cr_row("cr_liver", "CR, liver involvement", (20, 45.5), (7, 13.7), 0.009),
    _cr_row("cr_gi", "CR, GI involvement", (27, 61.4), (17, 33.3), 0.003),
    _cr_row("cr_multi_organ", "CR, ≥2 organs involved", (26, 59.1), (15, 29.4), 0.017),
)
ORR_STATEMENT = (
    "Week-4 ORR was reported as significantly higher in the UC-MSC arm; the figure is not in "
    "the summary available to this project."
)

# Multivariate Cox regression for poor prognosis; docs/published-figures.md.
COX_FACTORS: tuple[CoxFactor, ...] = (
    CoxFactor(
        "age", "≥35 vs 18–35 years", "age_ge35", HazardRatio(5.02, 1.01, 24.93), 0.049, NIU_2026
    ),
    CoxFactor(
        "aGVHD grade", "IV vs III", "grade_IV", HazardRatio(5.63, 1.09, 29.09), 0.039, NIU_2026
    ),
    CoxFactor(
        "hemoglobin",
        "≤90 g/L vs >90 g/L",
        "hb_le_90",
        HazardRatio(5.13, 1.57, 16.77),
        0.007,
        NIU_2026,
    ),
)

# Later outcomes; docs/published-figures.md "Later outcomes".
LATER_OUTCOMES: tuple[ComparisonRow, ...] = (
    ComparisonRow(
        "os",
        "OS at end of follow-up (alive)",
        ArmValue(count=28, denominator=MSC_ARM_N, percent=63.6),
        ArmValue(count=34, denominator=STANDARD_ARM_N, percent=66.7),
        p=0.911,
        source=NIU_2026,
        hazard_ratio=HazardRatio(1.04, 0.52, 2.06),
    ),
    ComparisonRow(
        "pfs",
        "PFS at end of follow-up",
        ArmValue(percent=65.9),
        ArmValue(percent=62.7),
        p=0.760,
        source=NIU_2026,
        hazard_ratio=HazardRatio(0.90, 0.47, 1.74),
    ),
    ComparisonRow(
        "relapse",
        "Relapse",
        ArmValue(
            count=2, percent=3.5, percent_is_proportion=False, detail="1 marrow, 1 extramedullary"
        ),
        ArmValue(count=9, percent=12.8, percent_is_proportion=False, detail="all marrow"),
        p=0.019,
        source=NIU_2026,
        note="Published relapse rates are rates, not count/arm size (2/44 = 4.5%).",
    ),
    ComparisonRow(
        "cmv",
        "CMV infection",
        ArmValue(
            count=9,
            denominator=MSC_ARM_N,
            percent=20.1,
            discrepancy="9/44 is 20.5%; the paper reports 20.1%.",
        ),
        ArmValue(count=7, denominator=STANDARD_ARM_N, percent=13.7),
        p=None,
        p_text="> 0.05",
        source=NIU_2026,
    ),
    ComparisonRow(
        "ebv",
        "EBV infection",
        ArmValue(count=21, denominator=MSC_ARM_N, percent=47.7),
        ArmValue(count=21, denominator=STANDARD_ARM_N, percent=41.2),
        p=None,
        p_text="> 0.05",
        source=NIU_2026,
    ),
    ComparisonRow(
        "cmv_ebv",
        "CMV + EBV co-infection",
        ArmValue(count=4, denominator=MSC_ARM_N),
        ArmValue(count=3, denominator=STANDARD_ARM_N),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "survived_100d",
        "Survived >100 days post-transplant",
        ArmValue(count=41, denominator=MSC_ARM_N),
        ArmValue(count=47, denominator=STANDARD_ARM_N),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "cgvhd",
        "cGVHD (among >100-day survivors)",
        ArmValue(count=11, denominator=41, detail="2 extensive, 9 limited"),
        ArmValue(count=19, denominator=47, detail="5 extensive, 14 limited"),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "deaths",
        "Deaths",
        ArmValue(count=16, denominator=MSC_ARM_N),
        ArmValue(count=17, denominator=STANDARD_ARM_N),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "death_pneumonia",
        "Death from severe pneumonia (of deaths)",
        ArmValue(count=9, denominator=16, percent=56.3),
        ArmValue(count=3, denominator=17, percent=17.6),
        p=0.032,
        source=NIU_2026,
    ),
    ComparisonRow(
        "death_agvhd",
        "Death from severe aGVHD (of deaths)",
        ArmValue(count=7, denominator=16, percent=43.8),
        ArmValue(),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "death_relapse",
        "Death from marrow relapse (of deaths)",
        ArmValue(),
        ArmValue(count=9, denominator=17, percent=52.9),
        p=0.007,
        source=NIU_2026,
        note="p = 0.007 is for the difference in causes of death.",
    ),
)

# Study design and cohort; docs/published-figures.md "Design" and "Cohort".
DESIGN: tuple[Fact, ...] = tuple(
    Fact(label, value, NIU_2026)
    for label, value in (
        ("design", "retrospective, observational, single centre; Dec 2019 – Jan 2024"),
        (
            "patients",
            "95 SR-aGVHD after allo-HSCT; all HLA-matched related donors (53 haploidentical)",
        ),
        (
            "arms",
            f"{MSC_ARM_LABEL} (n = {MSC_ARM_N}) vs {STANDARD_ARM_LABEL} "
            f"(n = {STANDARD_ARM_N}); chosen by clinicians",
        ),
        (
            "UC-MSC dose",
            "IV, 1–3 × 10^6 cells/kg per infusion; median 3 infusions (1–8); "
            "median cumulative 2.71 × 10^6 cells/kg; one cord donor per patient",
        ),
        ("grading", "MAGIC grade; Minnesota risk; CR and ORR at week 4 of SR therapy"),
        (
            "survival clock",
            "OS/PFS from first UC-MSC infusion (MSC arm) or start of second-line therapy",
        ),
        (
            "SR definition",
            "methylprednisolone 2 mg/kg/day: progression within 3–5 days, no PR "
            "after 7 days, or no CR/VGPR after 14 days",
        ),
        ("sex", "50 male, 45 female"),
        ("age", "median 32 years (range 6–64)"),
        ("disease", "AML 44 (46.3%), ALL 27 (28.4%)"),
        ("graft", "BM + PBSC 54.7%"),
        ("aGVHD onset", "median day 33 (7–100); MSC 25.5 vs standard 40.0 (p = 0.347)"),
        ("two organs involved", "50.5%; similar between arms (p = 0.199)"),
        ("balance", "no significant differences in age, sex, disease or transplant"),
    )
)

# docs/published-figures.md "Other second-line results", one entry per row; the source is cited
# exactly as it is there.
EXTERNAL_BENCHMARKS: tuple[ExternalBenchmark, ...] = (
    ExternalBenchmark(
        "ruxolitinib vs best available therapy (REACH2, phase 3)",
        "SR-aGVHD, age ≥ 12",
        309,
        "62% vs 39%",
        "34% vs 19%",
        "final analysis: median OS 10.7 vs 5.8 months; median FFS 4.86 vs 1.02 months",
        Source("Zeiser et al., NEJM 2020;382:1800; final analysis JCO 2025"),
    ),
    ExternalBenchmark(
        "ruxolitinib, single arm (REACH1)",
        "SR-aGVHD",
        71,
        "54.9%",
        "26.8%",
        "best ORR 73.2%; 6-month OS 51.0%",
        Source("Jagasia et al., Blood 2020;135:1739"),
    ),
    ExternalBenchmark(
        "remestemcel-L, BM-MSC (MSB-GVHD001)",
        "children",
        54,
        "70.4% (38/54)",
        "30%",
        "PR 41%",
        Source("FDA approval summary (pediatric SR-aGVHD)"),
    ),
    ExternalBenchmark(
        "remestemcel-L, expanded access (Study 275)",
        "children",
        241,
        "65.1%",
        "14.1%",
        "day-100 survival 66.9%",
        Source("Kurtzberg et al., BBMT 2020"),
    ),
    ExternalBenchmark(
        "BM-MSC + basiliximab + CNI vs basiliximab + CNI (randomized phase 3)",
        "SR-aGVHD (analysed)",
        198,
        "82.8% vs 70.7%",
        None,
        "durable ORR day 56 78.8% vs 64.6%; median FFS 11.3 vs 6.0 months",
        Source("Zhao et al., J Hematol Oncol 2022"),
    ),
    ExternalBenchmark(
        "second-line therapy, real-world benchmark",
        "second-line therapy",
        216,
        None,
        None,
        "OS 59% at 6 months, 52% at 12 months",
        Source("Vo et al., Blood Adv 2022"),
    ),
    ExternalBenchmark(
        "MSC meta-analysis (non-randomized studies)",
        "13 studies",
        336,
        None,
        None,
        "6-month survival 63% (95% CI 50–74)",
        Source("Hashmi et al., Lancet Haematol 2016"),
    ),
    ExternalBenchmark(
        "first-line steroids (for context)",
        "first-line aGVHD",
        303,
        "CR+VGPR+PR 72%",
        "36%",
        "VGPR 26%",
        Source("Inamoto et al., Haematologica 2014"),
    ),
    ExternalBenchmark(
        "Minnesota risk, first-line",
        "first-line aGVHD",
        1723,
        "68% standard vs 44% high risk",
        None,
        "mortality RR 2.1 high vs standard",
        Source("MacMillan et al., BBMT 2015"),
    ),
)


def format_percent(value: float) -> str:
    """A published percentage with the precision it was published with (one decimal)."""
    return f"{value:.1f}%"


def format_arm(value: ArmValue) -> str:
    """One arm's figure as text: the published percentage first, counts and detail beside it,
    e.g. ``"54.5% (24/44)"``, ``"3.5% (2 events; 1 marrow, 1 extramedullary)"``,
    ``"11/41 (2 extensive, 9 limited)"``, ``"—"``; a flagged discrepancy is marked ``*``."""
    if value.count is None and value.percent is None:
        return "—"
    if value.count is None:
        counts = ""
    elif value.denominator is None:
        counts = f"{value.count} events"
    else:
        counts = f"{value.count}/{value.denominator}"
    if value.percent is None:
        text = counts + (f" ({value.detail})" if value.detail else "")
    else:
        inner = "; ".join(part for part in (counts, value.detail) if part)
        text = format_percent(value.percent) + (f" ({inner})" if inner else "")
    return text + ("*" if value.discrepancy else "")


def format_p(row: ComparisonRow) -> str:
    """The p-value (and hazard ratio) of a comparison as published, or ``""``."""
    parts = []
    if row.hazard_ratio is not None:
        hr = row.hazard_ratio
        parts.append(f"HR {hr.estimate:.2f} ({hr.lower:.2f}–{hr.upper:.2f})")
    if row.p is not None:
        parts.append(f"p = {row.p:.3f}")
    elif row.p_text is not None:
        parts.append(f"p {row.p_text}")
    return ", ".join(parts)


def comparison_table(rows: tuple[ComparisonRow, ...] | list[ComparisonRow]) -> list[dict[str, str]]:
    """Display rows (outcome, both arms, p, note, source) for tables in the app and the PDF."""
    return [
        {
            "outcome": row.outcome,
            MSC_ARM_LABEL: format_arm(row.msc),
            STANDARD_ARM_LABEL: format_arm(row.standard),
            "p / HR": format_p(row),
            "note": "; ".join(
                text
                for text in (
                    row.msc.detail,
                    row.standard.detail,
                    row.note,
                    row.msc.discrepancy,
                    row.standard.discrepancy,
                )
                if text
            ),
            "source": row.source.short,
        }
        for row in rows
    ]


def cox_table() -> list[dict[str, str]]:
    """Display rows of the paper's multivariate Cox model."""
    return [
        {
            "factor": f.factor,
            "comparison": f.comparison,
            "HR": f"{f.hazard_ratio.estimate:.2f}",
            "95% CI": f"{f.hazard_ratio.lower:.2f}–{f.hazard_ratio.upper:.2f}",
            "p": f"{f.p:.3f}",
            "source": f.source.short,
        }
        for f in COX_FACTORS
    ]


def external_table() -> list[dict[str, str]]:
    """Display rows of the external benchmarks."""
    return [
        {
            "therapy / study": b.therapy,
            "population": b.population,
            "n": str(b.n),
            "day-28 ORR": b.orr or "—",
            "day-28 CR": b.cr or "—",
            "other outcomes": b.other,
            "source": b.source.short,
        }
        for b in EXTERNAL_BENCHMARKS
    ]
