"""Model page: the active model card beside the published hazard ratios, the model versions with
Activate (rollback), the audit log, and retraining from a cohort CSV (interfaces.md §3).

Retraining, promotion and activation are guarded by ``srgvhd.admin.admin_gate``: open when the
server is bound to loopback, otherwise the admin secret (env ``SRGVHD_ADMIN_SECRET`` or
``st.secrets["admin_secret"]``) must be entered; with no secret configured they are locked.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
import streamlit as st

from srgvhd import ui
from srgvhd.admin import admin_gate, is_proxied, secret_matches
from srgvhd.errors import InputError
from srgvhd.published import COX_FACTORS

ss = st.session_state
NEW_CARD = "model_new_card"
MAX_COHORT_MB = 5
SECRET_ENV = "SRGVHD_ADMIN_SECRET"
CALIBRATION_COLUMNS = ("group", "n", "events", "at_risk", "predicted", "observed",
                       "observed_lower", "observed_upper")


def _configured_secret() -> str | None:
    """The admin secret from the environment, else from Streamlit secrets (None when unset)."""
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    try:
        return st.secrets.get("admin_secret")
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None


def _may_write() -> bool:
    """Whether this session may change the model store (see the module docstring)."""
    configured = _configured_secret()
    gate = admin_gate(st.get_option("server.address"), bool(configured),
                      proxied=is_proxied(dict(st.context.headers or {})))
    if gate == "open":
        return True
    if gate == "locked":
        st.warning("Model changes are locked: the server is reachable from other machines and "
                   f"no admin secret is configured ({SECRET_ENV} or secrets.toml admin_secret).")
        return False
    entered = st.text_input("Admin secret", type="password", key="model_admin_secret")
    if not secret_matches(entered, configured):
        st.info("Enter the admin secret to retrain, promote or activate a model.")
        return False
    return True


def _fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "—" if value is None else pattern.format(value)


def _coefficient_rows(card: dict) -> list[dict[str, str]]:
    """This model's hazard ratios beside the published ones (Niu et al. 2026)."""
    published = {f.covariate: f for f in COX_FACTORS}
    rows = []
    for c in card.get("coefficients", []):
        paper = published.get(c["name"])
        rows.append({
            "covariate": c["label"],
            "HR (this model)": _fmt(c["hazard_ratio"]),
            "95% CI": f"{_fmt(c['hr_lower'])}–{_fmt(c['hr_upper'])}",
            "p": _fmt(c["p"], "{:.3f}"),
            "HR (published)": "—" if paper is None else f"{paper.hazard_ratio.estimate:.2f}",
            "95% CI (published)": "—" if paper is None else
            f"{paper.hazard_ratio.lower:.2f}–{paper.hazard_ratio.upper:.2f}",
        })
    return rows


def _draw_card(card: dict, *, card_sha256: str | None = None) -> None:
    """One model card: provenance, coefficients, concordance, PH test, calibration, digests."""
    metrics = card.get("metrics", {})
    st.markdown(f"**Version {card.get('version')}** — created {card.get('created_at', '—')}; "
                f"n = {card.get('n')}, deaths = {card.get('events')}, "
                f"events per coefficient = {card.get('events_per_coefficient')}")
    if card.get("statement"):
        st.warning(card["statement"])
    st.dataframe(pd.DataFrame(_coefficient_rows(card)), hide_index=True)
    cv = metrics.get("concordance_cv") or {}
    st.markdown(f"Concordance: apparent {_fmt(metrics.get('concordance_apparent'))}, "
                f"cross-validated {_fmt(cv.get('mean'))} ({len(cv.get('folds', []))} folds)")
    ph = metrics.get("ph_test") or {}
    st.markdown(f"Proportional hazards ({ph.get('method', '—')}): {ph.get('verdict', '—')}")
    for day, rows in (metrics.get("calibration") or {}).items():
        st.caption(f"Calibration at day {day}: predicted vs Kaplan–Meier observed survival")
        st.dataframe(pd.DataFrame(rows), hide_index=True, column_order=CALIBRATION_COLUMNS)
    assumptions = card.get("assumptions") or []
    if assumptions:
        st.markdown("Assumptions:\n" + "\n".join(f"- {a}" for a in assumptions))
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
        st.dataframe(pd.DataFrame(log), hide_index=True)
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
    left, right = st.columns(2)
    with left:
        st.markdown("**Current**")
        if current is not None:
            _draw_card(current)
    with right:
        st.markdown("**New (not active)**")
        _draw_card(new)
    if st.button("Promote", key="model_promote", type="primary", disabled=not may_write):
        _activate(store, new["version"], "promote")


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
    may_write = _may_write()
    _draw_versions(store, may_write)
    _draw_audit(store)
    _draw_retrain(store, current, may_write)


main()
