"""Benchmarks page: every published figure the app compares patients against, with its source.

Only draws; the figures live in :mod:`srgvhd.literature.published` (Niu et al. 2026 and the other
second-line SR-aGVHD benchmarks).
"""

from __future__ import annotations

import streamlit as st

from srgvhd.literature import published
from srgvhd.report.charts import cr_by_subgroup_figure
from srgvhd.report.text import reference_patient_text

st.title("Published benchmarks")
st.caption(
    "Figures as published, counts beside them. Each table names its source. "
    "Published cohorts differ from any one patient: compare, do not transfer."
)

st.header("Niu et al. 2026: UC-MSC added to standard second-line therapy")
st.caption(published.NIU_2026.full)

with st.expander("Study design and cohort"):
    st.table(
        [{"item": f.label, "value": f.value, "source": f.source.short} for f in published.DESIGN],
        hide_index=True,
    )

st.subheader("Week-4 complete response by subgroup")
st.pyplot(cr_by_subgroup_figure())
st.table(published.comparison_table(published.WEEK4_CR), hide_index=True)
st.caption(
    f"{published.WHOLE_ARM_NOTE} {published.ORR_STATEMENT} Source: {published.NIU_2026.short}."
)

st.subheader("Prognostic factors for survival (multivariate Cox regression)")
st.table(published.cox_table(), hide_index=True)
st.caption(
    f"Source: {published.NIU_2026.short}. The app's risk model uses the same three "
    f"factors (reference: {reference_patient_text()})."
)

st.subheader("Later outcomes: survival, relapse, infection, chronic GVHD, deaths")
st.table(published.comparison_table(published.LATER_OUTCOMES), hide_index=True)
st.caption(
    "An asterisk marks a published percentage that its count does not reproduce "
    f"(see the note). Source: {published.NIU_2026.short}."
)

st.header("Other published benchmarks for SR-aGVHD")
st.table(published.external_table(), hide_index=True)
st.caption("Day-28 response unless stated; each row names its source.")
