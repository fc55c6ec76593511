"""Load check: concurrent clinicians on one app server, level by level (README, "Benchmarks").

Run with ``make check-load`` (= ``.venv/bin/python perf/load_check.py --sessions 1 5 10 20 20 20
--seconds 60``: the 20-session level three times, its summary row the median of their p95s);
``--server-option runner.postScriptGC=true`` compares a server setting.

Starts ``streamlit run app.py`` on 127.0.0.1 at a free port (headless, a temporary copy of the
model store via ``SRGVHD_MODELS_DIR``) and drives, level after level, N concurrent sessions as
Streamlit websocket clients — the browser's own protocol (protobuf ``BackMsg``/``ForwardMsg`` on
``/_stcore/stream``), without a browser, so the machine's cores measure the server rather than 20
Chromium renderers. Each loop is one clinician: open a new session on the Assess page, enter a
case (age, hemoglobin, steroid start, dose, three assessments) and read the verdict. The case is
steroid-refractory by rule R2 of the study definition (docs/clinical-rules.md §5a: stages
unchanged on day 3 = no response, which is not R1's progression; no response on day 7 = R2), so
any other verdict counts as an error.

The case is entered field by field as a browser sends it (one rerun per step: patient and
steroids, "Add assessment", an assessment's date and entry mode, its stages). Click-to-verdict
latency = from sending the last entry (the rerun message the browser sends when a widget
changes) to receiving the verdict element. The server's RSS (its process and any children) and
CPU time are sampled with psutil every 0.5 s. Prints a markdown table with p50/p95 per level,
writes it to perf/results/load.md and exits 1 when errors > 0 or peak RSS >= 600 MB.

Bounded: at most 20 sessions, new loops start only during a level's run time, every loop that is
still running is cancelled at run time + 30 s grace, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Dataframe_pb2 import Dataframe
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perf.summary import Row, write_rows  # noqa: E402
from tests.support.local_server import HOST, REPO, free_port, start, stop  # noqa: E402

RESULTS = REPO / "perf" / "results" / "load.md"
FROZEN = REPO / "perf" / "frozen_streamlit.py"
MAX_SESSIONS = 20
SESSION_LEVELS = (1, 5, 10, 20, 20, 20)  # the top level thrice: its summary is the median
RUN_SECONDS = 60.0
MAX_RUN_SECONDS = 600.0
P95_GOAL_S = 1.0
GRACE_SECONDS = 30.0
SAMPLE_SECONDS = 0.5
RSS_GOAL_MB = 600.0
STARTUP_TIMEOUT_SECONDS = 60.0
SERVER_OPTIONS = ("--server.fileWatcherType", "none")
MESSAGE_TIMEOUT_SECONDS = 45.0
EXPECTED_VERDICT = "Steroid-refractory by rule R2"
ADDING_MODES = (Dataframe.EditingMode.DYNAMIC, Dataframe.EditingMode.ADD_ONLY)

# Three assessments entered as stages (clinical-rules.md §1–2: liver 1 + upper GI 1 + lower GI 2
# is grade III at every visit, so day 3 is "no response" and day 7 fires R2).
ASSESSMENT_DATES = ("2026-10-20", "2026-10-23", "2026-10-27")
STAGES = {"skin_stage": 0, "liver_stage": 1, "upper_gi_stage": 1, "lower_gi_stage": 2}


@dataclass
class Tally:
    """What the sessions did: completed loops, latencies and every error with its reason."""

    completed: int = 0
    open_seconds: list[float] = field(default_factory=list)
    verdict_seconds: list[float] = field(default_factory=list)
    full_result_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Run:
    """What one script run sent: widget ids by user key (the id's last ``-`` part), widget
    elements by id, the ids of editable tables that may add rows, alerts, exceptions, markdown
    and caption texts, the session id."""

    widget_ids: dict[str, str] = field(default_factory=dict)
    widgets: dict[str, Any] = field(default_factory=dict)
    editor_ids: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    verdict_at: float | None = None
    session_id: str | None = None


# ---------------------------------------------------------------- server


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, MB (psutil)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total / 2**20


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (psutil); 0 once it is gone."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


class RssSampler(threading.Thread):
    """Samples a process tree's RSS every ``SAMPLE_SECONDS`` until stopped; keeps the peak.

    Also notes the server's CPU seconds and the wall-clock seconds between the first and the
    last sample (``cpu_used``, ``wall_used``).
    """

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self.samples = pid, 0.0, 0
        self.cpu_used = self.wall_used = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        cpu_start, wall_start = cpu_seconds(self.pid), time.monotonic()
        while not self._stop_event.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self.cpu_used = cpu_seconds(self.pid) - cpu_start
            self.wall_used = time.monotonic() - wall_start
            self.samples += 1
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# ---------------------------------------------------------------- one clinician


def rerun_message(
    widget_states: list[tuple[str, str, object]] = (), page: str | None = "assess"
) -> bytes:
    """The BackMsg a browser sends to (re)run a page of the app's navigation, with (id, value
    field, value) widget states. ``page`` is the page's URL path, sent as Streamlit's page script
    hash as the browser does after a click in the navigation (the Assess page unless told);
    None: the default page (Ward). A session first runs app.py (``open_page``), as a browser
    does."""
    from streamlit.util import calc_hash

    message = BackMsg()
    message.rerun_script.query_string = ""
    if page is not None:
        message.rerun_script.page_script_hash = calc_hash(page)
    for widget_id, kind, value in widget_states:
        state = message.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        if kind == "string_array_value":
            state.string_array_value.data.append(value)
        else:
            setattr(state, kind, value)
    return message.SerializeToString()


async def read_run(ws: websockets.ClientConnection) -> Run:
    """Read ForwardMsgs until ``script_finished``; note widgets, alerts, exceptions, verdict."""
    run = Run()
    while True:
        raw = await asyncio.wait_for(ws.recv(), MESSAGE_TIMEOUT_SECONDS)
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if kind == "script_finished":
            return run
        if kind == "new_session":
            run.session_id = message.new_session.initialize.session_id
        if kind != "delta" or message.delta.WhichOneof("type") != "new_element":
            continue
        element_kind = message.delta.new_element.WhichOneof("type")
        element = getattr(message.delta.new_element, element_kind)
        if getattr(element, "id", ""):
            run.widget_ids[element.id.rsplit("-", 1)[-1]] = element.id
            run.widgets[element.id] = element
        if element_kind == "dataframe" and element.editing_mode in ADDING_MODES and element.id:
            run.editor_ids.append(element.id)
        if element_kind == "exception":
            run.exceptions.append(f"{element.type}: {element.message}")
        elif element_kind == "markdown":
            run.texts.append(element.body)
        elif element_kind == "alert":
            run.alerts.append(element.body)
            if run.verdict_at is None and EXPECTED_VERDICT.lower() in element.body.lower():
                run.verdict_at = time.perf_counter()


ADD = {"assess_add_assessment": ("trigger_value", True)}
MODE_STAGES = ("string_value", "organ stages")  # a select box sends its option's label


def case_steps(age: float) -> list[dict[str, tuple[str, object]]]:
    """The form filled in the way a browser does it, one rerun per step (widget user key ->
    (value field, value)): patient and steroids, then per assessment "Add assessment", its
    date and "organ stages", and its stages once their select boxes are drawn (hemoglobin
    102 g/L, methylprednisolone 2 mg/kg)."""
    steps: list[dict[str, tuple[str, object]]] = [
        {
            "assess_age": ("string_value", f"{age:g}"),
            "assess_hb": ("string_value", "102"),
            "assess_steroid_start": ("string_value", ASSESSMENT_DATES[0]),
            "assess_mp_dose": ("string_value", "2"),
            **ADD,
        }
    ]
    for row, day in enumerate(ASSESSMENT_DATES):
        key = f"assess_assessments_{row}_"
        steps.append({f"{key}date": ("string_value", day), f"{key}mode": MODE_STAGES})
        steps.append(
            {f"{key}{field}": ("string_value", str(stage)) for field, stage in STAGES.items()}
        )
        if row + 1 < len(ASSESSMENT_DATES):
            steps[-1].update(ADD)
    return steps


async def enter_steps(
    ws: websockets.ClientConnection, run: Run, steps: list[dict[str, tuple[str, object]]]
) -> tuple[Run, float]:
    """Send each step as a rerun with every value set so far (a button's trigger only in its
    own step); the last run and the time its step was sent."""
    kept: dict[str, tuple[str, object]] = {}
    sent_at = time.perf_counter()
    for step in steps:
        if run.exceptions:
            break
        kept.update({k: v for k, v in step.items() if v[0] != "trigger_value"})
        states = [
            (run.widget_ids[key], kind, value) for key, (kind, value) in {**kept, **step}.items()
        ]
        sent_at = time.perf_counter()
        await ws.send(rerun_message(states))
        run = await read_run(ws)
    return run, sent_at


async def open_page(ws: websockets.ClientConnection, page: str = "assess") -> Run:
    """Open ``page`` in a new session as a browser does: app.py's first run (the default page)
    sets up the navigation, then the page runs. Returns the page's run."""
    await ws.send(rerun_message(page=None))
    await read_run(ws)
    await ws.send(rerun_message(page=page))
    return await read_run(ws)


async def one_clinician(url: str, age: float, tally: Tally) -> None:
    """Open the Assess page in a new session, enter the case, check and time the verdict (from
    the last entry to the verdict)."""
    async with websockets.connect(
        url, subprotocols=["streamlit"], max_size=None, open_timeout=MESSAGE_TIMEOUT_SECONDS
    ) as ws:
        start = time.perf_counter()
        page = await open_page(ws)
        tally.open_seconds.append(time.perf_counter() - start)
        if page.exceptions:
            raise RuntimeError(f"exception on opening the page: {page.exceptions[0]}")
        result, clicked = await enter_steps(ws, page, case_steps(age))
        if result.exceptions:
            raise RuntimeError(f"exception after entering the case: {result.exceptions[0]}")
        if result.verdict_at is None:
            raise RuntimeError(f"no '{EXPECTED_VERDICT}' verdict; alerts: {result.alerts[:3]}")
        tally.verdict_seconds.append(result.verdict_at - clicked)
        tally.full_result_seconds.append(time.perf_counter() - clicked)
        tally.completed += 1


async def clinician_loop(url: str, number: int, stop_at: float, tally: Tally) -> None:
    """One simulated user: new session after new session until the run time is over."""
    loop = 0
    while time.monotonic() < stop_at:
        try:
            await one_clinician(url, 20.0 + (number * 7 + loop) % 60, tally)
        except (
            OSError,
            RuntimeError,
            TimeoutError,
            KeyError,
            websockets.exceptions.WebSocketException,
        ) as exc:
            tally.errors.append(f"session {number} loop {loop}: {type(exc).__name__}: {exc}")
        loop += 1


async def drive(url: str, sessions: int, run_seconds: float) -> Tally:
    """Run ``sessions`` concurrent users for ``run_seconds``; cancel stragglers after the grace."""
    tally = Tally()
    stop_at = time.monotonic() + run_seconds
    tasks = [asyncio.create_task(clinician_loop(url, n, stop_at, tally)) for n in range(sessions)]
    _, pending = await asyncio.wait(tasks, timeout=run_seconds + GRACE_SECONDS)
    for task in pending:
        task.cancel()
        tally.errors.append("a session was still running at the hard stop and was cancelled")
    return tally


# ---------------------------------------------------------------- report


def server_log_errors(log: Path) -> list[str]:
    """One error per traceback in the server's log (an exception the sessions did not see)."""
    text = log.read_text(errors="replace")
    return [f"server log: {line.strip()}" for line in text.splitlines() if "Traceback" in line]


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``fraction`` of values <= it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


@dataclass
class Level:
    """One measured load level: the sessions, what they did, the server's memory and CPU."""

    sessions: int
    tally: Tally
    peak_mb: float
    cpu_used: float
    wall_used: float


def level_row(level: Level) -> str:
    """One table row: sessions, loops, errors, latencies, memory, CPU."""
    tally = level.tally
    p95 = percentile(tally.verdict_seconds, 0.95)
    ok = not tally.errors and p95 is not None and p95 < P95_GOAL_S
    cells = (
        str(level.sessions),
        str(tally.completed),
        str(len(tally.errors)),
        _seconds(percentile(tally.verdict_seconds, 0.50)),
        _seconds(p95),
        _seconds(percentile(tally.full_result_seconds, 0.95)),
        _seconds(percentile(tally.open_seconds, 0.50)),
        _seconds(percentile(tally.open_seconds, 0.95)),
        f"{level.peak_mb:.0f} MB",
        f"{level.cpu_used / max(level.wall_used, 1e-9):.2f}",
        "—" if not tally.completed else f"{level.cpu_used / tally.completed:.2f} s",
        "✅" if ok else "❌",
    )
    return "| " + " | ".join(cells) + " |"


def report(levels: list[Level], run_seconds: float, server_options: tuple[str, ...]) -> str:
    """The markdown result table: one row per load level, with the goals (README, "Benchmarks")."""
    lines = [
        "# Load check",
        "",
        f"`perf/load_check.py` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPU cores, Python {sys.version.split()[0]}. Streamlit websocket "
        "clients on 127.0.0.1 (no browser), one server for all levels, each level run for "
        f"{run_seconds:.0f} s (+ ≤ {GRACE_SECONDS:.0f} s grace); a completed loop = new session "
        "on the Assess page, case entered, R2 verdict read. Server options: "
        f"`{' '.join(server_options) or 'none'}` (runner settings from .streamlit/config.toml).",
        "",
        f"Goal: click-to-verdict p95 < {P95_GOAL_S:.0f} s at {MAX_SESSIONS} sessions, 0 errors, "
        f"peak RSS < {RSS_GOAL_MB:.0f} MB. Latencies are nearest-rank percentiles over all "
        "completed loops; CPU = server CPU seconds per wall-clock second (cores), and per "
        "completed loop (what one clinician's visit costs, less sensitive to other load on the "
        "machine).",
        "",
        "| sessions | loops | errors | verdict p50 | verdict p95 | whole result p95 "
        "| open p50 | open p95 | peak RSS | server CPU (cores) | server CPU per loop "
        "| p95 < 1 s, 0 errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *(level_row(level) for level in levels),
    ]
    errors = [e for level in levels for e in level.tally.errors]
    if errors:
        lines += ["", "First errors:", "", *(f"- {e}" for e in errors[:10])]
    return "\n".join(lines) + "\n"


def summary_row(levels: list[Level]) -> Row:
    """perf/summary.py's row for the 20-session levels: the median of their p95s (a shared
    machine moves one run's p95 by ±0.2 s), every error, the median server CPU per loop."""
    p95s = [percentile(level.tally.verdict_seconds, 0.95) for level in levels]
    p50s = [percentile(level.tally.verdict_seconds, 0.50) for level in levels]
    cpus = [level.cpu_used / level.tally.completed for level in levels if level.tally.completed]
    errors = sum(len(level.tally.errors) for level in levels)
    p95 = None if None in p95s else statistics.median(p95s)
    p50 = None if None in p50s else statistics.median(p50s)
    runs = ", ".join(_seconds(v) for v in p95s)
    return Row(
        "—",
        f"{_seconds(p95)} p95, median of {len(levels)} runs ({runs}; p50 {_seconds(p50)}), "
        f"{errors} errors, {statistics.median(cpus) if cpus else math.nan:.2f} s server CPU "
        "per loop",
        "—" if p95 is None else f"{p95 / P95_GOAL_S:.2f}× goal",
        p95 is not None and p95 < P95_GOAL_S and not errors,
    )


def measure(
    session_levels: list[int],
    run_seconds: float,
    server_options: tuple[str, ...] = (),
    gc_freeze: bool = False,
) -> list[Level]:
    """Start the app on a copy of models/ (through perf/frozen_streamlit.py when ``gc_freeze``),
    drive each level in turn while sampling RSS and CPU, stop the app."""
    levels = []
    with tempfile.TemporaryDirectory(prefix="srgvhd-load-") as tmp:
        models = Path(tmp) / "models"
        shutil.copytree(REPO / "models", models)
        port = free_port()
        log = Path(tmp) / "server.log"
        server = start(
            REPO / "app.py",
            port,
            log,
            *SERVER_OPTIONS,
            *server_options,
            env={"SRGVHD_MODELS_DIR": str(models)},
            timeout_s=STARTUP_TIMEOUT_SECONDS,
            program=[sys.executable, str(FROZEN)] if gc_freeze else None,
        )
        try:
            for sessions in session_levels:
                sampler = RssSampler(server.pid)
                sampler.start()
                try:
                    tally = asyncio.run(
                        drive(f"ws://{HOST}:{port}/_stcore/stream", sessions, run_seconds)
                    )
                finally:
                    sampler.stop()
                levels.append(
                    Level(sessions, tally, sampler.peak_mb, sampler.cpu_used, sampler.wall_used)
                )
        finally:
            stop(server)
        if levels:
            levels[-1].tally.errors += server_log_errors(log)
    return levels


def main(argv: list[str] | None = None) -> int:
    """Start the app, drive the sessions, print and save the table; 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sessions",
        type=int,
        nargs="+",
        default=list(SESSION_LEVELS),
        help=f"concurrent sessions per level, each 1..{MAX_SESSIONS} (default: "
        f"{' '.join(map(str, SESSION_LEVELS))})",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=RUN_SECONDS,
        help=f"run time per level, 1..{MAX_RUN_SECONDS:.0f} s (default {RUN_SECONDS:.0f})",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the table")
    parser.add_argument(
        "--server-option",
        action="append",
        default=[],
        metavar="OPTION=VALUE",
        help="an extra `streamlit run` option, e.g. runner.postScriptGC=true (repeatable)",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="start the server through perf/frozen_streamlit.py (heap frozen after the model "
        "loads)",
    )
    args = parser.parse_args(argv)
    bad = [n for n in args.sessions if not 1 <= n <= MAX_SESSIONS]
    if bad or not 1 <= args.seconds <= MAX_RUN_SECONDS:
        parser.error(
            f"--sessions must each be 1..{MAX_SESSIONS} and --seconds 1..{MAX_RUN_SECONDS:.0f}"
        )
    options = tuple(
        part
        for option in args.server_option
        for part in (f"--{option.split('=', 1)[0]}", option.split("=", 1)[-1])
    )
    levels = measure(args.sessions, args.seconds, options, args.gc_freeze)
    shown = (
        (*options, "(heap frozen at start: perf/frozen_streamlit.py)")
        if args.gc_freeze
        else options
    )
    table = report(levels, args.seconds, shown)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    top = [level for level in levels if level.sessions == MAX_SESSIONS]
    if top and args.out == RESULTS and not options and not args.gc_freeze:
        write_rows("load", {"verdict_p95_20": summary_row(top)})
    failed = any(level.tally.errors or level.peak_mb >= RSS_GOAL_MB for level in levels)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
