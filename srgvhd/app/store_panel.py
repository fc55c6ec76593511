"""The Assess page's case-store panel: Save (with the base version) under the form's case code,
and the version history with the differences between two versions (docs/interfaces.md §5, §8).

A save is refused, and the clinician's entry stays on screen, when:

- a new course takes a code that exists ("W3-101 exists — open it or choose another code"),
  with a button to open the stored course instead;
- a colleague saved a newer version in between: "Open the newer version", and the fields where
  it differs from the entry on screen, side by side in clinical labels (plain text);
- the entry's patient is not the one the course is bound to: both patients side by side (age,
  steroid start, EHR patient), and only if the clinician gives a reason can the save go ahead
  as an identity change, which the history keeps.

The page calls :func:`take_pending` before drawing its form (a course opened or started on the
Ward page) and :func:`draw` after it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import streamlit as st

from srgvhd.app import ehr_panel, entry, ui
from srgvhd.app import form as F
from srgvhd.app.diff_words import labelled_changes
from srgvhd.casestore.binding import binding_of, binding_text, patient_card
from srgvhd.clinical.case import parse_case
from srgvhd.errors import InputError, Problem
from srgvhd.i18n import N_, _, current, ngettext

if TYPE_CHECKING:
    from srgvhd.app.cases import Served

ss = st.session_state
STATE = "store_state"  # {"code": str, "base": int}: the stored course the form was based on
PENDING = "store_pending"  # {"code", "version", "document"} or {"new": True}, set by the Ward page
MESSAGE = "store_message"  # (kind, text) of the last save
LATEST = "store_message_latest"  # the version a refused save ran into
REFUSED_CODE = "store_message_code"  # the code a refused save was for
IDENTITY = "store_identity"  # the two patients of a refused save: {"version", "stored", "given"}
REASON = "store_identity_reason"  # the identity change's reason, as typed
IDENTITY_HINT = N_(
    "If this is another patient, choose another case code (Patient, above). If it is the "
    "same patient and the stored age or steroid start date was wrong, give the reason and "
    "save it as an identity change: the reason is kept in the history."
)
NOT_ASSESSABLE = N_("the form cannot be assessed yet")


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


def _forget_refusal() -> None:
    for key in (MESSAGE, LATEST, REFUSED_CODE, IDENTITY, REASON):
        ss.pop(key, None)


def _load(code: str, version: int, document: dict[str, Any]) -> None:
    """Put a stored version in the form; the next save is based on it. A version that is no
    longer a valid case is refused with a message, the form unchanged."""
    try:
        case = parse_case(document)
    except InputError as exc:
        _refuse_opening(code, version, exc)
        return
    refusal = ehr_panel.other_patient(case.patient.ehr)
    if refusal is not None:  # a SMART launch for another patient: one course, one patient
        ss[MESSAGE] = (
            "refused",
            _(
                "Version {version} of {code} not opened: {refusal}.",
                version=str(version),
                code=ui.plain(code),
                refusal=current().text(refusal),
            ),
        )
        return
    entry.open_case(case)
    ss[STATE] = {"code": code, "base": version}
    _forget_refusal()


def take_pending() -> None:
    """Load what the Ward page asked for, before the form is drawn."""
    pending = ss.pop(PENDING, None)
    if pending is None:
        return
    if pending.get("new"):
        entry.replace_form(F.empty_form())
        ss[STATE] = {"code": "", "base": 0}
        _forget_refusal()
    else:
        _load(pending["code"], pending["version"], pending["document"])


def _refuse_opening(code: str, version: int, exc: InputError) -> None:
    """A stored version the engine no longer accepts (e.g. saved before the row limits): say so
    in one line; the form keeps what it held."""
    ss[MESSAGE] = (
        "refused",
        _(
            "Version {version} of {code} cannot be opened: {problem}. The form is unchanged.",
            version=str(version),
            code=ui.plain(code),
            problem=ui.plain(ui.problems_text(exc)),
        ),
    )


def _document(form: dict[str, Any]) -> dict[str, Any] | None:
    """The case file the form holds (with its rule set), or None while it cannot be assessed."""
    if F.is_blank(form):
        return None
    reading = F.read_form(form)
    return reading.case if reading.savable else None


def draw(form: dict[str, Any]) -> None:
    """The panel, below the page's form and result."""
    st.divider()
    st.subheader(_("Ward case store"))
    from srgvhd.app.cases import open_store  # SQLAlchemy loads after the page has painted

    served = open_store()
    if served is None:
        return
    code = str(form.get("case_code") or "").strip()
    base_line = st.empty()  # filled after the save, so it names the version just saved
    document = _document(form)
    _draw_save(served, form, code, document)
    base = _base(code)
    who = ui.plain(served.who)
    base_line.caption(
        _(
            "Saving as {who}; this entry is based on version {version} of {code}.",
            who=who,
            version=str(base),
            code=ui.plain(code),
        )
        if base
        else _("Saving as {who}; this entry is based on a new course.", who=who)
    )
    _draw_refusal(served, code, document, form)
    if code:
        _draw_history(served, code)


def _base(code: str) -> int:
    """The version the entry is based on: the stored course's, while the code is unchanged."""
    state = _state()
    return state["base"] if code and code == state["code"] else 0


def _draw_save(
    served: Served, form: dict[str, Any], code: str, document: dict[str, Any] | None
) -> None:
    if not served.can_save:  # a viewer: the store refuses writes too (cases.ReadOnlyStore)
        refusal = current().text(served.refusal) if served.refusal else None
        st.info(ui.plain(refusal or _("You may not save courses.")), icon=":material/lock:")
        return
    if st.button(
        _("Save to ward store"),
        type="primary",
        disabled=document is None or not code,
        key="store_save",
    ):
        _save(served, code, document, _base(code), form)
    if document is None:
        st.caption(_("Complete the form without problems to save it."))
    elif not code:
        st.caption(_("Enter a case code (Patient, above) to save it."))


def _save(
    served: Served,
    code: str,
    document: dict[str, Any] | None,
    base: int,
    form: dict[str, Any],
    identity_change: str | None = None,
) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from srgvhd.app.cases import database_failed
    from srgvhd.casestore.store import (
        CodeExistsError,
        IdentityMismatchError,
        StaleVersionError,
        check_code,
    )

    _forget_refusal()
    ss[REFUSED_CODE] = code
    try:
        check_code(code, "Case code")
        if document is None:
            raise InputError(Problem("form", NOT_ASSESSABLE))
        version = served.store.save(
            code,
            {**document, "case_code": code},
            served.who,
            base_version=base,
            identity_change=identity_change,
        )
    except CodeExistsError as exc:
        ss[MESSAGE] = (
            "exists",
            _("Not saved: {code} exists — open it or choose another code.", code=code),
        )
        ss[LATEST] = exc.latest
        return
    except StaleVersionError as exc:
        ss[MESSAGE] = (
            "stale",
            _(
                "Not saved: {code} has moved past version {base}: version {version} was saved "
                "by {who} at {when}. Your entry is kept on screen. Open the newer version, or "
                "compare it with your entry below.",
                code=ui.plain(code),
                base=str(exc.base),
                version=str(exc.latest.version),
                who=ui.plain(exc.latest.saved_by),
                when=exc.latest.saved_at,
            ),
        )
        ss[LATEST] = exc.latest.version
        return
    except IdentityMismatchError as exc:
        ss[MESSAGE] = (
            "identity",
            _(
                "Not saved: this entry is not the patient of {code} (version {version}).",
                code=code,
                version=str(exc.version),
            ),
        )
        ss[IDENTITY] = {
            "version": exc.version,
            "stored": patient_card(exc.stored),
            "given": patient_card(exc.given),
            "binding": binding_text(binding_of(exc.given)),
        }
        return
    except InputError as exc:
        ss[MESSAGE] = (
            "refused",
            _("Not saved: {problem}", problem=ui.plain(ui.problems_text(exc))),
        )
        return
    except SQLAlchemyError as exc:  # server down, file locked: one sentence, the entry kept
        ss[MESSAGE] = ("refused", database_failed(exc, "save this entry"))
        return
    ss[STATE] = {"code": code, "base": version}
    ss[MESSAGE] = (
        "saved",
        _("Saved {code} as version {version}.", code=ui.plain(code), version=str(version)),
    )
    entry.mark_saved(form)
    st.rerun()  # the line above the button was drawn with the old base version


def _draw_refusal(
    served: Served, code: str, document: dict[str, Any] | None, form: dict[str, Any]
) -> None:
    kind, text = ss.get(MESSAGE, (None, None))
    if kind in ("exists", "stale", "identity") and ss.get(REFUSED_CODE) != code:
        _forget_refusal()  # the code was changed since: the refusal no longer applies
        return
    if kind == "saved":
        st.success(text, icon=":material/check_circle:")
    elif kind == "refused":
        st.error(text, icon=":material/error:")
    elif kind == "exists":
        st.error(ui.plain(text), icon=":material/error:")
        st.button(
            _("Open {code} (replaces the entry on screen)", code=ui.plain(code)),
            key="store_open_existing",
            on_click=_open_latest,
            args=(served, code),
        )
    elif kind == "stale":
        st.error(text, icon=":material/sync_problem:")
        latest = ss[LATEST]
        st.button(
            _(
                "Open the newer version {version} (replaces the entry on screen)",
                version=str(latest),
            ),
            key="store_open_newer",
            on_click=_open_latest,
            args=(served, code),
        )
        _draw_entry_beside(served, code, latest, document)
    elif kind == "identity":
        st.error(ui.plain(text), icon=":material/person_alert:")
        _draw_identity(served, code, document, form)


def _open_latest(served: Served, code: str) -> None:
    """Load the latest stored version of ``code`` (a callback, before the form is drawn)."""
    from sqlalchemy.exc import SQLAlchemyError

    from srgvhd.app.cases import database_failed

    try:
        latest = served.store.latest(code)
        if latest is None:
            return
        document = json.loads(served.store.export(code, latest.version))
    except SQLAlchemyError as exc:
        ss[MESSAGE] = ("refused", database_failed(exc, "open the newer version"))
        return
    _load(code, latest.version, document)


def _draw_entry_beside(
    served: Served, code: str, version: int, document: dict[str, Any] | None
) -> None:
    """The fields where the newer stored version and the entry on screen differ."""
    st.markdown(
        _(
            "**Version {version} beside your entry** (only the fields that differ)",
            version=str(version),
        )
    )
    if document is None:
        st.caption(_("Your entry cannot be read as a case yet; complete it to compare."))
        return
    from sqlalchemy.exc import SQLAlchemyError

    from srgvhd.app.cases import database_failed

    try:
        theirs = json.loads(served.store.export(code, version))
    except SQLAlchemyError as exc:
        st.warning(database_failed(exc, "read the newer version"), icon=":material/error:")
        return
    mine = {**document, "case_code": code}
    rows = labelled_changes(
        theirs, mine, _("version {version}", version=str(version)), _("your entry")
    )
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key="store_stale_diff")
    else:
        st.caption(_("No field differs: open the newer version."))


def _draw_identity(
    served: Served, code: str, document: dict[str, Any] | None, form: dict[str, Any]
) -> None:
    """Both patients side by side; the identity change is saved only with a reason."""
    shown = ss[IDENTITY]
    stored_col = _(
        "{code} version {version} (stored)", code=ui.plain(code), version=str(shown["version"])
    )
    given_col = _("your entry")
    st.dataframe(
        [
            {
                _("patient"): _(label),
                stored_col: _card_value(shown["stored"][label]),
                given_col: _card_value(shown["given"][label]),
                "": _("▲ differs")
                if shown["stored"][label] != shown["given"][label]
                else _("same"),
            }
            for label in shown["stored"]
        ],
        hide_index=True,
        key="store_identity_table",
    )
    st.caption(_(IDENTITY_HINT))
    reason = st.text_input(
        _("Reason for the identity change (kept in the history)"),
        key=REASON,
        max_chars=300,
        placeholder=_("e.g. age entered wrongly on version 1"),
    )
    if st.button(
        _("Same patient, corrected: save as an identity change"),
        key="store_identity_confirm",
        disabled=not reason.strip(),
    ):
        if document is None or binding_text(binding_of(document)) != shown["binding"]:
            _forget_refusal()
            ss[MESSAGE] = (
                "refused",
                _(
                    "Not saved: the entry changed after the two patients were shown; save "
                    "again to compare them."
                ),
            )
            st.rerun()
        _save(served, code, document, _base(code), form, identity_change=reason)
        st.rerun()


def _load_version(served: Served, code: str) -> None:
    """The "Load it" button's callback (before the script runs, so the form is drawn from it)."""
    from sqlalchemy.exc import SQLAlchemyError

    from srgvhd.app.cases import database_failed

    version = ss["store_load_version"]
    try:
        document = json.loads(served.store.export(code, version))
    except SQLAlchemyError as exc:
        ss[MESSAGE] = ("refused", database_failed(exc, "load a version", version=str(version)))
        return
    _load(code, version, document)


def _card_value(value: Any) -> str:
    """One value of ``binding.patient_card`` in the current language (age, date, EHR id)."""
    if isinstance(value, date):
        return current().date(value)
    if isinstance(value, int | float):
        return current().number(value)
    return current().text(value)


def _event_words(version: dict[str, Any]) -> str:
    """What a version was, in the current language; a reason as stored (a fixed closing reason
    in the current language, the clinician's own words as typed)."""
    if version["event"] == "close":
        return _("closed by hand: {reason}", reason=version["closed_reason"] or "")
    if version["event"] == "reopen":
        return _("reopened")
    if version["identity_change"]:
        return _("identity change: {reason}", reason=version["identity_change"])
    return _("saved")


def _draw_history(served: Served, code: str) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from srgvhd.app.cases import database_failed

    try:
        versions = served.store.history(code)
    except InputError:
        st.caption(_("No saved version of {code} yet.", code=ui.plain(code)))
        return
    except SQLAlchemyError as exc:
        st.warning(database_failed(exc, "read this case's versions"), icon=":material/error:")
        return
    closed = versions[-1]["closed_reason"]
    if closed is not None:
        st.info(
            _(
                "{code} is closed by hand ({reason}): a save keeps it closed; reopen it on the "
                "Ward page.",
                code=ui.plain(code),
                reason=ui.plain(current().text(closed)),
            ),
            icon=":material/inventory_2:",
        )
    # st.dataframe draws text; st.table would render the names and values as Markdown
    with st.expander(
        ngettext(
            "Version history of {code} ({n} version)",
            "Version history of {code} ({n} versions)",
            len(versions),
            code=ui.plain(code),
        )
    ):
        st.dataframe(
            [
                {
                    _("version"): v["version"],
                    _("saved at (UTC)"): v["saved_at"],
                    _("saved by"): v["saved_by"],
                    _("what"): _event_words(v),
                    _("patient"): current().text(v["patient"]),
                    _("fields changed"): len(v["changes"]),
                }
                for v in versions
            ],
            hide_index=True,
            width="stretch",
            key="store_history_table",
        )
        numbers = [v["version"] for v in versions]
        left, right = st.columns(2)
        left.selectbox(
            _("Load version into the form"),
            numbers,
            index=len(numbers) - 1,
            key="store_load_version",
        )
        right.button(
            _("Load it (replaces the entry on screen)"),
            key="store_load",
            on_click=_load_version,
            args=(served, code),
        )
        if len(numbers) < 2:
            return
        old = left.selectbox(
            _("Compare version"), numbers, index=len(numbers) - 2, key="store_diff_old"
        )
        new = right.selectbox(
            _("with version"), numbers, index=len(numbers) - 1, key="store_diff_new"
        )
        _draw_diff(served, code, old, new)


def _draw_diff(served: Served, code: str, old: int, new: int) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from srgvhd.app.cases import database_failed

    try:
        before = json.loads(served.store.export(code, old))
        after = json.loads(served.store.export(code, new))
    except SQLAlchemyError as exc:
        st.warning(database_failed(exc, "read these versions"), icon=":material/error:")
        return
    rows = labelled_changes(
        before,
        after,
        _("version {version}", version=str(old)),
        _("version {version}", version=str(new)),
    )
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key="store_diff_table")
    else:
        st.caption(_("No field differs between these versions."))
