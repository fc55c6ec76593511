"""Server CPU per completed case, typed field by field as a browser commits it (one clinician).

Run with ``.venv/bin/python perf/entry_cpu.py --seconds 40`` (``--repo DIR`` measures another
checkout of the app, e.g. an older commit unpacked with ``git archive``). Results go to
perf/results/entry_cpu.md.

Where perf/load_check.py measures latency under many sessions, this measures what one visit
costs the server: one session at a time opens the Assess page and types a case the way a
browser sends it — one message per field as the field is left with Tab (a rerun of the page,
or of the fragment the field is drawn in when the page uses ``st.fragment``: the message then
carries the fragment's id, as the browser's does), one per "Add assessment" click; the fields
of an ``st.form`` (an assessment's findings) are sent together when the form is submitted
(Enter in its last field) — until the verdict appears. Server CPU time (psutil, user +
system) over all completed cases, divided by their number.

The case (docs/clinical-rules.md §1, §2, §5a): 12 years, 38 kg (child thresholds), rash 30 %
BSA (skin 2), bilirubin 1 mg/dL (liver 0), nausea "no" (upper GI 0), stool 900 mL/day
(23.7 mL/kg/day: lower GI 2) on day 0 and unchanged on day 7: grade III, no response on day 7,
"Steroid-refractory by rule R2". Any other verdict is an error.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perf.load_check import cpu_seconds  # noqa: E402
from perf.local_server import HOST, REPO, free_port, start, stop  # noqa: E402
from perf.summary import Row, write_rows  # noqa: E402

RESULTS = REPO / "perf" / "results" / "entry_cpu.md"
EXPECTED_VERDICT = "Steroid-refractory by rule R2"
MESSAGE_TIMEOUT_SECONDS = 45.0
MAX_RUN_SECONDS = 300.0
BEFORE_S = 0.37  # this script on the app before the verdict bar and fragment (2026-12-06)
GOAL_S = BEFORE_S / 2
PATIENT = (
    ("assess_case_code", "W1"),  # a ward course has a code: the case-store panel is drawn too
    ("assess_age", "12"),
    ("assess_weight", "38"),
    ("assess_steroid_start", "2026-11-02"),
    ("assess_mp_dose", "2"),
)
FINDINGS = (
    ("rash_bsa", "30"),
    ("bullae_bsa", "0"),
    ("bilirubin", "1"),
    ("upper_gi", "no"),
    ("stool_ml", "900"),
    ("pain_ileus", "no"),
    ("bloody_stool", "no"),
)
ADD = "assess_add_assessment"


@dataclass
class Page:
    """What the page's runs have sent so far: widget ids by user key, the fragment each widget
    is drawn in (by id), the alerts of the latest runs."""

    ids: dict[str, str] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)
    forms: dict[str, str] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


def steps() -> list[tuple[str, str, object]]:
    """The case as (widget key, value field, value), one entry per message a browser sends."""
    out: list[tuple[str, str, object]] = [(k, "string_value", v) for k, v in PATIENT]
    for row, day in enumerate(("day 0", "day 7")):
        out.append((ADD, "trigger_value", True))
        key = f"assess_assessments_{row}_"
        out.append((f"{key}date", "string_value", day))
        out += [(f"{key}{name}", "string_value", value) for name, value in FINDINGS]
        out.append((f"{key}apply", "trigger_value", True))  # Enter in the last finding
    return out


def message(
    states: dict[str, tuple[str, str, object]], page_hash: str | None, fragment: str = ""
) -> bytes:
    """A rerun BackMsg with every widget state; ``fragment``: rerun only that fragment."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    if page_hash is not None:
        msg.rerun_script.page_script_hash = page_hash
    if fragment:
        msg.rerun_script.fragment_id = fragment
    for widget_id, kind, value in states.values():
        state = msg.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        setattr(state, kind, value)
    return msg.SerializeToString()


async def read(ws: websockets.ClientConnection, page: Page) -> None:
    """Read until a run (of the page or a fragment) has finished, and any rerun it asked for."""
    page.alerts, page.exceptions = [], []
    while True:
        raw = await asyncio.wait_for(ws.recv(), MESSAGE_TIMEOUT_SECONDS)
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "script_finished":
            if msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return
            continue
        if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
            continue
        element_kind = msg.delta.new_element.WhichOneof("type")
        element = getattr(msg.delta.new_element, element_kind)
        if getattr(element, "id", ""):
            page.ids[element.id.rsplit("-", 1)[-1]] = element.id
            page.fragments[element.id] = msg.delta.fragment_id
            page.forms[element.id] = getattr(element, "form_id", "")
        if element_kind == "alert":
            page.alerts.append(element.body)
        elif element_kind == "exception":
            page.exceptions.append(f"{element.type}: {element.message}")


async def one_case(url: str) -> int:
    """Open the Assess page in a new session, type the case, check the verdict; returns the
    number of messages the case took (the page's opening not counted)."""
    from streamlit.util import calc_hash

    assess = calc_hash("assess")
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        page = Page()
        await ws.send(message({}, None))  # app.py's first run: the navigation (Ward)
        await read(ws, page)
        await ws.send(message({}, assess))
        await read(ws, page)
        kept: dict[str, tuple[str, str, object]] = {}
        sent = 0
        for key, kind, value in steps():
            if key.endswith("_apply") and key not in page.ids:
                continue  # an app without the findings form (an older checkout)
            widget = page.ids[key]
            state = (widget, kind, value)
            states = {**kept, key: state}
            if kind != "trigger_value":
                kept[key] = state
            if page.forms.get(widget) and kind != "trigger_value":
                continue  # a field of a form: the browser sends it with the form's submit
            await ws.send(message(states, assess, page.fragments.get(widget, "")))
            sent += 1
            await read(ws, page)
            if page.exceptions:
                raise RuntimeError(page.exceptions[0])
        if not any(EXPECTED_VERDICT in alert for alert in page.alerts):
            raise RuntimeError(f"no {EXPECTED_VERDICT!r}; alerts: {page.alerts[:3]}")
        return sent


def measure(repo: Path, seconds: float) -> tuple[int, float, list[str], int]:
    """Cases completed, server CPU seconds used, errors, messages per case — one session at
    a time."""
    with tempfile.TemporaryDirectory(prefix="srgvhd-entry-cpu-") as tmp:
        models = Path(tmp) / "models"
        shutil.copytree(repo / "models", models)
        port, log = free_port(), Path(tmp) / "server.log"
        server = start(
            repo / "app.py",
            port,
            log,
            "--server.fileWatcherType",
            "none",
            env={
                "SRGVHD_MODELS_DIR": str(models),
                "SRGVHD_DATA_DIR": str(Path(tmp) / "data"),
                "PYTHONPATH": str(repo),  # that checkout's srgvhd, not this one's
            },
        )
        url = f"ws://{HOST}:{port}/_stcore/stream"
        errors: list[str] = []
        try:
            sent = asyncio.run(one_case(url))  # warm: imports, model load, caches
            before, done = cpu_seconds(server.pid), 0
            stop_at = time.monotonic() + seconds
            while time.monotonic() < stop_at:
                try:
                    asyncio.run(one_case(url))
                    done += 1
                except (OSError, RuntimeError, TimeoutError, KeyError) as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
            used = cpu_seconds(server.pid) - before
        finally:
            stop(server)
    return done, used, errors, sent


def main(argv: list[str] | None = None) -> int:
    """Measure, print and save the figure; 1 on any error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="measuring time (≤ 300 s)")
    parser.add_argument("--repo", type=Path, default=REPO, help="the app checkout to serve")
    parser.add_argument("--runs", type=int, default=1, help="repeat the measurement (≤ 5)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= MAX_RUN_SECONDS or not 1 <= args.runs <= 5:
        parser.error(f"--seconds must be 1..{MAX_RUN_SECONDS:.0f} and --runs 1..5")
    figures, errors, fields = [], [], 0
    for _ in range(args.runs):
        done, used, run_errors, fields = measure(args.repo.resolve(), args.seconds)
        errors += run_errors
        if done:
            figures.append((done, used / done))
    per_case = statistics.median(f for _, f in figures) if figures else float("nan")
    lines = [
        "# Server CPU per completed case",
        "",
        f"`perf/entry_cpu.py` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"checkout `{args.repo.resolve().name}`, {args.runs} run(s) of {args.seconds:.0f} s, one "
        f"session at a time, {fields} messages per case (one per field left with Tab, click or "
        "form submitted).",
        "",
        "| run | cases | server CPU per case |",
        "|---|---|---|",
        *(f"| {i} | {n} | {f:.3f} s |" for i, (n, f) in enumerate(figures, 1)),
        f"| median | — | {per_case:.3f} s |",
    ]
    if errors:
        lines += ["", "Errors:", "", *(f"- {e}" for e in errors[:10])]
    table = "\n".join(lines) + "\n"
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")
    if figures and args.out == RESULTS and args.repo.resolve() == REPO:
        row = Row(
            "—",
            f"{per_case:.3f} s, median of {len(figures)} run(s), {fields} messages per case",
            f"{per_case / BEFORE_S:.2f}× before",
            per_case <= GOAL_S and not errors,
        )
        write_rows("entry_cpu", {"entry_cpu": row})
    return 1 if errors or not figures else 0


if __name__ == "__main__":
    raise SystemExit(main())
