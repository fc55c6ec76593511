"""JSON from outside the program — case files, model cards, the active-model pointer, audit lines —
read with bounds, and strings made safe to display.

``read_json`` is the one reader every case-file path uses (the app's Open case, ``srgvhd assess``,
``srgvhd cases save``) and the model store uses for its cards. It refuses, naming the problem:

- text over ``max_bytes`` (checked before decoding or parsing);
- bytes that are not UTF-8, text that is not JSON;
- nesting deeper than ``MAX_DEPTH`` — Python's parser gives up with ``RecursionError`` near 1,000
  levels, and a structure just under that would break any recursive code after it; the depth is
  checked with an explicit stack, so the check itself cannot recurse;
- a key twice in one object (JSON leaves open which one counts; Python silently kept the last:
  ``age_years`` 42 then 7 became 7);
- an escaped lone surrogate (``\\ud800``): valid JSON, but no text — it cannot be encoded,
  printed or stored.

``display_safe`` turns every string of a decoded value (keys too) into text safe to show on a
terminal or a page: control characters (terminal escape sequences among them) and bidirectional
overrides become U+FFFD. Used on model cards and the audit log, which are shown, not computed with;
a case file's values are refused or kept as typed, never rewritten.
"""

from __future__ import annotations

import json
import re
from typing import Any

from srgvhd.errors import InputError, Problem
from srgvhd.i18n import Msg

MAX_DEPTH = 32
# C0 and C1 controls except tab and newline, and the bidirectional embedding/override/isolate
# characters that can make displayed text read differently from what it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        stack.extend((child, level + 1) for child in children)
    return deepest


def _too_deep() -> Msg:
    return Msg("nested more than {levels} levels deep", levels=MAX_DEPTH)


def read_json(text: str | bytes, *, where: str = "file", max_bytes: int) -> Any:
    """Decode ``text`` (bytes as UTF-8, a BOM allowed) as JSON within the bounds in the module
    docstring; ``InputError`` with one problem at ``where`` otherwise."""
    if len(text) > max_bytes:
        raise InputError(Problem(where, Msg("larger than {size} kB", size=max_bytes // 1000)))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(Problem(where, Msg("not UTF-8 text"))) from None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise InputError(
            Problem(
                where,
                Msg(
                    "the key {key} appears twice in one object",
                    key=json.dumps(display_text(exc.key)),
                ),
            )
        ) from None
    except RecursionError:
        raise InputError(Problem(where, _too_deep())) from None
    except ValueError as exc:
        raise InputError(
            Problem(where, Msg("not valid JSON ({detail})", detail=display_text(str(exc))))
        ) from None
    if depth(data) > MAX_DEPTH:
        raise InputError(Problem(where, _too_deep()))
    if _SURROGATE.search(text) or "\\u" in text and _has_surrogate(data):
        raise InputError(
            Problem(where, Msg("contains an escaped character that is not text (a lone surrogate)"))
        )
    return data


def _has_surrogate(data: Any) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def display_text(text: str) -> str:
    """``text`` with lone surrogates, control characters and bidirectional overrides replaced by
    U+FFFD: safe to print on a terminal or draw on a page."""
    return _UNSAFE.sub(REPLACEMENT, _SURROGATE.sub(REPLACEMENT, text))


def escaped_text(text: str) -> str:
    """``text`` for a terminal, every character ``display_text`` would replace written as its
    escape instead (``\\u001b``), so the reader sees what the data holds and the terminal runs
    none of it (``srgvhd cases history``)."""

    def escape(match: re.Match[str]) -> str:
        return f"\\u{ord(match.group(0)):04x}"

    return _UNSAFE.sub(escape, _SURROGATE.sub(escape, text.replace("\n", "\\n")))


def display_safe(value: Any) -> Any:
    """``value`` with every string (object keys too) passed through ``display_text``. Call it on
    what ``read_json`` returned: its depth is bounded, so this recursion is too."""
    if isinstance(value, str):
        return display_text(value)
    if isinstance(value, dict):
        return {display_text(str(k)): display_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [display_safe(v) for v in value]
    return value
