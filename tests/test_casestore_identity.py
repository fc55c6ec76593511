"""Who is recorded (srgvhd.identity): OIDC first, then a proxy header only from the trusted
proxy, then the OS user on a loopback bind; otherwise nobody, and the store is not served. The
command line records ``--as NAME`` or the OS user, marked as such."""

from __future__ import annotations

import getpass

from srgvhd.access import AccessConfig, Role
from srgvhd.identity import (
    ProxyConfig,
    cli_identity,
    duration_words,
    identify,
    os_user,
    signed_in_who,
)

NOW = 1_800_000_000.0

PROXY = ProxyConfig("X-Remote-User", ("10.0.0.5",))


def test_loopback_bind_reached_directly_records_the_os_user() -> None:
    found = identify(server_address="127.0.0.1", peer="127.0.0.1", headers={})
    assert found.who == f"{getpass.getuser()} (OS user)" and found.problem is None


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


def _claims(**more: object) -> dict[str, object]:
    return {"is_logged_in": True, "sub": "8f3a", "name": "Ana Lee", "iat": NOW - 60, **more}


def test_oidc_signed_in_user_wins_and_signed_out_is_nobody() -> None:
    signed_in = identify(
        server_address="0.0.0.0",
        peer="10.0.0.5",
        headers={"x-remote-user": "mallory"},
        oidc_configured=True,
        oidc_claims=_claims(roles=["clinician"]),
        now=NOW,
        proxy=PROXY,
    )
    assert signed_in.who == "Ana Lee (sub 8f3a)"  # the proxy header counts for nothing
    assert (signed_in.subject, signed_in.role, signed_in.signed_in) == (
        "8f3a",
        Role.CLINICIAN,
        True,
    )
    signed_out = identify(
        server_address="127.0.0.1", peer="127.0.0.1", headers={}, oidc_configured=True
    )
    assert signed_out.who is None and "sign in" in signed_out.problem
    logged_out = identify(
        server_address="127.0.0.1",
        peer="127.0.0.1",
        headers={},
        oidc_configured=True,
        oidc_claims={"is_logged_in": False},
    )
    assert logged_out.who is None  # never the OS user once sign-in is configured


def test_a_sign_in_older_than_the_session_is_nobody_but_keeps_its_subject() -> None:
    access = AccessConfig(session_hours=12)
    fresh = identify(
        server_address="0.0.0.0",
        peer="10.0.0.9",
        headers={},
        oidc_configured=True,
        oidc_claims=_claims(iat=NOW - 12 * 3600 + 1),
        access=access,
        now=NOW,
    )
    assert fresh.who == "Ana Lee (sub 8f3a)" and not fresh.expired
    old = identify(
        server_address="0.0.0.0",
        peer="10.0.0.9",
        headers={},
        oidc_configured=True,
        oidc_claims=_claims(iat=NOW - 12 * 3600),
        access=access,
        now=NOW,
    )
    assert old.who is None and old.expired and old.subject == "8f3a"
    assert "older than 12 hours" in old.problem


def test_session_lengths_in_words() -> None:
    assert duration_words(12) == "12 hours"
    assert duration_words(1) == "1 hour"
    assert duration_words(1.5) == "1.5 hours"
    assert duration_words(0.5) == "30 minutes"
    assert duration_words(45 / 3600) == "45 seconds"


def test_a_sign_in_without_subject_is_nobody() -> None:
    found = identify(
        server_address="0.0.0.0",
        peer="10.0.0.9",
        headers={},
        oidc_configured=True,
        oidc_claims={"is_logged_in": True, "name": "Ana Lee", "iat": NOW},
        now=NOW,
    )
    assert found.who is None


def test_recorded_text_names_the_person_and_the_subject() -> None:
    assert signed_in_who({"sub": "s1", "email": "a@h.org"}) == "a@h.org (sub s1)"
    assert signed_in_who({"sub": "s1"}) == "sub s1"
    assert signed_in_who({"sub": "s1", "name": " Ana\n Lee "}) == "Ana Lee (sub s1)"
    long = signed_in_who({"sub": "s" * 500, "name": "n" * 500})
    assert long is not None and len(long) <= 200  # within the case store's saved_by limit
    assert signed_in_who({"sub": 7, "name": "Ana"}) is None


def test_command_line_records_the_os_user_or_as_name_beside_it() -> None:
    user = getpass.getuser()
    assert os_user() == user
    assert cli_identity().who == f"{user} (OS user)"
    assert cli_identity("Dr Ana Lee").who == f"Dr Ana Lee (--as, OS user {user})"
    assert cli_identity("   ").who == f"{user} (OS user)"


def test_proxy_config_reads_the_environment() -> None:
    config = ProxyConfig.from_env(
        {"SRGVHD_IDENTITY_HEADER": " X-User ", "SRGVHD_TRUSTED_PROXY": "10.0.0.5, ::1"}
    )
    assert config == ProxyConfig("X-User", ("10.0.0.5", "::1"))
    assert config.trusts("0:0:0:0:0:0:0:1") and not config.trusts("10.0.0.6")
    assert not ProxyConfig.from_env({"SRGVHD_IDENTITY_HEADER": "X-User"}).configured
