"""Talking to a FHIR R4 server through fhirpy (docs/ehr.md, "Why fhirpy"): read, bounded
search, create. Every failure becomes one ``EhrError`` line that names the server and what went
wrong — never the token, never the server's raw answer beyond a short diagnostic.

Bounds: each request times out after ``TIMEOUT_S``; a search reads at most ``MAX_PAGES`` pages
of ``PAGE_SIZE`` and ``MAX_RESULTS`` resources, and refuses to go on rather than silently use
part of the record; ``next`` links must stay on the server's own base URL (fhirpy refuses any
other, so a bearer token is never sent elsewhere); redirects are not followed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import (
    AuthorizationError,
    BaseFHIRError,
    ForbiddenError,
    OperationOutcome,
    ResourceNotFound,
)

from srgvhd.i18n.message import Msg

TIMEOUT_S = 30.0
PAGE_SIZE = 200
MAX_PAGES = 50
MAX_RESULTS = 5000
MAX_TOKEN_BYTES = 16_384
MAX_REFERENCES = 50  # Medication resources read to identify medications
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


class EhrError(Exception):
    """The EHR could not be read or written; ``str()`` is one line for the user (English), and
    ``message`` the same line as a ``Msg`` when it has words in other languages (the app says it
    in the reader's language)."""

    @property
    def message(self) -> str:
        """The line as raised (a ``Msg`` for the messages the app shows)."""
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


def check_server_url(url: str) -> str:
    """The FHIR base URL without a trailing slash, or EhrError: http(s), a host, no query, no
    credentials in it (a token belongs in the token file, not the URL)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise EhrError(f"--server: {url[:80]!r} is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EhrError("--server: expected an http:// or https:// FHIR base URL")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise EhrError("--server: the URL must not carry a user, a password, a query or a #")
    return url.rstrip("/")


def check_patient_id(patient_id: str) -> str:
    """A FHIR logical id (1–64 letters, digits, '-' or '.'), or EhrError."""
    if not FHIR_ID.fullmatch(patient_id):
        raise EhrError("--patient: expected the patient's FHIR id (letters, digits, '-', '.')")
    return patient_id


def read_token(path: str) -> str:
    """The bearer token in ``path`` (surrounding white space dropped), or EhrError. The token
    is never put into a message."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_TOKEN_BYTES + 1)
    except OSError as exc:
        raise EhrError(f"--token-file: cannot read {path!r}: {exc.strerror}") from None
    if len(raw) > MAX_TOKEN_BYTES:
        raise EhrError(f"--token-file: larger than {MAX_TOKEN_BYTES} bytes")
    try:
        token = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise EhrError("--token-file: the token is not plain ASCII text") from None
    if not token or any(ch.isspace() for ch in token):
        raise EhrError("--token-file: expected one token on one line")
    return token


class FhirServer:
    """One FHIR R4 base URL, with an optional bearer token."""

    def __init__(self, url: str, token: str | None = None, *, timeout_s: float = TIMEOUT_S):
        self.url = check_server_url(url)
        self._client = SyncFHIRClient(
            self.url,
            authorization=f"Bearer {token}" if token else None,
            requests_config={"timeout": timeout_s, "allow_redirects": False},
        )
        self._resolved: dict[str, dict[str, Any] | None] = {}

    def __repr__(self) -> str:  # never shows the token
        return f"FhirServer({self.url!r})"

    @contextmanager
    def _calls(self, what: Msg) -> Iterator[None]:
        """Map every failure of a request to one EhrError line."""
        try:
            yield
        except requests.exceptions.Timeout:
            raise EhrError(
                Msg("{what}: {url} did not answer in time", what=what, url=self.url)
            ) from None
        except requests.exceptions.ConnectionError:
            raise EhrError(
                Msg("{what}: cannot reach the FHIR server at {url}", what=what, url=self.url)
            ) from None
        except requests.exceptions.RequestException as exc:
            raise EhrError(
                Msg(
                    "{what}: request to {url} failed ({error})",
                    what=what,
                    url=self.url,
                    error=type(exc).__name__,
                )
            ) from None
        except AuthorizationError:
            raise EhrError(
                Msg("{what}: {url} refused the credentials (HTTP 401)", what=what, url=self.url)
            ) from None
        except ForbiddenError:
            raise EhrError(
                Msg("{what}: {url} refused access (HTTP 403)", what=what, url=self.url)
            ) from None
        except ResourceNotFound:
            raise EhrError(Msg("{what}: not found on {url}", what=what, url=self.url)) from None
        except OperationOutcome as exc:
            raise EhrError(
                Msg(
                    "{what}: {url} answered with an error{diagnostic}",
                    what=what,
                    url=self.url,
                    diagnostic=_diagnostic(exc),
                )
            ) from None
        except (BaseFHIRError, ValueError, KeyError, TypeError, AttributeError):
            # ValueError covers a non-JSON answer and a next link off this server
            raise EhrError(
                Msg("{what}: {url} did not answer with FHIR JSON", what=what, url=self.url)
            ) from None

    def read(self, resource_type: str, resource_id: str) -> dict[str, Any]:
        """One resource by type and id."""
        what = Msg("reading {resource}", resource=f"{resource_type}/{resource_id}")
        with self._calls(what):
            found = self._client.execute(f"{resource_type}/{resource_id}", method="get")
        resource = _plain(found)
        if not isinstance(resource, dict) or resource.get("resourceType") != resource_type:
            raise EhrError(Msg("{what}: {url} sent something else", what=what, url=self.url))
        return resource

    def search(self, resource_type: str, **params: str) -> list[dict[str, Any]]:
        """Every match of a search (following ``next`` links within the bounds)."""
        what = Msg("searching {resource}", resource=resource_type)
        found: list[dict[str, Any]] = []
        with self._calls(what):
            page = self._client.execute(
                resource_type, method="get", params={**params, "_count": str(PAGE_SIZE)}
            )
            for pages in range(1, MAX_PAGES + 1):
                bundle = _plain(page)
                if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
                    raise EhrError(
                        Msg("{what}: {url} did not answer with a Bundle", what=what, url=self.url)
                    )
                for entry in bundle.get("entry") or ():
                    resource = entry.get("resource") if isinstance(entry, dict) else None
                    mode = (entry.get("search") or {}).get("mode", "match")
                    if isinstance(resource, dict) and mode == "match":
                        if resource.get("resourceType") == resource_type:
                            found.append(resource)
                if len(found) > MAX_RESULTS:
                    raise EhrError(
                        Msg(
                            "{what}: more than {count} results for this patient",
                            what=what,
                            count=MAX_RESULTS,
                        )
                    )
                following = _next_link(bundle)
                if following is None:
                    return found
                if pages == MAX_PAGES:
                    break
                page = self._client.execute(following, method="get")
        raise EhrError(
            Msg("{what}: more than {count} pages of results", what=what, count=MAX_PAGES)
        )

    def create(self, resource: dict[str, Any]) -> dict[str, Any]:
        """POST a new resource; the server's copy (with its id)."""
        kind = resource["resourceType"]
        what = Msg("filing a {resource}", resource=kind)
        with self._calls(what):
            created = _plain(self._client.execute(kind, method="post", data=resource))
        if not isinstance(created, dict) or not FHIR_ID.fullmatch(str(created.get("id", ""))):
            raise EhrError(
                Msg("{what}: {url} did not return the new resource's id", what=what, url=self.url)
            )
        return created

    def resolver(self) -> Callable[[str], dict[str, Any] | None]:
        """``resolve(reference)``: a referenced Medication read once (at most
        ``MAX_REFERENCES`` of them), None for anything else."""

        def resolve(reference: str) -> dict[str, Any] | None:
            tail = reference.rstrip("/").split("/")[-2:]
            if len(tail) != 2 or tail[0] != "Medication" or not FHIR_ID.fullmatch(tail[1]):
                return None
            key = "/".join(tail)
            if key not in self._resolved:
                if len(self._resolved) >= MAX_REFERENCES:
                    return None
                try:
                    self._resolved[key] = self.read("Medication", tail[1])
                except EhrError:
                    self._resolved[key] = None
            return self._resolved[key]

        return resolve


def _plain(value: Any) -> Any:
    """fhirpy's attribute dicts as plain JSON values."""
    return json.loads(json.dumps(value))


def _next_link(bundle: dict[str, Any]) -> str | None:
    for link in bundle.get("link") or ():
        if isinstance(link, dict) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) and url else None
    return None


def _diagnostic(exc: OperationOutcome) -> str:
    """``: <first diagnostic>`` from the server's OperationOutcome, one short line, or ''."""
    resource = getattr(exc, "resource", None)
    issues = resource.get("issue") if isinstance(resource, dict) else None
    for issue in issues if isinstance(issues, list) else ():
        text = issue.get("diagnostics") if isinstance(issue, dict) else None
        if isinstance(text, str) and text.strip() and not text.lstrip().startswith("<"):
            return ": " + " ".join(text.split())[:160]
    return ""
