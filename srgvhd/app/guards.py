"""Streamlit hardening installed once per server process from app.py (docs/security.md §3).

``st.data_editor`` takes its edits from the browser as a JSON widget state. Streamlit appends the
state's ``added_rows`` to the table one row at a time, each append copying the table, so the cost
grows with the square of the row count: a forged message with 20,000 added rows kept a core busy
for an hour before the page could apply its own cap (issue 13, item 1). ``install`` wraps the
editor's state deserialiser so that any ``added_rows`` list longer than ``MAX_ADDED_ROWS`` is cut
to ``MAX_ADDED_ROWS + 1`` rows *before* Streamlit applies a single row. One row above the cap is
kept on purpose: the page then sees more rows than a case may hold and refuses the case with its
own message ("more than 500 assessments", docs/interfaces.md §1), instead of silently assessing a
shortened table.

``install`` also stops Streamlit from asking an external service (checkip.amazonaws.com) for the
machine's public address. It does so for its start-up banner when bound to 0.0.0.0 (avoided by
``browser.serverAddress`` in .streamlit/config.toml) and, with no answer cached, on every
websocket from an unknown cross-site ``Origin`` — a blocking HTTP request of up to 2 s inside the
server's event loop. The public address is never needed: the allowed origins stay localhost, the
machine's own addresses, ``browser.serverAddress`` and ``server.corsAllowedOrigins``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from srgvhd.clinical.case import MAX_ASSESSMENTS

LOG = logging.getLogger(__name__)

# The most rows a case may hold; an editor never needs to add more in one message.
MAX_ADDED_ROWS = MAX_ASSESSMENTS
_MARK = "_srgvhd_bounded"


def bound_added_rows(state: Any) -> Any:
    """``state``, or a copy of it (same read-only state type) with only the first
    ``MAX_ADDED_ROWS + 1`` added rows: the list is sliced, O(cap) whatever its length.

    Logs how many rows were sent, never their values.
    """
    added = state.get("added_rows") if isinstance(state, dict) else None
    if not isinstance(added, list) or len(added) <= MAX_ADDED_ROWS + 1:
        return state
    LOG.warning("data editor: %d added rows in one message; only the first %d are applied, "
                "so the page refuses the table as too long", len(added), MAX_ADDED_ROWS + 1)
    return type(state)({**state, "added_rows": added[: MAX_ADDED_ROWS + 1]})


def _bounded(deserialize: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(deserialize)
    def guarded(self: Any, ui_value: str | None) -> Any:
        return bound_added_rows(deserialize(self, ui_value))

    setattr(guarded, _MARK, True)
    return guarded


def no_external_ip() -> None:
    """Stands in for ``streamlit.net_util.get_external_ip``: this server has no public address
    to look up."""
    return None


def is_installed() -> bool:
    """Whether the data editor's deserialiser is the bounded one and the lookup is off."""
    from streamlit import net_util
    from streamlit.elements.widgets.data_editor import DataEditorSerde

    return (getattr(DataEditorSerde.deserialize, _MARK, False)
            and net_util.get_external_ip is no_external_ip)


def install() -> None:
    """Bound every ``st.data_editor``'s added rows and turn the external IP lookup off in this
    process (idempotent, cheap on reruns)."""
    from streamlit import net_util
    from streamlit.elements.widgets.data_editor import DataEditorSerde

    if not getattr(DataEditorSerde.deserialize, _MARK, False):
        DataEditorSerde.deserialize = _bounded(DataEditorSerde.deserialize)
    net_util.get_external_ip = no_external_ip
