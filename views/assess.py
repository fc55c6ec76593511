"""Assess page: one patient's steroid course -> stages, grade, response, SR verdict, risk.

Drawing only. The form's logic is ``srgvhd.app.form``, its widgets ``srgvhd.app.entry``; the
clinical engine ``srgvhd.clinical.course``. Everything typed lives in
``st.session_state["assess_form"]`` and the widgets are re-seeded from it, so nothing is lost on
an error or a page switch. pandas, the risk model, charts and PDF are imported where they are
used, after the patient inputs are sent, so the form paints first; the "Open case" uploader is
drawn last (its callback fills the form before the script runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from srgvhd.app import ehr_panel, entry, store_panel, ui
from srgvhd.app import form as F
from srgvhd.app import second_line as second_line_ui
from srgvhd.app.form_checks import Question, bilirubin_questions
from srgvhd.app.form_words import file_problem_words
from srgvhd.clinical.case import Case, dumps_case, loads_case, parse_case
from srgvhd.clinical.course import steroid_phase
from srgvhd.clinical.policy import PROJECT_RULES
from srgvhd.errors import InputError, Problem
from srgvhd.i18n import N_, _, current

if TYPE_CHECKING:
    from srgvhd.clinical.results import CourseResult
    from srgvhd.risk.model import RiskModel
    from srgvhd.risk.patient import PatientResult
    from srgvhd.risk.predict import RiskEstimate, SurvivalCurve

ss = st.session_state
OPEN_UPLOADER = "assess_open_case"
OPEN_PROBLEMS = "assess_open_problems"
CONFIRMED = "assess_confirmed_values"  # tokens of values confirmed (srgvhd.app.form_checks)
RULE_TEXT = {rule.key: rule.text for rule in PROJECT_RULES}
CASE_UPLOAD_MB = 1  # case.loads_case refuses files over MAX_CASE_BYTES (1 MB) as well
NO_VERDICT = N_("No verdict yet")
REFERENCE_INTERVAL = N_("— (reference patient)")
BAR_TO_CORRECT = N_("Correct the entries marked in red: {where}.")
BAR_TO_CONFIRM = N_("Confirm or correct the values asked about: {where}.")
BAR_TO_ENTER = N_("Still to enter: {count} (listed below the form).")
# course table headers, ORGANS order
COURSE_STAGES = (N_("skin"), N_("liver"), N_("upper GI"), N_("lower GI"))


# ---------------------------------------------------------------- results


def _tone_box(tone: str) -> Any:
    """The Streamlit alert of a headline's tone (srgvhd.report.text.headline): red, amber,
    green, blue."""
    from srgvhd.report import text as words

    return {
        words.TONE_REFRACTORY: st.error,
        words.TONE_ATTENTION: st.warning,
        words.TONE_RESPONSIVE: st.success,
    }.get(tone, st.info)


def _draw_bar(course: CourseResult) -> None:
    """The compact verdict bar that stays in sight while typing (``VERDICT_BAR_CSS``): status,
    rule and day, the highest grade, and what to do next."""
    from srgvhd.report import text as words

    lead = words.headline(course.status, words.report_today())
    grade = _(words.BAR_GRADE, grade=words.max_grade_text(course))
    _tone_box(lead.tone)(
        f"**{ui.plain(lead.title)}** · {ui.plain(lead.where)} · {ui.plain(grade)}  \n"
        f"{ui.plain(lead.action)}"
    )


def _draw_verdict(result: PatientResult) -> None:
    """Which organs each assessment measured, then the verdict's headline coloured by its tone
    (it leads with what to do: clinical-rules.md §7.6), then the warnings."""
    from srgvhd.report import text as words

    course = result.course
    st.caption("  \n".join(ui.plain(line) for line in words.completeness_lines(course)))
    lead = words.headline(course.status, words.report_today())
    _tone_box(lead.tone)(
        f"**{ui.plain(lead.text)}**  \n"
        + _("Rule set: {rule_set}.", rule_set=words.rule_set_text(course.rule_set))
    )
    for warning in (*course.warnings, *result.warnings):
        st.warning(ui.plain(warning))


def _draw_course_table(course: CourseResult, case: Case) -> None:
    """Stages beside the raw findings they came from; "n/m" for an organ not measured and a
    marked grade when it was computed without it (clinical-rules.md §7)."""
    from srgvhd.report import text as words

    rows = []
    for a, entered in zip(course.assessments, steroid_phase(case).assessments, strict=True):
        rows.append(
            {  # day, response and grade first: in sight on a phone without scrolling sideways
                _("day"): a.day,
                _("response"): words.response_text(a.response),
                _("MAGIC grade"): words.grade_text(a.grade, a.grade_incomplete),
                _("date"): a.date.isoformat(),
                **{
                    _(label): words.stage_text(stage)
                    for label, stage in zip(COURSE_STAGES, a.stages.as_dict().values(), strict=True)
                },
                _("Minnesota risk"): a.minnesota_risk or "—",
                _("findings"): (
                    _("stages entered")
                    if entered.measurements is None
                    else words.findings_text(entered.measurements, legacy=case.legacy)
                ),
                _("notes"): "; ".join(current().text(note) for note in a.notes),
            }
        )
    import pyarrow as pa

    with st.container(key="assess_course_table"):
        st.table(pa.Table.from_pylist(rows), hide_index=True)  # as is: no pandas per rerun
    legends = words.marks_legend(
        [str(value) for row in rows for value in row.values()],
        any(a.grade_incomplete for a in course.assessments),
    )
    rules = ["stool_volume_vs_episodes", "mixed_response"]
    if course.rule_set == "ebmt2018":
        rules.append("ebmt_windows")
    st.caption(
        " ".join(
            [
                *(f"{legend}." for legend in legends),
                _("Rules of this project:"),
                *(current().text(RULE_TEXT[key]) for key in rules),
            ]
        )
    )


def _draw_scores(course: CourseResult) -> None:
    """EASIX, MAP and the day-28 response when the case has them, each with its published
    meaning and source (srgvhd.clinical.scores; docs/interfaces.md §6)."""
    from srgvhd.report import text as words

    items = words.score_items(course.scores)
    if not items:
        return
    st.subheader(_("Bedside scores"))
    for headline, detail in items:
        st.markdown(f"**{ui.plain(headline)}**")
        st.caption(ui.plain(detail))


def _draw_timeline(course: CourseResult) -> None:
    """MAGIC grade by day with response markers (a plain Vega-Lite spec, srgvhd.report.vega)."""
    from srgvhd.report.vega import timeline_spec

    st.vega_lite_chart(timeline_spec(course), width="stretch")
    if any(a.grade_incomplete for a in course.assessments):
        st.caption(
            _(
                "Faded marker: a grade from an assessment with an organ not measured — a lower "
                "bound (hover for the organ)."
            )
        )


def _draw_risk(result: PatientResult, loaded: ui.ActiveModel) -> None:
    """The Cox estimate: the patient's own when the course is steroid-refractory, otherwise in
    a collapsed "If this course becomes steroid-refractory" expander (the model was fitted on
    refractory patients, Niu et al. 2026); method notes in their own expander."""
    from srgvhd.report import text as words

    risk = result.risk  # srgvhd.risk.predict.RiskEstimate
    own = words.risk_is_own(result.course.status.value)
    st.subheader(_(words.OWN_RISK_HEADING) if own else _("Survival risk"))
    if risk is None or loaded.model is None:
        st.info(_("No survival estimate for this patient; the warnings above say why."))
        return
    if own:
        _draw_risk_figures(risk, loaded)
    else:
        with st.expander(_(words.CONDITIONAL_RISK_HEADING), expanded=False):
            st.caption(_(words.CONDITIONAL_RISK_NOTE))
            _draw_risk_figures(risk, loaded)
    with st.expander(_("Statistical method"), expanded=False):
        st.caption(
            _(
                "Grade used: {grade} ({source}). Model {version}. Hazard ratio: Wald 95% CI. "
                "{band}",
                grade=risk.grade,
                source=words.engine_text(result.grade_source or "—"),
                version=ui.plain(risk.model_version),
                band=words.engine_text(risk.band_method),
            )
        )


def _draw_risk_figures(risk: RiskEstimate, loaded: ui.ActiveModel) -> None:
    """Hazard ratio and survival at each horizon with their intervals, curve, driving factors."""
    from srgvhd.report import text as words

    if loaded.model.card.synthetic:  # beside the figures, not only in the banner at the top
        st.warning(f"{_(ui.REFERENCE_MODEL_WARNING)}.", icon=":material/warning:")
    reference = words.is_reference_patient(risk)
    _metric_with_interval(
        (_("Hazard ratio vs reference patient"), words.ratio(risk.hazard_ratio)),
        (
            _("95% CI of the hazard ratio"),
            _(REFERENCE_INTERVAL)
            if reference
            else "–".join(map(words.ratio, risk.hazard_ratio_ci)),
        ),
        _("Reference: {patient} (Niu et al. 2026).", patient=words.reference_patient_text()),
    )
    for day, s in risk.survival.items():
        horizon = words.horizon_text(day)
        if s.estimate is None:
            _metric_with_interval(
                (_("Survival at {horizon}", horizon=horizon), "—"),
                (_("95% band at {horizon}", horizon=horizon), "—"),
                _(words.NOT_ESTIMATED),
            )
            continue
        _metric_with_interval(
            (_("Survival at {horizon}", horizon=horizon), words.percent(s.estimate)),
            (
                _("95% band at {horizon}", horizon=horizon),
                f"{words.percent(s.lower)}–{words.percent(s.upper)}",
            ),
            words.engine_text(risk.band_method),
        )
    _draw_curve(risk.curve, list(risk.survival))
    hazard_ratios = words.model_hazard_ratios(loaded.model.covariates, loaded.model.beta)
    factors = words.driving_factors(risk, hazard_ratios)
    st.markdown(_("**Driving factors:** {factors}", factors="; ".join(factors)))


def _metric_with_interval(estimate: tuple[str, str], interval: tuple[str, str], tip: str) -> None:
    """An estimate and its 95% interval side by side at the same size, so a wide interval is
    read as prominently as the point estimate."""
    left, right = st.columns(2)
    left.metric(*estimate, help=tip)
    right.metric(*interval, help=tip)


def _draw_curve(curve: SurvivalCurve, horizons: list[int]) -> None:
    """Predicted survival with its band (a plain Vega-Lite spec, srgvhd.report.vega)."""
    from srgvhd.report.vega import survival_spec

    st.vega_lite_chart(survival_spec(curve, horizons), width="stretch")


def _draw_matched_benchmarks(course: CourseResult) -> None:
    from srgvhd.literature.matching import matched_benchmarks
    from srgvhd.literature.published import comparison_table

    st.subheader(_("Published benchmarks"))
    st.caption(
        _(
            "Niu et al. 2026, week-4 complete response in the subgroups matching this "
            "patient (UC-MSC + standard vs standard alone)"
        )
    )
    st.table(ui.arrow_table(comparison_table, tuple(matched_benchmarks(course))), hide_index=True)


def _draw_other_benchmarks() -> None:
    from srgvhd.literature.published import LATER_OUTCOMES, comparison_table, external_table

    st.caption(
        _(
            "Niu et al. 2026, later outcomes of both arms: survival, relapse, infection, "
            "chronic GVHD"
        )
    )
    st.table(ui.arrow_table(comparison_table, LATER_OUTCOMES), hide_index=True)
    st.caption(_("Other second-line benchmarks (ruxolitinib, BM-MSC, …) with their sources"))
    st.table(ui.arrow_table(external_table), hide_index=True)


def _summary_pdf(case: Case, result: PatientResult, model: RiskModel | None) -> bytes:
    from srgvhd.report.summary import build_summary_pdf

    return build_summary_pdf(case, result, model)


def _draw_results(case: Case, result: PatientResult, loaded: ui.ActiveModel) -> None:
    st.header(_("Result"), anchor=False)
    _draw_verdict(result)
    _draw_course_table(result.course, case)
    _draw_timeline(result.course)
    _draw_scores(result.course)
    second_line_ui.draw_result(result)
    risk_col, bench_col = st.columns(2)
    with risk_col:
        _draw_risk(result, loaded)
    with bench_col:
        _draw_matched_benchmarks(result.course)
    _draw_other_benchmarks()
    st.download_button(
        _("Download summary (PDF)"),
        data=lambda: _summary_pdf(case, result, loaded.model),
        file_name="srgvhd-summary.pdf",
        mime="application/pdf",
        on_click="ignore",
        key="assess_download_pdf",
    )
    ehr_panel.draw_file_to_chart(
        lambda: _summary_pdf(case, result, loaded.model), result.course.status.sentence
    )
    st.caption(_("Decision support, not a substitute for clinical judgement."))


def _draw_save(case: Case | None, form: dict[str, Any]) -> None:
    """ "Save case" (the case file as a download); it marks the form as saved."""
    if case is None:
        st.download_button(_("Save case"), data="", disabled=True, key="assess_save_case")
        if not F.is_blank(form):
            st.caption(_("The case can be saved once it can be assessed."))
        return
    st.download_button(
        _("Save case"),
        data=dumps_case(case),
        file_name="srgvhd-case.json",
        mime="application/json",
        on_click=entry.mark_saved,
        args=(form,),
        key="assess_save_case",
    )


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
        ss[OPEN_PROBLEMS] = list(exc.problems)  # worded when drawn, in the language then
        return
    refusal = ehr_panel.other_patient(case.patient.ehr)
    if refusal is not None:  # a SMART launch for another patient: one course, one patient
        ss[OPEN_PROBLEMS] = [refusal]
        return
    ss.pop(OPEN_PROBLEMS, None)
    entry.open_case(case)


def _draw_opener() -> None:
    """The "Open case" uploader and why a file was refused. Its callback fills the form."""
    st.file_uploader(
        _("Open case"),
        type=["json"],
        key=OPEN_UPLOADER,
        on_change=_open_case,
        max_upload_size=CASE_UPLOAD_MB,
    )
    for problem in ss.get(OPEN_PROBLEMS, []):
        words = (  # a refusal of another patient's case is already in words
            file_problem_words(problem.where, problem.what)
            if isinstance(problem, Problem)
            else problem
        )
        st.error(
            _("Case file not opened, the form is unchanged: {problem}", problem=ui.plain(words))
        )
    if entry.OPEN_NOTICE in ss:
        st.warning(ss[entry.OPEN_NOTICE])


def _show_problems(slots: dict[str, Any], problems: dict[str, list[str]]) -> None:
    """Each problem under its field (``general`` ones, and any without a field, at the end)."""
    for slot, messages in problems.items():
        text = "\n\n".join(ui.plain(m) for m in messages)
        (slots.get(slot) or st).error(text)


def _confirm(token: str) -> None:
    """Button callback: the clinician confirmed a value the page asked about."""
    ss[CONFIRMED] = {*ss.get(CONFIRMED, ()), token}


def _draw_question(question: Question) -> None:
    """The plausibility question under its assessment, and the button that confirms it."""
    st.warning(ui.plain(question.question), icon=":material/help:")
    st.button(
        question.confirm,
        key=f"assess_confirm_{question.token}",
        on_click=_confirm,
        args=(question.token,),
    )


def _not_yet(form: dict[str, Any], reading: F.Reading, asked: dict[str, Question]) -> list[str]:
    """Why there is no verdict yet, one sentence each: entries to correct, values to confirm,
    values still missing."""
    lines = []
    if reading.problems:
        marked = ", ".join(F.slot_words(form, slot) for slot in reading.problems)
        lines.append(
            _(
                "The result appears when the entries with a red message under them are corrected "
                "({where}).",
                where=ui.plain(marked),
            )
        )
    if asked:
        marked = ", ".join(F.slot_words(form, slot) for slot in asked)
        lines.append(
            _(
                "The result appears when the values asked about are confirmed or corrected "
                "({where}).",
                where=ui.plain(marked),
            )
        )
    if reading.missing:
        lines.append(
            _(
                "To see the result, enter: {missing}.",
                missing="; ".join(ui.plain(m) for m in reading.missing),
            )
        )
    return lines


def _bar_not_yet(form: dict[str, Any], reading: F.Reading, asked: dict[str, Question]) -> str:
    """The verdict bar without a verdict: what stands in the way, counted, in a line or two
    (the full list is below the form)."""
    parts = [f"**{_(NO_VERDICT)}.**"]
    if reading.problems:
        where = ", ".join(F.slot_words(form, slot) for slot in reading.problems)
        parts.append(_(BAR_TO_CORRECT, where=ui.plain(where)))
    if asked:
        where = ", ".join(F.slot_words(form, slot) for slot in asked)
        parts.append(_(BAR_TO_CONFIRM, where=ui.plain(where)))
    if reading.missing:
        parts.append(_(BAR_TO_ENTER, count=len(reading.missing)))
    return " ".join(parts)


def _draw_entry() -> Case | None:
    """The verdict bar (sticky), the form, then the full result or what stops it; returns the
    case when it can be saved."""
    form = entry.state()
    ehr_panel.draw_banner()
    bar = st.container(key="assess_verdict_bar")
    with bar:
        entry.draw_pending_note()
    form_block = st.container(key="assess_form_block")
    result_block = st.container(key="assess_result")
    with form_block:
        slots = entry.draw_form(form)
        second_line_ui.draw_entry(form, slots)
        ehr_panel.draw_sources()
    entry.draw_unload_guard(form)
    if F.is_blank(form):
        result_block.info(
            _(
                "Enter the patient, the steroid start and the assessments (the first "
                "on the start date), or open a saved case."
            )
        )
        return None
    reading = F.read_form(form)
    confirmed = ss.get(CONFIRMED, set())
    asked = {
        q.slot: q
        for q in (bilirubin_questions(form, reading.case) if not reading.problems else [])
        if q.token not in confirmed
    }
    for slot, words in F.read_as(form, reading).items():
        if slot in reading.problems:
            continue
        if slot in asked:
            with slots[slot].container():
                st.caption(words)
                _draw_question(asked[slot])
        else:
            slots[slot].caption(words)
    _show_problems(slots, {**reading.problems, **reading.labs_problems})
    if not reading.ok or asked:
        lines = _not_yet(form, reading, asked)
        result_block.info("  \n".join(lines))
        bar.info(_bar_not_yet(form, reading, asked))
        return None
    case = parse_case(reading.case)
    loaded = ui.active_model()
    result = ui.patient_result(ss, case, form["rule_set"], loaded)
    with bar:
        _draw_bar(result.course)
    with result_block:
        _draw_results(case, result, loaded)
        if not reading.savable:  # the verdict first; then why the labs are not in it
            unfinished = [F.slot_words(form, s) for s in reading.labs_problems]
            st.warning(
                _(
                    "Labs left out of the bedside scores (and the case cannot be saved) until "
                    "completed or corrected: {labs}. The verdict does not use labs.",
                    labs=ui.plain("; ".join([*unfinished, *reading.labs_missing])),
                )
            )
    return case if reading.savable else None


def main() -> None:
    """Draw the Assess page; the sidebar's "Open case" slot is filled last, so the form's first
    paint does not wait for it."""
    store_panel.take_pending()
    opener = st.sidebar.container()
    saver = st.sidebar.container()
    st.title(_("Assess a steroid course"), anchor=False)
    case = _draw_entry()
    form = entry.state()
    with saver:
        _draw_save(case, form)
    with opener:
        _draw_opener()
    store_panel.draw(form)


main()
