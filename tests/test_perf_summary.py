"""perf/summary.py: the one benchmark table assembled from each benchmark's JSON rows."""

from __future__ import annotations

import pytest

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
