"""Streamlit hardening installed once per server process from app.py (docs/security.md §3).

``install`` stops Streamlit from asking an external service (checkip.amazonaws.com) for the
machine's public address. It does so for its start-up banner when bound to 0.0.0.0 (avoided by
``browser.serverAddress`` in .streamlit/config.toml) and, with no answer cached, on every
websocket from an unknown cross-site ``Origin`` — a blocking HTTP request of up to 2 s inside the
server's event loop. The public address is never needed: the allowed origins stay localhost, the
machine's own addresses, ``browser.serverAddress`` and ``server.corsAllowedOrigins``.

The added-row flood (docs/security.md §4: a forged ``st.data_editor`` state with 20,000 rows) has
no target any more: no page holds an editable grid; rows are added one per click, up to the
case file's caps (srgvhd.app.form_layout.MAX_ROWS).
"""

from __future__ import annotations


def no_external_ip() -> None:
    """Stands in for ``streamlit.net_util.get_external_ip``: this server has no public address
    to look up."""
    return None


def is_installed() -> bool:
    """Whether the external IP lookup is off in this process."""
    from streamlit import net_util

    return net_util.get_external_ip is no_external_ip


def install() -> None:
    """Turn the external IP lookup off in this process (idempotent, cheap on reruns)."""
    from streamlit import net_util

    net_util.get_external_ip = no_external_ip
