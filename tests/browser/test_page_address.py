"""A page's own address as the very first visit to a fresh server (a bookmark, a link in a
hand-over note): app.py must run first — its language, navigation, sign-in state and model
banner — never the page file on its own.

Streamlit runs a ``pages/`` directory beside the main script through its legacy multipage route
until the first ``st.navigation`` call of the process; the page files therefore live in
``views/``. This test starts its own server so that its visit is the process's first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import REPO, VIEWPORT
from tests.support.local_server import free_port, start, stop

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_url(models_dir: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        "SRGVHD_MODELS_DIR": str(models_dir),
        "SRGVHD_DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite3'}",
        "MPLBACKEND": "Agg",
    }
    process = start(REPO / "app.py", port, tmp_path / "streamlit.log", env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


def test_a_first_visit_to_a_page_address_runs_the_app_around_it(tab: Page, fresh_url: str) -> None:
    tab.goto(f"{fresh_url}/published?lang=de")
    tab.get_by_role("heading", name="Publizierte Vergleichswerte", exact=True).wait_for()
    navigation = tab.get_by_test_id("stSidebarNav")
    # each link reads "<icon name>\n\n<title>": the title is its last line
    links = [
        text.split("\n")[-1].strip() for text in navigation.get_by_role("link").all_inner_texts()
    ]
    # app.py's navigation in German, not Streamlit's list of files ("app", "published", …)
    assert "Station" in links and "Vergleichswerte" in links, links
    assert not {"app", "published", "ward"} & set(links), links
    assert tab.get_by_label("Language · 语言 · Sprache · Langue").count() == 1
