"""MAGIC grade (clinical-rules.md §2), Minnesota risk (§3), Keystone grade and IBMTR index.

The exhaustive checks compare the engine with independent implementations written here from the
published tables, in a different form (data tables of organ-stage sets) from the engine's code.
"""

from __future__ import annotations

import itertools

import pytest

from srgvhd.clinical.grading import ibmtr_index, keystone_grade, magic_grade, minnesota_risk
from srgvhd.clinical.staging import OrganStages

ALL_STAGES = [
    OrganStages(skin, liver, upper, lower)
    for skin, liver, upper, lower in itertools.product(range(5), range(5), range(2), range(5))
]


def s(skin: int = 0, liver: int = 0, upper_gi: int = 0, lower_gi: int = 0) -> OrganStages:
    return OrganStages(skin=skin, liver=liver, upper_gi=upper_gi, lower_gi=lower_gi)


# ---------------------------------------------------------------- MAGIC

# clinical-rules.md §2 as data: each grade row lists, per organ, the stages that make it match.
# Rows are checked from the top; the first one with any organ in its listed stages wins.
MAGIC_TABLE = (
    ("IV", {"skin": {4}, "liver": {4}, "lower_gi": {4}}),
    ("III", {"liver": {2, 3}, "lower_gi": {2, 3}}),
    ("II", {"skin": {3}, "liver": {1}, "upper_gi": {1}, "lower_gi": {1}}),
    ("I", {"skin": {1, 2}}),
)


def magic_from_table(st: OrganStages) -> str:
    stages = st.as_dict()
    for grade, row in MAGIC_TABLE:
        if any(stages[organ] in allowed for organ, allowed in row.items()):
            return grade
    return "0"


def test_exhaustive_magic_grade_matches_the_table():
    assert len(ALL_STAGES) == 5 * 5 * 2 * 5
    mismatches = [st for st in ALL_STAGES if magic_grade(st) != magic_from_table(st)]
    assert mismatches == []


@pytest.mark.parametrize(
    ("stages", "grade"),
    [
        (s(liver=4, skin=3), "IV"),  # the known public-tool bug graded this II
        (s(skin=3), "II"),  # not III: the grade is not the highest organ stage
        (s(lower_gi=2), "III"),
        (s(upper_gi=1), "II"),
        (s(skin=1), "I"),
        (s(skin=2), "I"),
        (s(), "0"),
        (s(skin=4), "IV"),
        (s(lower_gi=4), "IV"),
        (s(liver=1), "II"),
        (s(liver=3, skin=2), "III"),
        (s(skin=2, upper_gi=1), "II"),
        (s(skin=4, lower_gi=1), "IV"),
    ],
)
def test_magic_grade_anchors(stages, grade):
    assert magic_grade(stages) == grade


# ---------------------------------------------------------------- Minnesota


def minnesota_from_categories(st: OrganStages) -> str | None:
    """clinical-rules.md §3 as the four standard-risk involvement patterns."""
    gi = st.lower_gi if st.upper_gi == 0 else max(st.lower_gi, 1)
    if (st.skin, st.liver, gi) == (0, 0, 0):
        return None
    skin13 = st.skin in (1, 2, 3)
    patterns = [
        skin13 and st.liver == 0 and gi == 0,  # 1. skin 1–3 alone
        st.skin == 0 and st.liver == 0 and gi in (1, 2),  # 2. GI 1–2 alone
        skin13 and gi == 1 and st.liver == 0,  # 3. skin 1–3 + GI 1
        skin13 and st.liver in (1, 2, 3, 4) and gi == 0,  # 4. skin 1–3 + liver 1–4
    ]
    return "standard" if sum(patterns) == 1 else "high"


def test_exhaustive_minnesota_matches_the_categories():
    mismatches = [st for st in ALL_STAGES if minnesota_risk(st) != minnesota_from_categories(st)]
    assert mismatches == []


@pytest.mark.parametrize(
    "stages",
    [
        s(skin=1),
        s(skin=3),  # 1. skin 1–3 alone
        s(lower_gi=1),
        s(lower_gi=2),
        s(upper_gi=1),  # 2. GI 1–2 alone (upper GI 1 counts as GI 1)
        s(upper_gi=1, lower_gi=2),
        s(skin=2, lower_gi=1),
        s(skin=3, upper_gi=1),  # 3. skin 1–3 plus GI 1
        s(skin=1, liver=1),
        s(skin=3, liver=4),  # 4. skin 1–3 plus liver 1–4
    ],
)
def test_minnesota_standard_categories(stages):
    assert minnesota_risk(stages) == "standard"


@pytest.mark.parametrize(
    "stages",
    [
        s(skin=4),  # skin 4
        s(lower_gi=3),
        s(lower_gi=4),  # GI 3–4
        s(liver=1),
        s(liver=4),  # liver alone
        s(liver=1, lower_gi=1),
        s(liver=2, upper_gi=1),  # liver plus GI (upper GI counts)
        s(skin=1, lower_gi=2),
        s(skin=3, lower_gi=4),  # skin plus GI 2–4
        s(skin=1, liver=1, lower_gi=1),
        s(skin=1, liver=1, upper_gi=1),  # all three organs
        s(skin=4, liver=1),  # skin 4 with liver
    ],
)
def test_minnesota_high_risk_examples(stages):
    assert minnesota_risk(stages) == "high"


def test_minnesota_not_applicable_at_grade_0():
    assert minnesota_risk(s()) is None


# ---------------------------------------------------------------- Keystone and IBMTR

# Keystone consensus (Przepiorka et al., BMT 1995): I skin 1–2 only; II skin 3 or liver 1 or gut 1;
# III liver 2–3 or gut 2–4; IV skin 4 or liver 4. Gut stage 4 alone is III (MAGIC would say IV).


@pytest.mark.parametrize(
    ("stages", "grade"),
    [
        (s(), "0"),
        (s(skin=2), "I"),
        (s(skin=3), "II"),
        (s(upper_gi=1), "II"),
        (s(liver=1, skin=2), "II"),
        (s(lower_gi=2), "III"),
        (s(lower_gi=4), "III"),
        (s(liver=3, skin=3), "III"),
        (s(skin=4), "IV"),
        (s(liver=4, lower_gi=1), "IV"),
    ],
)
def test_keystone_anchors(stages, grade):
    assert keystone_grade(stages) == grade


# IBMTR index (Rowlings et al., BJH 1997): A skin 1 only; B skin 2 or liver 1–2 or gut 1–2;
# C skin 3 or liver 3 or gut 3; D any organ 4.


@pytest.mark.parametrize(
    ("stages", "index"),
    [
        (s(), "0"),
        (s(skin=1), "A"),
        (s(skin=2), "B"),
        (s(skin=1, liver=1), "B"),
        (s(upper_gi=1), "B"),
        (s(lower_gi=2), "B"),
        (s(skin=3), "C"),
        (s(liver=3, skin=1), "C"),
        (s(lower_gi=3), "C"),
        (s(skin=4), "D"),
        (s(liver=4), "D"),
        (s(lower_gi=4, skin=1), "D"),
    ],
)
def test_ibmtr_anchors(stages, index):
    assert ibmtr_index(stages) == index
