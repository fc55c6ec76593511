"""Model page: the active model card beside the published hazard ratios, the model versions with
Activate (rollback), the audit log, and retraining from a cohort CSV (interfaces.md §3).

Retraining runs in a background thread (srgvhd.app.training) while a fragment shows its progress,
so the script thread is never blocked; refusals are listed as wrapped text naming the control that
helps (complete rows, low events per coefficient, file format). Each card shows cross-validated
calibration at 180 and 365 days, concordance by day and a decision curve; a new version is
compared with the active one, figure by figure, before Promote.

Retraining, promotion and activation are guarded by ``srgvhd.app.admin.may_write``: with
sign-in on, the data-manager role; without it, a configured admin secret (env
``SRGVHD_ADMIN_SECRET`` or ``st.secrets["admin_secret"]``) is always asked for, and without one
they are open only to a direct loopback session and locked otherwise (docs/security.md §2).

Every word is said in the session's language (srgvhd.i18n; terms from docs/glossary.md): the
card's figures through srgvhd.report.card_text, the engine's refusals (``Msg``) through
``engine_text``; values saved on the card and in the audit log stay English in their files.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import streamlit as st

from srgvhd.app import admin, ui
from srgvhd.app.identity import current_identity
from srgvhd.errors import InputError, Problem
from srgvhd.i18n import N_, NP_, _, current, ngettext, using
from srgvhd.report import card_text as words
from srgvhd.report import vega
from srgvhd.report.text import engine_text
from srgvhd.risk.card import CardMetrics, Exclusions, ModelCard
from srgvhd.risk.cohort import EMPTY
from srgvhd.risk.provenance import MAX_DECLARED_CHARS, declared_source
from srgvhd.risk.store import ModelStore

ss = st.session_state
NEW_CARD = "model_new_card"
JOB = "model_training_job"
REFUSAL = "model_refusal"
# Streamlit counts upload sizes in MB. A 1M-row cohort CSV is ~28 MB (perf/results/model.md);
# the server's own cap (.streamlit/config.toml server.maxUploadSize) is the same 40 MB. Larger
# files (up to srgvhd.risk.cohort.MAX_BYTES) go through `srgvhd train` on the command line.
MAX_COHORT_MB = 40
ALLOW_LOW_EPV_LABEL = N_(
    "Allow fewer than the recommended events per coefficient (recorded on the card)"
)
COMPLETE_ROWS_LABEL = N_(
    "Fit on complete rows only (rows with an empty cell are left out and listed on the card)"
)
CENTRE_LABEL = N_("Centre")
PERIOD_LABEL = N_("Period the cohort covers, e.g. 2019–2024")
DECLARED_FIELDS = (N_("Centre"), N_("Period"))  # as the refusal names them
DECLARED_HELP = N_(
    "Optional, recorded on the model card and shown in the banner; at most {n} characters on "
    "one line."
)
SEPARATOR_CHOICES = {"detect": None, "comma": ",", "semicolon": ";", "tab": "\t"}
DECIMAL_CHOICES = {"detect": None, "point (12.5)": ".", "comma (12,5)": ","}
CHOICE_WORDS = {  # the select boxes' shown words; the stored value stays the English key
    "detect": N_("detect"),
    "comma": N_("comma"),
    "semicolon": N_("semicolon"),
    "tab": N_("tab"),
    "point (12.5)": N_("point (12.5)"),
    "comma (12,5)": N_("comma (12,5)"),
}
ACTION_WORDS = {"activate": NP_("audit log", "activate"), "promote": NP_("audit log", "promote")}
PLACE = "refused file"  # the context of a refusal's place
FILE_WHERE = NP_("refused file", "file")  # a refusal's place when it is the whole file
PREVIEW_LINES = 6
AUDIT = "audit log"  # the context of the audit log's words (the same English elsewhere differs)
AUDIT_COLUMNS = {  # the audit log's fields and their headings (English message ids)
    "when": NP_("audit log", "when (UTC)"),
    "action": NP_("audit log", "action"),
    "outcome": NP_("audit log", "outcome"),
    "from_version": NP_("audit log", "from version"),
    "to_version": NP_("audit log", "to version"),
    "who": NP_("audit log", "who"),
    "training_file_sha256": NP_("audit log", "training file SHA-256"),
}


def _choice_words(key: str) -> str:
    """A select box's option in the current language."""
    return _(CHOICE_WORDS[key])


def problem_text(problem: Problem) -> str:
    """A refusal ("row 5, column age_years: 'abc' is not a number") in the current language:
    the engine's English message (``Msg``) said again by its template."""
    return _(
        "{where}: {what}",
        where=current().pgettext(PLACE, FILE_WHERE)
        if problem.where == "file"
        else engine_text(problem.where),
        what=engine_text(problem.what),
    )


def _draw_card(card: ModelCard, *, card_sha256: str | None = None) -> None:
    """One model card: provenance, coefficients, concordance, PH test, calibration, digests."""
    metrics = card.metrics
    st.markdown(
        _(
            "**Version {version}** — created {created}; n = {n}, deaths = {deaths}, events per "
            "coefficient = {per_coefficient}; data: {source}",
            version=ui.plain(card.version),
            created=words.created_text(card) if card.created_at else words.DASH,
            n=words.fmt(card.n, "d"),
            deaths=words.fmt(card.events, "d"),
            per_coefficient=words.fmt(card.events_per_coefficient, "g"),
            source=ui.plain(engine_text(card.source_sentence())),
        )
    )
    if card.statement:
        st.warning(words.said(card.statement))
    st.table(words.coefficient_rows(card))
    st.markdown(_("Concordance: {concordance}", concordance=words.concordance_text(metrics)))
    by_day = words.concordance_by_day_text(metrics)
    if by_day:
        st.markdown(by_day)
    st.markdown(words.ph_text(metrics))
    _draw_calibration(metrics)
    _draw_decision_curve(metrics)
    if card.assumptions:
        with st.expander(_("Assumptions ({n})", n=len(card.assumptions))):
            note = words.untranslated_note(card.assumptions)
            if note:
                st.caption(note)
            st.markdown("\n".join(f"- {words.said(a)}" for a in card.assumptions))
    _draw_exclusions(card.exclusions)
    declared_by = card.data_source.declared_by if card.data_source else None
    dialect = words.dialect_text(card)
    name = ui.plain(card.training_file_name or words.DASH)
    lines = [_("Source declared by {who}.", who=ui.plain(declared_by))] if declared_by else []
    if dialect:
        lines.append(
            _(
                "Training file: {name}, read as {dialect}, SHA-256 {sha256}",
                name=name,
                dialect=dialect,
                sha256=card.training_file_sha256 or words.DASH,
            )
        )
    else:
        lines.append(
            _(
                "Training file: {name}, SHA-256 {sha256}",
                name=name,
                sha256=card.training_file_sha256 or words.DASH,
            )
        )
    lines.append(_("Artifact SHA-256 {sha256}", sha256=card.artifact_sha256))
    if card_sha256:
        lines.append(_("Card SHA-256 {sha256}", sha256=card_sha256))
    st.caption("  \n".join(lines))


def _card_pdf(card: ModelCard, lang: str) -> bytes:
    from srgvhd.report.card_pdf import build_card_pdf  # fpdf2 only when the button is pressed

    return build_card_pdf(card, lang=lang)


def _card_pdf_button(card: ModelCard, key: str) -> None:
    """ "Model card (PDF)": the card's figures on two A4 pages in the page's language, built
    when clicked."""
    lang = current().lang
    st.download_button(
        _("Model card (PDF)"),
        data=partial(_card_pdf, card, lang),
        file_name=f"srgvhd-model-card-{card.version}-{lang}.pdf",
        mime="application/pdf",
        on_click="ignore",
        key=key,
    )


def _draw_calibration(metrics: CardMetrics) -> None:
    """Predicted vs Kaplan–Meier observed survival by risk third: cross-validated (chart and
    table) and apparent (table)."""
    for day, rows in metrics.calibration.items():
        cv_rows = metrics.calibration_cv.get(day)
        if cv_rows:
            st.caption(
                _(
                    "Calibration at day {day}, cross-validated ({n} patients scored by a model "
                    "fitted without them): predicted vs Kaplan–Meier observed survival, 95% CI",
                    day=int(day),
                    n=words.fmt(metrics.calibration_cv_n, "d"),
                )
            )
            st.vega_lite_chart(vega.calibration_spec(cv_rows), width="stretch")
            st.table(words.calibration_rows(cv_rows))
        st.caption(
            _(
                "Calibration at day {day}, apparent (the model scoring its own training cohort)",
                day=int(day),
            )
        )
        st.table(words.calibration_rows(rows))


def _draw_decision_curve(metrics: CardMetrics) -> None:
    """Net benefit of calling "high risk" by predicted death probability (cross-validated)."""
    curve = metrics.decision_curve_cv.get(words.DECISION_DAY)
    if not curve:
        return
    day = words.DECISION_DAY
    st.caption(
        _(
            "Decision curve at day {day} (cross-validated): net benefit of calling a patient "
            "“high risk” when the predicted probability of death by day {day} is at least the "
            "threshold (Vickers et al. 2008). {summary}",
            day=int(day),
            summary=words.decision_summary(curve),
        )
    )
    st.vega_lite_chart(vega.decision_curve_spec(curve), width="stretch")


def _draw_exclusions(report: Exclusions | None) -> None:
    """Rows a complete-rows fit left out, and why (the card's report)."""
    if report is None or not report.excluded:
        return
    with st.expander(_("Rows left out because a cell was empty ({n})", n=report.excluded)):
        st.dataframe(words.exclusion_rows(report), hide_index=True)
        if report.listed < report.excluded:
            st.caption(_("The first {n} are listed.", n=report.listed))


def _draw_versions(store: ModelStore, may_write: bool) -> None:
    st.header(_("Versions"))
    versions = store.list_versions()
    if not versions:
        st.info(_("The model store holds no versions; the bundled reference model is used."))
    for card in versions:
        name = card["version"]
        label = _version_label(card)
        left, right = st.columns([4, 1])
        left.markdown(
            ui.plain(
                label
                if "problem" not in card
                else _("{version}: {problem}", version=label, problem=str(card["problem"]))
            )
        )
        if not card["active"] and "problem" not in card:
            clicked = right.button(
                _("Activate"), key=f"model_activate_{name}", disabled=not may_write
            )
            if clicked and may_write:  # the gate again: a disabled button is never enough
                _activate(store, name, "activate")


def _version_label(card: dict) -> str:
    """ "v2 (2026-12-01 08:23 UTC) — synthetic data — active" in the current language."""
    created = card.get("created_at")
    try:
        when = words.created_text(ModelCard.from_json(card)) if created else ""
    except ValueError:  # a card the listing could not type: its text as saved
        when = str(created)
    label = _("{version} ({created})", version=card["version"], created=when)
    if card.get("synthetic"):
        label = _("{version} — synthetic data", version=label)
    if card["active"]:
        label = _("{version} — active", version=label)
    return label


def _who() -> str:
    """Who changes the model, as recorded: the session's identity (signed-in name and subject,
    proxy user, OS user on loopback), else the holder of the admin secret."""
    return current_identity().who or "admin-secret holder (no identity configured)"


def _activate(store: ModelStore, version: str, action: str) -> None:
    try:
        store.activate(version, action=action, who=_who())
    except InputError as exc:
        st.error(
            _(
                "Not activated, the active model is unchanged: {problems}",
                problems=ui.plain("; ".join(problem_text(p) for p in exc.problems)),
            )
        )
        return
    ui.clear_model_cache()
    ss.pop(NEW_CARD, None)
    st.rerun()


def _draw_audit(store: ModelStore) -> None:
    st.header(_("Audit log"))
    audit = store.read_audit()
    log = audit.entries
    if audit.unreadable_lines:
        st.warning(
            ngettext(
                "{n} unreadable line of the audit log was skipped (e.g. torn by a full disk).",
                "{n} unreadable lines of the audit log were skipped (e.g. torn by a full disk).",
                audit.unreadable_lines,
            )
        )
    if log:
        st.dataframe(
            [_audit_row(entry) for entry in log],
            hide_index=True,
            column_order=list(AUDIT_COLUMNS),
            placeholder="—",
            column_config={
                key: st.column_config.TextColumn(
                    current().pgettext(AUDIT, heading),
                    width=190 if key == "when" else "small" if key == "action" else None,
                )
                for key, heading in AUDIT_COLUMNS.items()
            },
        )
    else:
        st.caption(_("No activations recorded."))


def _audit_row(entry: dict) -> dict:
    """One audit entry with its action and outcome in the current language (the file keeps
    them in English)."""
    row = dict(entry)
    action = row.get("action")
    if isinstance(action, str) and action in ACTION_WORDS:
        row["action"] = current().pgettext(AUDIT, ACTION_WORDS[action])
    if isinstance(row.get("outcome"), str):
        row["outcome"] = engine_text(row["outcome"])
    if isinstance(row.get("when"), str):
        row["when"] = _when(row["when"])
    return row


def _when(stamp: str) -> str:
    """An audit time (ISO 8601, UTC) as the current language writes the date, with the time of
    day; a text that is no ISO time as it is."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    return f"{current().date(when.date())} {when:%H:%M:%S}"


def _draw_retrain(store: ModelStore, active: ModelCard | None, may_write: bool) -> None:
    st.header(_("Retrain on a cohort"))
    st.caption(
        _(
            "CSV, one row per patient: patient_id, age_years, grade, hemoglobin_g_l, os_days, "
            "death (optional arm, pfs_days, pfs_event, cr_week4). Comma-, semicolon- or "
            "tab-separated; decimal point or comma; as any spreadsheet saves it."
        )
    )
    _collect_finished_job()
    running = ss.get(JOB) is not None
    upload = st.file_uploader(
        _("Cohort CSV"),
        type=["csv", "txt", "tsv"],
        key="model_cohort_csv",
        max_upload_size=MAX_COHORT_MB,
        disabled=not may_write,
    )
    left, right = st.columns(2)
    declared_help = _(DECLARED_HELP, n=MAX_DECLARED_CHARS)
    centre = left.text_input(
        _(CENTRE_LABEL), key="model_centre", disabled=not may_write, help=declared_help
    )
    period = right.text_input(
        _(PERIOD_LABEL), key="model_period", disabled=not may_write, help=declared_help
    )
    with st.expander(_("File format (detected automatically)")):
        left, right = st.columns(2)
        separator = left.selectbox(
            _("Separator"),
            list(SEPARATOR_CHOICES),
            format_func=_choice_words,
            key="model_separator",
            disabled=not may_write,
        )
        decimal = right.selectbox(
            _("Decimal mark"),
            list(DECIMAL_CHOICES),
            format_func=_choice_words,
            key="model_decimal",
            disabled=not may_write,
        )
    complete = st.checkbox(
        _(COMPLETE_ROWS_LABEL), key="model_complete_rows", disabled=not may_write
    )
    allow_low = st.checkbox(
        _(ALLOW_LOW_EPV_LABEL), key="model_allow_low_epv", disabled=not may_write
    )
    fit = st.button(
        _("Validate and fit"), key="model_fit", disabled=not (may_write and upload) or running
    )
    if fit and may_write:
        from srgvhd.app import training  # deferred: lifelines + scikit-learn load only to fit

        for key in (NEW_CARD, REFUSAL):
            ss.pop(key, None)
        try:
            source = declared_source(
                centre,
                period,
                declared_by=_who(),
                fields=(_(DECLARED_FIELDS[0]), _(DECLARED_FIELDS[1])),
            )
        except InputError as exc:
            st.error(
                "\n".join(
                    [
                        _("Nothing was fitted and the active model is unchanged:"),
                        *(f"- {ui.plain(problem_text(p))}" for p in exc.problems),
                    ]
                )
            )
        else:
            ss[JOB] = training.start(
                upload.getvalue(),
                store=store,
                promote=False,
                allow_low_epv=allow_low,
                source_name=upload.name,
                complete_rows=complete,
                data_source=source,
                separator=SEPARATOR_CHOICES[separator],
                decimal_mark=DECIMAL_CHOICES[decimal],
                epv_override=_("tick “{label}” above and fit again", label=_(ALLOW_LOW_EPV_LABEL)),
            )
            ss[REFUSAL + "_preview"] = _preview(upload.getvalue())
    if ss.get(JOB) is not None:
        _draw_progress(current().lang)
    if ss.get(REFUSAL):
        _draw_refusal(ss[REFUSAL], ss.get(REFUSAL + "_preview", ""))
    new = ss.get(NEW_CARD)
    if new is None:
        return
    st.subheader(_("New version beside the current one"))
    st.markdown(words.new_version_summary(new))
    st.table(words.comparison_rows(active, new))
    left, right = st.columns([1, 3])
    promote = left.button(_("Promote"), key="model_promote", type="primary", disabled=not may_write)
    if promote and may_write:
        _activate(store, new.version, "promote")
    with right:
        _card_pdf_button(new, "model_card_pdf_new")
    left, right = st.columns(2)
    with left:
        st.markdown("**" + _("Current") + "**")
        if active is not None:
            _draw_card(active)
    with right:
        st.markdown("**" + _("New (not active)") + "**")
        _draw_card(new)


def _collect_finished_job() -> None:
    """Move a finished training job's card or refusal into the session."""
    job = ss.get(JOB)
    if job is None:
        return
    state = job.snapshot()
    if not state["done"]:
        return
    ss.pop(JOB)
    if state["card"] is not None:
        ss[NEW_CARD] = state["card"]
    else:
        ss[REFUSAL] = state["problems"]


@st.fragment(run_every=1.0)
def _draw_progress(lang: str) -> None:
    """Progress of the running job in ``lang`` (a fragment's own reruns do not run app.py's
    language choice), redrawn every second without rerunning the page; a full rerun when it
    has finished."""
    job = ss.get(JOB)
    if job is None:
        return
    state = job.snapshot()
    if state["done"]:
        st.rerun()
    with using(lang):
        text = _("Training: {step}…", step=engine_text(state["step"]))
    st.progress(min(max(state["fraction"], 0.0), 1.0), text=text)


def _preview(data: bytes) -> str:
    """The first lines of an upload as text, for choosing its format by eye."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    return "\n".join(line[:160] for line in text.splitlines()[:PREVIEW_LINES])


def _draw_refusal(problems: list, preview: str) -> None:
    """Every problem as wrapped text (never a code block), with the control that helps."""
    lines = [
        ngettext(
            "The file was refused ({n} problem); nothing was saved and the active model is "
            "unchanged.",
            "The file was refused ({n} problems); nothing was saved and the active model is "
            "unchanged.",
            len(problems),
        )
    ]
    lines += [f"- {ui.plain(problem_text(p))}" for p in problems]
    if any(p.what == EMPTY for p in problems):
        lines.append(
            "\n"
            + _(
                "To fit on the complete rows only, tick “{label}” above and fit again.",
                label=_(COMPLETE_ROWS_LABEL),
            )
        )
    st.error("\n".join(lines))
    if any(
        "separator" in p.what or "decimal" in p.what or "header" in p.what
        for p in problems
        if p.where == "file"
    ):
        st.caption(
            _(
                "The first lines of the file, to choose its format under “{expander}”:",
                expander=_("File format (detected automatically)"),
            )
        )
        st.text(preview)


def main() -> None:
    """Draw the Model page."""
    st.title(_("Risk model"))
    loaded = ui.active_model()
    active = None if loaded.model is None else loaded.model.card
    st.header(_("Active model"))
    if active is None:
        st.error(_("No model could be loaded: {error}", error=ui.plain(loaded.error)))
    else:
        _draw_card(active, card_sha256=loaded.model.card_sha256)
        _card_pdf_button(active, "model_card_pdf_active")
    store = ModelStore()
    may_write = admin.may_write()
    _draw_versions(store, may_write)
    _draw_audit(store)
    _draw_retrain(store, active, may_write)


main()
