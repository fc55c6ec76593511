"""One table of the performance goals (README, "Benchmarks"): goal | peer | ours | ratio | met?

Each benchmark writes, next to its Markdown, ``perf/results/<name>.json`` with the rows it owns
(:func:`write_rows`); ``python perf/summary.py`` (the last step of ``make bench``) assembles them
in the order of :data:`ROWS` into perf/results/summary.md and prints it. A row whose benchmark has
not written its JSON says "not run", with the date of that benchmark's last Markdown result.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perf.machine import describe_machine  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SUMMARY = RESULTS / "summary.md"
NOT_APPLICABLE = "—"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?")


@dataclass(frozen=True)
class Row:
    """One measured row: the peer's figure from the same run (or "—"), ours, their ratio, and
    whether the goal is met (None: the row has no goal)."""

    peer: str
    ours: str
    ratio: str
    met: bool | None


# key -> (benchmark that owns it, measure, goal); the summary's row order.
ROWS: dict[str, tuple[str, str, str]] = {
    "verdict_p95_20": (
        "load",
        "verdict p95 at 20 concurrent sessions (`make check-load`)",
        "< 1 s, 0 errors",
    ),
    "train_100k": (
        "model",
        "`srgvhd train` 100k patients vs bare lifelines `CoxPHFitter.fit`",
        "≤ 3×",
    ),
    "score_100k": ("model", "`srgvhd score` 100k rows vs pandas read + numpy + write", "≤ 1.2×"),
    "train_1m": ("model", "1M-patient cohort trains (time, peak memory)", "trains"),
    "first_paint": ("app", "first paint vs hello-world page", "≤ 1.3×"),
    "pdf_warm": ("pdf", "summary PDF build, warm (median)", "< 300 ms"),
    "engine": ("assess", "engine assessments / s (study rules)", "≥ 50,000 / s"),
    "store_sqlite": (
        "store",
        "case store, SQLite, 10,000 courses: save, ward list (median)",
        NOT_APPLICABLE,
    ),
    "store_postgresql": (
        "store",
        "case store, PostgreSQL, 10,000 courses: save, ward list (median)",
        NOT_APPLICABLE,
    ),
    "assess_rows_max": (
        "rows",
        "Assess page rerun, CPU, at the row limits (100 assessments, dose changes, labs)",
        "≤ 1 s",
    ),
    "entry_cpu": (
        "entry_cpu",
        "server CPU per case typed field by field, one session (`perf/entry_cpu.py`)",
        "≤ 0.19 s (half of 0.37 s, 2026-12-06)",
    ),
    "ward_sqlite": ("store", "Ward page, 500 courses, back to Ward → table (SQLite)", "< 1 s"),
    "ward_postgresql": (
        "store",
        "Ward page, 500 courses, back to Ward → table (PostgreSQL)",
        "< 1 s",
    ),
}


def write_rows(benchmark: str, rows: dict[str, Row], results: Path = RESULTS) -> Path:
    """Write ``benchmark``'s rows (keys of :data:`ROWS` it owns) to perf/results/<name>.json."""
    unknown = [key for key in rows if ROWS.get(key, ("",))[0] != benchmark]
    if unknown:
        raise ValueError(f"{benchmark} does not own the summary rows {unknown}")
    path = results / f"{benchmark}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": benchmark,
        "measured_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "rows": {key: asdict(row) for key, row in rows.items()},
    }
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _met(value: bool | None) -> str:
    return NOT_APPLICABLE if value is None else "yes" if value else "**no**"


def _last_run(benchmark: str, results: Path) -> str:
    """ "not run", with the date written in the benchmark's last Markdown result if it has one
    (a checkout resets file times, so they are not used)."""
    markdown = results / f"{benchmark}.md"
    if not markdown.exists():
        return "not run"
    found = _DATE.search(markdown.read_text(encoding="utf-8"))
    return f"not run (last `{markdown.name}`: {found.group(0) if found else 'undated'})"


def summary(results: Path = RESULTS) -> str:
    """The summary table (Markdown) from the benchmarks' JSON files in ``results``."""
    loaded: dict[str, dict] = {}
    for benchmark in dict.fromkeys(owner for owner, _, _ in ROWS.values()):
        path = results / f"{benchmark}.json"
        if path.exists():
            loaded[benchmark] = json.loads(path.read_text(encoding="utf-8"))
    lines = [
        "| measure | goal | peer (same run) | ours | ratio | met? | measured |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, (benchmark, measure, goal) in ROWS.items():
        data = loaded.get(benchmark)
        row = None if data is None else data["rows"].get(key)
        if row is None:
            lines.append(f"| {measure} | {goal} | {_last_run(benchmark, results)} | | | | |")
            continue
        lines.append(
            f"| {measure} | {goal} | {row['peer']} | {row['ours']} | {row['ratio']} "
            f"| {_met(row['met'])} | {data['measured_at']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write perf/results/summary.md and print it."""
    text = (
        "# Benchmark summary\n\n"
        "`make bench` (then `perf/summary.py`); each row from its benchmark's latest run, peer "
        "and ours measured in the same run, medians; the machine each ran on and its load are "
        "in the other files of perf/results/. Summary written on: "
        f"{describe_machine()}.\n\n" + summary()
    )
    SUMMARY.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
