"""Read and validate a cohort CSV for retraining the Cox model (interfaces.md §3).

One row per patient. Required columns: ``patient_id``, ``age_years`` (0–120),
``grade`` (II/III/IV or 2/3/4, MAGIC grade — clinical-rules.md §6), ``hemoglobin_g_l``
(20–250), ``os_days`` (whole days ≥ 0), ``death`` (0/1). Optional: ``arm`` (MSC/standard),
``pfs_days``, ``pfs_event``, ``cr_week4``. Other columns are allowed and dropped.

What spreadsheets write is read as written (:mod:`srgvhd.risk.dialect`): `,` / `;` / tab
separators, decimal comma, UTF-8 with or without BOM, UTF-16, CRLF/CR/LF line ends; the dialect
read is returned with the frame. A file that breaks the schema is refused with an
:class:`~srgvhd.errors.InputError`: the first ``MAX_PROBLEMS`` problems in row then column order
and a count of the rest; ``where`` is ``"row N, column C"`` with N the spreadsheet row (header =
row 1), ``"column C"`` for a whole-column problem or ``"file"``.

Bounded work: size, header width and row count are checked before any cell is converted; cells
are parsed by Arrow as text (no type or NA guessing) and checked with whole-column masks, and
only the rows reported are visited one by one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from srgvhd.clinical.limits import AGE_RANGE_YEARS, HEMOGLOBIN_RANGE_G_L, MAX_FOLLOW_UP_DAYS
from srgvhd.errors import InputError, Problem
from srgvhd.i18n.message import N_, Msg
from srgvhd.risk.dialect import Dialect, detect_decimal_mark, sniff

PREDICTOR_COLUMNS = ("patient_id", "age_years", "grade", "hemoglobin_g_l")
OUTCOME_COLUMNS = ("os_days", "death")
REQUIRED_COLUMNS = PREDICTOR_COLUMNS + OUTCOME_COLUMNS
OPTIONAL_COLUMNS = ("arm", "pfs_days", "pfs_event", "cr_week4")
NUMERIC_COLUMNS = (
    "age_years",
    "hemoglobin_g_l",
    "os_days",
    "death",
    "pfs_days",
    "pfs_event",
    "cr_week4",
)
MAX_PROBLEMS = 50
MIN_ROWS = 2
MAX_ROWS = 1_000_000
# A valid 1M-row cohort with every optional column and two extra ones is ~50 MB
# (perf/results/model.md measures reading it).
MAX_BYTES = 80_000_000
MAX_COLUMNS = 100
# Plausibility caps that the schema leaves open: srgvhd.clinical.limits (one table with the case).
MAX_DAYS = MAX_FOLLOW_UP_DAYS

GRADE_VALUES = {"II": "II", "III": "III", "IV": "IV", "2": "II", "3": "III", "4": "IV"}
ARM_VALUES = {"msc": "MSC", "standard": "standard"}
# Cells that mean "not recorded" (besides blank) in what spreadsheets and R write.
MISSING_MARKERS = ("nan", "na", "n/a", "null")
EMPTY = N_("is empty")

_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_FORMULA_START = r"^[=+\-@]"

Source = str | os.PathLike | bytes | IO


@dataclass(frozen=True)
class ExcludedRow:
    """A row left out of a complete-rows fit: spreadsheet row, its id, the empty columns."""

    row: int
    patient_id: str | None
    empty_columns: tuple[str, ...]


@dataclass
class Cohort:
    """A validated cohort: the normalised frame, the dialect it was read in, excluded rows."""

    frame: pd.DataFrame
    dialect: Dialect
    excluded: list[ExcludedRow] = field(default_factory=list)

    def exclusion_report(self, limit: int = 1000) -> dict:
        """What a complete-rows fit left out, for the model card (first ``limit`` rows listed)."""
        return {
            "excluded": len(self.excluded),
            "rows": [
                {"row": e.row, "patient_id": e.patient_id, "empty": list(e.empty_columns)}
                for e in self.excluded[:limit]
            ],
            "listed": min(len(self.excluded), limit),
        }


def read_cohort(source: Source, **options) -> pd.DataFrame:
    """The validated frame of :func:`load_cohort` (same options)."""
    return load_cohort(source, **options).frame


def load_cohort(
    source: Source,
    *,
    max_bytes: int = MAX_BYTES,
    max_columns: int = MAX_COLUMNS,
    max_rows: int = MAX_ROWS,
    complete_rows: bool = False,
    separator: str | None = None,
    decimal_mark: str | None = None,
    outcomes: bool = True,
) -> Cohort:
    """Read a cohort CSV (path, bytes or file object) into a normalised, validated frame.

    ``complete_rows``: rows with an empty cell are left out (listed in ``Cohort.excluded``)
    instead of refused; any other problem still refuses the file. ``separator`` /
    ``decimal_mark`` override detection (e.g. after an ambiguity). ``outcomes=False`` (scoring
    new patients): ``os_days`` and ``death`` are optional, checked only when present, and no
    deaths are needed. Raises InputError.
    """
    required = REQUIRED_COLUMNS if outcomes else PREDICTOR_COLUMNS
    raw = read_bytes(source, max_bytes)
    text, dialect, header = sniff(raw, max_columns, REQUIRED_COLUMNS, separator)
    missing = [
        Problem(Msg("column {column}", column=name), N_("is missing (required column)"))
        for name in required
        if name not in header
    ]
    if missing:
        if len(header) == 1 and dialect.separator_found is None:
            missing.append(
                Problem(
                    "file",
                    N_("the header row has no comma, semicolon or tab between column names"),
                )
            )
        raise InputError(missing)
    kept = [name for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if name in header]
    cells, rows = _parse_cells(text, header, kept, dialect.separator, max_rows)
    numeric = {name: cells[name] for name in kept if name in NUMERIC_COLUMNS}
    dialect = detect_decimal_mark(dialect, numeric, rows, forced=decimal_mark)
    return _validate(cells, rows, kept, dialect, complete_rows, outcomes)


# ---- bytes ------------------------------------------------------------------------------------


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
            raise InputError(
                Problem("file", Msg("cannot be read ({reason})", reason=exc.strerror or str(exc)))
            ) from None
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


# ---- parsing ----------------------------------------------------------------------------------


class _ShapeProblems:
    """Arrow's invalid-row handler: counts rows with the wrong number of cells (keeping the first
    MAX_PROBLEMS) and skips whitespace-only lines, remembering their numbers."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.count = 0
        self.blank_lines: list[int] = []

    def __call__(self, row: pacsv.InvalidRow) -> str:
        if not row.text.strip():
            self.blank_lines.append(row.number)
            return "skip"
        self.count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                Problem(
                    Msg("row {row}", row=row.number),
                    Msg(
                        "has {cells} cells but the header has {columns} columns",
                        cells=row.actual_columns,
                        columns=row.expected_columns,
                    ),
                )
            )
        return "skip"


def _parse_cells(
    text: bytes, header: list[str], kept: list[str], separator: str, max_rows: int
) -> tuple[dict[str, pa.ChunkedArray], np.ndarray]:
    """Every kept column as Arrow text (nothing guessed) and each row's spreadsheet number.

    Rows whose cells are all blank are dropped (their numbers are skipped, not reused).
    """
    names = [f"c{i}" for i in range(len(header))]
    shape = _ShapeProblems()
    try:
        table = pacsv.read_csv(
            pa.py_buffer(text),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
            parse_options=pacsv.ParseOptions(
                delimiter=separator,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=shape,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                include_columns=[names[header.index(name)] for name in kept],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise InputError(
            Problem(
                "file",
                N_("is not a CSV file that can be read (check that cells with quotes are closed)"),
            )
        ) from None
    if shape.count:
        extra = shape.count - len(shape.problems)
        more = (
            [Problem("file", Msg("… and {n} more rows of the wrong width", n=extra))]
            if extra
            else []
        )
        raise InputError(shape.problems + more)
    cells = {name: table.column(names[header.index(name)]) for name in kept}
    numbers = _row_numbers(table.num_rows, shape.blank_lines)
    blank = np.ones(table.num_rows, dtype=bool)
    for column in cells.values():
        blank &= _to_numpy(pc.equal(pc.utf8_trim_whitespace(column), ""))
    n_rows = int((~blank).sum())
    if n_rows > max_rows:
        raise InputError(Problem("file", f"has {n_rows:,} patient rows; the limit is {max_rows:,}"))
    if blank.any():
        keep = pa.array(~blank)
        cells = {name: column.filter(keep) for name, column in cells.items()}
        numbers = numbers[~blank]
    return cells, numbers


def _row_numbers(n_rows: int, skipped_lines: list[int]) -> np.ndarray:
    """Spreadsheet numbers of the parsed rows: 2, 3, … skipping lines the parser skipped."""
    numbers = np.arange(2, 2 + n_rows + len(skipped_lines))
    if skipped_lines:
        numbers = numbers[~np.isin(numbers, skipped_lines)]
    return numbers[:n_rows]


def _to_numpy(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.to_numpy(zero_copy_only=False)


# ---- cell checks: each returns (values, codes) with one problem code per row (0 = fine) -------

OK, EMPTY_CELL, NOT_NUMBER, NOT_BINARY, NOT_WHOLE, OUT_OF_RANGE, FORMULA, NOT_CHOICE, DUPLICATE = (
    range(9)
)


@dataclass(frozen=True)
class _Rule:
    """How one column is checked and converted."""

    kind: str  # "text", "number", "choice"
    low: float = 0.0
    high: float = 0.0
    integer: bool = False
    binary: bool = False
    choices: dict[str, str] | None = None
    allowed: str = ""
    upper: bool = False


RULES: dict[str, _Rule] = {
    "patient_id": _Rule("text"),
    "age_years": _Rule("number", *AGE_RANGE_YEARS),
    "grade": _Rule(
        "choice", choices=GRADE_VALUES, allowed=N_("II, III, IV (or 2, 3, 4)"), upper=True
    ),
    "hemoglobin_g_l": _Rule("number", *HEMOGLOBIN_RANGE_G_L),
    "os_days": _Rule("number", 0, MAX_DAYS, integer=True),
    "death": _Rule("number", 0, 1, binary=True),
    "arm": _Rule("choice", choices=ARM_VALUES, allowed="MSC, standard"),
    "pfs_days": _Rule("number", 0, MAX_DAYS, integer=True),
    "pfs_event": _Rule("number", 0, 1, binary=True),
    "cr_week4": _Rule("number", 0, 1, binary=True),
}


def _blank_or_missing(stripped: pa.ChunkedArray, rule: _Rule) -> np.ndarray:
    empty = pc.equal(stripped, "")
    if rule.kind != "text":
        empty = pc.or_(empty, pc.is_in(pc.utf8_lower(stripped), pa.array(MISSING_MARKERS)))
    return _to_numpy(empty)


def _as_point_decimal(stripped: pa.ChunkedArray) -> pa.ChunkedArray:
    """Decimal-comma cells in decimal-point form; a cell with a point then is not a number."""
    return pc.if_else(
        pc.match_substring(stripped, "."), "not a number", pc.replace_substring(stripped, ",", ".")
    )


def _check(
    column: pa.ChunkedArray, rule: _Rule, decimal_mark: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Converted values and problem codes for one column, computed on whole-column masks."""
    stripped = pc.utf8_trim_whitespace(column)
    codes = np.zeros(len(column), dtype=np.int8)
    formula = _to_numpy(
        pc.or_(
            pc.match_substring_regex(column, r"^[\t\r]"),
            pc.match_substring_regex(stripped, _FORMULA_START),
        )
    )
    if rule.kind == "number":
        text = _as_point_decimal(stripped) if decimal_mark == "," else stripped
        numeric = _to_numpy(pc.match_substring_regex(text, _NUMBER))
        values = _to_numpy(pc.cast(pc.if_else(pa.array(numeric), text, "nan"), pa.float64()))
        with np.errstate(invalid="ignore"):
            bad_range = ~((values >= rule.low) & (values <= rule.high))
            codes[numeric & bad_range] = OUT_OF_RANGE
            if rule.integer:
                codes[numeric & (values != np.floor(values))] = NOT_WHOLE
            if rule.binary:
                codes[numeric & ~np.isin(values, (0.0, 1.0))] = NOT_BINARY
        codes[~numeric] = NOT_NUMBER
    elif rule.kind == "choice":
        normal = pc.utf8_upper(stripped) if rule.upper else pc.utf8_lower(stripped)
        keys = list(rule.choices)
        index = _to_numpy(pc.fill_null(pc.index_in(normal, pa.array(keys)), -1))
        codes[index < 0] = NOT_CHOICE
        labels = np.array([rule.choices[k] for k in keys] + [None], dtype=object)
        values = labels[index]
    else:
        values = stripped  # kept as Arrow text until the file is accepted
        codes[formula] = FORMULA
    codes[formula & (codes == NOT_NUMBER)] = FORMULA
    codes[formula & (codes == NOT_CHOICE)] = FORMULA
    codes[_blank_or_missing(stripped, rule)] = EMPTY_CELL
    return values, codes


def _duplicate_codes(ids: pa.ChunkedArray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DUPLICATE for every repeat of a patient_id, and the position where it first appeared."""
    codes = np.zeros(len(ids), dtype=np.int8)
    first = np.full(len(ids), -1)
    positions = np.flatnonzero(usable)
    if len(positions):
        chosen = ids.take(pa.array(positions)).combine_chunks()
        encoded = _to_numpy(pc.dictionary_encode(chosen).indices)
        _, first_of_value, inverse = np.unique(encoded, return_index=True, return_inverse=True)
        first_position = positions[first_of_value[inverse]]
        repeated = first_position != positions
        codes[positions[repeated]] = DUPLICATE
        first[positions] = first_position
    return codes, first


# Whole messages (Msg: English here and in --json, said in the reader's language where shown).
_MESSAGES = {
    FORMULA: N_("{shown} looks like a spreadsheet formula; remove the leading sign"),
    NOT_NUMBER: N_("{shown} is not a number"),
    NOT_BINARY: N_("{shown} must be 0 or 1"),
    NOT_WHOLE: N_("{shown} must be a whole number of days"),
    OUT_OF_RANGE: N_("{shown} is outside {low}–{high}"),
    NOT_CHOICE: N_("{shown} is not one of {allowed}"),
    DUPLICATE: N_("duplicate patient_id {shown} (also in row {first_row})"),
}


def _message(code: int, rule: _Rule, cell: str, first_row: int | None) -> str:
    if code == EMPTY_CELL:
        return EMPTY
    template = _MESSAGES[code]
    values = {
        "shown": f"{cell[:20]!r}",
        "low": None if rule.low is None else float(rule.low),
        "high": None if rule.high is None else float(rule.high),
        "allowed": rule.allowed,
        "first_row": first_row,
    }
    return Msg(template, **{k: v for k, v in values.items() if "{" + k + "}" in template})


def _validate(
    cells: dict[str, pa.ChunkedArray],
    rows: np.ndarray,
    kept: list[str],
    dialect: Dialect,
    complete_rows: bool,
    outcomes: bool = True,
) -> Cohort:
    values: dict[str, np.ndarray] = {}
    codes = np.zeros((len(rows), len(kept)), dtype=np.int8)
    for position, name in enumerate(kept):
        values[name], codes[:, position] = _check(cells[name], RULES[name], dialect.decimal_mark)
    empty = codes == EMPTY_CELL
    incomplete = empty.any(axis=1)
    excluded: list[ExcludedRow] = []
    if complete_rows and incomplete.any():
        codes[incomplete] = OK  # the row is left out; its other cells do not matter
        excluded = _excluded_rows(rows, kept, values["patient_id"], empty, incomplete)
    id_at = kept.index("patient_id")
    usable = (codes[:, id_at] == OK) & ~(complete_rows & incomplete)
    duplicate, first = _duplicate_codes(values["patient_id"], usable)
    codes[:, id_at] = np.where(duplicate > 0, duplicate, codes[:, id_at])
    problems = _cell_problems(codes, cells, rows, kept, first)
    keep = ~incomplete if complete_rows else np.ones(len(rows), dtype=bool)
    if outcomes:
        death_valid = not (codes[:, kept.index("death")] != OK).any()
        problems += _whole_cohort_problems(int(keep.sum()), values["death"][keep], death_valid)
    elif not keep.any():
        problems.append(Problem("file", N_("has no patient rows")))
    if problems:
        raise InputError(problems)
    values["patient_id"] = _to_numpy(values["patient_id"]).astype(object)
    frame = pd.DataFrame({name: values[name][keep].astype(_dtype(RULES[name])) for name in kept})
    return Cohort(frame=frame, dialect=dialect, excluded=excluded)


def _dtype(rule: _Rule) -> type | str:
    if rule.kind != "number":
        return object
    return "int64" if rule.integer or rule.binary else "float64"


def _excluded_rows(
    rows: np.ndarray,
    kept: list[str],
    ids: pa.ChunkedArray,
    empty: np.ndarray,
    incomplete: np.ndarray,
) -> list[ExcludedRow]:
    return [
        ExcludedRow(
            row=int(rows[i]),
            patient_id=ids[int(i)].as_py() or None,
            empty_columns=tuple(name for j, name in enumerate(kept) if empty[i, j]),
        )
        for i in np.flatnonzero(incomplete)
    ]


def _cell_problems(
    codes: np.ndarray,
    cells: dict[str, pa.ChunkedArray],
    rows: np.ndarray,
    kept: list[str],
    first: np.ndarray,
) -> list[Problem]:
    """The first MAX_PROBLEMS cell problems in row, then column order, and a count of the rest."""
    bad = codes != OK
    total = int(bad.sum())
    problems: list[Problem] = []
    for i in np.flatnonzero(bad.any(axis=1)):
        for j in np.flatnonzero(bad[i]):
            if len(problems) == MAX_PROBLEMS:
                break
            name = kept[j]
            cell = cells[name][int(i)].as_py()
            first_row = int(rows[first[i]]) if codes[i, j] == DUPLICATE else None
            problems.append(
                Problem(
                    Msg("row {row}, column {column}", row=int(rows[i]), column=name),
                    _message(int(codes[i, j]), RULES[name], cell, first_row),
                )
            )
        if len(problems) == MAX_PROBLEMS:
            break
    if total > len(problems):
        problems.append(Problem("file", f"… and {total - len(problems):,} more problems"))
    return problems


def _whole_cohort_problems(
    n_rows: int, death: np.ndarray, death_cells_valid: bool
) -> list[Problem]:
    """Too few patients; no deaths (judged only when every death cell is a valid 0/1)."""
    problems = []
    if n_rows < MIN_ROWS:
        problems.append(
            Problem(
                "file",
                Msg(
                    "has {n} patient rows; at least {minimum} are needed",
                    n=n_rows,
                    minimum=MIN_ROWS,
                ),
            )
        )
    if n_rows and death_cells_valid and not (death == 1).any():
        problems.append(
            Problem(
                Msg("column {column}", column="death"), N_("no deaths — a Cox model needs events")
            )
        )
    return problems


def has_empty_cells(error: InputError) -> bool:
    """Whether a refusal lists empty cells (a complete-rows fit would leave those rows out); an
    empty file is not an empty cell."""
    return any(p.what == EMPTY and p.where != "file" for p in error.problems)
