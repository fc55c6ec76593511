"""The app's language for this browser: chosen in the sidebar, else the browser's
(``st.context.locale``), else English; kept in the page address as ``?lang=xx`` so a reload or a
bookmark keeps it (the address carries nothing else: no patient data is ever put in it). A
language that came in the address is kept for the session too, because Streamlit's page
navigation opens the next page without the query.

``pick_language`` is the rule without Streamlit; ``choose_language`` draws the selector and sets
the language every word of this script run is said in (srgvhd.i18n.set_language).
"""

from __future__ import annotations

import streamlit as st

from srgvhd.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, set_language
from srgvhd.i18n.language import language_of

QUERY_KEY = "lang"
WIDGET_KEY = "ui_language"
CHOSEN_KEY = "ui_language_chosen"
# The selector's label is the same in every language, so a reader of any of them finds it.
SELECTOR_LABEL = "Language · 语言 · Sprache · Langue"


def pick_language(chosen: str | None, in_address: str | None, browser: str | None) -> str:
    """The language of this run: the selector's value in this session, else the address's
    ``?lang=``, else the browser's locale (``de-DE``), else English; anything the app does not
    speak is passed over."""
    for candidate in (chosen, in_address):
        if candidate in LANGUAGES:
            return candidate
    return (language_of(browser) if browser else None) or DEFAULT_LANGUAGE


def _chosen() -> None:
    """The selector's callback: remember the clinician's choice for this session (kept apart
    from the widget's own state, which Streamlit may renew when the page set changes)."""
    st.session_state[CHOSEN_KEY] = st.session_state[WIDGET_KEY]


def choose_language() -> str:
    """Draw the language selector in the sidebar, keep the choice in the address and speak it
    for the rest of this run."""
    in_address = st.query_params.get(QUERY_KEY)
    lang = pick_language(st.session_state.get(CHOSEN_KEY), in_address, st.context.locale)
    if in_address in LANGUAGES:  # Streamlit's page navigation drops the query: keep it here
        st.session_state.setdefault(CHOSEN_KEY, lang)
    st.sidebar.selectbox(
        SELECTOR_LABEL,
        LANGUAGES,
        index=LANGUAGES.index(lang),
        format_func=LANGUAGE_NAMES.__getitem__,
        key=WIDGET_KEY,
        on_change=_chosen,
    )
    if in_address != lang:
        st.query_params[QUERY_KEY] = lang
    set_language(lang)
    return lang
