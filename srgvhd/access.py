"""Roles and the signed-in session's lifetime, with sign-in (OIDC) on (no Streamlit).

The hospital's identity provider puts the user's groups or app roles in a claim of the ID token
(Entra ID ``roles``, Keycloak ``realm_access.roles`` or a mapped ``groups`` claim). The
``[srgvhd]`` table of ``.streamlit/secrets.toml`` names that claim and maps its values to the
three roles of this app (docs/deploying.md §8):

- ``viewer``: reads the ward list and the courses' histories; saves nothing;
- ``clinician``: also assesses and saves courses (and closes them);
- ``data-manager``: also trains, promotes and rolls back risk models.

A user whose claim maps to no role is signed in but may do nothing with the case store or the
model. Several mapped values give the role with the most rights. The role is read from the ID
token when the user signs in, so a change at the provider takes effect at the next sign-in.

A sign-in lasts ``session_hours`` (default 12) from the ID token's ``iat`` (issued at), which
sits in Streamlit's signed identity cookie, so a browser cannot move it. A claim that is
missing, not a number or in the future counts as expired.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from srgvhd.errors import InputError, Problem
from srgvhd.i18n.message import N_, Msg

SESSION_HOURS_ENV = "SRGVHD_SESSION_HOURS"
DEFAULT_SESSION_HOURS = 12.0
DEFAULT_ROLE_CLAIM = "roles"
CLOCK_SKEW_S = 120  # an iat this far ahead of our clock is still taken (clock drift)


class Role(StrEnum):
    """The app's roles, fewest rights first."""

    VIEWER = "viewer"
    CLINICIAN = "clinician"
    DATA_MANAGER = "data-manager"


class Action(StrEnum):
    """What a session may be allowed to do."""

    READ = "read courses"
    SAVE = "save, close or change courses"
    MODEL = "train, promote or roll back risk models"


RIGHTS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.CLINICIAN: frozenset({Action.READ, Action.SAVE}),
    Role.DATA_MANAGER: frozenset({Action.READ, Action.SAVE, Action.MODEL}),
}
RANK = {role: n for n, role in enumerate(Role)}
# A role in a sentence, said in the reader's language where shown (the configured value, as in
# secrets.toml, stays the English one: docs/glossary.md, "Sign-in and the EHR").
ROLE_WORDS: dict[Role, str] = {
    Role.VIEWER: N_("viewer"),
    Role.CLINICIAN: N_("clinician"),
    Role.DATA_MANAGER: N_("data-manager"),
}


def allows(role: Role | None, action: Action) -> bool:
    """Whether ``role`` may do ``action``; no role may do nothing."""
    return role is not None and action in RIGHTS[role]


def refusal(role: Role | None, action: Action) -> Msg:
    """The plain sentence a page shows when the session's role may not do ``action`` (English;
    said in the reader's language where shown). Whole sentences per action, so that each
    language words them its own way."""
    if role is None:
        return _no_role(action)
    needed = next(r for r in Role if action in RIGHTS[r])
    words = {"role": ROLE_WORDS[role], "needed": ROLE_WORDS[needed]}
    if action is Action.READ:
        return Msg(
            "Your role is {role}: you may not read courses (that needs the {needed} role or "
            "higher). A role changed at the hospital sign-on applies from your next sign-in.",
            **words,
        )
    if action is Action.SAVE:
        return Msg(
            "Your role is {role}: you may not save, close or change courses (that needs the "
            "{needed} role or higher). A role changed at the hospital sign-on applies from your "
            "next sign-in.",
            **words,
        )
    return Msg(
        "Your role is {role}: you may not train, promote or roll back risk models (that needs "
        "the {needed} role or higher). A role changed at the hospital sign-on applies from your "
        "next sign-in.",
        **words,
    )


def _no_role(action: Action) -> Msg:
    if action is Action.READ:
        return Msg(
            "Your account has no srgvhd role, so you may not read courses. Ask the administrator "
            "of the hospital sign-on to give you the viewer, clinician or data-manager role."
        )
    if action is Action.SAVE:
        return Msg(
            "Your account has no srgvhd role, so you may not save, close or change courses. Ask "
            "the administrator of the hospital sign-on to give you the viewer, clinician or "
            "data-manager role."
        )
    return Msg(
        "Your account has no srgvhd role, so you may not train, promote or roll back risk "
        "models. Ask the administrator of the hospital sign-on to give you the viewer, "
        "clinician or data-manager role."
    )


@dataclass(frozen=True)
class AccessConfig:
    """The ``[srgvhd]`` settings for sign-in: the roles claim, its values' roles, the session
    length in hours."""

    role_claim: str = DEFAULT_ROLE_CLAIM
    role_values: Mapping[str, Role] = field(
        default_factory=lambda: {role.value: role for role in Role}
    )
    session_hours: float = DEFAULT_SESSION_HOURS

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, Any] | None, env: Mapping[str, str] | None = None
    ) -> AccessConfig:
        """Read ``role_claim``, ``[srgvhd.role_values]`` and ``session_hours`` (the environment's
        ``SRGVHD_SESSION_HOURS`` wins); a bad value is refused naming the setting."""
        settings = settings or {}
        env = os.environ if env is None else env
        claim = settings.get("role_claim", DEFAULT_ROLE_CLAIM)
        if not isinstance(claim, str) or not claim.strip():
            raise InputError(
                Problem("srgvhd.role_claim", Msg("must be the name of an ID-token claim"))
            )
        values = settings.get("role_values")
        mapping: dict[str, Role]
        if values is None:
            mapping = {role.value: role for role in Role}
        elif isinstance(values, Mapping):
            mapping = {}
            for value, role in values.items():
                if role not in {r.value for r in Role}:
                    raise InputError(
                        Problem(
                            f"srgvhd.role_values.{value}",
                            Msg(
                                "{value} is not a role (viewer, clinician or data-manager)",
                                value=repr(role),
                            ),
                        )
                    )
                mapping[str(value)] = Role(role)
        else:
            raise InputError(
                Problem("srgvhd.role_values", Msg("must be a table of claim value = role"))
            )
        raw_hours = env.get(SESSION_HOURS_ENV) or settings.get("session_hours")
        where = SESSION_HOURS_ENV if env.get(SESSION_HOURS_ENV) else "srgvhd.session_hours"
        hours = DEFAULT_SESSION_HOURS if raw_hours in (None, "") else _hours(raw_hours, where)
        return cls(claim.strip(), mapping, hours)

    def role(self, claims: Mapping[str, Any]) -> Role | None:
        """The role the ID token's claims give (the highest mapped one), or None."""
        found = [
            self.role_values[v]
            for v in claim_values(claims, self.role_claim)
            if v in self.role_values
        ]
        return max(found, key=RANK.__getitem__) if found else None

    def expired(self, claims: Mapping[str, Any], now: float) -> bool:
        """Whether the sign-in these claims describe is older than ``session_hours``."""
        signed_in_at = signed_in_time(claims)
        if signed_in_at is None or signed_in_at > now + CLOCK_SKEW_S:
            return True
        return now - signed_in_at >= self.session_hours * 3600


def _hours(raw: object, where: str) -> float:
    try:
        hours = float(str(raw).strip()) if not isinstance(raw, bool) else math.nan
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours) or hours <= 0 or hours > 24 * 30:
        raise InputError(
            Problem(
                where,
                Msg("{value} is not a number of hours above 0 (at most 720)", value=repr(raw)),
            )
        )
    return hours


def claim_values(claims: Mapping[str, Any], path: str) -> list[str]:
    """The text values of a claim, by name or dotted path (``realm_access.roles``); a single
    text value counts as a list of one, anything else (numbers, objects) is not a value."""
    node: Any = claims
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return []
        node = node[part]
    items = node if isinstance(node, list | tuple) else [node]
    return [item for item in items if isinstance(item, str)]


def signed_in_time(claims: Mapping[str, Any]) -> float | None:
    """When this app's sign-in completed: the ID token's ``iat`` (issued at).

    Not ``auth_time``: a provider that still has a single-sign-on session re-issues a token
    without asking, keeping the old ``auth_time``, which would end every new session at once.
    """
    value = claims.get("iat")
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None
