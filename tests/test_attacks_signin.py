"""Attacks on the hospital sign-on (docs/security.md §6, docs/deploying.md §8), against the real
app signed in through a real OpenID provider on loopback (tests/oidc_provider.py):

- a forged or edited identity cookie is nobody, never the person it names;
- identity headers (the configured proxy header from the trusted peer too) change nothing once
  sign-in is configured;
- a websocket message cannot press a button the role may not use (Activate, Save);
- an unreachable provider gives a clear message and nothing is saved.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import websockets
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

from srgvhd.casestore.store import CaseStore
from srgvhd.risk.store import ModelStore
from tests.attack_harness import open_in, run, two_version_store, widget
from tests.browser.conftest import VIEWPORT, launch_chromium
from tests.oidc_provider import Provider, provider, signed_app
from tests.support.local_server import HOST, free_port

pytestmark = [pytest.mark.attack, pytest.mark.browser]

USERS = {"vic": ("Victor Reade", "viewer"), "ana": ("Ana Lee", "clinician")}
# The app trusts X-Remote-User from 127.0.0.1 when sign-in is off: with it on, it must not.
PROXY_ENV = {"SRGVHD_IDENTITY_HEADER": "X-Remote-User", "SRGVHD_TRUSTED_PROXY": "127.0.0.1"}
FORGED_HEADERS = {
    "X-Remote-User": "dana",
    "X-Forwarded-User": "dana",
    "X-Forwarded-Email": "dana@hospital.test",
    "X-Auth-Request-Groups": "gvhd-registry",
    "Remote-User": "dana",
}


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with provider(tmp_path_factory.mktemp("idp") / "provider.log") as running:
        for sub, (name, role) in USERS.items():
            running.put_role(sub, name, role)
        yield running


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    root = tmp_path_factory.mktemp("attack-models")
    active, inactive = two_version_store(root)
    return root, active, inactive


@pytest.fixture(scope="module")
def app(tmp_path_factory, idp: Provider, models) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("attack-app")
    with signed_app(root, idp.metadata_url, models[0], env=PROXY_ENV) as url:
        yield url, root


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(45_000)
    yield ctx
    ctx.close()


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def sign_in(page: Page, url: str, sub: str) -> None:
    page.goto(url)
    sidebar(page).get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    sidebar(page).get_by_text(f"Signed in as {USERS[sub][0]} (sub {sub})").wait_for()


def case_versions(root: Path) -> int:
    """How many case versions the app's store holds (0 when it was never created)."""
    database = root / "data" / "cases.sqlite3"
    if not database.exists():
        return 0
    store = CaseStore(f"sqlite:///{database}")
    try:
        return sum(case["version"] for case in store.list_cases())
    finally:
        store.close()


def forged_user(url: str, **claims: object) -> str:
    return json.dumps(
        {
            "is_logged_in": True,
            "origin": url,
            "provider": "default",
            "sub": "dana",
            "name": "Dana Registry",
            "groups": ["gvhd-registry"],
            "iat": int(time.time()),
            **claims,
        }
    )


@pytest.mark.parametrize("how", ["unsigned", "signed with another secret", "edited"])
def test_a_forged_identity_cookie_is_nobody(context, app, how) -> None:
    url, _root = app
    page = context.new_page()
    if how == "edited":  # a real viewer's cookie with its payload swapped for a data manager's
        sign_in(page, url, "vic")
        real = next(c for c in context.cookies() if c["name"] == "_streamlit_user")
        payload, stamp, signature = real["value"].rsplit(".", 2)  # itsdangerous' layout
        value = forged_user(url, sub="vic", name="Victor Reade")
        forged = create_signed_value("x" * 32, "_streamlit_user", value).decode()
        assert forged.rsplit(".", 2)[0] != payload
        cookie = f"{forged.rsplit('.', 2)[0]}.{stamp}.{signature}"
    elif how == "unsigned":
        cookie = forged_user(url)
    else:
        cookie = create_signed_value("not-the-app-secret" * 2, "_streamlit_user", forged_user(url))
        cookie = cookie.decode()
    context.clear_cookies()
    context.add_cookies([{"name": "_streamlit_user", "value": cookie, "url": url}])
    page.goto(url)
    sidebar(page).get_by_text("Not signed in").wait_for()
    assert page.get_by_text("Signed in as").count() == 0
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Model").click()
    page.get_by_text("Model changes need a signed-in data manager").wait_for()


def test_identity_headers_change_nothing_once_sign_in_is_on(browser, app, models) -> None:
    url, root = app
    ctx = browser.new_context(viewport=VIEWPORT, extra_http_headers=FORGED_HEADERS)
    ctx.set_default_timeout(45_000)
    try:
        page = ctx.new_page()
        page.goto(url)
        sidebar(page).get_by_text("Not signed in").wait_for()  # the trusted header is not a user
        page.get_by_text("Case store unavailable").wait_for()
        sign_in(page, url, "vic")
        sidebar(page).get_by_text("role viewer").wait_for()
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Model").click()
        page.get_by_text("Your role is viewer: you may not train").wait_for()
        assert page.get_by_role("button", name="Activate").first.is_disabled()
    finally:
        ctx.close()
    assert ModelStore(models[0]).active_version() == models[1]
    assert case_versions(root) == 0


def _websocket_headers(context: BrowserContext, url: str) -> tuple[dict[str, str], str]:
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return {"Cookie": header}, cookies["_streamlit_xsrf"]


async def _press_activate(port: int, headers: dict[str, str], xsrf: str, version: str):
    """Open the Model page over a websocket carrying the session's cookies (and its XSRF token,
    as the browser sends it) and send a press of the Activate button of ``version``."""
    async with websockets.connect(
        f"ws://{HOST}:{port}/_stcore/stream",
        origin=f"http://{HOST}:{port}",
        additional_headers=headers,
        subprotocols=["streamlit", xsrf],
        max_size=None,
        open_timeout=60,
    ) as ws:
        page = await open_in(ws, "model")
        assert any("Your role is clinician" in alert for alert in page.alerts), page.alerts
        button = widget(page, f"model_activate_{version}")
        assert button.disabled
        return await run(ws, [(button.id, "trigger_value", True)], page="model")


def test_a_websocket_message_cannot_press_a_button_the_role_may_not_use(
    context, app, models
) -> None:
    url, _root = app
    root, active, inactive = models
    page = context.new_page()
    sign_in(page, url, "ana")  # a clinician: Activate is not theirs
    headers, xsrf = _websocket_headers(context, url)
    port = int(url.rsplit(":", 1)[1])
    audit_before = len(ModelStore(root).audit_log())
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API owns this thread's loop
        result = thread.submit(asyncio.run, _press_activate(port, headers, xsrf, inactive))
        result = result.result()
    assert not result.exceptions
    assert ModelStore(root).active_version() == active
    assert len(ModelStore(root).audit_log()) == audit_before


def test_an_unreachable_provider_gives_a_clear_page_and_saves_nothing(
    tmp_path, context, models
) -> None:
    closed = f"http://{HOST}:{free_port()}/.well-known/openid-configuration"  # nothing listens
    with signed_app(tmp_path, closed, models[0]) as url:
        page = context.new_page()
        page.goto(url)
        page.get_by_text("Case store unavailable").wait_for()
        sidebar(page).get_by_role("button", name="Sign in").click()
        page.get_by_text(
            "Sign-in is not possible now: the hospital sign-on cannot be reached"
        ).wait_for()
        assert page.url.startswith(url)  # still on the app, not Streamlit's bare error page
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Assess").click()
        page.get_by_label("Case code", exact=True).wait_for()
        assert page.get_by_role("button", name="Save to ward store").count() == 0
        page.get_by_text("Case store unavailable").wait_for()
    assert case_versions(tmp_path) == 0
    assert ModelStore(models[0]).active_version() == models[1]
