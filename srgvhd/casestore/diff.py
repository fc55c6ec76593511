"""Field-level differences between two versions of a case file (the store's history).

Documents are flattened to ``path -> value``; lists of dated objects (assessments, dose changes,
labs) are keyed by their date, so inserting an assessment shows as that one assessment added
rather than every later one changed.
"""

from __future__ import annotations

from typing import Any

ABSENT = "(absent)"


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """``{"patient.age_years": 42, "assessments[2026-11-01].stages.skin": 1, …}``."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list) and value and all(_dated(item) for item in value):
        out = {}
        for item in value:
            rest = {k: v for k, v in item.items() if k != "date"}
            out.update(flatten(rest, f"{path}[{item['date']}]") or {f"{path}[{item['date']}]": {}})
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{path}[{index}]"))
        return out
    return {path: value}


def _dated(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("date"), str)


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Every field whose value differs: ``{"field", "before", "after"}``, in field order.

    A field present in only one version shows ``"(absent)"`` on the other side.
    """
    old, new = flatten(before), flatten(after)
    fields = list(old) + [f for f in new if f not in old]
    return [
        {"field": f, "before": old.get(f, ABSENT), "after": new.get(f, ABSENT)}
        for f in sorted(fields)
        if old.get(f, ABSENT) != new.get(f, ABSENT)
    ]
