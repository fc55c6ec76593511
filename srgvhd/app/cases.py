"""The case store as the app uses it: one store per process and database URL, served only to a
known person (``srgvhd.app.identity``) with a role that may read it.

``open_store`` returns the store, or draws why it cannot be served (no identity on a
non-loopback bind, nobody signed in, an expired sign-in, a signed-in account without a role, a
database from a newer srgvhd, a database that cannot be reached) and returns None. A viewer gets
the store behind ``ReadOnlyStore``: every write refuses with the role's sentence, whatever page
or button asks. The first run of each process logs which identity rule is in force, so a server
that will refuse cases says so at start-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import streamlit as st

from srgvhd.access import Action, Role, allows, refusal
from srgvhd.app import ui
from srgvhd.app.identity import current_identity
from srgvhd.casestore.database import resolve_url
from srgvhd.casestore.store import CaseStore
from srgvhd.errors import InputError, Problem
from srgvhd.i18n import N_, _, current

log = logging.getLogger("srgvhd.casestore")


READ_METHODS = frozenset({"latest", "list_cases", "export", "history"})


class ReadOnlyStore:
    """A case store that only reads: any other method refuses with ``reason`` (an
    ``InputError``, shown as "Not saved: ..." by the pages)."""

    def __init__(self, store: CaseStore, reason: str):
        self._store = store
        self._reason = reason

    def __getattr__(self, name: str) -> Any:
        if name in READ_METHODS:
            return getattr(self._store, name)

        def refused(*_args: Any, **_kwargs: Any) -> Any:
            raise InputError(Problem("role", self._reason))

        return refused


@dataclass(frozen=True)
class Served:
    """The store, the person using it (``who``, as recorded), their role (None without
    sign-in) and whether they may write (save, close, change a course)."""

    store: CaseStore | ReadOnlyStore
    who: str
    role: Role | None = None
    can_save: bool = True
    refusal: str | None = None  # why not, when they may not


@st.cache_resource(show_spinner=False, max_entries=4)
def _store(url: str) -> CaseStore:
    """One store per URL and process (migrated on first open); a failure is not cached."""
    return CaseStore(url)


@st.cache_resource(show_spinner=False)
def _announce(source: str, problem: str | None) -> None:
    """Log once per process (and rule) how users are identified, or that cases are refused."""
    if problem is not None:
        log.warning("case store: %s", problem)
    else:
        log.info("case store: users identified by %s", source)


def open_store() -> Served | None:
    """The store for this session, or None after drawing why it is not served."""
    identity = current_identity()
    _announce(identity.source, identity.problem if identity.who is None else None)
    if identity.who is None:
        st.error(
            _(
                "Case store unavailable: {problem}.",
                problem=ui.plain(current().text(identity.problem or "")),
            ),
            icon=":material/lock:",
        )
        if identity.source.startswith("sign-in") and not identity.expired:
            from srgvhd.app.signin import sign_in

            sign_in("cases_sign_in")
        return None
    if identity.signed_in and not allows(identity.role, Action.READ):
        st.error(current().text(refusal(identity.role, Action.READ)), icon=":material/lock:")
        return None
    try:
        store = _store(resolve_url())
        if identity.signed_in and not allows(identity.role, Action.SAVE):
            reason = refusal(identity.role, Action.SAVE)
            return Served(ReadOnlyStore(store, reason), identity.who, identity.role, False, reason)
        return Served(store, identity.who, identity.role)
    except InputError as exc:
        st.error(
            _("Case store unavailable: {problem}.", problem=ui.plain(ui.problems_text(exc))),
            icon=":material/error:",
        )
    except Exception as exc:  # noqa: BLE001 - a database error must not end the page
        log.exception("case store: cannot open the database")
        st.error(
            _(
                "Case store unavailable: the database cannot be opened ({kind}).",
                kind=type(exc).__name__,
            ),
            icon=":material/error:",
        )
    return None


# What a failed store call was for (the log's words) -> the one sentence the page shows: whole
# sentences, so that each language says them its own way.
FAILED = {
    "save this entry": N_(
        "Not saved. The case database could not save this entry just now (it is not answering "
        "or is busy). Your entry is kept on screen: try again in a moment."
    ),
    "open the newer version": N_(
        "The case database could not open the newer version just now (it is not answering or "
        "is busy). Nothing on screen is lost: try again in a moment."
    ),
    "read the newer version": N_(
        "The case database could not read the newer version just now (it is not answering or "
        "is busy). Nothing on screen is lost: try again in a moment."
    ),
    "load a version": N_(
        "The case database could not load version {version} just now (it is not answering or "
        "is busy). Nothing on screen is lost: try again in a moment."
    ),
    "read this case's versions": N_(
        "The case database could not read this course's versions just now (it is not answering "
        "or is busy). Nothing on screen is lost: try again in a moment."
    ),
    "read these versions": N_(
        "The case database could not read these versions just now (it is not answering or is "
        "busy). Nothing on screen is lost: try again in a moment."
    ),
    "change this course": N_(
        "The case database could not change this course just now (it is not answering or is "
        "busy). Nothing was changed: try again in a moment."
    ),
    "list the ward's courses": N_(
        "The case database could not list the ward's courses just now (it is not answering or "
        "is busy). Try again in a moment."
    ),
    "open this course": N_(
        "The case database could not open this course just now (it is not answering or is "
        "busy). Nothing on screen is lost: try again in a moment."
    ),
}


def database_failed(exc: Exception, action: str, **params: Any) -> str:
    """One plain sentence, in the current language, for a store call that failed inside the
    database (server down, file locked past the busy timeout), logged by kind only: the
    driver's message can quote the statement's values. ``action`` is a key of ``FAILED``
    (e.g. "save this entry"); ``params`` fill its sentence (``version``)."""
    log.warning("case store: could not %s (%s)", action, type(exc).__name__)
    return _(FAILED[action], **params)
