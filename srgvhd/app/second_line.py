"""The Assess page's second-line section (docs/clinical-rules.md §8): the entries and the result.

``draw_entry`` records the therapy, its start date, a note and, for MSC, the infusion log (add
and delete rows); the texts live in the form (``srgvhd.app.second_line_form``) and reach the
case file through the form like every other field. ``draw_result`` shows the second-line
baseline, the responses against it, the week-4 status, progression, the patient's week-4
response marked on a chart of the study arms' CR rates, and the survival curve from the
second-line start marking today with the conditional survival. Words come from
``srgvhd.report.second_line_text``, charts from ``srgvhd.report.second_line_charts``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import streamlit as st

from srgvhd.app import second_line_form as SL
from srgvhd.app import ui
from srgvhd.clinical.case import MSC_THERAPIES
from srgvhd.clinical.policy import SECOND_LINE_BASELINE_MAX_DAYS_BEFORE, STUDY_MSC_DOSE_RANGE
from srgvhd.clinical.second_line import THERAPY_LABELS
from srgvhd.i18n import N_, _

if TYPE_CHECKING:
    from srgvhd.risk.patient import PatientResult

KEY = "assess_sl"  # every widget key starts with "assess_": a new or opened case clears them
THERAPY_KEY = f"{KEY}_therapy"  # the therapy select box (srgvhd.app.entry.reseed_choices)
CHOICE_WORDS = {SL.NONE: N_("none recorded"), **THERAPY_LABELS, "other": N_("other (name it)")}


def _choices() -> Any:
    """The therapy box's format function, its words said now in this run's language (Streamlit
    may call a format function again outside the script run)."""
    said = {therapy: _(CHOICE_WORDS[therapy]) for therapy in SL.CHOICES}
    return lambda therapy: said.get(therapy, str(therapy))


def reseed_therapy(form: dict[str, Any]) -> None:
    """After a change of language, give the therapy box its value again from ``form`` (see
    ``srgvhd.app.entry.reseed_choices``): the browser would otherwise keep the old language's
    words for the choice."""
    entries = form.get(SL.SLOT)
    if entries is not None and THERAPY_KEY in st.session_state:
        st.session_state[THERAPY_KEY] = entries["therapy"]


def _key(*parts: Any) -> str:
    return "_".join([KEY, *map(str, parts)])


def _seeded(key: str, value: Any) -> str:
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _add(form: dict[str, Any]) -> None:
    SL.add_infusion(form)


def _delete(form: dict[str, Any], row_id: int) -> None:
    SL.delete_infusion(form, row_id)
    for field in ("date", "dose", "delete"):
        st.session_state.pop(_key("infusion", row_id, field), None)


def draw_entry(form: dict[str, Any], slots: dict[str, Any]) -> None:
    """The second-line entries, in an expander open once a therapy is chosen. A form without a
    second line is left as it is until a therapy is chosen (so an opened case stays "saved")."""
    entries = form.get(SL.SLOT) or SL.blank()
    with st.expander(_("Second-line therapy"), expanded=entries["therapy"] != SL.NONE):
        st.caption(
            _(
                "Once the course is steroid-refractory (or by choice for dependence or "
                "intolerance, with a note). The steroid verdict is judged on the assessments "
                "before the start; later ones are judged against the second-line baseline (an "
                "assessment on the start date, or up to {days} days before it).",
                days=SECOND_LINE_BASELINE_MAX_DAYS_BEFORE,
            )
        )
        entries["therapy"] = st.selectbox(
            _("Therapy"),
            SL.CHOICES,
            format_func=_choices(),
            key=_seeded(THERAPY_KEY, entries["therapy"]),
        )
        if entries["therapy"] == SL.NONE:
            if SL.SLOT in form:
                form[SL.SLOT] = entries
            slots[SL.SLOT] = st.empty()
            return
        form[SL.SLOT] = entries
        name, start = st.columns(2)
        entries["therapy_name"] = name.text_input(
            _("Therapy name (required)")
            if entries["therapy"] == "other"
            else _("Therapy name (optional)"),
            key=_seeded(_key("therapy_name"), entries["therapy_name"]),
            max_chars=200,
        )
        entries["start_date"] = start.text_input(
            _("Second-line start date (day 0 of second line)"),
            key=_seeded(_key("start_date"), entries["start_date"]),
            placeholder=_("YYYY-MM-DD or day N of steroids"),
            help=_("For UC-MSC: the date of the first infusion."),
        )
        entries["note"] = st.text_input(
            _("Note (optional)"),
            key=_seeded(_key("note"), entries["note"]),
            max_chars=200,
            placeholder=_("e.g. chosen for steroid dependence"),
        )
        if entries["therapy"] in MSC_THERAPIES:
            _draw_infusions(form, entries)
        slots[SL.SLOT] = st.empty()


def _draw_infusions(form: dict[str, Any], entries: dict[str, Any]) -> None:
    low, high = STUDY_MSC_DOSE_RANGE
    st.markdown(
        _(
            "**Infusions** (the study gave {low}–{high} × 10^6 cells/kg per infusion)",
            low=low,
            high=high,
        )
    )
    for number, row in enumerate(entries["infusions"], start=1):
        with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
            row["date"] = st.text_input(
                _("Infusion {number}: date", number=number),
                key=_seeded(_key("infusion", row["id"], "date"), row["date"]),
                placeholder=_("YYYY-MM-DD or day N"),
            )
            row["dose"] = st.text_input(
                _("Dose (× 10^6 cells/kg)"),
                key=_seeded(_key("infusion", row["id"], "dose"), row["dose"]),
                placeholder=_("e.g. {dose}", dose=1.5),
            )
            st.button(
                _("Delete"),
                key=_key("infusion", row["id"], "delete"),
                on_click=_delete,
                args=(form, row["id"]),
                icon=":material/delete:",
            )
    full = len(entries["infusions"]) >= SL.MAX_INFUSION_ROWS
    st.button(
        _("Add infusion"),
        key=_key("add_infusion"),
        on_click=_add,
        args=(form,),
        icon=":material/add:",
        disabled=full,
    )


def today() -> date:
    """Today's date in the report time zone (``srgvhd.report.text.report_zone``)."""
    from srgvhd.report.text import report_zone

    return datetime.now(UTC).astimezone(report_zone()[0]).date()


def draw_result(result: PatientResult, on: date | None = None) -> None:
    """The second line's result, when the case records one; the survival chart marks ``on``
    (default today) as today."""
    second = result.course.second_line
    if second is None:
        return
    on = on or today()
    from srgvhd.report import second_line_text as words
    from srgvhd.report.second_line_charts import survival_from_start_spec, week4_chart_spec
    from srgvhd.report.text import day_date, engine_text, response_text

    st.subheader(_(words.HEADING))
    st.markdown(ui.plain(words.heading_line(second)))
    infusions = words.infusions_text(second)
    if infusions:
        st.caption(ui.plain(infusions))
    for warning in second.warnings:
        st.warning(ui.plain(engine_text(warning)))
    week4 = words.week4_text(second)
    (st.success if second.week4.overall_response else st.info)(ui.plain(week4))
    progression = words.progression_text(second)
    (st.warning if second.progression else st.caption)(ui.plain(progression))
    if second.assessments:
        import pyarrow as pa

        rows = [
            {
                _("day of second line"): a.day,
                _("date"): day_date(a.date),
                _("response vs second-line baseline"): response_text(a.response),
                _("why not assessable"): engine_text(a.reason) if a.reason else "",
            }
            for a in second.assessments
        ]
        st.table(pa.Table.from_pylist(rows), hide_index=True)
    if second.benchmarks:
        st.vega_lite_chart(week4_chart_spec(second), width="stretch")
        st.caption(
            " ".join(
                [
                    *(ui.plain(line) for line in words.benchmark_lines(second.benchmarks)),
                    ui.plain(_("The study's subgroup rates use the whole arm as denominator.")),
                ]
            )
        )
    risk, conditional = result.risk, result.conditional
    if risk is not None and conditional is not None:
        day = (on - second.start_date).days
        st.markdown(f"**{ui.plain(_(words.CONDITIONAL_HEADING))}**")
        for line in words.conditional_lines(conditional)[1:]:
            st.caption(ui.plain(line.strip()))
        horizons = list(risk.survival)
        st.vega_lite_chart(
            survival_from_start_spec(risk.curve, horizons, max(day, 0)), width="stretch"
        )
        st.caption(
            _(
                "Conditional survival for a patient alive on day {day} of second line (the last "
                "assessment); the red line marks today.",
                day=conditional.alive_on_day,
            )
        )
