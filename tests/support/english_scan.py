"""Find English left in what ``srgvhd assess --lang zh|de|fr`` prints (the table and the PDF's
text): the scan behind tests/test_no_english_left.py.

The English vocabulary is every word of four letters or more in the catalogue's English message
ids (the app's own sentences) and in the English output of the same case (which also holds the
engine's sentences that never reach the catalogue). A word of that vocabulary found in the
German or French output is English left over, unless the language writes it the same way or it
is a name, unit or abbreviation: those are in ``ALLOWED``, a short list read by a person, one
reason per group. Chinese writes no Latin words of its own, so in Chinese every Latin word of
four letters or more counts unless ``ALLOWED["zh"]`` names it.

Before the scan, what a file or the model calls by a fixed English name is taken out: JSON field
paths (``second_line.infusions[2].dose_10e6_cells_per_kg``), the file format (``srgvhd-case/1``),
file paths and model version ids — interfaces.md keeps those English in every language.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "srgvhd" / "i18n" / "locale" / "de" / "LC_MESSAGES" / "srgvhd.po"

# Names any language writes as English does: the app, drugs, trials and scores, and the
# authors and journals of the sources the app cites (some are English words too: "Blood",
# "Major", "Link"; a sentence left in English still shows through its other words).
_NAMES = {
    "srgvhd",
    "ruxolitinib",
    "vedolizumab",
    "reach",
    "magic",
    "minnesota",
    "easix",
    "ebmt",
    "cibmtr",
    "gvhd",
    "agvhd",
    "vgpr",
    "task",
    "force",  # EBMT–NIH–CIBMTR Task Force
    "niu",
    "leuk",
    "lymphoma",
    "zeiser",
    "nejm",
    "schoemans",
    "inamoto",
    "haematologica",
    "srinagesh",
    "blood",
    "major",
    "monfried",
    "luft",
    "macmillan",
    "lancet",
    "haematol",
    "breslow",
    "tsiatis",
    "link",
    "ctype",  # R's survfit.coxph(ctype = 1), quoted as code
    "adv",  # Blood Adv
    # abbreviations and symbols written the same way in every language
    "iii",
    "ldh",
    "auc",
    "bsa",
    "orr",
    "cox",
    "log",
    "map",
    "reg",
    "msc",
    "nih",
    "pdf",
    "sha",
    "utc",
    "mol",  # µmol/L (µ is not a Latin letter)
    "doi",
}

ALLOWED: dict[str, frozenset[str]] = {
    # German words spelt as the English one (German capitalises them; compared in lower case)
    "de": frozenset(
        _NAMES
        | {
            "hazard",
            "ratio",
            "standard",
            "progression",
            "infusion",
            "infusionen",
            "organ",
            "organs",
            "grade",
            "ileus",
            "bilirubin",
            "patient",
            "falls",
            "band",
            "maximum",
            "delta",
            "bedside",
            "scores",
            "score",
            "steroid",
            "serum",
            "desquamation",
            "name",
            "arm",
            "app",
        }
    ),
    # French words spelt as the English one
    "fr": frozenset(
        _NAMES
        | {
            "hazard",
            "ratio",
            "standard",
            "progression",
            "infusion",
            "infusions",
            "grade",
            "grades",
            "volume",
            "dose",
            "doses",
            "convention",
            "source",
            "sources",
            "notes",
            "note",
            "signature",
            "verdict",
            "point",
            "chose",
            "case",
            "scores",
            "score",
            "variance",
            "delta",
            "issue",
            "coefficients",
            "date",
            "patient",
            "patients",
            "transfusion",
            "comparable",
            "desquamation",
            "code",
            "initial",
            "maximum",
            "non",
            "sans",
            "estimation",
            "global",
        }
    ),
    # Chinese writes no Latin word of its own: only names
    "zh": frozenset(_NAMES | {"delta"}),  # the delta method: 基于…的 delta 法
}

_FIXED_NAMES = re.compile(
    r"[A-Za-z_][\w\[\]]*(?:\.[\w\[\]]+)+"  # a JSON field path: second_line.infusions[2].dose
    r"|\b\w*_\w*\b"  # a field name with an underscore: rule_set
    r"|srgvhd-case/\d+"  # the file format
    r"|(?:/[\w.\-]+){2,}"  # a file path: /srv/models/active.json
    r"|\b\d{8}T\d{6}Z-[0-9a-f]+\b"  # a model version id
)
MIN_LETTERS = 3  # "day", "due", "low", "yes" are words the table could leave
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(rf"[A-Za-z]{{{MIN_LETTERS},}}")


def words_of(text: str) -> set[str]:
    """The lower-case words of four letters or more in ``text``, placeholders left out."""
    text = re.sub(r"\{[^{}]*\}", " ", text)
    return {w.lower() for w in _WORD.findall(text) if len(w) >= MIN_LETTERS and w.isascii()}


@cache
def catalogue_vocabulary() -> frozenset[str]:
    """The words of the catalogue's English message ids."""
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    found: set[str] = set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for one in ids:
            if one:
                found |= words_of(one)
    return frozenset(found)


def english_left(
    text: str, lang: str, english_output: str = "", typed: tuple[str, ...] = ()
) -> list[str]:
    """Each line of ``text`` (output in ``lang``) that holds English, with the English words
    found: ``"words: line"``. Empty when none is left. ``english_output`` is the same case's
    English output (its words join the vocabulary); ``typed`` are values the user typed (the
    case code, a therapy's name, a note), printed as typed and so left out."""
    vocabulary = catalogue_vocabulary() | words_of(english_output)
    allowed = ALLOWED[lang]
    found: list[str] = []
    for line in text.splitlines():
        cleaned = line
        for value in typed:
            cleaned = cleaned.replace(value, " ")
        cleaned = _FIXED_NAMES.sub(" ", cleaned)
        if lang == "zh":
            words = [w for w in _LATIN.findall(cleaned) if w.lower() not in allowed]
        else:
            words = [
                w
                for w in _WORD.findall(cleaned)
                if w.isascii() and w.lower() in vocabulary and w.lower() not in allowed
            ]
        if words:
            found.append(f"{', '.join(words)}: {line.strip()}")
    return found
