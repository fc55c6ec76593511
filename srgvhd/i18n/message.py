"""Engine text that can be said in another language: an English ``str`` that keeps its
template and values.

The clinical engine's notes, warnings and reasons are English (they are the ``--json``
contract, interfaces.md §2) and stay plain strings for every reader; a renderer that speaks
another language asks ``srgvhd.i18n.Translator.text`` for them, which translates the whole
template (a gettext message id with named ``{placeholders}``) and then fills in the values.
Nothing here imports anything but the standard library, so the engine can use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any


def english_value(value: Any) -> str:
    """A placeholder's value in the engine's English: ``1.5`` (never ``1.50000``), ISO dates."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Msg(str):
    """``Msg("day {day}: {organs} not measured", day=3, organs="liver")`` is the string
    ``"day 3: liver not measured"`` that also remembers ``template`` and ``params``.

    Templates are whole messages with named placeholders only (no format specs), so a
    translation can reorder them; values may themselves be ``Msg`` or ``Listed``.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Msg:
        text = template.format(**{k: english_value(v) for k, v in params.items()})
        self = super().__new__(cls, text)
        self.template = template
        self.params = params
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:  # pickling keeps both
        return (self.template,), self.params


class Verbatim:
    """A placeholder value said as it is, in every language: typed text, a record's ids and
    values (a translator looks a plain string value up in its catalogue: a typed "no" must not
    be shown as "nein")."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


LIST_STYLES = ("standard", "unit", "and", "semicolon")


class Listed(str):
    """A list of words for a sentence; each language joins it in its own way (Babel's
    ``format_list``): ``style="standard"`` "liver and lower GI", ``"unit"`` "day 3, day 7",
    ``"and"`` "a and b and c" (other languages join it as "standard"), ``"semicolon"``
    "problem one; problem two" (whole clauses, e.g. several refusals)."""

    items: tuple[str, ...]
    style: str

    def __new__(cls, items: Sequence[str], style: str = "standard") -> Listed:
        items = tuple(items)
        if style not in LIST_STYLES:
            raise ValueError(f"unknown list style {style!r}")
        if style == "semicolon":
            text = "; ".join(items)
        elif style == "unit" or len(items) < 2:
            text = ", ".join(items)
        elif style == "and":  # "a and b and c": English joins every item with "and"
            text = " and ".join(items)
        else:
            text = ", ".join(items[:-1]) + " and " + items[-1]
        self = super().__new__(cls, text)
        self.items = items
        self.style = style
        return self

    def __getnewargs__(self) -> tuple[tuple[str, ...], str]:
        return (self.items, self.style)


def problems_message(problems: Iterable[Any]) -> Listed:
    """An input's problems (``srgvhd.errors.Problem``: ``where``, ``what``) as one text whose
    English is ``str(InputError)`` ("where: what; where: what") and which each language says
    its own way (its colon, its clause separator; a ``Msg`` part by its template)."""
    return Listed(
        [Msg("{where}: {what}", where=p.where, what=p.what) for p in problems], "semicolon"
    )


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark ``message`` for the catalogues without translating it here (it is translated where
    it is shown, with ``_(CONSTANT)``)."""
    return message


def NP_(context: str, message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` in ``context`` (the same English word meaning different things, e.g.
    Minnesota "high" risk and a "high" MAP) for the catalogues; translated with
    ``Translator.pgettext``."""
    return message
