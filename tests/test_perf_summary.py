"""perf/summary.py: the one benchmark table assembled from each benchmark's JSON rows."""

from __future__ import annotations

import pytest

from perf.load_check import Level, Tally, summary_row
from perf.summary import ROWS, Row, summary, write_rows


def test_rows_in_order_with_not_run_and_the_last_markdown_date(tmp_path) -> None:
    write_rows("pdf", {"pdf_warm": Row("36 ms", "53 ms", "1.48× peer", True)}, tmp_path)
    write_rows(
        "model",
        {
            "score_100k": Row("0.80 s", "0.95 s", "1.19×", True),
            "train_100k": Row("7.0 s", "22.0 s", "3.14×", False),
        },
        tmp_path,
    )
    (tmp_path / "app.md").write_text("# App\n\n2026-11-25 15:25 UTC; x86_64\n", encoding="utf-8")
    lines = summary(tmp_path).splitlines()
    body = lines[2:]
    assert len(body) == len(ROWS)
    by_measure = {line.split(" | ")[0].lstrip("| "): line for line in body}
    pdf = by_measure[ROWS["pdf_warm"][1]]
    assert "| < 300 ms | 36 ms | 53 ms | 1.48× peer | yes |" in pdf
    assert "| 3.14× | **no** |" in by_measure[ROWS["train_100k"][1]]
    assert "| 1.19× | yes |" in by_measure[ROWS["score_100k"][1]]
    assert "not run (last `app.md`: 2026-11-25 15:25 UTC)" in by_measure[ROWS["first_paint"][1]]
    assert "| not run |" in by_measure[ROWS["train_1m"][1]]  # model ran, without the 1M row
    assert "| not run |" in by_measure[ROWS["verdict_p95_20"][1]]  # no load.md at all


def test_a_benchmark_cannot_write_another_ones_row(tmp_path) -> None:
    with pytest.raises(ValueError, match="score_100k"):
        write_rows("pdf", {"score_100k": Row("—", "1 s", "—", None)}, tmp_path)
    assert not (tmp_path / "pdf.json").exists()


def _level(p95_seconds: float, errors: int = 0) -> Level:
    tally = Tally(completed=10, verdict_seconds=[p95_seconds] * 10, errors=["x"] * errors)
    return Level(20, tally, peak_mb=200.0, cpu_used=3.0, wall_used=30.0)


def test_the_load_row_is_the_median_of_the_20_session_runs() -> None:
    row = summary_row([_level(0.5), _level(1.2), _level(0.8)])
    assert row.met is True
    assert row.ratio == "0.80× goal"
    assert "0.80 s p95, median of 3 runs (0.50 s, 1.20 s, 0.80 s" in row.ours
    slow = summary_row([_level(0.9), _level(1.2), _level(1.1)])
    assert slow.met is False and slow.ratio == "1.10× goal"


def test_an_error_in_any_run_fails_the_load_row() -> None:
    row = summary_row([_level(0.5), _level(0.5, errors=1), _level(0.5)])
    assert row.met is False and "1 errors" in row.ours
