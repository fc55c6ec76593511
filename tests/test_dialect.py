"""Cohort files as spreadsheets write them (srgvhd.risk.dialect): separators, decimal comma, BOM,
CRLF, UTF-16 — all read to the same cohort; ambiguity refused naming what was found."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from srgvhd.errors import InputError
from srgvhd.risk.cohort import load_cohort, read_cohort

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "training" / "reference_cohort.csv"
NUMERIC = ("age_years", "hemoglobin_g_l", "os_days", "death", "pfs_days", "pfs_event", "cr_week4")


def _rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(REFERENCE.read_text(encoding="utf-8"))))


def _write(rows: list[list[str]], delimiter: str, newline: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def _decimal_comma(rows: list[list[str]]) -> list[list[str]]:
    """Every age and hemoglobin written with a decimal comma ("42,0"), as a European sheet."""
    header = rows[0]
    fractional = [header.index("age_years"), header.index("hemoglobin_g_l")]
    return [header] + [
        [f"{cell},0" if i in fractional else cell for i, cell in enumerate(row)] for row in rows[1:]
    ]


VARIANTS = {
    "semicolon, decimal comma": lambda: _write(_decimal_comma(_rows()), ";", "\n").encode(),
    "tab": lambda: _write(_rows(), "\t", "\n").encode(),
    "BOM + CRLF": lambda: codecs.BOM_UTF8 + _write(_rows(), ",", "\r\n").encode(),
    "UTF-16 tab (Excel Unicode text)": lambda: _write(_rows(), "\t", "\r\n").encode("utf-16"),
    "semicolon, BOM, CRLF, decimal comma": lambda: (
        codecs.BOM_UTF8 + _write(_decimal_comma(_rows()), ";", "\r\n").encode()
    ),
    "Excel sep=; line, CRLF": lambda: (
        "sep=;\r\n" + _write(_decimal_comma(_rows()), ";", "\r\n")
    ).encode(),
    "trailing separators (unnamed empty columns)": lambda: _write(
        [[*row, "", ""] for row in _decimal_comma(_rows())], ";", "\n"
    ).encode(),
}
DESCRIPTIONS = {
    "semicolon, decimal comma": "semicolon-separated, decimal comma, UTF-8, LF line ends",
    "tab": "tab-separated, no decimal fractions, UTF-8, LF line ends",
    "BOM + CRLF": "comma-separated, no decimal fractions, UTF-8 with BOM, CRLF line ends",
    "UTF-16 tab (Excel Unicode text)": (
        "tab-separated, no decimal fractions, UTF-16, CRLF line ends"
    ),
    "semicolon, BOM, CRLF, decimal comma": (
        "semicolon-separated, decimal comma, UTF-8 with BOM, CRLF line ends"
    ),
    "Excel sep=; line, CRLF": "semicolon-separated, decimal comma, UTF-8, CRLF line ends",
    "trailing separators (unnamed empty columns)": (
        "semicolon-separated, decimal comma, UTF-8, LF line ends"
    ),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_spreadsheet_dialects_give_the_same_cohort_as_the_comma_file(variant):
    expected = read_cohort(REFERENCE)
    cohort = load_cohort(VARIANTS[variant]())
    pd.testing.assert_frame_equal(cohort.frame, expected)
    assert cohort.dialect.describe() == DESCRIPTIONS[variant]


def test_comma_file_dialect():
    dialect = load_cohort(REFERENCE).dialect
    assert dialect.as_card() == {
        "separator": "comma",
        "decimal_mark": None,
        "encoding": "UTF-8",
        "line_ending": "LF",
        "description": "comma-separated, no decimal fractions, UTF-8, LF line ends",
    }


HEADER = ["patient_id", "age_years", "grade", "hemoglobin_g_l", "os_days", "death"]


def _file(rows: list[list[str]], delimiter: str = ";") -> bytes:
    return _write([HEADER, *rows], delimiter, "\n").encode()


def test_decimal_point_in_a_semicolon_file_is_read_as_a_point():
    cohort = load_cohort(
        _file([["a", "42.5", "II", "85.5", "10", "1"], ["b", "30", "III", "95", "20", "0"]])
    )
    assert cohort.frame["age_years"].tolist() == [42.5, 30.0]
    assert cohort.dialect.decimal_mark == "."


def test_both_decimal_marks_are_refused_naming_a_cell_of_each():
    data = _file([["a", "42,5", "II", "85", "10", "1"], ["b", "30", "III", "95.5", "20", "0"]])
    with pytest.raises(InputError) as info:
        load_cohort(data)
    (problem,) = info.value.problems
    assert problem.where == "file"
    assert "decimal comma (row 2, column age_years)" in problem.what
    assert "decimal point (row 3, column hemoglobin_g_l)" in problem.what
    with pytest.raises(InputError) as info:  # the explicit choice: "95.5" is then not a number
        load_cohort(data, decimal_mark=",")
    assert str(info.value) == "row 3, column hemoglobin_g_l: '95.5' is not a number"


def test_decimal_comma_in_a_comma_file_is_not_a_number():
    data = _write(
        [HEADER, ["a", "42,5", "II", "85", "10", "1"], ["b", "30", "III", "95", "2", "0"]],
        ",",
        "\n",
    ).encode()
    with pytest.raises(InputError) as info:
        read_cohort(data)
    assert str(info.value) == "row 2, column age_years: '42,5' is not a number"


def test_header_that_reads_two_ways_is_refused_naming_both_separators():
    data = b"patient_id;age_years;x,grade,os_days\np1;40;1,III,10\n"
    with pytest.raises(InputError) as info:
        read_cohort(data)
    (problem,) = info.value.problems
    assert "comma-separated (2 required columns) or semicolon-separated" in problem.what


def test_an_explicit_separator_overrides_detection():
    data = _file([["a", "40", "II", "85", "10", "1"], ["b", "30", "III", "95", "20", "0"]])
    with pytest.raises(InputError) as info:
        read_cohort(data, separator=",")
    assert "column patient_id: is missing (required column)" in str(info.value)
    assert len(read_cohort(data, separator=";")) == 2


def test_single_column_header_says_no_separator_was_found():
    with pytest.raises(InputError) as info:
        read_cohort(b"patient_id age_years grade\n1 2 3\n")
    assert "no comma, semicolon or tab" in str(info.value)


def test_cp1252_file_is_refused_asking_for_utf8():
    data = _file([["Müller", "40", "II", "85", "10", "1"]]).decode().encode("cp1252")
    with pytest.raises(InputError) as info:
        read_cohort(data)
    assert str(info.value).startswith("file: is not UTF-8 text (bad byte at position")
    assert "CSV UTF-8" in str(info.value)
