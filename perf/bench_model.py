"""Benchmark: training and batch scoring of the Cox risk model (not part of pytest).

Run from the repository root: ``.venv/bin/python perf/bench_model.py``. Writes a markdown
table to perf/results/model.md and prints it. Synthetic cohorts with whole-day times (ties,
as in real follow-up data); medians over repeats, fewer repeats for the large sizes.

Columns: the whole ``train_from_csv`` (CSV validation, EPV check, fit, evaluation with 5-fold
cross-validated concordance, PH test and calibration, stripping, atomic save + promotion) and its
parts, against a bare ``CoxPHFitter.fit`` on the prepared design matrix (same tight convergence).
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lifelines import CoxPHFitter  # noqa: E402

from srgvhd.risk.cohort import read_cohort  # noqa: E402
from srgvhd.risk.covariates import design_matrix  # noqa: E402
from srgvhd.risk.fit import FIT_OPTIONS, evaluate, fit_cox, present_covariates  # noqa: E402
from srgvhd.risk.predict import score_frame  # noqa: E402
from srgvhd.risk.store import ModelStore  # noqa: E402
from srgvhd.risk.train import train_from_csv  # noqa: E402

SIZES = ((95, 5), (10_000, 3), (100_000, 2))  # (patients, repeats)
SCORE_ROWS, SCORE_REPEATS = 100_000, 3
LOG_HR = np.array([0.2, 1.6, -0.4, 1.7, 1.6])  # roughly Niu et al. 2026's hazard ratios
OUT = REPO / "benchmarks" / "results" / "model.md"


def cohort(n: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic cohort: exponential deaths, uniform censoring, whole days."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "patient_id": [f"S{i:06d}" for i in range(n)],
        "age_years": rng.integers(6, 65, n).astype(float),
        "grade": rng.choice(["II", "III", "IV"], n, p=[0.3, 0.45, 0.25]),
        "hemoglobin_g_l": rng.integers(55, 140, n).astype(float),
    })
    x = np.column_stack([df.age_years < 18, df.age_years >= 35, df.grade == "II",
                         df.grade == "IV", df.hemoglobin_g_l <= 90]).astype(float)
    death = rng.exponential(1500.0 * np.exp(-x @ LOG_HR))
    censor = rng.uniform(30, 1400, n)
    df["os_days"] = np.maximum(np.ceil(np.minimum(death, censor)), 1).astype(int)
    df["death"] = (death <= censor).astype(int)
    return df


def median_seconds(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds of this process (CPU time is less disturbed by
    other processes on a shared machine)."""
    wall, cpu = [], []
    for _ in range(repeats):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def training_row(n: int, repeats: int) -> list[str]:
    df = cohort(n)
    data = df.to_csv(index=False).encode()
    frame = read_cohort(data)
    columns = present_covariates(frame)
    design = design_matrix(frame.age_years, frame.grade, frame.hemoglobin_g_l)[columns]
    bare_data = pd.concat([design, frame[["os_days", "death"]]], axis=1)
    fitted = fit_cox(frame)

    def bare() -> None:
        CoxPHFitter().fit(bare_data, "os_days", "death", fit_options=FIT_OPTIONS)

    def whole() -> None:
        with tempfile.TemporaryDirectory() as root:
            train_from_csv(data, store=ModelStore(Path(root)), promote=True, allow_low_epv=True)

    bare_wall, bare_cpu = median_seconds(bare, repeats)
    read_wall, _ = median_seconds(lambda: read_cohort(data), repeats)
    fit_wall, _ = median_seconds(lambda: fit_cox(frame), repeats)
    eval_wall, _ = median_seconds(lambda: evaluate(frame, fitted), repeats)
    whole_wall, whole_cpu = median_seconds(whole, repeats)
    return [f"{n:,}", str(int(df.death.sum())), str(repeats), f"{whole_wall:.2f}",
            f"{read_wall:.2f}", f"{fit_wall:.2f}", f"{eval_wall:.2f}", f"{bare_wall:.3f}",
            f"{whole_cpu / bare_cpu:.0f}×"]


def scoring_row() -> list[str]:
    with tempfile.TemporaryDirectory() as root:
        store = ModelStore(Path(root))
        train_from_csv(cohort(2_000, seed=1).to_csv(index=False).encode(), store=store,
                       promote=True)
        model, _ = store.load_active()
    rows = cohort(SCORE_ROWS, seed=2)
    t, _ = median_seconds(lambda: score_frame(model, rows), SCORE_REPEATS)
    return [f"{SCORE_ROWS:,}", str(SCORE_REPEATS), f"{t:.2f}", f"{SCORE_ROWS / t:,.0f}"]


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main() -> int:
    started = time.perf_counter()
    training = [training_row(n, repeats) for n, repeats in SIZES]
    scoring = [scoring_row()]
    text = "\n\n".join([
        "# Risk model benchmark",
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{platform.processor() or 'cpu'}; median seconds over the stated repeats. "
        "Whole-day follow-up times.",
        "## Training",
        table(["patients", "deaths", "repeats", "train_from_csv (s)", "read_cohort (s)",
               "fit_cox (s)", "evaluate (s)", "bare CoxPHFitter.fit (s)",
               "whole / bare (CPU time)"],
              training),
        "`train_from_csv` = read_cohort + EPV check + fit_cox + evaluate (5-fold CV concordance, "
        "PH test, calibration) + strip + atomic save and promotion. The bare fit uses the same "
        "design matrix and the same tight convergence options. Times are wall-clock medians; "
        "the ratio uses CPU time of this process, which other engineers' jobs on the shared "
        "machine disturb less.",
        "## Batch scoring (`score_frame`)",
        table(["patients", "repeats", "seconds", "patients / s"], scoring),
        f"Total benchmark time: {time.perf_counter() - started:.0f} s.",
    ]) + "\n"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
