"""Who may change the risk model: retraining and activation need the admin secret off loopback.

A server bound to a loopback address (the default in .streamlit/config.toml) is reachable only
from the machine it runs on, so the person at the keyboard is trusted. Any other binding makes the
Model page's write actions ask for the secret (env ``SRGVHD_ADMIN_SECRET`` or
``st.secrets["admin_secret"]``); with no secret configured there, they are refused outright.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Literal

Gate = Literal["open", "secret", "locked"]

LOOPBACK_NAMES = ("localhost",)


def is_loopback(address: str | None) -> bool:
    """Whether the server address only accepts connections from this machine.

    An empty address means "all interfaces" to Streamlit, so it is not loopback.
    """
    if not address:
        return False
    host = address.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")


def is_proxied(headers: dict[str, str] | None) -> bool:
    """Whether the request came through a reverse proxy (which makes loopback reachable from
    other machines)."""
    return any(name.lower() in PROXY_HEADERS for name in (headers or {}))


def admin_gate(address: str | None, secret_configured: bool, *, proxied: bool = False) -> Gate:
    """How the Model page's write actions (retrain, promote, activate) are guarded.

    ``"open"`` on loopback reached directly; ``"secret"`` off loopback or through a reverse proxy
    with a secret configured (the user must enter it); ``"locked"`` there without a secret:
    nobody can change the model.
    """
    if is_loopback(address) and not proxied:
        return "open"
    return "secret" if secret_configured else "locked"


def secret_matches(entered: str | None, configured: str | None) -> bool:
    """Constant-time comparison of the entered secret with the configured one.

    An unset or empty configured secret never matches.
    """
    if not configured or not entered:
        return False
    return hmac.compare_digest(entered.encode("utf-8"), configured.encode("utf-8"))
