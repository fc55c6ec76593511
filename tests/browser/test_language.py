"""The app's language in Debian Chromium: the browser's locale decides on the first visit,
the sidebar selector changes it, and a reload keeps it (``?lang=`` in the address, nothing
else). Screenshots of the Ward page in German and Chinese go to the test's temporary folder to
be looked at (srgvhd.app.language; words from docs/glossary.md)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Locator, Page

from tests.browser.conftest import (
    ASSESSMENT_BLOCKS,
    VIEWPORT,
    rerun,
    textbox,
    type_into,
    wait_for_layout,
)
from tests.browser.test_flows import SCREENSHOTS

pytestmark = pytest.mark.browser


def _title(page: Page, text: str) -> None:
    page.get_by_role("heading", name=text).wait_for(timeout=60_000)


def _shot(page: Page, path: Path) -> None:
    page.get_by_test_id("stMainBlockContainer").screenshot(path=str(path))


def _viewport_shot(page: Page, block: Locator, path: Path) -> None:
    """What the clinician sees: the sidebar, the verdict bar and the assessment in the window."""
    block.evaluate("e => e.scrollIntoView({block: 'end'})")
    wait_for_layout(page)
    page.screenshot(path=str(path))


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


def test_assess_page_in_german_by_keyboard_then_in_chinese(browser: Browser, app_url: str) -> None:
    """German browser locale: the Assess page's fields in German; a decimal comma ("1,5") is
    read as 1.5 and said back as 1,5; an ambiguous "1.600" mL/day is asked again (1600 or
    1,600), never guessed; then the same entry in Chinese. Screenshots:
    docs/screenshots/assess-de.png and assess-zh.png."""
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE")
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        page.goto(app_url)
        _title(page, "Station: Steroidverläufe")
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name="Beurteilen").click()
        _title(page, "Steroidverlauf beurteilen")
        type_into(page, textbox(page, "Alter (Jahre)"), "42")
        type_into(page, textbox(page, "Gewicht (kg)"), "70,5")
        type_into(page, textbox(page, "Steroidbeginn (Tag 0)"), "2026-11-01")
        with rerun(page):
            page.get_by_role("button", name="Untersuchung hinzufügen").click()
        block = page.locator(ASSESSMENT_BLOCKS).first
        type_into(page, textbox(block, "Datum"), "Tag 0")
        block.get_by_text("Untersuchung 1 — Tag 0 · 2026-11-01 (Ausgangsbefund)").wait_for()

        type_into(page, textbox(block, "Gesamtbilirubin (mg/dL)"), "1,5")
        block.get_by_text(re.compile(r"^Gelesen als: Gesamtbilirubin 1,5 mg/dL\. ")).wait_for()

        type_into(page, textbox(block, "Stuhlvolumen (mL/day)"), "1.600")
        asked = block.get_by_test_id("stAlertContentError").filter(
            has_text="Stuhlvolumen (mL/day): „1.600“ kann 1600 oder 1,600 bedeuten"
        )
        asked.wait_for()
        assert "Zulässig: 0–" in asked.inner_text()
        bar = page.locator(".st-key-assess_verdict_bar")
        bar.get_by_text("Noch kein Urteil").wait_for()
        assert textbox(block, "Stuhlvolumen (mL/day)").input_value() == "1.600"  # kept as typed
        _viewport_shot(page, block, SCREENSHOTS / "assess-de.png")

        # the field still has the focus (its "Press Enter" hint lies over it): retype by keyboard
        textbox(block, "Stuhlvolumen (mL/day)").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("1600")
        with rerun(page):
            page.keyboard.press("Enter")
        block.get_by_text(re.compile(r"Stuhlvolumen 1600 mL/day")).wait_for()
        assert asked.count() == 0

        # a finding chosen in German ("ja") stays "yes" in Chinese ("是"), never "not measured"
        bloody = block.get_by_label("Makroskopisch blutiger Stuhl", exact=True)
        with rerun(page):
            bloody.click()
            page.get_by_role("option", name="ja", exact=True).click()
        with rerun(page):
            block.get_by_role("button", name="Übernehmen (Enter)").click()
        block.get_by_text(re.compile(r"Makroskopisch blutiger Stuhl: ja")).wait_for()

        selector = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")
        with rerun(page):
            selector.click()
            page.get_by_role("option", name="简体中文").click()
        _title(page, "评估激素治疗病程")
        block.get_by_text(re.compile(r"肉眼血便：是")).wait_for()
        # the browser shows the choices in Chinese
        assert block.get_by_role("combobox", name="肉眼血便").input_value() == "是"
        grade = page.get_by_role("combobox", name="风险模型使用的分度", exact=True)
        assert grade.input_value() == "病程最高值"
        # applied again in Chinese: the choice sent back is still "yes"
        with rerun(page):
            block.get_by_role("button", name="应用（Enter）").click()
        block.get_by_text(re.compile(r"肉眼血便：是")).wait_for()
        assert textbox(page, "年龄（岁）").input_value() == "42"  # the entry is kept
        assert textbox(block, "总胆红素（mg/dL）").input_value() == "1,5"
        block.get_by_text(re.compile(r"^读取为：.*总胆红素 1.5 mg/dL")).wait_for()
        _viewport_shot(page, block, SCREENSHOTS / "assess-zh.png")
    finally:
        context.close()
