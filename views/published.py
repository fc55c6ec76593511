"""Benchmarks page: every published figure the app compares patients against, with its source.

Only draws; the figures live in :mod:`srgvhd.literature.published` (Niu et al. 2026 and the other
second-line SR-aGVHD benchmarks), said in the current language by its display functions; the
chart is a plain Vega-Lite spec (:mod:`srgvhd.report.charts`).
"""

from __future__ import annotations

import streamlit as st

from srgvhd.i18n import _
from srgvhd.literature import published
from srgvhd.report.charts import cr_by_subgroup_spec
from srgvhd.report.text import reference_patient_text

source = published.NIU_2026.short

st.title(_("Published benchmarks"))
st.caption(
    _(
        "Figures as published, counts beside them. Each table names its source. "
        "Published cohorts differ from any one patient: compare, do not transfer."
    )
)

st.header(_("Niu et al. 2026: UC-MSC added to standard second-line therapy"))
st.caption(published.NIU_2026.full)

with st.expander(_("Study design and cohort")):
    st.table(published.design_table(), hide_index=True)

st.subheader(_("Week-4 complete response by subgroup"))
st.vega_lite_chart(cr_by_subgroup_spec(), width="stretch")
st.table(published.comparison_table(published.WEEK4_CR), hide_index=True)
st.caption(
    _(
        "{whole_arm} {orr} Source: {source}.",
        whole_arm=published.WHOLE_ARM_NOTE,
        orr=published.ORR_STATEMENT,
        source=source,
    )
)

st.subheader(_("Prognostic factors for survival (multivariate Cox regression)"))
st.table(published.cox_table(), hide_index=True)
st.caption(
    _(
        "Source: {source}. The app's risk model uses the same three factors "
        "(reference: {reference}).",
        source=source,
        reference=reference_patient_text(),
    )
)

st.subheader(_("Later outcomes: survival, relapse, infection, chronic GVHD, deaths"))
st.table(published.comparison_table(published.LATER_OUTCOMES), hide_index=True)
st.caption(
    _(
        "An asterisk marks a published percentage that its count does not reproduce "
        "(see the note). Source: {source}.",
        source=source,
    )
)

st.header(_("Other published benchmarks for SR-aGVHD"))
st.table(published.external_table(), hide_index=True)
st.caption(_("Day-28 response unless stated; each row names its source."))
