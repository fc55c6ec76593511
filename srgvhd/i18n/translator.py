"""Translators: a language's gettext catalogue plus its number, percent, date and list
formats (Babel, CLDR data). No Streamlit: the CLI, the report layer and the app use the same.

``_("Decision point day {day}", day=7)`` says a whole message, with named placeholders, in the
current language (``using(lang)`` sets it for a block; English otherwise). Message ids are the
English text; English has no catalogue and shows the ids.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import get_decimal_symbol, get_minus_sign_symbol

from srgvhd.i18n.language import BABEL_LOCALES, DEFAULT_LANGUAGE, LANGUAGES, UnknownLanguage
from srgvhd.i18n.message import Listed, Msg

DOMAIN = "srgvhd"
LOCALE_DIR = Path(__file__).parent / "locale"
# Babel's standard date format per language: the locale's order with a four-digit year
# (de 06.12.2026, fr 06/12/2026, zh 2026/12/6). English keeps ISO 8601 (2026-12-06).
DATE_FORMATS = {"de": "medium", "fr": "short", "zh": "short"}
UNIT_SEPARATORS = {"zh": "、"}  # an enumeration (day 3: liver、day 7: skin); others ", "
CLAUSE_SEPARATORS = {"zh": "；", "fr": " ; "}  # whole clauses; others "; "


class Translator:
    """One language's words and formats."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise UnknownLanguage(lang)
        self.lang = lang
        self.locale = Locale.parse(BABEL_LOCALES[lang])
        if lang == DEFAULT_LANGUAGE:
            self._catalogue: gettext.NullTranslations = gettext.NullTranslations()
        else:
            with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as handle:
                self._catalogue = gettext.GNUTranslations(handle)
        self._decimal = get_decimal_symbol(self.locale)
        self.decimal_sign = self._decimal  # "," in German and French, "." in English and Chinese
        self._minus = get_minus_sign_symbol(self.locale)

    # --- words ----------------------------------------------------------------------------
    def __call__(self, message: str, **params: Any) -> str:
        """``message`` (an English message id) in this language, placeholders filled in with
        this language's numbers and dates."""
        said = self._catalogue.gettext(message)
        return said.format(**{k: self.value(v) for k, v in params.items()}) if params else said

    def pgettext(self, context: str, message: str, **params: Any) -> str:
        """``message`` in ``context`` (marked with ``NP_``) in this language."""
        said = self._catalogue.pgettext(context, message)
        return said.format(**{k: self.value(v) for k, v in params.items()}) if params else said

    def plural(self, singular: str, plural: str, n: int, **params: Any) -> str:
        """The singular or plural form for ``n`` (passed to the message as ``n``)."""
        said = self._catalogue.ngettext(singular, plural, n)
        return said.format(n=n, **{k: self.value(v) for k, v in params.items()})

    def text(self, value: str) -> str:
        """Engine text in this language: a ``Msg`` by its template, a ``Listed`` joined the
        language's way, any other string by its catalogue entry when it has one (else as is)."""
        if isinstance(value, Msg):
            return self(value.template, **value.params)
        if isinstance(value, Listed):
            return self.listed(value.items, value.style)
        return self._catalogue.gettext(value) if value else value

    def listed(self, items: tuple[str, ...] | list[str], style: str = "standard") -> str:
        """Words joined as a list ("skin, liver and lower GI"; "Haut, Leber und oberer GIT")."""
        words = [self.text(item) for item in items]
        if self.lang == DEFAULT_LANGUAGE or len(words) < 2:
            return str(Listed(words, style))
        if style == "semicolon":
            return CLAUSE_SEPARATORS.get(self.lang, "; ").join(words)
        if style == "unit":  # a plain enumeration; CLDR's unit lists are not complete for all
            return UNIT_SEPARATORS.get(self.lang, ", ").join(words)
        return format_list(words, style="standard" if style == "and" else style, locale=self.locale)

    def value(self, value: Any) -> str:
        """A placeholder's value: translated text, a number or a date in this language."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bool) or isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return self.number(value)
        if isinstance(value, date):
            return self.date(value)
        return str(value)

    # --- numbers and dates ----------------------------------------------------------------
    def number(self, value: float, spec: str = "g") -> str:
        """A number with this language's decimal sign, every digit kept (``f"{value:{spec}}"``
        then the sign: German and French 2,5; English and Chinese 2.5). No grouping, so a
        printed value never reads as the ambiguous "1.600"."""
        text = format(float(value), spec) if isinstance(value, float) else format(value, spec)
        if self.lang == DEFAULT_LANGUAGE or "e" in text or "inf" in text or "nan" in text:
            return text
        return text.replace(".", self._decimal)

    def percent(self, value: float, digits: int = 0) -> str:
        """A probability as a percentage in this language's way ("70%", "70 %")."""
        number = self.number(100 * value, f".{digits}f")
        pattern = self.locale.percent_formats[None].pattern
        return pattern.replace("#,##0", number)

    def date(self, when: date) -> str:
        """A date in this language's order with a four-digit year; ISO in English."""
        if self.lang == DEFAULT_LANGUAGE:
            return when.isoformat()
        return format_date(when, DATE_FORMATS[self.lang], locale=self.locale)


@cache
def translator(lang: str = DEFAULT_LANGUAGE) -> Translator:
    """The translator of ``lang`` (one of ``LANGUAGES``; ``UnknownLanguage`` otherwise),
    loaded once per process."""
    return Translator(lang)


_CURRENT: ContextVar[Translator | None] = ContextVar("srgvhd_language", default=None)


def current() -> Translator:
    """The translator in use here (``using``), else English."""
    return _CURRENT.get() or translator(DEFAULT_LANGUAGE)


@contextmanager
def using(lang: str) -> Iterator[Translator]:
    """Speak ``lang`` inside the block (the CLI around its output, the PDF builder)."""
    token = _CURRENT.set(translator(lang))
    try:
        yield _CURRENT.get() or translator(lang)
    finally:
        _CURRENT.reset(token)


def set_language(lang: str) -> Translator:
    """Speak ``lang`` from now on in this context (a Streamlit script run sets it first)."""
    tr = translator(lang)
    _CURRENT.set(tr)
    return tr


def _(message: str, **params: Any) -> str:
    """``message`` in the current language with its placeholders filled in."""
    return current()(message, **params)


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    """The singular or plural message for ``n`` in the current language."""
    return current().plural(singular, plural, n, **params)
