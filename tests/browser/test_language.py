"""The app's language in Debian Chromium: the browser's locale decides on the first visit,
the sidebar selector changes it, and a reload keeps it (``?lang=`` in the address, nothing
else). Screenshots of the Ward page in German and Chinese go to the test's temporary folder to
be looked at (srgvhd.app.language; words from docs/glossary.md)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import VIEWPORT, rerun

pytestmark = pytest.mark.browser


def _title(page: Page, text: str) -> None:
    page.get_by_role("heading", name=text).wait_for(timeout=60_000)


def _shot(page: Page, path: Path) -> None:
    page.get_by_test_id("stMainBlockContainer").screenshot(path=str(path))


def test_browser_locale_then_selector_then_reload(
    browser: Browser, app_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE")
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        page.goto(app_url)
        _title(page, "Station: Steroidverläufe")
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name="Beurteilen").wait_for()
        assert parse_qs(urlparse(page.url).query) == {"lang": ["de"]}
        _shot(page, tmp_path / "ward-de.png")

        selector = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
        with rerun(page):
            selector.click()
            page.get_by_role("option", name="简体中文").click()
        _title(page, "病房：激素治疗病程")
        nav.get_by_role("link", name="评估").wait_for()
        assert parse_qs(urlparse(page.url).query) == {"lang": ["zh"]}
        _shot(page, tmp_path / "ward-zh.png")

        page.reload()
        _title(page, "病房：激素治疗病程")  # the address keeps the choice
    finally:
        context.close()
    print(f"screenshots in {tmp_path}")
