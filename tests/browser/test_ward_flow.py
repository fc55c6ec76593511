"""The ward flow through Debian Chromium: the ward's case store as two clinicians use
it.

New course → day 0 → save → the Ward lists it (next assessment day 3, the study's days 3–5
window; next decision day 7, clinical-rules.md §5a) → a colleague opens it in a second browser
context → the first clinician opens it, adds day 4 and saves version 2 → the colleague's save,
based on version 1, is refused naming who saved version 2 and when, and the colleague's entry
stays on screen → the history shows both versions and the fields that changed.
The Ward page's screenshot for the docs is written to docs/screenshots/ward.png.

The case is examples/refractory_r1.json's first two assessments (rash 30% → 60% BSA, stool 600
and 650 mL/day). Every selector of the Ward page and the store panel is in ``StoreUI`` so a
reworked form needs changes in one place only.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT, add_assessment, rerun, textbox, type_into

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CODE = "W-12"
START = date.today() - timedelta(days=1)
DAY0 = (START.isoformat(), 30, 600)
DAY4 = ((START + timedelta(days=4)).isoformat(), 60, 650)
PATIENT = {"Age (years)": 42, "Weight (kg)": 70, "Hemoglobin": 85}


class StoreUI:
    """The Ward page and the Assess page's store panel, as a clinician sees them."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def ward(self) -> None:
        with rerun(self.page):
            self.page.get_by_test_id("stSidebarNav").get_by_role("link", name="Ward").click()
        self.page.get_by_role("heading", name="Ward: steroid courses").wait_for()

    def new_course(self) -> None:
        with rerun(self.page):
            self.page.get_by_role("button", name="New course").click()
        self.page.get_by_label("Age (years)", exact=True).wait_for()

    def ward_row(self, code: str) -> str:
        """The ward table's row for ``code`` as text (from the grid's accessibility table)."""
        table = self.page.get_by_test_id("stDataFrame")
        row = table.locator("tbody tr[role=row]").filter(has_text=code)
        row.first.wait_for(state="attached")
        return " | ".join(row.first.locator("td").all_inner_texts())

    def open_course(self, code: str) -> None:
        picker = self.page.get_by_label("Course to open", exact=True)
        picker.click()
        self.page.get_by_role("option", name=code, exact=True).click()
        with rerun(self.page):
            self.page.get_by_role("button", name="Open in Assess").click()
        self.page.get_by_label("Case code", exact=True).wait_for()
        assert self.page.get_by_label("Case code", exact=True).input_value() == code

    def set_code(self, code: str) -> None:
        type_into(self.page, textbox(self.page, "Case code"), code)

    def save(self) -> None:
        with rerun(self.page):
            self.page.get_by_role("button", name="Save to ward store").click()

    def message(self, pattern: str) -> str:
        alert = self.page.get_by_test_id("stAlert").filter(has_text=re.compile(pattern))
        alert.first.wait_for()
        return alert.first.inner_text()

    def history(self, code: str, versions: int) -> str:
        """The version table's cells as text (from the grid's accessibility table)."""
        count = "1 version" if versions == 1 else f"{versions} versions"
        expander = self.page.get_by_text(f"Version history of {code} ({count})")
        expander.click()
        table = self.page.get_by_test_id("stExpander").get_by_test_id("stDataFrame").first
        table.locator("tbody tr[role=row]").first.wait_for(state="attached")
        return " | ".join(table.locator("td").all_inner_texts())


def enter_day0(page: Page) -> None:
    for label, value in PATIENT.items():
        type_into(page, textbox(page, label), str(value))
    type_into(page, textbox(page, "Steroid start date (day 0)"), START.isoformat())
    enter_assessment(page, DAY0)


def enter_assessment(page: Page, values: tuple[str, int, int]) -> None:
    """Add one assessment with the keyboard: date, rash % BSA, stool mL/day."""
    block = add_assessment(page)
    for label, value in zip(
        ("Date", "Skin rash (% BSA)", "Stool volume (mL/day)"), values, strict=True
    ):
        type_into(page, textbox(block, label), str(value))


def test_two_clinicians_one_course(browser: Browser, app_url: str) -> None:
    first_ctx = browser.new_context(viewport=VIEWPORT)
    second_ctx = browser.new_context(viewport=VIEWPORT)
    try:
        for ctx in (first_ctx, second_ctx):
            ctx.set_default_timeout(30_000)
        first, second = first_ctx.new_page(), second_ctx.new_page()
        one, two = StoreUI(first), StoreUI(second)

        first.goto(app_url)  # the Ward page is the default
        one.new_course()
        enter_day0(first)
        first.get_by_text("Not refractory so far").first.wait_for()
        one.set_code(CODE)
        one.save()
        one.message(f"Saved {CODE} as version 1")

        one.ward()
        row = one.ward_row(CODE)
        day3 = (START + timedelta(days=3)).isoformat()
        assert f"day 3 · {day3}" in row  # next assessment: the days 3–5 window
        assert f"day 7 · {(START + timedelta(days=7)).isoformat()}" in row  # next decision
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        first.mouse.move(0, 0)
        first.get_by_test_id("stMainBlockContainer").screenshot(path=SCREENSHOTS / "ward.png")

        second.goto(app_url)
        two.open_course(CODE)  # the colleague opens version 1
        assert second.get_by_label("Age (years)", exact=True).input_value() in ("42", "42.00")

        one.open_course(CODE)
        enter_assessment(first, DAY4)
        first.get_by_text(re.compile("Steroid-refractory by rule R1")).first.wait_for()
        one.save()
        one.message(f"Saved {CODE} as version 2")

        type_into(second, textbox(second, "Hemoglobin"), "90")  # the colleague's change, on v1
        two.save()
        refusal = two.message("Not saved")
        assert re.search(
            r"version 2 was saved by .+? \(OS user\) at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", refusal
        ), refusal
        assert second.get_by_label("Hemoglobin", exact=True).input_value() in ("90", "90.00")

        history = two.history(CODE, 2)
        assert re.search(r"\b1\b", history) and re.search(r"\b2\b", history)
        assert "stages" not in history  # one row per version: who, when, how many fields
        assert f"steroid start {START.isoformat()}, age 42" in history
    finally:
        first_ctx.close()
        second_ctx.close()


# Patient A's steroid-refractory course (R1: rash 30% → 60% BSA on day 4), stored under W3-101;
# patient C, 67 years, started two days ago, is typed as a new course under the same code.
REFRACTORY_CODE = "W3-101"
A_START = date.today() - timedelta(days=10)
C_START = date.today() - timedelta(days=2)
CONFIRM = "Same patient, corrected: save as an identity change"


def _store_refractory_course() -> None:
    from srgvhd.casestore.database import resolve_url
    from srgvhd.casestore.store import CaseStore
    from tests.cases import course

    store = CaseStore(resolve_url())  # the app server's store (SRGVHD_DATA_DIR of the tests)
    try:
        store.save(
            REFRACTORY_CODE,
            course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1), start=A_START.isoformat()),
            "alice",
        )
    finally:
        store.close()


def test_a_refractory_course_is_listed_and_a_new_course_cannot_take_its_code(
    browser: Browser, app_url: str
) -> None:
    _store_refractory_course()
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        ui = StoreUI(page)
        page.goto(app_url)  # the Ward page is the default
        row = ui.ward_row(REFRACTORY_CODE)
        verdict_date = (A_START + timedelta(days=4)).isoformat()
        assert "second-line choice pending" in row and "OVERDUE" in row, row
        assert f"day 4 · {verdict_date}" in row, row  # due on the verdict's date
        first = page.get_by_test_id("stDataFrame").locator("tbody tr[role=row]").first
        assert REFRACTORY_CODE in first.inner_text()  # listed first
        page.mouse.move(0, 0)
        page.get_by_test_id("stMainBlockContainer").screenshot(
            path=SCREENSHOTS / "ward-second-line-pending.png"
        )

        ui.new_course()
        type_into(page, textbox(page, "Age (years)"), "67")
        type_into(page, textbox(page, "Weight (kg)"), "80")
        type_into(page, textbox(page, "Steroid start date (day 0)"), C_START.isoformat())
        enter_assessment(page, (C_START.isoformat(), 20, 300))
        ui.set_code(REFRACTORY_CODE)
        ui.save()
        refusal = ui.message("exists")
        assert f"{REFRACTORY_CODE} exists — open it or choose another code" in refusal, refusal
        assert page.get_by_label("Age (years)", exact=True).input_value() in ("67", "67.00")
        page.get_by_role(
            "button", name=f"Open {REFRACTORY_CODE} (replaces the entry on screen)"
        ).wait_for()
        page.mouse.move(0, 0)
        page.get_by_role("button", name="Save to ward store").scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOTS / "assess-code-exists.png")

        from srgvhd.casestore.database import resolve_url
        from srgvhd.casestore.store import CaseStore

        store = CaseStore(resolve_url())
        try:
            (only,) = store.history(REFRACTORY_CODE)  # patient A's course is untouched
            assert only["patient"] == f"steroid start {A_START.isoformat()}, age 42"
        finally:
            store.close()

        # open the stored course, type another age: refused, both patients side by side
        with rerun(page):
            page.get_by_role(
                "button", name=f"Open {REFRACTORY_CODE} (replaces the entry on screen)"
            ).click()
        # the stored course replaces the entry (waits until the field shows it)
        expect(page.get_by_label("Age (years)", exact=True)).to_have_value(
            re.compile(r"^42(\.00)?$")
        )
        type_into(page, textbox(page, "Age (years)"), "24")
        ui.save()
        refusal = ui.message("not the patient of")
        assert f"not the patient of {REFRACTORY_CODE} (version 1)" in refusal, refusal
        reason = textbox(page, "Reason for the identity change (kept in the history)")
        reason.scroll_into_view_if_needed()
        page.mouse.move(0, 0)
        page.screenshot(path=SCREENSHOTS / "assess-identity-change.png")
        age = (
            page.get_by_test_id("stDataFrame")
            .locator("tbody tr[role=row]")
            .filter(has_text="Age (years)")
            .first
        )
        age.wait_for(state="attached")
        cells = " | ".join(age.locator("td").all_inner_texts())
        assert cells == "Age (years) | 42 | 24 | ▲ differs", cells
        type_into(page, reason, "age typed as 42 instead of 24")
        with rerun(page):
            page.get_by_role(
                "button", name="Same patient, corrected: save as an identity change"
            ).click()
        ui.message(f"Saved {REFRACTORY_CODE} as version 2")
        store = CaseStore(resolve_url())
        try:
            first, second = store.history(REFRACTORY_CODE)
            assert second["identity_change"] == "age typed as 42 instead of 24"
            assert second["patient"] == f"steroid start {A_START.isoformat()}, age 24"
        finally:
            store.close()
    finally:
        context.close()
