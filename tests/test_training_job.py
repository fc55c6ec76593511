"""Training off the script thread (srgvhd.app.training)."""

from __future__ import annotations

import threading
import time

from srgvhd.app import training
from srgvhd.errors import InputError, Problem
from srgvhd.risk import train as train_module


def _wait(job: training.TrainingJob, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while not job.snapshot()["done"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return job.snapshot()


def test_start_returns_at_once_reports_progress_and_allows_one_fit_per_server(monkeypatch):
    release = threading.Event()

    def slow_train(data, *, progress, **options):
        progress("fitting", 0.5)
        release.wait(10)
        return {"version": "v1", "data": data, "options": options}

    monkeypatch.setattr(train_module, "train_from_csv", slow_train)
    job = training.start(b"csv", store=None)
    deadline = time.monotonic() + 10
    while job.snapshot()["step"] != "fitting":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert job.snapshot()["fraction"] == 0.5 and not job.snapshot()["done"]
    busy = training.start(b"other", store=None)
    assert busy.snapshot()["done"] and busy.snapshot()["problems"] == [training.BUSY]
    release.set()
    state = _wait(job)
    assert state["card"] == {"version": "v1", "data": b"csv", "options": {"store": None}}
    assert _wait(training.start(b"again", store=None))["card"]["data"] == b"again"


def test_refusal_and_internal_error_end_the_job_and_free_the_slot(monkeypatch, caplog):
    def refuse(data, **options):
        raise InputError(Problem("row 2, column age_years", "'x' is not a number"))

    monkeypatch.setattr(train_module, "train_from_csv", refuse)
    state = _wait(training.start(b"x", store=None))
    assert [str(p) for p in state["problems"]] == ["row 2, column age_years: 'x' is not a number"]

    def crash(data, **options):
        raise ValueError("cell 47.31abc")

    monkeypatch.setattr(train_module, "train_from_csv", crash)
    state = _wait(training.start(b"x", store=None))
    assert state["card"] is None and "internal error" in state["problems"][0].what
    assert "47.31abc" not in caplog.text  # no cell values in the log
    assert "ValueError" in caplog.text
