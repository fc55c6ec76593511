"""The case store as the app uses it: one store per process and database URL, served only to a
known person (``srgvhd.app.identity``).

``open_store`` returns the store, or draws why it cannot be served (no identity on a
non-loopback bind, a database from a newer srgvhd, a database that cannot be reached) and
returns None. The first run of each process logs which identity rule is in force, so a server
that will refuse cases says so at start-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

from srgvhd.app import ui
from srgvhd.app.identity import current_identity
from srgvhd.casestore.database import resolve_url
from srgvhd.casestore.store import CaseStore
from srgvhd.errors import InputError

log = logging.getLogger("srgvhd.casestore")


@dataclass(frozen=True)
class Served:
    """The store and the person using it."""

    store: CaseStore
    who: str


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
        st.error(f"Case store unavailable: {ui.plain(identity.problem)}.", icon=":material/lock:")
        if identity.source.startswith("sign-in"):
            st.button("Sign in", on_click=st.login, key="cases_sign_in")
        return None
    try:
        return Served(_store(resolve_url()), identity.who)
    except InputError as exc:
        st.error(f"Case store unavailable: {ui.plain(exc)}", icon=":material/error:")
    except Exception as exc:  # noqa: BLE001 - a database error must not end the page
        log.exception("case store: cannot open the database")
        st.error(
            f"Case store unavailable: the database cannot be opened ({type(exc).__name__}).",
            icon=":material/error:",
        )
    return None


def database_failed(exc: Exception, action: str) -> str:
    """One plain sentence for a store call that failed inside the database (server down, file
    locked past the busy timeout), logged by kind only: the driver's message can quote the
    statement's values. ``action`` completes "could not …" (e.g. "save this entry")."""
    log.warning("case store: could not %s (%s)", action, type(exc).__name__)
    return (
        f"The case database could not {action} just now (it is not answering or is busy). "
        "Nothing on screen is lost: try again in a moment."
    )
