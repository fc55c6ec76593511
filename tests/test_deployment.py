"""Deployment defaults (docs/deploying.md): what a ward server gets without anyone configuring it.

.streamlit/config.toml must bind to loopback, keep XSRF protection, cap uploads, send no usage
statistics, never look up the machine's external address and skip the post-script collection;
the pages' own upload caps must not exceed the server's; oversized files are refused by srgvhd
before any parsing; and no log line (CLI logging, AppTest session, the live server at
DEBUG level) carries a patient value. The live-server tests drive Streamlit's own websocket
protocol (perf/load_check.py) and its upload endpoint on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from streamlit import net_util
from streamlit.testing.v1 import AppTest
from streamlit.web.server import server_util

from perf.load_check import Level, Tally, level_row, open_page, read_run, report, rerun_message
from perf.load_check import main as load_main
from srgvhd.app import guards
from srgvhd.cli.main import main as cli_main
from srgvhd.clinical import case as case_module
from srgvhd.errors import InputError
from srgvhd.network import is_loopback
from tests.support.local_server import HOST, free_port, start, stop

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
CONFIG = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
CASE_CAP_BYTES = 1_000_000  # interfaces.md §1 case files are a few kB; the app caps them at 1 MB

# Distinctive patient values: none of them may appear in any log.
AGE, HEMOGLOBIN_G_L, BILIRUBIN_MG_DL = 47.31, 77.73, 7.779
PATIENT_VALUES = ("47.31", "77.73", "7.779")


def _distinctive_case() -> dict:
    """A valid srgvhd-case/1 document carrying the distinctive values (interfaces.md §1)."""
    return {
        "format": "srgvhd-case/1",
        "patient": {
            "age_years": AGE,
            "weight_kg": 70.0,
            "hemoglobin": {"value": HEMOGLOBIN_G_L, "unit": "g/L"},
        },
        "steroids": {"start_date": "2026-10-20", "methylprednisolone_mg_per_kg_day": 2.0},
        "assessments": [
            {
                "date": "2026-10-20",
                "measurements": {
                    "skin_rash_bsa_percent": 30,
                    "bilirubin": {"value": BILIRUBIN_MG_DL, "unit": "mg/dL"},
                },
            },
            {
                "date": "2026-10-27",
                "measurements": {
                    "skin_rash_bsa_percent": 30,
                    "bilirubin": {"value": BILIRUBIN_MG_DL, "unit": "mg/dL"},
                },
            },
        ],
        "grade_override": None,
    }


def _leaked(text: str) -> list[str]:
    return [value for value in PATIENT_VALUES if value in text]


# ---------------------------------------------------------------- config.toml


def test_server_binds_to_loopback_only() -> None:
    assert CONFIG["server"]["address"] == "127.0.0.1"


def test_xsrf_protection_stays_on() -> None:
    assert CONFIG["server"]["enableXsrfProtection"] is True


def test_usage_statistics_are_off() -> None:
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_uploads_are_capped_small() -> None:
    # Streamlit's default is 200 MB; a cohort of 1,000,000 patients is ~28 MB of CSV.
    assert 28 <= CONFIG["server"]["maxUploadSize"] <= 40


def test_cors_is_not_opened() -> None:
    # enableCORS = false would let pages of any other site call the server.
    assert CONFIG["server"].get("enableCORS", True) is True


def test_server_address_is_set_so_no_external_ip_lookup_happens() -> None:
    # Unset, a server bound to 0.0.0.0 asks checkip.amazonaws.com for its public address.
    assert is_loopback(CONFIG["browser"]["serverAddress"])


def test_cross_site_origins_never_trigger_an_external_ip_lookup(monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("Streamlit tried to look up this machine's external address")

    monkeypatch.setattr(net_util, "_make_blocking_http_get", no_network)
    monkeypatch.setattr(net_util, "_external_ip", None)
    monkeypatch.setattr(net_util, "get_external_ip", net_util.get_external_ip)  # restored after
    guards.install()
    assert not server_util.is_url_from_allowed_origins("http://evil.example.org")
    assert server_util.is_url_from_allowed_origins("http://localhost:8501")


def test_post_script_garbage_collection_is_off() -> None:
    # A full collection after every rerun was 55% of the server's busy time
    # (perf/results/load-gc.md).
    assert CONFIG["runner"]["postScriptGC"] is False


def test_users_see_no_tracebacks() -> None:
    # Streamlit's default "full" shows exception messages and stack traces (file paths, code,
    # sometimes values) in the browser; on a ward server the log is the place for them.
    shown = CONFIG.get("client", {}).get("showErrorDetails", "full")
    assert shown in ("type", "none"), f"client.showErrorDetails is {shown!r}"


def test_every_uploader_is_capped_at_or_below_the_server_cap(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(tmp_path))
    caps = {}
    for page in ("views/assess.py", "views/model.py"):
        at = AppTest.from_file(str(REPO / page), default_timeout=30).run()
        caps.update({u.proto.label: u.proto.max_upload_size_mb for u in at.get("file_uploader")})
    assert set(caps) == {"Open case", "Cohort CSV"}
    assert all(0 < cap <= CONFIG["server"]["maxUploadSize"] for cap in caps.values()), caps


# ---------------------------------------------------------------- srgvhd's own size checks


def test_oversized_case_file_is_refused_before_it_is_decoded(monkeypatch) -> None:
    def no_parsing(*args, **kwargs):
        raise AssertionError("an oversized case file reached the JSON parser")

    monkeypatch.setattr(case_module.json, "loads", no_parsing)
    big = b"{" + b" " * CASE_CAP_BYTES + b"}"
    with pytest.raises(InputError) as info:
        case_module.loads_case(big)
    assert [p.where for p in info.value.problems] == ["file"]


def test_oversized_case_upload_leaves_the_form_as_it_was(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=30).run().switch_page("views/assess.py").run()
    at.text_input(key="assess_age").input("33").run()
    big = b'{"format": "srgvhd-case/1", "pad": "' + b"x" * (2 * CASE_CAP_BYTES) + b'"}'
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("huge.json", big, "application/json")
    ).run()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert errors and all("form is unchanged" in e and "file" in e for e in errors)
    assert at.text_input(key="assess_age").value == "33"


# ---------------------------------------------------------------- no patient values in logs


@pytest.fixture
def debug_log() -> Iterator[list[str]]:
    """Every log record of every logger (root and streamlit's own), at DEBUG, as text."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep(logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("streamlit"), logging.getLogger("srgvhd")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield records
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_cli_logs_no_patient_values(tmp_path, debug_log, capsys) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(_distinctive_case()), encoding="utf-8")
    assert cli_main(["assess", str(path), "--json", "--models-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["status"]["value"]  # it did assess the case
    assert _leaked("\n".join(debug_log)) == []
    assert _leaked(captured.err) == []


def test_app_session_logs_no_patient_values(tmp_path, monkeypatch, debug_log) -> None:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=30).run().switch_page("views/assess.py").run()
    at.text_input(key="assess_age").input(str(AGE))
    at.text_input(key="assess_hb").input(str(HEMOGLOBIN_G_L))
    at.text_input(key="assess_steroid_start").input("2026-10-20")
    for row, day in enumerate(("2026-10-20", "2026-10-27")):
        at.button(key="assess_add_assessment").click().run()
        at.text_input(key=f"assess_assessments_{row}_date").input(day)
        at.text_input(key=f"assess_assessments_{row}_rash_bsa").input("30")
        at.text_input(key=f"assess_assessments_{row}_bilirubin").input(str(BILIRUBIN_MG_DL))
        at.button(key=f"assess_assessments_{row}_apply").click().run()  # the form's Enter
    at.run()
    assert not at.exception
    shown = " ".join(str(e.value) for e in (*at.error, *at.success, *at.info, *at.warning))
    assert "2026-10-27" in shown or "day 7" in shown  # a verdict was drawn
    assert debug_log, "the DEBUG capture saw nothing; the test would prove nothing"
    assert _leaked("\n".join(debug_log)) == []


# ---------------------------------------------------------------- the live server


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[tuple[int, Path]]:
    """The app on 127.0.0.1 at DEBUG log level with an empty model store; (port, log file)."""
    root = tmp_path_factory.mktemp("live")
    (root / "models").mkdir()
    log = root / "server.log"
    port = free_port()
    server = start(
        REPO / "app.py",
        port,
        log,
        "--logger.level",
        "debug",
        env={"SRGVHD_MODELS_DIR": str(root / "models")},
    )
    yield port, log
    stop(server)


def _enter(port: int, steps: list[dict[str, tuple[str, object]]]):
    """Open a websocket session and send each step's widget values (by user key) like a
    browser would: every value set so far goes with each rerun, a button's ``trigger_value``
    only with its own step; the last run."""

    async def talk():
        url = f"ws://{HOST}:{port}/_stcore/stream"
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            run = await open_page(ws)
            kept: dict[str, tuple[str, object]] = {}
            for step in steps:
                kept.update({k: v for k, v in step.items() if v[0] != "trigger_value"})
                sent = {**kept, **step}
                await ws.send(
                    rerun_message(
                        [(run.widget_ids[key], kind, value) for key, (kind, value) in sent.items()]
                    )
                )
                run = await read_run(ws)
            return run

    return asyncio.run(talk())


def test_live_server_at_debug_level_logs_no_patient_values(live_server) -> None:
    port, log = live_server
    add = {"assess_add_assessment": ("trigger_value", True)}
    steps = [
        {
            "assess_age": ("string_value", str(AGE)),
            "assess_hb": ("string_value", str(HEMOGLOBIN_G_L)),
            "assess_steroid_start": ("string_value", "2026-10-20"),
            **add,
        }
    ]
    for row, day in enumerate(("2026-10-20", "2026-10-27")):
        steps.append(
            {
                f"assess_assessments_{row}_date": ("string_value", day),
                f"assess_assessments_{row}_rash_bsa": ("string_value", "30"),
                f"assess_assessments_{row}_bilirubin": ("string_value", str(BILIRUBIN_MG_DL)),
                **(add if row == 0 else {}),
            }
        )
    result = _enter(port, steps)
    assert not result.exceptions
    assert any("day 7" in alert or "2026-10-27" in alert for alert in result.alerts)
    text = log.read_text(errors="replace")
    # "Runtime state: …" is a streamlit.runtime DEBUG message: the capture is at DEBUG level.
    assert "Runtime state:" in text, "the server did not log at DEBUG; the test proves nothing"
    assert _leaked(text) == []


def _xsrf_cookie(port: int) -> str:
    with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=10) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    match = next(re.match(r"_streamlit_xsrf=([^;]+)", c) for c in cookies if "_xsrf" in c)
    return match.group(1)


def _upload(port: int, session_id: str, size: int, *, xsrf: str | None) -> int:
    """PUT a multipart file of ``size`` bytes to the upload endpoint; the HTTP status."""
    boundary = "srgvhdtestboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="c.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    body += b"a" * size + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    if xsrf:
        headers |= {"X-Xsrftoken": xsrf, "Cookie": f"_streamlit_xsrf={xsrf}"}
    url = f"http://{HOST}:{port}/_stcore/upload_file/{session_id}/f1"
    request = urllib.request.Request(url, data=body, method="PUT", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (ConnectionError, urllib.error.URLError):  # the server may cut an oversized body
        return 413


def test_live_server_refuses_oversized_and_unsigned_uploads(live_server) -> None:
    port, _ = live_server
    xsrf = _xsrf_cookie(port)
    cap = CONFIG["server"]["maxUploadSize"] * 1024 * 1024

    async def uploads() -> list[int]:
        url = f"ws://{HOST}:{port}/_stcore/stream"
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            await ws.send(rerun_message())
            session = (await read_run(ws)).session_id  # uploads need a live session
            return [
                await asyncio.to_thread(_upload, port, session, size, xsrf=token)
                for size, token in ((1_000, xsrf), (cap + 2_000_000, xsrf), (1_000, None))
            ]

    small, oversized, unsigned = asyncio.run(uploads())
    assert small in (200, 204)
    assert oversized == 413
    assert unsigned == 403


# ---------------------------------------------------------------- the load check's table


def _level(sessions: int, verdicts: list[float], errors: int = 0) -> Level:
    tally = Tally(
        completed=len(verdicts),
        verdict_seconds=verdicts,
        errors=[f"error {n}" for n in range(errors)],
    )
    return Level(sessions, tally, peak_mb=300.0, cpu_used=30.0, wall_used=60.0)


@pytest.mark.parametrize(
    ("verdicts", "errors", "mark"),
    [([0.5] * 18 + [0.99] * 2, 0, "✅"), ([0.5] * 18 + [1.0] * 2, 0, "❌"), ([0.5] * 20, 1, "❌")],
)
def test_load_table_marks_the_goal_at_its_boundary(verdicts, errors, mark) -> None:
    row = level_row(_level(20, verdicts, errors))
    assert row.endswith(f"| {mark} |")
    assert f"| 20 | 20 | {errors} | 0.50 s |" in row  # sessions, loops, errors, p50


def test_load_report_has_one_row_per_level_and_lists_errors() -> None:
    table = report([_level(1, [0.1]), _level(20, [0.5], errors=2)], 60.0, ())
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    assert [r.split("|")[1].strip() for r in rows] == ["sessions", "1", "20"]
    assert "- error 0" in table and "- error 1" in table


@pytest.mark.parametrize(
    "argv", [["--sessions", "0"], ["--sessions", "21"], ["--seconds", "0.5"], ["--sessions", "x"]]
)
def test_load_check_refuses_out_of_range_arguments(argv) -> None:
    with pytest.raises(SystemExit) as info:
        load_main(argv)
    assert info.value.code == 2
