"""Who is saving: the person recorded with each case version and model activation.

Streamlit-free, so the CLI and the model store use it too. The app (``srgvhd.app.identity``)
gathers the request's facts and calls ``identify``; the rules, in order:

1. OIDC (``[auth]`` in Streamlit secrets): the signed-in user's e-mail (or name); nobody until
   they sign in.
2. A trusted reverse-proxy header (``SRGVHD_IDENTITY_HEADER``, e.g. ``X-Remote-User``), honoured
   only when the direct peer is a configured proxy address (``SRGVHD_TRUSTED_PROXY``, comma-
   separated); from any other peer, or without the header, nobody.
3. A server bound to loopback and reached directly: single-user use, the OS user.
4. Otherwise nobody: the store refuses to serve cases until an identity is configured.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

from srgvhd.network import is_loopback, is_proxied

HEADER_ENV = "SRGVHD_IDENTITY_HEADER"
PROXY_ENV = "SRGVHD_TRUSTED_PROXY"
NO_IDENTITY = (
    "this server is reachable from other machines and no identity is configured (OIDC [auth] "
    f"in secrets, or {HEADER_ENV} with {PROXY_ENV}): the case store is not served"
)


def os_user() -> str:
    """The operating-system user running this process (the CLI's and loopback app's "who")."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


@dataclass(frozen=True)
class ProxyConfig:
    """The trusted reverse proxy: the header naming the user and the proxy's addresses."""

    header: str | None
    proxies: tuple[str, ...]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ProxyConfig:
        """Read ``SRGVHD_IDENTITY_HEADER`` and ``SRGVHD_TRUSTED_PROXY``."""
        env = os.environ if env is None else env
        header = (env.get(HEADER_ENV) or "").strip() or None
        proxies = tuple(p.strip() for p in (env.get(PROXY_ENV) or "").split(",") if p.strip())
        return cls(header, proxies)

    @property
    def configured(self) -> bool:
        """Both the header name and at least one proxy address are set."""
        return self.header is not None and bool(self.proxies)

    def trusts(self, peer: str | None) -> bool:
        """Whether ``peer`` (the connection's direct address) is a configured proxy."""
        return peer is not None and any(_same_address(peer, p) for p in self.proxies)


def _same_address(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a.strip("[]")) == ipaddress.ip_address(b.strip("[]"))
    except ValueError:
        return a.lower() == b.lower()


@dataclass(frozen=True)
class Identity:
    """The person (``who``) and how they were known (``source``); ``who`` is None when nobody
    is known, and ``problem`` then says why."""

    who: str | None
    source: str
    problem: str | None = None


def identify(
    *,
    server_address: str | None,
    peer: str | None,
    headers: Mapping[str, str],
    oidc_configured: bool = False,
    oidc_user: str | None = None,
    proxy: ProxyConfig | None = None,
) -> Identity:
    """Who is using the app, by the rules in this module's docstring.

    ``peer`` is the direct peer's address (loopback as ``127.0.0.1``); ``headers`` the request's.
    """
    proxy = proxy or ProxyConfig(None, ())
    if oidc_configured:
        if oidc_user:
            return Identity(oidc_user, "sign-in (OIDC)")
        return Identity(None, "sign-in (OIDC)", "sign in to open or save cases")
    if proxy.configured:
        if not proxy.trusts(peer):
            return Identity(
                None,
                "proxy header",
                "this request did not come through the trusted proxy: the case store is not served",
            )
        lowered = {k.lower(): v for k, v in headers.items()}
        value = (lowered.get(proxy.header.lower()) or "").strip()
        if not value:
            return Identity(None, "proxy header", f"the proxy sent no {proxy.header} header")
        return Identity(value, "proxy header")
    if is_loopback(server_address) and not is_proxied(dict(headers)):
        return Identity(os_user(), "this computer's user (loopback)")
    return Identity(None, "none", NO_IDENTITY)
