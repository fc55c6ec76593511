"""The Assess page's second-line section in German in Debian Chromium (docs/glossary.md "Second
line in detail"): the worked example (examples/second_line_uc_msc.json: week-4 CR on day 28,
2026-11-07; the third dose 0.8 × 10^6/kg below the study's 1–3) opened with a German browser.
The screenshot goes to the test's temporary folder to be looked at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import REPO, VIEWPORT, wait_for_layout
from tests.browser.test_flows import open_case_file

pytestmark = pytest.mark.browser


def test_the_second_line_section_in_german(browser: Browser, app_url: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE")
    context.set_default_timeout(90_000)
    page = context.new_page()
    try:
        page.goto(app_url)
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Beurteilen").click()
        example = (REPO / "examples" / "second_line_uc_msc.json").read_bytes()
        open_case_file(page, "second_line_uc_msc.json", example)
        page.get_by_text(
            "Ansprechen in Woche 4: komplettes Ansprechen (CR) an Tag 28 (07.11.2026), ein "
            "Gesamtansprechen."
        ).wait_for()
        page.get_by_text(
            "liegt außerhalb des Studienbereichs von 1–3", exact=False
        ).first.wait_for()
        page.get_by_role("heading", name="Zweitlinie", exact=True).wait_for()
        assert page.get_by_text("Week-4 response", exact=False).count() == 0
        main = page.get_by_test_id("stMainBlockContainer")
        height = main.evaluate("element => element.scrollHeight")
        page.set_viewport_size({"width": VIEWPORT["width"], "height": int(height) + 200})
        wait_for_layout(page)  # charts re-lay out after the resize
        main.screenshot(path=str(tmp_path / "assess-second-line-de.png"))
    finally:
        context.close()
    print(f"screenshot in {tmp_path}")
