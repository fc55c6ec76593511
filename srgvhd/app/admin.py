"""Who may change the risk model from the Model page (retrain, promote, activate).

The rules (docs/security.md §2, docs/deploying.md §3):

- With hospital sign-on (``[auth]`` in secrets), the role decides (``srgvhd.access``): a
  signed-in data manager may, nobody else; the admin secret is not asked.
- An admin secret configured (env ``SRGVHD_ADMIN_SECRET`` or ``st.secrets["admin_secret"]``,
  at least ``MIN_SECRET_LENGTH`` characters) is **always** asked for, on loopback too.
- Without one, a session is trusted as "the person at the keyboard" only when the server is bound
  to loopback, the TCP peer is loopback, the ``Host`` header (and ``Origin``, when sent) name a
  loopback host, no forwarding header is present, and ``SRGVHD_TRUST_LOOPBACK`` is not ``0``.
  A web page whose domain was re-pointed at 127.0.0.1 (DNS rebinding) sends its own domain as
  ``Host``/``Origin`` and is refused; a header-less TCP forwarder (``ssh -L``, a relay) cannot be
  told apart from a local browser, which is why such deployments must set a secret or
  ``SRGVHD_TRUST_LOOPBACK=0``.
- Otherwise model changes are locked for everybody.

Secret guesses are throttled per session and per server process (``srgvhd.app.throttle``) and
every refused or throttled attempt is logged — never the value entered.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import secrets
from dataclasses import dataclass, field
from typing import Literal

from srgvhd.access import Action, allows, refusal
from srgvhd.app.connection import Connection, current_connection
from srgvhd.app.throttle import WINDOW_SECONDS, Throttle
from srgvhd.i18n import N_, _
from srgvhd.network import host_is_loopback, is_loopback, is_proxied, origin_is_loopback

Gate = Literal["open", "secret", "locked"]

LOG = logging.getLogger(__name__)
SECRET_ENV = "SRGVHD_ADMIN_SECRET"
TRUST_ENV = "SRGVHD_TRUST_LOOPBACK"
MIN_SECRET_LENGTH = 16
SECRET_KEY = "model_admin_secret"
GLOBAL_ATTEMPTS_PER_WINDOW = 10
# Failed guesses from every session of this server process together.
SHARED_THROTTLE = Throttle(limit=GLOBAL_ATTEMPTS_PER_WINDOW, base=0.0)
WRONG_SECRET = N_("That admin secret is not correct.")
_DIGEST_KEY = secrets.token_bytes(32)  # entered values are remembered only as keyed digests


def is_local(connection: Connection, bind_address: str | None) -> bool:
    """Whether the session is the person at this machine's keyboard (see the module docstring).

    Every check must pass; an unknown peer or a missing/duplicated ``Host`` is not local.
    """
    if not is_loopback(bind_address):
        return False
    if connection.in_process:
        return True
    hosts = connection.headers.get("host", ())
    origins = connection.headers.get("origin", ())
    return (
        is_loopback(connection.peer)
        and len(hosts) == 1
        and host_is_loopback(hosts[0])
        and all(origin_is_loopback(o) for o in origins)
        and not is_proxied(connection.headers)
    )


def admin_gate(
    connection: Connection,
    bind_address: str | None,
    *,
    secret_configured: bool,
    trust_loopback: bool = True,
) -> Gate:
    """How the Model page's write actions are guarded for this session.

    ``"secret"`` whenever a secret is configured; ``"open"`` for a local session (``is_local``)
    when loopback is trusted; ``"locked"`` otherwise: nobody can change the model.
    """
    if secret_configured:
        return "secret"
    if trust_loopback and is_local(connection, bind_address):
        return "open"
    return "locked"


def secret_problem(secret: object) -> str | None:
    """Why a configured secret cannot be used (too short, not text), or None when it can.

    None for an unset or empty secret (then no secret is configured at all).
    """
    if secret is None or secret == "":
        return None
    if not isinstance(secret, str):
        return _(
            "The configured admin secret ({variable} or admin_secret) must be text.",
            variable=SECRET_ENV,
        )
    if len(secret) < MIN_SECRET_LENGTH:
        return _(
            "The configured admin secret ({variable} or admin_secret) is shorter than {n} "
            "characters, so model changes are locked until a longer one is configured.",
            variable=SECRET_ENV,
            n=MIN_SECRET_LENGTH,
        )
    return None


def trust_loopback_setting(value: str | None) -> tuple[bool, str | None]:
    """``SRGVHD_TRUST_LOOPBACK``: unset or ``1`` trusts local sessions, ``0`` does not; any
    other value does not either and comes with a message naming the variable."""
    if value is None or value.strip() == "1":
        return True, None
    if value.strip() == "0":
        return False, None
    return False, _(
        "{variable} must be 0 or 1; it is treated as 0 (loopback not trusted).", variable=TRUST_ENV
    )


def secret_matches(entered: str | None, configured: str | None) -> bool:
    """Constant-time comparison of the entered secret with the configured one.

    An unset or empty configured secret never matches.
    """
    if not configured or not entered:
        return False
    return hmac.compare_digest(entered.encode("utf-8"), configured.encode("utf-8"))


@dataclass
class Attempts:
    """One session's guesses: the keyed digest of the last value checked, and its throttle."""

    last_digest: bytes | None = None
    throttle: Throttle = field(default_factory=Throttle)


def check_entered(
    entered: str | None,
    configured: str,
    attempts: Attempts,
    shared: Throttle = SHARED_THROTTLE,
    *,
    peer: str | None = None,
) -> tuple[bool, str | None]:
    """Whether the entered secret is right, and what to tell the user when it is not.

    Only a new value counts as an attempt (a rerun keeps the text field's value). While this
    session's or the server's throttle says wait, a new value is not checked at all; it is
    checked on the first run after the wait. Refusals are logged without the value.
    """
    if not entered:
        return False, None
    digest = hmac.new(_DIGEST_KEY, entered.encode("utf-8"), hashlib.sha256).digest()
    if digest == attempts.last_digest:
        ok = secret_matches(entered, configured)
        return ok, None if ok else _(WRONG_SECRET)
    wait = max(attempts.throttle.wait_seconds(), shared.wait_seconds())
    if wait > 0:
        LOG.warning(
            "Admin secret attempt not checked: throttled for %.0f s more (peer %s)",
            wait,
            peer or "unknown",
        )
        return False, _("Too many wrong admin secrets: try again in {n} s.", n=math.ceil(wait))
    attempts.last_digest = digest
    if secret_matches(entered, configured):
        attempts.throttle.succeeded()
        LOG.info("Admin secret accepted (peer %s)", peer or "unknown")
        return True, None
    failures = attempts.throttle.failed()
    shared.failed()
    LOG.warning(
        "Admin secret refused: %d wrong in this session in the last %.0f s (peer %s)",
        failures,
        WINDOW_SECONDS,
        peer or "unknown",
    )
    return False, _(WRONG_SECRET)


# ---------------------------------------------------------------- Streamlit


def configured_secret() -> object:
    """The admin secret from the environment, else from Streamlit secrets (None when unset)."""
    import streamlit as st

    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    try:
        return st.secrets.get("admin_secret")
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None


def may_write() -> bool:
    """Draw the gate on the Model page; whether this session may change the model store."""
    import streamlit as st

    from srgvhd.app.identity import current_identity, oidc_configured

    if oidc_configured():
        identity = current_identity()
        if identity.who is None:
            st.warning(
                _(
                    "Model changes need a signed-in data manager: {problem}.",
                    problem=identity.problem,
                ),
                icon=":material/lock:",
            )
            return False
        if not allows(identity.role, Action.MODEL):
            st.warning(refusal(identity.role, Action.MODEL), icon=":material/lock:")
            return False
        return True
    configured = configured_secret()
    problem = secret_problem(configured)
    if problem:
        LOG.error("Model changes locked: the configured admin secret is unusable")
        st.error(problem)
        return False
    trust, trust_problem = trust_loopback_setting(os.environ.get(TRUST_ENV))
    if trust_problem:
        st.warning(trust_problem)
    connection = current_connection()
    gate = admin_gate(
        connection,
        st.get_option("server.address"),
        secret_configured=bool(configured),
        trust_loopback=trust,
    )
    if gate == "open":
        return True
    if gate == "locked":
        st.warning(
            _(
                "Model changes are locked: this session is not a direct connection on this "
                "machine (or {trust}=0) and no admin secret is configured ({variable} or "
                "secrets.toml admin_secret, at least {n} characters).",
                trust=TRUST_ENV,
                variable=SECRET_ENV,
                n=MIN_SECRET_LENGTH,
            )
        )
        return False
    entered = st.text_input(_("Admin secret"), type="password", key=SECRET_KEY)
    attempts = st.session_state.setdefault(f"{SECRET_KEY}_attempts", Attempts())
    ok, message = check_entered(entered, str(configured), attempts, peer=connection.peer)
    if not ok:
        st.info(message or _("Enter the admin secret to retrain, promote or activate a model."))
    return ok
