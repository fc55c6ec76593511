"""Benchmark: training and scoring the Cox risk model as whole processes, against bare peers.

Run from the repository root: ``.venv/bin/python perf/bench_model.py`` (``--quick`` skips the
1M-row rows). Writes one Markdown table to perf/results/model.md and prints it.

Each row runs our command and its peer as separate processes, alternating (ours, peer, ours,
peer, …), and reports medians; the ratio is ours / peer for wall time and for CPU time (user +
system of the child, less disturbed by other jobs on the machine). Peak memory is the
child's maximum resident set (``os.wait4``). Cohorts are synthetic with whole-day times (ties, as
in real follow-up data) — see :func:`cohort`.

Peers: ``srgvhd train`` against a script doing ``pd.read_csv`` + indicator columns +
a bare ``CoxPHFitter().fit`` on the same file; ``srgvhd score`` against a script doing
``pd.read_csv`` + numpy hazard ratio and survival + ``to_csv`` of the same columns.
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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(REPO))

from perf.machine import describe_machine  # noqa: E402
from perf.summary import Row, write_rows  # noqa: E402

OUT = REPO / "perf" / "results" / "model.md"
LOG_HR = np.array([0.2, 1.6, -0.4, 1.7, 1.6])  # roughly Niu et al. 2026's hazard ratios
CLI = [sys.executable, "-m", "srgvhd.cli.main"]
TRAIN_GOAL, SCORE_GOAL = 3.0, 1.2  # ours / peer, whole processes (README, "Benchmarks")

_INDICATORS = """
x = pd.DataFrame({"age_lt18": df.age_years < 18, "age_ge35": df.age_years >= 35,
                  "grade_II": df.grade == "II", "grade_IV": df.grade == "IV",
                  "hb_le_90": df.hemoglobin_g_l <= 90}).astype(float)
"""
BARE_FIT = (
    """
import sys
import pandas as pd
from lifelines import CoxPHFitter
df = pd.read_csv(sys.argv[1])
"""
    + _INDICATORS
    + """
x["os_days"] = df.os_days
x["death"] = df.death
CoxPHFitter().fit(x, "os_days", "death")
"""
)
PLAIN_SCORE = (
    """
import sys
import numpy as np
import pandas as pd
df = pd.read_csv(sys.argv[1])
"""
    + _INDICATORS
    + """
beta = np.array([0.2, 1.6, -0.4, 1.7, 1.6])
h0 = np.array([0.05, 0.12])
hr = np.exp(x.to_numpy() @ beta)
s = np.exp(-np.outer(hr, h0))
out = pd.DataFrame({"patient_id": df.patient_id, "grade": df.grade,
                    "hemoglobin_le_90": x.hb_le_90 == 1, "hazard_ratio": hr,
                    "survival_180": s[:, 0], "survival_365": s[:, 1]})
out.to_csv(sys.argv[2], index=False, float_format="%.6g")
"""
)


def cohort(n: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic cohort: exponential deaths, uniform censoring, whole days."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "patient_id": [f"S{i:07d}" for i in range(n)],
            "age_years": rng.integers(6, 65, n).astype(float),
            "grade": rng.choice(["II", "III", "IV"], n, p=[0.3, 0.45, 0.25]),
            "hemoglobin_g_l": rng.integers(55, 140, n).astype(float),
        }
    )
    x = np.column_stack(
        [
            df.age_years < 18,
            df.age_years >= 35,
            df.grade == "II",
            df.grade == "IV",
            df.hemoglobin_g_l <= 90,
        ]
    ).astype(float)
    death = rng.exponential(1500.0 * np.exp(-x @ LOG_HR))
    censor = rng.uniform(30, 1400, n)
    df["os_days"] = np.maximum(np.ceil(np.minimum(death, censor)), 1).astype(int)
    df["death"] = (death <= censor).astype(int)
    return df


def junk(n: int) -> str:
    """The right header over ``n`` rows of junk cells (a refusal must stay bounded)."""
    return "patient_id,age_years,grade,hemoglobin_g_l,os_days,death\n" + "x1,ab,Q,zz,-q,7\n" * n


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    status: int


def run(argv: list[str]) -> Run:
    """One child process: wall time, CPU (user + system) and peak RSS, via os.wait4."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    return Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        os.waitstatus_to_exitcode(status),
    )


def alternate(ours: list[str], peer: list[str] | None, repeats: int) -> tuple[Run, Run | None]:
    """Medians of ``repeats`` alternating runs of ours and the peer."""
    mine, theirs = [], []
    for _ in range(repeats):
        mine.append(run(ours))
        if peer:
            theirs.append(run(peer))
    return _median(mine), _median(theirs) if theirs else None


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.peak_mb for r in runs),
        max(r.status for r in runs),
    )


def _row(measure: str, goal: str, ours: Run, peer: Run | None, repeats: int) -> list[str]:
    peer_cell = "—" if peer is None else f"{peer.wall:.2f} s wall, {peer.cpu:.2f} s CPU"
    ratio = (
        "—"
        if peer is None
        else f"{ours.wall / peer.wall:.2f}× wall, {ours.cpu / peer.cpu:.2f}× CPU"
    )
    return [
        measure,
        goal,
        peer_cell,
        f"{ours.wall:.2f} s wall, {ours.cpu:.2f} s CPU, {ours.peak_mb:.0f} MB peak"
        + ("" if ours.status in (0, 2) else f" (exit {ours.status})"),
        ratio,
        str(repeats),
    ]


def _summary_row(ours: Run, peer: Run, goal_ratio: float) -> Row:
    """The summary's row: wall-time ratio judged against the goal (CPU ratio shown too)."""
    ratio = ours.wall / peer.wall
    return Row(
        f"{peer.wall:.2f} s",
        f"{ours.wall:.2f} s ({ours.cpu:.2f} s CPU)",
        f"{ratio:.2f}× ({ours.cpu / peer.cpu:.2f}× CPU)",
        ratio <= goal_ratio and ours.status == 0,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1M-row rows")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        c100k = work / "cohort_100k.csv"
        cohort(100_000).to_csv(c100k, index=False)
        models = work / "models"
        train = [*CLI, "train", str(c100k), "--promote", "--models-dir", str(models)]
        ours, peer = alternate(train, [sys.executable, "-c", BARE_FIT, str(c100k)], args.repeats)
        rows.append(
            _row(
                "`srgvhd train` 100k patients vs bare `CoxPHFitter.fit`",
                "≤ 3×",
                ours,
                peer,
                args.repeats,
            )
        )
        summary = {"train_100k": _summary_row(ours, peer, TRAIN_GOAL)}
        score = [
            *CLI,
            "score",
            str(c100k),
            "--out",
            str(work / "s.csv"),
            "--models-dir",
            str(models),
        ]
        plain = [sys.executable, "-c", PLAIN_SCORE, str(c100k), str(work / "p.csv")]
        ours, peer = alternate(score, plain, args.repeats)
        rows.append(
            _row(
                "`srgvhd score` 100k rows vs pandas read + numpy + write",
                "≤ 1.2×",
                ours,
                peer,
                args.repeats,
            )
        )
        summary["score_100k"] = _summary_row(ours, peer, SCORE_GOAL)
        if not args.quick:
            c1m = work / "cohort_1m.csv"
            cohort(1_000_000, seed=5).to_csv(c1m, index=False)
            size = c1m.stat().st_size / 1e6
            ours, _ = alternate([*CLI, "train", str(c1m), "--models-dir", str(models)], None, 1)
            rows.append(
                _row(f"`srgvhd train` 1M patients ({size:.0f} MB file)", "trains", ours, None, 1)
            )
            summary["train_1m"] = Row(
                "—",
                f"{ours.wall:.1f} s, {ours.peak_mb:.0f} MB peak ({size:.0f} MB file)",
                "—",
                ours.status == 0,
            )
            bad = work / "junk_1m.csv"
            bad.write_text(junk(1_000_000))
            ours, _ = alternate([*CLI, "train", str(bad), "--models-dir", str(models)], None, 1)
            rows.append(
                _row(
                    f"1M junk rows ({bad.stat().st_size / 1e6:.0f} MB) refused",
                    "< 30 s, < 600 MB",
                    ours,
                    None,
                    1,
                )
            )
    header = ["measure", "goal", "peer (same run)", "ours", "ours / peer", "runs"]
    table = "\n".join(
        ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        + ["| " + " | ".join(r) + " |" for r in rows]
    )
    text = (
        "\n\n".join(
            [
                "# Risk model benchmark (`perf/bench_model.py`)",
                f"Python {platform.python_version()}; machine: {describe_machine()}; "
                "whole processes, medians of alternating runs; "
                "CPU = user + system time of the child, peak = its maximum resident set. "
                "Synthetic cohorts, whole-day times.",
                table,
                f"Total benchmark time: {time.perf_counter() - started:.0f} s.",
            ]
        )
        + "\n"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    write_rows("model", summary)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
