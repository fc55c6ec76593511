"""``srgvhd fhir``: the EHR over FHIR R4 from the command line (docs/interfaces.md §9).

    srgvhd fhir import --server URL --patient ID [--as-of YYYY-MM-DD] [--token-file F]
                       [--out CASE.json]
    srgvhd fhir post-summary CASE.json --server URL --patient ID [--token-file F]

``import`` writes the draft case file (to ``--out``, printing nothing, else to stdout).
``post-summary`` files the one-page PDF summary as a DocumentReference and prints its id. A
token from ``--token-file`` is sent as a bearer token and never printed. Bad input, an
unreachable server or an error answer: exit status 2, nothing on stdout, one line on stderr,
nothing written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from srgvhd.cli.argtypes import iso_date

BAD_INPUT = 2


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``fhir`` with ``import`` and ``post-summary``; each sets ``func(args) -> int``."""
    fhir = subparsers.add_parser("fhir", help="read a draft case from the EHR, file the summary")
    sub = fhir.add_subparsers(dest="fhir_command", required=True, parser_class=type(fhir))
    read = sub.add_parser("import", help="write a draft case file from a patient's record")
    _server_options(read)
    read.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="use what the record holds on or before this date (default: today)",
    )
    read.add_argument("--out", type=Path, default=None, metavar="CASE.json")
    read.set_defaults(func=_import)

    post = sub.add_parser("post-summary", help="file the one-page PDF as a DocumentReference")
    post.add_argument("case", type=Path, metavar="CASE.json")
    _server_options(post)
    post.add_argument("--models-dir", type=Path, default=None, help="model store directory")
    post.set_defaults(func=_post_summary)


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", required=True, metavar="URL", help="FHIR R4 base URL")
    parser.add_argument("--patient", required=True, metavar="ID", help="the Patient's FHIR id")
    parser.add_argument(
        "--token-file", default=None, metavar="F", help="file holding a bearer access token"
    )


def _refuse(message: str) -> int:
    sys.stderr.write(" ".join(str(message).split()) + "\n")
    return BAD_INPUT


def _server(args: argparse.Namespace):
    from srgvhd.ehr.client import FhirServer, check_patient_id, read_token

    token = read_token(args.token_file) if args.token_file else None
    check_patient_id(args.patient)
    return FhirServer(args.server, token)


def _import(args: argparse.Namespace) -> int:
    from srgvhd.ehr.client import EhrError
    from srgvhd.ehr.importer import import_case
    from srgvhd.files import atomic_write

    try:
        draft = import_case(_server(args), args.patient, args.as_of)
    except EhrError as exc:
        return _refuse(f"fhir import: {exc}")
    text = json.dumps(draft, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        atomic_write(args.out, text.encode("utf-8"))
    except OSError as exc:
        return _refuse(f"fhir import: --out: cannot write {str(args.out)!r}: {exc.strerror}")
    return 0


def _post_summary(args: argparse.Namespace) -> int:
    from srgvhd.cli.models import load_active_model
    from srgvhd.clinical.case import MAX_CASE_BYTES, loads_case
    from srgvhd.ehr.client import EhrError
    from srgvhd.ehr.document import check_binding, file_summary
    from srgvhd.errors import InputError
    from srgvhd.report.summary import build_summary_pdf
    from srgvhd.risk.patient import assess_patient

    try:
        with open(args.case, "rb") as handle:
            raw = handle.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        return _refuse(f"fhir post-summary: cannot read {str(args.case)!r}: {exc.strerror}")
    try:
        case = loads_case(raw)
        patient = json.loads(raw).get("patient") or {}
        server = _server(args)
        check_binding(patient.get("ehr"), server.url, args.patient)
    except (InputError, EhrError) as exc:
        return _refuse(f"fhir post-summary: {exc}")
    model, load_warnings = load_active_model(args.models_dir)
    result = assess_patient(case, model, load_warnings=load_warnings)
    pdf = build_summary_pdf(case, result, model)
    try:
        created = file_summary(server, args.patient, pdf, result.course.status.sentence)
    except EhrError as exc:
        return _refuse(f"fhir post-summary: {exc}")
    sys.stdout.write(f"{created['id']}\n")
    return 0
