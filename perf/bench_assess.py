"""Throughput of the clinical engine: ``assess_case`` on 10,000 assessments.

Run: ``.venv/bin/python perf/bench_assess.py [--cases 1000] [--per-case 10] [--repeats 5]``.
Builds a fixed batch of synthetic steroid courses (seeded, half raw measurements and half entered
stages, so staging from findings is exercised), parses them once, then times ``assess_case`` over
the whole batch for each rule set, ``--repeats`` times. Prints a markdown table (median
assessments/second) and writes it to perf/results/assess.md. Not part of pytest.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perf.machine import describe_machine  # noqa: E402
from perf.summary import Row, write_rows  # noqa: E402
from srgvhd.clinical.case import Case, parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.clinical.refractory import RULE_SETS

RESULTS = Path(__file__).resolve().parent / "results" / "assess.md"
START = date(2026, 11, 1)


def _measurements(rng: random.Random) -> dict[str, Any]:
    bilirubin = (
        {"value": rng.uniform(0.5, 20), "unit": "mg/dL"}
        if rng.random() < 0.5
        else {"value": rng.uniform(10, 340), "unit": "umol/L"}
    )
    return {
        "skin_rash_bsa_percent": rng.choice([0, 10, 30, 60]),
        "skin_bullae_desquamation_bsa_percent": rng.choice([0, 0, 8]),
        "bilirubin": bilirubin,
        "upper_gi_persistent_symptoms": rng.random() < 0.3,
        "stool_ml_per_day": rng.choice([None, 300, 800, 1200, 1800]),
        "stool_episodes_per_day": rng.choice([None, 2, 4, 6, 9]),
        "severe_abdominal_pain_or_ileus": rng.random() < 0.05,
        "grossly_bloody_stool": rng.random() < 0.05,
    }


def _stages(rng: random.Random) -> dict[str, int]:
    return {
        "skin": rng.randint(0, 4),
        "liver": rng.randint(0, 4),
        "upper_gi": rng.randint(0, 1),
        "lower_gi": rng.randint(0, 4),
    }


def build_case(rng: random.Random, per_case: int) -> dict[str, Any]:
    """One synthetic course: a day-0 baseline and ``per_case - 1`` later assessments."""
    days = [0, *sorted(rng.sample(range(1, 36), per_case - 1))]
    assessments = [
        {"date": (START + timedelta(days=d)).isoformat()}
        | ({"measurements": _measurements(rng)} if i % 2 == 0 else {"stages": _stages(rng)})
        for i, d in enumerate(days)
    ]
    age = rng.choice([8, 15, 30, 60])
    return {
        "format": "srgvhd-case/1",
        "patient": {"age_years": age, "weight_kg": 30.0 if age < 18 else 70.0},
        "steroids": {
            "start_date": START.isoformat(),
            "methylprednisolone_mg_per_kg_day": 2.0,
            "dose_changes": [
                {"date": (START + timedelta(days=10)).isoformat(),
                 "methylprednisolone_mg_per_kg_day": 1.0},
                {"date": (START + timedelta(days=20)).isoformat(),
                 "methylprednisolone_mg_per_kg_day": 2.0},
            ],
        },
        "assessments": assessments,
        "grade_override": None,
    }  # fmt: skip


def build_batch(cases: int, per_case: int, seed: int = 2026) -> list[Case]:
    """``cases`` parsed courses of ``per_case`` assessments each."""
    rng = random.Random(seed)
    return [parse_case(build_case(rng, per_case)) for _ in range(cases)]


def time_batch(batch: list[Case], rule_set: str, repeats: int) -> list[float]:
    """Seconds to assess the whole batch, once per repeat (after one untimed warm-up run)."""
    for case in batch:
        assess_case(case, rule_set)
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        for case in batch:
            assess_case(case, rule_set)
        timings.append(time.perf_counter() - began)
    return timings


GOAL_PER_S = 50_000  # assessments per second (README, "Benchmarks")


def report(batch: list[Case], per_case: int, repeats: int) -> tuple[str, dict[str, float]]:
    """The markdown table of median throughput per rule set, and those medians."""
    n = len(batch) * per_case
    lines = [
        "# assess_case throughput",
        "",
        f"{len(batch):,} cases × {per_case} assessments = {n:,} assessments per run; "
        f"{repeats} repeats; Python {platform.python_version()}; machine: {describe_machine()}.",
        "",
        "| rule set | median s / run | median assessments / s | min s | max s | repeats |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rates = {}
    for rule_set in RULE_SETS:
        timings = time_batch(batch, rule_set, repeats)
        median = statistics.median(timings)
        rates[rule_set] = n / median
        lines.append(
            f"| {rule_set} | {median:.3f} | {n / median:,.0f} | {min(timings):.3f} | "
            f"{max(timings):.3f} | {repeats} |"
        )
    return "\n".join(lines) + "\n", rates


def main(argv: list[str] | None = None) -> int:
    """Build the batch, time it, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--per-case", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    if args.per_case < 1 or args.per_case > 36 or args.cases < 1 or args.repeats < 1:
        parser.error("need --cases >= 1, 1 <= --per-case <= 36, --repeats >= 1")
    batch = build_batch(args.cases, args.per_case)
    table, rates = report(batch, args.per_case, args.repeats)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table, encoding="utf-8")
    study = rates["study"]
    write_rows(
        "assess",
        {
            "engine": Row(
                "—", f"{study:,.0f} / s", f"{study / GOAL_PER_S:.2f}× goal", study >= GOAL_PER_S
            )
        },
    )
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
