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
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from srgvhd.app import admin, ui
from srgvhd.app.identity import current_identity
from srgvhd.errors import InputError
from srgvhd.report import card_text as words
from srgvhd.report import vega
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
ALLOW_LOW_EPV_LABEL = (
    "Allow fewer than the recommended events per coefficient (recorded on the card)"
)
COMPLETE_ROWS_LABEL = (
    "Fit on complete rows only (rows with an empty cell are left out and listed on the card)"
)
CENTRE_LABEL = "Centre"
PERIOD_LABEL = "Period the cohort covers, e.g. 2019–2024"
DECLARED_FIELDS = ("Centre", "Period")  # as the refusal names them
DECLARED_HELP = (
    f"Optional, recorded on the model card and shown in the banner; at most "
    f"{MAX_DECLARED_CHARS} characters on one line."
)
SEPARATOR_CHOICES = {"detect": None, "comma": ",", "semicolon": ";", "tab": "\t"}
DECIMAL_CHOICES = {"detect": None, "point (12.5)": ".", "comma (12,5)": ","}
PREVIEW_LINES = 6
AUDIT_COLUMNS = (
    "when",
    "action",
    "outcome",
    "from_version",
    "to_version",
    "who",
    "training_file_sha256",
)


def _draw_card(card: ModelCard, *, card_sha256: str | None = None) -> None:
    """One model card: provenance, coefficients, concordance, PH test, calibration, digests."""
    metrics = card.metrics
    st.markdown(
        f"**Version {card.version}** — created {card.created_at or words.DASH}; "
        f"n = {card.n}, deaths = {card.events}, "
        f"events per coefficient = {words.fmt(card.events_per_coefficient, '{:g}')}; "
        f"data: {ui.plain(card.source_sentence())}"
    )
    if card.statement:
        st.warning(card.statement)
    st.table(words.coefficient_rows(card))
    st.markdown(f"Concordance: {words.concordance_text(metrics)}")
    by_day = words.concordance_by_day_text(metrics)
    if by_day:
        st.markdown(by_day)
    st.markdown(words.ph_text(metrics))
    _draw_calibration(metrics)
    _draw_decision_curve(metrics)
    if card.assumptions:
        with st.expander(f"Assumptions ({len(card.assumptions)})"):
            st.markdown("\n".join(f"- {a}" for a in card.assumptions))
    _draw_exclusions(card.exclusions)
    declared_by = card.data_source.declared_by if card.data_source else None
    dialect = card.dialect_description
    st.caption(
        (f"Source declared by {ui.plain(declared_by)}.  \n" if declared_by else "")
        + f"Training file: {ui.plain(card.training_file_name or words.DASH)}"
        + (f", read as {dialect}" if dialect else "")
        + f", SHA-256 {card.training_file_sha256}  \nArtifact SHA-256 "
        f"{card.artifact_sha256}" + (f"  \nCard SHA-256 {card_sha256}" if card_sha256 else "")
    )


def _card_pdf(card: ModelCard) -> bytes:
    from srgvhd.report.card_pdf import build_card_pdf  # fpdf2 only when the button is pressed

    return build_card_pdf(card)


def _card_pdf_button(card: ModelCard, key: str) -> None:
    """ "Model card (PDF)": the card's figures on two A4 pages, built when clicked."""
    st.download_button(
        "Model card (PDF)",
        data=partial(_card_pdf, card),
        file_name=f"srgvhd-model-card-{card.version}.pdf",
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
                f"Calibration at day {day}, cross-validated ({metrics.calibration_cv_n} patients "
                "scored by a model fitted without them): predicted vs Kaplan–Meier "
                "observed survival, 95% CI"
            )
            st.vega_lite_chart(vega.calibration_spec(cv_rows), width="stretch")
            st.table(words.calibration_rows(cv_rows))
        st.caption(
            f"Calibration at day {day}, apparent (the model scoring its own training cohort)"
        )
        st.table(words.calibration_rows(rows))


def _draw_decision_curve(metrics: CardMetrics) -> None:
    """Net benefit of calling "high risk" by predicted death probability (cross-validated)."""
    curve = metrics.decision_curve_cv.get(words.DECISION_DAY)
    if not curve:
        return
    day = words.DECISION_DAY
    st.caption(
        f"Decision curve at day {day} (cross-validated): net benefit of calling a patient "
        f"“high risk” when the predicted probability of death by day {day} is at least the "
        "threshold (Vickers et al. 2008). " + words.decision_summary(curve)
    )
    st.vega_lite_chart(vega.decision_curve_spec(curve), width="stretch")


def _draw_exclusions(report: Exclusions | None) -> None:
    """Rows a complete-rows fit left out, and why (the card's report)."""
    if report is None or not report.excluded:
        return
    with st.expander(f"Rows left out because a cell was empty ({report.excluded})"):
        st.dataframe(words.exclusion_rows(report), hide_index=True)
        if report.listed < report.excluded:
            st.caption(f"The first {report.listed} are listed.")


def _draw_versions(store: ModelStore, may_write: bool) -> None:
    st.header("Versions")
    versions = store.list_versions()
    if not versions:
        st.info("The model store holds no versions; the bundled reference model is used.")
    for card in versions:
        name, created = card["version"], card.get("created_at", "")
        label = (
            f"{name} ({created})"
            + (" — synthetic data" if card.get("synthetic") else "")
            + (" — active" if card["active"] else "")
        )
        left, right = st.columns([4, 1])
        left.markdown(ui.plain(label if "problem" not in card else f"{label}: {card['problem']}"))
        if not card["active"] and "problem" not in card:
            clicked = right.button("Activate", key=f"model_activate_{name}", disabled=not may_write)
            if clicked and may_write:  # the gate again: a disabled button is never enough
                _activate(store, name, "activate")


def _who() -> str:
    """Who changes the model, as recorded: the session's identity (signed-in name and subject,
    proxy user, OS user on loopback), else the holder of the admin secret."""
    return current_identity().who or "admin-secret holder (no identity configured)"


def _activate(store: ModelStore, version: str, action: str) -> None:
    try:
        store.activate(version, action=action, who=_who())
    except InputError as exc:
        st.error(f"Not activated, the active model is unchanged: {ui.plain(exc)}")
        return
    ui.clear_model_cache()
    ss.pop(NEW_CARD, None)
    st.rerun()


def _draw_audit(store: ModelStore) -> None:
    st.header("Audit log")
    audit = store.read_audit()
    log = audit.entries
    if audit.unreadable_lines:
        st.warning(
            f"{audit.unreadable_lines} unreadable line(s) of the audit log were skipped "
            "(e.g. torn by a full disk)."
        )
    if log:
        st.dataframe(
            log,
            hide_index=True,
            column_order=AUDIT_COLUMNS,
            placeholder="—",
            column_config={
                "when": st.column_config.TextColumn("when (UTC)", width=190),
                "action": st.column_config.TextColumn(width="small"),
                "training_file_sha256": st.column_config.TextColumn("training file SHA-256"),
            },
        )
    else:
        st.caption("No activations recorded.")


def _draw_retrain(store: ModelStore, current: ModelCard | None, may_write: bool) -> None:
    st.header("Retrain on a cohort")
    st.caption(
        "CSV, one row per patient: patient_id, age_years, grade, hemoglobin_g_l, os_days, "
        "death (optional arm, pfs_days, pfs_event, cr_week4). Comma-, semicolon- or "
        "tab-separated; decimal point or comma; as any spreadsheet saves it."
    )
    _collect_finished_job()
    running = ss.get(JOB) is not None
    upload = st.file_uploader(
        "Cohort CSV",
        type=["csv", "txt", "tsv"],
        key="model_cohort_csv",
        max_upload_size=MAX_COHORT_MB,
        disabled=not may_write,
    )
    left, right = st.columns(2)
    centre = left.text_input(
        CENTRE_LABEL, key="model_centre", disabled=not may_write, help=DECLARED_HELP
    )
    period = right.text_input(
        PERIOD_LABEL, key="model_period", disabled=not may_write, help=DECLARED_HELP
    )
    with st.expander("File format (detected automatically)"):
        left, right = st.columns(2)
        separator = left.selectbox(
            "Separator", list(SEPARATOR_CHOICES), key="model_separator", disabled=not may_write
        )
        decimal = right.selectbox(
            "Decimal mark", list(DECIMAL_CHOICES), key="model_decimal", disabled=not may_write
        )
    complete = st.checkbox(COMPLETE_ROWS_LABEL, key="model_complete_rows", disabled=not may_write)
    allow_low = st.checkbox(ALLOW_LOW_EPV_LABEL, key="model_allow_low_epv", disabled=not may_write)
    fit = st.button(
        "Validate and fit", key="model_fit", disabled=not (may_write and upload) or running
    )
    if fit and may_write:
        from srgvhd.app import training  # deferred: lifelines + scikit-learn load only to fit

        for key in (NEW_CARD, REFUSAL):
            ss.pop(key, None)
        try:
            source = declared_source(centre, period, declared_by=_who(), fields=DECLARED_FIELDS)
        except InputError as exc:
            st.error(
                "\n".join(
                    [
                        "Nothing was fitted and the active model is unchanged:",
                        *(f"- {ui.plain(p)}" for p in exc.problems),
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
                epv_override=f"tick “{ALLOW_LOW_EPV_LABEL}” above and fit again",
            )
            ss[REFUSAL + "_preview"] = _preview(upload.getvalue())
    if ss.get(JOB) is not None:
        _draw_progress()
    if ss.get(REFUSAL):
        _draw_refusal(ss[REFUSAL], ss.get(REFUSAL + "_preview", ""))
    new = ss.get(NEW_CARD)
    if new is None:
        return
    st.subheader("New version beside the current one")
    st.markdown(words.new_version_summary(new))
    st.table(words.comparison_rows(current, new))
    left, right = st.columns([1, 3])
    promote = left.button("Promote", key="model_promote", type="primary", disabled=not may_write)
    if promote and may_write:
        _activate(store, new.version, "promote")
    with right:
        _card_pdf_button(new, "model_card_pdf_new")
    left, right = st.columns(2)
    with left:
        st.markdown("**Current**")
        if current is not None:
            _draw_card(current)
    with right:
        st.markdown("**New (not active)**")
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
def _draw_progress() -> None:
    """Progress of the running job, redrawn every second without rerunning the page; a full
    rerun when it has finished."""
    job = ss.get(JOB)
    if job is None:
        return
    state = job.snapshot()
    if state["done"]:
        st.rerun()
    st.progress(min(max(state["fraction"], 0.0), 1.0), text=f"Training: {state['step']}…")


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
    count = len(problems)
    lines = [
        f"The file was refused ({count} problem{'s' if count != 1 else ''}); nothing was "
        "saved and the active model is unchanged."
    ]
    lines += [f"- {ui.plain(p)}" for p in problems]
    if any(p.what == EMPTY for p in problems):
        lines.append(
            f"\nTo fit on the complete rows only, tick “{COMPLETE_ROWS_LABEL}” above and fit again."
        )
    st.error("\n".join(lines))
    if any(
        "separator" in p.what or "decimal" in p.what or "header" in p.what
        for p in problems
        if p.where == "file"
    ):
        st.caption("The first lines of the file, to choose its format under “File format”:")
        st.text(preview)


def main() -> None:
    """Draw the Model page."""
    st.title("Risk model")
    loaded = ui.active_model()
    current = None if loaded.model is None else loaded.model.card
    st.header("Active model")
    if current is None:
        st.error(f"No model could be loaded: {ui.plain(loaded.error)}")
    else:
        _draw_card(current, card_sha256=loaded.model.card_sha256)
        _card_pdf_button(current, "model_card_pdf_active")
    store = ModelStore()
    may_write = admin.may_write()
    _draw_versions(store, may_write)
    _draw_audit(store)
    _draw_retrain(store, current, may_write)


main()
