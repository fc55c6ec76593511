"""Entry flows, typed with the keyboard in Debian Chromium (no fill() on hidden inputs).

Expected values come from the published rules (docs/clinical-rules.md), not from the app:

- MAGIC staging (Harris et al. 2016, §1): rash 30% BSA = skin 2, 60% = skin 3; stool 600 and
  650 mL/day = lower GI 1 (adult); bilirubin 1.5 mg/dL = liver 0, but 15 would be liver 3
  (grade III, §2); 8 mg/dL = liver 3, 4 mg/dL = liver 2.
- Day 4 with the skin worse and nothing better is progression (§4) and fires R1 (days 3–5, §5a).
- §7: a liver involved at baseline and not measured on day 14 makes day 14 "not assessable": the
  course is never called steroid-responsive and no CR is shown from the missing bilirubin.

Screenshots: docs/screenshots/assess-1366.png (the whole page at 1366 px wide) and
docs/screenshots/assess-390.png (a 390×844 phone screen right after entry: the verdict bar first).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import (
    add_assessment,
    choose,
    textbox,
    type_into,
    wait_for_layout,
)
from tests.browser.test_flows import SCREENSHOTS, download, enter_case

pytestmark = pytest.mark.browser

R1 = re.compile(r"Steroid-refractory by rule R1 .*on day 4 \(2026-11-05\)")
WIDE, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


def test_decimal_comma_bilirubin_and_typed_iso_date(page: Page) -> None:
    page.set_viewport_size(WIDE)
    enter_case(page)
    baseline, day4 = (page.locator('[class*="st-key-assess_assessment_"]').nth(i) for i in (0, 1))
    type_into(page, textbox(baseline, "Total bilirubin (mg/dL)"), "1,5")
    page.get_by_text(R1).wait_for()
    # the typed ISO date is read as a date, shown as the day of the course
    day4.get_by_text("Assessment 2 — day 4 · 2026-11-05").wait_for()
    assert textbox(day4, "Date").input_value() == "2026-11-05"
    saved = json.loads(download(page, "Save case"))
    assert saved["assessments"][0]["measurements"]["bilirubin"] == {"value": 1.5, "unit": "mg/dL"}
    assert saved["assessments"][1]["date"] == "2026-11-05"
    # "1,5,3" is refused beside the field, in words, and the verdict is withdrawn
    type_into(page, textbox(baseline, "Total bilirubin (mg/dL)"), "1,5,3")
    baseline.get_by_text(
        re.compile(
            r"Total bilirubin \(mg/dL\): “1,5,3” is not a number.*"
            r"Allowed: 0–100 mg/dL"
        )
    ).wait_for()
    assert page.get_by_text(R1).count() == 0


def test_a_cleared_hemoglobin_keeps_the_verdict(page: Page) -> None:
    page.set_viewport_size(WIDE)
    enter_case(page)
    page.get_by_text("Hazard ratio vs reference patient").first.wait_for()
    hemoglobin = textbox(page, "Hemoglobin")
    hemoglobin.click()
    page.keyboard.press("End")
    for _ in range(len(hemoglobin.input_value())):
        page.keyboard.press("Backspace")
    type_into(page, hemoglobin, "")
    assert hemoglobin.input_value() == ""  # empty, not 0
    page.get_by_text(R1).wait_for()
    assert page.get_by_text("Hazard ratio vs reference patient").count() == 0
    assert page.get_by_test_id("stAlertContentError").filter(has_text="range").count() == 0


def _type_findings(page: Page, block, values: dict[str, str]) -> None:
    for label, text in values.items():
        if text in ("no", "yes"):
            choose(page, block, label, text)
        else:
            type_into(page, textbox(block, label), text)


def test_blank_day_14_bilirubin_on_an_involved_liver_is_never_healing(page: Page) -> None:
    page.set_viewport_size(WIDE)
    type_into(page, textbox(page, "Age (years)"), "42")
    type_into(page, textbox(page, "Steroid start date (day 0)"), "2026-11-01")
    every_organ = {
        "Skin rash (% BSA)": "0",
        "Bullae/desquamation (% BSA)": "0",
        "Persistent nausea, vomiting or anorexia": "no",
        "Stool volume (mL/day)": "0",
        "Stool episodes per day": "0",
        "Severe abdominal pain or ileus": "no",
        "Grossly bloody stool": "no",
    }
    for date, bilirubin in (("day 0", "8"), ("day 7", "4"), ("day 14", "")):
        block = add_assessment(page)
        type_into(page, textbox(block, "Date"), date)
        _type_findings(page, block, every_organ)
        if bilirubin:
            type_into(page, textbox(block, "Total bilirubin (mg/dL)"), bilirubin)
    page.get_by_text("not assessable").first.wait_for()
    assert page.get_by_text(re.compile("steroid-responsive", re.IGNORECASE)).count() == 0
    assert page.get_by_text("CR", exact=True).count() == 0


def test_unsaved_entries_ask_before_the_page_is_left(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    type_into(page, textbox(page, "Age (years)"), "42")
    with page.expect_event("dialog", timeout=30_000):
        page.close(run_before_unload=True)
    assert dialogs == ["beforeunload"]


def test_a_saved_case_leaves_without_asking(page: Page) -> None:
    enter_case(page)
    page.get_by_text(R1).wait_for()
    download(page, "Save case")
    page.wait_for_function("() => window.srgvhdUnsaved === false")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert dialogs == []


def test_a_blank_page_leaves_without_asking(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    textbox(page, "Age (years)").click()  # a user gesture, so Chromium would ask if told to
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert dialogs == []


def test_screens_at_1366_and_390(page: Page) -> None:
    page.set_viewport_size(WIDE)
    enter_case(page)
    page.get_by_text(R1).wait_for()
    main = page.get_by_test_id("stMainBlockContainer")
    overflow = main.evaluate("e => e.scrollWidth - e.clientWidth")
    assert overflow <= 0, f"the main column is {overflow} px wider than the screen"
    _screenshot_whole(page, WIDE, "assess-1366.png")

    page.set_viewport_size(PHONE)
    page.get_by_test_id("stMain").evaluate("e => e.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    wait_for_layout(page)
    # the verdict bar, on the first screen and in sight while the form scrolls under it
    bar = page.locator(".st-key-assess_verdict_bar")
    assert "Steroid-refractory · rule R1 · day 4" in bar.inner_text()
    verdict = bar.bounding_box()
    assert verdict is not None and verdict["y"] + verdict["height"] <= PHONE["height"]
    # a table wider than the phone scrolls sideways (its box scrolls) instead of being cut
    tables = (
        page.get_by_test_id("stTable")
        .locator("table")
        .evaluate_all(
            """tables => tables.map(t => [t.parentElement.scrollWidth > t.parentElement.clientWidth,
                                      getComputedStyle(t.parentElement).overflowX])"""
        )
    )
    assert tables and all(
        not wider or overflow in ("auto", "scroll") for wider, overflow in tables
    ), tables
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "assess-390.png")


def _screenshot_whole(page: Page, viewport: dict, name: str) -> Path:
    """The whole main column at ``viewport``'s width (the viewport is made as tall as it)."""
    main = page.get_by_test_id("stMainBlockContainer")
    page.get_by_role("heading", name="Assess a steroid course").click()  # no focus tooltips
    height = main.evaluate("element => element.scrollHeight")
    page.mouse.move(0, 0)
    page.set_viewport_size({"width": viewport["width"], "height": int(height) + 200})
    wait_for_layout(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    main.screenshot(path=path)
    page.set_viewport_size(viewport)
    return path
