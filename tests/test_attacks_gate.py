"""The admin gate against DNS rebinding, header-less forwarders and secret guessing
(docs/security.md §2, §4, §5).

Unit tests pin the rules of ``srgvhd.app.admin`` and ``srgvhd.app.throttle`` at their
boundaries; the ``attack`` tests start the real app on 127.0.0.1 and attack it over Streamlit's
websocket like a rebound web page, a TCP relay or a guessing script would.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from websockets.exceptions import InvalidStatus

from srgvhd.app import admin
from srgvhd.app.admin import Attempts, Connection, admin_gate, check_entered, is_local
from srgvhd.app.throttle import Throttle
from srgvhd.risk.store import ModelStore
from tests.attack_harness import (
    ADMIN_SECRET,
    REBIND_HOST,
    open_in,
    run,
    serve,
    session,
    tcp_relay,
    two_version_store,
    widget,
)

REPO = Path(__file__).resolve().parents[1]
PORT = 8501


def _direct(
    host: str = f"127.0.0.1:{PORT}",
    origin: str | None = f"http://localhost:{PORT}",
    peer: str = "127.0.0.1",
    **extra: str,
) -> Connection:
    headers = {"host": (host,), **({"origin": (origin,)} if origin else {})}
    return Connection(peer=peer, headers=headers | {k.lower(): (v,) for k, v in extra.items()})


# ---------------------------------------------------------------- who is local


@pytest.mark.parametrize(
    ("connection", "local"),
    [
        (_direct(), True),
        (_direct(host=f"localhost:{PORT}"), True),
        (_direct(host=f"[::1]:{PORT}", peer="::1", origin=f"http://[::1]:{PORT}"), True),
        (_direct(host="127.8.9.10", origin=None), True),  # no Origin: not a browser page
        (_direct(host=f"{REBIND_HOST}:{PORT}", origin=f"http://{REBIND_HOST}:{PORT}"), False),
        (_direct(origin=f"http://{REBIND_HOST}:{PORT}"), False),
        (_direct(host=f"{REBIND_HOST}:{PORT}", origin=None), False),
        (_direct(origin="null"), False),
        (_direct(host="localhost.attacker.example"), False),
        (_direct(host="127.0.0.1.nip.io"), False),
        (_direct(host=""), False),
        (_direct(peer="10.0.0.7"), False),
        (Connection(peer="127.0.0.1", headers={"host": ("127.0.0.1", "evil.example")}), False),
        (Connection(peer="127.0.0.1"), False),  # no Host header at all
        (Connection(peer=None), False),  # the session's client is gone
        (_direct(**{"X-Forwarded-For": "10.0.0.7"}), False),
        (_direct(**{"X-Forwarded-Proto": "https"}), False),
        (_direct(Via="1.1 proxy"), False),
        (_direct(**{"X-Client-IP": "10.0.0.7"}), False),
        (_direct(Forwarded="for=10.0.0.7"), False),
        (_direct(**{"X-Real-IP": "10.0.0.7"}), False),
        (Connection(peer=None, in_process=True), True),
    ],
)
def test_only_a_direct_loopback_session_is_local(connection, local) -> None:
    assert is_local(connection, "127.0.0.1") is local


@pytest.mark.parametrize("bind", ["0.0.0.0", "", None, "10.1.2.3", "srgvhd.example.org"])
def test_a_server_bound_off_loopback_has_no_local_sessions(bind) -> None:
    assert not is_local(_direct(), bind)
    assert not is_local(Connection(peer=None, in_process=True), bind)


@pytest.mark.parametrize("bind", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_bind_addresses(bind) -> None:
    assert is_local(_direct(), bind)


def test_a_configured_secret_is_always_asked_for_even_on_loopback() -> None:
    assert admin_gate(_direct(), "127.0.0.1", secret_configured=True) == "secret"
    assert (
        admin_gate(Connection(None, in_process=True), "127.0.0.1", secret_configured=True)
        == "secret"
    )


def test_without_a_secret_only_trusted_local_sessions_are_open() -> None:
    assert admin_gate(_direct(), "127.0.0.1", secret_configured=False) == "open"
    assert (
        admin_gate(_direct(), "127.0.0.1", secret_configured=False, trust_loopback=False)
        == "locked"
    )
    rebound = _direct(host=f"{REBIND_HOST}:{PORT}", origin=f"http://{REBIND_HOST}:{PORT}")
    assert admin_gate(rebound, "127.0.0.1", secret_configured=False) == "locked"
    assert admin_gate(_direct(), "0.0.0.0", secret_configured=False) == "locked"


@pytest.mark.parametrize(
    ("value", "trusted", "complaint"),
    [
        (None, True, False),
        ("1", True, False),
        (" 1 ", True, False),
        ("0", False, False),
        ("yes", False, True),
        ("", False, True),
        ("2", False, True),
    ],
)
def test_trust_loopback_setting(value, trusted, complaint) -> None:
    result, problem = admin.trust_loopback_setting(value)
    assert result is trusted
    assert (problem is not None) is complaint
    if complaint:
        assert admin.TRUST_ENV in problem


def test_secret_length_boundary() -> None:
    assert admin.secret_problem(None) is None and admin.secret_problem("") is None
    assert admin.secret_problem("x" * admin.MIN_SECRET_LENGTH) is None
    short = admin.secret_problem("x" * (admin.MIN_SECRET_LENGTH - 1))
    assert short and "16 characters" in short and "x" * 15 not in short
    assert "text" in admin.secret_problem(12345678901234567890)


def test_secret_matches_only_the_configured_secret() -> None:
    assert admin.secret_matches("s3cret", "s3cret")
    assert not admin.secret_matches("s3cre", "s3cret")
    assert not admin.secret_matches("", "")
    assert not admin.secret_matches("anything", None)
    assert not admin.secret_matches(None, "s3cret")


# ---------------------------------------------------------------- throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_backs_off_exponentially_from_the_second_failure() -> None:
    clock = Clock()
    throttle = Throttle(limit=5, window=60, base=1, clock=clock)
    assert throttle.wait_seconds() == 0
    throttle.failed()
    assert throttle.wait_seconds() == 0  # one typo is free
    throttle.failed()
    assert throttle.wait_seconds() == 2
    clock.now += 1.999
    assert throttle.wait_seconds() > 0
    clock.now += 0.001
    assert throttle.wait_seconds() == 0
    throttle.failed()
    assert throttle.wait_seconds() == 4
    throttle.succeeded()
    assert throttle.wait_seconds() == 0


def test_throttle_allows_at_most_limit_failures_per_window() -> None:
    clock = Clock()
    throttle = Throttle(limit=5, window=60, base=0, clock=clock)
    for _ in range(4):
        throttle.failed()
    assert throttle.wait_seconds() == 0
    throttle.failed()  # the 5th failure at t = 1000
    assert throttle.wait_seconds() == 60
    clock.now += 59.5
    assert throttle.wait_seconds() == pytest.approx(0.5)
    clock.now += 0.5
    assert throttle.wait_seconds() == 0


def test_wrong_guesses_are_throttled_and_logged_without_the_value(caplog) -> None:
    clock = Clock()
    attempts = Attempts(throttle=Throttle(clock=clock))
    shared = Throttle(limit=10, base=0, clock=clock)
    secret = "the-right-secret-value"
    caplog.set_level(logging.INFO, logger="srgvhd.app.admin")
    assert check_entered("guess-number-one", secret, attempts, shared) == (
        False,
        "That admin secret is not correct.",
    )
    assert check_entered("guess-number-one", secret, attempts, shared)[0] is False  # a rerun
    assert check_entered("guess-number-two", secret, attempts, shared)[0] is False
    ok, message = check_entered(secret, secret, attempts, shared)  # right, but too soon
    assert not ok and message.startswith("Too many wrong admin secrets: try again in 2 s")
    clock.now += 2
    assert check_entered(secret, secret, attempts, shared) == (True, None)
    assert check_entered(secret, secret, attempts, shared) == (True, None)  # reruns stay open
    log = caplog.text
    assert log.count("Admin secret refused") == 2  # the rerun of guess one was no new attempt
    assert "throttled" in log and "Admin secret accepted" in log
    for value in ("guess-number-one", "guess-number-two", secret):
        assert value not in log


def test_the_server_wide_throttle_stops_guessing_from_many_sessions() -> None:
    clock = Clock()
    shared = Throttle(limit=10, base=0, clock=clock)
    for n in range(10):  # ten new sessions, one guess each
        fresh = Attempts(throttle=Throttle(clock=clock))
        assert check_entered(f"guess-{n:02d}-xxxxxxxxxx", "right", fresh, shared)[1] == (
            "That admin secret is not correct."
        )
    ok, message = check_entered("right", "right", Attempts(throttle=Throttle(clock=clock)), shared)
    assert not ok and "Too many" in message
    clock.now += 60
    assert check_entered("right", "right", Attempts(throttle=Throttle(clock=clock)), shared)[0]


# ---------------------------------------------------------------- the Model page in-process


def _model_page(root: Path, monkeypatch, secret: str) -> AppTest:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(root))
    monkeypatch.setenv("SRGVHD_ADMIN_SECRET", secret)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=30).run()
    at.switch_page("views/model.py").run()
    assert not at.exception
    return at


@pytest.fixture(scope="module")
def store_template(tmp_path_factory) -> tuple[Path, str, str]:
    root = tmp_path_factory.mktemp("template")
    first, second = two_version_store(root)
    return root, first, second


def test_in_process_on_loopback_a_configured_secret_is_still_asked_for(
    store_template, tmp_path, monkeypatch
) -> None:
    template, _, second = store_template
    at = _model_page(template, monkeypatch, ADMIN_SECRET)
    assert at.button(key=f"model_activate_{second}").disabled
    at.text_input(key=admin.SECRET_KEY).input(ADMIN_SECRET).run()
    assert not at.button(key=f"model_activate_{second}").disabled


def test_a_short_secret_locks_model_changes_with_a_message(store_template, monkeypatch) -> None:
    template, _, second = store_template
    at = _model_page(template, monkeypatch, "x" * 15)
    assert at.button(key=f"model_activate_{second}").disabled
    assert not [t for t in at.text_input if t.key == admin.SECRET_KEY]
    assert any("shorter than 16 characters" in e.value for e in at.error)


# ---------------------------------------------------------------- attacks on a live server


@pytest.fixture(scope="module")
def with_secret(store_template, tmp_path_factory):
    template, first, second = store_template
    with serve(
        tmp_path_factory.mktemp("secret"), template, {"SRGVHD_ADMIN_SECRET": ADMIN_SECRET}
    ) as server:
        yield server, first, second


@pytest.fixture(scope="module")
def without_secret(store_template, tmp_path_factory):
    template, first, second = store_template
    with serve(tmp_path_factory.mktemp("open"), template, launcher=True) as server:
        yield server, first, second


@pytest.fixture(scope="module")
def loopback_untrusted(store_template, tmp_path_factory):
    template, first, second = store_template
    with serve(
        tmp_path_factory.mktemp("untrusted"), template, {"SRGVHD_TRUST_LOOPBACK": "0"}
    ) as server:
        yield server, first, second


async def _activate_attempt(port: int, version: str, **handshake) -> tuple[bool, list[str]]:
    """Open the Model page with this handshake, then click Activate on ``version`` even when it
    is disabled (a forged click); (whether it was enabled, the page's alerts)."""
    async with session(port, **handshake) as ws:
        page = await open_in(ws, "model")
        assert not page.exceptions, page.exceptions
        button = widget(page, f"model_activate_{version}")
        await run(ws, [(button.id, "trigger_value", True)], page="model")
        return not button.disabled, page.alerts


def _rebound(port: int) -> dict[str, str]:
    return {"host": f"{REBIND_HOST}:{port}", "origin": f"http://{REBIND_HOST}:{port}"}


def _assert_refused(server, first: str, outcome: tuple[bool, list[str]], says: str) -> None:
    """Activate was disabled, the page said why, and the forged click changed nothing."""
    enabled, alerts = outcome
    assert not enabled
    assert any(says in a for a in alerts), alerts
    assert server.active_version() == first


@pytest.mark.attack
@pytest.mark.parametrize(
    ("deployment", "says"),
    [("with_secret", "Enter the admin secret"), ("without_secret", "locked")],
)
def test_dns_rebinding_cannot_activate(deployment, says, request) -> None:
    """``Host``/``Origin`` attacker.rebind.network:PORT on a loopback server: with a secret
    configured the secret is asked for, without one model changes are locked."""
    server, first, second = request.getfixturevalue(deployment)
    outcome = asyncio.run(_activate_attempt(server.port, second, **_rebound(server.port)))
    _assert_refused(server, first, outcome, says)


@pytest.mark.attack
def test_a_proxy_sending_only_x_forwarded_proto_is_not_local(without_secret) -> None:
    server, first, second = without_secret
    enabled, _ = asyncio.run(
        _activate_attempt(server.port, second, headers={"X-Forwarded-Proto": "https"})
    )
    assert not enabled
    assert server.active_version() == first


@pytest.mark.attack
def test_on_loopback_a_configured_secret_is_asked_for(with_secret) -> None:
    server, first, second = with_secret
    enabled, _ = asyncio.run(
        _activate_attempt(server.port, second, origin=f"http://127.0.0.1:{server.port}")
    )
    assert not enabled
    assert server.active_version() == first


async def _through_relay(port: int, version: str) -> tuple[bool, list[str]]:
    async with tcp_relay(port) as relay_port:
        return await _activate_attempt(relay_port, version, origin=f"http://localhost:{relay_port}")


@pytest.mark.attack
def test_a_tcp_relay_is_indistinguishable_from_a_local_browser(without_secret) -> None:
    """Why a forwarded deployment must configure a secret or SRGVHD_TRUST_LOOPBACK=0: with
    neither, a relay's user is trusted like the person at the keyboard (and this positive
    control proves the relay and the forged click work). The store is restored afterwards."""
    server, first, second = without_secret
    enabled, _ = asyncio.run(_through_relay(server.port, second))
    assert enabled
    assert server.active_version() == second
    ModelStore(server.models).activate(first)


@pytest.mark.attack
@pytest.mark.parametrize(
    ("deployment", "says"),
    [("with_secret", "Enter the admin secret"), ("loopback_untrusted", "locked")],
)
def test_a_tcp_relay_needs_the_secret_or_finds_model_changes_locked(
    deployment, says, request
) -> None:
    """The two settings a forwarded deployment must use: a secret, or SRGVHD_TRUST_LOOPBACK=0."""
    server, first, second = request.getfixturevalue(deployment)
    _assert_refused(server, first, asyncio.run(_through_relay(server.port, second)), says)


async def _guess(port: int, guesses: list[str]) -> list[tuple[bool, list[str]]]:
    """Enter each guess in the secret field of one session; (Activate enabled, alerts) each."""
    async with session(port, origin=f"http://127.0.0.1:{port}") as ws:
        page = await open_in(ws, "model")
        field_id = widget(page, admin.SECRET_KEY).id
        outcomes = []
        for guess in guesses:
            result = await run(ws, [(field_id, "string_value", guess)], page="model")
            enabled = any(
                not e.disabled for wid, e in result.widgets.items() if "-model_activate_" in wid
            )
            outcomes.append((enabled, result.alerts))
        return outcomes


@pytest.mark.attack
def test_guessing_the_secret_is_throttled_and_logged_without_the_guesses(with_secret) -> None:
    server, first, _ = with_secret
    guesses = [f"wrong-guess-{n:03d}-abcdefgh" for n in range(6)]
    outcomes = asyncio.run(_guess(server.port, [*guesses, ADMIN_SECRET]))
    texts = [" ".join(alerts) for _, alerts in outcomes]
    assert all("not correct" in t for t in texts[:2])
    assert all("Too many wrong admin secrets" in t for t in texts[2:])
    assert not outcomes[-1][0], "the right secret was accepted while throttled"
    assert server.active_version() == first
    log = server.log.read_text(errors="replace")
    assert log.count("Admin secret refused") == 2
    assert log.count("throttled") >= len(guesses) - 2
    for value in (*guesses, ADMIN_SECRET):
        assert value not in log


async def _cross_site_handshake(port: int) -> None:
    async with session(port, origin="http://evil.example.org") as ws:
        await open_in(ws, "model")


@pytest.mark.attack
def test_a_cross_site_websocket_is_refused_by_streamlit(without_secret) -> None:
    """A page on another site opening ws://127.0.0.1 (Origin ≠ Host) never gets a session —
    Streamlit's own origin check; only a rebound domain (Origin = Host) gets through, which is
    what the gate's Host check is for. Started like ``make run``, the server refuses it without
    looking up its external address, even before any session has run app.py."""
    server, first, _ = without_secret
    with pytest.raises(InvalidStatus) as info:
        asyncio.run(_cross_site_handshake(server.port))
    assert info.value.response.status_code == 403
    assert server.active_version() == first
    assert "Did not auto detect external IP" not in server.log.read_text(errors="replace")
