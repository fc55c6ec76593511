"""Markup and terminal escapes carried by a case file's own fields (docs/security.md §5). A case
file's extra fields are kept verbatim, so their names and values reach the version comparison on
the Assess page and ``srgvhd cases history``: the page must draw them as text (an image link
rendered as Markdown made the browser fetch an outside address) and the terminal must never
receive their escape sequences."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from srgvhd.casestore.store import CaseStore
from srgvhd.cli.main import main as cli_main
from tests.cases import course

REPO = Path(__file__).resolve().parents[1]
IMAGE = "![pixel](http://evil.example/track.png)"
ESCAPE_KEY = "note\u001b]0;owned\u0007"
ESCAPE_VALUE = "\u001b[2J\u009b31m\u202eclear"


def _two_versions(url: str) -> None:
    start = (date.today() - timedelta(days=3)).isoformat()
    first = course((0, 2, 0, 0, 1), start=start)
    second = {**first, "remark": IMAGE, ESCAPE_KEY: ESCAPE_VALUE}
    store = CaseStore(url)
    store.save("MARK", first, "alice")
    store.save("MARK", second, "bob", base_version=1)
    store.close()


def test_cases_history_escapes_terminal_controls_in_keys_and_values(tmp_path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    _two_versions(url)
    assert cli_main(["cases", "history", "MARK", "--db", url]) == 0
    out, _ = capsys.readouterr()
    for raw in ("\u001b", "\u0007", "\u009b", "\u202e"):
        assert raw not in out
    assert "note\\u001b]0;owned\\u0007" in out  # the key, readable as what it holds
    assert "\\u001b[2J\\u009b31m\\u202eclear" in out
    assert IMAGE in out  # plain text on a terminal


def test_the_assess_pages_version_comparison_is_text(tmp_path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    _two_versions(url)
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    at.selectbox(key="ward_pick").set_value("MARK")
    at.button(key="ward_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="store_diff_old").value == 1
    tables = [str(v) for t in at.table for v in t.value.to_numpy().ravel()]
    assert not any("evil.example" in v for v in tables)  # st.table renders Markdown in cells
    markdown = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("](http://evil.example" in m for m in markdown)
    cells = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert IMAGE in cells  # shown in a data grid as the text it is, never rendered
    assert "Remark" in cells  # an extra field under its own name
