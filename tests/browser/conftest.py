"""Browser-test fixtures: one running app server and one Debian Chromium for the session.

The server is ``streamlit run app.py`` on a free loopback port, with ``SRGVHD_MODELS_DIR`` set to a
temporary copy of ``models/`` so that tests which retrain or promote never touch the repository's
model store. Chromium is Debian's (``/usr/bin/chromium``); Playwright's own browser download is not
used (see /work/shared/reference/stack-notes.md, "Browser tests").
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from perf.local_server import free_port, start, stop

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian Chromium through Playwright; fail (never skip) when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run make test (it installs Debian chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="package")
def models_dir() -> Iterator[Path]:
    """A temporary copy of the repository's models/: the browser tests' model store."""
    with tempfile.TemporaryDirectory(prefix="srgvhd-browser-models-") as tmp:
        target = Path(tmp) / "models"
        shutil.copytree(REPO / "models", target)
        yield target


@pytest.fixture(scope="package")
def app_url(models_dir: Path) -> Iterator[str]:
    """URL of ``streamlit run app.py`` serving on a free port with the copied model store."""
    port = free_port()
    log = models_dir.parent / "streamlit.log"
    env = {"SRGVHD_MODELS_DIR": str(models_dir), "MPLBACKEND": "Agg"}
    process = start(REPO / "app.py", port, log, env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the browser tests (closed when they are done)."""
    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh browser context (own Streamlit session) on the app's Assess page."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    open_assess(tab, app_url)
    yield tab
    context.close()


# ---------------------------------------------------------------- driving the app


def open_assess(page: Page, app_url: str) -> None:
    """Load the app (its default page is the Ward) and go to the Assess page by the navigation.

    Not by the URL /assess: on a session's first load Streamlit would run pages/assess.py on
    its own, without app.py (its navigation, banner and page set-up)."""
    page.goto(app_url)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Assess").click()
    page.get_by_label("Age (years)", exact=True).wait_for()


QUICK_RUN_MS = 2000
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Counts the script runs the page has seen finish (stApp's data-test-script-state turning to
# "notRunning"); installed on first use, kept until the page reloads. It watches the whole
# document, so a re-mounted stApp element is still seen.
COUNT_FINISHED_RUNS = """() => {
  if (window.srgvhdRuns === undefined) {
    window.srgvhdRuns = 0;
    new MutationObserver(mutations => {
      for (const m of mutations) {
        if (m.target.dataset.testid === "stApp"
            && m.target.dataset.testScriptState === "notRunning") window.srgvhdRuns += 1;
      }
    }).observe(document, {attributes: true, subtree: true,
                          attributeFilter: ["data-test-script-state"]});
  }
  return window.srgvhdRuns;
}"""


@contextmanager
def rerun(page: Page) -> Iterator[None]:
    """Wait, after the ``with`` block's action, until the script rerun it caused has finished.

    Starts from an idle app, so the end of an earlier run is not taken for this one. A rerun of
    a few tens of milliseconds may never show as "running" in the page (React renders both
    states at once), so after ``QUICK_RUN_MS`` without a finished run the app counts as idle.
    """
    page.locator(IDLE).wait_for(state="attached")
    finished = page.evaluate(COUNT_FINISHED_RUNS)
    yield
    try:
        page.wait_for_function("n => window.srgvhdRuns > n", arg=finished, timeout=QUICK_RUN_MS)
    except PlaywrightTimeoutError:
        page.locator(IDLE).wait_for(state="attached")


def fill_number(page: Page, label: str, value: float) -> None:
    """Type ``value`` into the number input labelled ``label`` and commit it."""
    field = page.get_by_label(label, exact=True)
    field.fill(str(value))
    with rerun(page):
        field.press("Enter")


def fill_date(page: Page, label: str, iso: str) -> None:
    """Type an ISO date into the segmented date input labelled ``label`` (year, month, day).

    The widget sends its value when it loses focus, so the page's first heading is clicked last.
    """
    page.get_by_label(label, exact=True).locator('[data-type="year"]').click()
    page.keyboard.type(iso.replace("-", ""))
    with rerun(page):
        page.get_by_test_id("stMainBlockContainer").get_by_role("heading").first.click()


class Grid:
    """Keyboard driver for a ``st.data_editor`` (a canvas: cells are reached by arrow keys).

    Each commit (Tab) triggers a rerun, so the driver waits for it and gives the canvas its focus
    back before the next key; the driver tracks the selected cell to move by arrow keys.
    """

    HEADER_PX, ROW_PX = 36, 35
    FIRST_COLUMN_X = 60  # past the row-marker column (checkboxes), inside the first column

    def __init__(self, page: Page, frame: Locator) -> None:
        self.page, self.frame = page, frame
        self.canvas = frame.get_by_test_id("data-grid-canvas")
        self.row, self.col = 0, 0

    def column(self, title: str) -> int:
        """0-based index of the column headed ``title`` (from the grid's accessibility table)."""
        header = self.canvas.locator("th[role=columnheader]").filter(
            has_text=re.compile(f"^{re.escape(title)}$")
        )
        return int(header.get_attribute("aria-colindex")) - 1

    def add_rows(self, n: int) -> None:
        """Append ``n`` blank rows with the toolbar's "Add row" button (no rerun until edited)."""
        rows = self.canvas.locator("tbody tr[role=row]")
        for _ in range(n):
            before = rows.count()
            self.frame.hover()
            self.frame.get_by_role("button", name="Add row").click()
            rows.nth(before).wait_for(state="attached")

    def start(self) -> None:
        """Select the first cell (row 0, column 0) by clicking it; the grid must not be scrolled."""
        self.canvas.scroll_into_view_if_needed()
        box = self.canvas.bounding_box()
        first_row_y = box["y"] + self.HEADER_PX + self.ROW_PX // 2
        self.page.mouse.click(box["x"] + self.FIRST_COLUMN_X, first_row_y)
        self.row, self.col = 0, 0

    def _move(self, row: int, col: int) -> None:
        self.canvas.focus()
        for key, steps in (("ArrowDown", row - self.row), ("ArrowRight", col - self.col)):
            opposite = {"ArrowDown": "ArrowUp", "ArrowRight": "ArrowLeft"}[key]
            for _ in range(abs(steps)):
                self.page.keyboard.press(key if steps > 0 else opposite)
        self.row, self.col = row, col

    def set_cell(self, row: int, col: int, text: str) -> None:
        """Open the cell's editor (Enter), fill it with ``text`` and commit. Dates are ISO text."""
        self.open_editor(row, col, text)
        with rerun(self.page):
            self.commit()

    def home(self) -> None:
        """Select the first column again (scrolls the grid back to its left edge)."""
        self._move(self.row, 0)

    def open_editor(self, row: int, col: int, text: str) -> None:
        """Select the cell, open its editor and type ``text`` into it (not committed yet)."""
        self._move(row, col)
        self.page.keyboard.press("Enter")
        self.page.locator("#portal .gdg-clip-region input").fill(text)

    def commit(self) -> None:
        """Commit the open editor (Tab: the cell to the right is selected); a rerun follows."""
        self.page.keyboard.press("Tab")
        self.col += 1
