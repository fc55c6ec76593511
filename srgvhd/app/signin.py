"""Sign-in on every page: who is signed in with which role, Sign in / Sign out, the session that
has expired, and the entry kept across a new sign-in (``srgvhd.drafts``).

``app.py`` calls :func:`draw` before the page runs. Without ``[auth]`` the sidebar says the app
is unsigned and who saves are recorded as. With it:

- nobody signed in: the sidebar offers Sign in; the pages that need a person say why not;
- signed in: name, role and Sign out;
- signed in longer than the session length (``srgvhd.access``): a notice above the page asks to
  sign in again; the page still draws (so the form keeps what was typed) but nothing can be
  opened or saved. At the start of each run the form is parked on the shelf under the user's
  subject, and the first session of that subject signed in after it takes it back and opens the
  Assess page with it.

Sign in first asks the provider's discovery document (``server_metadata_url``) with a short
time-out: an unreachable provider gives a clear message on the page instead of Streamlit's
bare "Authentication error".
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

import streamlit as st

from srgvhd.access import CLOCK_SKEW_S, ROLE_WORDS, signed_in_time
from srgvhd.app import ui
from srgvhd.app.entry import DRAFT_KEPT, FORM, SAVED, unsaved
from srgvhd.app.identity import current_identity, oidc_configured, signed_in_claims
from srgvhd.app.store_panel import STATE
from srgvhd.drafts import DraftShelf
from srgvhd.i18n import Verbatim, _, current
from srgvhd.i18n.message import Msg
from srgvhd.identity import LAUNCH_SOURCE, Identity

LOG = logging.getLogger(__name__)
SHELF = DraftShelf()
PARKED_KEYS = (FORM, SAVED, STATE)
ASSESS_PAGE = "views/assess.py"
CHECKED = "signin_draft_checked"  # this session has looked for a kept draft once
RESTORED = "signin_draft_restored"
PROVIDER_TIMEOUT_S = 5.0
UNREACHABLE = "signin_provider_unreachable"


def _metadata_url() -> str | None:
    try:
        auth = st.secrets["auth"]
    except Exception:  # noqa: BLE001 - no [auth]
        return None
    url = auth.get("server_metadata_url")
    return url if isinstance(url, str) else None


def provider_problem(url: str | None, timeout: float = PROVIDER_TIMEOUT_S) -> Msg | None:
    """Why the provider cannot be used for a sign-in now (None when its discovery document
    answers), English for the log and said in the reader's language on the page. Never
    includes the response body or the address."""
    if not url:
        return Msg("[auth] server_metadata_url is not set in secrets.toml")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - https/http
            if response.status != 200:
                return Msg("the hospital sign-on answered {status}", status=response.status)
    except urllib.error.HTTPError as exc:
        return Msg("the hospital sign-on answered {status}", status=exc.code)
    except (OSError, ValueError):
        return Msg("the hospital sign-on cannot be reached")
    return None


def sign_in(key: str) -> None:
    """The Sign in button (``key`` makes it unique): checks the provider, then ``st.login``."""
    if st.button(_("Sign in"), key=key, type="primary", icon=":material/login:"):
        problem = provider_problem(_metadata_url())
        if problem:
            LOG.warning("sign-in refused before redirect: %s", problem)
            st.session_state[UNREACHABLE] = (key, problem)
        else:
            st.session_state.pop(UNREACHABLE, None)
            st.login()
    clicked, problem = st.session_state.get(UNREACHABLE, (None, None))
    if problem and clicked == key:  # beside the button that was pressed
        st.error(
            _(
                "Sign-in is not possible now: {problem}. Nothing is opened or saved without a "
                "signed-in person; your entry on the Assess page stays here. Try again in a "
                "moment, or call the hospital's IT service desk.",
                problem=ui.plain(current().text(problem)),
            ),
            icon=":material/cloud_off:",
        )


def _park(identity: Identity) -> None:
    """Keep this session's form on the shelf while its sign-in has expired (only when it holds
    entries not saved)."""
    if identity.subject is None or FORM not in st.session_state:
        return
    if not unsaved(st.session_state[FORM]):  # nothing to lose (another tab's draft stays)
        return
    values = {k: st.session_state[k] for k in PARKED_KEYS if k in st.session_state}
    SHELF.park(identity.subject, values)


def _restore(identity: Identity) -> None:
    """A fresh signed-in session takes back the entry its subject left when signing in again."""
    ss = st.session_state
    if ss.get(CHECKED) or identity.subject is None:
        return
    ss[CHECKED] = True
    claims = signed_in_claims() or {}
    signed_in_at = signed_in_time(claims)
    if FORM in ss or signed_in_at is None:
        return
    draft = SHELF.take(identity.subject, signed_in_at + CLOCK_SKEW_S)
    if draft is None:
        return
    for key, value in draft.values.items():
        ss[key] = value
    ss[RESTORED] = True
    LOG.info("kept entry restored after a new sign-in")
    st.switch_page(ASSESS_PAGE)


def _signed_in_words(identity: Identity) -> str:
    """The sidebar's line for a signed-in person: name and role (or that there is none)."""
    who = Verbatim(ui.plain(identity.who))
    if identity.role is None:
        return _("Signed in as {who}, no srgvhd role.", who=who)
    return _("Signed in as {who}, role {role}.", who=who, role=ROLE_WORDS[identity.role])


def _launch_words(identity: Identity) -> str:
    """The sidebar's line in a SMART launch: who saves are recorded as, with which role."""
    who = Verbatim(ui.plain(identity.who or _("nobody (the EHR launch did not say who you are)")))
    if identity.role is None:
        return _(
            "Opened from the EHR: saves are recorded as {who}, no srgvhd role. Close the EHR "
            "window to end the launch.",
            who=who,
        )
    return _(
        "Opened from the EHR: saves are recorded as {who}, role {role}. Close the EHR window to "
        "end the launch.",
        who=who,
        role=ROLE_WORDS[identity.role],
    )


def draw() -> Identity:
    """The sign-in state in the sidebar (and the expiry notice above the page); returns the
    session's identity."""
    identity = current_identity()
    if identity.source == LAUNCH_SOURCE:  # opened from the EHR: the EHR's user saves
        st.sidebar.caption(_launch_words(identity))
        return identity
    if not oidc_configured():
        who = identity.who or _("nobody (the case store is not served)")
        st.sidebar.caption(
            _(
                "Unsigned: no hospital sign-on is configured on this server. Saves are recorded "
                "as {who}.",
                who=Verbatim(ui.plain(who)),
            ),
        )
        return identity
    ss = st.session_state
    ss[DRAFT_KEPT] = identity.signed_in and identity.expired and identity.subject is not None
    if ss[DRAFT_KEPT]:
        _park(identity)
        st.warning(
            _(
                "Session ended: {problem}. Nothing stored can be opened or saved until you do. "
                "What you typed stays: it comes back on the Assess page after you sign in.",
                problem=ui.plain(current().text(identity.problem or "")),
            ),
            icon=":material/timer_off:",
        )
        sign_in("signin_again")
        return identity
    with st.sidebar:
        if identity.signed_in and identity.who:
            _restore(identity)
            st.caption(_signed_in_words(identity))
            if st.button(_("Sign out"), key="signin_out", icon=":material/logout:"):
                SHELF.discard(identity.subject or "")
                st.logout()
        else:
            st.caption(
                _(
                    "Not signed in. Sign in with the hospital account to open, save or change "
                    "anything stored."
                )
            )
            if identity.problem and not identity.problem.startswith("sign in"):
                st.error(ui.plain(current().text(identity.problem)))
            sign_in("signin_sidebar")
    if ss.pop(RESTORED, False):
        st.info(
            _("Your unsaved entry from before you signed in again is back in the form."),
            icon=":material/restore:",
        )
    return identity
