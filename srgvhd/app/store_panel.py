"""The Assess page's case-store panel: case code, Save (with the base version), a stale save
refused with who saved what when, and the version history with the differences between two
versions (interfaces.md §5).

The page calls ``draw(form, replace_form)`` once, after drawing its form: ``form`` is the form
in session state, ``replace_form(new_form)`` loads another form (a course opened on the Ward
page, a version from the history, a new course). The clinician's entry is never replaced by a
refused save: it stays on screen to be merged by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from srgvhd.app import form as F
from srgvhd.app import ui
from srgvhd.app.cases import Served, open_store
from srgvhd.casestore.diff import changes
from srgvhd.casestore.store import StaleVersionError, check_code
from srgvhd.clinical.case import case_to_dict, parse_case
from srgvhd.errors import InputError

ss = st.session_state
STATE = "store_state"  # {"code": str, "base": int}: the stored course the form was based on
PENDING = "store_pending"  # {"code", "version", "document"} or {"new": True}, set by the Ward page
MESSAGE = "store_message"  # (kind, text) of the last save
CODE_KEY = "store_case_code"
CODE_WARNING = ("A pseudonymous code (letters, digits, - and _; at most 32), never the "
                "patient's name or hospital number.")


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


def _document_form(document: dict[str, Any]) -> dict[str, Any]:
    """The form for a stored case file (its rule set kept)."""
    form = F.case_dict_to_form(case_to_dict(parse_case(document)))
    form["rule_set"] = document.get("rule_set", form["rule_set"])
    return form


def _take_pending(replace_form: Callable[[dict[str, Any]], None]) -> None:
    """Load what the Ward page asked for, then rerun so the form is drawn from it."""
    pending = ss.pop(PENDING)
    state = _state()
    if pending.get("new"):
        replace_form(F.empty_form())
        state.update(code="", base=0)
    else:
        replace_form(_document_form(pending["document"]))
        state.update(code=pending["code"], base=pending["version"])
    ss[CODE_KEY] = state["code"]
    ss.pop(MESSAGE, None)
    st.rerun()


def _document(form: dict[str, Any]) -> dict[str, Any] | None:
    """The case file the form holds (with its rule set), or None while the form is not valid."""
    if F.is_blank(form):
        return None
    document = F.form_to_case_dict(form)
    try:
        parse_case(document)
    except InputError:
        return None
    return {**document, "rule_set": document.get("rule_set", form.get("rule_set"))}


def draw(form: dict[str, Any], replace_form: Callable[[dict[str, Any]], None]) -> None:
    """The panel, below the page's form and result."""
    if PENDING in ss:
        _take_pending(replace_form)
    st.divider()
    st.subheader("Ward case store")
    served = open_store()
    if served is None:
        return
    state = _state()
    if CODE_KEY not in ss:
        ss[CODE_KEY] = state["code"]
    code_col, info_col = st.columns([1, 2])
    code = code_col.text_input("Case code", key=CODE_KEY, max_chars=32, help=CODE_WARNING)
    info_col.warning(CODE_WARNING, icon=":material/badge:")
    base = state["base"] if code == state["code"] else 0
    _draw_save(served, form, code, base)
    if code:
        _draw_history(served, code, replace_form)


def _draw_save(served: Served, form: dict[str, Any], code: str, base: int) -> None:
    document = _document(form)
    where = f"version {base} of {code}" if base else "a new course"
    st.caption(f"Saving as {ui.plain(served.who)}; this entry is based on {ui.plain(where)}.")
    if st.button("Save to ward store", type="primary", disabled=document is None or not code,
                 key="store_save"):
        _save(served, code, document, base)
    if document is None:
        st.caption("Complete the form without problems to save it.")
    kind, text = ss.get(MESSAGE, (None, None))
    if kind == "saved":
        st.success(text, icon=":material/check_circle:")
    elif kind == "stale":
        st.error(text, icon=":material/sync_problem:")
        latest = ss[MESSAGE + "_latest"]
        st.button(f"I have merged version {latest} by hand: base my entry on it",
                  on_click=_rebase, args=(code, latest), key="store_rebase")
    elif kind == "refused":
        st.error(text, icon=":material/error:")


def _save(served: Served, code: str, document: dict[str, Any] | None, base: int) -> None:
    try:
        check_code(code, "Case code")
        assert document is not None
        version = served.store.save(code, {**document, "case_code": code}, served.who,
                                    base_version=base)
    except StaleVersionError as exc:
        ss[MESSAGE] = ("stale", f"Not saved: {ui.plain(exc.problems[0].what)}. Your entry is "
                       "kept on screen: compare it with the latest version below, merge by "
                       "hand, then save again.")
        ss[MESSAGE + "_latest"] = exc.latest.version
        return
    except InputError as exc:
        ss[MESSAGE] = ("refused", f"Not saved: {ui.plain(exc)}")
        return
    ss[STATE] = {"code": code, "base": version}
    ss[MESSAGE] = ("saved", f"Saved {ui.plain(code)} as version {version}.")


def _rebase(code: str, latest: int) -> None:
    ss[STATE] = {"code": code, "base": latest}
    ss.pop(MESSAGE, None)


def _draw_history(served: Served, code: str,
                  replace_form: Callable[[dict[str, Any]], None]) -> None:
    try:
        versions = served.store.history(code)
    except InputError:
        st.caption(f"No saved version of {ui.plain(code)} yet.")
        return
    with st.expander(f"Version history of {ui.plain(code)} ({len(versions)} versions)"):
        st.table([{"version": v["version"], "saved at (UTC)": v["saved_at"],
                   "saved by": v["saved_by"], "fields changed": len(v["changes"])}
                  for v in versions])
        numbers = [v["version"] for v in versions]
        if len(numbers) < 2:
            return
        left, right = st.columns(2)
        old = left.selectbox("Compare version", numbers, index=len(numbers) - 2,
                             key="store_diff_old")
        new = right.selectbox("with version", numbers, index=len(numbers) - 1,
                              key="store_diff_new")
        _draw_diff(served, code, old, new)
        chosen = left.selectbox("Load version into the form", numbers, index=len(numbers) - 1,
                                key="store_load_version")
        if right.button("Load it (replaces the entry on screen)", key="store_load"):
            document = json.loads(served.store.export(code, chosen))
            replace_form(_document_form(document))
            ss[STATE] = {"code": code, "base": chosen}
            ss.pop(MESSAGE, None)
            st.rerun()


def _draw_diff(served: Served, code: str, old: int, new: int) -> None:
    before = json.loads(served.store.export(code, old))
    after = json.loads(served.store.export(code, new))
    rows = [{"field": c["field"], f"version {old}": json.dumps(c["before"], ensure_ascii=False),
             f"version {new}": json.dumps(c["after"], ensure_ascii=False)}
            for c in changes(before, after)]
    if rows:
        st.table(rows)
    else:
        st.caption("No field differs between these versions.")
