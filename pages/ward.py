"""Ward page (the default page): the ward's open steroid courses, one row each, the most urgent
decision first (rows from srgvhd.casestore.ward); open a course into the Assess page, or start a
new one (docs/interfaces.md §5).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import streamlit as st

from srgvhd.app import store_panel
from srgvhd.casestore.ward import urgency, ward_rows

ASSESS_PAGE = "pages/assess.py"


def _open(store: Any, code: str, version: int) -> None:
    document = json.loads(store.export(code, version))
    store_panel.open_course(code, version, document)


def main() -> None:
    """Draw the Ward page."""
    st.title("Ward: steroid courses")
    from srgvhd.app.cases import open_store  # SQLAlchemy loads after the title has painted

    served = open_store()
    if served is None:
        return
    today = date.today()
    if st.button("New course", icon=":material/add:", key="ward_new"):
        store_panel.new_course()
        st.switch_page(ASSESS_PAGE)
    show_closed = st.toggle("Show closed courses (no decision pending)", key="ward_closed")
    cases = served.store.list_cases()
    shown = [c for c in cases if show_closed or c["next_decision_date"] is not None]
    counts = {
        k: sum(1 for c in shown if urgency(c["next_decision_date"], today) == k)
        for k in ("overdue", "today")
    }
    st.markdown(
        f"**{counts['overdue']}** overdue, **{counts['today']}** due today, "
        f"{len(shown)} shown of {len(cases)} courses (today {today.isoformat()})."
    )
    if not shown:
        st.info("No open course. Start one with New course, or save one from the Assess page.")
        return
    st.dataframe(
        ward_rows(shown, today),
        hide_index=True,
        width="stretch",
        column_config={"version": st.column_config.NumberColumn(format="%d")},
    )
    codes = {c["code"]: c["version"] for c in shown}
    pick, go = st.columns([3, 1], vertical_alignment="bottom")
    code = pick.selectbox("Course to open", list(codes), key="ward_pick")
    if go.button("Open in Assess", key="ward_open", type="primary"):
        _open(served.store, code, codes[code])
        st.switch_page(ASSESS_PAGE)


main()
