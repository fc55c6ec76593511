"""Keep patient values out of Streamlit's logs.

Streamlit logs a widget value it cannot parse, with the value and a traceback that repeats it
(``Failed to parse value 47.31abc as float``, a forged date ``2026-13-45``). ``install()`` puts
a filter on every Streamlit logger (they do not propagate, so each needs its own) and on the
root logger: such a record keeps its message with the value replaced and loses its traceback,
so an operator still sees that a value was refused, never the value.
"""

from __future__ import annotations

import logging

WITHHELD = "<value withheld>"
# Message templates of Streamlit records whose arguments or traceback carry a widget value.
VALUE_MESSAGES = ("Failed to parse",)


class WidgetValueFilter(logging.Filter):
    """Replaces the arguments and drops the traceback of records that carry a widget value."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; it is always let through."""
        if isinstance(record.msg, str) and record.msg.startswith(VALUE_MESSAGES):
            if record.args:
                count = len(record.args) if isinstance(record.args, tuple) else 1
                record.args = (WITHHELD,) * count
            record.exc_info = None
            record.exc_text = None
        return True


FILTER = WidgetValueFilter()


def install() -> None:
    """Add the filter to every Streamlit logger that exists now, to loggers created later
    through ``streamlit.logger.get_logger``, and to the root logger. Installing twice is
    harmless."""
    from streamlit import logger as st_logger

    for log in (*st_logger._loggers.values(), logging.getLogger()):
        if FILTER not in log.filters:
            log.addFilter(FILTER)
    if not getattr(st_logger.get_logger, "srgvhd_filtered", False):
        original = st_logger.get_logger

        def get_logger(name: str) -> logging.Logger:
            log = original(name)
            if FILTER not in log.filters:
                log.addFilter(FILTER)
            return log

        get_logger.srgvhd_filtered = True  # type: ignore[attr-defined]
        st_logger.get_logger = get_logger
