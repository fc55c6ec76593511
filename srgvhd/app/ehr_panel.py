"""The Assess page's EHR panel for a SMART launch (docs/ehr.md): which patient the launch is
for, "Fill the form from the record" with each value's source and date (edited values marked
as typed), the results not used and why, and "File to chart".

The launch is found through the HttpOnly session cookie the /smart/callback route set; the
tokens stay in srgvhd.ehr.smart's server-side store. A form is filed only to the patient whose
record filled it in this browser session: a case opened since (from a file or the store) must be
filled from the record again first, so one patient's course cannot reach another's chart.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from srgvhd.app import entry, ui
from srgvhd.app.ehr_form import (
    bilirubin_for,
    bilirubin_lines,
    draft_to_form,
    result_source,
    skipped_lines,
    source_lines,
    when_words,
)
from srgvhd.i18n import _
from srgvhd.i18n import current as language
from srgvhd.i18n.message import Msg, Verbatim  # Verbatim: the record's ids and values as they are

if TYPE_CHECKING:  # the EHR modules (fhirpy, Authlib) load only when the app is registered
    from srgvhd.ehr import smart
    from srgvhd.ehr.client import FhirServer

ss = st.session_state
DRAFT = "ehr_draft"  # not "assess_…": a new form does not clear it, the binding check does
FILLED = "ehr_filled_form"
FORM_ID = "ehr_form_id"
FILED = "ehr_filed"
ARRIVED = "ehr_arrived"
BILIRUBIN_FILLED = "ehr_bilirubin_filled"  # assessment row id -> (text, source words)


def current() -> tuple[smart.Settings, smart.Launch] | None:
    """This browser's SMART launch, or None (no launch, or the app is not registered)."""
    if not os.environ.get("SRGVHD_SMART_CLIENT_ID"):
        return None
    from srgvhd.ehr import smart
    from srgvhd.ehr.launch import SESSION_COOKIE

    settings = smart.settings_from_env()
    if settings is None:
        return None
    found = smart.SESSIONS.launch((st.context.cookies or {}).get(SESSION_COOKIE))
    return None if found is None else (settings, found)


def other_patient(ehr: Any) -> Msg | None:
    """In a SMART launch for patient X, why a course may not be opened: it is bound to another
    EHR patient, or to none (docs/interfaces.md §8 — the course's patient binding); None when
    it is X's own course or there is no launch."""
    found = current()
    if found is None:
        return None
    launch = found[1]
    wanted = (launch.iss.rstrip("/"), launch.patient_id)
    if ehr is not None and (ehr.fhir_server.rstrip("/"), ehr.patient_id) == wanted:
        return None
    if ehr is None:
        return Msg(
            "this EHR launch is for patient {patient}, and that course belongs to no EHR "
            "patient; open it outside the EHR launch",
            patient=launch.patient_id,
        )
    return Msg(
        "this EHR launch is for patient {patient}, and that course belongs to EHR patient "
        "{other}; open it outside the EHR launch",
        patient=launch.patient_id,
        other=ehr.patient_id,
    )


def arrived_from_launch() -> bool:
    """True on this browser session's first run after a SMART launch (then app.py opens the
    Assess page); False otherwise and on every later run."""
    if ss.get(ARRIVED) or current() is None:
        return False
    ss[ARRIVED] = True
    return True


def _server(settings: smart.Settings, launch: smart.Launch) -> FhirServer:
    from srgvhd.ehr import smart
    from srgvhd.ehr.client import FhirServer

    return FhirServer(launch.iss, smart.access_token(settings, launch))


def _bound(launch: smart.Launch) -> bool:
    """Whether the form on the page is the one this launch's record filled."""
    draft = ss.get(DRAFT)
    if draft is None or ss.get(FORM_ID) != id(entry.state()):
        return False
    ehr = draft["patient"]["ehr"]
    return ehr == {"fhir_server": launch.iss, "patient_id": launch.patient_id}


def _fill(settings: smart.Settings, launch: smart.Launch) -> None:
    from srgvhd.ehr.client import EhrError
    from srgvhd.ehr.importer import import_case

    try:
        draft = import_case(_server(settings, launch), launch.patient_id)
    except EhrError as exc:
        ss["ehr_fill_error"] = exc.message
        return
    ss.pop("ehr_fill_error", None)
    form = draft_to_form(draft)
    entry.replace_form(form)
    ss[DRAFT], ss[FILLED], ss[FORM_ID] = draft, copy.deepcopy(form), id(entry.state())
    ss[BILIRUBIN_FILLED] = {}
    ss.pop(FILED, None)


def _fill_bilirubin(draft: dict[str, Any], form: dict[str, Any]) -> None:
    """An assessment of findings dated like a bilirubin result in the record, its bilirubin
    still blank: fill it from that result (once per assessment, so a value the clinician clears
    stays cleared); the sources below the form say so. Runs before the form's widgets."""
    filled = ss.setdefault(BILIRUBIN_FILLED, {})
    unit = ss.get(entry.WIDGET_KEYS["bilirubin_unit"], form["bilirubin_unit"])
    for row in form["assessments"]:
        if row["id"] in filled:
            continue
        day = ss.get(entry.row_key("assessments", row["id"], "date"), row["date"]).strip()
        mode = ss.get(entry.row_key("assessments", row["id"], "mode"), row["mode"])
        key = entry.row_key("assessments", row["id"], "bilirubin")
        if mode != "findings" or (ss.get(key, row["bilirubin"]) or "").strip():
            continue
        found = bilirubin_for(draft, day, unit)
        if found is None:
            continue
        text, result = found
        ss[key] = row["bilirubin"] = text
        filled[row["id"]] = (day, text, result)  # its words are said when drawn


def draw_banner() -> None:
    """Above the form: the launch's patient and the fill button."""
    found = current()
    if found is None:
        return
    settings, launch = found
    st.info(
        _(
            "Opened from the EHR for {patient} ({server}).",
            patient=Verbatim(f"Patient/{ui.plain(launch.patient_id)}"),
            server=Verbatim(ui.plain(launch.iss)),
        )
    )
    st.button(
        _("Fill the form from the record"),
        key="ehr_fill",
        on_click=_fill,
        args=(settings, launch),
        help=_("Age, weight, hemoglobin, the methylprednisolone start and dose, and labs"),
    )
    if "ehr_fill_error" in ss:
        problem = ui.plain(language().text(ss["ehr_fill_error"]))
        st.error(_("The record could not be read: {problem}", problem=problem))
    if _bound(launch):
        _fill_bilirubin(ss[DRAFT], entry.state())
    elif DRAFT in ss:
        st.warning(
            _(
                "The form no longer holds the record of {patient} (a case was opened or started "
                "since): File to chart is off until the form is filled from the record again.",
                patient=Verbatim(f"Patient/{ui.plain(launch.patient_id)}"),
            )
        )


def _record(source: str) -> str:
    """Where a pre-filled value came from, as the record holds it."""
    return _("record: {source}", source=Verbatim(ui.plain(source)))


def draw_sources() -> None:
    """Under the form (drawn after its widgets, so an edit shows as typed on the same run):
    each pre-filled value with its source and date, the record's bilirubin by date, and the
    results not used with the reason."""
    found = current()
    if found is None or not _bound(found[1]):
        return
    draft, form = ss[DRAFT], entry.state()
    with st.expander(_("Values from the record"), expanded=True):
        lines = source_lines(draft, ss[FILLED], form)
        if not lines:
            st.write(_("The record held no usable value: every field is blank."))
        for line in lines:
            mark = " · " + _("**typed** (changed from the record)") if line.typed else ""
            value = _(
                "{field}: {value}",
                field=Verbatim(ui.plain(line.label)),
                value=Verbatim(ui.plain(line.shown) or "—"),
            )
            st.markdown(
                f"{value}  \n<small>{_record(line.source)}</small>{mark}",
                unsafe_allow_html=True,
            )
        rows = {row["id"]: row for row in form["assessments"]}
        for row_id, (day, text, result) in ss.get(BILIRUBIN_FILLED, {}).items():
            if row_id not in rows:
                continue
            now = rows[row_id]["bilirubin"]
            mark = " · " + _("**typed** (changed from the record)") if now != text else ""
            filled = _(
                "Bilirubin, assessment of {date}: {value} (filled from the result of the same "
                "date)",
                date=Verbatim(ui.plain(when_words(day))),
                value=Verbatim(ui.plain(now) or "—"),
            )
            st.markdown(
                f"{filled}  \n<small>{_record(result_source(result))}</small>{mark}",
                unsafe_allow_html=True,
            )
        bilirubin = bilirubin_lines(draft)
        if bilirubin:
            st.caption(
                _(
                    "Total bilirubin in the record, for an assessment of the same date: {results}",
                    results=Verbatim(ui.plain("; ".join(bilirubin))),
                )
            )
    skipped = skipped_lines(draft)
    if skipped:
        with st.expander(_("Results not used ({count})", count=len(skipped))):
            for line in skipped:
                st.text(line)


def draw_file_to_chart(pdf: Callable[[], bytes], verdict: str) -> None:
    """Under the result: post the one-page PDF to the launch's patient as a DocumentReference."""
    found = current()
    if found is None:
        return
    settings, launch = found
    if not _bound(launch):
        st.caption(
            _(
                "File to chart is offered for a form filled from this patient's record (use "
                "“Fill the form from the record” above)."
            )
        )
        return
    if st.button(_("File to chart"), key="ehr_file_to_chart"):
        from srgvhd.ehr.client import EhrError
        from srgvhd.ehr.document import file_summary

        try:
            created: dict[str, Any] = file_summary(
                _server(settings, launch), launch.patient_id, pdf(), verdict
            )
        except EhrError as exc:
            st.error(_("Not filed: {problem}", problem=ui.plain(language().text(exc.message))))
            return
        ss[FILED] = f"DocumentReference/{created['id']}"
    if FILED in ss:
        st.success(_("Filed as {reference}", reference=Verbatim(ss[FILED])))
