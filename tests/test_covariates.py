"""Covariate encoding of the Cox model (clinical-rules.md §6): age groups, grade, Hb ≤ 90 g/L."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from srgvhd.risk.covariates import age_group, encode, hemoglobin_le_90
from srgvhd.risk.design import design_matrix


@pytest.mark.parametrize(
    ("age", "group"),
    [(0, "<18"), (17.99, "<18"), (18, "18-34"), (34.99, "18-34"), (35, "≥35"), (64, "≥35")],
)
def test_age_group_edges(age, group):
    assert age_group(age) == group


@pytest.mark.parametrize(("hb", "low"), [(89.9, True), (90, True), (90.1, False)])
def test_hemoglobin_threshold_is_inclusive(hb, low):
    assert hemoglobin_le_90(hb) is low


def test_reference_patient_is_all_zero():
    assert encode("18-34", "III", False).tolist() == [0, 0, 0, 0, 0]


@given(
    st.lists(
        st.tuples(
            st.floats(0, 120, allow_nan=False),
            st.sampled_from(["II", "III", "IV"]),
            st.floats(20, 250, allow_nan=False),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_design_matrix_matches_row_by_row_encoding(rows):
    ages, grades, hbs = (pd.Series(col) for col in zip(*rows, strict=True))
    expected = np.vstack([encode(age_group(a), g, hemoglobin_le_90(h)) for a, g, h in rows])
    assert np.array_equal(design_matrix(ages, grades, hbs).to_numpy(), expected)


def test_design_matrix_refuses_unknown_grade():
    with pytest.raises(ValueError, match="grade"):
        design_matrix(pd.Series([40.0]), pd.Series(["V"]), pd.Series([100.0]))
