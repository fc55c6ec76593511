"""Published figures a clinician compares a patient against, as typed data with their sources.

Niu et al. 2026 (UC-MSC + standard second-line therapy vs standard therapy alone for SR-aGVHD)
and the other second-line benchmarks, transcribed from the project references
``docs/published-figures.md``. Percentages are kept exactly as
published; counts are kept beside them. Where a count does not give the published percentage
the row says so (``ArmValue.discrepancy``) instead of silently correcting either number.
The paper reports subgroup CR rates with the **whole arm** as denominator (e.g. 24/44).

The shown words (outcomes, subgroups, details, notes, design facts, other benchmarks) are
English message ids marked ``N_`` and said in the current language by the display functions
(``comparison_table``, ``cox_table``, ``external_table``, ``design_table``); the data keep the
English text. Trial names and citations (``Source``) stay as published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from srgvhd.i18n import N_, _, current, ngettext


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
    """A labelled published figure that is not an arm comparison (design, cohort); ``value`` is
    a message whose placeholders are filled from ``params`` where it is shown."""

    label: str
    value: str
    source: Source
    params: Mapping[str, Any] = field(default_factory=dict)


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
    _cr_row("cr_grade_2_4", N_("CR, grade II–IV"), (37, 84.1), (30, 58.8), 0.007, note=None),
    _cr_row("cr_grade_3_4", N_("CR, grade III–IV"), (24, 54.5), (16, 31.4), 0.034),
    _cr_row("cr_liver", N_("CR, liver involvement"), (20, 45.5), (7, 13.7), 0.009),
    _cr_row("cr_gi", N_("CR, GI involvement"), (27, 61.4), (17, 33.3), 0.003),
    _cr_row("cr_multi_organ", N_("CR, ≥2 organs involved"), (26, 59.1), (15, 29.4), 0.017),
)
ORR_STATEMENT = N_(
    "Week-4 ORR was reported as significantly higher in the UC-MSC arm; the figure is not in "
    "the summary available to this project."
)

# Multivariate Cox regression for poor prognosis; docs/published-figures.md.
COX_FACTORS: tuple[CoxFactor, ...] = (
    CoxFactor(
        N_("age"),
        N_("≥35 vs 18–35 years"),
        "age_ge35",
        HazardRatio(5.02, 1.01, 24.93),
        0.049,
        NIU_2026,
    ),
    CoxFactor(
        N_("aGVHD grade"),
        N_("IV vs III"),
        "grade_IV",
        HazardRatio(5.63, 1.09, 29.09),
        0.039,
        NIU_2026,
    ),
    CoxFactor(
        N_("hemoglobin"),
        N_("≤90 g/L vs >90 g/L"),
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
        N_("OS at end of follow-up (alive)"),
        ArmValue(count=28, denominator=MSC_ARM_N, percent=63.6),
        ArmValue(count=34, denominator=STANDARD_ARM_N, percent=66.7),
        p=0.911,
        source=NIU_2026,
        hazard_ratio=HazardRatio(1.04, 0.52, 2.06),
    ),
    ComparisonRow(
        "pfs",
        N_("PFS at end of follow-up"),
        ArmValue(percent=65.9),
        ArmValue(percent=62.7),
        p=0.760,
        source=NIU_2026,
        hazard_ratio=HazardRatio(0.90, 0.47, 1.74),
    ),
    ComparisonRow(
        "relapse",
        N_("Relapse"),
        ArmValue(
            count=2,
            percent=3.5,
            percent_is_proportion=False,
            detail=N_("1 marrow, 1 extramedullary"),
        ),
        ArmValue(count=9, percent=12.8, percent_is_proportion=False, detail=N_("all marrow")),
        p=0.019,
        source=NIU_2026,
        note=N_("Published relapse rates are rates, not count/arm size (2/44 = 4.5%)."),
    ),
    ComparisonRow(
        "cmv",
        N_("CMV infection"),
        ArmValue(
            count=9,
            denominator=MSC_ARM_N,
            percent=20.1,
            discrepancy=N_("9/44 is 20.5%; the paper reports 20.1%."),
        ),
        ArmValue(count=7, denominator=STANDARD_ARM_N, percent=13.7),
        p=None,
        p_text=N_("> 0.05"),
        source=NIU_2026,
    ),
    ComparisonRow(
        "ebv",
        N_("EBV infection"),
        ArmValue(count=21, denominator=MSC_ARM_N, percent=47.7),
        ArmValue(count=21, denominator=STANDARD_ARM_N, percent=41.2),
        p=None,
        p_text=N_("> 0.05"),
        source=NIU_2026,
    ),
    ComparisonRow(
        "cmv_ebv",
        N_("CMV + EBV co-infection"),
        ArmValue(count=4, denominator=MSC_ARM_N),
        ArmValue(count=3, denominator=STANDARD_ARM_N),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "survived_100d",
        N_("Survived >100 days post-transplant"),
        ArmValue(count=41, denominator=MSC_ARM_N),
        ArmValue(count=47, denominator=STANDARD_ARM_N),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "cgvhd",
        N_("cGVHD (among >100-day survivors)"),
        ArmValue(count=11, denominator=41, detail=N_("2 extensive, 9 limited")),
        ArmValue(count=19, denominator=47, detail=N_("5 extensive, 14 limited")),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "deaths",
        N_("Deaths"),
        ArmValue(count=16, denominator=MSC_ARM_N),
        ArmValue(count=17, denominator=STANDARD_ARM_N),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "death_pneumonia",
        N_("Death from severe pneumonia (of deaths)"),
        ArmValue(count=9, denominator=16, percent=56.3),
        ArmValue(count=3, denominator=17, percent=17.6),
        p=0.032,
        source=NIU_2026,
    ),
    ComparisonRow(
        "death_agvhd",
        N_("Death from severe aGVHD (of deaths)"),
        ArmValue(count=7, denominator=16, percent=43.8),
        ArmValue(),
        p=None,
        source=NIU_2026,
    ),
    ComparisonRow(
        "death_relapse",
        N_("Death from marrow relapse (of deaths)"),
        ArmValue(),
        ArmValue(count=9, denominator=17, percent=52.9),
        p=0.007,
        source=NIU_2026,
        note=N_("p = 0.007 is for the difference in causes of death."),
    ),
)

# Study design and cohort; docs/published-figures.md "Design" and "Cohort".
ARMS_FACT = N_("{msc_arm} (n = {msc_n}) vs {standard_arm} (n = {standard_n}); chosen by clinicians")
ARMS_PARAMS = {
    "msc_arm": MSC_ARM_LABEL,
    "msc_n": MSC_ARM_N,
    "standard_arm": STANDARD_ARM_LABEL,
    "standard_n": STANDARD_ARM_N,
}
DESIGN: tuple[Fact, ...] = tuple(
    Fact(label, value, NIU_2026, ARMS_PARAMS if value == ARMS_FACT else {})
    for label, value in (
        (N_("design"), N_("retrospective, observational, single centre; Dec 2019 – Jan 2024")),
        (
            N_("patients"),
            N_("95 SR-aGVHD after allo-HSCT; all HLA-matched related donors (53 haploidentical)"),
        ),
        (
            N_("arms"),
            ARMS_FACT,
        ),
        (
            N_("UC-MSC dose"),
            N_(
                "IV, 1–3 × 10^6 cells/kg per infusion; median 3 infusions (1–8); "
                "median cumulative 2.71 × 10^6 cells/kg; one cord donor per patient"
            ),
        ),
        (N_("grading"), N_("MAGIC grade; Minnesota risk; CR and ORR at week 4 of SR therapy")),
        (
            N_("survival clock"),
            N_("OS/PFS from first UC-MSC infusion (MSC arm) or start of second-line therapy"),
        ),
        (
            N_("SR definition"),
            N_(
                "methylprednisolone 2 mg/kg/day: progression within 3–5 days, no PR "
                "after 7 days, or no CR/VGPR after 14 days"
            ),
        ),
        (N_("sex"), N_("50 male, 45 female")),
        (N_("age"), N_("median 32 years (range 6–64)")),
        (N_("disease"), N_("AML 44 (46.3%), ALL 27 (28.4%)")),
        (N_("graft"), N_("BM + PBSC 54.7%")),
        (N_("aGVHD onset"), N_("median day 33 (7–100); MSC 25.5 vs standard 40.0 (p = 0.347)")),
        (N_("two organs involved"), N_("50.5%; similar between arms (p = 0.199)")),
        (N_("balance"), N_("no significant differences in age, sex, disease or transplant")),
    )
)

# docs/published-figures.md "Other second-line results", one entry per row; the source is cited
# exactly as it is there.
EXTERNAL_BENCHMARKS: tuple[ExternalBenchmark, ...] = (
    ExternalBenchmark(
        N_("ruxolitinib vs best available therapy (REACH2, phase 3)"),
        N_("SR-aGVHD, age ≥ 12"),
        309,
        N_("62% vs 39%"),
        N_("34% vs 19%"),
        N_("final analysis: median OS 10.7 vs 5.8 months; median FFS 4.86 vs 1.02 months"),
        Source("Zeiser et al., NEJM 2020;382:1800; final analysis JCO 2025"),
    ),
    ExternalBenchmark(
        N_("ruxolitinib, single arm (REACH1)"),
        N_("SR-aGVHD"),
        71,
        N_("54.9%"),
        N_("26.8%"),
        N_("best ORR 73.2%; 6-month OS 51.0%"),
        Source("Jagasia et al., Blood 2020;135:1739"),
    ),
    ExternalBenchmark(
        N_("remestemcel-L, BM-MSC (MSB-GVHD001)"),
        N_("children"),
        54,
        N_("70.4% (38/54)"),
        N_("30%"),
        N_("PR 41%"),
        Source("FDA approval summary (pediatric SR-aGVHD)"),
    ),
    ExternalBenchmark(
        N_("remestemcel-L, expanded access (Study 275)"),
        N_("children"),
        241,
        N_("65.1%"),
        N_("14.1%"),
        N_("day-100 survival 66.9%"),
        Source("Kurtzberg et al., BBMT 2020"),
    ),
    ExternalBenchmark(
        N_("BM-MSC + basiliximab + CNI vs basiliximab + CNI (randomized phase 3)"),
        N_("SR-aGVHD (analysed)"),
        198,
        N_("82.8% vs 70.7%"),
        None,
        N_("durable ORR day 56 78.8% vs 64.6%; median FFS 11.3 vs 6.0 months"),
        Source("Zhao et al., J Hematol Oncol 2022"),
    ),
    ExternalBenchmark(
        N_("second-line therapy, real-world benchmark"),
        N_("second-line therapy"),
        216,
        None,
        None,
        N_("OS 59% at 6 months, 52% at 12 months"),
        Source("Vo et al., Blood Adv 2022"),
    ),
    ExternalBenchmark(
        N_("MSC meta-analysis (non-randomized studies)"),
        N_("13 studies"),
        336,
        None,
        None,
        N_("6-month survival 63% (95% CI 50–74)"),
        Source("Hashmi et al., Lancet Haematol 2016"),
    ),
    ExternalBenchmark(
        N_("first-line steroids (for context)"),
        N_("first-line aGVHD"),
        303,
        N_("CR+VGPR+PR 72%"),
        N_("36%"),
        N_("VGPR 26%"),
        Source("Inamoto et al., Haematologica 2014"),
    ),
    ExternalBenchmark(
        N_("Minnesota risk, first-line"),
        N_("first-line aGVHD"),
        1723,
        N_("68% standard vs 44% high risk"),
        None,
        N_("mortality RR 2.1 high vs standard"),
        Source("MacMillan et al., BBMT 2015"),
    ),
)


def format_percent(value: float) -> str:
    """A published percentage with the precision it was published with (one decimal), in the
    current language's way ("54.5%"; German and French "54,5 %")."""
    return current().percent(value / 100, 1)


def _number(value: float, spec: str) -> str:
    return current().number(value, spec)


def format_arm(value: ArmValue) -> str:
    """One arm's figure as text in the current language: the published percentage first, counts
    and detail beside it, e.g. ``"54.5% (24/44)"``, ``"3.5% (2 events; 1 marrow, 1
    extramedullary)"``, ``"11/41 (2 extensive, 9 limited)"``, ``"—"``; a flagged discrepancy is
    marked ``*``."""
    if value.count is None and value.percent is None:
        return "—"
    detail = _(value.detail) if value.detail else None
    if value.count is None:
        counts = ""
    elif value.denominator is None:
        counts = ngettext("{n} event", "{n} events", value.count)
    else:
        counts = f"{value.count}/{value.denominator}"
    if value.percent is None:
        text = counts + (f" ({detail})" if detail else "")
    else:
        inner = "; ".join(part for part in (counts, detail) if part)
        text = format_percent(value.percent) + (f" ({inner})" if inner else "")
    return text + ("*" if value.discrepancy else "")


def format_p(row: ComparisonRow) -> str:
    """The p-value (and hazard ratio) of a comparison as published, or ``""``, in the current
    language's numbers."""
    parts = []
    if row.hazard_ratio is not None:
        hr = row.hazard_ratio
        parts.append(
            _(
                "HR {estimate} ({lower}–{upper})",
                estimate=_number(hr.estimate, ".2f"),
                lower=_number(hr.lower, ".2f"),
                upper=_number(hr.upper, ".2f"),
            )
        )
    if row.p is not None:
        parts.append(f"p = {_number(row.p, '.3f')}")
    elif row.p_text is not None:
        parts.append(f"p {_(row.p_text)}")
    return ", ".join(parts)


def outcome_text(row: ComparisonRow) -> str:
    """The row's outcome in the current language ("CR, grade III–IV")."""
    return _(row.outcome)


def comparison_table(rows: tuple[ComparisonRow, ...] | list[ComparisonRow]) -> list[dict[str, str]]:
    """Display rows (outcome, both arms, p, note, source) for tables in the app, headings and
    words in the current language; the source as published."""
    return [
        {
            _("outcome"): outcome_text(row),
            _(MSC_ARM_LABEL): format_arm(row.msc),
            _(STANDARD_ARM_LABEL): format_arm(row.standard),
            _("p / HR"): format_p(row),
            _("note"): "; ".join(
                _(text)
                for text in (
                    row.msc.detail,
                    row.standard.detail,
                    row.note,
                    row.msc.discrepancy,
                    row.standard.discrepancy,
                )
                if text
            ),
            _("source"): row.source.short,
        }
        for row in rows
    ]


def cox_table() -> list[dict[str, str]]:
    """Display rows of the paper's multivariate Cox model, in the current language."""
    return [
        {
            _("factor"): _(f.factor),
            _("comparison"): _(f.comparison),
            "HR": _number(f.hazard_ratio.estimate, ".2f"),
            _("95% CI"): (
                f"{_number(f.hazard_ratio.lower, '.2f')}–{_number(f.hazard_ratio.upper, '.2f')}"
            ),
            "p": _number(f.p, ".3f"),
            _("source"): f.source.short,
        }
        for f in COX_FACTORS
    ]


def external_table() -> list[dict[str, str]]:
    """Display rows of the external benchmarks, in the current language; sources as
    published."""
    return [
        {
            _("therapy / study"): _(b.therapy),
            _("population"): _(b.population),
            "n": str(b.n),
            _("day-28 ORR"): _(b.orr) if b.orr else "—",
            _("day-28 CR"): _(b.cr) if b.cr else "—",
            _("other outcomes"): _(b.other),
            _("source"): b.source.short,
        }
        for b in EXTERNAL_BENCHMARKS
    ]


def design_table() -> list[dict[str, str]]:
    """Display rows of the study's design and cohort, in the current language."""
    return [
        {_("item"): _(f.label), _("value"): _(f.value, **f.params), _("source"): f.source.short}
        for f in DESIGN
    ]
