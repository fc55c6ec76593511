"""Where this session's websocket came from: its direct TCP peer and its handshake headers.

Streamlit's server (uvicorn) runs with ``proxy_headers`` on and, unless told otherwise, trusts
``X-Forwarded-For`` from 127.0.0.1 and ::1: for a loopback client it replaces the connection's
address (``st.context.ip_address``, the ASGI scope's ``client``) with whatever that header says.
Any local program or header-less forwarder can therefore claim any address. Identity
(``SRGVHD_TRUSTED_PROXY``) and the admin gate must not take that claim, so ``tcp_peer`` reads the
address of the socket itself from the connection's transport (docs/security.md §2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Connection:
    """Where a session's websocket came from: the TCP peer and the handshake's headers (names
    lower-cased, each with every value sent). ``in_process`` is a script run with no network
    connection at all (Streamlit's AppTest or a bare ``python`` run)."""

    peer: str | None
    headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    in_process: bool = False


def socket_peer(websocket: Any) -> str | None:
    """The address of the socket at the other end of a Starlette ``websocket``, or None when it
    cannot be found (never the address a header claims).

    The ASGI server's ``receive`` callable is a method of its connection protocol, which holds the
    asyncio transport; ``get_extra_info("peername")`` is the kernel's view of the peer.
    """
    protocol = getattr(getattr(websocket, "_receive", None), "__self__", None)
    transport = getattr(protocol, "transport", None)
    if transport is None:
        return None
    try:
        peername = transport.get_extra_info("peername")
    except Exception:  # noqa: BLE001 - a closed or foreign transport: unknown peer
        return None
    if isinstance(peername, tuple) and peername and isinstance(peername[0], str):
        return peername[0]
    return None


def current_connection() -> Connection:
    """This session's TCP peer and handshake headers, from Streamlit's runtime.

    A run without Streamlit's server (no runtime, or AppTest's stand-in runtime) is in-process;
    a session whose client is gone, or whose socket cannot be read, has an unknown peer (None),
    which is never local and never a trusted proxy.
    """
    from streamlit import runtime
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if not runtime.exists() or type(runtime.get_instance()) is not Runtime:
        return Connection(peer=None, in_process=True)
    ctx = get_script_run_ctx()
    client = runtime.get_instance().get_client(ctx.session_id) if ctx else None
    context = getattr(client, "client_context", None)
    if context is None:
        return Connection(peer=None)
    headers: dict[str, tuple[str, ...]] = {}
    for name, value in context.headers:
        headers[name.lower()] = (*headers.get(name.lower(), ()), value)
    return Connection(peer=socket_peer(getattr(client, "_websocket", None)), headers=headers)
