"""The case store's words in the clinician's language (AppTest on a real store, the CLI in a
subprocess): the Ward's next action said in German and Chinese while ``cases list --json`` keeps
the English text, the close-by-hand reasons shown translated and stored in English, the store
panel's stale-save and identity-change messages in German; and the next action's stored message
(``next_action_msg``, migration 0004): filled in for the courses of an upgraded store, read back
strictly, any bad value shown as the stored English text.

Expected words are written here by hand from docs/glossary.md (day N: "Tag N" / "第N天"; liver:
"Leber" / "肝脏"; second-line choice pending; closed by hand ○).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import column, create_engine, insert, select, table
from streamlit.testing.v1 import AppTest

from srgvhd.app.language import QUERY_KEY
from srgvhd.casestore import migrate
from srgvhd.casestore.database import resolve_url
from srgvhd.casestore.message_json import message_from_json, message_json
from srgvhd.casestore.schema import case_versions
from srgvhd.casestore.store import CaseStore
from srgvhd.casestore.summary import list_fields
from srgvhd.i18n import Listed, Msg, current, using
from tests import casestore_db
from tests.cases import case_doc, course, day_date
from tests.test_casestore_cli import cases

REPO = Path(__file__).resolve().parents[1]
db_url = casestore_db.db_url


def _start(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


def waiting_course(start: str) -> dict:
    """Liver stage 2 on day 0, liver not measured on day 7: rule R2 cannot be judged, the
    decision on day 7 waits for "liver not measured on day 7" (clinical-rules.md §7.6)."""
    doc = case_doc(
        [
            {"date": start, "stages": {"skin": 1, "liver": 2, "upper_gi": 0, "lower_gi": 0}},
            {
                "date": day_date(7, start),
                "stages": {"skin": 1, "liver": None, "upper_gi": 0, "lower_gi": 0},
            },
        ],
        start=start,
    )
    doc["format"] = "srgvhd-case/2"
    return doc


# ---------------------------------------------------------------- the stored message


def test_a_waiting_reason_round_trips_and_is_said_in_each_language() -> None:
    fields = list_fields(waiting_course("2026-11-01"))
    english = "decision on day 7 (liver not measured on day 7)"
    assert fields["next_action"] == english and type(fields["next_action"]) is str
    message = message_from_json(fields["next_action_msg"], english)
    assert isinstance(message, Msg) and message == english
    with using("de"):
        assert current().text(message) == "Entscheidung an Tag 7 (Leber an Tag 7 nicht gemessen)"
    with using("zh"):
        assert current().text(message) == "第7天判定（第7天未测量肝脏）"
    with using("fr"):
        assert current().text(message) == "décision à J7 (foie non mesuré(s) à J7)"


def _encoded(template: str, **params) -> str:
    return json.dumps({"template": template, "params": params})


NESTED = Msg(
    "decision on day {day} ({reason})",
    day=7,
    reason=Msg("{organs} not measured on day {day}", organs=Listed(["liver", "skin"]), day=7),
)


@pytest.mark.parametrize(
    ("stored", "english"),
    [
        ("{not json", "decision on day 7"),
        ('{"template": "decision on day {day}", "params": {"day": 7}, "params": {}}', "x"),
        (_encoded("decision on day {day.real}", **{"day.real": 7}), "decision on day 7"),
        (_encoded("decision on day {day.__class__}", day=7), "decision on day 7"),
        (_encoded("decision on day {day!r}", day=7), "decision on day 7"),
        (_encoded("decision on day {day:>3}", day=7), "decision on day   7"),
        (_encoded("decision on day {0}", **{"0": 7}), "decision on day 7"),
        (_encoded("decision on day {day}", day=7, extra=1), "decision on day 7"),
        (_encoded("decision on day {day}"), "decision on day {day}"),
        (_encoded("decision on day {day}", day=True), "decision on day True"),
        (_encoded("decision on day {day}", day=None), "decision on day None"),
        (_encoded("decision on day {day}", day=[7]), "decision on day [7]"),
        (_encoded("decision on day {day}", day=8), "decision on day 7"),  # says something else
        (_encoded("{a}", a={"items": ["x", "y"], "style": "weird"}), "x and y"),
        (_encoded("{a}", a={"items": [{"date": "2026-13-40"}], "style": "unit"}), "x"),
        ("[" * 40 + "]" * 40, "x"),
        (_encoded("decision on day {day}", day=7) + " " * 5_000, "decision on day 7"),
        ('"decision on day 7"', "decision on day 7"),  # a JSON string, not a message
    ],
)
def test_a_bad_stored_message_gives_the_stored_english_text(stored: str, english: str) -> None:
    shown = message_from_json(stored, english)
    assert shown == english and not isinstance(shown, Msg)


def test_a_nested_message_with_a_list_is_read_back_whole() -> None:
    back = message_from_json(message_json(NESTED), str(NESTED))
    assert isinstance(back, Msg) and back.params["reason"].params["organs"].items == (
        "liver",
        "skin",
    )
    with using("de"):
        assert (
            current().text(back) == "Entscheidung an Tag 7 (Leber und Haut an Tag 7 nicht gemessen)"
        )


# ---------------------------------------------------------------- the Ward in de and zh


@pytest.fixture
def ward_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """WAIT (waiting for the liver on day 7), PEND (refractory by R1, no second line), GONE
    (closed by hand: death) and OPEN (day 0 only, to be closed in the test)."""
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    store = CaseStore(url)
    store.save("WAIT", waiting_course(_start(9)), "alice")
    store.save("PEND", course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1), start=_start(20)), "bob")
    store.save("GONE", course((0, 2, 0, 0, 1), start=_start(3)), "bob")
    store.close_case("GONE", "death", "bob", 1)
    store.save("OPEN", course((0, 2, 0, 0, 1), start=_start(1)), "bob")
    store.close()
    return url


def _in_language(page: str, url: str, code: str | None) -> None:
    """app.py's language selector, then a page script (AppTest's rerun of app.py runs the page
    on its own, without the selector). With ``code``, the Assess page opens that course's
    latest version first, as the Ward page's Open does."""
    import json
    import runpy

    import streamlit as st

    from srgvhd.app import store_panel
    from srgvhd.app.language import choose_language
    from srgvhd.casestore.store import CaseStore

    choose_language()
    if code is not None and "test_opened" not in st.session_state:
        st.session_state["test_opened"] = True
        store = CaseStore(url)
        version = store.latest(code).version
        store_panel.open_course(code, version, json.loads(store.export(code, version)))
        store.close()
    runpy.run_path(page, run_name="__main__")


def _page(page: str, lang: str, url: str, code: str | None = None) -> AppTest:
    at = AppTest.from_function(
        _in_language, default_timeout=30, args=(str(REPO / "views" / page), url, code)
    )
    at.query_params[QUERY_KEY] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _ward(lang: str, url: str) -> AppTest:
    at = _page("ward.py", lang, url)
    at.toggle(key="ward_closed").set_value(True).run()
    return at


def _actions(at: AppTest) -> dict[str, str]:
    frame = at.dataframe[0].value
    code, action = frame.columns[1], frame.columns[3]
    return dict(zip(frame[code], frame[action], strict=True))


def _page_text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "success", "error", "info")
        for e in getattr(at, kind)
    ]
    parts += [str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()]
    parts += [str(c) for d in at.dataframe for c in d.value.columns]
    parts += [w.label for w in (*at.button, *at.selectbox, *at.text_input, *at.expander)]
    parts += [o for s in at.selectbox for o in s.options]
    return "\n".join(parts)


ENGLISH = (
    "decision on day",
    "not measured on day",
    "second-line choice pending",
    "closed by hand",
    "death",
    "transfer to another centre",
    "other (say which)",
    "nothing left to decide",
    "Reason",
    "Reopen",
    "Close ",
)


@pytest.mark.parametrize(
    ("lang", "waiting", "pending", "closed", "reasons", "nothing_left"),
    [
        (
            "de",
            "Entscheidung an Tag 7 (Leber an Tag 7 nicht gemessen)",
            "Wahl der Zweitlinientherapie ausstehend",
            "von Hand abgeschlossen: Tod",
            ["Tod", "Verlegung in ein anderes Zentrum", "anderer Grund (bitte angeben)"],
            "nichts mehr zu entscheiden",
        ),
        (
            "zh",
            "第7天判定（第7天未测量肝脏）",
            "待选择二线治疗",
            "手动结束：死亡",
            ["死亡", "转至其他中心", "其他（请注明）"],
            "已无待判定事项",
        ),
    ],
)
def test_the_ward_says_next_actions_and_closing_in_the_language(
    ward_store: str,
    lang: str,
    waiting: str,
    pending: str,
    closed: str,
    reasons: list[str],
    nothing_left: str,
) -> None:
    at = _ward(lang, ward_store)
    actions = _actions(at)
    assert actions["WAIT"] == waiting
    assert actions["PEND"] == pending
    assert actions["GONE"] == closed
    at.selectbox(key="ward_pick").set_value("GONE").run()
    assert any(reasons[0] in c.value for c in at.caption)  # "was closed by hand: death"
    at.selectbox(key="ward_pick").set_value("OPEN").run()
    assert at.selectbox(key="ward_close_kind").options == reasons
    text = _page_text(at)
    for english in ENGLISH:
        assert english not in text, (english, text)
    at.selectbox(key="ward_close_kind").set_value("transfer to another centre").run()
    at.button(key="ward_close").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(reasons[1] in s.value for s in at.success), [s.value for s in at.success]
    history = CaseStore(ward_store).history("OPEN")
    assert history[-1]["closed_reason"] == "transfer to another centre"  # stored in English
    at.selectbox(key="ward_pick").set_value("OPEN").run()
    assert _actions(at)["OPEN"] == closed.replace(reasons[0], reasons[1])
    at.selectbox(key="ward_pick").set_value("PEND").run()
    assert not [c for c in at.caption if nothing_left in c.value]  # pending is never "closed"


def test_the_cli_list_keeps_the_english_next_action(ward_store: str) -> None:
    listed = cases("list", "--json", db=ward_store)
    assert listed.returncode == 0, listed.stderr
    actions = {r["code"]: r["next_action"] for r in json.loads(listed.stdout)}
    assert actions == {
        "WAIT": "decision on day 7 (liver not measured on day 7)",
        "PEND": "second-line choice pending",
        "GONE": "closed by hand: death",
        "OPEN": "decision on day 7",
    }
    assert "next_action_msg" not in listed.stdout


# ---------------------------------------------------------------- the store panel in German


@pytest.fixture
def german() -> Iterator[None]:
    """AppTest calls the Assess page's select-box format functions again in the test's own
    thread: the test speaks the page's language there too."""
    with using("de"):
        yield


def _assess_de(url: str, code: str) -> AppTest:
    return _page("assess.py", "de", url, code)


def _frame(at: AppTest, column_name: str) -> list[dict]:
    (frame,) = [d.value for d in at.dataframe if column_name in d.value.columns]
    return frame.to_dict("records")


def test_a_stale_save_is_refused_in_german_with_the_fields_beside(
    ward_store: str, german: None
) -> None:
    at = _assess_de(ward_store, "OPEN")
    other = CaseStore(ward_store)
    other.save("OPEN", course((0, 2, 0, 0, 1), start=_start(1)), "carol", base_version=1)
    other.close()
    at.text_input(key="assess_weight").input("71,5").run()
    at.button(key="store_save").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Nicht gespeichert: OPEN ist über Version 1 hinaus" in errors, errors
    assert "Version 2 wurde von carol um" in errors
    assert "Ihre Eingabe bleibt auf dem Bildschirm" in errors
    beside = _frame(at, "Ihre Eingabe")
    assert {"Feld": "Gewicht (kg)", "Version 2": "70", "Ihre Eingabe": "71,5"} in beside
    assert [b.label for b in at.button if b.key == "store_open_newer"] == [
        "Neuere Version 2 öffnen (ersetzt die Eingabe auf dem Bildschirm)"
    ]


def test_an_identity_change_is_asked_in_german(ward_store: str, german: None) -> None:
    at = _assess_de(ward_store, "OPEN")
    at.text_input(key="assess_age").input("67").run()  # 42 on version 1
    at.button(key="store_save").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Nicht gespeichert: Diese Eingabe ist nicht der Patient von OPEN (Version 1)." in errors
    both = _frame(at, "OPEN Version 1 (gespeichert)")
    start = date.fromisoformat(_start(1)).strftime("%d.%m.%Y")
    assert both == [
        {
            "Patient": "Alter (Jahre)",
            "OPEN Version 1 (gespeichert)": "42",
            "Ihre Eingabe": "67",
            "": "▲ abweichend",
        },
        {
            "Patient": "Beginn der Steroidtherapie (Tag 0)",
            "OPEN Version 1 (gespeichert)": start,
            "Ihre Eingabe": start,
            "": "gleich",
        },
        {
            "Patient": "Patient in der elektronischen Akte",
            "OPEN Version 1 (gespeichert)": "—",
            "Ihre Eingabe": "—",
            "": "gleich",
        },
    ]
    assert any("Identitätsänderung" in c.value for c in at.caption)
    assert at.text_input(key="store_identity_reason").label.startswith("Grund der Identitäts")
    at.text_input(key="store_identity_reason").input("Alter falsch eingegeben").run()
    at.button(key="store_identity_confirm").click().run()
    assert any("OPEN als Version 2 gespeichert" in s.value for s in at.success)
    history = _frame(at, "geänderte Felder")
    assert [h["was"] for h in history] == [
        "gespeichert",
        "Identitätsänderung: Alter falsch eingegeben",
    ]
    assert history[1]["Patient"] == f"Beginn der Steroidtherapie {start}, Alter 67"


def test_a_course_closed_by_hand_says_so_on_the_assess_page_in_german(
    ward_store: str, german: None
) -> None:
    at = _assess_de(ward_store, "GONE")
    assert any(
        "GONE ist von Hand abgeschlossen (Tod)" in i.value and "Station" in i.value for i in at.info
    ), [i.value for i in at.info]
    history = _frame(at, "geänderte Felder")
    assert [h["was"] for h in history] == ["gespeichert", "von Hand abgeschlossen: Tod"]


# ---------------------------------------------------------------- migration 0004


def _row(code: str, version: int, doc: dict, **overrides) -> dict:
    fields = {k: v for k, v in list_fields(doc).items() if k != "next_action_msg"}
    return {
        "code": code,
        "version": version,
        "saved_at": datetime(2026, 11, 20, 8, 0),
        "saved_by": "alice",
        "case_json": json.dumps({**doc, "case_code": code}),
        "binding": None,
        "event": "save",
        **fields,
        **overrides,
    }


def test_upgrading_from_0003_fills_in_the_next_action_messages(db_url: str) -> None:
    engine = create_engine(resolve_url(db_url))
    old = table(
        "case_versions",
        *(column(c.name) for c in case_versions.columns if c.name != "next_action_msg"),
    )
    waiting = waiting_course("2026-11-01")
    day0 = course((0, 2, 0, 0, 1))
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0003")
        for row in [
            _row("WAIT", 1, day0),
            _row("WAIT", 2, waiting),
            _row("GONE", 1, day0),
            _row(
                "GONE",
                2,
                day0,
                event="close",
                closed_reason="death",
                phase="closed",
                next_action="closed by hand: death",
                due_date=None,
            ),
            # saved by an engine that worded the action otherwise: kept as its English text
            _row("OLDW", 1, day0, next_action="decision on day 7 (older words)"),
            _row("BAD", 1, day0, case_json="{not a case"),
        ]:
            conn.execute(insert(old).values(**row))
    engine.dispose()

    store = CaseStore(db_url)
    try:
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == "0004"
            filled = {
                f"{code}:{version}": message
                for code, version, message in conn.execute(
                    select(
                        case_versions.c.code,
                        case_versions.c.version,
                        case_versions.c.next_action_msg,
                    )
                ).all()
            }
        assert filled["WAIT:1"] is None and filled["GONE:1"] is None  # only the latest
        assert json.loads(filled["GONE:2"]) == {
            "template": "closed by hand: {reason}",
            "params": {"reason": "death"},
        }
        assert json.loads(filled["WAIT:2"])["template"] == "decision on day {day} ({reason})"
        assert filled["OLDW:1"] is None and filled["BAD:1"] is None
        rows = {r["code"]: r["next_action"] for r in store.list_cases()}
        with using("de"):
            said = {code: current().text(action) for code, action in rows.items()}
        assert said["WAIT"] == "Entscheidung an Tag 7 (Leber an Tag 7 nicht gemessen)"
        assert said["GONE"] == "von Hand abgeschlossen: Tod"
        assert said["OLDW"] == "decision on day 7 (older words)"  # the stored English
        # a later save writes the message with the version
        assert store.save("OLDW", day0, "carol", base_version=1) == 2
        (oldw,) = [r for r in store.list_cases() if r["code"] == "OLDW"]
        with using("zh"):
            assert current().text(oldw["next_action"]) == "第7天判定"
    finally:
        store.close()


def test_the_stores_refusals_are_said_in_the_language(ward_store: str) -> None:
    from srgvhd.app.ui import problems_text
    from srgvhd.errors import InputError

    store = CaseStore(ward_store)
    try:
        with pytest.raises(InputError) as closed:
            store.close_case("GONE", "transfer to another centre", "bob", 2)
        with pytest.raises(InputError) as blank:
            store.close_case("OPEN", "   ", "bob", 1)
        with pytest.raises(InputError) as too_long:
            store.close_case("OPEN", "x" * 301, "bob", 1)
    finally:
        store.close()
    assert str(closed.value) == "code: case GONE is already closed (death)"  # the CLI's English
    with using("de"):
        assert "Fall GONE ist bereits abgeschlossen (Tod)" in problems_text(closed.value)
        assert "geben Sie den Grund in Worten an" in problems_text(blank.value)
    with using("zh"):
        assert "超过 300 个字符" in problems_text(too_long.value)
