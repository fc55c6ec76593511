"""The EHR user of a SMART launch (docs/ehr.md, "Who is saving after a launch"): the OpenID
Connect ID token the token response carries (scopes ``openid fhirUser``), checked with joserfc
against the authorization server's published keys before anything in it is believed —
signature, issuer, audience (the app's client id), expiry and the ``nonce`` the app sent.
No Streamlit here.

SMART App Launch 2.x §"Scopes for requesting identity data": the ``fhirUser`` claim names the
FHIR resource of the person who launched the app (e.g. ``Practitioner/123``); OpenID Connect
Core 1.0 §3.1.3.7 lists the checks on an ID token.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from srgvhd.i18n.message import Msg

# Asymmetric algorithms only: a public client holds no secret, so an HS256 token proves nothing.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
LEEWAY_S = 60  # clock drift between the EHR and this server
TIMEOUT_S = 15.0
MAX_JWKS_BYTES = 262_144
MAX_TOKEN_CHARS = 16_384
# "Practitioner/123" or an absolute URL ending in such a reference (SMART App Launch 2.x).
FHIR_USER = re.compile(r"(?:https?://\S{1,900}/)?[A-Z][A-Za-z]{1,63}/[A-Za-z0-9\-.]{1,64}")


class IdTokenError(Exception):
    """The ID token is missing or did not pass a check; the message says which, in plain words
    (never the token itself)."""


@dataclass(frozen=True)
class LaunchUser:
    """Who launched the app, from a validated ID token: the ``fhirUser`` reference, the subject,
    the name when the token has one, and the token's claims (for the role claim and ``iat``)."""

    subject: str
    fhir_user: str | None
    name: str | None
    claims: Mapping[str, Any]

    def __repr__(self) -> str:  # the claims stay out of logs
        return f"LaunchUser(fhir_user={self.fhir_user!r})"


def fetch_jwks(jwks_uri: str) -> dict[str, Any]:
    """The authorization server's public keys (a JWK Set), bounded in size."""
    try:
        answer = requests.get(
            jwks_uri,
            timeout=TIMEOUT_S,
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
    except requests.RequestException:
        raise IdTokenError(Msg("the authorization server's keys cannot be reached")) from None
    if answer.status_code != 200 or len(answer.content) > MAX_JWKS_BYTES:
        raise IdTokenError(
            Msg(
                "the authorization server's keys are unavailable (HTTP {status})",
                status=answer.status_code,
            )
        )
    try:
        keys = answer.json()
    except ValueError:
        raise IdTokenError(Msg("the authorization server's keys are not JSON")) from None
    if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
        raise IdTokenError(Msg("the authorization server's keys are not a JWK Set"))
    return keys


def validate(
    id_token: object,
    jwks: Mapping[str, Any],
    *,
    issuer: str,
    client_id: str,
    nonce: str | None,
    now: float | None = None,
) -> LaunchUser:
    """The launch's user from ``id_token`` once its signature (one of ``jwks``), ``iss``,
    ``aud``, ``exp`` and ``nonce`` are right; IdTokenError naming the failed check otherwise."""
    if not isinstance(id_token, str) or not id_token or len(id_token) > MAX_TOKEN_CHARS:
        raise IdTokenError(Msg("the EHR sent no ID token"))
    try:
        keys = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        raise IdTokenError(Msg("the authorization server's keys cannot be read")) from None
    try:
        token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
    except JoseError:
        raise IdTokenError(
            Msg("the ID token's signature is not the authorization server's")
        ) from None
    except (ValueError, TypeError):
        raise IdTokenError(Msg("the ID token cannot be read")) from None
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }
    if nonce is not None:
        options["nonce"] = {"essential": True, "value": nonce}
    clock = int(time.time() if now is None else now)
    try:
        jwt.JWTClaimsRegistry(now=clock, leeway=LEEWAY_S, **options).validate(token.claims)
    except JoseError as exc:
        claim = getattr(exc, "claim", None) or "a claim"
        raise IdTokenError(
            Msg("the ID token was refused ({why})", why=_words(exc, claim))
        ) from None
    claims = dict(token.claims)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise IdTokenError(Msg("the ID token names no subject"))
    fhir_user = claims.get("fhirUser")
    if not (isinstance(fhir_user, str) and FHIR_USER.fullmatch(fhir_user)):
        fhir_user = None
    name = claims.get("name")
    return LaunchUser(
        subject=subject,
        fhir_user=fhir_user,
        name=name if isinstance(name, str) and name.strip() else None,
        claims=claims,
    )


def _words(exc: JoseError, claim: str) -> Msg:
    kind = type(exc).__name__
    if kind == "ExpiredTokenError":
        return Msg("it has expired")
    if kind == "MissingClaimError":
        return Msg("it has no {claim}", claim=claim)
    return Msg("wrong {claim}", claim=claim)
