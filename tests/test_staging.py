"""MAGIC organ staging at every threshold of clinical-rules.md §1, on both sides.

Expected stages are read off the tables of clinical-rules.md §1 (Harris et al., BBMT 2016).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from srgvhd.clinical.case import parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.clinical.staging import (
    is_child,
    stage_liver,
    stage_skin,
    stage_upper_gi,
)
from srgvhd.clinical.units import bilirubin_to_mg_dl
from tests.cases import bilirubin, case_doc, lower_gi, measured


def _first_row(doc: dict) -> dict:
    return assess_case(parse_case(doc)).to_json()["assessments"][0]


# ---------------------------------------------------------------- skin


@pytest.mark.parametrize(
    ("rash", "bullae", "stage"),
    [
        (0, 0, 0),
        (None, None, 0),
        (0.1, 0, 1),
        (24.9, 0, 1),
        (25, 0, 2),
        (50, 0, 2),
        (50.1, 0, 3),
        (100, 0, 3),
        (51, 5, 3),  # bullae exactly 5% is not > 5%
        (51, 5.1, 4),
        (100, 30, 4),
        (50, 30, 2),  # bullae with rash <= 50% is not stage 4
        (10, 20, 1),
    ],
)
def test_skin_stage_at_each_threshold(rash, bullae, stage):
    assert stage_skin(rash, bullae) == stage


def test_skin_stage_from_a_case_file():
    doc = case_doc([measured(0, skin_rash_bsa_percent=60, skin_bullae_desquamation_bsa_percent=6)])
    assert _first_row(doc)["stages"]["skin"] == 4


# ---------------------------------------------------------------- liver

LIVER_MG_DL = [
    (0.0, 0),
    (1.99, 0),
    (2.0, 1),
    (3.0, 1),
    (3.01, 2),
    (6.0, 2),
    (6.01, 3),
    (15.0, 3),
    (15.01, 4),
    (40.0, 4),
]


@pytest.mark.parametrize(("mg_dl", "stage"), LIVER_MG_DL)
def test_liver_stage_mg_dl(mg_dl, stage):
    assert stage_liver(mg_dl) == stage


def test_liver_not_measured_is_stage_0():
    assert stage_liver(None) == 0


# 1 mg/dL = 17.1 µmol/L: 34.2, 51.3, 102.6, 256.5 µmol/L are exactly 2, 3, 6, 15 mg/dL.
LIVER_UMOL_L = [
    (34.0, 0),
    (34.2, 1),
    (51.3, 1),
    (51.4, 2),
    (102.6, 2),
    (102.7, 3),
    (256.5, 3),
    (256.6, 4),
]


@pytest.mark.parametrize(("umol_l", "stage"), LIVER_UMOL_L)
def test_liver_stage_umol_l_matches_mg_dl_boundaries(umol_l, stage):
    assert stage_liver(bilirubin_to_mg_dl(umol_l, "umol/L")) == stage


@pytest.mark.parametrize(("umol_l", "stage"), LIVER_UMOL_L)
def test_liver_stage_umol_l_through_a_case_file(umol_l, stage):
    doc = case_doc([measured(0, bilirubin=bilirubin(umol_l, "umol/L"))])
    row = _first_row(doc)
    assert row["stages"]["liver"] == stage
    assert row["bilirubin_mg_dl"] == pytest.approx(umol_l / 17.1, abs=1e-6)


@pytest.mark.parametrize(("mg_dl", "stage"), LIVER_MG_DL)
def test_liver_stage_mg_dl_through_a_case_file(mg_dl, stage):
    doc = case_doc([measured(0, bilirubin=bilirubin(mg_dl))])
    assert _first_row(doc)["stages"]["liver"] == stage


def test_exact_umol_boundaries_equal_mg_dl_boundaries():
    for umol, mg in ((34.2, 2.0), (51.3, 3.0), (102.6, 6.0), (256.5, 15.0)):
        assert bilirubin_to_mg_dl(umol, "umol/L") == mg


# ---------------------------------------------------------------- upper GI


@pytest.mark.parametrize(("persistent", "stage"), [(True, 1), (False, 0), (None, 0)])
def test_upper_gi_stage(persistent, stage):
    assert stage_upper_gi(persistent) == stage


def test_upper_gi_never_above_1_from_a_case_file():
    doc = case_doc([measured(0, upper_gi_persistent_symptoms=True)])
    assert _first_row(doc)["stages"]["upper_gi"] == 1


# ---------------------------------------------------------------- lower GI, adult


@pytest.mark.parametrize(
    ("ml", "stage"),
    [(0, 0), (499, 0), (500, 1), (999, 1), (1000, 2), (1500, 2), (1501, 3), (5000, 3)],
)
def test_adult_stool_volume(ml, stage):
    assert lower_gi(ml=ml) == (stage, ())


@pytest.mark.parametrize(
    ("episodes", "stage"),
    [(0, 0), (2, 0), (3, 1), (4, 1), (5, 2), (7, 2), (8, 3), (20, 3)],
)
def test_adult_stool_episodes(episodes, stage):
    assert lower_gi(episodes=episodes) == (stage, ())


def test_no_stool_findings_is_stage_0():
    assert lower_gi() == (0, ())


# ---------------------------------------------------------------- lower GI, child (weight 20 kg)


@pytest.mark.parametrize(
    ("ml_per_kg", "stage"),
    [(9.99, 0), (10, 1), (19.99, 1), (20, 2), (30, 2), (30.01, 3)],
)
def test_child_stool_volume_per_kg(ml_per_kg, stage):
    weight = 20.0
    assert lower_gi(ml=ml_per_kg * weight, child=True, weight=weight)[0] == stage


def test_child_volume_typed_exactly_at_a_threshold_stages_like_the_threshold():
    # Weight typed with one decimal, stool typed as exactly 10, 20 or 30 mL/kg/day times the
    # weight (exact decimal arithmetic): 10 and 20 start stages 1 and 2; 30 is still stage 2.
    expected = {10: 1, 20: 2, 30: 2}
    wrong = []
    for tenths in range(10, 501):
        weight = Decimal(tenths) / 10
        for per_kg, stage in expected.items():
            ml = float(weight * per_kg)
            got = lower_gi(ml=ml, child=True, weight=float(weight))[0]
            if got != stage:
                wrong.append((float(weight), ml, got))
    assert wrong == []


def test_child_volume_exactly_30_per_kg_through_a_case_file():
    # 138 mL/day at 4.6 kg is exactly 30 mL/kg/day: stage 2 (20–30 inclusive), not 3.
    doc = case_doc([measured(0, stool_ml_per_day=138)], age=0.5, weight=4.6)
    assert _first_row(doc)["stages"]["lower_gi"] == 2


@pytest.mark.parametrize(
    ("episodes", "stage"),
    [(3, 0), (4, 1), (6, 1), (7, 2), (10, 2), (11, 3)],
)
def test_child_stool_episodes(episodes, stage):
    assert lower_gi(episodes=episodes, child=True, weight=20.0) == (stage, ())


# ---------------------------------------------------------------- child rule


@pytest.mark.parametrize(
    ("age", "weight", "child"),
    [(17.9, 50.0, True), (18.0, 50.0, False), (17.0, 50.1, False), (5, 18, True), (40, 45, False)],
)
def test_child_rule(age, weight, child):
    assert is_child(age, weight) is child


@pytest.mark.parametrize(
    ("age", "weight", "episodes", "stage"),
    [
        # 3 episodes/day: child stage 0 (< 4), adult stage 1 (3–4).
        (17.9, 50.0, 3, 0),
        (18.0, 50.0, 3, 1),
        (17.0, 50.1, 3, 1),
        # 8 episodes/day: child stage 2 (7–10), adult stage 3 (> 7).
        (17.9, 50.0, 8, 2),
        (18.0, 50.0, 8, 3),
        (17.0, 50.1, 8, 3),
    ],
)
def test_child_rule_through_a_case_file(age, weight, episodes, stage):
    doc = case_doc([measured(0, stool_episodes_per_day=episodes)], age=age, weight=weight)
    assert _first_row(doc)["stages"]["lower_gi"] == stage


def test_child_volume_is_per_kg_through_a_case_file():
    # 480 mL/day at 40 kg = 12 mL/kg/day: child stage 1; the same volume for an adult is stage 0.
    child = case_doc([measured(0, stool_ml_per_day=480)], age=10, weight=40)
    adult = case_doc([measured(0, stool_ml_per_day=480)], age=30, weight=40)
    child_row = _first_row(child)
    assert child_row["stages"]["lower_gi"] == 1
    assert any("child" in note for note in child_row["notes"])
    assert _first_row(adult)["stages"]["lower_gi"] == 0


# ---------------------------------------------------------------- volume vs episodes


@pytest.mark.parametrize(
    ("ml", "episodes", "stage", "winner"),
    [(600, 8, 3, "episodes"), (1600, 3, 3, "volume"), (1200, 1, 2, "volume")],
)
def test_volume_and_episodes_disagree_higher_wins_with_note(ml, episodes, stage, winner):
    got, notes = lower_gi(ml=ml, episodes=episodes)
    assert got == stage
    assert len(notes) == 1 and winner in notes[0] and "higher" in notes[0]


def test_volume_and_episodes_agree_no_note():
    assert lower_gi(ml=1200, episodes=6) == (2, ())


def test_disagreement_note_reaches_the_result():
    doc = case_doc([measured(0, stool_ml_per_day=600, stool_episodes_per_day=8)])
    row = _first_row(doc)
    assert row["stages"]["lower_gi"] == 3
    assert any("higher" in note for note in row["notes"])


# ---------------------------------------------------------------- stage-4 findings


@pytest.mark.parametrize(
    ("pain", "bloody", "ml", "episodes"),
    [
        (True, False, None, None),
        (False, True, None, None),
        (True, False, 0, 0),
        (False, True, 100, 1),
        (True, True, 3000, 12),
    ],
)
def test_pain_ileus_or_bloody_stool_is_stage_4_regardless_of_volume(pain, bloody, ml, episodes):
    assert lower_gi(ml=ml, episodes=episodes, pain=pain, bloody=bloody)[0] == 4


def test_bloody_stool_stage_4_for_a_child_too():
    assert lower_gi(ml=10, bloody=True, child=True, weight=20.0)[0] == 4


def test_stage_4_finding_through_a_case_file():
    doc = case_doc([measured(0, stool_ml_per_day=100, severe_abdominal_pain_or_ileus=True)])
    row = _first_row(doc)
    assert row["stages"]["lower_gi"] == 4
    assert row["grade"] == "IV"
