"""Field-level differences between case versions (srgvhd.casestore.diff)."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from srgvhd.casestore.diff import ABSENT, changes, flatten
from tests.cases import course

DOC = course((0, 2, 0, 0, 1), (7, 1, 0, 0, 1))


def test_an_inserted_assessment_shows_as_that_one_only() -> None:
    later = course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1), (7, 1, 0, 0, 1))
    fields = {c["field"] for c in changes(DOC, later)}
    assert fields == {
        f"assessments[2026-11-05].stages.{o}" for o in ("skin", "liver", "upper_gi", "lower_gi")
    }


def test_a_changed_value_shows_before_and_after() -> None:
    edited = copy.deepcopy(DOC)
    edited["patient"]["age_years"] = 43
    assert changes(DOC, edited) == [{"field": "patient.age_years", "before": 42, "after": 43}]


def test_a_removed_field_shows_as_absent() -> None:
    edited = copy.deepcopy(DOC)
    del edited["patient"]["weight_kg"]
    assert changes(DOC, edited) == [{"field": "patient.weight_kg", "before": 70.0, "after": ABSENT}]


def test_null_and_absent_differ() -> None:
    edited = copy.deepcopy(DOC)
    edited["patient"]["weight_kg"] = None
    assert changes(DOC, edited)[0]["after"] is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60)
@given(JSON, JSON)
def test_a_version_against_itself_has_no_changes_and_swapping_swaps(a, b) -> None:
    assert changes({"x": a}, {"x": a}) == []
    forward = changes({"x": a}, {"x": b})
    backward = changes({"x": b}, {"x": a})
    assert [(c["field"], c["after"], c["before"]) for c in backward] == [
        (c["field"], c["before"], c["after"]) for c in forward
    ]
    for c in forward:
        assert flatten({"x": a}).get(c["field"], ABSENT) == c["before"]
