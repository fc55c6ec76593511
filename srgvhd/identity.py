"""Who is saving: the person recorded with each case version, close, identity change, model
promotion and audit line. The one place that decides it for the whole code base.

Streamlit-free, so the CLI and the model store use it too. The app (``srgvhd.app.identity``)
gathers the request's facts and calls ``identify``; the CLI calls ``cli_identity``. The app's
rules, in order:

1. OIDC (``[auth]`` in Streamlit secrets): the signed-in user's name and subject (``sub``) from
   the ID token, with the role its roles claim maps to (``srgvhd.access``); nobody until they
   sign in, and nobody again once the sign-in is older than the configured session length.
2. A trusted reverse-proxy header (``SRGVHD_IDENTITY_HEADER``, e.g. ``X-Remote-User``), honoured
   only when the direct peer is a configured proxy address (``SRGVHD_TRUSTED_PROXY``, comma-
   separated); from any other peer, or without the header, nobody.
3. A server bound to loopback and reached directly: single-user use, the OS user.
4. Otherwise nobody: the store refuses to serve cases until an identity is configured.

A SMART launch from the EHR comes before all of these (``launch_identity``): the EHR user named
by the launch's validated ID token (``fhirUser``, ``sub``, name), with the role its roles claim
maps to, else the role ``SRGVHD_SMART_ROLE`` grants a launch user (viewer or clinician), else
none. A launch whose ID token was missing or refused has nobody: saving is refused.

Only rule 1 and a launch carry a role; without them there are no roles (``Identity.role`` is
None and ``Identity.signed_in`` False): cases are open to the known person and the model is
guarded by the admin secret or the loopback rule (``srgvhd.app.admin``).

What is recorded (``Identity.who``) says how the person was known: ``Ana Lee (sub 8f3a…)``
signed in, ``Dr Ana Lee (fhirUser Practitioner/123)`` launched from the EHR, ``dr.lee (proxy
header)``, ``alice (OS user)`` on loopback or the command line, and
``NAME (--as, OS user alice)`` when the command line names someone else.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from srgvhd.access import AccessConfig, Role, claim_values
from srgvhd.i18n.message import Msg
from srgvhd.network import is_loopback, is_proxied

HEADER_ENV = "SRGVHD_IDENTITY_HEADER"
SMART_ROLE_ENV = "SRGVHD_SMART_ROLE"
LAUNCH_SOURCE = "EHR launch (SMART)"
LAUNCH_ROLES = (Role.VIEWER, Role.CLINICIAN)  # what SRGVHD_SMART_ROLE may grant
PROXY_ENV = "SRGVHD_TRUSTED_PROXY"
NO_IDENTITY = Msg(
    "this server is reachable from other machines and no identity is configured (OIDC [auth] "
    "in secrets, or {header} with {proxy}): the case store is not served",
    header=HEADER_ENV,
    proxy=PROXY_ENV,
)


NAME_MAX = 120  # the recorded text stays within the case store's 200 characters
SUBJECT_MAX = 64


def os_user() -> str:
    """The operating-system user running this process (bare, without the "(OS user)" mark)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _one_line(text: object, limit: int) -> str:
    words = " ".join(str(text).split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def cli_identity(as_name: str | None = None) -> Identity:
    """Who runs a command: ``--as NAME`` (recorded with the OS user beside it) or the OS user."""
    user = os_user()
    if as_name is not None and as_name.strip():
        who = f"{_one_line(as_name, NAME_MAX)} (--as, OS user {user})"
        return Identity(who, "command line (--as)")
    return Identity(f"{user} (OS user)", "command line (OS user)")


def signed_in_who(claims: Mapping[str, Any]) -> str | None:
    """The recorded text for a signed-in user: their name (else e-mail or user name) and their
    subject; None without a subject (then nobody is known)."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        return None
    subject = _one_line(subject, SUBJECT_MAX)
    for claim in ("name", "email", "preferred_username"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return f"{_one_line(value, NAME_MAX)} (sub {subject})"
    return f"sub {subject}"


@dataclass(frozen=True)
class ProxyConfig:
    """The trusted reverse proxy: the header naming the user and the proxy's addresses."""

    header: str | None
    proxies: tuple[str, ...]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ProxyConfig:
        """Read ``SRGVHD_IDENTITY_HEADER`` and ``SRGVHD_TRUSTED_PROXY``."""
        env = os.environ if env is None else env
        header = (env.get(HEADER_ENV) or "").strip() or None
        proxies = tuple(p.strip() for p in (env.get(PROXY_ENV) or "").split(",") if p.strip())
        return cls(header, proxies)

    @property
    def configured(self) -> bool:
        """Both the header name and at least one proxy address are set."""
        return self.header is not None and bool(self.proxies)

    def trusts(self, peer: str | None) -> bool:
        """Whether ``peer`` (the connection's direct address) is a configured proxy."""
        return peer is not None and any(_same_address(peer, p) for p in self.proxies)


def _same_address(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a.strip("[]")) == ipaddress.ip_address(b.strip("[]"))
    except ValueError:
        return a.lower() == b.lower()


@dataclass(frozen=True)
class Identity:
    """The person (``who``, the text recorded) and how they were known (``source``); ``who`` is
    None when nobody is known, and ``problem`` then says why. With sign-in: ``signed_in``,
    the ``subject`` and the ``role`` (None when the roles claim maps to no role)."""

    who: str | None
    source: str
    problem: str | None = None
    subject: str | None = None
    role: Role | None = None
    signed_in: bool = False
    expired: bool = False


def identify(
    *,
    server_address: str | None,
    peer: str | None,
    headers: Mapping[str, str],
    oidc_configured: bool = False,
    oidc_claims: Mapping[str, Any] | None = None,
    access: AccessConfig | None = None,
    now: float | None = None,
    proxy: ProxyConfig | None = None,
) -> Identity:
    """Who is using the app, by the rules in this module's docstring.

    ``peer`` is the direct peer's address (loopback as ``127.0.0.1``); ``headers`` the request's.
    ``oidc_claims`` are the signed-in user's ID-token claims (Streamlit's ``st.user``), None or
    empty when nobody is signed in; ``now`` is the time in epoch seconds.
    """
    proxy = proxy or ProxyConfig(None, ())
    if oidc_configured:
        return _signed_in(oidc_claims or {}, access or AccessConfig(), now)
    if proxy.configured:
        if not proxy.trusts(peer):
            return Identity(
                None,
                "proxy header",
                Msg(
                    "this request did not come through the trusted proxy: the case store is not "
                    "served"
                ),
            )
        lowered = {k.lower(): v for k, v in headers.items()}
        value = (lowered.get(proxy.header.lower()) or "").strip()
        if not value:
            return Identity(
                None, "proxy header", Msg("the proxy sent no {header} header", header=proxy.header)
            )
        return Identity(value, "proxy header")
    if is_loopback(server_address) and not is_proxied(dict(headers)):
        return Identity(f"{os_user()} (OS user)", "this computer's user (loopback)")
    return Identity(None, "none", NO_IDENTITY)


def _signed_in(claims: Mapping[str, Any], access: AccessConfig, now: float | None) -> Identity:
    source = "sign-in (OIDC)"
    who = signed_in_who(claims) if claims.get("is_logged_in", True) else None
    if who is None:
        return Identity(None, source, Msg("sign in to open or save cases"))
    subject = str(claims["sub"])
    role = access.role(claims)
    if access.expired(claims, time.time() if now is None else now):
        return Identity(
            None,
            source,
            Msg(
                "your sign-in is older than {duration}: sign in again",
                duration=duration_words(access.session_hours),
            ),
            subject=subject,
            role=role,
            signed_in=True,
            expired=True,
        )
    return Identity(who, source, subject=subject, role=role, signed_in=True)


def launch_identity(
    claims: Mapping[str, Any] | None,
    problem: str | None,
    access: AccessConfig,
    env: Mapping[str, str] | None = None,
    now: float | None = None,
) -> Identity:
    """Who is saving in a SMART launch: ``claims`` are the launch's validated ID-token claims
    (None, with ``problem`` saying why, when there were none). The role: the roles claim mapped
    as for sign-in (``[srgvhd]``); a token without that claim gets ``SRGVHD_SMART_ROLE`` (viewer
    or clinician) when it is set, else no role (nothing is saved)."""
    if claims is None:
        why = problem or Msg("the EHR sent no ID token")
        return Identity(
            None,
            LAUNCH_SOURCE,
            Msg(
                "this EHR launch did not say who you are ({why}): saving is refused — open the "
                "app from the chart again",
                why=why,
            ),
        )
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        return Identity(
            None, LAUNCH_SOURCE, Msg("the EHR's ID token names no subject: saving is refused")
        )
    fhir_user = claims.get("fhirUser")
    mark = (
        f"fhirUser {_one_line(fhir_user, NAME_MAX)}"
        if isinstance(fhir_user, str) and fhir_user.strip()
        else f"sub {_one_line(subject, SUBJECT_MAX)}"
    )
    name = claims.get("name")
    who = (
        f"{_one_line(name, NAME_MAX)} ({mark})" if isinstance(name, str) and name.strip() else mark
    )
    env = os.environ if env is None else env
    if claim_values(claims, access.role_claim):
        role = access.role(claims)
    else:
        granted = (env.get(SMART_ROLE_ENV) or "").strip()
        if granted and granted not in {r.value for r in LAUNCH_ROLES}:
            return Identity(
                None,
                LAUNCH_SOURCE,
                Msg(
                    "{setting}={value} is not viewer or clinician: saving is refused",
                    setting=SMART_ROLE_ENV,
                    value=repr(granted[:40]),
                ),
            )
        role = Role(granted) if granted else None
    if access.expired(claims, time.time() if now is None else now):
        return Identity(
            None,
            LAUNCH_SOURCE,
            Msg(
                "this EHR launch is older than {duration}: open the app from the chart again",
                duration=duration_words(access.session_hours),
            ),
        )
    # No ``subject``: that field keys the sign-on's kept drafts (srgvhd.app.signin), and an EHR's
    # subject could equal another person's at the hospital sign-on. The text names the person.
    return Identity(_one_line(who, 190), LAUNCH_SOURCE, role=role, signed_in=True)


def duration_words(hours: float) -> Msg:
    """A session length in words: "12 hours", "90 minutes", "45 seconds" (three significant
    digits, said in the reader's language where shown)."""
    for unit in (3600, 60, 1):
        count = float(f"{hours * 3600 / unit:.3g}")
        if count >= 1 or unit == 1:
            one = count == 1
            if unit == 3600:
                return (
                    Msg("{count} hour", count=count) if one else Msg("{count} hours", count=count)
                )
            if unit == 60:
                return (
                    Msg("{count} minute", count=count)
                    if one
                    else Msg("{count} minutes", count=count)
                )
            return (
                Msg("{count} second", count=count) if one else Msg("{count} seconds", count=count)
            )
    raise AssertionError("unreachable")
