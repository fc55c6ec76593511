"""Training orchestration: train_from_csv (srgvhd.risk.train)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import lifelines
import pytest
import sklearn

from srgvhd.errors import InputError
from srgvhd.risk.cohort import read_cohort
from srgvhd.risk.predict import patient_risk
from srgvhd.risk.store import REFERENCE_DIR, ModelStore
from srgvhd.risk.train import REFERENCE_STATEMENT, train_from_csv
from tests.test_predict import cohort_csv, fitted, synthetic_cohort
from tests.test_store_faults import snapshot


@pytest.fixture
def cohort_file(tmp_path) -> Path:
    path = tmp_path / "centre.csv"
    path.write_bytes(cohort_csv(synthetic_cohort(150, seed=1)))
    return path


def test_card_describes_the_training_file_and_the_fit(tmp_path, cohort_file):
    df = synthetic_cohort(150, seed=1)
    store = ModelStore(tmp_path / "models")
    card = train_from_csv(cohort_file, store=store)
    assert card["training_file_sha256"] == hashlib.sha256(cohort_file.read_bytes()).hexdigest()
    assert card["training_file_name"] == "centre.csv"
    assert card["n"] == 150 and card["events"] == int(df["death"].sum())
    assert card["covariates"] == ["age_lt18", "age_ge35", "grade_II", "grade_IV", "hb_le_90"]
    assert [c["name"] for c in card["coefficients"]] == card["covariates"]
    assert {"concordance_apparent", "concordance_cv", "ph_test", "calibration"} <= set(
        card["metrics"]
    )
    assert card["lifelines_version"] == lifelines.__version__
    assert card["sklearn_version"] == sklearn.__version__
    assert card["reference_model"] is False and card["assumptions"] == []
    artifact = (store.root / f"{card['version']}.npz").read_bytes()
    assert card["artifact_sha256"] == hashlib.sha256(artifact).hexdigest()
    saved = json.loads((store.root / f"{card['version']}.json").read_text())
    assert saved == card
    assert store.active_version() is None and store.audit_log() == []


def test_promote_activates_and_audits(tmp_path, cohort_file):
    store = ModelStore(tmp_path / "models")
    card = train_from_csv(cohort_file, store=store, promote=True, who="dr b")
    assert store.active_version() == card["version"]
    (entry,) = store.audit_log()
    assert entry["action"] == "promote" and entry["who"] == "dr b"
    assert entry["to_version"] == card["version"] and entry["from_version"] is None
    assert entry["training_file_sha256"] == card["training_file_sha256"]
    model, warnings = store.load_active()
    assert warnings == [] and model.card == card


def test_coefficients_in_card_equal_hazard_ratios_predicted(tmp_path, cohort_file):
    store = ModelStore(tmp_path / "models")
    card = train_from_csv(cohort_file, store=store, promote=True)
    model, _ = store.load_active()
    hr = {c["name"]: c["hazard_ratio"] for c in card["coefficients"]}
    risk = patient_risk(model, age_years=30, grade="IV", hemoglobin_g_l=120).to_json()
    assert risk["hazard_ratio"] == pytest.approx(hr["grade_IV"], rel=1e-12)


def _bad_rows(data: bytes) -> bytes:
    lines = data.decode().splitlines()
    lines[3] = lines[3].replace(",III,", ",V,").replace(",II,", ",V,").replace(",IV,", ",V,")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("mangle", "where"),
    [
        (_bad_rows, "row 4, column grade"),
        (lambda d: d.replace(b"os_days", b"os_dayz", 1), "column os_days"),
        (lambda d: b"", "file"),
    ],
)
def test_malformed_cohort_is_refused_and_store_unchanged(tmp_path, cohort_file, mangle, where):
    store = ModelStore(tmp_path / "models")
    train_from_csv(cohort_file, store=store, promote=True)
    before = snapshot(store.root)
    with pytest.raises(InputError) as info:
        train_from_csv(mangle(cohort_file.read_bytes()), store=store, promote=True)
    assert info.value.problems[0].where == where
    assert snapshot(store.root) == before


def test_low_events_per_coefficient_refused_unless_allowed(tmp_path):
    df = synthetic_cohort(80, seed=6)
    df.loc[df.index[30:], "death"] = 0  # at most 30 deaths for 5 coefficients: EPV < 10
    data = cohort_csv(df)
    store = ModelStore(tmp_path / "models")
    with pytest.raises(InputError, match="events per coefficient"):
        train_from_csv(data, store=store, promote=True)
    assert not store.root.exists() or list(store.root.iterdir()) == []
    card = train_from_csv(data, store=store, allow_low_epv=True)
    events = int(df["death"].sum())
    assert card["low_epv_allowed"] is True
    assert card["events_per_coefficient"] == round(events / 5, 2) < 10


def test_cohort_without_children_gives_model_without_that_coefficient(tmp_path):
    data = cohort_csv(synthetic_cohort(150, seed=7, children=False))
    store = ModelStore(tmp_path / "models")
    card = train_from_csv(data, store=store, promote=True, source_name="adults.csv")
    assert "age_lt18" not in card["covariates"] and card["training_file_name"] == "adults.csv"
    model, _ = store.load_active()
    with pytest.raises(InputError, match="age_years"):
        patient_risk(model, age_years=12, grade="III", hemoglobin_g_l=100)


def test_reference_model_card_carries_statement_and_assumptions(tmp_path, cohort_file):
    card = train_from_csv(
        cohort_file,
        store=ModelStore(tmp_path),
        reference_model=True,
        assumptions=["exponential follow-up"],
        allow_low_epv=True,
    )
    assert card["reference_model"] is True
    assert card["statement"] == REFERENCE_STATEMENT
    assert "no real patient data" in card["statement"]
    assert card["assumptions"] == ["exponential follow-up"]


def test_unreadable_path_is_refused(tmp_path):
    with pytest.raises(InputError) as info:
        train_from_csv(tmp_path / "nope.csv", store=ModelStore(tmp_path / "m"))
    assert info.value.problems[0].where == "file"
    assert not (tmp_path / "m").exists()


REPO = Path(__file__).resolve().parents[1]


def test_shipped_active_model_is_fitted_on_the_checked_in_reference_cohort():
    """models/ and the bundled copy hold the model fitted on training/reference_cohort.csv."""
    cohort_path = REPO / "training" / "reference_cohort.csv"
    shipped, warnings = ModelStore(REPO / "models").load_active()
    assert warnings == []
    card = shipped.card
    assert card["training_file_sha256"] == hashlib.sha256(cohort_path.read_bytes()).hexdigest()
    assert card["reference_model"] is True and card["statement"] == REFERENCE_STATEMENT
    assert card["low_epv_allowed"] is True and card["assumptions"]
    bundled = ModelStore(REFERENCE_DIR).load_active_strict()
    assert bundled.card == card and bundled.card_sha256 == shipped.card_sha256
    # The artifact's coefficients are those of an independent lifelines fit of the CSV.
    cph, _ = fitted(read_cohort(cohort_path))
    expected = cph.params_[list(shipped.covariates)].to_numpy()
    assert shipped.beta == pytest.approx(expected, abs=1e-8)


def test_same_cohort_gives_byte_identical_artifact(tmp_path, cohort_file):
    first = train_from_csv(cohort_file, store=ModelStore(tmp_path / "a"))
    second = train_from_csv(cohort_file, store=ModelStore(tmp_path / "b"))
    assert first["artifact_sha256"] == second["artifact_sha256"]


def test_fresh_rebuild_never_deletes_a_centres_own_model(tmp_path, cohort_file):
    from training.build_reference_model import empty_shipped_store

    store = ModelStore(tmp_path / "models")
    train_from_csv(cohort_file, store=store, promote=True, reference_model=True)
    empty_shipped_store(store.root)
    assert [p.name for p in store.root.iterdir()] == [".lock"]  # the store lock stays
    own = train_from_csv(cohort_file, store=store, promote=True)
    before = snapshot(store.root)
    with pytest.raises(SystemExit, match=own["version"]):
        empty_shipped_store(store.root)
    assert snapshot(store.root) == before


# ---- dialects, complete rows, progress -------------------------------------------------------

REFERENCE_CSV = Path(__file__).resolve().parent.parent / "training" / "reference_cohort.csv"


def _semicolon_decimal_comma(text: str) -> bytes:
    """The file as a European spreadsheet saves it: `;`, decimal comma, BOM, CRLF."""
    rows = [line.split(",") for line in text.splitlines()]
    age, hb = rows[0].index("age_years"), rows[0].index("hemoglobin_g_l")
    for row in rows[1:]:
        row[age], row[hb] = row[age] + ",5", row[hb] + ",0"
    return b"\xef\xbb\xbf" + "\r\n".join(";".join(r) for r in rows).encode() + b"\r\n"


def test_european_spreadsheet_file_gives_the_same_model_as_the_comma_file(tmp_path):
    text = REFERENCE_CSV.read_text(encoding="utf-8")
    comma = (
        "\n".join(
            ",".join(
                c + ".5" if i == 1 and n else c + ".0" if i == 3 and n else c
                for i, c in enumerate(line.split(","))
            )
            for n, line in enumerate(text.splitlines())
        )
        + "\n"
    )
    first = train_from_csv(comma.encode(), store=ModelStore(tmp_path / "a"), allow_low_epv=True)
    second = train_from_csv(
        _semicolon_decimal_comma(text), store=ModelStore(tmp_path / "b"), allow_low_epv=True
    )
    assert second["coefficients"] == first["coefficients"]
    assert second["metrics"] == first["metrics"]
    assert first["dialect"]["description"] == (
        "comma-separated, decimal point, UTF-8, LF line ends"
    )
    assert second["dialect"]["description"] == (
        "semicolon-separated, decimal comma, UTF-8 with BOM, CRLF line ends"
    )


def test_complete_rows_fit_reports_exactly_the_rows_left_out(tmp_path, cohort_file):
    lines = cohort_file.read_text().splitlines()
    header = lines[0].split(",")
    hb = header.index("hemoglobin_g_l")
    gaps = [3, 10, 57, 88, 120]  # spreadsheet rows 4, 11, 58, 89, 121
    for i in gaps:
        cells = lines[i].split(",")
        cells[hb] = ""
        lines[i] = ",".join(cells)
    data = ("\n".join(lines) + "\n").encode()
    store = ModelStore(tmp_path / "m")
    with pytest.raises(InputError) as info:
        train_from_csv(data, store=store)
    assert [p.where for p in info.value.problems] == [
        f"row {i + 1}, column hemoglobin_g_l" for i in gaps
    ]
    card = train_from_csv(data, store=store, complete_rows=True)
    ids = [lines[i].split(",")[header.index("patient_id")] for i in gaps]
    assert card["complete_rows"] == {
        "excluded": 5,
        "listed": 5,
        "rows": [
            {"row": i + 1, "patient_id": pid, "empty": ["hemoglobin_g_l"]}
            for i, pid in zip(gaps, ids, strict=True)
        ],
    }
    assert card["n"] == 150 - 5
    plain = train_from_csv(cohort_file, store=store)
    assert plain["complete_rows"] is None


def test_epv_refusal_names_the_override_given_by_the_caller(tmp_path):
    df = synthetic_cohort(80, seed=6)
    df.loc[df.index[30:], "death"] = 0
    with pytest.raises(InputError) as info:
        train_from_csv(
            cohort_csv(df),
            store=ModelStore(tmp_path),
            epv_override='tick "Allow fewer events per coefficient"',
        )
    assert str(info.value).endswith('To fit anyway, tick "Allow fewer events per coefficient".')


def test_progress_is_reported_in_order_up_to_saving(tmp_path, cohort_file):
    seen: list[tuple[str, float]] = []
    train_from_csv(
        cohort_file,
        store=ModelStore(tmp_path / "m"),
        progress=lambda step, fraction: seen.append((step, fraction)),
    )
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0
    assert seen[-1][0] == "saving the model"
    assert any(step.startswith("cross-validation fold 5 of 5") for step, _ in seen)
