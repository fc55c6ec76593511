"""Benchmark: the case store's save and list latency, and the Ward page's paint (not pytest).

Run from the repository root: ``.venv/bin/python perf/bench_store.py [--sizes 10 500 10000]
[--repeats 30]``. Writes a markdown table to perf/results/store.md and prints it.

1. Save and list at 10, 500 and 10,000 courses, on SQLite (a file in a temporary directory, WAL,
   full sync) and on PostgreSQL 15 (a throwaway cluster on 127.0.0.1,
   ``tests.support.pg_cluster``). The store is filled through ``CaseStore.save`` (one version
   per course, synthetic courses on day 0 to 14, seeded). Then, at each size: ``--repeats``
   saves of a new version of a random course with its base version (validation, the assess
   engine and the insert: what the Save button and ``srgvhd cases save`` do, without process
   start-up), and ``--repeats`` calls of the ward list (one row per course, latest version,
   sorted). Medians and p95, milliseconds.
2. Ward page paint, 500 courses, each backend: ``streamlit run app.py`` on 127.0.0.1, one
   warm-up visit; then 5 returns to the Ward page from another page of the same session (click
   → first animation frame showing the ward table and its "… of 500 courses" line; goal < 1 s)
   and 5 first visits in new browser contexts (navigation start → the same frame; context:
   it includes loading Streamlit itself).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perf.machine import describe_machine  # noqa: E402
from perf.summary import Row, write_rows  # noqa: E402
from srgvhd.casestore.store import CaseStore  # noqa: E402
from tests.support.local_server import HOST, free_port, start, stop  # noqa: E402
from tests.support.pg_cluster import PostgresCluster  # noqa: E402

RESULTS = REPO / "perf" / "results" / "store.md"
PAINT_COURSES = 500
PAINT_VISITS = 5
PAINT_GOAL_S = 1.0
WARD_SHOWN = (
    "document.querySelector('[data-testid=\"stDataFrame\"] canvas') !== null && "
    "Array.from(document.querySelectorAll('[data-testid=\"stMarkdownContainer\"]'))"
    f".some(e => e.innerText.includes('of {PAINT_COURSES} courses'))"
)


def course(
    rng: random.Random, today: date, patient: tuple[str, int] | None = None
) -> dict[str, Any]:
    """A synthetic course started 0–20 days ago, assessed on day 0 and maybe days 4 and 7;
    ``patient`` (steroid start, age) keeps a stored course's patient for its next version."""
    start = today - timedelta(days=rng.randint(0, 20))
    age = rng.randint(18, 75)
    if patient is not None:
        start, age = date.fromisoformat(patient[0]), patient[1]
    days = [d for d in (0, 4, 7) if d == 0 or (rng.random() < 0.5 and d <= (today - start).days)]
    stages = [
        {
            "date": (start + timedelta(days=d)).isoformat(),
            "stages": {
                "skin": rng.randint(0, 3),
                "liver": rng.randint(0, 2),
                "upper_gi": rng.randint(0, 1),
                "lower_gi": rng.randint(0, 3),
            },
        }
        for d in days
    ]
    stages[0]["stages"]["skin"] = max(1, stages[0]["stages"]["skin"])
    return {
        "format": "srgvhd-case/1",
        "patient": {"age_years": age, "weight_kg": 70.0},
        "steroids": {"start_date": start.isoformat(), "methylprednisolone_mg_per_kg_day": 2.0},
        "assessments": stages,
        "grade_override": None,
    }


def fill(store: CaseStore, rng: random.Random, first: int, last: int) -> dict[str, tuple]:
    """Save courses ``B{first}`` … ``B{last - 1}`` (one version each); their patients."""
    today = date.today()
    patients = {}
    for i in range(first, last):
        document = course(rng, today)
        store.save(f"B{i:05d}", document, "bench")
        patients[f"B{i:05d}"] = (
            document["steroids"]["start_date"],
            document["patient"]["age_years"],
        )
    return patients


def timed(action, repeats: int) -> list[float]:
    """Milliseconds of each of ``repeats`` calls."""
    out = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        out.append((time.perf_counter() - began) * 1000)
    return out


def store_latencies(url: str, sizes: list[int], repeats: int) -> dict[int, dict[str, list]]:
    """Save and list latencies at each size, filling the store up as it goes."""
    rng = random.Random(12)
    store = CaseStore(url)
    versions: dict[str, int] = {}
    patients: dict[str, tuple] = {}
    results, filled = {}, 0
    for size in sizes:
        patients.update(fill(store, rng, filled, size))
        versions.update({f"B{i:05d}": 1 for i in range(filled, size)})
        filled = size

        def save_one(size: int = size) -> None:
            code = f"B{rng.randrange(size):05d}"
            versions[code] = store.save(
                code,
                course(rng, date.today(), patients[code]),
                "bench",
                base_version=versions[code],
            )

        store.list_cases()  # warm the connection pool and the query plan
        results[size] = {
            "save_ms": timed(save_one, repeats),
            "list_ms": timed(store.list_cases, repeats),
        }
    store.close()
    return results


# Stamps (performance.now()) the first animation frame after which SHOWN holds; returns the time
# it was installed. As an init script it times from navigation start.
WATCH = """() => {
  window.benchShown = null;
  const observer = new MutationObserver(() => {
    if (SHOWN) {
      observer.disconnect();
      requestAnimationFrame(() => { window.benchShown = performance.now(); });
    }
  });
  observer.observe(document, {childList: true, subtree: true, characterData: true});
  return performance.now();
}"""


def ward_paint(url: str) -> dict[str, list[float]]:
    """Seconds to the ward table painted: on a first visit (navigation start, new browser
    context: Streamlit's page and scripts loaded too) and when a clinician returns to the Ward
    page from another page of the same session (the click on "Ward" in the navigation)."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import VIEWPORT, launch_chromium

    port = free_port()
    visits: list[float] = []
    returns: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-ward-") as tmp:
        env = {"SRGVHD_DATABASE_URL": url, "SRGVHD_DATA_DIR": tmp}
        process = start(REPO / "app.py", port, Path(tmp) / "streamlit.log", env=env)
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                for visit in range(PAINT_VISITS + 1):
                    context = browser.new_context(viewport=VIEWPORT)
                    context.add_init_script(f"({WATCH.replace('SHOWN', WARD_SHOWN)})();")
                    page = context.new_page()
                    page.goto(f"http://{HOST}:{port}")
                    page.wait_for_function("() => window.benchShown !== null", timeout=60_000)
                    if visit:  # the first visit warms the server (imports, caches)
                        visits.append(page.evaluate("() => window.benchShown") / 1000)
                    nav = page.get_by_test_id("stSidebarNav")
                    for _ in range(PAINT_VISITS if visit == 0 else 0):
                        nav.get_by_role("link", name="About").click()
                        page.get_by_role("heading", name="About").first.wait_for()
                        clicked = page.evaluate(WATCH.replace("SHOWN", WARD_SHOWN))
                        nav.get_by_role("link", name="Ward").click()
                        page.wait_for_function("() => window.benchShown !== null", timeout=60_000)
                        returns.append((page.evaluate("() => window.benchShown") - clicked) / 1000)
                    context.close()
                browser.close()
        finally:
            stop(process)
    return {"first visit": visits, "back to Ward": returns}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def report(stores: dict[str, dict], paints: dict[str, dict[str, list[float]]], repeats: int) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Case store benchmark",
        "",
        f"{when}; machine: {describe_machine()} (load average at the end {load}); "
        f"Python {platform.python_version()}, SQLite (WAL, synchronous=FULL) and "
        f"PostgreSQL 15 on 127.0.0.1; medians (p95) of {repeats} calls, milliseconds.",
        "",
        "| backend | courses | save median (p95) | list median (p95) | list / list at 10 |",
        "|---|---:|---:|---:|---:|",
    ]
    for backend, by_size in stores.items():
        base = statistics.median(by_size[min(by_size)]["list_ms"])
        for size, r in by_size.items():
            save, listing = r["save_ms"], r["list_ms"]
            lines.append(
                f"| {backend} | {size:,} | {statistics.median(save):.1f} ({p95(save):.1f}) | "
                f"{statistics.median(listing):.1f} ({p95(listing):.1f}) | "
                f"{statistics.median(listing) / base:.1f} |"
            )
    lines += [
        "",
        f"Ward page, {PAINT_COURSES} courses, table painted (median of {PAINT_VISITS}"
        "; warm server). *back to Ward*: click on Ward in the navigation (from the About "
        "page of the same session) → table painted; *first visit*: navigation start in a "
        "new browser context (Streamlit's own page and scripts loaded too) → table "
        "painted.",
        "",
        "| backend | measure | median (s) | max (s) | goal | |",
        "|---|---|---:|---:|---|---|",
    ]
    for backend, measures in paints.items():
        for measure, values in measures.items():
            median = statistics.median(values)
            goal, verdict = "", ""
            if measure == "back to Ward":
                goal = f"< {PAINT_GOAL_S:g} s"
                verdict = "met" if median < PAINT_GOAL_S else "**not met**"
            lines.append(
                f"| {backend} | {measure} | {median:.2f} | {max(values):.2f} | {goal} | {verdict} |"
            )
    raw = {"store": stores, "ward_paint_s": paints}
    lines += [
        "",
        "Save = validation + assess engine + one INSERT transaction (what `srgvhd cases "
        "save` and the Save button do, without process start-up). List = the ward list "
        "query (latest version per course, sorted by next decision).",
        "",
        "Raw values:",
        "",
        "```json",
        json.dumps(_rounded(raw)),
        "```",
        "",
    ]
    return "\n".join(lines)


def summary_rows(
    stores: dict[str, dict], paints: dict[str, dict[str, list[float]]]
) -> dict[str, Row]:
    """perf/summary.py's rows: save and list at the largest size, back-to-Ward paint."""
    rows = {}
    for backend, by_size in stores.items():
        size = max(by_size)
        save, listing = (statistics.median(by_size[size][k]) for k in ("save_ms", "list_ms"))
        rows[f"store_{backend.lower()}"] = Row(
            "—", f"save {save:.1f} ms, list {listing:.0f} ms ({size:,} courses)", "—", None
        )
    for backend, measures in paints.items():
        back = statistics.median(measures["back to Ward"])
        rows[f"ward_{backend.lower()}"] = Row(
            "—", f"{back:.2f} s", f"{back / PAINT_GOAL_S:.2f}× goal", back < PAINT_GOAL_S
        )
    return rows


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 500, 10_000])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    cluster = PostgresCluster()
    stores, paints = {}, {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
            urls = {
                "SQLite": f"sqlite:///{Path(tmp) / 'cases.sqlite3'}",
                "PostgreSQL": cluster.new_database(),
            }
            for backend, url in urls.items():
                print(f"{backend}: filling and timing {sizes} …", file=sys.stderr)
                stores[backend] = store_latencies(url, sizes, args.repeats)
                paint_url = (
                    f"sqlite:///{Path(tmp) / 'paint.sqlite3'}"
                    if backend == "SQLite"
                    else cluster.new_database()
                )
                paint_store = CaseStore(paint_url)
                fill(paint_store, random.Random(5), 0, PAINT_COURSES)
                paint_store.close()
                paints[backend] = ward_paint(paint_url)
    finally:
        cluster.stop()
    text = report(stores, paints, args.repeats)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    write_rows("store", summary_rows(stores, paints))
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
