"""The second line clicked through in Debian Chromium (docs/clinical-rules.md §8): a
steroid-refractory course (examples/refractory_r2.json, R2 on 2026-10-27) gets UC-MSC with three
infusions typed in; the saved case file and the PDF carry them. The worked example with its
week-4 CR (examples/second_line_uc_msc.json) is then opened, its section screenshotted, and saved
to the ward store, where the Ward lists it as closed."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader

from tests.browser.conftest import REPO, choose, rerun, textbox, type_into
from tests.browser.test_flows import download, open_case_file, screenshot_main
from tests.browser.test_ward_flow import StoreUI

R2 = "Steroid-refractory by rule R2 (no partial response by day 7) on day 7 (2026-10-27) — choose"


def test_record_uc_msc_with_three_infusions_then_open_the_week4_cr_example(page) -> None:
    open_case_file(page, "r2.json", (REPO / "examples" / "refractory_r2.json").read_bytes())
    page.get_by_text(R2).wait_for()
    page.get_by_text("Second-line therapy", exact=True).click()  # the expander
    choose(page, page, "Therapy", "UC-MSC + standard second-line therapy")
    type_into(page, textbox(page, "Second-line start date (day 0 of second line)"), "2026-10-28")
    for number, (day, dose) in enumerate((("2026-10-28", "1.5"), ("2026-11-04", "2")), start=1):
        with rerun(page):
            page.get_by_role("button", name="Add infusion").click()
        type_into(page, textbox(page, f"Infusion {number}: date"), day)
        type_into(page, page.get_by_role("textbox", name="Dose (× 10^6 cells/kg)").nth(-1), dose)
    with rerun(page):
        page.get_by_role("button", name="Add infusion").click()
    type_into(page, textbox(page, "Infusion 3: date"), "2026-11-11")
    type_into(page, page.get_by_role("textbox", name="Dose (× 10^6 cells/kg)").nth(2), "4,5")
    # 4.5 is inside 0.1–10: accepted, with the study's 1–3 named in a warning
    page.get_by_text("Week-4 response: due on 2026-11-25 (days 28–35 of second line).").wait_for()
    page.get_by_text("is outside the study's range of 1–3 × 10^6 cells/kg").first.wait_for()
    page.get_by_text(R2).wait_for()  # the verdict is unchanged by the second line
    saved = json.loads(download(page, "Save case"))
    assert saved["second_line"] == {
        "therapy": "uc-msc",
        "therapy_name": None,
        "start_date": "2026-10-28",
        "infusions": [
            {"date": "2026-10-28", "dose_10e6_cells_per_kg": 1.5},
            {"date": "2026-11-04", "dose_10e6_cells_per_kg": 2},
            {"date": "2026-11-11", "dose_10e6_cells_per_kg": 4.5},
        ],
    }
    pdf = download(page, "Download summary (PDF)")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(reader.pages[0].extract_text().split())
    assert len(reader.pages) == 1
    assert "Second line: UC-MSC + standard therapy from 2026-10-28 (day 0)" in text
    assert "3 infusions: 2026-10-28 1.5, 2026-11-04 2, 2026-11-11 4.5 × 10^6 cells/kg." in text

    example = (REPO / "examples" / "second_line_uc_msc.json").read_bytes()
    open_case_file(page, "second_line_uc_msc.json", example)
    page.get_by_text("Week-4 response: CR on day 28 (2026-11-07), an overall response.").wait_for()
    assert page.get_by_text("this patient: CR at week 4", exact=False).count() >= 1
    screenshot_main(page, "assess-second-line.png")
    # saved to the ward store, the course has nothing left to decide: closed (clinical-rules §8.9)
    ui = StoreUI(page)
    ui.save()
    ui.message("Saved EX-2L-UCMSC as version 1")
    ui.ward()
    page.get_by_text("Show closed courses").click()
    row = ui.ward_row("EX-2L-UCMSC")
    assert "closed" in row and "week-4 response CR" in row, row
