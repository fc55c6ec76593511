"""SMART App Launch (srgvhd.ehr.smart and the /smart routes, docs/ehr.md) against real servers:
nginx fronting a sekmet-fhir server and serving the SMART configuration, and npm's
oauth2-mock-server as the authorization server (tests/fhir/gateway.py). The routes run
in-process (Starlette's test client); every other hop is a real HTTP request."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from starlette.applications import Starlette
from starlette.testclient import TestClient

from srgvhd.access import AccessConfig, Role
from srgvhd.ehr import launch, smart
from srgvhd.ehr.client import EhrError, FhirServer
from srgvhd.ehr.importer import import_case
from srgvhd.identity import SMART_ROLE_ENV as SMART_ROLE
from srgvhd.identity import launch_identity
from tests.fhir.gateway import Gateway
from tests.support.local_server import free_port

pytestmark = pytest.mark.fhir
CLIENT_ID = "srgvhd-test"
REDIRECT = "http://testserver/smart/callback"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    running = Gateway(tmp_path_factory.mktemp("gateway"), patient="adult-1")
    try:
        running.fhir.load("adult", "child")
        yield running
    finally:
        running.stop()


@pytest.fixture
def app(gateway, monkeypatch):
    monkeypatch.setenv("SRGVHD_SMART_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SRGVHD_SMART_REDIRECT_URI", REDIRECT)
    monkeypatch.setenv("SRGVHD_SMART_ISS", gateway.iss)
    gateway.set_context(patient="adult-1")
    return TestClient(Starlette(routes=launch.routes()))


def sign_in(app, query: str) -> tuple[dict, str]:
    """Launch, let the authorization server answer (no consent page in the mock), come back
    to the callback; the authorize request's parameters and the session id."""
    started = app.get(f"/smart/launch{query}", follow_redirects=False)
    assert started.status_code == 302, started.text
    authorize = started.headers["location"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    answered = requests.get(authorize, allow_redirects=False, timeout=30)
    assert answered.status_code == 302, answered.text
    back = urlsplit(answered.headers["location"])
    assert back.path == "/smart/callback"
    done = app.get(f"/smart/callback?{back.query}", follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/"
    (cookie,) = [
        c for c in done.headers.get_list("set-cookie") if c.startswith(launch.SESSION_COOKIE)
    ]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/;" in cookie
    return params, app.cookies[launch.SESSION_COOKIE]


def test_ehr_launch_with_pkce_state_and_aud(app, gateway):
    params, sid = sign_in(app, f"?iss={gateway.iss}&launch=xyz-123")
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == REDIRECT
    assert params["scope"] == "launch openid fhirUser patient/*.rs"
    assert params["aud"] == gateway.iss
    assert params["launch"] == "xyz-123"
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32 and len(params["code_challenge"]) == 43
    session = smart.SESSIONS.launch(sid)
    assert session.patient_id == "adult-1" and session.iss == gateway.iss
    # the EHR user comes from the signed ID token, never from the response body's own fhirUser
    assert session.fhir_user == "Practitioner/dr-test"
    assert session.user.fhir_user == "Practitioner/dr-test"
    assert session.user.name == "Dr Test Launcher" and session.user.subject == "johndoe"
    assert session.user_problem is None
    assert len(params["nonce"]) >= 32 and session.user.claims["nonce"] == params["nonce"]
    assert "access_token" not in repr(session)
    # the token reads the record through the gateway
    token = smart.access_token(smart.settings_from_env(), session)
    case = import_case(FhirServer(session.iss, token), session.patient_id)
    assert case["patient"]["ehr"] == {"fhir_server": gateway.iss, "patient_id": "adult-1"}
    assert case["steroids"]["start_date"] == "2026-11-01"


def test_standalone_launch_asks_for_a_patient(app, gateway):
    gateway.set_context(patient="child-1")
    params, sid = sign_in(app, "")
    assert params["scope"] == "launch/patient openid fhirUser patient/*.rs"
    assert "launch" not in params and params["aud"] == gateway.iss
    assert smart.SESSIONS.launch(sid).patient_id == "child-1"


def test_a_callback_from_another_browser_is_refused(app, gateway):
    started = app.get(f"/smart/launch?iss={gateway.iss}&launch=a", follow_redirects=False)
    answered = requests.get(started.headers["location"], allow_redirects=False, timeout=30)
    query = urlsplit(answered.headers["location"]).query
    other = TestClient(app.app)  # no pre-sign-in cookie
    refused = other.get(f"/smart/callback?{query}", follow_redirects=False)
    assert refused.status_code == 400
    assert "unknown or has expired" in refused.text
    assert launch.SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    # and the state cannot be replayed by the right browser afterwards either
    assert app.get(f"/smart/callback?{query}", follow_redirects=False).status_code == 400


def test_an_unregistered_ehr_cannot_launch_the_app(app):
    page = app.get("/smart/launch?iss=https://evil.example/fhir&launch=x", follow_redirects=False)
    assert page.status_code == 400
    assert "not registered with the EHR at https://evil.example/fhir" in page.text


def test_unreachable_ehr_gives_a_clear_page(app, gateway, monkeypatch):
    dead = f"http://127.0.0.1:{free_port()}/fhir"
    monkeypatch.setenv("SRGVHD_SMART_ISS", f"{gateway.iss},{dead}")
    page = app.get(f"/smart/launch?iss={dead}&launch=x", follow_redirects=False)
    assert page.status_code == 502
    assert f"the EHR at {dead} cannot be reached" in page.text
    assert "<script" not in page.text


def test_unreachable_authorization_server_gives_a_clear_page(app, gateway):
    config_file = gateway.folder / "smart-configuration.json"
    saved = config_file.read_text()
    config = json.loads(saved)
    config["token_endpoint"] = f"http://127.0.0.1:{free_port()}/token"
    config_file.write_text(json.dumps(config))
    try:
        started = app.get(f"/smart/launch?iss={gateway.iss}&launch=a", follow_redirects=False)
        answered = requests.get(started.headers["location"], allow_redirects=False, timeout=30)
        query = urlsplit(answered.headers["location"]).query
        page = app.get(f"/smart/callback?{query}", follow_redirects=False)
    finally:
        config_file.write_text(saved)
    assert page.status_code == 400
    assert "the authorization server cannot be reached" in page.text


def test_a_refused_sign_in_says_so(app):
    page = app.get("/smart/callback?error=access_denied&state=x", follow_redirects=False)
    assert page.status_code == 400 and "access_denied" in page.text


def test_an_expired_token_is_refreshed(app, gateway):
    gateway.set_context(patient="adult-1", expires_in=1)
    _, sid = sign_in(app, f"?iss={gateway.iss}&launch=x")
    session = smart.SESSIONS.launch(sid)
    first_refresh = session.token["refresh_token"]
    gateway.set_context(patient="adult-1", expires_in=3600)
    renewed = smart.access_token(smart.settings_from_env(), session)
    # the refresh grant ran: the server issued a new refresh token and a longer life
    assert session.token["refresh_token"] != first_refresh
    assert session.token["expires_in"] == 3600
    again = session.token["refresh_token"]
    assert smart.access_token(smart.settings_from_env(), session) == renewed
    assert session.token["refresh_token"] == again  # still valid: no second refresh


def test_an_expired_token_that_cannot_be_renewed(app, gateway):
    gateway.set_context(patient="adult-1", expires_in=1)
    _, sid = sign_in(app, f"?iss={gateway.iss}&launch=x")
    gateway.set_context(patient="adult-1", refuse_refresh=True)
    with pytest.raises(EhrError, match="expired and could not be renewed"):
        smart.access_token(smart.settings_from_env(), smart.SESSIONS.launch(sid))


def test_no_patient_in_the_token_response(app, gateway):
    gateway.set_context(patient=None)
    started = app.get(f"/smart/launch?iss={gateway.iss}&launch=a", follow_redirects=False)
    answered = requests.get(started.headers["location"], allow_redirects=False, timeout=30)
    page = app.get(
        f"/smart/callback?{urlsplit(answered.headers['location']).query}", follow_redirects=False
    )
    assert page.status_code == 400 and "gave no patient" in page.text


def test_not_set_up(monkeypatch):
    monkeypatch.delenv("SRGVHD_SMART_CLIENT_ID", raising=False)
    client = TestClient(Starlette(routes=launch.routes()))
    page = client.get("/smart/launch?iss=x&launch=y", follow_redirects=False)
    assert page.status_code == 404 and "not set up" in page.text


def test_the_launch_identity_is_recorded_with_its_fhir_user(app, gateway):
    gateway.set_context(
        patient="adult-1", user={"fhirUser": "Practitioner/123", "name": "Dr Ana Lee"}
    )
    _, sid = sign_in(app, f"?iss={gateway.iss}&launch=x")
    user = smart.SESSIONS.launch(sid).user
    who = launch_identity(dict(user.claims), None, AccessConfig(), env={})
    assert who.who == "Dr Ana Lee (fhirUser Practitioner/123)"
    assert who.signed_in and who.subject is None  # not the sign-on's kept-draft key
    assert who.role is None  # no roles claim, no SRGVHD_SMART_ROLE: nothing is saved
    granted = launch_identity(
        dict(user.claims), None, AccessConfig(), env={SMART_ROLE: "clinician"}
    )
    assert granted.role == Role.CLINICIAN


def test_a_roles_claim_in_the_ehr_token_maps_like_the_sign_in(app, gateway):
    gateway.set_context(
        patient="adult-1", user={"fhirUser": "Practitioner/9", "groups": ["ward-viewers"]}
    )
    _, sid = sign_in(app, f"?iss={gateway.iss}&launch=x")
    claims = dict(smart.SESSIONS.launch(sid).user.claims)
    access = AccessConfig.from_settings(
        {"role_claim": "groups", "role_values": {"ward-viewers": "viewer"}}, env={}
    )
    # the token's own claim wins over the launch setting
    who = launch_identity(claims, None, access, env={SMART_ROLE: "clinician"})
    assert who.role == Role.VIEWER and who.who == "fhirUser Practitioner/9"


@pytest.mark.parametrize(
    ("context", "why"),
    [
        ({"no_id_token": True}, "the EHR sent no ID token"),
        ({"user": {"iss": "http://127.0.0.1:9/other"}}, "wrong iss"),
        ({"user": {"aud": "another-app"}}, "wrong aud"),
        ({"user": {"exp": 1_000_000_000}}, "it has expired"),
        ({"user": {"nonce": "not-the-one-sent"}}, "wrong nonce"),
    ],
)
def test_a_launch_without_a_valid_id_token_saves_nothing(app, gateway, context, why):
    gateway.set_context(patient="adult-1", **context)
    _, sid = sign_in(app, f"?iss={gateway.iss}&launch=x")
    session = smart.SESSIONS.launch(sid)
    # the launch still reads the record ...
    assert session.patient_id == "adult-1" and session.user is None and session.fhir_user is None
    assert why in session.user_problem
    # ... but nobody is known, so the case store refuses to save
    who = launch_identity(None, session.user_problem, AccessConfig(), env={SMART_ROLE: "clinician"})
    assert who.who is None and "saving is refused" in who.problem and why in who.problem


@pytest.mark.parametrize(
    ("drop", "problem"),
    [
        # without jwks_uri the keys are found through the issuer's OpenID configuration
        (("jwks_uri",), None),
        (("jwks_uri", "issuer"), "names no issuer for its ID tokens"),
    ],
)
def test_the_keys_are_found_or_the_launch_records_nobody(app, gateway, drop, problem):
    config_file = gateway.folder / "smart-configuration.json"
    saved = config_file.read_text()
    config = json.loads(saved)
    for key in drop:
        del config[key]
    config_file.write_text(json.dumps(config))
    try:
        _, sid = sign_in(app, f"?iss={gateway.iss}&launch=x")
    finally:
        config_file.write_text(saved)
    session = smart.SESSIONS.launch(sid)
    if problem is None:
        assert session.user.fhir_user == "Practitioner/dr-test" and session.user_problem is None
    else:
        assert session.user is None and problem in session.user_problem


def test_a_forged_session_cookie_names_nobody(app, gateway):
    sign_in(app, f"?iss={gateway.iss}&launch=x")
    assert smart.SESSIONS.launch("forged-" + "A" * 36) is None
    assert smart.SESSIONS.launch("") is None and smart.SESSIONS.launch(None) is None
