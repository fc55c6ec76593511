"""Benchmark: which engine fits the Cox model — lifelines against R ``coxph`` on 1M patients.

Run from the repository root: ``.venv/bin/python perf/bench_cox_engine.py`` (``--n`` for another
cohort size, ``--repeats``). Writes perf/results/cox_engine.md and prints it.

The design decision it feeds (docs/architecture.md, "One Cox engine"): the model is fitted with
lifelines alone unless lifelines cannot fit the 1M-patient cohort within 3× of R
``survival::coxph``; then the project's own Newton–Raphson would be the only fitter. The run that
decided (with that engine still in the tree) is quoted in docs/architecture.md.

One synthetic cohort (:func:`perf.bench_model.cohort`: whole-day times, so many ties) is written
once as the five indicator columns plus ``os_days`` and ``death``. Each engine runs as its own
child process, the engines alternating within each repeat (lifelines, R, lifelines, R, …),
on the same machine in the same run; each child reads the file, then times only the fit (Efron
ties, tight convergence) with its own monotonic clock and prints the seconds. Reported: the
median fit time of each engine and lifelines / R. The machine's cores and load are printed with
the result, since other jobs on the machine slow every engine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(REPO))

from perf.bench_model import cohort  # noqa: E402
from perf.machine import describe_machine  # noqa: E402

OUT = REPO / "perf" / "results" / "cox_engine.md"
GOAL = 3.0  # lifelines / R coxph, fit only, 1M patients
COLUMNS = ("age_lt18", "age_ge35", "grade_II", "grade_IV", "hb_le_90")

LIFELINES = """
import sys, time
import pandas as pd
from lifelines import CoxPHFitter
df = pd.read_csv(sys.argv[1])
start = time.perf_counter()
cph = CoxPHFitter().fit(df, "os_days", "death", batch_mode=True,
                        fit_options={"precision": 1e-12, "r_precision": 1e-15})
print(time.perf_counter() - start)
print(" ".join(f"{b:.12f}" for b in cph.params_))
"""
R = """
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(args[1])
start <- proc.time()[["elapsed"]]
fit <- coxph(Surv(os_days, death) ~ age_lt18 + age_ge35 + grade_II + grade_IV + hb_le_90,
             data = df, ties = "efron", control = coxph.control(eps = 1e-12, iter.max = 50))
cat(proc.time()[["elapsed"]] - start, "\n")
cat(sprintf("%.12f", coef(fit)), "\n")
"""


def fit_once(argv: list[str]) -> tuple[float, np.ndarray]:
    """Run one engine's child; its own fit time and coefficients."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    seconds, coefficients = out.stdout.strip().splitlines()[-2:]
    return float(seconds), np.array([float(v) for v in coefficients.split()])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    machine_before = describe_machine()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "design.csv"
        df = cohort(args.n, seed=5)
        design = {
            "age_lt18": df.age_years < 18,
            "age_ge35": df.age_years >= 35,
            "grade_II": df.grade == "II",
            "grade_IV": df.grade == "IV",
            "hb_le_90": df.hemoglobin_g_l <= 90,
        }
        frame = df[["os_days", "death"]].copy()
        for name in COLUMNS:
            frame[name] = design[name].astype(int)
        frame.to_csv(path, index=False)
        engines = {
            "lifelines CoxPHFitter (batch_mode)": [sys.executable, "-c", LIFELINES, str(path)],
            "R survival::coxph": ["Rscript", "-e", R, str(path)],
        }
        times: dict[str, list[float]] = {name: [] for name in engines}
        coefficients: dict[str, np.ndarray] = {}
        for _ in range(args.repeats):
            for name, argv in engines.items():
                seconds, beta = fit_once(argv)
                times[name].append(seconds)
                coefficients[name] = beta
    median = {name: statistics.median(values) for name, values in times.items()}
    reference = coefficients["R survival::coxph"]
    rows = [
        f"| {name} | {median[name]:.2f} s | "
        + ", ".join(f"{v:.2f}" for v in times[name])
        + f" | {np.max(np.abs(coefficients[name] - reference)):.1e} |"
        for name in engines
    ]
    ratio = median["lifelines CoxPHFitter (batch_mode)"] / median["R survival::coxph"]
    verdict = "within" if ratio <= GOAL else "NOT within"
    text = "\n".join(
        [
            "# Cox engine benchmark (`perf/bench_cox_engine.py`)",
            "",
            f"{args.n:,} synthetic patients, whole-day times; fit only (file already read), "
            f"Efron ties, tight convergence; engines alternating, {args.repeats} repeats, "
            "same machine, same run.",
            "",
            f"Machine at start: {machine_before}",
            f"Machine at end: {describe_machine()}",
            f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
            f"Python {platform.python_version()}, total {time.perf_counter() - started:.0f} s.",
            "",
            "| engine | median fit | each run | largest difference from R’s β |",
            "|---|---|---|---|",
            *rows,
            "",
            f"lifelines / R coxph: {ratio:.2f}× — {verdict} the {GOAL:g}× bound.",
            "",
        ]
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
