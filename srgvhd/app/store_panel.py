"""The Assess page's case-store panel: Save (with the base version) under the form's case code,
a stale save refused with who saved what when, and the version history with the differences
between two versions (docs/interfaces.md §5).

The page calls :func:`take_pending` before drawing its form (a course opened or started on the
Ward page) and :func:`draw` after it. A refused save never replaces the clinician's entry: it
stays on screen to be merged by hand.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import streamlit as st

from srgvhd.app import entry, ui
from srgvhd.app import form as F
from srgvhd.app.form_words import stored_field_label
from srgvhd.casestore.diff import changes
from srgvhd.clinical.case import parse_case
from srgvhd.errors import InputError, Problem

if TYPE_CHECKING:
    from srgvhd.app.cases import Served

ss = st.session_state
STATE = "store_state"  # {"code": str, "base": int}: the stored course the form was based on
PENDING = "store_pending"  # {"code", "version", "document"} or {"new": True}, set by the Ward page
MESSAGE = "store_message"  # (kind, text) of the last save
LATEST = "store_message_latest"  # the version a stale save ran into


def open_course(code: str, version: int, document: dict[str, Any]) -> None:
    """Ask the Assess page to load this stored version (the Ward page's "Open")."""
    ss[PENDING] = {"code": code, "version": version, "document": document}


def new_course() -> None:
    """Ask the Assess page to start a blank course (the Ward page's "New course")."""
    ss[PENDING] = {"new": True}


def _state() -> dict[str, Any]:
    if STATE not in ss:
        ss[STATE] = {"code": "", "base": 0}
    return ss[STATE]


def _load(code: str, version: int, document: dict[str, Any]) -> None:
    """Put a stored version in the form; the next save is based on it."""
    entry.open_case(parse_case(document))
    ss[STATE] = {"code": code, "base": version}
    ss.pop(MESSAGE, None)


def take_pending() -> None:
    """Load what the Ward page asked for, before the form is drawn."""
    pending = ss.pop(PENDING, None)
    if pending is None:
        return
    if pending.get("new"):
        entry.replace_form(F.empty_form())
        ss[STATE] = {"code": "", "base": 0}
        ss.pop(MESSAGE, None)
    else:
        _load(pending["code"], pending["version"], pending["document"])


def _document(form: dict[str, Any]) -> dict[str, Any] | None:
    """The case file the form holds (with its rule set), or None while it cannot be assessed."""
    if F.is_blank(form):
        return None
    reading = F.read_form(form)
    return reading.case if reading.savable else None


def draw(form: dict[str, Any]) -> None:
    """The panel, below the page's form and result."""
    st.divider()
    st.subheader("Ward case store")
    from srgvhd.app.cases import open_store  # SQLAlchemy loads after the page has painted

    served = open_store()
    if served is None:
        return
    state = _state()
    code = str(form.get("case_code") or "").strip()
    base = state["base"] if code and code == state["code"] else 0
    _draw_save(served, form, code, base)
    if code:
        _draw_history(served, code)


def _draw_save(served: Served, form: dict[str, Any], code: str, base: int) -> None:
    document = _document(form)
    where = f"version {base} of {code}" if base else "a new course"
    st.caption(f"Saving as {ui.plain(served.who)}; this entry is based on {ui.plain(where)}.")
    if st.button(
        "Save to ward store",
        type="primary",
        disabled=document is None or not code,
        key="store_save",
    ):
        _save(served, code, document, base, form)
    if document is None:
        st.caption("Complete the form without problems to save it.")
    elif not code:
        st.caption("Enter a case code (Patient, above) to save it.")
    kind, text = ss.get(MESSAGE, (None, None))
    if kind == "saved":
        st.success(text, icon=":material/check_circle:")
    elif kind == "stale":
        st.error(text, icon=":material/sync_problem:")
        latest = ss[LATEST]
        st.button(
            f"I have merged version {latest} by hand: base my entry on it",
            on_click=_rebase,
            args=(code, latest),
            key="store_rebase",
        )
    elif kind == "refused":
        st.error(text, icon=":material/error:")


def _save(
    served: Served, code: str, document: dict[str, Any] | None, base: int, form: dict[str, Any]
) -> None:
    from srgvhd.casestore.store import StaleVersionError, check_code

    try:
        check_code(code, "Case code")
        if document is None:
            raise InputError(Problem("form", "the form cannot be assessed yet"))
        version = served.store.save(
            code, {**document, "case_code": code}, served.who, base_version=base
        )
    except StaleVersionError as exc:
        ss[MESSAGE] = (
            "stale",
            f"Not saved: {ui.plain(exc.problems[0].what)}. Your entry is "
            "kept on screen: compare it with the latest version below, merge by "
            "hand, then save again.",
        )
        ss[LATEST] = exc.latest.version
        return
    except InputError as exc:
        ss[MESSAGE] = ("refused", f"Not saved: {ui.plain(exc)}")
        return
    ss[STATE] = {"code": code, "base": version}
    ss[MESSAGE] = ("saved", f"Saved {ui.plain(code)} as version {version}.")
    entry.mark_saved(form)
    st.rerun()  # the line above the button was drawn with the old base version


def _rebase(code: str, latest: int) -> None:
    ss[STATE] = {"code": code, "base": latest}
    ss.pop(MESSAGE, None)


def _load_version(served: Served, code: str) -> None:
    """The "Load it" button's callback (before the script runs, so the form is drawn from it)."""
    version = ss["store_load_version"]
    _load(code, version, json.loads(served.store.export(code, version)))


def _draw_history(served: Served, code: str) -> None:
    try:
        versions = served.store.history(code)
    except InputError:
        st.caption(f"No saved version of {ui.plain(code)} yet.")
        return
    count = f"{len(versions)} version" if len(versions) == 1 else f"{len(versions)} versions"
    with st.expander(f"Version history of {ui.plain(code)} ({count})"):
        st.table(
            [
                {
                    "version": v["version"],
                    "saved at (UTC)": v["saved_at"],
                    "saved by": v["saved_by"],
                    "fields changed": len(v["changes"]),
                }
                for v in versions
            ]
        )
        numbers = [v["version"] for v in versions]
        left, right = st.columns(2)
        left.selectbox(
            "Load version into the form", numbers, index=len(numbers) - 1, key="store_load_version"
        )
        right.button(
            "Load it (replaces the entry on screen)",
            key="store_load",
            on_click=_load_version,
            args=(served, code),
        )
        if len(numbers) < 2:
            return
        old = left.selectbox(
            "Compare version", numbers, index=len(numbers) - 2, key="store_diff_old"
        )
        new = right.selectbox("with version", numbers, index=len(numbers) - 1, key="store_diff_new")
        _draw_diff(served, code, old, new)


def _draw_diff(served: Served, code: str, old: int, new: int) -> None:
    before = json.loads(served.store.export(code, old))
    after = json.loads(served.store.export(code, new))
    rows = [
        {
            "field": stored_field_label(c["field"]),
            f"version {old}": json.dumps(c["before"], ensure_ascii=False),
            f"version {new}": json.dumps(c["after"], ensure_ascii=False),
        }
        for c in changes(before, after)
    ]
    if rows:
        st.table(rows)
    else:
        st.caption("No field differs between these versions.")
