"""Identity and the admin throttle decided from the socket's peer, not from ``X-Forwarded-For``
(docs/security.md §2, §5).

Streamlit's server (uvicorn) trusts ``X-Forwarded-For`` from loopback clients and rewrites the
connection's address from it. These tests start the real app and attack it over its websocket:
a direct loopback client claiming to be the trusted proxy, the documented nginx set-up
(docs/deploying.md §2) through a real nginx, and a guesser whose claimed address must not reach
the throttle's log.
"""

from __future__ import annotations

import asyncio
import base64
import types
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from srgvhd.app import admin
from srgvhd.app.connection import socket_peer
from tests.attack_harness import ADMIN_SECRET, open_in, run, serve, session, widget
from tests.nginx_proxy import nginx

PROXY_ENV = {"SRGVHD_IDENTITY_HEADER": "X-Remote-User"}


def _transport_of(peername):
    transport = types.SimpleNamespace(get_extra_info=lambda name: peername)
    protocol = types.SimpleNamespace(transport=transport, receive=None)
    protocol.receive = types.MethodType(lambda self: None, protocol)
    return types.SimpleNamespace(_receive=protocol.receive)


def test_socket_peer_is_the_transports_address_or_unknown() -> None:
    assert socket_peer(_transport_of(("127.0.0.1", 51000))) == "127.0.0.1"
    assert socket_peer(_transport_of(("::1", 51000, 0, 0))) == "::1"
    assert socket_peer(_transport_of(None)) is None  # a closed transport
    assert socket_peer(types.SimpleNamespace(_receive=lambda: None)) is None
    assert socket_peer(None) is None


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("models")
    from tests.attack_harness import two_version_store

    two_version_store(root)
    return root


def _env(root: Path, proxy: str, **extra: str) -> dict[str, str]:
    return {
        **PROXY_ENV,
        "SRGVHD_TRUSTED_PROXY": proxy,
        "SRGVHD_DATABASE_URL": f"sqlite:///{root / 'cases.sqlite3'}",
        **extra,
    }


async def _assess_page(port: int, **handshake) -> tuple[list[str], list[str]]:
    """Open the Assess page with this handshake; (its texts and captions, its alerts)."""
    async with session(port, **handshake) as ws:
        page = await open_in(ws, "assess")
        assert not page.exceptions, page.exceptions
        return page.texts, page.alerts


@pytest.mark.attack
def test_a_loopback_client_claiming_the_proxys_address_is_not_trusted(template, tmp_path) -> None:
    """TRUSTED_PROXY=10.20.30.1; a direct 127.0.0.1 client sends ``X-Forwarded-For: 10.20.30.1``
    and ``X-Remote-User: chief``: uvicorn rewrites its address to 10.20.30.1, the app must not
    take it — the store is refused, nobody is "chief"."""
    with serve(tmp_path, template, _env(tmp_path, "10.20.30.1")) as server:
        texts, alerts = asyncio.run(
            _assess_page(
                server.port, headers={"X-Forwarded-For": "10.20.30.1", "X-Remote-User": "chief"}
            )
        )
    assert not any("chief" in t for t in [*texts, *alerts]), texts
    assert any("did not come through the trusted proxy" in a for a in alerts), alerts


@pytest.mark.attack
def test_the_documented_nginx_setup_names_the_proxys_user(template, tmp_path) -> None:
    """TRUSTED_PROXY=127.0.0.1 behind a real nginx configured as docs/deploying.md §2 with basic
    authentication: the user nginx authenticated is recorded, whatever ``X-Remote-User`` or
    ``X-Forwarded-For`` the browser sent; without credentials nginx refuses the websocket."""
    login = base64.b64encode(b"dr.lee:ward-password").decode()
    with (
        serve(tmp_path / "app", template, _env(tmp_path, "127.0.0.1")) as server,
        nginx(tmp_path / "nginx", server.port, {"dr.lee": "ward-password"}) as proxy_port,
    ):
        handshake = {
            "host": f"srgvhd.ward.example.org:{proxy_port}",
            "headers": {
                "Authorization": f"Basic {login}",
                "X-Forwarded-For": "10.1.2.3",
                "X-Remote-User": "chief",
            },
        }
        # serve() puts the app under tmp_path/app; session() connects to 127.0.0.1:proxy_port
        texts, alerts = asyncio.run(_assess_page(proxy_port, **handshake))
        with pytest.raises(InvalidStatus) as refused:
            asyncio.run(_assess_page(proxy_port, host=handshake["host"]))
        access = (tmp_path / "nginx" / "access.log").read_text()
    assert any("Saving as dr.lee" in t for t in texts), (texts, alerts)
    assert not any("chief" in t for t in [*texts, *alerts])
    assert refused.value.response.status_code == 401
    assert "/_stcore/stream" in access and " 101 " in access  # the websocket went through nginx


async def _wrong_secret(port: int, claimed: str) -> None:
    async with session(port, headers={"X-Forwarded-For": claimed}) as ws:
        page = await open_in(ws, "model")
        field_id = widget(page, admin.SECRET_KEY).id
        await run(ws, [(field_id, "string_value", "wrong-guess-0123456789")], page="model")


@pytest.mark.attack
def test_the_throttle_logs_the_socket_peer_not_the_claimed_address(template, tmp_path) -> None:
    with serve(tmp_path, template, {"SRGVHD_ADMIN_SECRET": ADMIN_SECRET}) as server:
        asyncio.run(_wrong_secret(server.port, "10.99.99.99"))
        log = server.log.read_text(errors="replace")
    assert "Admin secret refused" in log
    assert "(peer 127.0.0.1)" in log
    assert "10.99.99.99" not in log


def test_the_launcher_lets_uvicorn_trust_only_the_configured_proxy() -> None:
    from srgvhd.app.serve import forwarded_allow_ips

    assert forwarded_allow_ips({}) == ""  # uvicorn's default would be 127.0.0.1,::1
    assert forwarded_allow_ips({"SRGVHD_TRUSTED_PROXY": " 10.0.0.5, ::1 "}) == "10.0.0.5,::1"
    assert forwarded_allow_ips({"FORWARDED_ALLOW_IPS": "10.9.9.9"}) == "10.9.9.9"
