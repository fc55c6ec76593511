"""Published figures: transcribed correctly, counts agree with percentages, shown on the page.

Every expected value below is typed from docs/published-figures.md (Niu et al. 2026 and "Other
second-line results"), not copied from srgvhd/literature/published.py.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from srgvhd.literature import published
from srgvhd.report.charts import cr_by_subgroup_spec
from srgvhd.risk.covariates import COVARIATE_COLUMNS

ROOT = Path(__file__).resolve().parents[1]

# docs/published-figures.md, "Complete response at week 4":
# outcome -> (MSC n, N, %), (standard n, N, %), p
CR_REFERENCE = {
    "CR, grade II–IV": ((37, 44, 84.1), (30, 51, 58.8), 0.007),
    "CR, grade III–IV": ((24, 44, 54.5), (16, 51, 31.4), 0.034),
    "CR, liver involvement": ((20, 44, 45.5), (7, 51, 13.7), 0.009),
    "CR, GI involvement": ((27, 44, 61.4), (17, 51, 33.3), 0.003),
    "CR, ≥2 organs involved": ((26, 44, 59.1), (15, 51, 29.4), 0.017),
}

# docs/published-figures.md, "Multivariate Cox regression": covariate -> (HR, lower, upper, p)
COX_REFERENCE = {
    "age_ge35": (5.02, 1.01, 24.93, 0.049),
    "grade_IV": (5.63, 1.09, 29.09, 0.039),
    "hb_le_90": (5.13, 1.57, 16.77, 0.007),
}

# docs/published-figures.md "Other second-line results": therapy -> (n, ORR, CR, source)
EXTERNAL_REFERENCE = {
    "ruxolitinib vs best available therapy (REACH2, phase 3)": (
        309,
        "62% vs 39%",
        "34% vs 19%",
        "Zeiser et al., NEJM 2020;382:1800; final analysis JCO 2025",
    ),
    "ruxolitinib, single arm (REACH1)": (
        71,
        "54.9%",
        "26.8%",
        "Jagasia et al., Blood 2020;135:1739",
    ),
    "remestemcel-L, BM-MSC (MSB-GVHD001)": (
        54,
        "70.4% (38/54)",
        "30%",
        "FDA approval summary (pediatric SR-aGVHD)",
    ),
    "remestemcel-L, expanded access (Study 275)": (
        241,
        "65.1%",
        "14.1%",
        "Kurtzberg et al., BBMT 2020",
    ),
    "BM-MSC + basiliximab + CNI vs basiliximab + CNI (randomized phase 3)": (
        198,
        "82.8% vs 70.7%",
        None,
        "Zhao et al., J Hematol Oncol 2022",
    ),
    "second-line therapy, real-world benchmark": (216, None, None, "Vo et al., Blood Adv 2022"),
    "MSC meta-analysis (non-randomized studies)": (
        336,
        None,
        None,
        "Hashmi et al., Lancet Haematol 2016",
    ),
    "first-line steroids (for context)": (
        303,
        "CR+VGPR+PR 72%",
        "36%",
        "Inamoto et al., Haematologica 2014",
    ),
    "Minnesota risk, first-line": (
        1723,
        "68% standard vs 44% high risk",
        None,
        "MacMillan et al., BBMT 2015",
    ),
}


def rounded_percent(count: int, denominator: int) -> float:
    """count/denominator as a percentage rounded half-up to one decimal, as journals round."""
    value = Decimal(count) * 100 / Decimal(denominator)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def all_arm_values() -> list[tuple[str, str, published.ArmValue]]:
    rows = published.WEEK4_CR + published.LATER_OUTCOMES
    return [(r.key, arm, getattr(r, arm)) for r in rows for arm in ("msc", "standard")]


def proportions() -> list[tuple[str, str, published.ArmValue]]:
    """Arm values whose published percentage should be count/denominator."""
    return [
        (k, a, v)
        for k, a, v in all_arm_values()
        if v.percent is not None and v.count is not None and v.percent_is_proportion
    ]


def test_every_percentage_with_counts_is_checked() -> None:
    # 10 CR figures + OS 2 + CMV 2 + EBV 2 + pneumonia 2 + aGVHD death 1 + relapse death 1
    assert len(proportions()) == 20


def test_week4_cr_rows_match_the_reference() -> None:
    got = {
        r.outcome: (
            (r.msc.count, r.msc.denominator, r.msc.percent),
            (r.standard.count, r.standard.denominator, r.standard.percent),
            r.p,
        )
        for r in published.WEEK4_CR
    }
    assert got == CR_REFERENCE


def test_arm_sizes_add_up_to_the_cohort() -> None:
    assert (published.MSC_ARM_N, published.STANDARD_ARM_N) == (44, 51)
    assert published.MSC_ARM_N + published.STANDARD_ARM_N == 95


@pytest.mark.parametrize(("key", "arm", "value"), proportions())
def test_counts_reproduce_published_percent_unless_flagged(
    key: str, arm: str, value: published.ArmValue
) -> None:
    agrees = rounded_percent(value.count, value.denominator) == value.percent
    assert agrees == (value.discrepancy is None), (key, arm)


def test_only_the_cmv_msc_figure_is_flagged() -> None:
    flagged = [(k, a) for k, a, v in all_arm_values() if v.discrepancy]
    assert flagged == [("cmv", "msc")]
    cmv = next(r for r in published.LATER_OUTCOMES if r.key == "cmv")
    assert (cmv.msc.count, cmv.msc.denominator, cmv.msc.percent) == (9, 44, 20.1)
    assert rounded_percent(9, 44) == 20.5  # the note in docs/published-figures.md
    assert "20.5" in cmv.msc.discrepancy
    assert published.format_arm(cmv.msc) == "20.1% (9/44)*"


def test_whole_arm_rounding_is_half_up() -> None:
    # 9/16 = 56.25% is published as 56.3% and 7/16 = 43.75% as 43.8%.
    assert rounded_percent(9, 16) == 56.3
    assert rounded_percent(7, 16) == 43.8


def test_later_outcomes_match_the_reference() -> None:
    rows = {r.key: r for r in published.LATER_OUTCOMES}
    os_row, pfs = rows["os"], rows["pfs"]
    assert (os_row.msc.percent, os_row.standard.percent, os_row.p) == (63.6, 66.7, 0.911)
    assert (os_row.hazard_ratio.estimate, os_row.hazard_ratio.lower, os_row.hazard_ratio.upper) == (
        1.04,
        0.52,
        2.06,
    )
    assert (pfs.msc.percent, pfs.standard.percent, pfs.p) == (65.9, 62.7, 0.760)
    assert (pfs.hazard_ratio.estimate, pfs.hazard_ratio.lower, pfs.hazard_ratio.upper) == (
        0.90,
        0.47,
        1.74,
    )
    relapse = rows["relapse"]
    assert (relapse.msc.count, relapse.msc.percent) == (2, 3.5)
    assert (relapse.standard.count, relapse.standard.percent, relapse.p) == (9, 12.8, 0.019)
    assert (rows["ebv"].msc.count, rows["ebv"].standard.count) == (21, 21)
    assert (rows["cmv_ebv"].msc.count, rows["cmv_ebv"].standard.count) == (4, 3)
    assert (rows["survived_100d"].msc.count, rows["survived_100d"].standard.count) == (41, 47)
    assert (rows["cgvhd"].msc.count, rows["cgvhd"].msc.denominator) == (11, 41)
    assert (rows["cgvhd"].standard.count, rows["cgvhd"].standard.denominator) == (19, 47)
    assert (rows["death_pneumonia"].msc.count, rows["death_pneumonia"].p) == (9, 0.032)
    assert rows["death_relapse"].standard.percent == 52.9
    assert rows["death_relapse"].p == 0.007


def test_deaths_and_survivors_account_for_each_arm() -> None:
    rows = {r.key: r for r in published.LATER_OUTCOMES}
    # OS at end of follow-up (alive) + deaths = arm size: 28 + 16 = 44, 34 + 17 = 51.
    assert rows["os"].msc.count + rows["deaths"].msc.count == 44
    assert rows["os"].standard.count + rows["deaths"].standard.count == 51
    # causes of death are shares of the deaths in that arm
    assert rows["death_pneumonia"].msc.denominator == rows["deaths"].msc.count
    assert rows["death_pneumonia"].standard.denominator == rows["deaths"].standard.count


def test_relapse_rate_is_not_presented_as_count_over_arm() -> None:
    relapse = next(r for r in published.LATER_OUTCOMES if r.key == "relapse")
    assert rounded_percent(2, 44) != 3.5  # why the paper's rate cannot be n/N
    assert not relapse.msc.percent_is_proportion and not relapse.standard.percent_is_proportion
    assert published.format_arm(relapse.msc) == "3.5% (2 events; 1 marrow, 1 extramedullary)"


def test_cox_factors_match_the_reference_and_the_model_columns() -> None:
    got = {
        f.covariate: (f.hazard_ratio.estimate, f.hazard_ratio.lower, f.hazard_ratio.upper, f.p)
        for f in published.COX_FACTORS
    }
    assert got == COX_REFERENCE
    assert set(got) <= set(COVARIATE_COLUMNS)


def test_external_benchmarks_match_the_reference() -> None:
    got = {b.therapy: (b.n, b.orr, b.cr, b.source.short) for b in published.EXTERNAL_BENCHMARKS}
    assert got == EXTERNAL_REFERENCE
    assert rounded_percent(38, 54) == 70.4  # MSB-GVHD001 ORR as published


def test_every_figure_carries_a_source() -> None:
    rows = (
        published.WEEK4_CR
        + published.LATER_OUTCOMES
        + published.COX_FACTORS
        + published.DESIGN
        + published.EXTERNAL_BENCHMARKS
    )
    assert all(r.source.short for r in rows)
    assert "10.1080/10428194.2026.2634172" in published.NIU_2026.full


def test_tables_show_percent_then_counts_and_p() -> None:
    table = published.comparison_table(published.WEEK4_CR)
    assert table[1]["outcome"] == "CR, grade III–IV"
    assert table[1][published.MSC_ARM_LABEL] == "54.5% (24/44)"
    assert table[1][published.STANDARD_ARM_LABEL] == "31.4% (16/51)"
    assert table[1]["p / HR"] == "p = 0.034"
    later = {r["outcome"]: r for r in published.comparison_table(published.LATER_OUTCOMES)}
    assert later["OS at end of follow-up (alive)"]["p / HR"] == "HR 1.04 (0.52–2.06), p = 0.911"
    assert later["OS at end of follow-up (alive)"][published.MSC_ARM_LABEL] == "63.6% (28/44)"
    assert later["cGVHD (among >100-day survivors)"][published.STANDARD_ARM_LABEL] == (
        "19/47 (5 extensive, 14 limited)"
    )
    assert later["CMV infection"]["p / HR"] == "p > 0.05"
    assert later["Death from severe aGVHD (of deaths)"][published.STANDARD_ARM_LABEL] == "—"
    cox = published.cox_table()
    assert (cox[1]["HR"], cox[1]["95% CI"], cox[1]["p"]) == ("5.63", "1.09–29.09", "0.039")


def test_cr_chart_bars_are_the_published_percentages() -> None:
    spec = cr_by_subgroup_spec()
    values = spec["data"]["values"]
    heights = [round(100 * v["CR"], 1) for v in values]
    assert heights == [pct for row in CR_REFERENCE.values() for (_n, _d, pct) in row[:2]]
    labels = {(v["percent"], v["counts"]) for v in values}
    assert ("54.5%", "24/44") in labels and ("13.7%", "7/51") in labels
    assert "p = 0.034" in spec["encoding"]["x"]["axis"]["labelExpr"]


def test_benchmarks_page_renders_all_tables() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "views" / "published.py"), default_timeout=30).run()
    assert not at.exception
    frames = [t.value for t in at.table]
    text = "\n".join(f.to_csv() for f in frames)
    for expected in (
        "84.1% (37/44)",
        "31.4% (16/51)",
        "5.02",
        "24.93",
        "HR 0.90 (0.47–1.74)",
        "20.1% (9/44)*",
        "REACH2",
        "Hashmi et al., Lancet Haematol 2016",
        "Niu et al., Leuk Lymphoma 2026",
    ):
        assert expected in text, expected
    assert len(frames) == 5  # design, week-4 CR, Cox, later outcomes, external
    captions = " ".join(c.value for c in at.caption)
    assert "whole arm" in captions and "Source: Niu et al." in captions
    assert not at.get("set_page_config")
