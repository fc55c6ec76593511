"""Browser-test fixtures: one running app server and one Debian Chromium for the session.

The server is ``streamlit run app.py`` on a free loopback port, with ``SRGVHD_MODELS_DIR`` set to a
temporary copy of ``models/`` so that tests which retrain or promote never touch the repository's
model store. Chromium is Debian's (``/usr/bin/chromium``); Playwright's own browser download is not
used (Debian Chromium driven by Playwright, no downloaded browser).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.support.local_server import free_port, start, stop

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

    By the navigation, as a clinician does (a first visit to /assess also runs app.py first:
    tests/browser/test_page_address.py)."""
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


IN_FORM = "e => e.closest('[data-testid=\"stForm\"]') !== null"


def type_into(page: Page, field: Locator, text: str) -> None:
    """Type into a text field like a person: click it, clear it with the keyboard (Ctrl+A,
    Backspace), type ``text`` key by key and commit it (one rerun): leave with Tab, or, in a
    field of a form (an assessment's date and findings), press Enter, which applies the form."""
    field.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    if text:
        page.keyboard.type(text)
    with rerun(page):
        page.keyboard.press("Enter" if field.evaluate(IN_FORM) else "Tab")


def textbox(scope: Page | Locator, label: str) -> Locator:
    """The text field labelled exactly ``label`` (not its help button) inside ``scope``."""
    return scope.get_by_role("textbox", name=label, exact=True)


def choose(page: Page, scope: Page | Locator, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` inside ``scope``; in a form (an
    assessment's findings), then apply the form with its "Apply (Enter)" button."""
    select = scope.get_by_label(label, exact=True)
    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):  # a rerun arriving as the list opens closes it again: reopen it
        select.click()
        try:
            wanted.wait_for(timeout=10_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    in_form = select.evaluate(IN_FORM)
    with rerun(page):
        wanted.click()
    if in_form:
        form = select.locator('xpath=ancestor::*[@data-testid="stForm"][1]')
        apply = form.locator("button", has_text="Apply (Enter)")
        with rerun(page):
            apply.click()


ASSESSMENT_BLOCKS = '[class*="st-key-assess_assessment_"]'


def add_assessment(page: Page) -> Locator:
    """Click "Add assessment"; returns the new assessment's block."""
    blocks = page.locator(ASSESSMENT_BLOCKS)
    before = blocks.count()
    with rerun(page):
        page.get_by_role("button", name="Add assessment").click()
    blocks.nth(before).wait_for()
    return blocks.nth(before)


# Resolves once the boxes of every element matching ``selector`` (and of the main column) are
# the same for STABLE_FRAMES consecutive animation frames: charts and tables have finished
# re-laying out after a resize or a scroll. A condition, not a fixed pause.
STABLE_FRAMES = 10
_LAYOUT_SETTLED = """async ([selector, frames, limit]) => {
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
  const boxes = () => JSON.stringify(
    [document.querySelector('[data-testid="stMainBlockContainer"]'),
     ...document.querySelectorAll(selector)]
      .filter(e => e)
      .map(e => { const b = e.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; }));
  let last = boxes(), same = 0;
  for (let seen = 0; same < frames; seen++) {
    if (seen > limit) return false;
    await frame();
    const now = boxes();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return true;
}"""
LAID_OUT = "canvas, svg, table, [data-testid='stVegaLiteChart']"


MAX_LAYOUT_FRAMES = 6000  # ~100 s at 60 frames a second: a layout that never settles fails


def wait_for_layout(page: Page, selector: str = LAID_OUT) -> None:
    """Wait until the page's layout has stopped changing (see ``_LAYOUT_SETTLED``)."""
    settled = page.evaluate(_LAYOUT_SETTLED, [selector, STABLE_FRAMES, MAX_LAYOUT_FRAMES])
    assert settled, f"the layout kept changing for {MAX_LAYOUT_FRAMES} frames"
