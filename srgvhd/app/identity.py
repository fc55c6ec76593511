"""The signed-in person for this browser session (``srgvhd.identity.identify`` on Streamlit's
request facts): ``st.user`` when OIDC ``[auth]`` is configured, else the trusted proxy header,
else the OS user on a loopback bind. ``current_identity`` is what the case store and the model
audit log record.
"""

from __future__ import annotations

import streamlit as st

from srgvhd.app.connection import current_connection
from srgvhd.identity import Identity, ProxyConfig, identify

LOOPBACK_PEER = "127.0.0.1"  # an in-process run (AppTest) has no socket: it is this machine


def oidc_configured() -> bool:
    """Whether ``[auth]`` is set in Streamlit secrets (st.login is then available)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no or unreadable secrets.toml: no OIDC
        return False


def _oidc_user() -> str | None:
    user = st.user
    if not getattr(user, "is_logged_in", False):
        return None
    return user.get("email") or user.get("name") or user.get("sub")


def current_identity() -> Identity:
    """Who is using this session, or why nobody is known (then the store is not served)."""
    configured = oidc_configured()
    # The socket's peer, never st.context.ip_address: Streamlit's server rewrites that from a
    # loopback client's X-Forwarded-For (srgvhd.app.connection).
    connection = current_connection()
    return identify(
        server_address=st.get_option("server.address"),
        peer=LOOPBACK_PEER if connection.in_process else connection.peer,
        headers=dict(st.context.headers or {}),
        oidc_configured=configured,
        oidc_user=_oidc_user() if configured else None,
        proxy=ProxyConfig.from_env(),
    )
