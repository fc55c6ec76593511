"""Model page: the active model card beside the published hazard ratios, the model versions with
Activate (rollback), the audit log, and retraining from a cohort CSV (interfaces.md §3).

Retraining, promotion and activation are guarded by ``srgvhd.app.admin.may_write``: a configured
admin secret (env ``SRGVHD_ADMIN_SECRET`` or ``st.secrets["admin_secret"]``) is always asked for;
without one they are open only to a direct loopback session and locked otherwise
(docs/security.md §2).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from srgvhd.app import admin, ui
from srgvhd.errors import InputError
from srgvhd.literature.published import COX_FACTORS

ss = st.session_state
NEW_CARD = "model_new_card"
MAX_COHORT_MB = 5
AUDIT_COLUMNS = ("when", "action", "from_version", "to_version", "who", "training_file_sha256")


def _fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "—" if value is None else pattern.format(value)


def _with_interval(estimate: float | None, lower: float | None, upper: float | None,
                   pattern: str = "{:.2f}") -> str:
    """"5.02 (1.01–24.93)": an estimate with its 95% interval in one cell."""
    if estimate is None:
        return "—"
    return f"{_fmt(estimate, pattern)} ({_fmt(lower, pattern)}–{_fmt(upper, pattern)})"


def _coefficient_rows(card: dict) -> list[dict[str, str]]:
    """This model's hazard ratios beside the published ones (Niu et al. 2026 multivariate Cox
    model), each with its 95% CI in the same cell so the table fits half a screen."""
    published = {f.covariate: f.hazard_ratio for f in COX_FACTORS}
    rows = []
    for c in card.get("coefficients", []):
        paper = published.get(c["name"])
        rows.append({
            "covariate": c["label"],
            "HR (95% CI), this model": _with_interval(c["hazard_ratio"], c["hr_lower"],
                                                      c["hr_upper"]),
            "p": _fmt(c["p"], "{:.3f}"),
            "HR (95% CI), published": "—" if paper is None else
            _with_interval(paper.estimate, paper.lower, paper.upper),
        })
    return rows


def _calibration_rows(rows: list[dict]) -> list[dict[str, Any]]:
    """Calibration groups with predicted and Kaplan–Meier observed survival (95% CI) as
    percentages, in six columns."""
    return [
        {
            "risk group": r["group"],
            "n": r["n"],
            "deaths": r["events"],
            "at risk": r["at_risk"],
            "predicted": _fmt(r["predicted"], "{:.0%}"),
            "observed (95% CI)": _with_interval(r["observed"], r["observed_lower"],
                                                r["observed_upper"], "{:.0%}"),
        }
        for r in rows
    ]


def _draw_card(card: dict, *, card_sha256: str | None = None) -> None:
    """One model card: provenance, coefficients, concordance, PH test, calibration, digests."""
    metrics = card.get("metrics", {})
    st.markdown(f"**Version {card.get('version')}** — created {card.get('created_at', '—')}; "
                f"n = {card.get('n')}, deaths = {card.get('events')}, "
                f"events per coefficient = {card.get('events_per_coefficient')}")
    if card.get("statement"):
        st.warning(card["statement"])
    st.table(_coefficient_rows(card))
    st.markdown(f"Concordance: {_concordance(metrics)}")
    ph = metrics.get("ph_test") or {}
    st.markdown(f"Proportional hazards ({ph.get('method', '—')}): {ph.get('verdict', '—')}")
    for day, rows in (metrics.get("calibration") or {}).items():
        st.caption(f"Calibration at day {day}: predicted vs Kaplan–Meier observed survival")
        st.table(_calibration_rows(rows))
    assumptions = card.get("assumptions") or []
    if assumptions:
        with st.expander(f"Assumptions ({len(assumptions)})"):
            st.markdown("\n".join(f"- {a}" for a in assumptions))
    st.caption(f"Training file: {ui.plain(card.get('training_file_name') or '—')}, SHA-256 "
               f"{card.get('training_file_sha256')}  \nArtifact SHA-256 "
               f"{card.get('artifact_sha256')}"
               + (f"  \nCard SHA-256 {card_sha256}" if card_sha256 else ""))


def _draw_versions(store: Any, may_write: bool) -> None:
    st.header("Versions")
    versions = store.list_versions()
    if not versions:
        st.info("The model store holds no versions; the bundled reference model is used.")
    for card in versions:
        name, created = card["version"], card.get("created_at", "")
        label = f"{name} ({created})" + (" — active" if card["active"] else "")
        left, right = st.columns([4, 1])
        left.markdown(ui.plain(label if "problem" not in card else f"{label}: {card['problem']}"))
        if not card["active"] and "problem" not in card:
            if right.button("Activate", key=f"model_activate_{name}", disabled=not may_write):
                _activate(store, name, "activate")


def _activate(store: Any, version: str, action: str) -> None:
    try:
        store.activate(version, action=action)
    except InputError as exc:
        st.error(f"Not activated, the active model is unchanged: {ui.plain(exc)}")
        return
    ui.clear_model_cache()
    ss.pop(NEW_CARD, None)
    st.rerun()


def _draw_audit(store: Any) -> None:
    st.header("Audit log")
    log = store.audit_log()
    if log:
        st.dataframe(log, hide_index=True, column_order=AUDIT_COLUMNS, placeholder="—",
                     column_config={
                         "when": st.column_config.TextColumn("when (UTC)", width=190),
                         "action": st.column_config.TextColumn(width="small"),
                         "training_file_sha256": st.column_config.TextColumn(
                             "training file SHA-256"),
                     })
    else:
        st.caption("No activations recorded.")


def _draw_retrain(store: Any, current: dict | None, may_write: bool) -> None:
    from srgvhd.risk.train import train_from_csv

    st.header("Retrain on a cohort")
    st.caption("CSV, one row per patient: patient_id, age_years, grade, hemoglobin_g_l, os_days, "
               "death (optional arm, pfs_days, pfs_event, cr_week4).")
    upload = st.file_uploader("Cohort CSV", type=["csv"], key="model_cohort_csv",
                              max_upload_size=MAX_COHORT_MB, disabled=not may_write)
    allow_low = st.checkbox("Allow fewer than the recommended events per coefficient "
                            "(recorded on the card)", key="model_allow_low_epv",
                            disabled=not may_write)
    if st.button("Validate and fit", key="model_fit", disabled=not (may_write and upload)):
        try:
            ss[NEW_CARD] = train_from_csv(upload.getvalue(), store=store, promote=False,
                                          allow_low_epv=allow_low, source_name=upload.name)
        except InputError as exc:
            ss.pop(NEW_CARD, None)
            st.error(f"The file was refused ({len(exc.problems)} problems); nothing was saved "
                     "and the active model is unchanged.")
            st.code("\n".join(str(p) for p in exc.problems), language=None)
    new = ss.get(NEW_CARD)
    if new is None:
        return
    st.subheader("New version beside the current one")
    st.markdown(_summary(new))
    if st.button("Promote", key="model_promote", type="primary", disabled=not may_write):
        _activate(store, new["version"], "promote")
    left, right = st.columns(2)
    with left:
        st.markdown("**Current**")
        if current is not None:
            _draw_card(current)
    with right:
        st.markdown("**New (not active)**")
        _draw_card(new)


def _summary(card: dict) -> str:
    """One line on a new version: its name, size, deaths and concordance."""
    return (f"New version **{card.get('version')}**: n = {card.get('n')}, "
            f"deaths = {card.get('events')}, concordance: "
            f"{_concordance(card.get('metrics', {}))}. Compare it with the current version "
            "below before promoting.")


def _concordance(metrics: dict) -> str:
    """"apparent 0.71, cross-validated 0.66 (5 folds)" (Harrell's C of the model card)."""
    cv = metrics.get("concordance_cv") or {}
    return (f"apparent {_fmt(metrics.get('concordance_apparent'))}, cross-validated "
            f"{_fmt(cv.get('mean'))} ({len(cv.get('folds', []))} folds)")


def main() -> None:
    """Draw the Model page."""
    from srgvhd.risk.store import ModelStore

    st.title("Risk model")
    loaded = ui.active_model()
    current = None if loaded.model is None else loaded.model.card
    st.header("Active model")
    if current is None:
        st.error(f"No model could be loaded: {ui.plain(loaded.error)}")
    else:
        _draw_card(current, card_sha256=loaded.model.card_sha256)
    store = ModelStore()
    may_write = admin.may_write()
    _draw_versions(store, may_write)
    _draw_audit(store)
    _draw_retrain(store, current, may_write)


main()
