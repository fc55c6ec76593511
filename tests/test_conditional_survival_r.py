"""Survival from the second-line start for a patient alive on day d (docs/clinical-rules.md
§8.8) against R: ``survfit.coxph(fit, newdata, start.time = d, ctype = 1, conf.type =
"log-log")`` with the model's own coefficients (``init = β, iter.max = 0``, so R's fit has the
same β and computes its covariance there), at three values of d — one of them a day on which
training patients died, where R counts those deaths in the conditional curve — to 1e-6 relative.
"""

from __future__ import annotations

import io
import subprocess

import numpy as np
import pandas as pd
import pytest

from srgvhd.risk.predict import conditional_risk, conditional_survival_band
from tests.test_predict import make_model, synthetic_cohort
from tests.test_r_crosscheck import rscript

R_SCRIPT = """
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
beta <- scan(args[2], quiet = TRUE)
fit <- suppressWarnings(coxph(Surv(os_days, death) ~ ., data = d, ties = "efron", init = beta,
                              control = coxph.control(iter.max = 0)))
nd <- read.csv(args[3])
out <- NULL
for (start in scan(args[4], quiet = TRUE)) {
  for (i in seq_len(nrow(nd))) {
    times <- c(180, 365)
    times <- times[times > start]
    s <- summary(survfit(fit, newdata = nd[i, , drop = FALSE], ctype = 1,
                         conf.type = "log-log", start.time = start), times = times)
    out <- rbind(out, data.frame(d = start, patient = i, t = s$time, est = s$surv,
                                 lo = s$lower, hi = s$upper))
  }
}
write.csv(out, stdout(), row.names = FALSE)
"""
PATIENTS = [  # (age, grade, Hb g/L) and their indicator rows in the model's column order
    ({"age_years": 30, "grade": "III", "hemoglobin_g_l": 120}, [0, 0, 0, 0, 0]),
    ({"age_years": 45, "grade": "III", "hemoglobin_g_l": 80}, [0, 1, 0, 0, 1]),
    ({"age_years": 12, "grade": "IV", "hemoglobin_g_l": 90}, [1, 0, 0, 1, 1]),
]


@pytest.fixture(scope="module")
def fitted_model():
    cohort = synthetic_cohort(200, seed=21)
    model, _, x = make_model(cohort)
    return cohort, model, x


@pytest.mark.rcheck
def test_conditional_survival_matches_r_start_time(fitted_model, tmp_path):
    cohort, model, x = fitted_model
    assert list(x.columns) == ["age_lt18", "age_ge35", "grade_II", "grade_IV", "hb_le_90"]
    deaths = np.sort(cohort.loc[cohort["death"] == 1, "os_days"].unique())
    death_day = int(deaths[len(deaths) // 3])  # a day with training deaths on it
    assert death_day not in (0, 100)
    starts = [0, death_day, 100]
    pd.concat([x, cohort[["os_days", "death"]]], axis=1).to_csv(tmp_path / "d.csv", index=False)
    (tmp_path / "beta.txt").write_text(" ".join(repr(float(b)) for b in model.beta))
    pd.DataFrame([row for _, row in PATIENTS], columns=x.columns).to_csv(
        tmp_path / "nd.csv", index=False
    )
    (tmp_path / "starts.txt").write_text(" ".join(map(str, starts)))
    script = tmp_path / "cond.R"
    script.write_text(R_SCRIPT)
    out = subprocess.run(
        [rscript(), str(script), *(str(tmp_path / f) for f in ("d.csv", "beta.txt", "nd.csv"))]
        + [str(tmp_path / "starts.txt")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    r = pd.read_csv(io.StringIO(out))
    assert len(r) == len(starts) * len(PATIENTS) * 2
    for (d, i), rows in r.groupby(["d", "patient"]):
        patient = PATIENTS[int(i) - 1][0]
        est, lo, hi = conditional_survival_band(
            model, **patient, alive_on_day=d, days=rows["t"].to_numpy()
        )
        assert est == pytest.approx(rows["est"].to_numpy(), rel=1e-6), (d, i)
        assert lo == pytest.approx(rows["lo"].to_numpy(), rel=1e-6), (d, i)
        assert hi == pytest.approx(rows["hi"].to_numpy(), rel=1e-6), (d, i)
        # and the rounded contract object carries the same figures
        shown = conditional_risk(model, **patient, alive_on_day=int(d)).to_json()
        for t, e in zip(rows["t"], rows["est"], strict=True):
            assert shown["survival"][str(int(t))]["estimate"] == pytest.approx(e, abs=5e-7)
