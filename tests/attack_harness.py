"""Websocket-level attack harness for tests/test_attacks_*.py (docs/security.md §5).

Starts the real app (``streamlit run app.py``) on 127.0.0.1 with its own model store and speaks
the browser's protocol to it (perf/load_check.py's ``rerun_message``/``read_run``), with any
``Host``/``Origin``/extra headers an attacker's browser or forwarder would send, directly or
through a loopback TCP relay. Nothing listens on or connects to anything but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import websockets

from perf.load_check import Run, open_page, read_run, rerun_message
from srgvhd.risk.store import ModelStore
from srgvhd.risk.train import train_from_csv
from tests.support.local_server import HOST, REPO, free_port, start, stop
from tests.test_predict import cohort_csv, synthetic_cohort

ADMIN_SECRET = "ward-admin-secret-0123456789"  # 28 characters
REBIND_HOST = "attacker.rebind.network"
RUN_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Server:
    """A running app: its port, log file and model store."""

    port: int
    log: Path
    models: Path

    def active_version(self) -> str | None:
        return ModelStore(self.models).active_version()


def two_version_store(root: Path) -> tuple[str, str]:
    """A model store with an active version and a newer inactive one; (active, inactive)."""
    cohort = cohort_csv(synthetic_cohort(150, seed=1))
    store = ModelStore(root)
    first = train_from_csv(cohort, store=store, promote=True, source_name="centre.csv")
    second = train_from_csv(cohort, store=store, promote=False, source_name="centre.csv")
    return first["version"], second["version"]


@contextlib.contextmanager
def serve(
    root: Path, template: Path, env: dict[str, str] | None = None, *, launcher: bool = False
) -> Iterator[Server]:
    """The app on 127.0.0.1 with a copy of the ``template`` store and extra environment;
    started like ``make run`` (``python -m srgvhd.app.serve``) when ``launcher``, else with the
    plain ``streamlit`` command."""
    models = root / "models"
    shutil.copytree(template, models)
    log = root / "server.log"
    port = free_port()
    process = start(
        REPO / "app.py",
        port,
        log,
        "--server.fileWatcherType",
        "none",
        env={
            "SRGVHD_MODELS_DIR": str(models),
            "SRGVHD_ADMIN_SECRET": "",
            "SRGVHD_TRUST_LOOPBACK": "1",
            **(env or {}),
        },
        program=[sys.executable, "-m", "srgvhd.app.serve"] if launcher else None,
    )
    try:
        yield Server(port, log, models)
    finally:
        stop(process)


@contextlib.asynccontextmanager
async def session(
    port: int,
    *,
    host: str | None = None,
    origin: str | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[websockets.ClientConnection]:
    """A websocket to 127.0.0.1:``port`` whose handshake says ``Host: host`` (default
    ``127.0.0.1:port``) and ``Origin: origin`` — what a browser on a rebound domain sends."""
    host = host or f"{HOST}:{port}"
    sock = socket.create_connection((HOST, port), timeout=10)
    async with websockets.connect(
        f"ws://{host}/_stcore/stream",
        sock=sock,
        origin=origin,
        additional_headers=headers,
        subprotocols=["streamlit"],
        max_size=None,
        open_timeout=RUN_TIMEOUT_S,
    ) as ws:
        yield ws


async def run(ws: websockets.ClientConnection, states=(), page: str | None = None) -> Run:
    """Send one rerun (``states``: (widget id, value field, value)) of ``page`` (its URL path;
    None: the default page, Ward) and read it to the end. A new session opens its first page
    with :func:`open_in`."""
    await ws.send(rerun_message(list(states), page=page))
    return await asyncio.wait_for(read_run(ws), RUN_TIMEOUT_S)


async def open_in(ws: websockets.ClientConnection, page: str) -> Run:
    """Open ``page`` in a new session as a browser does (app.py first, then the page)."""
    return await asyncio.wait_for(open_page(ws, page), 2 * RUN_TIMEOUT_S)


@contextlib.asynccontextmanager
async def tcp_relay(target_port: int) -> AsyncIterator[int]:
    """A header-less TCP forwarder on 127.0.0.1 (what ``ssh -L`` or stunnel does); its port."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(HOST, target_port)
        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))

    relay = await asyncio.start_server(handle, HOST, free_port())
    async with relay:
        yield relay.sockets[0].getsockname()[1]


def widget(result: Run, key: str):
    """The widget element with user key ``key`` (Streamlit ids end with ``-<key>``)."""
    found = [e for wid, e in result.widgets.items() if wid.endswith(f"-{key}")]
    assert len(found) == 1, f"widget {key!r}: {len(found)} found in {sorted(result.widgets)}"
    return found[0]
