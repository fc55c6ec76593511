"""The signed-in person for this browser session (``srgvhd.identity.identify`` on Streamlit's
request facts): in a SMART launch the EHR user its validated ID token named
(``srgvhd.identity.launch_identity``), else ``st.user`` when OIDC ``[auth]`` is configured,
else the trusted proxy header, else the OS user on a loopback bind. ``current_identity`` is
what the case store, the model audit log and the role checks use.

``st.user`` is read from Streamlit's identity cookie, signed with ``[auth] cookie_secret`` when
the provider's callback set it: a browser can drop it but not forge or edit it, and the
websocket's messages never set it. The roles claim and ``iat`` therefore come from the ID token
the provider signed.
"""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from srgvhd.access import AccessConfig
from srgvhd.app.connection import current_connection
from srgvhd.errors import InputError
from srgvhd.i18n.message import Msg, problems_message
from srgvhd.identity import Identity, ProxyConfig, identify, launch_identity

LOOPBACK_PEER = "127.0.0.1"  # an in-process run (AppTest) has no socket: it is this machine
SETTINGS = "srgvhd"  # the [srgvhd] table of secrets.toml: role_claim, role_values, session_hours
SIGN_IN = "sign-in (OIDC)"
# Streamlit copies the headers named in server.trustedUserHeaders into st.user, over the signed
# cookie's claims: with sign-in on, a client could then name itself.
HEADERS_OVERRIDE = Msg(
    "{option} is set, so request headers could overwrite the signed-in identity: remove it from "
    "the Streamlit configuration",
    option="server.trustedUserHeaders",
)


def oidc_configured() -> bool:
    """Whether ``[auth]`` is set in Streamlit secrets (st.login is then available)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no or unreadable secrets.toml: no OIDC
        return False


def access_config() -> AccessConfig:
    """The ``[srgvhd]`` sign-in settings (roles claim, role map, session hours); a bad value
    raises ``InputError`` naming the setting."""
    try:
        settings = st.secrets.get(SETTINGS)
    except Exception:  # noqa: BLE001 - no secrets.toml: the defaults
        settings = None
    if settings is not None and not hasattr(settings, "items"):
        settings = {"role_claim": None}  # refused by from_settings, naming the setting
    return AccessConfig.from_settings(dict(settings.items()) if settings else None)


def _settings_wrong(exc: InputError) -> Msg:
    """A wrong ``[srgvhd]`` setting, named (the setting's name as written in secrets.toml)."""
    return Msg(
        "the sign-in settings are wrong ({problem})",
        problem=problems_message([exc.problems[0]]),
    )


def signed_in_claims() -> dict[str, Any] | None:
    """The ID-token claims of the signed-in user (``st.user``), None when nobody is."""
    user = st.user
    if not getattr(user, "is_logged_in", False):
        return None
    return {k: v for k, v in user.to_dict().items() if k != "tokens"}


def _launch_identity() -> Identity | None:
    """The EHR user of this browser's SMART launch, None without a launch. The launch is found
    by the HttpOnly session cookie, which only points to the server-side record: the identity
    in it came from the ID token checked at the callback, never from the request."""
    from srgvhd.app.ehr_panel import current

    found = current()
    if found is None:
        return None
    launch = found[1]
    try:
        access = access_config()
    except InputError as exc:
        return Identity(None, "EHR launch (SMART)", _settings_wrong(exc))
    claims = dict(launch.user.claims) if launch.user is not None else None
    return launch_identity(claims, launch.user_problem, access, now=time.time())


def current_identity() -> Identity:
    """Who is using this session, or why nobody is known (then the store is not served)."""
    launched = _launch_identity()
    if launched is not None:
        return launched
    configured = oidc_configured()
    access = None
    if configured:
        if st.get_option("server.trustedUserHeaders"):
            return Identity(None, SIGN_IN, HEADERS_OVERRIDE)
        try:
            access = access_config()
        except InputError as exc:
            return Identity(None, SIGN_IN, _settings_wrong(exc))
    # The socket's peer, never st.context.ip_address: Streamlit's server rewrites that from a
    # loopback client's X-Forwarded-For (srgvhd.app.connection).
    connection = current_connection()
    return identify(
        server_address=st.get_option("server.address"),
        peer=LOOPBACK_PEER if connection.in_process else connection.peer,
        headers=dict(st.context.headers or {}),
        oidc_configured=configured,
        oidc_claims=signed_in_claims() if configured else None,
        access=access,
        now=time.time(),
        proxy=ProxyConfig.from_env(),
    )
