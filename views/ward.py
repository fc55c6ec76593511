"""Ward page (the default page): who needs a decision, one row per course — pending second-line
choices first, then the other open courses by due date (rows from srgvhd.casestore.ward);
closed courses under a toggle. Open a course into the Assess page, start a new one, close one by
hand with a reason, or reopen it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import streamlit as st

from srgvhd.app import store_panel, ui
from srgvhd.casestore.summary import PENDING
from srgvhd.casestore.ward import column_labels, is_open, urgency, ward_rows
from srgvhd.errors import InputError
from srgvhd.i18n import N_, _, current

ASSESS_PAGE = "views/assess.py"
# Shown in the current language; the fixed choices are stored as these English words, the
# "other" reason as the clinician typed it.
CLOSE_REASONS = (N_("death"), N_("transfer to another centre"), N_("other (say which)"))
NOTICE = "ward_notice"


def _open(store: Any, code: str, version: int) -> None:
    document = json.loads(store.export(code, version))
    store_panel.open_course(code, version, document)


def _draw_close(served: Any, course: dict[str, Any]) -> None:
    """Close the picked course by hand with a reason, or reopen one closed by hand."""
    code, version = course["code"], course["version"]
    if not served.can_save:  # a viewer reads the list; closing is a clinician's act
        return
    if course["closed_reason"] is not None:
        st.caption(
            _(
                "{code} was closed by hand: {reason}.",
                code=ui.plain(code),
                reason=ui.plain(current().text(course["closed_reason"])),
            )
        )
        if st.button(_("Reopen {code}", code=ui.plain(code)), key="ward_reopen"):
            _change(
                lambda: served.store.reopen_case(code, served.who, version),
                N_("{code} reopened: version {version}."),
                code=code,
            )
        return
    if not is_open(course):
        st.caption(
            _(
                "{code} has nothing left to decide ({action}).",
                code=ui.plain(code),
                action=ui.plain(current().text(course["next_action"] or "—")),
            )
        )
        return
    with st.expander(_("Close {code} by hand", code=ui.plain(code))):
        # said now, in this run's language (Streamlit may call the function after the run)
        said = {choice: _(choice) for choice in CLOSE_REASONS}
        kind = st.selectbox(
            _("Reason"), CLOSE_REASONS, format_func=said.__getitem__, key="ward_close_kind"
        )
        other = ""
        if kind == CLOSE_REASONS[-1]:
            other = st.text_input(
                _("Which reason (no names)"), key="ward_close_other", max_chars=300
            )
        reason = other if kind == CLOSE_REASONS[-1] else kind  # a fixed choice: its English word
        if st.button(
            _("Close {code}", code=ui.plain(code)),
            key="ward_close",
            disabled=not reason.strip(),
            type="secondary",
        ):
            _change(
                lambda: served.store.close_case(code, reason, served.who, version),
                N_("{code} closed ({reason}): version {version}."),
                code=code,
                reason=reason,
            )


def _change(action: Any, done: str, **params: str) -> None:
    """Run a close or reopen; the notice (``done``, a message with ``{version}``) is shown on
    the next run."""
    from sqlalchemy.exc import SQLAlchemyError

    from srgvhd.app.cases import database_failed

    try:
        version = action()
    except InputError as exc:
        st.session_state[NOTICE] = (
            "error",
            _("Not changed: {problem}", problem=ui.problems_text(exc)),
        )
    except SQLAlchemyError as exc:  # one sentence, no exception box (docs/security.md)
        st.session_state[NOTICE] = ("error", database_failed(exc, "change this course"))
    else:
        st.session_state[NOTICE] = ("success", _(done, version=version, **params))
    st.rerun()


def main() -> None:
    """Draw the Ward page."""
    st.title(_("Ward: steroid courses"))
    from srgvhd.app.cases import open_store  # SQLAlchemy loads after the title has painted

    served = open_store()
    if served is None:
        return
    today = date.today()
    if st.button(_("New course"), icon=":material/add:", key="ward_new"):
        store_panel.new_course()
        st.switch_page(ASSESS_PAGE)
    kind, text = st.session_state.pop(NOTICE, (None, None))
    if kind == "error":
        st.error(ui.plain(text), icon=":material/error:")
    elif kind == "success":
        st.success(ui.plain(text), icon=":material/check_circle:")
    show_closed = st.toggle(_("Show closed courses"), key="ward_closed")
    from sqlalchemy.exc import SQLAlchemyError

    from srgvhd.app.cases import database_failed

    try:
        cases = served.store.list_cases()
    except SQLAlchemyError as exc:  # server down, file locked: one sentence, no exception box
        st.error(database_failed(exc, "list the ward's courses"), icon=":material/error:")
        return
    shown = [c for c in cases if show_closed or is_open(c)]
    counts = {
        k: sum(1 for c in shown if urgency(c["due_date"], today, c["phase"]) == k)
        for k in ("overdue", "today")
    }
    pending = sum(1 for c in cases if c["phase"] == PENDING)
    closed = sum(1 for c in cases if not is_open(c))
    st.markdown(
        _(
            "Second-line choice pending: **{pending}** · overdue: **{overdue}** · due today: "
            "**{today}** · {shown} shown of {total} courses, {closed} closed (today {date}).",
            pending=pending,
            overdue=counts["overdue"],
            today=counts["today"],
            shown=len(shown),
            total=len(cases),
            closed=closed,
            date=today,
        )
    )
    if not shown:
        st.info(_("No open course. Start one with New course, or save one from the Assess page."))
        return
    st.dataframe(
        ward_rows(shown, today),
        hide_index=True,
        width="stretch",
        column_config={
            **{key: st.column_config.Column(label) for key, label in column_labels().items()},
            "version": st.column_config.NumberColumn(column_labels()["version"], format="%d"),
        },
    )
    by_code = {c["code"]: c for c in shown}
    pick, go = st.columns([3, 1], vertical_alignment="bottom")
    code = pick.selectbox(_("Course to open"), list(by_code), key="ward_pick")
    if go.button(_("Open in Assess"), key="ward_open", type="primary"):
        try:
            _open(served.store, code, by_code[code]["version"])
        except SQLAlchemyError as exc:
            st.error(database_failed(exc, "open this course"), icon=":material/error:")
            return
        st.switch_page(ASSESS_PAGE)
    _draw_close(served, by_code[code])


main()
