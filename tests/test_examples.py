"""The three worked examples in examples/, with every stage and verdict worked out by hand.

refractory_r1.json (adult): day 0 skin 30% → 2, bilirubin 1.0 → 0, stool 600 mL → 1 (grade II);
day 4 skin 60% → 3, bilirubin 1.1 → 0, stool 650 mL → 1: skin worse, nothing better →
progression on day 4 (3–5) → R1 on 2026-11-05.

refractory_r2.json (adult, 28 y): day 0 bilirubin 44.5 µmol/L = 2.60 mg/dL → 1, persistent
upper GI → 1, 1200 mL and 6 episodes → 2 (grade III); days 3 and 7 stay at 1/1/2 (42 and
40 µmol/L = 2.46 and 2.34 mg/dL; 1150–1100 mL, 5–6 episodes) → no response; day 7 → R2 on
2026-10-27.

responsive.json (child: 15 y, 45 kg): day 0 skin 40% → 2, upper GI → 1, 700 mL / 45 kg =
15.6 mL/kg/day → 1 (grade II); day 7 skin 10% → 1, rest 0 → VGPR; day 14 all 0 → CR;
an assessment on day 14 with no rule fired → steroid-responsive.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from srgvhd.clinical.case import load_case
from srgvhd.clinical.course import assess_case

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def result_of(name: str, rule_set: str = "study") -> dict:
    return assess_case(load_case(EXAMPLES / name), rule_set).to_json()


def stage_rows(result: dict) -> list[tuple]:
    return [
        (r["day"], tuple(r["stages"].values()), r["grade"], r["response"])
        for r in result["assessments"]
    ]


def test_refractory_by_r1():
    result = result_of("refractory_r1.json")
    assert stage_rows(result) == [
        (0, (2, 0, 0, 1), "II", None),
        (4, (3, 0, 0, 1), "II", "progression"),
    ]
    status = result["status"]
    assert (status["value"], status["rule"], status["day"], status["date"]) == (
        "steroid-refractory",
        "R1",
        4,
        "2026-11-05",
    )


def test_refractory_by_r2():
    result = result_of("refractory_r2.json")
    assert stage_rows(result) == [
        (0, (0, 1, 1, 2), "III", None),
        (3, (0, 1, 1, 2), "III", "no response"),
        (7, (0, 1, 1, 2), "III", "no response"),
    ]
    assert result["assessments"][0]["bilirubin_mg_dl"] == pytest.approx(44.5 / 17.1, abs=1e-6)
    status = result["status"]
    assert (status["value"], status["rule"], status["day"], status["date"]) == (
        "steroid-refractory",
        "R2",
        7,
        "2026-10-27",
    )


def test_responsive():
    result = result_of("responsive.json")
    assert stage_rows(result) == [
        (0, (2, 0, 1, 1), "II", None),
        (7, (1, 0, 0, 0), "I", "VGPR"),
        (14, (0, 0, 0, 0), "0", "CR"),
    ]
    assert any("child" in note for note in result["assessments"][0]["notes"])
    assert result["status"]["value"] == "steroid-responsive"
    assert result["status"]["rule"] is None
    assert result["max_grade"] == "II"


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("refractory_r1.json", "steroid-refractory", "E1"),
        ("refractory_r2.json", "steroid-refractory", "E2"),
        ("responsive.json", "not refractory so far", None),  # EBMT waits for day 29
    ],
)
def test_examples_under_ebmt2018(name, value, rule):
    status = result_of(name, "ebmt2018")["status"]
    assert (status["value"], status["rule"]) == (value, rule)
