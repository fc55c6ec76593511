"""Keep the gettext catalogues in step with the code (Babel's own extract / update / compile).

``python -m srgvhd.i18n.catalogues update``: extract every marked message (``_``, ``N_``,
``Msg``, ``ngettext``) from ``srgvhd/`` and ``views/`` and ``app.py`` into each language's
``.po`` (new ones untranslated, vanished ones dropped). ``compile``: write the ``.mo`` files
the app reads. ``check``: what tests/test_i18n_catalogues.py asserts, as a report.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from srgvhd.i18n.language import BABEL_LOCALES, DEFAULT_LANGUAGE, LANGUAGES
from srgvhd.i18n.translator import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None,
    "N_": None,
    "Msg": None,
    "ngettext": (1, 2),
    "NP_": ((1, "c"), 2),
    "pgettext": ((1, "c"), 2),
}
SOURCES = ("srgvhd", "views", "app.py")
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _extracted(root: Path = ROOT) -> Iterator[tuple[str, int, object, list[str], str | None]]:
    for source in SOURCES:
        path = root / source
        if path.is_dir():
            for filename, lineno, message, comments, context in extract_from_dir(
                path, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
            ):
                yield f"{source}/{filename}", lineno, message, comments, context
        elif path.is_file():
            from babel.messages.extract import extract_from_file

            for lineno, message, comments, context in extract_from_file(
                "python", path, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
            ):
                yield source, lineno, message, comments, context


def template(root: Path = ROOT) -> Catalog:
    """Every message the code marks, with where it is used."""
    catalog = Catalog(domain=DOMAIN, project="srgvhd", charset="utf-8")
    for filename, lineno, message, comments, context in _extracted(root):
        catalog.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            flags=("python-brace-format",) if "{" in str(message) else (),
            context=context,
        )
    return catalog


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=BABEL_LOCALES[lang], domain=DOMAIN)


def update() -> None:
    """Merge the extracted messages into each language's ``.po`` (keeping translations)."""
    pot = template()
    for lang in TRANSLATED:
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read(lang)
            catalog.update(pot, no_fuzzy_matching=True)
            catalog.obsolete.clear()
        else:
            catalog = Catalog(locale=BABEL_LOCALES[lang], domain=DOMAIN, project="srgvhd")
            catalog.update(pot, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=False)


def compiled(lang: str) -> bytes:
    """The ``.mo`` bytes of a language's ``.po``."""
    out = io.BytesIO()
    write_mo(out, read(lang), use_fuzzy=False)
    return out.getvalue()


def compile_all() -> None:
    for lang in TRANSLATED:
        mo_path(lang).write_bytes(compiled(lang))


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    else:
        from srgvhd.i18n.check import problems

        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
