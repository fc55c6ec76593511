"""The app's four languages: English, 简体中文, Deutsch, Français (interfaces.md §10).

gettext catalogues (``locale/<lang>/LC_MESSAGES/srgvhd.po``, compiled to ``.mo`` by
``python -m srgvhd.i18n.catalogues compile``) hold whole messages with named placeholders; the
English text is the message id. Clinical terms follow each language's literature
(docs/glossary.md). Clinical values in files and ``--json`` stay English.
"""

from srgvhd.i18n.language import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    UnknownLanguage,
    resolve_language,
)
from srgvhd.i18n.message import N_, NP_, Listed, Msg, Verbatim, problems_message
from srgvhd.i18n.translator import Translator, _, current, ngettext, set_language, translator, using

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "Listed",
    "Msg",
    "N_",
    "NP_",
    "Translator",
    "UnknownLanguage",
    "Verbatim",
    "_",
    "current",
    "ngettext",
    "problems_message",
    "resolve_language",
    "set_language",
    "translator",
    "using",
]
