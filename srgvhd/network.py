"""Where a request came from, from its addresses and headers alone (no Streamlit): loopback
names and addresses, and the headers reverse proxies and forwarders add. Used by the admin gate
(srgvhd.app.admin) and by the case store's identity rules (srgvhd.identity); docs/security.md §2.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("localhost",)
# Headers that reverse proxies and forwarders add: a request carrying any of them came through
# one, so the TCP peer (the proxy) says nothing about where the user is.
PROXY_HEADERS = frozenset(
    {
        "forwarded",
        "via",
        "x-real-ip",
        "x-client-ip",
        "x-cluster-client-ip",
        "true-client-ip",
        "cf-connecting-ip",
        "fastly-client-ip",
        "x-original-forwarded-for",
    }
)
PROXY_HEADER_PREFIXES = ("x-forwarded-",)


def is_loopback(address: str | None) -> bool:
    """Whether an address or host name is loopback (127.0.0.0/8, ::1, ``localhost``).

    An empty address means "all interfaces" to Streamlit, so it is not loopback.
    """
    if not address:
        return False
    host = address.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_is_loopback(host_header: str | None) -> bool:
    """Whether a ``Host`` header value (``name[:port]``, ``[v6]:port``) names a loopback host."""
    if not host_header:
        return False
    try:
        host = urlsplit(f"//{host_header.strip()}").hostname
    except ValueError:
        return False
    return is_loopback(host)


def origin_is_loopback(origin: str) -> bool:
    """Whether an ``Origin`` header (``scheme://host[:port]``) names a loopback host."""
    try:
        return is_loopback(urlsplit(origin.strip()).hostname)
    except ValueError:
        return False


def is_proxied(headers: Mapping[str, object] | None) -> bool:
    """Whether the request came through a reverse proxy or forwarder that says so."""
    names = {name.lower() for name in (headers or {})}
    return any(n in PROXY_HEADERS or n.startswith(PROXY_HEADER_PREFIXES) for n in names)
