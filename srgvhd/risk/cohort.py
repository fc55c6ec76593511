"""Read and validate a cohort CSV for retraining the Cox model (interfaces.md §3).

One row per patient. Required columns: ``patient_id``, ``age_years`` (0–120),
``grade`` (II/III/IV or 2/3/4, MAGIC grade — clinical-rules.md §6), ``hemoglobin_g_l``
(20–250), ``os_days`` (whole days ≥ 0), ``death`` (0/1). Optional: ``arm`` (MSC/standard),
``pfs_days``, ``pfs_event``, ``cr_week4``. Other columns are allowed and dropped.

A file that breaks the schema is refused with an :class:`~srgvhd.errors.InputError` listing every
problem; ``where`` is ``"row N, column C"`` with N the spreadsheet row (header = row 1),
``"column C"`` for a whole-column problem or ``"file"``. Size and column count are checked before
anything is parsed, and every cell is read as text and converted here, so a hostile upload is
refused quickly and cannot make pandas guess types.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable
from typing import IO

import numpy as np
import pandas as pd

from srgvhd.errors import InputError, Problem

REQUIRED_COLUMNS = ("patient_id", "age_years", "grade", "hemoglobin_g_l", "os_days", "death")
OPTIONAL_COLUMNS = ("arm", "pfs_days", "pfs_event", "cr_week4")
MAX_PROBLEMS = 200
MIN_ROWS = 2
# Plausibility caps that the schema leaves open; a value outside is a typing error, not a patient.
AGE_RANGE_YEARS = (0.0, 120.0)
HEMOGLOBIN_RANGE_G_L = (20.0, 250.0)
MAX_DAYS = 36_500  # 100 years of follow-up

GRADE_VALUES = {"II": "II", "III": "III", "IV": "IV", "2": "II", "3": "III", "4": "IV"}
ARM_VALUES = {"msc": "MSC", "standard": "standard"}
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_PANDAS_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")

Source = str | os.PathLike | bytes | IO


MAX_BYTES = 20_000_000


def read_cohort(
    source: Source, *, max_bytes: int = MAX_BYTES, max_columns: int = 100
) -> pd.DataFrame:
    """Read a cohort CSV (path, bytes or file object) into a normalised, validated frame.

    Raises InputError listing every problem (at most ``MAX_PROBLEMS`` plus a count of the rest).
    """
    raw = read_bytes(source, max_bytes)
    header = _parse_header(raw, max_columns)
    table = _parse_table(raw, header)
    problems = _missing_columns(header)
    if problems:
        _refuse(problems)
    frame, problems = _convert(table)
    if problems:
        _refuse(problems)
    return frame


def _refuse(problems: list[Problem]) -> None:
    """Raise InputError with at most MAX_PROBLEMS problems and a count of the ones left off."""
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [Problem("file", f"… and {extra} more problems")]
    raise InputError(problems)


def _too_large(size: int, max_bytes: int) -> InputError:
    return InputError(Problem("file", f"is {size:,} bytes; the limit is {max_bytes:,} bytes"))


def read_bytes(source: Source, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, refusing anything larger than ``max_bytes`` before reading it."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source) if not isinstance(source, bytes) else source
    elif isinstance(source, str | os.PathLike):
        try:
            size = os.stat(source).st_size
            if size > max_bytes:
                raise _too_large(size, max_bytes)
            with open(source, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(Problem("file", f"cannot be read ({exc.strerror or exc})")) from None
    else:
        data = _read_stream(source, max_bytes)
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    return data


def _read_stream(stream: IO, max_bytes: int) -> bytes:
    """Read a file object (e.g. a Streamlit upload), checking its size first when seekable."""
    if stream.seekable():
        start = stream.tell()
        size = stream.seek(0, os.SEEK_END) - start
        stream.seek(start)
        if size > max_bytes:
            raise _too_large(size, max_bytes)
    data = stream.read(max_bytes + 1)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _parse_header(raw: bytes, max_columns: int) -> list[str]:
    """Column names from the first line, refusing an over-wide header before decoding the file."""
    if not raw or raw.isspace():
        raise InputError(Problem("file", "is empty"))
    end = min((i for i in (raw.find(b"\n"), raw.find(b"\r")) if i >= 0), default=len(raw))
    if raw.count(b",", 0, end) + 1 > max_columns:
        raise InputError(
            Problem("file", f"the header row has more than {max_columns} columns; is this a CSV?")
        )
    try:
        first_line = raw[:end].decode("utf-8-sig")
        names = next(csv.reader([first_line], strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        raise InputError(
            Problem("file", "the first line is not a CSV header of column names (UTF-8 text)")
        ) from None
    names = [name.strip() for name in names]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InputError([Problem(f"column {d}", "appears more than once") for d in duplicates])
    return names


def _parse_table(raw: bytes, header: list[str]) -> pd.DataFrame:
    """Every cell as text (no type guessing, no NA guessing), spreadsheet row numbers as index."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem("file", f"is not UTF-8 text (bad byte at position {exc.start})")
        ) from None
    if "\x00" in text:
        raise InputError(Problem("file", "contains NUL bytes; it is not a CSV text file"))
    try:
        table = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            header=None,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise InputError(_parser_problem(str(exc))) from None
    except (ValueError, csv.Error) as exc:
        raise InputError(Problem("file", f"is not a valid CSV file ({exc})")) from None
    if table.shape[1] != len(header):
        raise InputError(Problem("file", "the header row cannot be read as CSV column names"))
    # Header = spreadsheet row 1, so the first patient is row 2.
    table = table.iloc[1:].set_axis(header, axis=1)
    table.index = pd.RangeIndex(2, 2 + len(table))
    blank = (table.apply(lambda column: column.str.strip()) == "").all(axis=1)
    return table[~blank]


def _parser_problem(message: str) -> Problem:
    """Turn a pandas tokenizer error into a row-level problem when it names a line."""
    match = _PANDAS_FIELD_COUNT.search(message)
    if match:
        expected, line, saw = match.groups()
        return Problem(f"row {line}", f"has {saw} cells but the header has {expected} columns")
    return Problem("file", f"is not a valid CSV file ({message.strip()})")


def _missing_columns(header: list[str]) -> list[Problem]:
    return [
        Problem(f"column {name}", "is missing (required column)")
        for name in REQUIRED_COLUMNS
        if name not in header
    ]


# ---- cell conversion: each converter returns (values, {row: problem text}) --------------------

Converted = tuple[pd.Series, dict[int, str]]


def _text(cells: pd.Series) -> Converted:
    """Non-empty text that cannot be read as a spreadsheet formula."""
    errors: dict[int, str] = {}
    for row, cell in cells.items():
        if cell.startswith(FORMULA_PREFIXES) or cell.strip().startswith(FORMULA_PREFIXES):
            errors[row] = f"{cell[:20]!r} looks like a spreadsheet formula; remove the leading sign"
        elif not cell.strip():
            errors[row] = "is empty"
    return cells.str.strip(), errors


def _choice(mapping: dict[str, str], allowed: str, normalise: Callable[[str], str]) -> Callable:
    def convert(cells: pd.Series) -> Converted:
        values, errors = _text(cells)
        for row, cell in values.items():
            if row not in errors and normalise(cell) not in mapping:
                errors[row] = f"{cell[:20]!r} is not one of {allowed}"
        return values.map(lambda cell: mapping.get(normalise(cell))), errors

    return convert


def _number(
    low: float, high: float, *, integer: bool = False, binary: bool = False
) -> Callable[[pd.Series], Converted]:
    def convert(cells: pd.Series) -> Converted:
        stripped = cells.str.strip()
        values = pd.to_numeric(stripped, errors="coerce").astype("float64")
        errors: dict[int, str] = {}
        for row, cell in stripped.items():
            value = values[row]
            if not cell or cell.lower() == "nan":
                errors[row] = "is empty"
            elif np.isnan(value):
                errors[row] = f"{cell[:20]!r} is not a number"
            elif binary and value not in (0, 1):
                errors[row] = f"{cell[:20]!r} must be 0 or 1"
            elif integer and value != np.floor(value):
                errors[row] = f"{cell[:20]!r} must be a whole number of days"
            elif not low <= value <= high:
                errors[row] = f"{cell[:20]!r} is outside {low:g}–{high:g}"
        return values, errors

    return convert


_CONVERTERS: dict[str, tuple[Callable[[pd.Series], Converted], str]] = {
    "patient_id": (_text, "str"),
    "age_years": (_number(*AGE_RANGE_YEARS), "float"),
    "grade": (_choice(GRADE_VALUES, "II, III, IV (or 2, 3, 4)", str.upper), "str"),
    "hemoglobin_g_l": (_number(*HEMOGLOBIN_RANGE_G_L), "float"),
    "os_days": (_number(0, MAX_DAYS, integer=True), "int"),
    "death": (_number(0, 1, binary=True), "int"),
    "arm": (_choice(ARM_VALUES, "MSC, standard", str.lower), "str"),
    "pfs_days": (_number(0, MAX_DAYS, integer=True), "int"),
    "pfs_event": (_number(0, 1, binary=True), "int"),
    "cr_week4": (_number(0, 1, binary=True), "int"),
}


def _convert(table: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert every kept column and check the cohort as a whole.

    Cell problems come in row order, then column order; whole-cohort problems (too few rows, no
    deaths) follow. The frame is only meaningful when the problem list is empty.
    """
    kept = [name for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if name in table.columns]
    found: list[tuple[int, int, Problem]] = []
    columns: dict[str, pd.Series] = {}
    for position, name in enumerate(kept):
        convert, _ = _CONVERTERS[name]
        values, errors = convert(table[name])
        columns[name] = values
        found += [
            (row, position, Problem(f"row {row}, column {name}", what))
            for row, what in errors.items()
        ]
    found += _duplicate_ids(columns["patient_id"], kept.index("patient_id"))
    found.sort(key=lambda item: (item[0], item[1]))
    death_cells_valid = not any(p.where.endswith("column death") for _, _, p in found)
    problems = [problem for _, _, problem in found]
    problems += _whole_cohort_problems(len(table), columns["death"], death_cells_valid)
    if problems:
        return pd.DataFrame(), problems
    frame = pd.DataFrame({name: columns[name].astype(_CONVERTERS[name][1]) for name in kept})
    return frame.reset_index(drop=True), []


def _duplicate_ids(ids: pd.Series, position: int) -> list[tuple[int, int, Problem]]:
    """One problem per repeated patient_id, naming the row where it first appeared."""
    first_row: dict[str, int] = {}
    found = []
    for row, patient_id in ids.items():
        if not patient_id:
            continue
        if patient_id in first_row:
            what = f"duplicate patient_id {patient_id[:20]!r} (also in row {first_row[patient_id]})"
            found.append((row, position, Problem(f"row {row}, column patient_id", what)))
        else:
            first_row[patient_id] = row
    return found


def _whole_cohort_problems(n_rows: int, death: pd.Series, death_cells_valid: bool) -> list[Problem]:
    """Too few patients; no deaths (judged only when every death cell is a valid 0/1)."""
    problems = []
    if n_rows < MIN_ROWS:
        problems.append(
            Problem("file", f"has {n_rows} patient rows; at least {MIN_ROWS} are needed")
        )
    if n_rows and death_cells_valid and not (death == 1).any():
        problems.append(Problem("column death", "no deaths — a Cox model needs events"))
    return problems
