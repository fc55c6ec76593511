"""Which CSV dialect a spreadsheet wrote: separator, decimal mark, encoding, line ends.

Spreadsheets save "CSV" in several dialects: comma-separated with a decimal point (English
locales), semicolon-separated with a decimal comma (most European locales), tab-separated
("Unicode text", UTF-16 with BOM), UTF-8 with a byte-order mark, CRLF line ends. The separator is
the one under which the header row names the most required columns; the decimal mark is the one
the numeric cells use. When the evidence points two ways the file is refused, naming both, and the
caller may choose explicitly (``separator=`` / ``decimal_mark=`` of ``load_cohort``).
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from srgvhd.errors import InputError, Problem
from srgvhd.i18n.message import N_, Msg

SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
DECIMAL_MARKS = {".": N_("decimal point"), ",": N_("decimal comma")}
NO_DECIMALS = N_("no decimal fractions")
SEPARATED = {
    "comma": N_("comma-separated"),
    "semicolon": N_("semicolon-separated"),
    "tab": N_("tab-separated"),
}
ENCODING_WORDS = {"UTF-8 with BOM": N_("UTF-8 with BOM")}
LINE_ENDS = {
    "CRLF": N_("CRLF line ends"),
    "CR": N_("CR line ends"),
    "LF": N_("LF line ends"),
    "no": N_("no line ends"),
}


def describe_dialect(
    separator: str, decimal_mark: str | None, encoding: str, line_ending: str
) -> str:
    """E.g. "semicolon-separated, decimal comma, UTF-8 with BOM, CRLF line ends" (``separator``
    as the card names it: comma, semicolon, tab); each word a message the app can translate."""
    return Msg(
        "{separated}, {decimal}, {encoding}, {line_ends}",
        separated=SEPARATED.get(separator, f"{separator}-separated"),
        decimal=DECIMAL_MARKS.get(decimal_mark or "", NO_DECIMALS),
        encoding=ENCODING_WORDS.get(encoding, encoding),
        line_ends=LINE_ENDS.get(line_ending, f"{line_ending} line ends"),
    )


NUL_BYTES = N_("contains NUL bytes; it is not a CSV text file")
_CHUNK = 1 << 18
_POINT_DECIMAL = r"^\s*[+-]?[0-9]*\.[0-9]+\s*$"
_COMMA_DECIMAL = r"^\s*[+-]?[0-9]*,[0-9]+\s*$"


@dataclass(frozen=True)
class Dialect:
    """How a cohort file was written. ``decimal_mark`` is None when no cell has a fraction;
    ``separator_found`` is None when the header holds no separator at all (one column)."""

    separator: str
    separator_found: str | None
    decimal_mark: str | None
    encoding: str
    line_ending: str

    def describe(self) -> str:
        """E.g. "semicolon-separated, decimal comma, UTF-8 with BOM, CRLF line ends"."""
        return describe_dialect(
            SEPARATORS[self.separator], self.decimal_mark, self.encoding, self.line_ending
        )

    def as_card(self) -> dict:
        """The model card's ``dialect`` field."""
        return {
            "separator": SEPARATORS[self.separator],
            "decimal_mark": self.decimal_mark,
            "encoding": self.encoding,
            "line_ending": self.line_ending,
            "description": self.describe(),
        }


def _utf8(raw: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes without a BOM and the encoding's name; refuses anything else, bounded."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16").removeprefix("\ufeff").encode("utf-8"), "UTF-16"
        except UnicodeDecodeError:
            raise InputError(Problem("file", N_("starts like UTF-16 text but is not"))) from None
    body, name = (raw[3:], "UTF-8 with BOM") if raw.startswith(codecs.BOM_UTF8) else (raw, "UTF-8")
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(body)
    for start in range(0, len(body), _CHUNK):
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(body))
        except UnicodeDecodeError as exc:
            raise InputError(
                Problem(
                    "file",
                    Msg(
                        "is not UTF-8 text (bad byte at position {position}); "
                        'save it as "CSV UTF-8"',
                        position=start + exc.start,
                    ),
                )
            ) from None
    return body, name


def _line_ending(first_line_end: bytes) -> str:
    return {b"\r\n": "CRLF", b"\r": "CR", b"\n": "LF"}.get(first_line_end, "no")


def _first_line_end(data: bytes) -> int:
    ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
    return min(ends, default=len(data))


def _check_width(raw: bytes, max_columns: int) -> None:
    """Refuse an over-wide header row before anything is decoded or copied."""
    end = _first_line_end(raw)
    if max(raw.count(s.encode(), 0, end) for s in SEPARATORS) + 1 > max_columns:
        raise InputError(
            Problem(
                "file",
                Msg("the header row has more than {n} columns; is this a CSV?", n=max_columns),
            )
        )


def _split_header(line: str, separator: str) -> list[str] | None:
    try:
        return [name.strip() for name in next(csv.reader([line], delimiter=separator, strict=True))]
    except (csv.Error, StopIteration):
        return None


def _excel_separator_line(text: bytes, forced: str | None) -> tuple[bytes, str | None]:
    """Excel's optional first line ``sep=;`` names the separator and is not part of the table
    (Excel does not show or number it); it is dropped and its separator used."""
    end = _first_line_end(text)
    first = text[:end].strip().decode("utf-8", "replace")
    if len(first) == 5 and first.lower().startswith("sep=") and first[4] in SEPARATORS:
        skip = 2 if text[end : end + 2] == b"\r\n" else 1
        return text[end + skip :], forced or first[4]
    return text, forced


def sniff(
    raw: bytes, max_columns: int, required: tuple[str, ...], forced: str | None = None
) -> tuple[bytes, Dialect, list[str]]:
    """The file as UTF-8 bytes, its dialect (decimal mark still unknown) and the header names.

    The separator is the one under which the header names most ``required`` columns.
    """
    if not raw or raw.isspace():
        raise InputError(Problem("file", N_("is empty")))
    _check_width(raw, max_columns)
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(Problem("file", NUL_BYTES))
    text, encoding = _utf8(raw)
    if b"\x00" in text:
        raise InputError(Problem("file", NUL_BYTES))
    text, forced = _excel_separator_line(text, forced)
    end = _first_line_end(text)
    crlf = text[end : end + 2] == b"\r\n"
    line_ending = _line_ending(text[end : end + 2] if crlf else text[end : end + 1])
    first_line = text[:end]
    line = first_line.decode("utf-8")
    present = [s for s in SEPARATORS if s in line]
    candidates = [forced] if forced else (present or [","])
    scored = []
    for separator in candidates:
        names = _split_header(line, separator)
        if names is not None:
            scored.append((sum(name in required for name in names), separator, names))
    if not scored:
        raise InputError(Problem("file", N_("the first line is not a CSV header of column names")))
    best = max(score for score, _, _ in scored)
    winners = [(separator, names) for score, separator, names in scored if score == best]
    if len(winners) > 1 and best > 0:
        readings = [
            Msg(
                "{separated} ({n} required columns)",
                separated=SEPARATED[SEPARATORS[s]],
                n=best,
            )
            for s, _ in winners
        ]
        if len(readings) == 2:
            what = Msg(
                "the header row reads as {first} or {second}; choose the separator explicitly",
                first=readings[0],
                second=readings[1],
            )
        else:
            what = Msg(
                "the header row reads as {first}, {second} or {third}; choose the separator "
                "explicitly",
                first=readings[0],
                second=readings[1],
                third=readings[2],
            )
        raise InputError(Problem("file", what))
    separator, names = winners[0]
    # unnamed columns (a spreadsheet's trailing separators) are extra columns, dropped
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        raise InputError(
            [
                Problem(Msg("column {column}", column=d), N_("appears more than once"))
                for d in duplicates
            ]
        )
    dialect = Dialect(
        separator, separator if separator in line else None, None, encoding, line_ending
    )
    return text, dialect, names


def _first_match(cells: dict[str, pa.ChunkedArray], rows: np.ndarray, pattern: str) -> str | None:
    """ "row N, column C" of the first numeric cell matching ``pattern`` (None if none)."""
    for name, column in cells.items():
        hits = pc.match_substring_regex(column, pattern)
        if pc.any(hits).as_py():
            position = int(pc.index(hits, True).as_py())
            return Msg("row {row}, column {column}", row=int(rows[position]), column=name)
    return None


def detect_decimal_mark(
    dialect: Dialect,
    cells: dict[str, pa.ChunkedArray],
    rows: np.ndarray,
    forced: str | None = None,
) -> Dialect:
    """The dialect with its decimal mark, from the numeric columns' cells.

    A comma-separated file uses the decimal point (a quoted "12,5" is then not a number). In a
    semicolon- or tab-separated file, cells like "12,5" mean a decimal comma; seeing both "12,5"
    and "12.5" is refused, naming one cell of each.
    """
    if forced is not None:
        return replace(dialect, decimal_mark=forced)
    point = _first_match(cells, rows, _POINT_DECIMAL)
    if dialect.separator == ",":
        return replace(dialect, decimal_mark="." if point else None)
    comma = _first_match(cells, rows, _COMMA_DECIMAL)
    if point and comma:
        raise InputError(
            Problem(
                "file",
                Msg(
                    "numbers use both a decimal comma ({comma}) and a decimal point ({point}); "
                    "use one decimal mark or choose it explicitly",
                    comma=comma,
                    point=point,
                ),
            )
        )
    return replace(dialect, decimal_mark="," if comma else "." if point else None)
