"""A hospital's SMART front for the EHR tests, made of real servers on 127.0.0.1:

- the FHIR server (sekmet-fhir, tests/fhir/server.py) behind Debian's nginx, which proxies
  ``/fhir`` to it and serves ``/fhir/.well-known/smart-configuration`` naming the
  authorization server, as a hospital gateway does (sekmet's own configuration offers backend
  services only);
- the authorization server: npm's oauth2-mock-server (tests/servers, installed by make test),
  which adds the launch context (``patient``) to each token response from a context file the
  test can change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.fhir.server import Sekmet
from tests.support.local_server import HOST, free_port, stop

SERVERS = Path(__file__).resolve().parents[1] / "servers"
START_TIMEOUT_S = 60.0

NGINX_CONF = """
{user}
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen {host}:{port};
    location = /fhir/.well-known/smart-configuration {{
      default_type application/json;
      alias {dir}/smart-configuration.json;
    }}
    location /fhir/ {{
      proxy_pass http://{host}:{fhir_port}/fhir/;
      client_max_body_size 20m;
    }}
  }}
}}
"""


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{url} did not answer: {log.read_text()[-2000:]}")


class Gateway:
    """nginx in front of a sekmet-fhir server, and the authorization server; ``iss`` is the
    FHIR base URL a SMART launch names."""

    def __init__(self, folder: Path, patient: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = free_port()
        self.iss = f"http://{HOST}:{self.port}/fhir"
        self.fhir = Sekmet(folder / "sekmet", base_url=self.iss)
        self.context = folder / "context.json"
        self.set_context(patient=patient)
        self.auth_port = free_port()
        self.auth = f"http://{HOST}:{self.auth_port}"
        self.auth_log = folder / "oauth.log"
        node = shutil.which("node") or "/usr/bin/node"
        with open(self.auth_log, "wb") as sink:
            self.auth_process = subprocess.Popen(
                [node, str(SERVERS / "oauth_server.mjs"), str(self.auth_port), str(self.context)],
                cwd=SERVERS,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait(f"{self.auth}/.well-known/openid-configuration", self.auth_process, self.auth_log)
        (folder / "smart-configuration.json").write_text(
            json.dumps(
                {
                    "issuer": self.auth,
                    "authorization_endpoint": f"{self.auth}/authorize",
                    "token_endpoint": f"{self.auth}/token",
                    "jwks_uri": f"{self.auth}/jwks",
                    "grant_types_supported": ["authorization_code", "refresh_token"],
                    "code_challenge_methods_supported": ["S256"],
                    "capabilities": [
                        "launch-ehr",
                        "launch-standalone",
                        "context-ehr-patient",
                        "context-standalone-patient",
                        "client-public",
                    ],
                }
            )
        )
        conf = folder / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                # as root, nginx's workers would drop to "nobody", who cannot read pytest's
                # private temporary folders
                user="user root;" if os.geteuid() == 0 else "",
                dir=folder,
                host=HOST,
                port=self.port,
                fhir_port=self.fhir.port,
            )
        )
        self.nginx_log = folder / "nginx.out"
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        with open(self.nginx_log, "wb") as sink:
            self.nginx = subprocess.Popen(
                [nginx, "-c", str(conf), "-p", str(folder), "-e", str(folder / "error.log")],
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait(f"{self.iss}/metadata", self.nginx, self.nginx_log)

    def set_context(self, **context: object) -> None:
        """What the next token response carries (patient, expires_in, refuse_refresh; ``user``:
        the claims put in its signed ID token, ``no_id_token``: none)."""
        self.context.write_text(json.dumps(context))

    def stop(self) -> None:
        for process in (self.nginx, self.auth_process):
            stop(process)
        self.fhir.stop()
