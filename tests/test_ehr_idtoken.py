"""The SMART launch's ID token (srgvhd.ehr.idtoken): believed only with the authorization
server's signature, its issuer, this app's client id as audience, an unexpired ``exp`` and the
nonce the app sent (OpenID Connect Core 1.0 §3.1.3.7); and the identity a launch records
(srgvhd.identity.launch_identity). Keys are generated here; the JWKS is the public half, as a
server publishes it."""

from __future__ import annotations

import base64
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

from srgvhd.access import AccessConfig, Role
from srgvhd.ehr.idtoken import IdTokenError, validate
from srgvhd.identity import SMART_ROLE_ENV, launch_identity

ISSUER = "https://auth.hospital.example"
CLIENT = "srgvhd"
NONCE = "n-0S6_WzA2Mj"
NOW = 1_800_000_000


@pytest.fixture(scope="module")
def key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "ehr-1"}, private=True)


@pytest.fixture(scope="module")
def jwks(key: RSAKey) -> dict:
    published = {"keys": [key.as_dict(private=False)]}
    assert "d" not in published["keys"][0]  # only the public half is published
    return published


def claims(**changes: object) -> dict:
    base = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "u-42",
        "iat": NOW - 5,
        "exp": NOW + 300,
        "nonce": NONCE,
        "fhirUser": "Practitioner/123",
        "name": "Dr Ana Lee",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict, key, alg: str = "RS256", kid: str = "ehr-1") -> str:
    return jwt.encode({"alg": alg, "kid": kid}, payload, key)


def check(token: str, jwks: dict, nonce: str | None = NONCE):
    return validate(token, jwks, issuer=ISSUER, client_id=CLIENT, nonce=nonce, now=NOW)


def test_a_valid_token_names_the_ehr_user(key, jwks):
    user = check(sign(claims(), key), jwks)
    assert (user.subject, user.fhir_user, user.name) == ("u-42", "Practitioner/123", "Dr Ana Lee")
    assert "Ana" not in repr(user)  # the claims stay out of logs
    # an absolute fhirUser URL is a reference too; an audience list holding the client is fine
    user = check(sign(claims(fhirUser="https://ehr.example/fhir/Practitioner/9"), key), jwks)
    assert user.fhir_user == "https://ehr.example/fhir/Practitioner/9"
    assert check(sign(claims(aud=["other", CLIENT]), key), jwks).subject == "u-42"


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"iss": "https://evil.example"}, "wrong iss"),
        ({"iss": None}, "it has no iss"),
        ({"aud": "another-app"}, "wrong aud"),
        ({"aud": None}, "it has no aud"),
        ({"exp": NOW - 61}, "it has expired"),  # past the 60 s of clock drift
        ({"exp": None}, "it has no exp"),
        ({"nonce": "replayed"}, "wrong nonce"),
        ({"nonce": None}, "it has no nonce"),
        ({"sub": None}, "it has no sub"),
    ],
)
def test_a_wrong_claim_is_refused(key, jwks, changes, why):
    with pytest.raises(IdTokenError, match=why):
        check(sign(claims(**changes), key), jwks)


def test_expiry_allows_a_minute_of_clock_drift_only(key, jwks):
    assert check(sign(claims(exp=NOW - 59), key), jwks).subject == "u-42"
    with pytest.raises(IdTokenError, match="expired"):
        check(sign(claims(exp=NOW - 61), key), jwks)


def test_a_signature_by_another_key_is_refused(jwks):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "ehr-1"}, private=True)
    with pytest.raises(IdTokenError, match="signature is not the authorization server's"):
        check(sign(claims(), stranger), jwks)
    other_curve = ECKey.generate_key("P-256", parameters={"kid": "ehr-1"}, private=True)
    with pytest.raises(IdTokenError, match="signature"):
        check(sign(claims(), other_curve, alg="ES256"), jwks)


def test_a_tampered_payload_is_refused(key, jwks):
    head, _, signature = sign(claims(), key).split(".")
    forged = base64.urlsafe_b64encode(
        json.dumps(claims(fhirUser="Practitioner/someone-else")).encode()
    ).rstrip(b"=")
    with pytest.raises(IdTokenError, match="signature"):
        check(f"{head}.{forged.decode()}.{signature}", jwks)


def test_symmetric_and_unsigned_tokens_are_refused(key, jwks):
    # HS256 keyed with the published key's modulus text: the algorithm-confusion attack
    shared = OctKey.import_key(json.dumps(jwks["keys"][0]).encode())
    with pytest.raises(IdTokenError):
        check(jwt.encode({"alg": "HS256", "kid": "ehr-1"}, claims(), shared), jwks)
    head = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=").decode()
    with pytest.raises(IdTokenError):
        check(f"{head}.{body}.", jwks)


@pytest.mark.parametrize("token", [None, "", "not.a.jwt", "x" * 20_000, 42])
def test_no_or_unreadable_token_is_refused(jwks, token):
    with pytest.raises(IdTokenError):
        check(token, jwks)


def test_unreadable_keys_are_refused(key):
    with pytest.raises(IdTokenError, match="keys"):
        check(sign(claims(), key), {"keys": [{"kty": "nonsense"}]})


def test_a_malformed_fhir_user_is_dropped_not_believed(key, jwks):
    user = check(sign(claims(fhirUser="Practitioner/1 <script>"), key), jwks)
    assert user.fhir_user is None and user.subject == "u-42"


# --- what a launch records -------------------------------------------------------------------


def test_the_recorded_name_carries_the_fhir_user():
    who = launch_identity(claims(), None, AccessConfig(), env={}, now=NOW)
    assert who.who == "Dr Ana Lee (fhirUser Practitioner/123)"
    assert who.source == "EHR launch (SMART)" and who.signed_in
    # the EHR's subject never keys the sign-on's kept drafts (another issuer's subjects)
    assert who.subject is None
    assert launch_identity(claims(name=None), None, AccessConfig(), env={}, now=NOW).who == (
        "fhirUser Practitioner/123"
    )
    assert launch_identity(claims(fhirUser=None), None, AccessConfig(), env={}, now=NOW).who == (
        "Dr Ana Lee (sub u-42)"
    )


def test_a_launch_user_has_no_write_role_unless_the_setting_grants_it():
    access = AccessConfig()
    assert launch_identity(claims(), None, access, env={}, now=NOW).role is None
    for role in ("viewer", "clinician"):
        who = launch_identity(claims(), None, access, env={SMART_ROLE_ENV: role}, now=NOW)
        assert who.role == Role(role)
    refused = launch_identity(claims(), None, access, env={SMART_ROLE_ENV: "data-manager"}, now=NOW)
    assert refused.who is None and SMART_ROLE_ENV in refused.problem


def test_the_tokens_roles_claim_is_mapped_like_the_sign_in():
    access = AccessConfig.from_settings(
        {"role_claim": "groups", "role_values": {"gvhd-ward": "clinician", "dm": "data-manager"}},
        env={},
    )
    env = {SMART_ROLE_ENV: "viewer"}
    assert launch_identity(claims(groups=["dm"]), None, access, env=env, now=NOW).role == (
        Role.DATA_MANAGER
    )
    # a roles claim with no mapped value: no role, the launch setting does not top it up
    assert launch_identity(claims(groups=["cafe"]), None, access, env=env, now=NOW).role is None


def test_without_a_valid_token_nobody_saves():
    who = launch_identity(None, "the ID token was refused (wrong iss)", AccessConfig(), env={})
    assert who.who is None and who.role is None and not who.signed_in
    assert "saving is refused" in who.problem and "wrong iss" in who.problem


def test_a_launch_older_than_the_session_length_saves_nothing():
    access = AccessConfig(session_hours=12)
    late = NOW + 12 * 3600
    assert launch_identity(claims(), None, access, env={}, now=late - 10).who is not None
    expired = launch_identity(claims(), None, access, env={}, now=late)
    assert expired.who is None and "older than 12 hours" in expired.problem


def test_the_clock_default_is_now(key, jwks):
    fresh = claims(iat=int(time.time()), exp=int(time.time()) + 300)
    user = validate(sign(fresh, key), jwks, issuer=ISSUER, client_id=CLIENT, nonce=NONCE)
    assert user.subject == "u-42"
