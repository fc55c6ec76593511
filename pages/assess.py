"""Assess page: one patient's steroid course -> stages, grade, response, SR verdict, risk.

Drawing only. The form's logic is ``srgvhd.app.form``; the clinical engine
``srgvhd.clinical.course``.
Everything typed lives in ``st.session_state["assess_form"]`` and the widgets are re-seeded from
it, so nothing is lost on an error or a page switch. pandas, the risk model, charts and PDF are
imported where they are used, after the patient inputs are sent, so the form paints first; the
"Open case" uploader is drawn last (its callback fills the form before the script runs).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import streamlit as st

from srgvhd.app import form as F
from srgvhd.app import store_panel, ui
from srgvhd.clinical.case import LIMITS, Case, case_to_dict, dumps_case, loads_case, parse_case
from srgvhd.clinical.policy import PROJECT_RULES
from srgvhd.clinical.refractory import DEPENDENT, REFRACTORY, RESPONSIVE, RULE_SET_LABELS, RULE_SETS
from srgvhd.clinical.staging import MAX_STAGE
from srgvhd.clinical.units import BILIRUBIN_UNITS, HEMOGLOBIN_UNITS
from srgvhd.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

ss = st.session_state
FORM = "assess_form"
GEN = "assess_table_gen"  # bumped when a case is opened, so the tables start from the file
OPEN_UPLOADER = "assess_open_case"
OPEN_PROBLEMS = "assess_open_problems"
WIDGET_KEYS = {
    "age_years": "assess_age",
    "weight_kg": "assess_weight",
    "hemoglobin_value": "assess_hb",
    "hemoglobin_unit": "assess_hb_unit",
    "steroid_start": "assess_steroid_start",
    "mp_dose": "assess_mp_dose",
    "steroid_intolerant": "assess_intolerant",
    "bilirubin_unit": "assess_bilirubin_unit",
    "grade_override": "assess_grade_override",
    "rule_set": "assess_rule_set",
}
TABLE_KEYS = {"assessments": "assess_assessments", "dose_changes": "assess_dose_changes"}
DOSE = "methylprednisolone_mg_per_kg_day"
RULE_TEXT = {rule.key: rule.text for rule in PROJECT_RULES}
# Stage columns: short header, words for the tooltip, width in px.
STAGE_COLUMNS = {"skin": ("Skin", "Skin", 58), "liver": ("Liver", "Liver", 64),
                 "upper_gi": ("UGI", "Upper-GI", 58), "lower_gi": ("LGI", "Lower-GI",
                 54)}
CASE_UPLOAD_MB = 1  # case.loads_case refuses files over MAX_CASE_BYTES (1 MB) as well
UNIT_WORDS = {"umol/L": "µmol/L"}
NUMBER_FORMAT = "%g"  # 42, 70.5, 85 g/L or 8.5 g/dL: as typed, without padded decimals
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)  # date_input's own default is ±10 years
VERDICT_BOX = {REFRACTORY: st.error, DEPENDENT: st.warning, RESPONSIVE: st.success}
# Response markers: distinct hues (after Okabe & Ito and Paul Tol's colour-blind-safe palettes),
# each at least 3:1 against the white background (WCAG 2.1 SC 1.4.11, non-text contrast);
# progression in vermillion, baseline in black.
RESPONSE_COLOURS = {"baseline": "#000000", "CR": "#117733", "VGPR": "#1F78B4", "PR": "#332288",
                    "mixed": "#997700", "no response": "#AA4499", "progression": "#D55E00"}


# ---------------------------------------------------------------- state


def _state() -> dict[str, Any]:
    """The form in session state, created blank on the first visit."""
    if FORM not in ss:
        ss[FORM] = F.empty_form()
        ss[GEN] = 0
    return ss[FORM]


def _seed_widgets(form: dict[str, Any]) -> None:
    """Give each widget its saved value when it has none (first visit, after a page switch)."""
    for field, key in WIDGET_KEYS.items():
        if key not in ss:
            ss[key] = form[field]


def _read_widgets(form: dict[str, Any]) -> None:
    for field, key in WIDGET_KEYS.items():
        form[field] = ss[key]


def _open_case() -> None:
    """The "Open case" uploader's callback (it runs before the script, so the form is filled on
    the same run): replace the form with the opened case file; a refused file changes nothing."""
    uploaded = ss.get(OPEN_UPLOADER)
    if uploaded is None:
        ss.pop(OPEN_PROBLEMS, None)
        return
    try:
        case = loads_case(uploaded.getvalue())
    except InputError as exc:
        ss[OPEN_PROBLEMS] = [str(p) for p in exc.problems]
        return
    ss.pop(OPEN_PROBLEMS, None)
    form = F.case_dict_to_form(case_to_dict(case))
    form["rule_set"] = ss[FORM]["rule_set"]
    _replace_form(form, drawn=False)


def _replace_form(form: dict[str, Any], *, drawn: bool = True) -> None:
    """Put another form in place (an opened file, a stored course). ``drawn``: the widgets were
    already drawn in this run (the store panel comes after the form), so their states are
    dropped and re-seeded from the form on the next run; otherwise (a callback, before the
    script) they are set now."""
    ss[FORM] = form
    for field, key in WIDGET_KEYS.items():
        if drawn:
            ss.pop(key, None)
        else:
            ss[key] = form[field]
    for table in TABLE_KEYS.values():  # the old tables' starting rows are not needed again
        ss.pop(f"{table}_{ss[GEN]}_start", None)
    ss[GEN] += 1


# ---------------------------------------------------------------- form


def _limits(name: str) -> dict[str, float]:
    """A widget's min_value and max_value: the case file's limits (srgvhd.clinical.case.LIMITS)."""
    low, high = LIMITS[name]
    return {"min_value": low, "max_value": high}


def _draw_patient(slots: dict[str, Any]) -> None:
    st.subheader("Patient")
    st.number_input("Age (years)", **_limits("age_years"), step=1.0, format=NUMBER_FORMAT,
                    key=WIDGET_KEYS["age_years"])
    slots["age_years"] = st.empty()
    st.number_input("Weight (kg)", **_limits("weight_kg"), step=0.5, format=NUMBER_FORMAT,
                    key=WIDGET_KEYS["weight_kg"], help=RULE_TEXT["child_thresholds"])
    slots["weight_kg"] = st.empty()
    value, unit = st.columns([3, 1])
    value.number_input("Hemoglobin", min_value=0.0, step=1.0, format=NUMBER_FORMAT,
                       key=WIDGET_KEYS["hemoglobin_value"],
                       help="At the start of second-line therapy; read in the unit chosen "
                       "beside it (90 g/L = 9.0 g/dL is the model's threshold).")
    unit.selectbox("Hemoglobin unit", HEMOGLOBIN_UNITS, key=WIDGET_KEYS["hemoglobin_unit"])
    slots["hemoglobin_value"] = st.empty()


def _draw_steroids(form: dict[str, Any], slots: dict[str, Any]) -> None:
    st.subheader("Steroids")
    st.date_input("Steroid start date (day 0)", format="YYYY-MM-DD", min_value=EARLIEST,
                  max_value=LATEST, key=WIDGET_KEYS["steroid_start"])
    slots["steroid_start"] = st.empty()
    st.number_input("Methylprednisolone (mg/kg/day)", **_limits(DOSE), step=0.5,
                    format=NUMBER_FORMAT, key=WIDGET_KEYS["mp_dose"],
                    help="The study rules assume 2 mg/kg/day; a lower dose gives a warning.")
    slots["mp_dose"] = st.empty()
    st.checkbox("Steroid intolerant (clinician's judgement, EBMT 2018)",
                key=WIDGET_KEYS["steroid_intolerant"])
    slots["steroid_intolerant"] = st.empty()
    st.caption("Dose changes (date from which the new dose applies; 0 = stopped)")
    _draw_table(form, "dose_changes", {
        "date": _date_column(),
        "dose": st.column_config.NumberColumn(
            "Methylprednisolone mg/kg/day", **_limits(DOSE), required=True, format=NUMBER_FORMAT,
            help="Dose from this date on (0 = stopped)"),
    })
    slots["dose_changes"] = st.empty()


def _date_column() -> Any:
    """A table's date column, wide enough for YYYY-MM-DD ("small" clips it, "medium" wastes
    100 px of a table that needs every pixel)."""
    return st.column_config.DateColumn("Date", format="YYYY-MM-DD", required=True, width=92)


def _number_column(label: str, tip: str, width: int, **limits: float) -> Any:
    """A narrow numeric column (``width`` px, just wider than its header)."""
    return st.column_config.NumberColumn(label, help=tip, width=width, format=NUMBER_FORMAT,
                                         **limits)


def _check_column(label: str, tip: str, width: int) -> Any:
    """A narrow true/false column, unticked by default."""
    return st.column_config.CheckboxColumn(label, help=tip, width=width, default=False)


def _assessment_columns() -> dict[str, Any]:
    """The table's columns: short headers, the full words and units in each help tooltip, and
    pixel widths chosen so that all 14 fit a 1400 px screen beside the sidebar.

    They do not depend on other widgets: a changed column setup would make Streamlit treat the
    table as a new widget and drop the edits typed into it.
    """
    stage = "stage entered by the clinician (mode 'stages'; blank = 0)"
    bsa = _limits("bsa_percent")
    return {
        "date": _date_column(),
        "mode": st.column_config.SelectboxColumn(
            "Mode", options=F.MODES, required=True, default="findings", width=70,
            help="'findings': stage from the raw findings; 'stages': use the entered stages"),
        "rash_bsa": _number_column("Rash % BSA", "Skin rash, % body surface area", 102, **bsa),
        "bullae_bsa": _number_column("Bullae", "Bullae/desquamation, % body surface area", 72,
                                     **bsa),
        "bilirubin": _number_column("Bili", "Total bilirubin, in the unit chosen above", 58,
                                    min_value=0.0),
        "upper_gi": _check_column("UGI sx", "Persistent upper-GI symptoms (anorexia, nausea, "
                                  "vomiting)", 70),
        "stool_ml": _number_column("Stool mL/day", "Stool volume, mL per day", 108,
                                   min_value=0.0),
        "stool_episodes": _number_column("n/day", "Stool episodes per day", 66, min_value=0.0),
        "pain_ileus": _check_column("Pain", "Severe abdominal pain or ileus", 58),
        "bloody_stool": _check_column("Blood", "Grossly bloody stool", 70),
        **{
            column: _number_column(STAGE_COLUMNS[organ][0], f"{STAGE_COLUMNS[organ][1]} {stage}",
                                   STAGE_COLUMNS[organ][2], min_value=0,
                                   max_value=MAX_STAGE[organ], step=1)
            for column, organ in F.STAGE_FIELDS.items()
        },
    }


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """The editor's starting table with typed columns (dates, numbers, true/false).

    pandas is imported here, not at the page top: the patient inputs above are sent first.
    """
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns))
    frame["date"] = pd.to_datetime(frame["date"])
    for column in columns:
        if column in F.BOOLEAN_FINDINGS:
            frame[column] = frame[column].fillna(False).astype(bool)
        elif column not in ("date", "mode"):
            frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


def _draw_table(form: dict[str, Any], table: str, config: dict[str, Any]) -> None:
    """An editable table seeded from the form; its edits are read back into the form.

    The editor is given the same starting table while its edits live in its widget state; when
    that state is gone (first visit, page switch) it starts from the form's current rows.
    """
    key = f"{TABLE_KEYS[table]}_{ss[GEN]}"
    start = f"{key}_start"
    if key not in ss or start not in ss:
        ss[start] = _frame(form[table], tuple(config))
    edited = st.data_editor(ss[start], key=key, num_rows="dynamic", hide_index=True,
                            column_config=config, column_order=tuple(config), placeholder="")
    form[table] = edited.to_dict("records")


def _draw_form(form: dict[str, Any]) -> dict[str, Any]:
    """Draw every input; returns, by form key, the empty place under each widget where its
    problems are written once the whole form has been checked."""
    slots: dict[str, Any] = {}
    left, right = st.columns(2)
    with left:
        _draw_patient(slots)
    with right:
        _draw_steroids(form, slots)
    st.subheader("Assessments")
    st.caption("One row per assessment; the row on the steroid start date is the baseline. "
               "An empty cell means not measured / not involved (an empty stage: stage 0). "
               "Hover a column header for its full name and unit.")
    unit_col, grade_col, rule_col = st.columns(3)
    unit_col.selectbox("Bilirubin unit", BILIRUBIN_UNITS, key=WIDGET_KEYS["bilirubin_unit"],
                       format_func=lambda u: UNIT_WORDS.get(u, u))
    grade_col.selectbox("Grade for the risk model", F.GRADE_OVERRIDES,
                        key=WIDGET_KEYS["grade_override"],
                        format_func=lambda g: "course maximum" if g == "none" else g,
                        help=RULE_TEXT["risk_grade"])
    rule_col.selectbox("Rule set", RULE_SETS, key=WIDGET_KEYS["rule_set"],
                       format_func=RULE_SET_LABELS.get)
    slots["grade_override"] = grade_col.empty()
    _draw_table(form, "assessments", _assessment_columns())
    slots["assessments"] = st.empty()
    return slots


def _show_problems(slots: dict[str, Any], problems: dict[str, list[str]]) -> None:
    for key, messages in problems.items():
        target = slots.get(key)
        text = "\n\n".join(ui.plain(m) for m in messages)
        if target is None:
            st.error(text)
        else:
            target.error(text)


# ---------------------------------------------------------------- results


def _draw_verdict(result: dict[str, Any]) -> None:
    status = result["status"]
    box = VERDICT_BOX.get(status["value"], st.info)
    box(f"**{status['sentence']}**  \nRule set: {RULE_SET_LABELS[result['rule_set']]}.")
    for warning in result["warnings"]:
        st.warning(ui.plain(warning))


def _draw_course_table(result: dict[str, Any]) -> None:
    rows = [
        {
            "day": a["day"],
            "date": a["date"],
            "skin": a["stages"]["skin"],
            "liver": a["stages"]["liver"],
            "upper GI": a["stages"]["upper_gi"],
            "lower GI": a["stages"]["lower_gi"],
            "MAGIC grade": a["grade"],
            "Minnesota risk": a["minnesota_risk"] or "—",
            "response": a["response"] or "baseline",
            "notes": "; ".join(a["notes"]),
        }
        for a in result["assessments"]
    ]
    st.table(rows)
    rules = ["stool_volume_vs_episodes", "mixed_response"]
    if result["rule_set"] == "ebmt2018":
        rules.append("ebmt_windows")
    st.caption("Rules of this project: " + " ".join(RULE_TEXT[key] for key in rules))


def _draw_timeline(result: dict[str, Any]) -> None:
    """MAGIC grade by day; the response markers in fixed colour-blind-safe colours and shapes,
    the legend below the chart (a legend at the right edge got clipped)."""
    import altair as alt
    import pandas as pd

    from srgvhd.clinical.grading import GRADES, grade_rank

    data = pd.DataFrame([
        {"day": a["day"], "grade": grade_rank(a["grade"]), "MAGIC grade": a["grade"],
         "response": a["response"] or "baseline"}
        for a in result["assessments"]
    ])
    labels = "[" + ",".join(f"'{g}'" for g in GRADES) + "][datum.value]"
    base = alt.Chart(data).encode(
        x=alt.X("day:Q", title="day of steroids", scale=alt.Scale(padding=12),
                axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("grade:Q", title="MAGIC grade", scale=alt.Scale(domain=[0, len(GRADES) - 1]),
                axis=alt.Axis(values=list(range(len(GRADES))), labelExpr=labels)),
    )
    shown = [r for r in RESPONSE_COLOURS if r in set(data["response"])]
    legend = alt.Legend(orient="bottom", direction="horizontal", title="response")
    points = base.mark_point(size=160, filled=True, opacity=1).encode(
        color=alt.Color("response:N", legend=legend, scale=alt.Scale(
            domain=shown, range=[RESPONSE_COLOURS[r] for r in shown])),
        shape=alt.Shape("response:N", legend=legend, scale=alt.Scale(domain=shown)),
        tooltip=["day", "MAGIC grade", "response"],
    )
    st.altair_chart(base.mark_line(color="#999") + points, width="stretch")


def _draw_risk(result: dict[str, Any], loaded: ui.ActiveModel) -> None:
    from srgvhd.report.text import driving_factors, model_hazard_ratios

    st.subheader("Survival risk (Cox model)")
    risk = result.get("risk")
    if risk is None or loaded.model is None:
        st.info("No survival estimate for this patient; the warnings above say why.")
        return
    low, high = risk["hazard_ratio_ci"]
    _metric_with_interval(
        ("Hazard ratio vs reference patient", f"{risk['hazard_ratio']:.2f}"),
        ("95% CI of the hazard ratio", f"{low:.2f}–{high:.2f}"),
        "Reference: age 18–34, grade III, Hb > 90 g/L (Niu et al. 2026).")
    for days, words in (("180", "6 months"), ("365", "12 months")):
        estimate = risk["survival"][days]
        if estimate["estimate"] is None:
            _metric_with_interval((f"Survival at {words}", "—"), (f"95% band at {words}", "—"),
                                  "beyond the cohort's follow-up")
            continue
        _metric_with_interval(
            (f"Survival at {words}", f"{estimate['estimate']:.0%}"),
            (f"95% band at {words}", f"{estimate['lower']:.0%}–{estimate['upper']:.0%}"),
            risk["band_method"])
    _draw_curve(risk["curve"])
    hazard_ratios = model_hazard_ratios(loaded.model.covariates, loaded.model.beta)
    factors = driving_factors(risk["covariates"], hazard_ratios)
    st.markdown("**Driving factors:** " + "; ".join(factors))
    st.caption(f"Grade used: {risk['covariates']['grade']} ({risk['grade_source']}). "
               f"Model {risk['model_version']}. {risk['band_method']}")


def _metric_with_interval(estimate: tuple[str, str], interval: tuple[str, str], tip: str) -> None:
    """An estimate and its 95% interval side by side at the same size, so a wide interval is
    read as prominently as the point estimate."""
    left, right = st.columns(2)
    left.metric(*estimate, help=tip)
    right.metric(*interval, help=tip)


def _draw_curve(curve: dict[str, list]) -> None:
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(curve).dropna()
    base = alt.Chart(data).encode(x=alt.X("days:Q", title="days from second-line therapy"))
    band = base.mark_area(opacity=0.25).encode(
        y=alt.Y("lower:Q", title="survival", scale=alt.Scale(domain=[0, 1])), y2="upper:Q")
    st.altair_chart(band + base.mark_line().encode(y="estimate:Q"), width="stretch")


def _draw_matched_benchmarks(result: dict[str, Any]) -> None:
    from srgvhd.literature.matching import matched_benchmarks
    from srgvhd.literature.published import comparison_table

    st.subheader("Published benchmarks")
    st.caption("Niu et al. 2026, week-4 complete response in the subgroups matching this "
               "patient (UC-MSC + standard vs standard alone)")
    st.table(comparison_table(matched_benchmarks(result)), hide_index=True)


def _draw_other_benchmarks() -> None:
    from srgvhd.literature.published import LATER_OUTCOMES, comparison_table, external_table

    st.caption("Niu et al. 2026, later outcomes of both arms: survival, relapse, infection, "
               "chronic GVHD")
    st.table(comparison_table(LATER_OUTCOMES), hide_index=True)
    st.caption("Other second-line benchmarks (ruxolitinib, BM-MSC, …) with their sources")
    st.table(external_table(), hide_index=True)


def _summary_pdf(case: Case, result: dict[str, Any], card: dict | None) -> bytes:
    from srgvhd.report.summary import build_summary_pdf

    return build_summary_pdf(case_to_dict(case), result, model_card=card)


def _draw_results(case: Case, form: dict[str, Any]) -> None:
    from srgvhd.clinical.course import assess_case, attach_risk

    result = assess_case(case, form["rule_set"])
    loaded = ui.active_model()
    attach_risk(result, case, loaded.model)
    st.header("Result")
    _draw_verdict(result)
    _draw_course_table(result)
    _draw_timeline(result)
    risk_col, bench_col = st.columns(2)
    with risk_col:
        _draw_risk(result, loaded)
    with bench_col:
        _draw_matched_benchmarks(result)
    _draw_other_benchmarks()
    card = None if loaded.model is None else loaded.model.card
    st.download_button("Download summary (PDF)", data=lambda: _summary_pdf(case, result, card),
                       file_name="srgvhd-summary.pdf", mime="application/pdf",
                       on_click="ignore", key="assess_download_pdf")
    st.caption("Decision support, not a substitute for clinical judgement.")


def _draw_save(case: Case | None) -> None:
    if case is None:
        st.sidebar.download_button("Save case", data="", disabled=True, key="assess_save_case")
        st.sidebar.caption("Fix the problems marked on the form to save the case.")
        return
    st.sidebar.download_button("Save case", data=dumps_case(case), file_name="srgvhd-case.json",
                               mime="application/json", on_click="ignore",
                               key="assess_save_case")


# ---------------------------------------------------------------- page


def _draw_opener() -> None:
    """The "Open case" uploader and why a file was refused. Its callback fills the form."""
    st.file_uploader("Open case", type=["json"], key=OPEN_UPLOADER, on_change=_open_case,
                     max_upload_size=CASE_UPLOAD_MB)
    for problem in ss.get(OPEN_PROBLEMS, []):
        st.error(f"Case file not opened, the form is unchanged: {ui.plain(problem)}")


def _draw_page() -> None:
    """The form, then the result or what stops it."""
    form = _state()
    _seed_widgets(form)
    st.title("Assess a steroid course")
    slots = _draw_form(form)
    _read_widgets(form)
    if F.is_blank(form):
        _draw_save(None)
        st.info("Enter the patient, the steroid start and the assessments (the first on the "
                "start date), or open a saved case.")
        return
    try:
        case = parse_case(F.form_to_case_dict(form))
    except InputError as exc:
        _draw_save(None)
        _show_problems(slots, F.problems_by_widget(exc.problems))
        st.info("Fix the problems marked above to see the result.")
        return
    _draw_save(case)
    _draw_results(case, form)


def main() -> None:
    """Draw the Assess page; the sidebar's "Open case" slot is filled last, so the form's first
    paint does not wait for it."""
    opener = st.sidebar.container()
    _draw_page()
    with opener:
        _draw_opener()
    store_panel.draw(ss[FORM], _replace_form)


main()
