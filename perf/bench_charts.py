"""Benchmark: building the Assess page's two charts per rerun (not part of pytest).

Run from the repository root: ``.venv/bin/python perf/bench_charts.py``. Writes a Markdown
table to perf/results/charts.md and prints it. Medians, alternating; the machine is printed.

Ours: ``srgvhd.report.vega`` plain Vega-Lite dicts for the timeline and the survival curve,
serialised to JSON (what ``st.vega_lite_chart`` sends). Peer, same run: the page's former Altair
charts (the same encodings as Altair objects), turned into their validated spec with
``to_dict()`` (what ``st.altair_chart`` does on every rerun) and serialised the same way.
Case: examples/refractory_r1.json with the bundled model's estimate (curve up to 400 points).
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perf.machine import describe_machine  # noqa: E402

OUT = REPO / "perf" / "results" / "charts.md"
CASE = REPO / "examples" / "refractory_r1.json"
REPEATS = 40


def _inputs() -> tuple[Any, dict]:
    from srgvhd.clinical.case import load_case
    from srgvhd.risk.patient import assess_patient
    from srgvhd.risk.store import ModelStore, default_root

    case = load_case(CASE)
    model, _ = ModelStore(default_root()).load_active()
    result = assess_patient(case, model)
    return result.course, result.to_json()["risk"]


def ours(course: Any, risk: dict) -> int:
    from srgvhd.report.vega import survival_spec, timeline_spec

    specs = (
        timeline_spec(course),
        survival_spec(risk["curve"], [int(d) for d in risk["survival"]]),
    )
    return sum(len(json.dumps(spec)) for spec in specs)


def altair_peer(course: Any, risk: dict) -> int:
    """The former page code's charts, built with Altair and validated by ``to_dict()``."""
    import altair as alt
    import pandas as pd

    from srgvhd.report.vega import RESPONSE_COLOURS

    grades = ["0", "I", "II", "III", "IV"]
    data = pd.DataFrame(
        [
            {
                "day": a.day,
                "grade": a.grade.rank,
                "MAGIC grade": a.grade.value,
                "response": a.response.value if a.response else "baseline",
            }
            for a in course.assessments
        ]
    )
    labels = "[" + ",".join(f"'{g}'" for g in grades) + "][datum.value]"
    base = alt.Chart(data).encode(
        x=alt.X(
            "day:Q",
            title="day of steroids",
            scale=alt.Scale(padding=12),
            axis=alt.Axis(format="d", tickMinStep=1),
        ),
        y=alt.Y(
            "grade:Q",
            title="MAGIC grade",
            scale=alt.Scale(domain=[0, 4]),
            axis=alt.Axis(values=list(range(5)), labelExpr=labels),
        ),
    )
    shown = [r for r in RESPONSE_COLOURS if r in set(data["response"])]
    legend = alt.Legend(orient="bottom", direction="horizontal", title="response")
    points = base.mark_point(size=160, filled=True, opacity=1).encode(
        color=alt.Color(
            "response:N",
            legend=legend,
            scale=alt.Scale(domain=shown, range=[RESPONSE_COLOURS[r] for r in shown]),
        ),
        shape=alt.Shape("response:N", legend=legend, scale=alt.Scale(domain=shown)),
        tooltip=["day", "MAGIC grade", "response"],
    )
    timeline = base.mark_line(color="#999") + points
    curve = pd.DataFrame(risk["curve"]).dropna()
    cbase = alt.Chart(curve).encode(x=alt.X("days:Q", title="days from second-line therapy"))
    band = cbase.mark_area(opacity=0.25).encode(
        y=alt.Y("lower:Q", title="survival", scale=alt.Scale(domain=[0, 1])), y2="upper:Q"
    )
    survival = band + cbase.mark_line().encode(y="estimate:Q")
    return sum(len(json.dumps(chart.to_dict())) for chart in (timeline, survival))


def timed(build: Any, *args: Any) -> float:
    start = time.perf_counter()
    build(*args)
    return 1000 * (time.perf_counter() - start)


def main() -> None:
    course, risk = _inputs()
    ours(course, risk)  # warm imports
    altair_peer(course, risk)
    our_ms, peer_ms = [], []
    for _ in range(REPEATS):
        our_ms.append(timed(ours, course, risk))
        peer_ms.append(timed(altair_peer, course, risk))
    mine, peer = statistics.median(our_ms), statistics.median(peer_ms)
    text = (
        f"# Assess page charts per rerun\n\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        f"{describe_machine()}, Python {platform.python_version()}; medians of {REPEATS} "
        "alternating runs.\n\n"
        "| measure | peer (same run) | ours | ratio |\n|---|---|---|---|\n"
        f"| timeline + survival chart spec, built and serialised | {peer:.1f} ms (Altair "
        f"objects + validated to_dict) | {mine:.2f} ms (plain Vega-Lite dicts) | "
        f"{mine / peer:.3f}× |\n"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
