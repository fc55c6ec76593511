"""The case store (interfaces.md §5) on SQLite and on a real PostgreSQL cluster.

Expected list fields are written from the study rules (clinical-rules.md §5a): a course
assessed on day 0 only is "not refractory so far" with its next decision on day 7; skin stage
2 → 3 on day 4 is progression, which fires R1 (days 3–5): steroid-refractory on 2026-11-05, so
the second-line choice is pending from that date (clinical-rules.md §8).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import create_engine, inspect, text

from srgvhd.casestore import migrate
from srgvhd.casestore.database import resolve_url
from srgvhd.casestore.store import CaseStore, CodeExistsError, StaleVersionError, check_code
from srgvhd.errors import InputError
from tests import casestore_db
from tests.cases import course, staged

db_url = casestore_db.db_url

DAY0 = course((0, 2, 0, 0, 1))  # grade II, next decision day 7 = 2026-11-08
R1 = course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1))  # progression on day 4: refractory by R1


@pytest.fixture
def store(db_url: str):
    opened = CaseStore(db_url)
    yield opened
    opened.close()


def test_first_save_is_version_1_and_export_gives_the_case_back(store: CaseStore) -> None:
    assert store.save("W-1", DAY0, "alice") == 1
    exported = json.loads(store.export("W-1"))
    assert exported == {**DAY0, "case_code": "W-1"}


def test_every_version_stays(store: CaseStore) -> None:
    assert store.save("W-1", DAY0, "alice") == 1
    assert store.save("W-1", R1, "bob", base_version=1) == 2
    assert json.loads(store.export("W-1", 1))["assessments"] == DAY0["assessments"]
    assert json.loads(store.export("W-1", 2))["assessments"] == R1["assessments"]


def test_save_without_base_never_takes_an_existing_code(store: CaseStore) -> None:
    assert store.save("W-1", DAY0, "alice") == 1
    with pytest.raises(CodeExistsError) as refused:
        store.save("W-1", R1, "bob")  # the same patient, still a new course: refused
    assert str(refused.value) == "--code: W-1 exists (version 1): open it, or choose another code"
    assert [v["version"] for v in store.history("W-1")] == [1]


def test_stale_base_is_refused_naming_who_saved_which_version_when(store: CaseStore) -> None:
    store.save("W-1", DAY0, "alice", base_version=0)
    store.save("W-1", R1, "bob", base_version=1)
    with pytest.raises(StaleVersionError) as refused:
        store.save("W-1", DAY0, "carol", base_version=1)
    message = str(refused.value)
    assert "version 2 was saved by bob at " in message and "moved past version 1" in message
    assert refused.value.latest.version == 2
    assert [v["version"] for v in store.history("W-1")] == [1, 2]


def test_base_version_0_on_an_existing_case_is_a_new_course_refused(store: CaseStore) -> None:
    store.save("W-1", DAY0, "alice")
    with pytest.raises(CodeExistsError, match="W-1 exists .version 1."):
        store.save("W-1", DAY0, "bob", base_version=0)


def test_base_beyond_the_latest_version_is_refused(store: CaseStore) -> None:
    store.save("W-1", DAY0, "alice")
    with pytest.raises(InputError, match="has no version 2"):
        store.save("W-1", DAY0, "bob", base_version=2)
    with pytest.raises(InputError, match="no saved case with code W-9"):
        store.save("W-9", DAY0, "bob", base_version=1)
    assert store.latest("W-9") is None and store.latest("W-1").version == 1


def test_list_has_the_contract_fields_from_the_latest_version(store: CaseStore) -> None:
    store.save("W-1", DAY0, "alice")
    store.save("W-1", R1, "bob", base_version=1)
    (row,) = store.list_cases()
    assert set(row) == {
        "code",
        "version",
        "updated_at",
        "updated_by",
        "age_years",
        "steroid_start",
        "day",
        "status",
        "rule",
        "next_decision_date",
        "max_grade",
        "max_grade_incomplete",
        "phase",
        "next_action",
        "due_date",
        "closed_reason",
    }
    assert row["code"] == "W-1" and row["version"] == 2 and row["updated_by"] == "bob"
    assert row["status"] == "steroid-refractory" and row["rule"] == "R1"
    assert row["day"] == 4 and row["next_decision_date"] is None
    assert row["max_grade"] == "II" and row["age_years"] == 42
    assert row["steroid_start"] == "2026-11-01"
    assert row["updated_at"].endswith("Z") and "T" in row["updated_at"]
    # refractory, no second line recorded: pending from the verdict's date, never closed
    assert (row["phase"], row["next_action"]) == ("second-line choice pending",) * 2
    assert row["due_date"] == "2026-11-05" and row["closed_reason"] is None


RESPONSIVE = course((0, 2, 0, 0, 1), (7, 1, 0, 0, 0), (14, 0, 0, 0, 0))  # CR on day 14


def test_list_puts_pending_second_line_first_then_by_due_date_closed_last(
    store: CaseStore,
) -> None:
    store.save("done", RESPONSIVE, "alice")  # steroid-responsive: nothing left to decide
    store.save("later", course((0, 1, 0, 0, 0), start="2026-11-20"), "alice")  # 2026-11-27
    store.save("early", course((0, 1, 0, 0, 0), start="2026-10-01"), "alice")  # 2026-10-08
    store.save("refr", R1, "alice")  # refractory 2026-11-05: listed first
    store.save("mid", DAY0, "alice")  # 2026-11-08
    rows = store.list_cases()
    assert [r["code"] for r in rows] == ["refr", "early", "mid", "later", "done"]
    assert [r["phase"] for r in rows] == [
        "second-line choice pending",
        "steroids",
        "steroids",
        "steroids",
        "closed",
    ]
    assert [r["due_date"] for r in rows] == [
        "2026-11-05",
        "2026-10-08",
        "2026-11-08",
        "2026-11-27",
        None,
    ]
    assert rows[1]["next_action"] == "decision on day 7"
    assert rows[-1]["next_action"] == "steroid-responsive: no decision pending"


def test_due_by_includes_the_boundary_day_and_excludes_the_next(store: CaseStore) -> None:
    store.save("mid", DAY0, "alice")  # next decision 2026-11-08
    store.save("refr", R1, "alice")  # second-line choice due 2026-11-05
    store.save("done", RESPONSIVE, "alice")  # no decision
    assert [r["code"] for r in store.list_cases(date(2026, 11, 8))] == ["refr", "mid"]
    assert [r["code"] for r in store.list_cases(date(2026, 11, 7))] == ["refr"]
    assert [r["code"] for r in store.list_cases(date(2026, 11, 5))] == ["refr"]
    assert store.list_cases(date(2026, 11, 4)) == []


def test_history_lists_who_when_and_the_fields_that_changed(store: CaseStore) -> None:
    store.save("W-1", DAY0, "alice")
    store.save("W-1", R1, "bob", base_version=1)
    first, second = store.history("W-1")
    assert (first["version"], first["saved_by"], first["changes"]) == (1, "alice", [])
    assert second["saved_by"] == "bob"
    fields = {c["field"]: (c["before"], c["after"]) for c in second["changes"]}
    assert fields == {
        "assessments[2026-11-05].stages.skin": ("(absent)", 3),
        "assessments[2026-11-05].stages.liver": ("(absent)", 0),
        "assessments[2026-11-05].stages.upper_gi": ("(absent)", 0),
        "assessments[2026-11-05].stages.lower_gi": ("(absent)", 1),
    }


@pytest.mark.parametrize("code", ["", "a" * 33, "John Smith", "anna.k", "é1", "x/y", "1;drop"])
def test_bad_codes_are_refused(code: str) -> None:
    with pytest.raises(InputError, match="case code must be"):
        check_code(code)


@pytest.mark.parametrize("code", ["a", "a" * 32, "W-12_b", "007"])
def test_good_codes_are_accepted(code: str) -> None:
    assert check_code(code) == code


def test_an_invalid_case_is_refused_by_field_and_nothing_written(store: CaseStore) -> None:
    bad = course((0, 2, 0, 0, 1))
    bad["patient"]["age_years"] = -3
    with pytest.raises(InputError, match="patient.age_years"):
        store.save("W-1", bad, "alice")
    assert store.list_cases() == []


def test_a_case_code_in_the_file_must_match(store: CaseStore) -> None:
    with pytest.raises(InputError, match="case_code"):
        store.save("W-1", {**DAY0, "case_code": "W-2"}, "alice")
    assert store.save("W-1", {**DAY0, "case_code": "W-1"}, "alice") == 1


def test_the_schema_has_no_place_for_a_name(store: CaseStore) -> None:
    columns = {c["name"] for c in inspect(store.engine).get_columns("case_versions")}
    assert columns == {
        "code",
        "version",
        "saved_at",
        "saved_by",
        "case_json",
        "age_years",
        "steroid_start",
        "day",
        "status",
        "rule",
        "max_grade",
        "max_grade_incomplete",
        "next_decision_date",
        "binding",
        "event",
        "identity_change",
        "closed_reason",
        "phase",
        "next_action",
        "next_action_msg",
        "due_date",
    }


def test_a_database_from_a_newer_srgvhd_is_refused(db_url: str) -> None:
    CaseStore(db_url).close()
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(migrate.NewerDatabaseError, match="9999 is newer than this srgvhd"):
        CaseStore(db_url)


def test_opening_migrates_an_empty_database_to_head(db_url: str) -> None:
    store = CaseStore(db_url)
    with store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    store.close()


def test_sqlite_store_runs_in_wal_mode(tmp_path) -> None:
    store = CaseStore(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()


def test_default_database_is_sqlite_in_the_data_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SRGVHD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SRGVHD_DATABASE_URL", raising=False)
    assert resolve_url() == f"sqlite:///{tmp_path / 'data' / 'cases.sqlite3'}"
    assert (tmp_path / "data").is_dir()


def test_postgresql_urls_use_psycopg_3() -> None:
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_unknown_database_kinds_are_refused() -> None:
    with pytest.raises(InputError, match="--db: unsupported database 'mysql'"):
        CaseStore("mysql://u@h/db")


def test_a_recorded_second_line_is_followed_to_its_week4_date(store: CaseStore) -> None:
    """clinical-rules.md §8: with a second line the course is due on the week-4 date (start +
    28 days: 2026-11-08 + 28 = 2026-12-06), no longer a pending choice."""
    with_second_line = {
        **R1,
        "second_line": {"therapy": "standard", "therapy_name": None, "start_date": "2026-11-08"},
    }
    store.save("SL-1", R1, "alice")
    assert store.list_cases()[0]["phase"] == "second-line choice pending"
    store.save("SL-1", with_second_line, "alice", base_version=1)
    (row,) = store.list_cases()
    assert row["phase"] == "second line" and row["due_date"] == "2026-12-06"
    assert row["next_action"].startswith("week-4 response")
    assert row["status"] == "steroid-refractory"  # the steroid verdict stays as it was
    assert row["day"] == 4
    # an assessment on second line (2026-11-12, day 11 of the course) is the last assessed
    later = {**with_second_line, "assessments": [*R1["assessments"], staged(11, 2, 0, 0, 1)]}
    store.save("SL-1", later, "alice", base_version=2)
    (row,) = store.list_cases()
    assert (row["day"], row["phase"], row["status"]) == (11, "second line", "steroid-refractory")
