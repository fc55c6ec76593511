"""The ``srgvhd`` command line: ``assess`` a case file; ``train``, ``models`` and ``score`` for the
risk model (registered by ``srgvhd.cli.models``).

Bad input exits with status 2, prints nothing on stdout and one line on stderr naming the field
and what is wrong (interfaces.md §2).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from srgvhd.clinical.refractory import RULE_SETS
from srgvhd.errors import InputError

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on one stderr line with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"usage: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(prog="srgvhd", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    assess = sub.add_parser("assess", help="stage, grade and judge one steroid course")
    assess.add_argument("case", type=Path, help="srgvhd-case/1 JSON file")
    assess.add_argument("--json", action="store_true", help="print the JSON contract")
    assess.add_argument("--rules", choices=RULE_SETS, default="study", help="rule set")
    assess.add_argument("--models-dir", type=Path, default=None, help="model store directory")
    assess.add_argument("--no-risk", action="store_true", help="skip the risk model")
    assess.set_defaults(func=_assess)
    from srgvhd.cli.models import add_subcommands

    add_subcommands(sub)
    from srgvhd.cli import cases

    cases.add_subcommands(sub)
    return parser


def _assess(args: argparse.Namespace) -> int:
    from srgvhd.clinical.case import load_case
    from srgvhd.clinical.course import assess_case, attach_risk

    try:
        case = load_case(args.case)
    except InputError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT
    result = assess_case(case, args.rules)
    if not args.no_risk:
        from srgvhd.cli.models import load_active_model

        model, warnings = load_active_model(args.models_dir)
        result["warnings"].extend(warnings)
        if model is not None:
            attach_risk(result, case, model)
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_table(result))
    return 0


def format_table(result: dict) -> str:
    """A readable summary of an assess result for the terminal."""
    header = f"{'date':<10}  {'day':>3}  skin liver uGI lGI  grade  Minnesota  response"
    lines = [header, "-" * len(header)]
    for row in result["assessments"]:
        s = row["stages"]
        lines.append(
            f"{row['date']:<10}  {row['day']:>3}  {s['skin']:>4} {s['liver']:>5} "
            f"{s['upper_gi']:>3} {s['lower_gi']:>3}  {row['grade']:>5}  "
            f"{row['minnesota_risk'] or '—':<9}  {row['response'] or 'baseline'}"
        )
        lines += [f"{'':<10}  {'':>3}  note: {note}" for note in row["notes"]]
    lines += ["", f"Highest MAGIC grade: {result['max_grade']}", result["status"]["sentence"]]
    risk = result.get("risk")
    if risk:
        lo, hi = risk["hazard_ratio_ci"]
        lines.append(
            f"Hazard ratio vs reference patient: {risk['hazard_ratio']:.2f} "
            f"(95% CI {lo:.2f}–{hi:.2f}); model {risk['model_version']}"
        )
        for days, label in (("180", "6 months"), ("365", "12 months")):
            s = risk["survival"][days]
            lines.append(
                f"Survival at {label}: {s['estimate']:.0%} "
                f"(95% CI {s['lower']:.0%}–{s['upper']:.0%})"
            )
    lines += [f"warning: {w}" for w in result["warnings"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``srgvhd`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
