"""Added-row floods on st.data_editor (issue 13, item 1; docs/security.md §3).

A forged editor state with 20,000 added rows (1.5 MB) kept an unguarded server busy for about an
hour: Streamlit appends added rows one at a time, before the page can apply its own cap.
``srgvhd.app.guards`` cuts the list to ``MAX_ADDED_ROWS + 1`` rows while the state is decoded.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path

import pytest
from streamlit.elements.widgets.data_editor import DataEditorSerde
from streamlit.testing.v1 import AppTest

from perf.load_check import read_run, rerun_message
from perf.local_server import HOST
from srgvhd.app import guards
from srgvhd.app.guards import MAX_ADDED_ROWS, bound_added_rows
from tests.attack_harness import run, serve, session, two_version_store

REPO = Path(__file__).resolve().parents[1]
FLOOD_ROWS = 20_000
# With the guard the flooded run takes a few seconds; without it, about an hour.
FLOOD_RUN_LIMIT_S = 30.0


def _rows(n: int) -> list[dict]:
    return [{"date": "2026-10-20", "mode": "stages", "skin_stage": 1} for _ in range(n)]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [(0, 0), (MAX_ADDED_ROWS, MAX_ADDED_ROWS), (MAX_ADDED_ROWS + 1, MAX_ADDED_ROWS + 1),
     (MAX_ADDED_ROWS + 2, MAX_ADDED_ROWS + 1), (FLOOD_ROWS, MAX_ADDED_ROWS + 1)],
)
def test_added_rows_are_cut_one_above_the_cap(sent, kept) -> None:
    state = {"edited_rows": {}, "added_rows": _rows(sent), "deleted_rows": []}
    assert len(bound_added_rows(state)["added_rows"]) == kept


def test_the_cap_is_the_most_assessments_a_case_may_hold() -> None:
    from srgvhd.clinical.case import MAX_ASSESSMENTS

    assert MAX_ADDED_ROWS == MAX_ASSESSMENTS == 500


@pytest.mark.parametrize("state", [None, [], {"added_rows": "not a list"}, {}])
def test_states_without_an_added_row_list_pass_unchanged(state) -> None:
    assert bound_added_rows(state) == state


def test_app_py_installs_the_guard_on_the_editor_deserialiser(tmp_path, monkeypatch) -> None:
    unguarded = getattr(DataEditorSerde.deserialize, "__wrapped__", DataEditorSerde.deserialize)
    monkeypatch.setattr(DataEditorSerde, "deserialize", unguarded)
    assert not guards.is_installed()
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(tmp_path))
    AppTest.from_file(str(REPO / "app.py"), default_timeout=30).run()
    assert guards.is_installed()
    flood = json.dumps({"added_rows": _rows(FLOOD_ROWS)})
    assert len(DataEditorSerde().deserialize(flood)["added_rows"]) == MAX_ADDED_ROWS + 1
    guards.install()  # a second install (every rerun of app.py) does not wrap twice
    assert DataEditorSerde.deserialize.__wrapped__ is unguarded


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    template = tmp_path_factory.mktemp("template")
    two_version_store(template)
    with serve(tmp_path_factory.mktemp("flood"), template) as server:
        yield server


def _healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=10) as response:
        return response.read().decode().strip() == "ok"


async def _flood(port: int) -> dict[str, tuple[list[str], list[str]]]:
    """Send 20,000 added rows to every row-adding editor of the Assess page, one forged message
    each (assessment rows to the assessments table, empty rows to any other); each flooded run's
    alerts and exceptions by editor id. Then a fresh session must still open the page."""
    outcomes = {}
    async with session(port, origin=f"http://127.0.0.1:{port}") as ws:
        page = await run(ws)
        assert page.editor_ids, "the Assess page has no editor that adds rows"
        for editor_id in page.editor_ids:
            rows = _rows(FLOOD_ROWS) if "assessments" in editor_id else [{}] * FLOOD_ROWS
            state = json.dumps({"edited_rows": {}, "added_rows": rows, "deleted_rows": []})
            await ws.send(rerun_message([(editor_id, "string_value", state)]))
            flooded = await asyncio.wait_for(read_run(ws), FLOOD_RUN_LIMIT_S)
            outcomes[editor_id] = (flooded.alerts, flooded.exceptions)
    async with session(port) as fresh:
        assert not (await asyncio.wait_for(run(fresh), FLOOD_RUN_LIMIT_S)).exceptions
    return outcomes


@pytest.mark.attack
def test_a_20000_row_flood_is_cut_before_streamlit_applies_it(live) -> None:
    outcomes = asyncio.run(_flood(live.port))
    assert all(not exceptions for _, exceptions in outcomes.values()), outcomes
    assessments = [alerts for wid, (alerts, _) in outcomes.items() if "assessments" in wid]
    for alerts in assessments:  # the page refuses the over-long table in its own words
        assert any(f"more than {MAX_ADDED_ROWS}" in a for a in alerts), alerts
    assert _healthy(live.port)
    log = live.log.read_text(errors="replace")
    assert log.count(f"{FLOOD_ROWS} added rows in one message") == len(outcomes)
