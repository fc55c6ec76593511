"""Floods one browser message can carry (docs/security.md §4, §5).

A forged ``st.data_editor`` state with 20,000 added rows kept a server busy for about an hour:
Streamlit appended the rows one at a time before the page could apply its cap. No page holds an
editable grid any more (rows are added one per click, up to the case caps, tests/test_form.py);
these tests keep it that way on a live server, and check that a huge value typed into a text
field is refused beside the field (within the harness's run timeout), not logged.
"""

from __future__ import annotations

import asyncio
import urllib.request

import pytest

from tests.attack_harness import open_in, run, serve, session, two_version_store
from tests.support.local_server import HOST

PAGES = ("ward", "assess", "published", "model", "about")
HUGE = "9" * 1_000_000  # 1 MB of digits in one text field


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    template = tmp_path_factory.mktemp("template")
    two_version_store(template)
    with serve(tmp_path_factory.mktemp("flood"), template) as server:
        yield server


def _healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=10) as response:
        return response.read().decode().strip() == "ok"


async def _editors(port: int) -> dict[str, list[str]]:
    found = {}
    for page in PAGES:
        async with session(port, origin=f"http://127.0.0.1:{port}") as ws:
            opened = await open_in(ws, page)
            assert not opened.exceptions, (page, opened.exceptions)
            found[page] = opened.editor_ids
    return found


@pytest.mark.attack
def test_no_page_offers_a_grid_a_forged_message_could_fill(live) -> None:
    assert asyncio.run(_editors(live.port)) == dict.fromkeys(PAGES, [])


async def _huge_age(port: int) -> tuple[list[str], list[str]]:
    async with session(port, origin=f"http://127.0.0.1:{port}") as ws:
        page = await open_in(ws, "assess")
        result = await run(
            ws, [(page.widget_ids["assess_age"], "string_value", HUGE)], page="assess"
        )  # run() gives up after RUN_TIMEOUT_S
        return result.alerts, result.exceptions


@pytest.mark.attack
def test_a_megabyte_typed_into_a_field_is_refused_in_bounded_time(live) -> None:
    alerts, exceptions = asyncio.run(_huge_age(live.port))
    assert not exceptions, exceptions
    assert any(a.startswith("Age") for a in alerts), alerts
    assert _healthy(live.port)
    assert HUGE[:64] not in live.log.read_text(errors="replace")
