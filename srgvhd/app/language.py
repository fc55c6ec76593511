"""The app's language for this browser: chosen in the sidebar, else the browser's
(``st.context.locale``), else English; kept in the page address as ``?lang=xx`` so a reload or a
bookmark keeps it (the address carries nothing else: no patient data is ever put in it).

``pick_language`` is the rule without Streamlit; ``choose_language`` draws the selector and sets
the language every word of this script run is said in (srgvhd.i18n.set_language).
"""

from __future__ import annotations

import streamlit as st

from srgvhd.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, set_language
from srgvhd.i18n.language import language_of

QUERY_KEY = "lang"
WIDGET_KEY = "ui_language"
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


def choose_language() -> str:
    """Draw the language selector in the sidebar, keep the choice in the address and speak it
    for the rest of this run."""
    in_address = st.query_params.get(QUERY_KEY)
    chosen = st.session_state.get(WIDGET_KEY)
    lang = pick_language(chosen, in_address, st.context.locale)
    if chosen != lang:
        st.session_state[WIDGET_KEY] = lang
    st.sidebar.selectbox(
        SELECTOR_LABEL, LANGUAGES, format_func=LANGUAGE_NAMES.__getitem__, key=WIDGET_KEY
    )
    lang = st.session_state[WIDGET_KEY]
    if in_address != lang:
        st.query_params[QUERY_KEY] = lang
    set_language(lang)
    return lang
