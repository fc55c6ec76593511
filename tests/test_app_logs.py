"""Widget parse errors never log the value (srgvhd.app.logs).

The records are produced by Streamlit's own code (the data editor's value parser and its
added-row parser), the way a forged widget message would produce them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit import logger as st_logger
from streamlit.elements.widgets import data_editor
from streamlit.testing.v1 import AppTest

from srgvhd.app import logs
from srgvhd.app.logs import FILTER, WITHHELD

VALUE = "47.31abc"
DATE = "2026-13-45"


@pytest.fixture
def captured() -> Iterator[list[str]]:
    """Formatted records (with tracebacks) of the data editor's logger, at DEBUG."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    log = data_editor._LOGGER
    handler = Keep(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    yield lines
    log.removeHandler(handler)
    log.setLevel(level)
    log.removeFilter(FILTER)


def _parse_bad_values() -> None:
    kinds = data_editor.ColumnDataKind
    assert data_editor._parse_value(VALUE, kinds.FLOAT) is None
    assert data_editor._parse_value(DATE, kinds.DATE) is None


def test_without_the_filter_streamlit_logs_the_value(captured) -> None:
    """The test can fail: Streamlit itself puts the typed value in the log."""
    data_editor._LOGGER.removeFilter(FILTER)
    _parse_bad_values()
    text = "\n".join(captured)
    assert VALUE in text and DATE in text


def test_installed_filter_withholds_values_and_tracebacks(captured) -> None:
    logs.install()
    _parse_bad_values()
    text = "\n".join(captured)
    assert VALUE not in text and DATE not in text
    assert "Traceback" not in text
    assert text.count(f"Failed to parse value {WITHHELD} as {WITHHELD}.") == 2


def test_loggers_created_later_are_filtered_and_other_records_untouched() -> None:
    logs.install()
    logs.install()  # twice is harmless
    later = st_logger.get_logger("srgvhd.test.later")
    assert later.filters.count(FILTER) == 1
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Runtime state: %s", ("ok",), None)
    assert FILTER.filter(record) and record.args == ("ok",)


def test_app_installs_the_filter(tmp_path, monkeypatch) -> None:
    data_editor._LOGGER.removeFilter(FILTER)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(tmp_path))
    app = Path(__file__).resolve().parents[1] / "app.py"
    AppTest.from_file(str(app), default_timeout=30).run()
    assert FILTER in data_editor._LOGGER.filters
