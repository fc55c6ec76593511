"""CLI commands of the risk model: ``train``, ``models`` and ``score`` (srgvhd/cli/main.py wires
them).

Bad input ends with exit status 2 and one line on stderr naming the field (and row); nothing is
printed on stdout then (interfaces.md §2 convention).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from srgvhd.cli.who import as_option
from srgvhd.errors import InputError, Problem
from srgvhd.i18n import Msg, problems_message
from srgvhd.identity import cli_identity
from srgvhd.risk.formulas import escape_cells
from srgvhd.risk.model import RiskModel
from srgvhd.risk.predict import score_frame
from srgvhd.risk.progress import no_progress
from srgvhd.risk.provenance import declared_source
from srgvhd.risk.store import REFERENCE_DIR, ModelStore, StoreError

BAD_INPUT = 2
SEPARATOR_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t"}
DECIMAL_NAMES = {"point": ".", "comma": ","}


def _models_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--models-dir",
        type=Path,
        default=None,
        help="model store directory (default: $SRGVHD_MODELS_DIR, else <repo>/models)",
    )


def add_subcommands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``train``, ``models`` and ``score``; each sets ``func(args) -> int``."""
    train = subparsers.add_parser("train", help="fit a new model version from a cohort CSV")
    train.add_argument("cohort", type=Path, metavar="COHORT.csv")
    train.add_argument("--promote", action="store_true", help="make the new version active")
    train.add_argument(
        "--allow-low-epv",
        action="store_true",
        help="fit even with fewer than 10 deaths per coefficient",
    )
    train.add_argument("--centre", default=None, help="where the cohort comes from (on the card)")
    train.add_argument(
        "--period", default=None, help="the period the cohort covers, e.g. 2019-2024 (on the card)"
    )
    train.add_argument(
        "--complete-rows",
        action="store_true",
        help="leave out rows with an empty cell (listed on the model card) "
        "instead of refusing the file",
    )
    train.add_argument(
        "--separator",
        choices=sorted(SEPARATOR_NAMES),
        default=None,
        help="the file's separator when detection is ambiguous",
    )
    train.add_argument(
        "--decimal",
        choices=sorted(DECIMAL_NAMES),
        default=None,
        help="the file's decimal mark when detection is ambiguous",
    )
    train.add_argument(
        "--progress",
        action="store_true",
        help="print progress lines on stderr (always on a terminal)",
    )
    _models_dir_option(train)
    as_option(train)
    train.set_defaults(func=_guarded(_train))

    models = subparsers.add_parser("models", help="list model versions; --activate to roll back")
    action = models.add_mutually_exclusive_group()
    action.add_argument("--activate", metavar="VERSION", default=None)
    action.add_argument(
        "--upgrade",
        action="store_true",
        help="convert joblib-era versions to the plain-data format once (reads their pickles "
        "with a restricted unpickler; run it only on a store you trust)",
    )
    action.add_argument(
        "--card-pdf",
        metavar="VERSION",
        default=None,
        help="write the model card of VERSION as a PDF to --out",
    )
    models.add_argument("--out", type=Path, default=None, help="PDF file for --card-pdf")
    models.add_argument(
        "--lang",
        default=None,
        help="language of --card-pdf: en, zh, de or fr (default: the environment's locale, "
        "else en), as for assess --pdf",
    )
    _models_dir_option(models)
    as_option(models)
    models.set_defaults(func=_guarded(_models))

    score = subparsers.add_parser("score", help="hazard ratio and survival for each patient")
    score.add_argument("cohort", type=Path, metavar="COHORT.csv")
    score.add_argument("--out", type=Path, default=None, help="CSV file (default: stdout)")
    _models_dir_option(score)
    score.set_defaults(func=_guarded(_score))


Handler = Callable[[argparse.Namespace, io.StringIO], int]


def _guarded(handler: Handler) -> Callable[[argparse.Namespace], int]:
    """Turn a refusal into exit status 2 and one stderr line; stdout is written only on success."""

    def run(args: argparse.Namespace) -> int:
        out = io.StringIO()
        try:
            status = handler(args, out)
        except InputError as exc:
            print(" ".join(str(exc).split("\n")), file=sys.stderr)
            return BAD_INPUT
        sys.stdout.write(out.getvalue())
        return status

    return run


def load_active_model(models_dir: Path | None = None) -> tuple[RiskModel | None, list[str]]:
    """The active model (or the bundled reference, with a warning); None if neither loads."""
    try:
        return ModelStore(models_dir).load_active()
    except StoreError as exc:
        return None, [
            Msg("no risk model available: {problems}", problems=problems_message(exc.problems))
        ]


def _print_progress(step: str, fraction: float) -> None:
    print(f"srgvhd train: {fraction:4.0%} {step}", file=sys.stderr, flush=True)


def _train(args: argparse.Namespace, out: io.StringIO) -> int:
    # deferred: `srgvhd assess` builds this parser too and must not load pandas, pyarrow,
    # lifelines or scikit-learn (~3 s; perf/bench_assess.py times the command)
    from srgvhd.risk.cohort import has_empty_cells
    from srgvhd.risk.train import train_from_csv

    who = cli_identity(args.as_name).who
    source = declared_source(
        args.centre, args.period, declared_by=who, fields=("--centre", "--period")
    )
    show = args.progress or sys.stderr.isatty()
    try:
        card = train_from_csv(
            args.cohort,
            store=ModelStore(args.models_dir),
            promote=args.promote,
            allow_low_epv=args.allow_low_epv,
            complete_rows=args.complete_rows,
            data_source=source,
            who=who,
            separator=SEPARATOR_NAMES.get(args.separator),
            decimal_mark=DECIMAL_NAMES.get(args.decimal),
            progress=_print_progress if show else no_progress,
        )
    except InputError as exc:
        if has_empty_cells(exc) and not args.complete_rows:
            hint = Problem("file", "to fit on the complete rows only, rerun with --complete-rows")
            raise InputError([*exc.problems, hint]) from None
        raise
    state = "active" if args.promote else "saved, not active (use: srgvhd models --activate)"
    left_out = card.exclusions.excluded if card.exclusions else 0
    print(
        f"{card.version}: n={card.n}, deaths={card.events}, "
        f"covariates={','.join(card.covariates)}; read as {card.dialect_description}"
        + (f"; {left_out} incomplete rows left out (listed on the card)" if left_out else "")
        + f"; {state}",
        file=out,
    )
    return 0


def _card_pdf(store: ModelStore, version: str, path: Path | None, lang: str | None) -> str:
    """Write the card of ``version`` (of the store, else of the bundled reference store) as a
    PDF in ``lang`` (interfaces.md §10: else the environment's locale, else English) to
    ``path``; the line to print."""
    from srgvhd.i18n import UnknownLanguage, resolve_language
    from srgvhd.report.card_pdf import build_card_pdf  # deferred: fpdf2 only for this option

    try:
        language = resolve_language(lang)
    except UnknownLanguage as exc:
        raise InputError(Problem("--lang", str(exc).removeprefix("--lang: "))) from None
    if path is None:
        raise InputError(Problem("--out", "is required with --card-pdf (the PDF file to write)"))
    try:
        card = store.load(version).card
    except StoreError as exc:
        try:
            card = ModelStore(REFERENCE_DIR).load(version).card
        except StoreError:
            raise exc from None
    _write_output(path, build_card_pdf(card, lang=language))
    return f"wrote the model card of {version}: {path}"


def _models(args: argparse.Namespace, out: io.StringIO) -> int:
    store = ModelStore(args.models_dir)
    if args.card_pdf is not None:
        print(_card_pdf(store, args.card_pdf, args.out, args.lang), file=out)
        return 0
    if args.out is not None:
        raise InputError(Problem("--out", "is used only with --card-pdf VERSION"))
    if args.lang is not None:
        raise InputError(Problem("--lang", "is used only with --card-pdf VERSION"))
    if args.activate is not None:
        store.activate(args.activate, action="activate", who=cli_identity(args.as_name).who)
    if args.upgrade:
        upgraded = store.upgrade_legacy(who=cli_identity(args.as_name).who)
        print(
            f"upgraded {len(upgraded)} version(s) to the plain-data format"
            + (f": {', '.join(upgraded)}" if upgraded else ""),
            file=out,
        )
    for card in store.list_versions():
        marker = "*" if card["active"] else " "
        if "problem" in card:
            print(f"{marker} {card['version']}  UNREADABLE: {card['problem']}", file=out)
            continue
        tag = "".join(
            text
            for flag, text in (
                ("reference_model", "  [reference model]"),
                ("synthetic", "  [synthetic data]"),
                ("legacy", "  [old joblib format: run srgvhd models --upgrade]"),
            )
            if card.get(flag)
        )
        print(
            f"{marker} {card['version']}  {card.get('created_at')}  n={card.get('n')}  "
            f"deaths={card.get('events')}  file={card.get('training_file_name')}{tag}",
            file=out,
        )
    return 0


def csv_text(columns: dict[str, list], float_format: str = "%.6g") -> str:
    """One CSV text from whole columns (header first, ``\n`` line ends, the csv module's minimal
    quoting), floats formatted by ``float_format`` and NaN as a blank — what
    ``DataFrame.to_csv(index=False, float_format=...)`` writes, without its per-cell checks
    (perf/bench_model.py: ``score`` ≤ 1.2× a plain pandas script)."""
    text_columns = []
    for values in columns.values():
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            text = list(map(float_format.__mod__, values.tolist()))
            for i in np.flatnonzero(np.isnan(values)):
                text[i] = ""
        else:
            text = list(map(str, values.tolist() if isinstance(values, np.ndarray) else values))
        text_columns.append(text)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(columns))
    writer.writerows(zip(*text_columns, strict=True))
    return buffer.getvalue()


def _score(args: argparse.Namespace, out: io.StringIO) -> int:
    from srgvhd.risk.cohort import read_cohort  # deferred with pandas, as in _train

    cohort = read_cohort(args.cohort, outcomes=False)  # new patients have no outcome yet
    model, warnings = load_active_model(args.models_dir)
    if model is None:
        raise StoreError(Problem("models", warnings[0]))
    scored = score_frame(model, cohort)
    columns = {"patient_id": escape_cells(cohort["patient_id"].tolist())}
    columns.update((name, scored[name].to_numpy()) for name in scored.columns)
    columns["model_version"] = [model.card.version] * len(scored)
    text = csv_text(columns)
    if args.out is None:
        out.write(text)
    else:
        _write_output(args.out, text)
        print(
            f"scored {len(scored)} patients with model {model.card.version}: {args.out}", file=out
        )
    for warning in warnings:  # only after success: a refusal stays one line on stderr
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _write_output(path: Path, content: str | bytes) -> None:
    try:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise InputError(Problem("--out", f"cannot write {path} ({exc.strerror})")) from None
