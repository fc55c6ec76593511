"""Benchmark: CPU of one Assess page rerun against the rows of the case (not part of pytest).

Run from the repository root: ``.venv/bin/python perf/bench_rows.py [--rows 10 50 100]
[--repeats 5]``. Writes perf/results/rows.md and rows.json (the summary's row) and prints the
table.

What is measured: a course with N assessments, N dose changes and N labs (``tests.cases.
long_course``; 100 is the most a case may hold, docs/interfaces.md §1) is saved in an SQLite store
and opened from the Ward page into the Assess page with Streamlit's AppTest; then ``--repeats``
reruns, each after typing a new age, are timed as this process's CPU time (the script thread
draws the form, reads it, runs the engine and builds the charts; the test's own thread waits).
Medians. Goal: at most 1 s at the maximum; the cost should grow linearly with N.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perf.summary import Row, write_rows  # noqa: E402

RESULTS = REPO / "perf" / "results" / "rows.md"
GOAL_S = 1.0


def rerun_cpu(rows: int, repeats: int) -> list[float]:
    """CPU seconds of each of ``repeats`` Assess reruns with a ``rows``-row course open."""
    from streamlit.testing.v1 import AppTest

    from srgvhd.casestore.store import CaseStore
    from srgvhd.clinical.case import MAX_ASSESSMENTS
    from tests.cases import long_course

    with tempfile.TemporaryDirectory(prefix="bench-rows-") as tmp:
        url = f"sqlite:///{tmp}/cases.sqlite3"
        os.environ["SRGVHD_DATABASE_URL"] = url
        os.environ["SRGVHD_MODELS_DIR"] = str(REPO / "models")
        start = (date.today() - timedelta(days=min(rows, MAX_ASSESSMENTS) + 2)).isoformat()
        store = CaseStore(url)
        store.save("LONG", long_course(rows, start=start), "bench")
        store.close()
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600).run()
        at.toggle(key="ward_closed").set_value(True).run()
        at.selectbox(key="ward_pick").set_value("LONG")
        at.button(key="ward_open").click().run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        seconds = []
        for n in range(repeats + 1):
            field = at.text_input(key="assess_age").input(f"{50 + n}")
            started = time.process_time()
            field.run()
            if n:  # the first rerun warms caches (charts, model): not counted
                seconds.append(time.process_time() - started)
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        return seconds


def report(results: dict[int, list[float]]) -> str:
    lines = [
        "# Assess page rerun against the rows of a case",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores (shared). A course with "
        "N assessments, N dose changes and N labs opened from the Ward page (AppTest); CPU of "
        "one rerun after typing a new age, median of the reruns after a warm-up one. 100 is the "
        f"most a case may hold. Goal: ≤ {GOAL_S:g} s at the maximum.",
        "",
        "| rows (each table) | CPU per rerun, median (s) | runs (s) |",
        "|---|---|---|",
    ]
    for rows, seconds in results.items():
        runs = ", ".join(f"{s:.2f}" for s in seconds)
        lines.append(f"| {rows} | {statistics.median(seconds):.2f} | {runs} |")
    return "\n".join([*lines, ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    results = {rows: rerun_cpu(rows, args.repeats) for rows in args.rows}
    text = report(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    at_max = statistics.median(results[max(results)])
    write_rows(
        "rows",
        {
            "assess_rows_max": Row(
                peer="—",
                ours=f"{at_max:.2f} s CPU ({max(results)} rows in each table)",
                ratio=f"{at_max / GOAL_S:.2f}× goal",
                met=at_max <= GOAL_S,
            )
        },
    )
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
