"""``srgvhd fhir import`` and ``srgvhd fhir post-summary`` against a real FHIR R4 server
(sekmet-fhir on a free loopback port, loaded with the committed bundles in tests/fhir/bundles;
docs/interfaces.md §9). The console script runs in a subprocess, as a hospital's script would.

Expected values are worked by hand from the bundles: the adult (born 1980-05-17) starts
methylprednisolone 2026-11-01 09:00 with 70 mg and 70 mg at 21:00 (140 mg on the first day),
weighs 154 [lb_av] = 154 × 0.45359237 kg = 69.853225 kg on 2026-11-01; the child (born
2019-03-10) has a prescription of 25 mg every 12 h from 2026-11-03 and weighs 25300 g.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date
from pathlib import Path

import pytest

from tests.fhir.server import Sekmet
from tests.support.local_server import free_port

pytestmark = pytest.mark.fhir
REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-10"
TOKEN = "s3cr3t-test-token-4d1f9c"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Sekmet(tmp_path_factory.mktemp("sekmet"))
    try:
        running.load("adult", "child", "empty", "other")
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """A server that answers only requests with the bearer token."""
    settings = (
        f"simulator:\n  enabled: false\nserver_auth:\n  types: [bearer]\n  tokens: [{TOKEN}]\n"
    )
    running = Sekmet(tmp_path_factory.mktemp("sekmet-guarded"), settings)
    try:
        running.load("adult", token=TOKEN)
        yield running
    finally:
        running.stop()


def srgvhd(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "srgvhd.cli.main", *argv],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def import_case(server, patient, tmp_path, *extra) -> dict:
    out = tmp_path / f"{patient}.json"
    done = srgvhd(
        "fhir", "import", "--server", server.base, "--patient", patient, "--as-of", AS_OF,
        "--out", str(out), *extra,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout == ""
    return json.loads(out.read_text())


def refused(done: subprocess.CompletedProcess) -> str:
    """The one stderr line of a refusal (exit 2, nothing on stdout)."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def reasons(case: dict) -> dict[str, str]:
    return {s["resource"]: s["reason"] for s in case["source"]["fhir"]["skipped"]}


# ----------------------------------------------------------------------------------- import
def test_import_adult(server, tmp_path):
    case = import_case(server, "adult-1", tmp_path)
    assert case["format"] == "srgvhd-case/2"
    assert case["patient"]["age_years"] == 46
    assert case["patient"]["weight_kg"] == pytest.approx(154 * 0.45359237, abs=5e-7)
    assert case["patient"]["hemoglobin"] == {"value": 85, "unit": "g/L"}  # 8.2 g/dL is older
    assert case["patient"]["ehr"] == {"fhir_server": server.base, "patient_id": "adult-1"}
    assert case["steroids"]["start_date"] == "2026-11-01"
    assert case["steroids"]["methylprednisolone_mg_per_kg_day"] == pytest.approx(
        140 / (154 * 0.45359237), rel=1e-6
    )
    assert case["assessments"] == []
    assert [
        (r["date"], r["ldh_u_l"], r["creatinine"], r["platelets_10e9_l"]) for r in case["labs"]
    ] == [
        ("2026-11-01", 420, {"value": 1.1, "unit": "mg/dL"}, 45),
        ("2026-11-05", 390, {"value": 97.24, "unit": "umol/L"}, 60),  # 6.5 µkat/L × 60
    ]
    fhir = case["source"]["fhir"]
    assert (fhir["server"], fhir["patient"]) == (server.base, "Patient/adult-1")
    assert fhir["retrieved_at"].endswith("+00:00")
    assert [(b["date"], b["value"], b["unit"]) for b in fhir["bilirubin"]] == [
        ("2026-11-01", 2.5, "mg/dL"),
        ("2026-11-05", 51.3, "umol/L"),
    ]
    assert fhir["fields"]["patient.weight_kg"] == {
        "resource": "Observation/a-wt-lb",
        "code": "29463-7",
        "date": "2026-11-01T07:30:00+01:00",
        "value": 154,
        "unit": "[lb_av]",
    }
    assert fhir["fields"]["patient.hemoglobin"]["resource"] == "Observation/a-hb-gl"
    assert fhir["fields"]["steroids.start_date"]["resource"] == "MedicationAdministration/a-mp-1"
    assert reasons(case) == {
        "Observation/a-wt-old": "not the latest result (Observation/a-wt-lb is later)",
        "Observation/a-hb-gdl": "not the latest result (Observation/a-hb-gl is later)",
        "Observation/a-wt-future": "after the as-of date 2026-11-10",
        "Observation/a-hb-error": "entered in error (status entered-in-error)",
        "Observation/a-hb-mmol": "unknown unit 'mmol/L'",
        "Observation/a-hb-text": "no UCUM unit code (unit text 'g/dL')",
        "Observation/a-ldh-nodate": "no date",
        "Observation/a-plt-5-early": "a later result the same day was used (Observation/a-plt-5)",
        "MedicationAdministration/a-mp-error": "entered in error (status entered-in-error)",
        "MedicationAdministration/a-mp-old-1": "an earlier steroid course",
        "MedicationAdministration/a-mp-old-2": "an earlier steroid course",
    }
    # nothing of the other patient on the same server
    assert "other" not in json.dumps(case)


def test_import_child_from_a_prescription(server, tmp_path):
    case = import_case(server, "child-1", tmp_path)
    assert case["patient"]["age_years"] == 7
    assert case["patient"]["weight_kg"] == 25.3
    assert case["patient"]["hemoglobin"] == {"value": 9.1, "unit": "g/dL"}
    # 25 mg every 12 h = 50 mg/day over 25.3 kg
    assert case["steroids"]["start_date"] == "2026-11-03"
    assert case["steroids"]["methylprednisolone_mg_per_kg_day"] == pytest.approx(
        50 / 25.3, rel=1e-6
    )
    assert case["source"]["fhir"]["bilirubin"][0]["unit"] == "umol/L"


def test_import_a_patient_with_nothing_usable(server, tmp_path):
    case = import_case(server, "empty-1", tmp_path)
    assert case["patient"] == {
        "age_years": None,
        "weight_kg": None,
        "hemoglobin": None,
        "ehr": {"fhir_server": server.base, "patient_id": "empty-1"},
    }
    assert case["steroids"] == {"start_date": None, "methylprednisolone_mg_per_kg_day": None}
    assert case["labs"] == [] and case["source"]["fhir"]["bilirubin"] == []
    assert case["source"]["fhir"]["fields"] == {}
    assert reasons(case) == {
        "Patient/empty-1": "no birth date",
        "Observation/e-wt-error": "entered in error (status entered-in-error)",
        "Observation/e-hb-mmol": "unknown unit 'mmol/L'",
        "Observation/e-bili-nodate": "no date",
        "Observation/e-plt-prelim": "status 'preliminary' is not a final result",
        "MedicationAdministration/e-mp-nodate": "no date",
    }


def test_assess_refuses_the_draft_naming_the_assessments(server, tmp_path):
    import_case(server, "adult-1", tmp_path)
    line = refused(srgvhd("assess", str(tmp_path / "adult-1.json"), "--no-risk"))
    assert "assessments" in line


def test_import_follows_every_page(server, tmp_path, monkeypatch):
    """Pages of 2 results: every next link is followed (in-process, to shrink the page)."""
    from srgvhd.ehr import client
    from srgvhd.ehr.importer import import_case as library_import

    monkeypatch.setattr(client, "PAGE_SIZE", 2)
    case = library_import(client.FhirServer(server.base), "adult-1", date(2026, 11, 10))
    whole = import_case(server, "adult-1", tmp_path)  # pages of 200
    for key in ("patient", "steroids", "labs"):
        assert case[key] == whole[key]
    assert case["source"]["fhir"]["bilirubin"] == whole["source"]["fhir"]["bilirubin"]
    assert len(case["source"]["fhir"]["skipped"]) == 11
    monkeypatch.setattr(client, "MAX_PAGES", 3)
    with pytest.raises(client.EhrError, match="more than 3 pages"):
        library_import(client.FhirServer(server.base), "adult-1", date(2026, 11, 10))


def test_import_to_stdout(server):
    done = srgvhd("fhir", "import", "--server", server.base + "/", "--patient", "child-1")
    assert done.returncode == 0, done.stderr
    case = json.loads(done.stdout)
    assert case["patient"]["ehr"] == {"fhir_server": server.base, "patient_id": "child-1"}
    assert case["patient"]["weight_kg"] == 25.3


def test_import_with_a_bearer_token(guarded, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    case = import_case(guarded, "adult-1", tmp_path, "--token-file", str(token_file))
    assert case["steroids"]["start_date"] == "2026-11-01"
    assert TOKEN not in json.dumps(case)


def test_import_without_or_with_a_wrong_token_is_refused(guarded, tmp_path):
    out = tmp_path / "case.json"
    line = refused(
        srgvhd(
            "fhir", "import", "--server", guarded.base, "--patient", "adult-1", "--out", str(out)
        )
    )
    assert "HTTP 401" in line
    bad = tmp_path / "token"
    bad.write_text("not-the-token")
    done = srgvhd(
        "fhir", "import", "--server", guarded.base, "--patient", "adult-1", "--out", str(out),
        "--token-file", str(bad),
    )  # fmt: skip
    assert "HTTP 401" in refused(done)
    assert "not-the-token" not in done.stderr
    assert not out.exists()


def test_unreachable_server(tmp_path):
    out = tmp_path / "case.json"
    url = f"http://127.0.0.1:{free_port()}/fhir"
    line = refused(srgvhd("fhir", "import", "--server", url, "--patient", "p1", "--out", str(out)))
    assert line == f"fhir import: reading Patient/p1: cannot reach the FHIR server at {url}"
    assert list(tmp_path.iterdir()) == []  # no partial file


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--patient", "no-such-patient"], "reading Patient/no-such-patient: not found on"),
        (["--patient", "a/b"], "--patient: expected the patient's FHIR id"),
        (["--patient", "adult-1", "--as-of", "2026-13-01"], "--as-of: expected a date"),
        (["--patient", "adult-1", "--token-file", "/nonexistent/t"], "--token-file: cannot read"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(server, tmp_path, argv, words):
    out = tmp_path / "case.json"
    line = refused(srgvhd("fhir", "import", "--server", server.base, *argv, "--out", str(out)))
    assert words in line
    assert not out.exists()


def test_a_bad_server_url_is_refused():
    line = refused(srgvhd("fhir", "import", "--server", "ftp://x/fhir", "--patient", "p1"))
    assert line == "fhir import: --server: expected an http:// or https:// FHIR base URL"


# ------------------------------------------------------------------------------ post-summary
def completed(server, tmp_path, patient="adult-1") -> Path:
    """The imported draft with the clinician's baseline assessment added."""
    case = import_case(server, patient, tmp_path)
    case["assessments"] = [
        {
            "date": case["steroids"]["start_date"],
            "stages": {"skin": 3, "liver": 0, "upper_gi": 0, "lower_gi": 1},
        }
    ]
    path = tmp_path / f"{patient}-complete.json"
    path.write_text(json.dumps(case))
    return path


def test_post_summary_files_the_same_pdf(server, tmp_path):
    from pypdf import PdfReader

    from srgvhd.cli.models import load_active_model
    from srgvhd.clinical.case import load_case
    from srgvhd.report.summary import build_summary_pdf
    from srgvhd.risk.patient import assess_patient

    path = completed(server, tmp_path)
    done = srgvhd(
        "fhir", "post-summary", str(path), "--server", server.base, "--patient", "adult-1"
    )
    assert done.returncode == 0, done.stderr
    doc_id = done.stdout.strip()
    doc = server.request("GET", f"DocumentReference/{doc_id}")
    assert doc["status"] == "current"
    assert doc["subject"]["reference"].endswith("Patient/adult-1")
    attachment = doc["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    filed = base64.b64decode(attachment["data"])
    assert doc["date"].startswith("20")

    # the verdict line is the engine's, as `srgvhd assess --json` states it
    assessed = json.loads(srgvhd("assess", str(path), "--json").stdout)
    assert doc["description"] == assessed["status"]["sentence"]

    # the same bytes the app's builder makes for this case at the PDF's own creation time
    created = PdfReader(io.BytesIO(filed)).metadata.creation_date
    case = load_case(path)
    model, warnings = load_active_model(None)
    result = assess_patient(case, model, load_warnings=warnings)
    rebuilt = build_summary_pdf(case, result, model, generated_at=created.astimezone(UTC))
    assert filed == rebuilt


def test_post_summary_refuses_another_patients_case(server, tmp_path):
    path = completed(server, tmp_path, "adult-1")
    before = server.request("GET", "DocumentReference?subject=Patient/child-1")["total"]
    line = refused(
        srgvhd("fhir", "post-summary", str(path), "--server", server.base, "--patient", "child-1")
    )
    assert "wrong patient" in line and "adult-1" in line and "child-1" in line
    assert server.request("GET", "DocumentReference?subject=Patient/child-1")["total"] == before


def test_post_summary_refuses_a_draft_without_assessments(server, tmp_path):
    import_case(server, "adult-1", tmp_path)
    line = refused(
        srgvhd(
            "fhir",
            "post-summary",
            str(tmp_path / "adult-1.json"),
            "--server",
            server.base,
            "--patient",
            "adult-1",
        )  # fmt: skip
    )
    assert "assessments" in line


def test_post_summary_to_an_unreachable_server(server, tmp_path):
    path = completed(server, tmp_path)
    case = json.loads(path.read_text())
    url = f"http://127.0.0.1:{free_port()}/fhir"
    case["patient"]["ehr"]["fhir_server"] = url
    path.write_text(json.dumps(case))
    line = refused(
        srgvhd("fhir", "post-summary", str(path), "--server", url, "--patient", "adult-1")
    )
    assert "cannot reach the FHIR server" in line
