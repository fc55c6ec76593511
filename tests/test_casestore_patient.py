"""Patient identity in the store, closing by hand and the upgrade of an existing store
(docs/interfaces.md §5, §7, §8), on SQLite and on a real PostgreSQL cluster.

Patient A: 42 years, steroids from 2026-11-01, progression on day 4 (rule R1: refractory on
2026-11-05). Patient C: 67 years, steroids from 2026-11-03, day 0 only. The bindings are
written here by hand from §8: (steroid start, whole years of age), or the EHR reference.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import column, create_engine, insert, inspect, select, table

from srgvhd.casestore import migrate
from srgvhd.casestore.database import resolve_url
from srgvhd.casestore.schema import case_versions
from srgvhd.casestore.store import (
    CaseStore,
    CodeExistsError,
    IdentityMismatchError,
    StaleVersionError,
)
from srgvhd.errors import InputError
from tests import casestore_db
from tests.cases import course

db_url = casestore_db.db_url

A = course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1))
A_DAY0 = course((0, 2, 0, 0, 1))
C = course((0, 1, 0, 0, 0), start="2026-11-03", age=67)
EHR = {"fhir_server": "https://ehr.example.org/fhir", "patient_id": "pat-123"}


def with_ehr(doc: dict, **ehr: str) -> dict:
    return {**doc, "patient": {**doc["patient"], "ehr": {**EHR, **ehr}}}


@pytest.fixture
def store(db_url: str):
    opened = CaseStore(db_url)
    yield opened
    opened.close()


def test_another_patient_under_an_existing_code_without_base_is_refused(store: CaseStore) -> None:
    store.save("W3-101", A, "alice")
    with pytest.raises(CodeExistsError, match="W3-101 exists .version 1.: open it, or choose"):
        store.save("W3-101", C, "carol")
    (row,) = store.list_cases()
    assert (row["version"], row["age_years"], row["status"]) == (1, 42, "steroid-refractory")


def test_another_patient_with_the_base_version_is_refused_showing_both(store: CaseStore) -> None:
    store.save("W3-101", A, "alice")
    with pytest.raises(IdentityMismatchError) as refused:
        store.save("W3-101", C, "carol", base_version=1)
    message = str(refused.value)
    assert "stored: steroid start 2026-11-01, age 42" in message
    assert "this file: steroid start 2026-11-03, age 67" in message
    assert refused.value.version == 1
    assert refused.value.stored["patient"]["age_years"] == 42
    assert refused.value.given["patient"]["age_years"] == 67
    assert [v["version"] for v in store.history("W3-101")] == [1]


@pytest.mark.parametrize(
    ("change", "same"),
    [
        ({"age": 42.9}, True),  # whole years: 42.9 is still 42
        ({"age": 43}, False),
        ({"age": 41.99}, False),
        ({"start": "2026-11-02"}, False),
    ],
)
def test_the_binding_is_the_start_date_and_the_whole_years(
    store: CaseStore, change: dict, same: bool
) -> None:
    store.save("W-1", A_DAY0, "alice")
    start = change.get("start", "2026-11-01")
    other = course((0, 2, 0, 0, 1), start=start, age=change.get("age", 42))
    if same:
        assert store.save("W-1", other, "bob", base_version=1) == 2
    else:
        with pytest.raises(IdentityMismatchError):
            store.save("W-1", other, "bob", base_version=1)


def test_an_identity_change_with_a_reason_is_saved_and_kept_in_the_history(
    store: CaseStore,
) -> None:
    store.save("W3-101", A, "alice")
    assert store.save("W3-101", C, "carol", base_version=1, identity_change="age typo") == 2
    first, second = store.history("W3-101")
    assert first["identity_change"] is None and first["patient"] == (
        "steroid start 2026-11-01, age 42"
    )
    assert second["identity_change"] == "age typo"
    assert second["patient"] == "steroid start 2026-11-03, age 67"
    # the course is now bound to C: A's binding is the different one
    with pytest.raises(IdentityMismatchError):
        store.save("W3-101", A, "alice", base_version=2)
    assert store.save("W3-101", C, "carol", base_version=2) == 3


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_an_identity_change_needs_a_reason_in_words(store: CaseStore, reason: str) -> None:
    store.save("W-1", A, "alice")
    with pytest.raises(InputError, match="--identity-change"):
        store.save("W-1", C, "bob", base_version=1, identity_change=reason)
    assert len(store.history("W-1")) == 1


def test_an_identity_change_where_nothing_changed_is_refused(store: CaseStore) -> None:
    with pytest.raises(InputError, match="a new course has no patient to change"):
        store.save("W-1", A, "alice", identity_change="why")
    store.save("W-1", A_DAY0, "alice")
    with pytest.raises(InputError, match="the patient is unchanged"):
        store.save("W-1", A, "alice", base_version=1, identity_change="why")
    assert len(store.history("W-1")) == 1


def test_the_ehr_reference_is_the_binding_when_present(store: CaseStore) -> None:
    store.save("E-1", with_ehr(A_DAY0), "alice")
    # same EHR patient, age corrected: the same patient
    older = with_ehr(course((0, 2, 0, 0, 1), age=45))
    assert store.save("E-1", older, "alice", base_version=1) == 2
    with pytest.raises(IdentityMismatchError, match="EHR patient pat-123 at https://ehr"):
        store.save("E-1", with_ehr(A, patient_id="pat-999"), "bob", base_version=2)
    with pytest.raises(IdentityMismatchError, match="this file: steroid start 2026-11-01"):
        store.save("E-1", A, "bob", base_version=2)  # the EHR reference dropped
    # a trailing slash is the same server
    slash = with_ehr(A, fhir_server="https://ehr.example.org/fhir/")
    assert store.save("E-1", slash, "bob", base_version=2) == 3
    assert json.loads(store.export("E-1"))["patient"]["ehr"]["patient_id"] == "pat-123"


def test_a_stale_base_is_refused_before_the_patient_is_compared(store: CaseStore) -> None:
    store.save("W-1", A_DAY0, "alice")
    store.save("W-1", A, "bob", base_version=1)
    with pytest.raises(StaleVersionError, match="version 2 was saved by bob"):
        store.save("W-1", C, "carol", base_version=1)


def test_a_refractory_course_is_pending_listed_and_never_closed(store: CaseStore) -> None:
    store.save("W-2", C, "alice")  # decision on day 7, 2026-11-10
    store.save("W-1", A, "alice")  # refractory on 2026-11-05
    rows = store.list_cases()
    assert [r["code"] for r in rows] == ["W-1", "W-2"]
    assert rows[0]["phase"] == "second-line choice pending" != "closed"
    assert rows[0]["next_action"] == "second-line choice pending"
    assert rows[0]["due_date"] == "2026-11-05"


def test_close_by_hand_and_reopen(store: CaseStore) -> None:
    store.save("W-1", A, "alice")
    assert store.close_case("W-1", "transfer to another centre", "bob", base_version=1) == 2
    (row,) = store.list_cases()
    assert (row["phase"], row["closed_reason"], row["due_date"]) == (
        "closed",
        "transfer to another centre",
        None,
    )
    assert row["next_action"] == "closed by hand: transfer to another centre"
    assert json.loads(store.export("W-1", 2)) == json.loads(store.export("W-1", 1))
    with pytest.raises(InputError, match="already closed .transfer to another centre."):
        store.close_case("W-1", "death", "bob", base_version=2)
    # a later save keeps it closed until it is reopened
    assert store.save("W-1", A, "carol", base_version=2) == 3
    assert store.list_cases()[0]["phase"] == "closed"
    assert store.reopen_case("W-1", "carol", base_version=3) == 4
    (row,) = store.list_cases()
    assert (row["phase"], row["closed_reason"], row["due_date"]) == (
        "second-line choice pending",
        None,
        "2026-11-05",
    )
    with pytest.raises(InputError, match="is not closed by hand"):
        store.reopen_case("W-1", "carol", base_version=4)
    events = [(v["event"], v["closed_reason"]) for v in store.history("W-1")]
    assert events == [
        ("save", None),
        ("close", "transfer to another centre"),
        ("save", "transfer to another centre"),
        ("reopen", None),
    ]


def test_close_needs_a_reason_and_a_current_base(store: CaseStore) -> None:
    store.save("W-1", A, "alice")
    with pytest.raises(InputError, match="--reason: give the reason"):
        store.close_case("W-1", " ", "bob", base_version=1)
    with pytest.raises(InputError, match="--base-version"):
        store.close_case("W-1", "death", "bob", base_version=0)
    store.save("W-1", A, "bob", base_version=1)
    with pytest.raises(StaleVersionError, match="version 2 was saved by bob"):
        store.close_case("W-1", "death", "carol", base_version=1)
    with pytest.raises(InputError, match="no saved case with code W-9"):
        store.close_case("W-9", "death", "carol", base_version=1)
    assert len(store.history("W-1")) == 2


def _v1_fields(status: str, rule: str | None, day: int, next_date: date | None) -> dict:
    return {
        "age_years": 42,
        "steroid_start": date(2026, 11, 1),
        "day": day,
        "status": status,
        "rule": rule,
        "max_grade": "II",
        "next_decision_date": next_date,
    }


# The columns of revision 0001, as srgvhd wrote them before 0002.
OLD = table(
    "case_versions",
    *(
        column(name)
        for name in (
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
            "next_decision_date",
        )
    ),
)


def test_an_existing_version_1_store_is_upgraded_on_open(db_url: str) -> None:
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0001")
        assert migrate.current_revision(conn) == "0001"
        for version, doc, fields in [
            (1, A_DAY0, _v1_fields("not refractory so far", None, 0, date(2026, 11, 8))),
            (2, A, _v1_fields("steroid-refractory", "R1", 4, None)),
        ]:
            conn.execute(
                insert(OLD).values(
                    code="OLD-1",
                    version=version,
                    saved_at=datetime(2026, 11, 6, 8, 0),
                    saved_by="alice",
                    case_json=json.dumps({**doc, "case_code": "OLD-1"}),
                    **fields,
                )
            )
    engine.dispose()

    store = CaseStore(db_url)
    try:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision() == "0004"
            binding = conn.execute(
                select(case_versions.c.binding).where(case_versions.c.version == 2)
            ).scalar()
        assert json.loads(binding) == {"steroid_start": "2026-11-01", "age_years": 42}
        assert {c["name"] for c in inspect(store.engine).get_columns("case_versions")} >= {
            "binding",
            "phase",
            "next_action",
            "due_date",
            "closed_reason",
            "identity_change",
            "event",
        }
        (row,) = store.list_cases()
        assert (row["code"], row["version"], row["phase"], row["due_date"]) == (
            "OLD-1",
            2,
            "second-line choice pending",
            "2026-11-05",
        )
        # the old course is guarded like a new one
        with pytest.raises(IdentityMismatchError):
            store.save("OLD-1", C, "carol", base_version=2)
        with pytest.raises(CodeExistsError):
            store.save("OLD-1", C, "carol")
        assert store.save("OLD-1", A, "carol", base_version=2) == 3
        assert [v["event"] for v in store.history("OLD-1")] == ["save", "save", "save"]
    finally:
        store.close()


def test_the_ehr_reference_survives_opening_and_saving_in_the_app_form() -> None:
    """An EHR-bound course opened on the Assess page is saved with the same reference, so the
    form never makes it look like another patient."""
    from srgvhd.app import form as F
    from srgvhd.clinical.case import case_to_dict, parse_case

    opened = F.case_dict_to_form(case_to_dict(parse_case(with_ehr(A))))
    assert F.read_form(opened).case["patient"]["ehr"] == EHR
    new = F.case_dict_to_form(case_to_dict(parse_case(A)))
    assert "ehr" not in F.read_form(new).case["patient"]


@pytest.mark.parametrize(
    ("ehr", "field"),
    [
        ({"fhir_server": "ftp://ehr/fhir", "patient_id": "1"}, "patient.ehr.fhir_server"),
        ({"fhir_server": "https://ehr/fhir", "patient_id": "Jane Doe"}, "patient.ehr.patient_id"),
        ({"fhir_server": "https://ehr/fhir", "patient_id": ""}, "patient.ehr.patient_id"),
        ({"fhir_server": "https://ehr/fhir"}, "patient.ehr.patient_id"),
        ({"fhir_server": "https://ehr/fhir", "patient_id": 7}, "patient.ehr.patient_id"),
        ("pat-1", "patient.ehr"),
    ],
)
def test_a_malformed_ehr_reference_is_refused_naming_the_field(ehr, field: str) -> None:
    from srgvhd.clinical.case import parse_case

    bad = {**A, "patient": {**A["patient"], "ehr": ehr}}
    with pytest.raises(InputError) as refused:
        parse_case(bad)
    assert [p.where for p in refused.value.problems] == [field]


@given(
    first=st.floats(0, 120, allow_nan=False),
    second=st.floats(0, 120, allow_nan=False),
    shift=st.integers(-3, 3),
)
def test_two_courses_share_a_binding_only_with_the_same_start_and_whole_years(
    first: float, second: float, shift: int
) -> None:
    from datetime import timedelta

    from srgvhd.casestore.binding import binding_of

    start = date(2026, 11, 1)
    one = course((0, 2, 0, 0, 1), age=first, start=start.isoformat())
    other_start = (start + timedelta(days=shift)).isoformat()
    two = course((0, 2, 0, 0, 1), age=second, start=other_start)
    same = int(first) == int(second) and shift == 0  # whole years: ages are ≥ 0
    assert (binding_of(one) == binding_of(two)) is same
