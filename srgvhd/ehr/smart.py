"""SMART App Launch 2.x for the bedside app (docs/ehr.md, "Launching from the EHR"): discovery,
authorization code with PKCE S256, ``state`` and ``aud``, the token exchange and refresh — with
Authlib's OAuth 2 client, nothing hand-rolled. No Streamlit here.

Tokens stay on the server: a launch is kept in ``SESSIONS`` under an unguessable id that the
browser holds only as an HttpOnly cookie; no token is ever put in a URL, a page, a log or the
browser's storage. Which EHRs may launch the app is configuration, never the request:

- ``SRGVHD_SMART_CLIENT_ID``: the client id the hospital registered for the app;
- ``SRGVHD_SMART_REDIRECT_URI``: the registered redirect URI (``https://…/smart/callback``);
- ``SRGVHD_SMART_ISS``: the FHIR base URLs allowed to launch it, comma-separated (the first is
  the one a standalone launch signs in to).

The scopes ask for ``openid fhirUser``: the ID token of the token response, once validated
(``srgvhd.ehr.idtoken``), names who launched the app, and that person is the one recorded with
every save made in the launch (``srgvhd.identity.launch_identity``).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from srgvhd.ehr import idtoken
from srgvhd.ehr.client import FHIR_ID, EhrError
from srgvhd.ehr.idtoken import IdTokenError
from srgvhd.i18n.message import Msg

DISCOVERY_PATH = "/.well-known/smart-configuration"
EHR_LAUNCH_SCOPE = "launch openid fhirUser patient/*.rs"
STANDALONE_SCOPE = "launch/patient openid fhirUser patient/*.rs"
TIMEOUT_S = 15.0
MAX_DISCOVERY_BYTES = 65_536
PENDING_TTL_S = 600.0  # a sign-in must come back within 10 minutes
SESSION_TTL_S = 12 * 3600.0
MAX_ENTRIES = 2000
REFRESH_MARGIN_S = 60.0


@dataclass(frozen=True)
class Settings:
    """The app's registration at the hospital."""

    client_id: str
    redirect_uri: str
    allowed_iss: tuple[str, ...]

    @property
    def secure_cookie(self) -> bool:
        return self.redirect_uri.startswith("https://")


def settings_from_env(env: dict[str, str] | None = None) -> Settings | None:
    """The SMART settings from the environment, or None when the app is not registered."""
    env = os.environ if env is None else env
    client_id = env.get("SRGVHD_SMART_CLIENT_ID", "").strip()
    redirect = env.get("SRGVHD_SMART_REDIRECT_URI", "").strip()
    allowed = tuple(
        u.strip().rstrip("/") for u in env.get("SRGVHD_SMART_ISS", "").split(",") if u.strip()
    )
    if not (client_id and redirect and allowed):
        return None
    return Settings(client_id, redirect, allowed)


@dataclass(frozen=True)
class Endpoints:
    """What ``{iss}/.well-known/smart-configuration`` says about the authorization server."""

    authorize: str
    token: str
    issuer: str | None = None  # the OpenID issuer its ID tokens carry
    jwks_uri: str | None = None  # its public signing keys


def discover(iss: str) -> Endpoints:
    """Read the EHR's SMART configuration (SMART App Launch 2.x §"Discovery")."""
    url = iss.rstrip("/") + DISCOVERY_PATH
    try:
        answer = requests.get(
            url, timeout=TIMEOUT_S, headers={"Accept": "application/json"}, allow_redirects=False
        )
    except requests.RequestException:
        raise EhrError(Msg("the EHR at {iss} cannot be reached", iss=iss)) from None
    if answer.status_code != 200 or len(answer.content) > MAX_DISCOVERY_BYTES:
        raise EhrError(
            Msg(
                "the EHR at {iss} has no SMART configuration (HTTP {status})",
                iss=iss,
                status=answer.status_code,
            )
        )
    try:
        config = answer.json()
    except ValueError:
        raise EhrError(
            Msg("the EHR at {iss} sent a SMART configuration that is not JSON", iss=iss)
        ) from None
    endpoints = []
    for key in ("authorization_endpoint", "token_endpoint"):
        value = config.get(key) if isinstance(config, dict) else None
        if not isinstance(value, str) or urlsplit(value).scheme not in ("https", "http"):
            raise EhrError(
                Msg("the EHR at {iss}: its SMART configuration has no {key}", iss=iss, key=key)
            )
        endpoints.append(value)
    methods = config.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise EhrError(Msg("the EHR at {iss} does not support PKCE S256", iss=iss))
    issuer = config.get("issuer")
    jwks_uri = config.get("jwks_uri")
    return Endpoints(
        *endpoints,
        issuer=issuer if isinstance(issuer, str) and issuer else None,
        jwks_uri=jwks_uri if isinstance(jwks_uri, str) and _web(jwks_uri) else None,
    )


def _web(url: str) -> bool:
    return urlsplit(url).scheme in ("https", "http")


def _keys_address(endpoints: Endpoints) -> str:
    """Where the authorization server publishes its keys: ``jwks_uri`` of the SMART
    configuration, else of the issuer's OpenID configuration (OpenID Connect Discovery 1.0)."""
    if endpoints.jwks_uri:
        return endpoints.jwks_uri
    if not endpoints.issuer:
        raise IdTokenError(Msg("the EHR's SMART configuration names no issuer for its ID tokens"))
    url = endpoints.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        answer = requests.get(url, timeout=TIMEOUT_S, allow_redirects=False)
        readable = answer.status_code == 200 and len(answer.content) <= MAX_DISCOVERY_BYTES
        config = answer.json() if readable else None
    except (requests.RequestException, ValueError):
        config = None
    jwks_uri = config.get("jwks_uri") if isinstance(config, dict) else None
    if not (isinstance(jwks_uri, str) and _web(jwks_uri)):
        raise IdTokenError(Msg("the authorization server publishes no keys for its ID tokens"))
    return jwks_uri


def launch_user(
    settings: Settings, endpoints: Endpoints, token: dict[str, Any], nonce: str | None
) -> tuple[idtoken.LaunchUser | None, str | None]:
    """The EHR user from the token response's ID token, validated against the authorization
    server's keys; else None and why (the launch still reads the record, saving is refused)."""
    try:
        if not isinstance(token.get("id_token"), str):
            raise IdTokenError(Msg("the EHR sent no ID token"))
        if not endpoints.issuer:
            raise IdTokenError(
                Msg("the EHR's SMART configuration names no issuer for its ID tokens")
            )
        keys = idtoken.fetch_jwks(_keys_address(endpoints))
        user = idtoken.validate(
            token["id_token"],
            keys,
            issuer=endpoints.issuer,
            client_id=settings.client_id,
            nonce=nonce,
        )
    except IdTokenError as exc:
        return None, exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return user, None


@dataclass
class Pending:
    """A sign-in under way: what the callback needs to finish it."""

    browser: str  # the pre-sign-in cookie it was started with
    iss: str
    endpoints: Endpoints
    code_verifier: str
    nonce: str | None = None
    created: float = field(default_factory=time.monotonic)


@dataclass
class Launch:
    """A finished launch: the EHR, the patient in context and the tokens (server-side only)."""

    iss: str
    patient_id: str
    token_endpoint: str
    token: dict[str, Any]
    expires_at: float
    fhir_user: str | None = None
    user: idtoken.LaunchUser | None = None  # from the validated ID token
    user_problem: str | None = None  # why there is no user (no or refused ID token)
    created: float = field(default_factory=time.monotonic)

    def __repr__(self) -> str:  # never shows a token
        return f"Launch(iss={self.iss!r}, patient_id={self.patient_id!r})"


class Store:
    """Pending sign-ins by ``state`` and finished launches by session id, bounded in number and
    age, safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: OrderedDict[str, Pending] = OrderedDict()
        self._launches: OrderedDict[str, Launch] = OrderedDict()

    def _trim(self) -> None:
        now = time.monotonic()
        for table, ttl in ((self._pending, PENDING_TTL_S), (self._launches, SESSION_TTL_S)):
            for key in [k for k, v in table.items() if now - v.created > ttl]:
                del table[key]
            while len(table) > MAX_ENTRIES:
                table.popitem(last=False)

    def add_pending(self, state: str, pending: Pending) -> None:
        with self._lock:
            self._trim()
            self._pending[state] = pending

    def take_pending(self, state: str) -> Pending | None:
        """The sign-in for ``state``, once (a replayed callback finds nothing)."""
        with self._lock:
            self._trim()
            return self._pending.pop(state, None)

    def add_launch(self, launch: Launch) -> str:
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._trim()
            self._launches[sid] = launch
        return sid

    def launch(self, sid: str | None) -> Launch | None:
        if not sid:
            return None
        with self._lock:
            self._trim()
            return self._launches.get(sid)

    def forget(self, sid: str) -> None:
        with self._lock:
            self._launches.pop(sid, None)


SESSIONS = Store()


def _oauth(settings: Settings, scope: str | None = None) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.client_id,
        redirect_uri=settings.redirect_uri,
        scope=scope,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",  # a public client: PKCE, no secret in the browser
        timeout=TIMEOUT_S,
    )


def begin(settings: Settings, browser: str, iss: str | None, launch: str | None) -> str:
    """Start a sign-in (EHR launch with ``iss`` and ``launch``, or standalone); the URL of the
    authorization server to send the browser to."""
    if iss is None:
        if launch is not None:
            raise EhrError(Msg("an EHR launch needs the iss parameter"))
        iss = settings.allowed_iss[0]
    iss = iss.rstrip("/")
    if iss not in settings.allowed_iss:
        raise EhrError(Msg("this app is not registered with the EHR at {iss}", iss=iss[:120]))
    if launch is not None and not (0 < len(launch) <= 2048):
        raise EhrError(Msg("the launch parameter is empty or too long"))
    endpoints = discover(iss)
    verifier = generate_token(64)
    state = generate_token(40)
    nonce = generate_token(32)
    extra: dict[str, str] = {"aud": iss, "nonce": nonce}
    if launch is not None:
        extra["launch"] = launch
    scope = EHR_LAUNCH_SCOPE if launch is not None else STANDALONE_SCOPE
    url, _ = _oauth(settings, scope).create_authorization_url(
        endpoints.authorize, state=state, code_verifier=verifier, **extra
    )
    SESSIONS.add_pending(state, Pending(browser, iss, endpoints, verifier, nonce))
    return url


def finish(settings: Settings, browser: str, params: dict[str, str]) -> str:
    """Finish a sign-in from the callback's query: check ``state`` against this browser's
    pending sign-in, exchange the code (with the PKCE verifier), validate the ID token (the
    EHR user, ``launch_user``), keep the tokens and the user server-side; the new session id."""
    if "error" in params:
        reason = params.get("error_description") or params["error"]
        raise EhrError(Msg("the sign-in was not completed: {reason}", reason=reason[:160]))
    state, code = params.get("state"), params.get("code")
    pending = SESSIONS.take_pending(state) if state else None
    if pending is None or not secrets.compare_digest(pending.browser, browser or ""):
        raise EhrError(Msg("this sign-in is unknown or has expired: launch the app again"))
    if not code:
        raise EhrError(Msg("the authorization server sent no code"))
    try:
        token = _oauth(settings).fetch_token(
            pending.endpoints.token,
            grant_type="authorization_code",
            code=code,
            code_verifier=pending.code_verifier,
            redirect_uri=settings.redirect_uri,
        )
    except requests.RequestException:
        raise EhrError(Msg("the authorization server cannot be reached")) from None
    except Exception as exc:  # Authlib's OAuthError and friends: the server said no
        raise EhrError(
            Msg("the authorization server refused the sign-in ({error})", error=type(exc).__name__)
        ) from None
    patient = token.get("patient")
    if not isinstance(patient, str) or not FHIR_ID.fullmatch(patient):
        raise EhrError(Msg("the EHR gave no patient for this launch: open the app from a chart"))
    user, problem = launch_user(settings, pending.endpoints, dict(token), pending.nonce)
    launch = Launch(
        iss=pending.iss,
        patient_id=patient,
        token_endpoint=pending.endpoints.token,
        token=dict(token),
        expires_at=_expiry(token),
        fhir_user=user.fhir_user if user is not None else None,
        user=user,
        user_problem=problem,
    )
    return SESSIONS.add_launch(launch)


def _expiry(token: dict[str, Any]) -> float:
    expires_in = token.get("expires_in")
    seconds = float(expires_in) if isinstance(expires_in, int | float) else 300.0
    return time.monotonic() + seconds


def access_token(settings: Settings, launch: Launch) -> str:
    """A usable access token for ``launch``, refreshed first when it is (about to be)
    expired; EhrError when it cannot be renewed (the clinician launches again)."""
    if time.monotonic() < launch.expires_at - REFRESH_MARGIN_S:
        return launch.token["access_token"]
    refresh = launch.token.get("refresh_token")
    if not refresh:
        raise EhrError(Msg("the EHR sign-in has expired: open the app from the chart again"))
    try:
        token = _oauth(settings).refresh_token(launch.token_endpoint, refresh_token=refresh)
    except Exception:  # unreachable, or the refresh token was refused
        raise EhrError(Msg("the EHR sign-in has expired and could not be renewed")) from None
    launch.token = {**launch.token, **dict(token)}
    launch.expires_at = _expiry(token)
    return launch.token["access_token"]
