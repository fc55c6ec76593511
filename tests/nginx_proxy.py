"""A real nginx (Debian's ``nginx`` package) in front of a test server, configured like
docs/deploying.md §2: started by the test on a free loopback port with its own configuration,
logs and temporary files in a temporary directory — never the system service.

TLS is left out (a loopback test has no certificate); everything else is the documented
``location /`` block plus the authenticating-proxy lines of the "Who is recorded" table
(``auth_basic`` and ``proxy_set_header X-Remote-User $remote_user``).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.support.local_server import HOST, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_S = 30.0

CONFIG = """\
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log info;
{user}
events {{ worker_connections 64; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    server {{
        listen {host}:{port};
        server_name srgvhd.ward.example.org;
        client_max_body_size 6m;

        auth_basic "srgvhd";
        auth_basic_user_file {root}/htpasswd;

        location / {{
            proxy_pass http://{host}:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Remote-User $remote_user;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_read_timeout 86400;
        }}
    }}
}}
"""


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
        return True
    return False


@contextlib.contextmanager
def nginx(root: Path, upstream: int, users: dict[str, str]) -> Iterator[int]:
    """nginx on 127.0.0.1 proxying to ``upstream`` with basic-auth ``users`` (name → password);
    yields its port and stops it afterwards."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "htpasswd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()))
    port = free_port()
    as_root = "user root;" if _is_root() else ""
    config = root / "nginx.conf"
    config.write_text(
        CONFIG.format(root=root, host=HOST, port=port, upstream=upstream, user=as_root)
    )
    with open(root / "stdout.log", "wb") as sink:
        process = subprocess.Popen(
            [NGINX, "-p", str(root), "-c", str(config), "-e", str(root / "error.log")],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "error.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"nginx did not start: {log}")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _is_root() -> bool:
    import os

    return os.geteuid() == 0
