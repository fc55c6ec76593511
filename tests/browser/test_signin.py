"""Hospital sign-on through a real OpenID provider (``oidc-provider-mock`` on loopback, started
here) and Debian Chromium: each user signs in on the provider's own page.

- a clinician saves a course and the history shows their name and subject;
- a viewer reads but cannot save; a clinician cannot change the model; a data manager can, and
  the audit log records who;
- sign-out leaves nobody signed in;
- a session older than the configured length asks again and keeps the form across the new
  sign-in (an app started with a session of a few seconds).

The users' roles come from a ``groups`` claim mapped in the test's ``secrets.toml``
(``tests/oidc_provider.py``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from srgvhd.risk.store import ModelStore
from tests.attack_harness import two_version_store
from tests.browser.conftest import VIEWPORT, rerun, textbox, type_into
from tests.browser.test_ward_flow import StoreUI, enter_day0
from tests.oidc_provider import Provider, provider, signed_app

pytestmark = pytest.mark.browser

USERS = {  # sub: (name, role)
    "ana": ("Ana Lee", "clinician"),
    "vic": ("Victor Reade", "viewer"),
    "dana": ("Dana Registry", "data-manager"),
    "nora": ("Nora Norole", None),
}
SHORT_SESSION_S = 45


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The OpenID provider with one user of each role (and one without a role)."""
    root = tmp_path_factory.mktemp("idp")
    with provider(root / "provider.log") as running:
        for sub, (name, role) in USERS.items():
            running.put_role(sub, name, role)
        yield running


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A model store with an active version and an older-style inactive one to roll back to."""
    root = tmp_path_factory.mktemp("signin-models")
    active, inactive = two_version_store(root)
    return root, active, inactive


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, idp: Provider, models: tuple[Path, str, str]
) -> Iterator[str]:
    root = tmp_path_factory.mktemp("signin-app")
    with signed_app(root, idp.metadata_url, models[0]) as url:
        yield url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(45_000)
    yield ctx
    ctx.close()


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def sign_in(page: Page, sub: str, button_scope=None) -> None:
    """Click Sign in (in the sidebar unless told), sign in as ``sub`` on the provider's page,
    and wait until the app says who is signed in."""
    scope = button_scope or sidebar(page)
    scope.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    sidebar(page).get_by_text(f"Signed in as {USERS[sub][0]} (sub {sub})").wait_for()


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Ward: steroid courses").wait_for()


def go(page: Page, link: str) -> None:
    with rerun(page):
        sidebar(page).get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()


def test_clinician_saves_and_the_history_shows_their_name(context, app) -> None:
    page = context.new_page()
    open_app(page, app)
    sidebar(page).get_by_text("Not signed in").wait_for()
    page.get_by_test_id("stMain").get_by_text("Case store unavailable").wait_for()
    sign_in(page, "ana")
    sidebar(page).get_by_text("role clinician").wait_for()
    store = StoreUI(page)
    store.new_course()
    enter_day0(page)
    page.get_by_text("Not refractory so far").first.wait_for()
    store.set_code("S-1")
    store.save()
    store.message("Saved S-1 as version 1")
    history = store.history("S-1", 1)
    assert "Ana Lee (sub ana)" in history, history


def test_viewer_reads_but_cannot_save(context, app) -> None:
    page = context.new_page()
    open_app(page, app)
    sign_in(page, "vic")
    sidebar(page).get_by_text("role viewer").wait_for()
    page.get_by_text("Course to open").wait_for()  # the ward list is readable
    go(page, "Assess")
    type_into(page, textbox(page, "Case code"), "S-2")
    page.get_by_text("Your role is viewer: you may not save, close or change courses").wait_for()
    assert page.get_by_role("button", name="Save to ward store").count() == 0


def test_account_without_a_role_sees_no_cases(context, app) -> None:
    page = context.new_page()
    open_app(page, app)
    sign_in(page, "nora")
    sidebar(page).get_by_text("no srgvhd role").wait_for()
    page.get_by_text("Your account has no srgvhd role").wait_for()
    assert page.get_by_text("Course to open").count() == 0


def test_clinician_cannot_change_the_model_and_a_data_manager_can(
    browser: Browser, app, models
) -> None:
    root, active, inactive = models
    store = ModelStore(root)
    for sub, may in (("ana", False), ("dana", True)):
        ctx = browser.new_context(viewport=VIEWPORT)
        ctx.set_default_timeout(45_000)
        try:
            page = ctx.new_page()
            open_app(page, app)
            sign_in(page, sub)
            go(page, "Model")
            page.get_by_role("heading", name="Versions").wait_for()
            activate = page.get_by_role("button", name="Activate")
            activate.first.wait_for()
            if not may:
                page.get_by_text(
                    "Your role is clinician: you may not train, promote or roll back risk models"
                ).wait_for()
                assert activate.first.is_disabled()
                assert page.get_by_role("button", name="Validate and fit").is_disabled()
                assert page.get_by_label("Admin secret").count() == 0  # the role, not a secret
                assert store.active_version() == active
                continue
            assert page.get_by_text("you may not train").count() == 0
            with rerun(page):
                activate.first.click()
            page.get_by_text(re.compile(f"{inactive}.*— active")).wait_for()
        finally:
            ctx.close()
    assert store.active_version() == inactive
    last = store.audit_log()[-1]
    assert (last["to_version"], last["who"]) == (inactive, "Dana Registry (sub dana)")


def test_sign_out_leaves_nobody_signed_in(context, app) -> None:
    page = context.new_page()
    open_app(page, app)
    sign_in(page, "ana")
    sidebar(page).get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own page
    sidebar(page).get_by_text("Not signed in").wait_for()
    assert not [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]
    page.get_by_test_id("stMain").get_by_text("Case store unavailable").wait_for()


@pytest.fixture(scope="module")
def short_app(
    tmp_path_factory: pytest.TempPathFactory, idp: Provider, models: tuple[Path, str, str]
) -> Iterator[str]:
    root = tmp_path_factory.mktemp("signin-short")
    with signed_app(root, idp.metadata_url, models[0], session_hours=SHORT_SESSION_S / 3600) as url:
        yield url


def test_an_expired_session_asks_again_and_keeps_the_form(context, short_app) -> None:
    page = context.new_page()
    open_app(page, short_app)
    sign_in(page, "ana")
    signed_at = time.time()  # the provider issued the ID token before this
    go(page, "Assess")
    type_into(page, textbox(page, "Case code"), "S-9")
    type_into(page, textbox(page, "Age (years)"), "57")
    # the session ends SHORT_SESSION_S after the ID token was issued; the next run says so
    left_s = signed_at + SHORT_SESSION_S + 1 - time.time()
    if left_s > 0:
        page.wait_for_timeout(left_s * 1000)
    type_into(page, textbox(page, "Weight (kg)"), "71")
    ended = page.get_by_text("Session ended: your sign-in is older than")
    ended.wait_for()
    assert page.get_by_role("button", name="Save to ward store").count() == 0
    page.get_by_text("Case store unavailable").wait_for()
    type_into(page, textbox(page, "Hemoglobin"), "88")  # typed after the session ended
    sign_in(page, "ana", button_scope=page.get_by_test_id("stMain"))
    page.get_by_text("Your unsaved entry from before you signed in again is back").wait_for()
    kept = {"Case code": "S-9", "Age (years)": "57", "Weight (kg)": "71", "Hemoglobin": "88"}
    for label, value in kept.items():
        expect(textbox(page, label)).to_have_value(value)
    assert page.get_by_role("button", name="Save to ward store").count() == 1
    assert ended.count() == 0
