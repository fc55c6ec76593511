"""Roles from the ID token's roles claim, the session length, and the drafts kept across a new
sign-in (srgvhd.access, srgvhd.drafts); the rules are in those modules' docstrings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srgvhd.access import (
    AccessConfig,
    Action,
    Role,
    allows,
    claim_values,
    refusal,
)
from srgvhd.drafts import DraftShelf
from srgvhd.errors import InputError

ENTRA = AccessConfig.from_settings(
    {
        "role_claim": "roles",
        "role_values": {
            "GVHD.Viewer": "viewer",
            "GVHD.Clinician": "clinician",
            "GVHD.DataManager": "data-manager",
        },
    },
    env={},
)


@pytest.mark.parametrize(
    ("values", "role"),
    [
        (["GVHD.Viewer"], Role.VIEWER),
        (["GVHD.Clinician"], Role.CLINICIAN),
        (["GVHD.DataManager"], Role.DATA_MANAGER),
        (["GVHD.Viewer", "GVHD.DataManager", "Other"], Role.DATA_MANAGER),
        ("GVHD.Clinician", Role.CLINICIAN),  # one value as text
        (["gvhd.clinician"], None),  # values match exactly
        (["clinician"], None),  # the role's own name is not mapped here
        ([], None),
        (None, None),
        ([{"GVHD.Clinician": True}], None),
    ],
)
def test_roles_claim_maps_to_the_role_with_most_rights(values, role) -> None:
    claims = {"sub": "x"} if values is None else {"sub": "x", "roles": values}
    assert ENTRA.role(claims) == role


def test_keycloak_nested_claim_and_default_map() -> None:
    config = AccessConfig.from_settings({"role_claim": "realm_access.roles"}, env={})
    assert config.role({"realm_access": {"roles": ["offline", "clinician"]}}) == Role.CLINICIAN
    assert config.role({"realm_access": ["clinician"]}) is None
    assert claim_values({"a": {"b": "c"}}, "a.b") == ["c"]


def test_rights_of_each_role() -> None:
    assert [a for a in Action if allows(Role.VIEWER, a)] == [Action.READ]
    assert [a for a in Action if allows(Role.CLINICIAN, a)] == [Action.READ, Action.SAVE]
    assert [a for a in Action if allows(Role.DATA_MANAGER, a)] == list(Action)
    assert not any(allows(None, a) for a in Action)
    assert "needs the data-manager role" in refusal(Role.CLINICIAN, Action.MODEL)
    assert "needs the clinician role" in refusal(Role.VIEWER, Action.SAVE)
    assert "no srgvhd role" in refusal(None, Action.READ)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"role_claim": ""}, "srgvhd.role_claim"),
        ({"role_claim": 3}, "srgvhd.role_claim"),
        ({"role_values": {"x": "admin"}}, "srgvhd.role_values.x"),
        ({"role_values": ["clinician"]}, "srgvhd.role_values"),
        ({"session_hours": 0}, "srgvhd.session_hours"),
        ({"session_hours": "twelve"}, "srgvhd.session_hours"),
        ({"session_hours": float("nan")}, "srgvhd.session_hours"),
        ({"session_hours": True}, "srgvhd.session_hours"),
        ({"session_hours": 721}, "srgvhd.session_hours"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(settings, field) -> None:
    with pytest.raises(InputError) as caught:
        AccessConfig.from_settings(settings, env={})
    assert str(caught.value).startswith(field + ":")


def test_session_hours_default_setting_and_environment() -> None:
    assert AccessConfig.from_settings(None, env={}).session_hours == 12
    assert AccessConfig.from_settings({"session_hours": 8}, env={}).session_hours == 8
    env = {"SRGVHD_SESSION_HOURS": "0.5"}
    assert AccessConfig.from_settings({"session_hours": 8}, env=env).session_hours == 0.5
    with pytest.raises(InputError, match="^SRGVHD_SESSION_HOURS:"):
        AccessConfig.from_settings(None, env={"SRGVHD_SESSION_HOURS": "-1"})


NOW = 1_800_000_000


@pytest.mark.parametrize(
    ("iat", "expired"),
    [
        (NOW - 2 * 3600 + 1, False),  # one second inside a 2-hour session
        (NOW - 2 * 3600, True),  # exactly 2 hours
        (NOW, False),
        (NOW + 100, False),  # the provider's clock a little ahead
        (NOW + 10_000, True),  # issued in the future: not believed
        (None, True),
        ("1800000000", True),  # text is not a time
        (True, True),
        (float("inf"), True),
    ],
)
def test_session_expiry_at_its_threshold(iat, expired) -> None:
    config = AccessConfig(session_hours=2)
    claims = {"sub": "x"} if iat is None else {"sub": "x", "iat": iat}
    assert config.expired(claims, NOW) is expired


def test_auth_time_does_not_shorten_a_new_sign_in() -> None:
    """A provider's single-sign-on session keeps its old auth_time: the new iat counts."""
    config = AccessConfig(session_hours=1)
    assert not config.expired({"iat": NOW - 10, "auth_time": NOW - 10 * 3600}, NOW)


@given(st.floats(min_value=0.01, max_value=720), st.floats(min_value=0, max_value=10**6))
def test_expiry_is_monotonic_in_age(hours, age) -> None:
    config = AccessConfig(session_hours=hours)
    if config.expired({"iat": NOW - age}, NOW):
        assert config.expired({"iat": NOW - age - 1}, NOW)
    assert config.expired({"iat": NOW - age}, NOW) == (age >= hours * 3600)


def test_a_draft_goes_back_once_to_the_same_subject_signed_in_after_it() -> None:
    shelf = DraftShelf(keep_seconds=100)
    form = {"assess_form": {"age": "42"}}
    shelf.park("ana", form, now=1000)
    form["assess_form"]["age"] = "changed after parking"
    assert shelf.take("bob", signed_in_at=1010, now=1010) is None
    assert shelf.take("ana", signed_in_at=999, now=1010) is None  # a sign-in from before
    draft = shelf.take("ana", signed_in_at=1005, now=1010)
    assert draft is not None and draft.values == {"assess_form": {"age": "42"}}
    assert shelf.take("ana", signed_in_at=1005, now=1011) is None  # once


def test_drafts_are_dropped_when_old_or_too_many() -> None:
    shelf = DraftShelf(keep_seconds=100, max_drafts=2)
    shelf.park("a", {"k": 1}, now=0)
    assert shelf.take("a", signed_in_at=50, now=101) is None
    for n, subject in enumerate(("a", "b", "c")):
        shelf.park(subject, {"k": n}, now=200)
    assert len(shelf) == 2 and shelf.take("a", signed_in_at=200, now=200) is None
    shelf.discard("b")
    assert shelf.take("b", signed_in_at=200, now=200) is None
