"""Reading what a clinician typed into one field: numbers and dates as text, never guessed.

Pure functions, no Streamlit. Each returns the value, ``None`` for a blank field ("not
measured": clinical-rules.md §7 — a blank is never zero), or raises ``FieldError`` with a
message in the clinician's words naming the field, its unit and its allowed range.

- Numbers: a decimal point or a decimal comma ("1.5" and "1,5" are both 1.5; "1,5"
  must never become 15). A comma followed by exactly three digits ("1,500") could be a thousands
  separator or a decimal comma, and so could a dot after a non-zero whole part ("1.600" is 1600
  on a German keyboard, 1.6 on an English one): both are refused rather than guessed. Nothing
  is rounded or clamped: the range is checked by the case parser (srgvhd.clinical.case.LIMITS).
  In a language of the app (``lang``), a number written with that locale's grouping ("1 234,5"
  in French, "1.234,5" in German) is read by Babel's strict parser, never its lenient one
  (which reads German "1.5" as 15); the ambiguity rule above is asked first, in every language.
- Dates: one format, YYYY-MM-DD, or a day of the steroid course ("day 7", "d7", day 0 = the
  steroid start, clinical-rules.md §5). Impossible dates (2026-02-31) are refused, never moved.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import Decimal

from srgvhd.i18n import Verbatim, _, current

NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")
AMBIGUOUS_COMMA = re.compile(r"^[+-]?\d{1,3},\d{3}$")
AMBIGUOUS_DOT = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# What Babel's strict parser is given: ASCII digits, a sign, and the separators of a locale
# (point, comma, apostrophe, spaces); never an exponent or other digits.
LOCALE_NUMBER = re.compile(r"^[+\-\u2212]?[0-9][0-9.,'\u00a0\u202f ]*$")
# "day 7" / "d7" in every language, and each language's own way: German "Tag 7", French
# "J7" / "jour 7", Chinese "第7天".
DAY_NUMBER = re.compile(
    r"^(?:(?:day|d|tag|jour|j)\s*\+?\s*(\d{1,4})|第\s*(\d{1,4})\s*天)$", re.IGNORECASE
)
SHOWN_CHARS = 24  # a refused text is echoed in the message up to this length


class FieldError(ValueError):
    """A typed value that cannot be read; ``str()`` is the message to show beside the field."""


def number_text(value: float | int | None) -> str:
    """A number as the form shows it: "" for not measured, "42" for 42.0, "1.5" for 1.5;
    "2.1250" for 2.125 (a trailing zero, so that the text does not read as the ambiguous
    "2.125", which ``parse_number`` refuses). In German and French (the current language,
    srgvhd.i18n) with a decimal comma: "1,5", "2,1250"; every language reads both back."""
    if value is None:
        return ""
    number = float(value)
    text = str(int(number)) if number.is_integer() else repr(number)
    text = text + "0" if AMBIGUOUS_DOT.match(text) else text
    return text if "e" in text else text.replace(".", current().decimal_sign)


def range_words(low: float, high: float, unit: str, *, low_inclusive: bool = True) -> str:
    """An allowed range in words: "0–100 % BSA", "more than 0, at most 300 kg"."""
    low_text, high_text = number_text(low), number_text(high)
    if low_inclusive:
        if unit:
            return _("{low}–{high} {unit}", low=low_text, high=high_text, unit=unit)
        return _("{low}–{high}", low=low_text, high=high_text)
    if unit:
        return _("more than {low}, at most {high} {unit}", low=low_text, high=high_text, unit=unit)
    return _("more than {low}, at most {high}", low=low_text, high=high_text)


def _month_name(month: int) -> str:
    """A month's name in the current language ("February", "Februar", "février", "二月")."""
    from babel.dates import get_month_names

    if current().lang == "en":
        return calendar.month_name[month]
    return get_month_names("wide", locale=current().locale)[month]


def _shown(text: str) -> str:
    """The typed text as a message echoes it: at most ``SHOWN_CHARS`` characters."""
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def parse_number(
    text: str | None,
    label: str,
    allowed: str = "",
    high: float | None = None,
    lang: str | None = None,
) -> float | int | None:
    """The number typed in a field labelled ``label``; ``allowed`` (e.g. "0–100 % BSA") is
    added to the message when the text is not a number. ``high``, the field's largest allowed
    value: a thousands reading above it is no reading, so "7.779" in a bilirubin field (at most
    100 mg/dL) is 7.779, not ambiguous. ``lang`` (en, zh, de, fr): also read that locale's
    grouped numbers, strictly."""
    text = (text or "").strip()
    if not text:
        return None
    if AMBIGUOUS_COMMA.match(text) or AMBIGUOUS_DOT.match(text):
        whole = text.replace(",", "").replace(".", "")
        if high is None or abs(int(whole)) <= high:
            # the decimal reading as this language writes it (1.600 in English, 1,600 in German)
            decimal = text.replace(",", ".").replace(".", current().decimal_sign)
            said = dict(
                label=label, text=Verbatim(text), whole=whole, decimal=decimal, allowed=allowed
            )
            raise FieldError(
                _(
                    "{label}: “{text}” could mean {whole} or {decimal}; type {whole}, or the "
                    "decimal with another digit ({decimal}0). Allowed: {allowed}.",
                    **said,
                )
                if allowed
                else _(
                    "{label}: “{text}” could mean {whole} or {decimal}; type {whole}, or the "
                    "decimal with another digit ({decimal}0).",
                    **said,
                )
            )
    if not NUMBER.match(text):
        grouped = _locale_number(text, lang)
        if grouped is not None:
            return int(grouped) if grouped == grouped.to_integral_value() else float(grouped)
        said = dict(label=label, text=Verbatim(_shown(text)), allowed=allowed)
        raise FieldError(
            _(
                "{label}: “{text}” is not a number; type digits with one decimal point or "
                "comma (e.g. 1.5 or 1,5). Allowed: {allowed}.",
                **said,
            )
            if allowed
            else _(
                "{label}: “{text}” is not a number; type digits with one decimal point or "
                "comma (e.g. 1.5 or 1,5).",
                **said,
            )
        )
    number = float(text.replace(",", "."))
    return int(number) if number.is_integer() else number


def _locale_number(text: str, lang: str | None) -> Decimal | None:
    """``text`` read by Babel's strict parser in ``lang``'s locale (grouping as the locale
    writes it), or None when it is not such a number."""
    if lang is None or not LOCALE_NUMBER.match(text):
        return None
    from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal

    from srgvhd.i18n.language import BABEL_LOCALES

    locale = BABEL_LOCALES.get(lang)
    if locale is None:
        return None
    text = text.replace("\u2212", "-")
    group = get_group_symbol(locale)
    if group.isspace():  # French groups with a narrow no-break space; a typed space is that
        text = re.sub("[ \u00a0\u202f]", group, text)
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        return None


def parse_date(
    text: str | None, label: str, start: date | None = None, *, is_start: bool = False
) -> date | None:
    """The date typed in a field labelled ``label``: YYYY-MM-DD, or "day N" counted from the
    steroid start ``start`` (day 0). ``start`` None refuses day numbers (a start date not
    entered yet); ``is_start``: this is the start date itself, day 0, always a calendar date."""
    text = (text or "").strip()
    if not text:
        return None
    day = DAY_NUMBER.match(text)
    if day:
        if is_start:
            raise FieldError(
                _(
                    "{label}: “{text}” is a day of the course, counted from this date; "
                    "type the steroid start date as YYYY-MM-DD.",
                    label=label,
                    text=Verbatim(_shown(text)),
                )
            )
        if start is None:
            raise FieldError(
                _(
                    "{label}: “{text}” is a day of the course; enter the steroid start "
                    "date (day 0) first, or type the date as YYYY-MM-DD.",
                    label=label,
                    text=Verbatim(_shown(text)),
                )
            )
        try:
            return start + timedelta(days=int(day.group(1) or day.group(2)))
        except OverflowError:
            raise FieldError(
                _(
                    "{label}: “{text}” falls after the year 9999.",
                    label=label,
                    text=Verbatim(_shown(text)),
                )
            ) from None
    iso = ISO_DATE.match(text)
    if not iso:
        raise FieldError(
            _(
                "{label}: “{text}” is not a date; write it as YYYY-MM-DD (e.g. 2026-11-02) or as "
                "a day of the course (day 7).",
                label=label,
                text=Verbatim(_shown(text)),
            )
        )
    year, month, day_of_month = (int(part) for part in iso.groups())
    if not 1 <= month <= 12:
        raise FieldError(
            _(
                "{label}: {text} is not a real date (there is no month {month}).",
                label=label,
                text=Verbatim(text),
                month=str(month),
            )
        )
    if not 1 <= year:
        raise FieldError(
            _(
                "{label}: {text} is not a real date (year {year}).",
                label=label,
                text=Verbatim(text),
                year=str(year),
            )
        )
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day_of_month <= last:
        raise FieldError(
            _(
                "{label}: {text} is not a real date ({month} {year} has {last} days).",
                label=label,
                text=Verbatim(text),
                month=_month_name(month),
                year=str(year),
                last=str(last),
            )
        )
    return date(year, month, day_of_month)
