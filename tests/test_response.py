"""Response vs baseline (clinical-rules.md §4; VGPR after Martin et al., BBMT 2009).

Expected categories are worked out by hand from the §4 table.
"""

from __future__ import annotations

import pytest

from srgvhd.clinical.case import parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.clinical.response import counts_as_response, judge_response
from srgvhd.clinical.staging import OrganStages
from tests.cases import bilirubin, case_doc, measured, staged


def s(skin: int = 0, liver: int = 0, upper_gi: int = 0, lower_gi: int = 0) -> OrganStages:
    return OrganStages(skin=skin, liver=liver, upper_gi=upper_gi, lower_gi=lower_gi)


@pytest.mark.parametrize(
    ("baseline", "current", "response"),
    [
        (s(skin=3, lower_gi=2), s(), "CR"),
        (s(skin=3, lower_gi=2), s(skin=1), "VGPR"),
        (s(skin=3, upper_gi=1), s(skin=1), "VGPR"),
        (s(skin=3, lower_gi=2), s(skin=2), "PR"),  # skin 2 > 1: not VGPR
        (s(skin=3, lower_gi=2), s(skin=1, lower_gi=1), "PR"),  # GI not 0: not VGPR
        (s(skin=3, upper_gi=1), s(skin=1, upper_gi=1), "PR"),  # upper GI not 0
        (s(skin=2, liver=2), s(skin=1, liver=1), "PR"),  # liver not 0, no bilirubin
        (s(skin=2, lower_gi=2), s(skin=3, lower_gi=1), "mixed"),
        (s(skin=2), s(skin=3), "progression"),
        (s(skin=2), s(skin=2, upper_gi=1), "progression"),
        (s(skin=2, lower_gi=1), s(skin=2, lower_gi=1), "no response"),
        (s(skin=1), s(skin=1), "no response"),
    ],
)
def test_each_response_category(baseline, current, response):
    assert judge_response(baseline, current) == response


def test_vgpr_needs_an_improvement_and_no_organ_worse():
    # skin 1 at baseline and still 1: nothing improved, so no response (not VGPR).
    assert judge_response(s(skin=1), s(skin=1)) == "no response"
    # skin improved but upper GI new: mixed, not VGPR.
    assert judge_response(s(skin=3), s(skin=1, upper_gi=1)) == "mixed"


# ---------------------------------------------------------------- VGPR liver rule

# Baseline bilirubin 20 mg/dL (liver 4); 25% of it is 5.0 mg/dL (liver stage 2).


@pytest.mark.parametrize(
    ("current_mg_dl", "response"),
    [(4.98, "VGPR"), (5.0, "PR"), (5.5, "PR")],
)
def test_vgpr_liver_by_bilirubin_fraction(current_mg_dl, response):
    got = judge_response(
        s(liver=4),
        s(liver=2),
        baseline_bilirubin_mg_dl=20.0,
        current_bilirubin_mg_dl=current_mg_dl,
    )
    assert got == response


def test_vgpr_liver_rule_needs_both_bilirubins():
    assert judge_response(s(liver=4), s(liver=2), current_bilirubin_mg_dl=4.0) == "PR"
    assert judge_response(s(liver=4), s(liver=2), baseline_bilirubin_mg_dl=20.0) == "PR"


def _day7_response(baseline: dict, day7: dict) -> str:
    result = assess_case(parse_case(case_doc([baseline, day7]))).to_json()
    return result["assessments"][1]["response"]


@pytest.mark.parametrize(
    ("value", "unit", "response"),
    [
        (4.98, "mg/dL", "VGPR"),  # 24.9% of 20 mg/dL
        (5.0, "mg/dL", "PR"),  # exactly 25%
        (85.1, "umol/L", "VGPR"),  # 4.977 mg/dL
        (85.5, "umol/L", "PR"),  # 5.0 mg/dL exactly
    ],
)
def test_vgpr_liver_rule_through_a_case_file(value, unit, response):
    baseline = measured(0, bilirubin=bilirubin(20.0), skin_rash_bsa_percent=30)
    day7 = measured(7, bilirubin=bilirubin(value, unit), skin_rash_bsa_percent=10)
    assert _day7_response(baseline, day7) == response


def test_vgpr_liver_rule_baseline_bilirubin_unknown_is_pr():
    # Baseline entered as stages: its bilirubin is unknown, so liver stage 2 cannot be VGPR.
    baseline = staged(0, skin=2, liver=4)
    day7 = measured(7, bilirubin=bilirubin(4.98), skin_rash_bsa_percent=10)
    assert _day7_response(baseline, day7) == "PR"


def test_vgpr_liver_rule_baseline_in_umol_current_in_mg():
    # 342 µmol/L = 20 mg/dL at baseline; 4.9 mg/dL now is 24.5%.
    baseline = measured(0, bilirubin=bilirubin(342, "umol/L"))
    day7 = measured(7, bilirubin=bilirubin(4.9))
    assert _day7_response(baseline, day7) == "VGPR"


# ---------------------------------------------------------------- ORR


@pytest.mark.parametrize(
    ("response", "counts"),
    [
        ("CR", True),
        ("VGPR", True),
        ("PR", True),
        ("mixed", False),  # Rule of this project: mixed counts as not responding
        ("progression", False),
        ("no response", False),
        (None, False),
    ],
)
def test_orr_membership(response, counts):
    assert counts_as_response(response) is counts
