"""Benchmark: building the one-page PDF summary (not part of pytest).

Run from the repository root: ``.venv/bin/python perf/bench_pdf.py``. Writes a Markdown table
to perf/results/pdf.md and prints it. Medians, and the machine printed with them.

Case: six assessments of raw findings (days 0, 3, 5, 7, 10, 14; refractory by R1) and labs
(EASIX, MAP) with the bundled model's risk estimate, as the Assess page's "Download summary
(PDF)" builds it.

1. Warm build: ``build_summary_pdf`` in-process, median and p95 of 30 after one warm-up build.
   Goal: < 300 ms (README, "Benchmarks").
2. Cold build: a fresh interpreter's first build (imports excluded), median of 5 processes:
   includes parsing the two DejaVu fonts and wrapping the fixed texts once per process.
3. Peer: the fpdf2 floor of the same machine and run, a page holding only the summary's title
   line in the same font (font registered with ``add_font``, subset at output) — the ratio
   says how far the summary is above the cheapest fpdf2 page with an embedded TrueType font.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from perf.machine import describe_machine  # noqa: E402
from perf.summary import Row, write_rows  # noqa: E402

OUT = REPO / "perf" / "results" / "pdf.md"
WARM_REPEATS, COLD_REPEATS, PEER_REPEATS = 30, 5, 30
GOAL_MS = 300.0
WHEN = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


def _measured(day: int, rash: float, bilirubin: float, stool: float) -> dict:
    return {
        "date": f"2026-11-{day + 1:02d}",
        "measurements": {
            "skin_rash_bsa_percent": rash,
            "skin_bullae_desquamation_bsa_percent": 0,
            "bilirubin": {"value": bilirubin, "unit": "mg/dL"},
            "upper_gi_persistent_symptoms": day == 0,
            "stool_ml_per_day": stool,
            "stool_episodes_per_day": None,
            "severe_abdominal_pain_or_ileus": False,
            "grossly_bloody_stool": day == 3,
        },
    }


CASE = {
    "format": "srgvhd-case/2",
    "patient": {"age_years": 42, "weight_kg": 70.0, "hemoglobin": {"value": 85, "unit": "g/L"}},
    "steroids": {"start_date": "2026-11-01", "methylprednisolone_mg_per_kg_day": 2.0},
    "assessments": [
        _measured(0, 30, 2.5, 800),
        _measured(3, 40, 2.6, 900),
        _measured(5, 40, 2.2, 700),
        _measured(7, 20, 2.0, 500),
        _measured(10, 10, 1.8, 300),
        _measured(14, 0, 1.5, 200),
    ],
    "grade_override": None,
    "labs": [
        {
            "date": "2026-11-08",
            "ldh_u_l": 420,
            "creatinine": {"value": 1.1, "unit": "mg/dL"},
            "platelets_10e9_l": 45,
            "map_probability": 0.35,
        }
    ],
}
# A fresh process: build once, print the build's milliseconds (imports are not counted).
COLD = """
import sys, time
sys.path.insert(0, {repo!r})
from perf.bench_pdf import inputs
from srgvhd.report.summary import build_summary_pdf
case, result, model, when = inputs()
start = time.perf_counter()
build_summary_pdf(case, result, model, generated_at=when)
print(1000 * (time.perf_counter() - start))
"""


def inputs() -> tuple:
    """The parsed case, its result with the active model's risk, the model and the time."""
    from srgvhd.clinical.case import parse_case
    from srgvhd.risk.patient import assess_patient
    from srgvhd.risk.store import ModelStore, default_root

    case = parse_case(CASE)
    model, _ = ModelStore(default_root()).load_active()
    return case, assess_patient(case, model), model, WHEN


def warm_ms() -> list[float]:
    from srgvhd.report.summary import build_summary_pdf

    case, result, model, when = inputs()
    build_summary_pdf(case, result, model, generated_at=when)
    times = []
    for _ in range(WARM_REPEATS):
        start = time.perf_counter()
        build_summary_pdf(case, result, model, generated_at=when)
        times.append(1000 * (time.perf_counter() - start))
    return times


def cold_ms() -> list[float]:
    code = COLD.format(repo=str(REPO))
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                check=True,
                timeout=300,
                cwd=REPO,
            ).stdout.strip()
        )
        for _ in range(COLD_REPEATS)
    ]


def peer_ms() -> list[float]:
    """A one-line page in DejaVu Sans: fpdf2's own floor for an embedded TrueType font."""
    from fpdf import FPDF

    from srgvhd.report.pdfkit import ttf_dir

    def page() -> bytes:
        pdf = FPDF()
        pdf.add_font("DejaVu", "", ttf_dir() / "DejaVuSans.ttf")
        pdf.add_page()
        pdf.set_font("DejaVu", "", 15)
        pdf.cell(118, 7, "SR-aGVHD steroid-course summary")
        return bytes(pdf.output())

    page()
    times = []
    for _ in range(PEER_REPEATS):
        start = time.perf_counter()
        page()
        times.append(1000 * (time.perf_counter() - start))
    return times


def p95(values: list[float]) -> float:
    """95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def table(warm: list[float], cold: list[float], peer: list[float]) -> str:
    warm_median, peer_median = statistics.median(warm), statistics.median(peer)
    rows = [
        "| measure | goal | peer (same run) | ours | ratio |",
        "|---|---|---|---|---|",
        f"| PDF build, warm, median of {len(warm)} | < {GOAL_MS:.0f} ms | "
        f"{peer_median:.0f} ms (one-line DejaVu page) | {warm_median:.0f} ms "
        f"(p95 {p95(warm):.0f} ms) | {warm_median / peer_median:.2f}× peer, "
        f"{warm_median / GOAL_MS:.2f}× goal |",
        f"| PDF build, first in a fresh process, median of {len(cold)} | — | — | "
        f"{statistics.median(cold):.0f} ms | {statistics.median(cold) / warm_median:.2f}× warm |",
    ]
    met = "met" if warm_median < GOAL_MS else "**not met**"
    return (
        f"# PDF summary build\n\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        f"{describe_machine()}, Python {platform.python_version()}; goal {met}.\n\n"
        + "\n".join(rows)
        + "\n"
    )


def main() -> None:
    peer = peer_ms()
    warm = warm_ms()
    cold = cold_ms()
    text = table(warm, cold, peer)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    warm_median, peer_median = statistics.median(warm), statistics.median(peer)
    write_rows(
        "pdf",
        {
            "pdf_warm": Row(
                f"{peer_median:.0f} ms (one-line DejaVu page)",
                f"{warm_median:.0f} ms",
                f"{warm_median / peer_median:.2f}× peer",
                warm_median < GOAL_MS,
            )
        },
    )
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
