"""Cohort CSV validation (interfaces.md §3): every problem kind names its row and column."""

from __future__ import annotations

import io
import os
import tracemalloc

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srgvhd.errors import InputError
from srgvhd.risk.cohort import (
    MAX_PROBLEMS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    load_cohort,
    read_cohort,
)

HEADER = "patient_id,age_years,grade,hemoglobin_g_l,os_days,death"
GOOD_ROWS = ["p1,42,III,85,120,1", "p2,25,II,110,400,0", "p3,8,IV,95,30,1"]
FUZZ_EXAMPLES = int(os.environ.get("SRGVHD_FUZZ_EXAMPLES", "2000"))


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def problems_of(data: bytes | str) -> list[str]:
    with pytest.raises(InputError) as info:
        read_cohort(data.encode() if isinstance(data, str) else data)
    return [str(p) for p in info.value.problems]


def test_valid_file_round_trips():
    text = (
        "patient_id,age_years,grade,hemoglobin_g_l,os_days,death,arm,pfs_days,pfs_event,"
        "cr_week4,sex,disease\n"
        "p1,42.5,III,85,120,1,MSC,100,1,0,M,AML\n"
        "p2,25,II,110,400,0,standard,400,0,1,F,ALL\n"
    )
    frame = read_cohort(text.encode())
    assert list(frame.columns) == [
        "patient_id",
        "age_years",
        "grade",
        "hemoglobin_g_l",
        "os_days",
        "death",
        "arm",
        "pfs_days",
        "pfs_event",
        "cr_week4",
    ]
    assert frame.to_dict("list") == {
        "patient_id": ["p1", "p2"],
        "age_years": [42.5, 25.0],
        "grade": ["III", "II"],
        "hemoglobin_g_l": [85.0, 110.0],
        "os_days": [120, 400],
        "death": [1, 0],
        "arm": ["MSC", "standard"],
        "pfs_days": [100, 400],
        "pfs_event": [1, 0],
        "cr_week4": [0, 1],
    }
    assert frame["os_days"].dtype.kind == "i" and frame["age_years"].dtype.kind == "f"
    again = read_cohort(frame.to_csv(index=False).encode())
    pd.testing.assert_frame_equal(again, frame)


def test_grades_2_3_4_normalise_to_roman():
    frame = read_cohort(csv_bytes("a,40,2,80,10,1", "b,40,3,80,10,0", "c,40,4,80,10,1"))
    assert frame["grade"].tolist() == ["II", "III", "IV"]


def test_path_and_file_object_sources(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS))
    assert len(read_cohort(path)) == 3
    assert len(read_cohort(str(path))) == 3
    assert len(read_cohort(io.BytesIO(csv_bytes(*GOOD_ROWS)))) == 3


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("p4,abc,III,85,120,1", "row 5, column age_years: 'abc' is not a number"),
        ("p4,,III,85,120,1", "row 5, column age_years: is empty"),
        ("p4,NaN,III,85,120,1", "row 5, column age_years: is empty"),
        ("p4,121,III,85,120,1", "row 5, column age_years:"),
        ("p4,-1,III,85,120,1", "row 5, column age_years:"),
        ("p4,40,III,19,120,1", "row 5, column hemoglobin_g_l:"),
        ("p4,40,III,251,120,1", "row 5, column hemoglobin_g_l:"),
        ("p4,40,III,85,-3,1", "row 5, column os_days:"),
        ("p4,40,III,85,12.5,1", "row 5, column os_days: '12.5' must be a whole number of days"),
        ("p4,40,III,85,120,2", "row 5, column death: '2' must be 0 or 1"),
        ("p4,40,V,85,120,1", "row 5, column grade: 'V' is not one of"),
        ("p4,40,1,85,120,1", "row 5, column grade: '1' is not one of"),
        (",40,III,85,120,1", "row 5, column patient_id: is empty"),
        ("=HYPERLINK(1),40,III,85,120,1", "row 5, column patient_id:"),
        ("+1,40,III,85,120,1", "row 5, column patient_id:"),
        ("-1,40,III,85,120,1", "row 5, column patient_id:"),
        ("@SUM(A1),40,III,85,120,1", "row 5, column patient_id:"),
        ("\tx,40,III,85,120,1", "row 5, column patient_id:"),
        (" =x,40,III,85,120,1", "row 5, column patient_id:"),
        ("p4,40,III,85,120", "row 5: has 5 cells but the header has 6 columns"),
        ("p4,40,III,85,120,1,extra", "row 5: has 7 cells but the header has 6 columns"),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column(row, expected):
    found = problems_of(csv_bytes(*GOOD_ROWS, row))
    assert len(found) == 1 and found[0].startswith(expected), found


def test_formula_message_says_formula():
    (found,) = problems_of(csv_bytes(*GOOD_ROWS, "=1+1,40,III,85,120,1"))
    assert "formula" in found


@pytest.mark.parametrize(
    ("column", "value", "good"),
    [
        ("arm", "placebo", "MSC"),
        ("pfs_days", "-2", "5"),
        ("pfs_event", "yes", "0"),
        ("cr_week4", "0.5", "1"),
        ("pfs_days", "1.5", "5"),
    ],
)
def test_optional_columns_are_checked(column, value, good):
    header = f"{HEADER},{column}"
    found = problems_of(
        csv_bytes(
            *(r + f",{good}" for r in GOOD_ROWS), f"p4,40,III,85,120,1,{value}", header=header
        )
    )
    assert len(found) == 1 and found[0].startswith(f"row 5, column {column}:"), found


def test_arm_is_case_insensitive_and_normalised():
    header = f"{HEADER},arm"
    frame = read_cohort(csv_bytes("a,40,II,80,10,1,msc", "b,40,II,80,10,0,Standard", header=header))
    assert frame["arm"].tolist() == ["MSC", "standard"]


def test_duplicate_patient_id_names_both_rows():
    found = problems_of(csv_bytes(*GOOD_ROWS, "p2,40,III,85,120,1"))
    assert found == ["row 5, column patient_id: duplicate patient_id 'p2' (also in row 3)"]


def test_every_problem_is_listed_in_row_order():
    found = problems_of(csv_bytes("p1,x,III,85,120,1", "p2,40,VI,85,-1,1", "p3,40,III,85,5,1"))
    assert [f.split(":")[0] for f in found] == [
        "row 2, column age_years",
        "row 3, column grade",
        "row 3, column os_days",
    ]


def test_missing_required_columns_are_all_named():
    found = problems_of("patient_id,age_years,grade\np1,40,III\np2,30,II\n")
    assert found == [
        "column hemoglobin_g_l: is missing (required column)",
        "column os_days: is missing (required column)",
        "column death: is missing (required column)",
    ]


def test_no_deaths_is_a_column_problem():
    found = problems_of(csv_bytes("a,40,II,80,10,0", "b,40,III,80,10,0"))
    assert found == ["column death: no deaths — a Cox model needs events"]


def test_fewer_than_two_rows():
    assert problems_of(csv_bytes("a,40,II,80,10,1")) == [
        "file: has 1 patient rows; at least 2 are needed"
    ]


def test_blank_lines_are_ignored_but_rows_keep_their_spreadsheet_numbers():
    found = problems_of(csv_bytes("a,40,II,80,10,1", "", "b,x,II,80,10,1"))
    assert found == ["row 4, column age_years: 'x' is not a number"]


def test_extra_columns_are_dropped():
    frame = read_cohort(
        csv_bytes("a,40,II,80,10,1,M", "b,30,III,95,10,0,F", header=HEADER + ",sex")
    )
    assert "sex" not in frame.columns


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "file: is empty"),
        (b"  \n\n", "file: is empty"),
        (b"\xff\xfe\x00a,b\n", "file:"),
        (HEADER.encode() + b"\np1,4\xff,III,85,120,1\n", "file: is not UTF-8 text"),
        (b'patient_id,"age\n', "file:"),
        (b"patient_id,age_years,patient_id\n", "column patient_id: appears more than once"),
        (HEADER.encode() + b"\np1,40,III,85\x00,120,1\n", "file: contains NUL bytes"),
    ],
)
def test_file_level_problems(data, expected):
    found = problems_of(data)
    assert found[0].startswith(expected), found


def test_header_of_exactly_max_columns_is_accepted_one_more_is_refused():
    extras = [f"x{i}" for i in range(94)]
    rows = [row + "," * 94 for row in GOOD_ROWS]
    assert len(read_cohort(csv_bytes(*rows, header=",".join([HEADER, *extras])))) == 3
    with pytest.raises(InputError) as info:
        read_cohort(csv_bytes(*rows, header=",".join([HEADER, *extras, "x94"])))
    assert "more than 100 columns" in str(info.value)


def test_problem_list_is_capped_at_50():
    rows = [f"p{i},x,III,85,120,1" for i in range(300)]
    found = problems_of(csv_bytes(*rows))
    assert len(found) == 51
    assert found[-1] == "file: … and 250 more problems"
    assert found[49] == "row 51, column age_years: 'x' is not a number"


def _refused_lean(action, max_peak_bytes: int = 20_000_000):
    """The problems ``action`` is refused with, checking it allocated at most ``max_peak_bytes``
    on the way (the input is refused before it is read whole; timings are in perf/)."""
    tracemalloc.start()
    with pytest.raises(InputError) as info:
        action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < max_peak_bytes, f"peak {peak:,} bytes"
    return [str(p) for p in info.value.problems]


def test_100_mb_upload_is_refused_unread_from_bytes_stream_and_path(tmp_path):
    data = b"a" * 100_000_000
    found = _refused_lean(lambda: read_cohort(data), max_peak_bytes=1_000_000)
    assert found[0].startswith("file: is 100,000,000 bytes")
    stream = io.BytesIO(data)
    _refused_lean(lambda: read_cohort(stream), max_peak_bytes=1_000_000)
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.truncate(100_000_000)
    _refused_lean(lambda: read_cohort(path), max_peak_bytes=1_000_000)


def test_million_column_header_is_refused_lean():
    data = (",".join(f"c{i}" for i in range(1_000_000)) + "\n1,2\n").encode()
    found = _refused_lean(lambda: read_cohort(data), max_peak_bytes=1_000_000)
    assert found == ["file: the header row has more than 100 columns; is this a CSV?"]


def test_million_cell_row_is_refused_lean():
    data = csv_bytes(*GOOD_ROWS) + (",".join(["1"] * 1_000_000) + "\n").encode()
    found = _refused_lean(lambda: read_cohort(data))
    assert found[0].startswith("row 5: has 1000000 cells")


# ---- fuzzing: nothing but InputError, and every problem says where --------------------------

_cell = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["", "II", "3", "IV", "0", "1", "-1", "1e9", "nan", "inf", "=1", "MSC", "12.5"]
    ),
    st.integers(-5, 400).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
_columns = [
    *REQUIRED_COLUMNS,
    *OPTIONAL_COLUMNS,
    "sex",
    "",
    "x,y",
    '"q"',
]


_valid_cells = {
    "patient_id": st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,5}", fullmatch=True),
    "age_years": st.sampled_from(["0", "6", "42.5", "120"]),
    "grade": st.sampled_from(["II", "III", "IV", "2", "3", "4"]),
    "hemoglobin_g_l": st.sampled_from(["20", "90", "91", "250"]),
    "os_days": st.sampled_from(["0", "1", "365", "20.0"]),
    "death": st.sampled_from(["0", "1"]),
}
_broken_cells = {
    "patient_id": st.sampled_from(["", "=1", "-x", "@a", " +b", "p1"]),
    "age_years": st.sampled_from(["121", "-1", "x", "", "nan", "1e400"]),
    "grade": st.sampled_from(["1", "V", "", "=IV", "I I"]),
    "hemoglobin_g_l": st.sampled_from(["19.9", "abc", "", "inf"]),
    "os_days": st.sampled_from(["12.5", "-3", "1e9", "", "1,5"]),
    "death": st.sampled_from(["1.5", "2", "yes", ""]),
}


@st.composite
def _structured_csv(draw) -> bytes:
    """A header of known and odd column names, rows of plausible and broken cells."""
    header = draw(st.lists(st.sampled_from(_columns), min_size=0, max_size=9))
    rows = draw(
        st.lists(st.lists(_cell, min_size=0, max_size=len(header) + 2), min_size=0, max_size=6)
    )
    separator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return separator.join(lines).encode("utf-8", errors="surrogatepass")


@st.composite
def _schema_csv(draw) -> bytes:
    """The required header with rows that are mostly valid, some cells broken."""
    names = list(_valid_cells)
    row = st.booleans().flatmap(
        lambda broken: st.tuples(
            *((_broken_cells if broken else _valid_cells)[name] for name in names)
        )
    )
    rows = draw(st.lists(row, min_size=0, max_size=8))
    lines = [",".join(names)] + [",".join(row) for row in rows]
    return "\n".join(lines).encode("utf-8", errors="surrogatepass")


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.one_of(st.binary(max_size=300), _structured_csv(), _schema_csv()))
def test_fuzz_only_input_error_with_a_where(data):
    try:
        frame = read_cohort(data)
    except InputError as exc:
        assert all(problem.where.strip() for problem in exc.problems)
        assert all(problem.what.strip() for problem in exc.problems)
    else:
        assert isinstance(frame, pd.DataFrame) and len(frame) >= 2
        assert frame["death"].isin([0, 1]).all() and frame["death"].sum() > 0


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings_and_bom(newline):
    data = "\ufeff" + newline.join([HEADER, *GOOD_ROWS]) + newline
    frame = read_cohort(data.encode())
    assert frame["patient_id"].tolist() == ["p1", "p2", "p3"]
    assert list(frame.columns)[0] == "patient_id"


# ---- complete rows and bounded refusal -------------------------------------------------------


def _with_gaps() -> bytes:
    rows = [f"p{i},{20 + i},III,{80 + i},{100 + i},{i % 2}" for i in range(12)]
    rows[2] = "p2,22,III,,102,0"  # row 4
    rows[5] = "p5,,III,NA,105,1"  # row 7
    rows[9] = "p9,29,,89,109,1"  # row 11
    return csv_bytes(*rows)


def test_empty_cells_refuse_the_file_by_default():
    found = problems_of(_with_gaps())
    assert found == [
        "row 4, column hemoglobin_g_l: is empty",
        "row 7, column age_years: is empty",
        "row 7, column hemoglobin_g_l: is empty",
        "row 11, column grade: is empty",
    ]


def test_complete_rows_leaves_out_exactly_the_incomplete_rows():
    cohort = load_cohort(_with_gaps(), complete_rows=True)
    assert [(e.row, e.patient_id, e.empty_columns) for e in cohort.excluded] == [
        (4, "p2", ("hemoglobin_g_l",)),
        (7, "p5", ("age_years", "hemoglobin_g_l")),
        (11, "p9", ("grade",)),
    ]
    assert cohort.frame["patient_id"].tolist() == [f"p{i}" for i in range(12) if i not in (2, 5, 9)]
    assert cohort.exclusion_report()["excluded"] == 3
    assert cohort.exclusion_report(limit=1)["rows"] == [
        {"row": 4, "patient_id": "p2", "empty": ["hemoglobin_g_l"]}
    ]


def test_complete_rows_still_refuses_a_bad_value():
    data = _with_gaps().replace(b"p3,23,III", b"p3,abc,III")
    with pytest.raises(InputError) as info:
        load_cohort(data, complete_rows=True)
    assert str(info.value) == "row 5, column age_years: 'abc' is not a number"


def test_complete_rows_checks_size_and_deaths_after_leaving_rows_out():
    data = csv_bytes("p1,40,III,,10,1", "p2,40,III,90,10,0", "p3,40,II,95,20,0")
    with pytest.raises(InputError) as info:
        load_cohort(data, complete_rows=True)
    assert str(info.value) == "column death: no deaths — a Cox model needs events"


def test_junk_rows_give_a_capped_problem_list_and_a_count():
    junk = "\n".join(["x,y,z,w,v,u"] * 100_000)
    found = problems_of(HEADER + "\n" + junk + "\n")
    assert len(found) == MAX_PROBLEMS + 1
    assert found[0] == "row 2, column age_years: 'y' is not a number"
    assert found[5] == "row 3, column patient_id: duplicate patient_id 'x' (also in row 2)"
    assert found[-1] == f"file: … and {6 * 100_000 - 1 - MAX_PROBLEMS:,} more problems"


def test_row_limit_is_checked_before_cells_are_converted():
    rows = [f"p{i},junk,III,90,10,1" for i in range(11)]
    assert problems_of_limited(csv_bytes(*rows), max_rows=11)[0].startswith("row 2, column age")
    assert problems_of_limited(csv_bytes(*rows), max_rows=10) == [
        "file: has 11 patient rows; the limit is 10"
    ]


def problems_of_limited(data: bytes, **options) -> list[str]:
    with pytest.raises(InputError) as info:
        read_cohort(data, **options)
    return [str(p) for p in info.value.problems]
