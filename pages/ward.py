"""Ward page (the default page): the ward's open steroid courses, one row each, the most urgent
decision first; open a course into the Assess page, or start a new one (issue 10).

Besides the next decision date (the rules' day 7 or 14, clinical-rules.md §5a), each open course
shows its next scheduled assessment (day 0, days 3–5, day 7, day 14).
Urgency is written out in words and marked with a symbol, never shown by colour alone:
"OVERDUE" (next decision date before today), "DUE TODAY", then the later ones. Each row's fields
are the store's (interfaces.md §5), computed by the assess engine when the version was saved.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import streamlit as st

from srgvhd.app import store_panel
from srgvhd.app.cases import open_store

ASSESS_PAGE = "pages/assess.py"
# The study's assessment schedule (issue 10; Niu et al. 2026): day 0, days 3–5, day 7, day 14.
ASSESSMENT_DAYS = (0, 3, 7, 14)
URGENCY = {"overdue": "▲ OVERDUE", "today": "● DUE TODAY", "later": "○ later", None: "— closed"}


def urgency(next_decision: str | None, today: date) -> str | None:
    """``"overdue"``, ``"today"``, ``"later"``, or None for a course without a next decision."""
    if next_decision is None:
        return None
    due = date.fromisoformat(next_decision)
    return "overdue" if due < today else "today" if due == today else "later"


def next_assessment_day(last_assessed_day: int) -> int | None:
    """The next scheduled assessment after the latest one (days 3–5 open on day 3)."""
    return next((d for d in ASSESSMENT_DAYS if d > last_assessed_day), None)


def ward_rows(cases: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The table's rows (the store's list is already sorted by next decision date)."""
    rows = []
    for c in cases:
        start = date.fromisoformat(c["steroid_start"])
        due = c["next_decision_date"]
        rows.append({
            "due": URGENCY[urgency(due, today)],
            "code": c["code"],
            "day of course": (today - start).days,
            "status": c["status"],
            "rule": c["rule"] or "—",
            "max grade": c["max_grade"],
            "next decision": "—" if due is None else
            f"day {(date.fromisoformat(due) - start).days} · {due}",
            "next assessment": _scheduled(c, start),
            "last assessed": f"day {c['day']}",
            "version": c["version"],
            "updated": f"{c['updated_at']} by {c['updated_by']}",
        })
    return rows


def _scheduled(case: dict[str, Any], start: date) -> str:
    """``day 3 · 2026-11-04`` for an open course's next scheduled assessment, else a dash."""
    day = next_assessment_day(case["day"])
    if case["next_decision_date"] is None or day is None:
        return "—"
    return f"day {day} · {(start + timedelta(days=day)).isoformat()}"


def _open(store: Any, code: str, version: int) -> None:
    document = json.loads(store.export(code, version))
    store_panel.open_course(code, version, document)


def main() -> None:
    """Draw the Ward page."""
    st.title("Ward: steroid courses")
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
    counts = {k: sum(1 for c in shown if urgency(c["next_decision_date"], today) == k)
              for k in ("overdue", "today")}
    st.markdown(f"**{counts['overdue']}** overdue, **{counts['today']}** due today, "
                f"{len(shown)} shown of {len(cases)} courses (today {today.isoformat()}).")
    if not shown:
        st.info("No open course. Start one with New course, or save one from the Assess page.")
        return
    st.dataframe(ward_rows(shown, today), hide_index=True, width="stretch",
                 column_config={"version": st.column_config.NumberColumn(format="%d")})
    codes = {c["code"]: c["version"] for c in shown}
    pick, go = st.columns([3, 1], vertical_alignment="bottom")
    code = pick.selectbox("Course to open", list(codes), key="ward_pick")
    if go.button("Open in Assess", key="ward_open", type="primary"):
        _open(served.store, code, codes[code])
        st.switch_page(ASSESS_PAGE)


main()
