"""Who is recorded (srgvhd.identity): OIDC first, then a proxy header only from the trusted
proxy, then the OS user on a loopback bind; otherwise nobody, and the store is not served."""

from __future__ import annotations

from srgvhd.identity import ProxyConfig, identify, os_user

PROXY = ProxyConfig("X-Remote-User", ("10.0.0.5",))


def test_loopback_bind_reached_directly_records_the_os_user() -> None:
    found = identify(server_address="127.0.0.1", peer="127.0.0.1", headers={})
    assert found.who == os_user() and found.problem is None


def test_loopback_bind_behind_an_unconfigured_proxy_is_nobody() -> None:
    found = identify(
        server_address="127.0.0.1", peer="127.0.0.1", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert found.who is None and "no identity is configured" in found.problem


def test_public_bind_without_identity_is_nobody() -> None:
    found = identify(server_address="0.0.0.0", peer="198.51.100.7", headers={})
    assert found.who is None and "case store is not served" in found.problem


def test_header_is_honoured_only_from_the_trusted_proxy() -> None:
    headers = {"x-remote-user": "dr.lee"}
    trusted = identify(server_address="0.0.0.0", peer="10.0.0.5", headers=headers, proxy=PROXY)
    assert (trusted.who, trusted.source) == ("dr.lee", "proxy header")
    forged = identify(server_address="0.0.0.0", peer="10.0.0.6", headers=headers, proxy=PROXY)
    assert forged.who is None and "trusted proxy" in forged.problem
    missing = identify(server_address="0.0.0.0", peer="10.0.0.5", headers={}, proxy=PROXY)
    assert missing.who is None and "X-Remote-User" in missing.problem


def test_configured_proxy_is_required_even_on_loopback() -> None:
    local = ProxyConfig("X-Remote-User", ("127.0.0.1",))
    found = identify(server_address="127.0.0.1", peer="127.0.0.1", headers={}, proxy=local)
    assert found.who is None  # the proxy sent no header: not the OS user


def test_oidc_signed_in_user_wins_and_signed_out_is_nobody() -> None:
    signed_in = identify(
        server_address="0.0.0.0",
        peer="10.0.0.5",
        headers={},
        oidc_configured=True,
        oidc_user="lee@example.org",
        proxy=PROXY,
    )
    assert signed_in.who == "lee@example.org"
    signed_out = identify(
        server_address="127.0.0.1", peer="127.0.0.1", headers={}, oidc_configured=True
    )
    assert signed_out.who is None and "sign in" in signed_out.problem


def test_proxy_config_reads_the_environment() -> None:
    config = ProxyConfig.from_env(
        {"SRGVHD_IDENTITY_HEADER": " X-User ", "SRGVHD_TRUSTED_PROXY": "10.0.0.5, ::1"}
    )
    assert config == ProxyConfig("X-User", ("10.0.0.5", "::1"))
    assert config.trusts("0:0:0:0:0:0:0:1") and not config.trusts("10.0.0.6")
    assert not ProxyConfig.from_env({"SRGVHD_IDENTITY_HEADER": "X-User"}).configured
