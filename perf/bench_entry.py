"""Benchmark: typing a case into the Assess page in Debian Chromium (not part of pytest).

Run from the repository root: ``.venv/bin/python perf/bench_entry.py``. Writes a Markdown table
to perf/results/entry.md and prints it. Medians, and the machine printed with them.

What is timed: examples/refractory_r1.json's values (age, weight, hemoglobin, steroid start and
two assessments with rash and stool volume) typed with the keyboard by the browser tests'
``enter_case`` (each value committed with Tab and its rerun awaited), from the empty form to the
"Steroid-refractory by rule R1" verdict; ``REPEATS`` fresh sessions on one server.

``--grid DIR`` also times the former 14-column ``st.data_editor`` grid from a checkout of the
commit before per-assessment entry (``git archive cf13a25 | tar -x -C DIR``), with that
checkout's own ``enter_case``; each variant runs in its own process, so the two ``tests``
packages never meet.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(REPO))

from perf.machine import describe_machine  # noqa: E402

OUT = REPO / "perf" / "results" / "entry.md"
REPEATS = 3
VERDICT = "Steroid-refractory by rule R1"


def time_entry(repo: Path, repeats: int) -> list[float]:
    """Seconds to type the case with ``repo``'s own browser helpers (run inside that repo)."""
    sys.path.insert(0, str(repo))
    from playwright.sync_api import sync_playwright

    try:
        from tests.support.local_server import free_port, start, stop
    except ModuleNotFoundError:  # a checkout from before test support moved out of perf/
        from perf.local_server import free_port, start, stop
    from tests.browser.conftest import VIEWPORT, launch_chromium, open_assess
    from tests.browser.test_flows import enter_case

    seconds = []
    with tempfile.TemporaryDirectory(prefix="bench-entry-") as tmp:
        models = Path(tmp) / "models"
        subprocess.run(["cp", "-r", str(repo / "models"), str(models)], check=True)
        env = {"SRGVHD_MODELS_DIR": str(models), "MPLBACKEND": "Agg", "PYTHONPATH": str(repo)}
        port = free_port()
        server = start(repo / "app.py", port, Path(tmp) / "server.log", env=env)
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                for _ in range(repeats):
                    context = browser.new_context(viewport=VIEWPORT)
                    context.set_default_timeout(30_000)
                    page = context.new_page()
                    open_assess(page, f"http://127.0.0.1:{port}")
                    started = time.perf_counter()
                    enter_case(page)
                    page.get_by_text(VERDICT).first.wait_for()
                    seconds.append(time.perf_counter() - started)
                    context.close()
                browser.close()
        finally:
            stop(server)
    return seconds


def run_variant(repo: Path, repeats: int) -> list[float]:
    """``time_entry`` for ``repo`` in a fresh interpreter started in that repository."""
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--variant",
            str(repo),
            "--repeats",
            str(repeats),
        ],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(results: dict[str, list[float]]) -> str:
    """The results as Markdown."""
    rows = [
        f"| {name} | {statistics.median(s):.1f} | {', '.join(f'{x:.1f}' for x in s)} |"
        for name, s in results.items()
    ]
    if len(results) == 2:
        fields, grid = (statistics.median(s) for s in results.values())
        rows.append(f"| ratio fields / grid | {fields / grid:.2f} | |")
    return "\n".join(
        [
            "# Typing a case into the Assess page",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {describe_machine()}. "
            "refractory_r1.json's 10 values typed with the keyboard, each committed with Tab and "
            "its rerun awaited, empty form to verdict; fresh session each time.",
            "",
            "| entry | median (s) | runs (s) |",
            "|---|---|---|",
            *rows,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=Path, help="checkout of the former grid (cf13a25)")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--variant", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variant:
        print(json.dumps(time_entry(args.variant, args.repeats)))
        return 0
    results = {"per-assessment fields (this page)": run_variant(REPO, args.repeats)}
    if args.grid:
        results["14-column grid (cf13a25)"] = run_variant(args.grid.resolve(), args.repeats)
    text = report(results)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
