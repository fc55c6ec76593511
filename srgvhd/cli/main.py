"""The ``srgvhd`` command line: ``assess`` a case file; ``train``, ``models`` and ``score`` for the
risk model (registered by ``srgvhd.cli.models``).

Bad input exits with status 2, prints nothing on stdout and one line on stderr naming the field
and what is wrong (interfaces.md §2). ``assess --lang en|zh|de|fr`` (default: the environment's
locale, else English) sets the language of the table and of ``--pdf``; ``--json`` is English
(interfaces.md §10).
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from srgvhd.clinical.refractory import RULE_SETS
from srgvhd.errors import InputError

if TYPE_CHECKING:
    from srgvhd.clinical.results import CourseResult
    from srgvhd.risk.patient import PatientResult

EXIT_BAD_INPUT = 2
DESCRIPTION = (
    "Decision support for steroid-refractory acute GVHD: assess a steroid course from a case "
    "file (MAGIC grade, response, refractory status and, with a model, the risk estimate); "
    "train, list and activate versions of the Cox risk model and score a cohort with it; keep "
    "the ward's case store. Run 'srgvhd COMMAND --help' for the options of a command."
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on one stderr line with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"usage: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(prog="srgvhd", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    assess = sub.add_parser("assess", help="stage, grade and judge one steroid course")
    assess.add_argument("case", type=Path, help="srgvhd-case/2 (or /1) JSON file")
    assess.add_argument("--json", action="store_true", help="print the JSON contract")
    assess.add_argument(
        "--rules",
        choices=RULE_SETS,
        default=None,
        help="rule set (default: the case's rule_set, else study); overrides the case's",
    )
    assess.add_argument("--models-dir", type=Path, default=None, help="model store directory")
    assess.add_argument("--no-risk", action="store_true", help="skip the risk model")
    assess.add_argument(
        "--pdf", type=Path, default=None, help="also write the one-page PDF summary to this file"
    )
    assess.add_argument(
        "--lang",
        default=None,
        help="language of the table and the PDF: en, zh, de or fr (default: the environment's "
        "locale, else en); --json stays English",
    )
    assess.set_defaults(func=_assess)
    from srgvhd.cli.models import add_subcommands

    add_subcommands(sub)
    from srgvhd.cli import cases

    cases.add_subcommands(sub)
    from srgvhd.cli import fhir

    fhir.add_subcommands(sub)
    return parser


def _assess(args: argparse.Namespace) -> int:
    from srgvhd.clinical.case import load_case
    from srgvhd.clinical.course import assess_case
    from srgvhd.i18n import UnknownLanguage, _, resolve_language, using
    from srgvhd.literature.second_line import with_benchmarks

    try:
        lang = resolve_language(args.lang)
    except UnknownLanguage as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT
    if args.pdf is not None and not args.pdf.parent.is_dir():
        with using(lang):
            folder = str(args.pdf.parent)
            sys.stderr.write(_("--pdf: folder {folder} does not exist", folder=repr(folder)) + "\n")
        return EXIT_BAD_INPUT
    try:
        case = load_case(args.case)
    except InputError as exc:
        with using(lang):
            sys.stderr.write(_problems_text(exc) + "\n")
        return EXIT_BAD_INPUT
    result: CourseResult | PatientResult = with_benchmarks(assess_case(case, args.rules))
    model = None
    if not args.no_risk:
        from srgvhd.cli.models import load_active_model
        from srgvhd.risk.patient import add_risk

        model, load_warnings = load_active_model(args.models_dir)
        result = add_risk(result, case, model, load_warnings=load_warnings)
    if args.pdf is not None:
        status = _write_pdf(args.pdf, case, result, model, lang)
        if status:
            return status
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        with using(lang):
            sys.stdout.write(format_table(result))
    return 0


def _problems_text(exc: InputError) -> str:
    """The refusal on one line in the current language: each field path as the file writes it,
    what is wrong as the engine's catalogue entry says it (English when it has none). In
    English the engine's own text, word for word (its fields named by their file paths)."""
    from srgvhd.i18n import DEFAULT_LANGUAGE, current
    from srgvhd.report.text import engine_text

    if current().lang == DEFAULT_LANGUAGE:
        return str(exc)
    return "; ".join(f"{p.where}: {engine_text(p.what)}" for p in exc.problems)


def _write_pdf(
    path: Path, case: object, result: CourseResult | PatientResult, model: object, lang: str
) -> int:
    """The app's one-page summary (srgvhd.report.summary) written atomically to ``path``;
    0, or 2 with one line on stderr when it cannot be written."""
    from srgvhd.files import atomic_write
    from srgvhd.i18n import _, using
    from srgvhd.report.summary import build_summary_pdf
    from srgvhd.risk.patient import PatientResult

    patient = result if isinstance(result, PatientResult) else PatientResult(result)
    try:
        data = build_summary_pdf(case, patient, model, lang=lang)  # type: ignore[arg-type]
    except RuntimeError as exc:  # a font the language needs is not installed
        sys.stderr.write(f"--pdf: {exc}\n")
        return EXIT_BAD_INPUT
    try:
        atomic_write(path, data, mode=0o644)
    except OSError as exc:
        with using(lang):
            said = _(
                "--pdf: cannot write {path}: {reason}",
                path=repr(str(path)),
                reason=exc.strerror or str(exc),
            )
        sys.stderr.write(said + "\n")
        return EXIT_BAD_INPUT
    return 0


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def format_table(result: CourseResult | PatientResult) -> str:
    """A readable summary of an assess result for the terminal, in the words and number formats
    of the page and the PDF (srgvhd.report.text): the course table with "n/m" and the
    incomplete-grade mark, the verdict, the bedside scores, and the risk estimate — as this
    patient's own only when the course is steroid-refractory."""
    from srgvhd.i18n import _
    from srgvhd.report import text as words

    course = getattr(result, "course", result)
    # (label, right-aligned, spaces after): the stage columns sit one space apart.
    columns = (
        (_("date"), False, 2),
        (_("day"), True, 2),
        (_("skin"), True, 1),
        (_("liver"), True, 1),
        (_("uGI"), True, 1),
        (_("lGI"), True, 2),
        (_("grade"), True, 2),
        (_("Minnesota"), False, 2),
        (_("response"), False, 0),
    )
    rows, cells = [], []
    for row in course.assessments:
        s = [words.stage_text(stage) for stage in row.stages.as_dict().values()]
        grade = words.grade_text(row.grade, row.grade_incomplete)
        cells += [*s, grade]
        rows.append(
            (
                [
                    words.day_date(row.date),
                    str(row.day),
                    *s,
                    grade,
                    words.minnesota_text(row.minnesota_risk),
                    words.response_text(row.response),
                ],
                row.notes,
            )
        )
    widths = [
        max(_width(label), *(_width(r[i]) for r, _notes in rows))
        for i, (label, _right, _gap) in enumerate(columns)
    ]

    def line(values: list[str]) -> str:
        return "".join(
            _pad(value, width, right) + " " * gap
            for value, width, (_label, right, gap) in zip(values, widths, columns, strict=True)
        ).rstrip()

    header = line([label for label, _right, _gap in columns])
    lines = [header, "-" * _width(header)]
    indent = " " * (widths[0] + 2 + widths[1] + 2)
    for values, notes in rows:
        lines.append(line(values))
        lines += [indent + _("note: {note}", note=words.engine_text(note)) for note in notes]
    incomplete = any(row.grade_incomplete for row in course.assessments)
    lines += words.marks_legend(cells, incomplete)
    lines += ["", *words.completeness_lines(course)]
    lines += [
        "",
        _("Highest MAGIC grade: {grade}", grade=words.max_grade_text(course)),
        words.headline(course.status, words.report_today()).text,
    ]
    for headline, detail in words.score_items(course.scores):
        lines += [headline, f"  {detail}"]
    if course.second_line is not None:
        from srgvhd.report.second_line_text import second_line_lines

        lines += second_line_lines(course.second_line)
    risk = result.risk if result is not course else None
    if risk is not None:
        if not words.risk_is_own(course.status.value):
            lines += [
                _("{heading}:", heading=_(words.CONDITIONAL_RISK_HEADING)),
                f"  {_(words.CONDITIONAL_RISK_NOTE)}",
            ]
        lines += [
            *words.risk_sentences(risk, result.grade_source),
            _("Model {version}.", version=risk.model_version),
        ]
        if result.conditional is not None:
            from srgvhd.report.second_line_text import conditional_lines

            lines += conditional_lines(result.conditional)
    risk_warnings = result.warnings if result is not course else ()
    lines += [
        _("warning: {warning}", warning=words.engine_text(w))
        for w in (*course.all_warnings, *risk_warnings)
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``srgvhd`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
