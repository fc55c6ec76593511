"""A real sekmet-fhir server (FHIR R4, FastAPI + SQLite) on a free loopback port, for the EHR
tests: started in its own process group with its own database and settings in a temporary
folder, polled until ``/fhir/metadata`` answers, loaded with transaction bundles, stopped with
the process group (tests/support/local_server.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.local_server import HOST, free_port, stop

BUNDLES = Path(__file__).resolve().parent / "bundles"
START_TIMEOUT_S = 90.0


def sekmet_program() -> str:
    """The ``sekmet`` console script of this Python environment (make test installs it)."""
    beside = Path(sys.executable).parent / "sekmet"
    found = str(beside) if beside.exists() else shutil.which("sekmet")
    if found is None:
        raise RuntimeError("sekmet-fhir is not installed: pip install '.[test]' (make test)")
    return found


class Sekmet:
    """A running sekmet-fhir server; ``base`` is its FHIR base URL."""

    def __init__(self, folder: Path, settings: str = "", *, base_url: str | None = None) -> None:
        """``base_url``: the public base URL the server names in its links (a gateway's), else
        its own address."""
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}/fhir"
        public = base_url or self.base
        config = folder / "settings.yaml"
        config.write_text(settings or "simulator:\n  enabled: false\n")
        self.log = folder / "sekmet.log"
        env = {
            **os.environ,
            "SEKMET_CONFIG": str(config),
            "SEKMET_BASE_URL": public,
            "SEKMET_DB": str(folder / "sekmet.db"),
        }
        with open(self.log, "wb") as sink:
            self.process = subprocess.Popen(
                [sekmet_program(), "serve", "--host", HOST, "--port", str(self.port)],
                cwd=folder,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sekmet exited: {self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/metadata", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"sekmet did not start: {self.log.read_text()[-3000:]}")

    def request(
        self, method: str, path: str, body: dict | None = None, token: str | None = None
    ) -> dict:
        """One FHIR request straight to the server (not through the code under test)."""
        headers = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base}/{path}", data, headers, method=method)
        with urllib.request.urlopen(req, timeout=60) as answer:
            return json.loads(answer.read())

    def load(self, *names: str, token: str | None = None) -> None:
        """POST each committed bundle (tests/fhir/bundles/NAME.json) as a transaction."""
        for name in names:
            bundle = json.loads((BUNDLES / f"{name}.json").read_text())
            answer = self.request("POST", "", bundle, token)
            assert answer["type"] == "transaction-response", answer

    def stop(self) -> None:
        stop(self.process)
