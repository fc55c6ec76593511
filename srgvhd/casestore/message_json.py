"""A stored sentence that can be said again in another language: a ``srgvhd.i18n.Msg`` kept as
JSON beside its English text (the ward list's next action, ``case_versions.next_action_msg``).

Why both: the English text (``next_action``) is the ``cases list --json`` contract and what the
CLI prints; it cannot be translated once written, because it embeds the engine's waiting reason
("decision on day 7 (upper GI not measured on day 7)"). The template and its values — nested
``Msg`` and ``Listed`` values included — let the Ward page say the same sentence in the
clinician's language (``current().text``) without re-running the engine on every list.

What is read back from the database is untrusted: :func:`message_from_json` reads it with the
bounded, strict reader (``srgvhd.jsontext.read_json``: size, depth, duplicate keys), accepts
only the shapes :func:`message_json` writes, and only templates whose placeholders are plain
names (no attribute or index look-up, conversion or format spec, so ``str.format`` can reach
nothing but the values given). The message must say exactly the stored English text; anything
else gives that text back unchanged, as plain English.
"""

from __future__ import annotations

import json
import string
from datetime import date
from typing import Any

from srgvhd.errors import InputError
from srgvhd.i18n import Listed, Msg
from srgvhd.i18n.message import LIST_STYLES
from srgvhd.jsontext import read_json

MAX_MESSAGE_BYTES = 4_000
MAX_ITEMS = 20  # items of one list (organs, findings) and values of one message


def message_json(message: str) -> str | None:
    """``message`` as compact JSON (None for text that is not a ``Msg``)."""
    if not isinstance(message, Msg):
        return None
    return json.dumps(_encoded(message), ensure_ascii=False, separators=(",", ":"))


def _encoded(value: Any) -> Any:
    if isinstance(value, Msg):
        params = {k: _encoded(v) for k, v in value.params.items()}
        return {"template": value.template, "params": params}
    if isinstance(value, Listed):
        return {"items": [_encoded(item) for item in value.items], "style": value.style}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, bool) or value is None:
        return str(value)  # written as the English text says it ("None", "True")
    if isinstance(value, int | float):
        return value
    return str(value)


def message_from_json(text: str | None, english: str) -> str:
    """The stored message as a ``Msg`` that says ``english``; ``english`` itself (a plain
    string) when ``text`` is absent, malformed, of another shape, or says something else."""
    if not text:
        return english
    try:
        data = read_json(text, where="next_action_msg", max_bytes=MAX_MESSAGE_BYTES)
        message = _decoded(data)
    except (InputError, ValueError, TypeError):
        return english
    if not isinstance(message, Msg) or str(message) != english:
        return english
    return message


def _decoded(value: Any) -> Any:
    """One encoded value back (depth bounded by ``read_json``); ``ValueError`` on any other
    shape."""
    if isinstance(value, bool) or value is None:
        raise ValueError("not a message value")
    if isinstance(value, str | int | float):
        return value
    if not isinstance(value, dict):
        raise ValueError("not a message value")
    if set(value) == {"template", "params"}:
        template, params = value["template"], value["params"]
        if not isinstance(template, str) or not isinstance(params, dict):
            raise ValueError("not a message")
        if len(params) > MAX_ITEMS or set(params) != _placeholders(template):
            raise ValueError("placeholders and values differ")
        return Msg(template, **{k: _decoded(v) for k, v in params.items()})
    if set(value) == {"items", "style"}:
        items, style = value["items"], value["style"]
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise ValueError("not a list")
        if style not in LIST_STYLES:
            raise ValueError("unknown list style")
        decoded = [_decoded(item) for item in items]
        if not all(isinstance(item, str) for item in decoded):
            raise ValueError("a list holds words")
        return Listed(decoded, style)
    if set(value) == {"date"} and isinstance(value["date"], str):
        return date.fromisoformat(value["date"])
    raise ValueError("not a message value")


def _placeholders(template: str) -> set[str]:
    """The template's placeholder names; ``ValueError`` for anything but plain ``{name}``."""
    names = set()
    for _literal, field, spec, conversion in string.Formatter().parse(template):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError("a placeholder must be a plain name")
        names.add(field)
    return names
