"""Assess page: one patient's steroid course -> stages, grade, response, SR verdict, risk.

Drawing only. The form's logic is ``srgvhd.app.form``, its widgets ``srgvhd.app.entry``; the
clinical engine ``srgvhd.clinical.course``. Everything typed lives in
``st.session_state["assess_form"]`` and the widgets are re-seeded from it, so nothing is lost on
an error or a page switch. pandas, the risk model, charts and PDF are imported where they are
used, after the patient inputs are sent, so the form paints first; the "Open case" uploader is
drawn last (its callback fills the form before the script runs).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from srgvhd.app import entry, ui
from srgvhd.app import form as F
from srgvhd.clinical.case import Case, case_to_dict, dumps_case, loads_case, parse_case
from srgvhd.clinical.policy import PROJECT_RULES
from srgvhd.clinical.refractory import DEPENDENT, REFRACTORY, RESPONSIVE, RULE_SET_LABELS
from srgvhd.errors import InputError

ss = st.session_state
OPEN_UPLOADER = "assess_open_case"
OPEN_PROBLEMS = "assess_open_problems"
RULE_TEXT = {rule.key: rule.text for rule in PROJECT_RULES}
CASE_UPLOAD_MB = 1  # case.loads_case refuses files over MAX_CASE_BYTES (1 MB) as well
VERDICT_BOX = {REFRACTORY: st.error, DEPENDENT: st.warning, RESPONSIVE: st.success}
# Response markers: distinct hues (after Okabe & Ito and Paul Tol's colour-blind-safe palettes),
# each at least 3:1 against the white background (WCAG 2.1 SC 1.4.11, non-text contrast);
# progression in vermillion, baseline in black.
RESPONSE_COLOURS = {"baseline": "#000000", "CR": "#117733", "VGPR": "#1F78B4", "PR": "#332288",
                    "mixed": "#997700", "no response": "#AA4499", "progression": "#D55E00"}


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
    from srgvhd.risk.patient import assess_patient

    loaded = ui.active_model()
    result = assess_patient(case, loaded.model, rule_set=form["rule_set"]).to_json()
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


def _draw_save(case: Case | None, form: dict[str, Any]) -> None:
    """"Save case" (the case file as a download); it marks the form as saved."""
    if case is None:
        st.sidebar.download_button("Save case", data="", disabled=True, key="assess_save_case")
        if not F.is_blank(form):
            st.sidebar.caption("The case can be saved once it can be assessed.")
        return
    st.sidebar.download_button("Save case", data=dumps_case(case), file_name="srgvhd-case.json",
                               mime="application/json", on_click=entry.mark_saved,
                               args=(form,), key="assess_save_case")


# ---------------------------------------------------------------- page


def _open_case() -> None:
    """The "Open case" uploader's callback (it runs before the script, so the form is filled on
    the same run): replace the form with the opened case file; a refused file changes nothing.
    An older-format (srgvhd-case/1) file gets a notice under the uploader."""
    uploaded = ss.get(OPEN_UPLOADER)
    ss.pop(entry.OPEN_NOTICE, None)
    if uploaded is None:
        ss.pop(OPEN_PROBLEMS, None)
        return
    try:
        case = loads_case(uploaded.getvalue())
    except InputError as exc:
        ss[OPEN_PROBLEMS] = [str(p) for p in exc.problems]
        return
    ss.pop(OPEN_PROBLEMS, None)
    entry.open_case(case)


def _draw_opener() -> None:
    """The "Open case" uploader and why a file was refused. Its callback fills the form."""
    st.file_uploader("Open case", type=["json"], key=OPEN_UPLOADER, on_change=_open_case,
                     max_upload_size=CASE_UPLOAD_MB)
    for problem in ss.get(OPEN_PROBLEMS, []):
        st.error(f"Case file not opened, the form is unchanged: {ui.plain(problem)}")
    if entry.OPEN_NOTICE in ss:
        st.warning(ss[entry.OPEN_NOTICE])


def _show_problems(slots: dict[str, Any], problems: dict[str, list[str]]) -> None:
    """Each problem under its field (``general`` ones, and any without a field, at the end)."""
    for slot, messages in problems.items():
        text = "\n\n".join(ui.plain(m) for m in messages)
        (slots.get(slot) or st).error(text)


def _draw_page() -> None:
    """The form, then the result or what stops it (on narrow screens the result comes first)."""
    form = entry.state()
    st.title("Assess a steroid course")
    form_block = st.container(key="assess_form_block")
    result_block = st.container(key="assess_result")
    with form_block:
        slots = entry.draw_form(form)
    entry.draw_unload_guard(form)
    if F.is_blank(form):
        _draw_save(None, form)
        result_block.info("Enter the patient, the steroid start and the assessments (the first "
                          "on the start date), or open a saved case.")
        return
    reading = F.read_form(form)
    for slot, words in F.read_as(form, reading).items():
        if slot not in reading.problems:
            slots[slot].caption(words)
    _show_problems(slots, reading.problems)
    if not reading.ok:
        _draw_save(None, form)
        lines = []
        if reading.problems:
            marked = ", ".join(F.slot_words(form, slot) for slot in reading.problems)
            lines.append(f"The result appears when the entries marked in red are corrected "
                         f"({ui.plain(marked)}).")
        if reading.missing:
            lines.append("To see the result, enter: "
                         + "; ".join(ui.plain(m) for m in reading.missing) + ".")
        result_block.info("  \n".join(lines))
        return
    case = parse_case(reading.case)
    _draw_save(case, form)
    with result_block:
        _draw_results(case, form)


def main() -> None:
    """Draw the Assess page; the sidebar's "Open case" slot is filled last, so the form's first
    paint does not wait for it."""
    opener = st.sidebar.container()
    _draw_page()
    with opener:
        _draw_opener()


main()
