"""Which language to speak: an explicit choice (``--lang``, the app's selector), else the
environment's locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, in gettext's order),
else English (interfaces.md §10)."""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("en", "zh", "de", "fr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文", "de": "Deutsch", "fr": "Français"}
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# The Babel locale of each language: numbers, dates and list words (Simplified Chinese).
BABEL_LOCALES = {"en": "en", "zh": "zh_Hans_CN", "de": "de_DE", "fr": "fr_FR"}


class UnknownLanguage(ValueError):
    """An explicitly asked language that the app does not speak."""

    def __init__(self, asked: str) -> None:
        super().__init__(
            f"--lang: {asked!r} is not a language of this app; use one of {', '.join(LANGUAGES)}"
        )


def language_of(tag: str) -> str | None:
    """The app's language for a locale name or language tag (``de_DE.UTF-8``, ``zh-CN``,
    ``fr``), or None when it speaks none of it (``C``, ``POSIX``, ``ja_JP``). Any Chinese tag
    gets Simplified Chinese, the only Chinese of the app."""
    base = tag.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else None


def environment_language(environ: Mapping[str, str] | None = None) -> str | None:
    """The first language the environment's locale variables name that the app speaks
    (``LANGUAGE`` may list several, ``de:fr``), or None."""
    environ = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "").strip()
        if not value:
            continue
        for tag in value.split(":") if variable == "LANGUAGE" else (value,):
            found = language_of(tag) if tag else None
            if found:
                return found
        if variable != "LANGUAGE":
            return None  # a set LC_ALL / LC_MESSAGES / LANG decides, even when it is C
    return None


def resolve_language(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``explicit`` when given (one of ``LANGUAGES``, or a tag of one such as ``de-DE`` or
    ``zh_CN``: else ``UnknownLanguage``), else the environment's language, else English."""
    if explicit is not None:
        found = language_of(explicit) if explicit.strip() else None
        if found is None:
            raise UnknownLanguage(explicit)
        return found
    return environment_language(environ) or DEFAULT_LANGUAGE
