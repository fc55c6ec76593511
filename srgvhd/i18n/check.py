"""What a complete catalogue means: every marked message translated in every language, the
same named placeholders in the translation as in the English id, and the ``.mo`` compiled from
the ``.po`` as it stands."""

from __future__ import annotations

import string

from srgvhd.i18n.catalogues import TRANSLATED, compiled, mo_path, read, template


def placeholders(text: str) -> set[str]:
    """The named placeholders of a message (``{day}`` → ``day``); a positional or format-spec
    placeholder is reported as itself so that it shows up as a difference."""
    found = set()
    for _literal, field, spec, conversion in string.Formatter().parse(text):
        if field is not None:
            found.add(
                field + (f":{spec}" if spec else "") + (f"!{conversion}" if conversion else "")
            )
    return found


def _forms(value: object) -> tuple[str, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(str(v) for v in value)
    return (str(value),) if value else ()


def problems() -> list[str]:
    """One line per missing, untranslated, fuzzy or mismatched message, or stale ``.mo``."""
    out = []
    wanted = template()
    for lang in TRANSLATED:
        catalog = read(lang)
        for message in wanted:
            if not message.id:
                continue
            ids = _forms(message.id)
            entry = catalog.get(message.id, context=message.context)
            if entry is None:
                out.append(f"{lang}: missing {ids[0]!r}")
                continue
            said = _forms(entry.string)
            if not said or not all(said) or entry.fuzzy:
                out.append(f"{lang}: not translated {ids[0]!r}")
                continue
            expected = set().union(*(placeholders(i) for i in ids))
            for form in said:
                if placeholders(form) != expected:
                    out.append(
                        f"{lang}: placeholders {sorted(placeholders(form))} in {form!r} differ "
                        f"from {sorted(expected)} in {ids[0]!r}"
                    )
        if not mo_path(lang).exists() or mo_path(lang).read_bytes() != compiled(lang):
            out.append(f"{lang}: {mo_path(lang).name} is not compiled from the .po as it stands")
    return out
