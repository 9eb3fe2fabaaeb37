"""The exposure scanner: what no response body, header or log line may ever contain.

A ``Scanner`` knows the secrets of a run (API key plaintexts, their hashes, provider credentials)
and the ids of the orgs the caller must never see. Suites feed it every response they receive
(``scanner.hook`` is an httpx response hook; ``scan_response`` takes anything else) and every log
record (``capture_logs``). An API key's plaintext is allowed in exactly one place: the response
that created it. Nothing is raised while scanning; ``scanner.leaks`` is asserted at the end, so
one run reports every leak at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

#: Anything shaped like a Spacegate API key.
KEY_SHAPE = re.compile(rb"sg_[A-Za-z0-9]{20,}")


def key_hash(plaintext: str) -> str:
    """The stored form of an API key (``kit/apikeys.hash_key``)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


@dataclass
class Scanner:
    #: Key plaintexts (never in a body but their creation response, never in a log).
    keys: set[str] = field(default_factory=set)
    #: Other secrets that must appear nowhere: key hashes, provider credentials.
    secrets: set[str] = field(default_factory=set)
    #: Ids of orgs other than the caller's; each maps to the label shown in a leak report.
    foreign: dict[str, str] = field(default_factory=dict)
    bodies_scanned: int = 0
    log_lines_scanned: int = 0
    leaks: list[str] = field(default_factory=list)
    #: Key plaintexts already shown by their creation response.
    _shown: set[str] = field(default_factory=set)

    def add_key(self, plaintext: str) -> None:
        self.keys.add(plaintext)
        self.secrets.add(key_hash(plaintext))

    def add_key_hashes(self, hashes: Iterable[str]) -> None:
        self.secrets.update(hashes)

    def add_foreign(self, label: str, *ids: str) -> None:
        for value in ids:
            self.foreign[value] = label

    # -- responses -------------------------------------------------------------------------

    async def hook(self, response: httpx.Response) -> None:
        """An httpx ``response`` event hook (async clients)."""
        await response.aread()
        try:
            response.request.content  # noqa: B018
        except httpx.RequestNotRead:  # a streamed body (multipart upload) was sent
            await response.request.aread()
        self.scan_httpx(response)

    def scan_httpx(self, response: httpx.Response) -> None:
        request = response.request
        self.scan_response(
            request.method,
            request.url.path,
            response.status_code,
            response.content,
            response.headers.multi_items(),
            sent=b"\n".join([str(request.url).encode(), request.content, *_echoable(request)]),
        )

    def scan_response(
        self,
        method: str,
        path: str,
        status: int,
        body: bytes,
        headers: Iterable[tuple[str, str]] = (),
        sent: bytes = b"",
    ) -> None:
        """``sent`` is what the request carried in its URL and body: a value echoed back from
        there (a validation error quotes its input) is not a leak."""
        self.bodies_scanned += 1
        where = f"{method} {path} -> {status}"
        pairs = list(headers)
        text = body + b"\n" + "\n".join(f"{k}: {v}" for k, v in pairs).encode()
        for secret in self.secrets:
            if secret.encode() in text and secret.encode() not in sent:
                self.leaks.append(f"{where}: a secret ({secret[:6]}...) in the response")
        for value, label in self.foreign.items():
            if value.encode() in text and value.encode() not in sent:
                self.leaks.append(f"{where}: {label} id {value} in the response")
        creation = _creates_key(method, path, status)
        replayed = any(k.lower() == "idempotent-replayed" for k, _ in pairs)
        for match in KEY_SHAPE.finditer(text):
            if match.group() in sent:
                continue
            plaintext = match.group().decode()
            if not creation:
                self.leaks.append(f"{where}: API key {plaintext[:7]}... outside its creation")
            elif plaintext in self._shown and not replayed:
                self.leaks.append(f"{where}: API key {plaintext[:7]}... shown a second time")
            else:
                self._shown.add(plaintext)
                self.add_key(plaintext)

    # -- logs ------------------------------------------------------------------------------

    def scan_log(self, line: str) -> None:
        self.log_lines_scanned += 1
        for secret in self.keys | self.secrets:
            if secret in line:
                self.leaks.append(f"log line: a secret ({secret[:6]}...) in {line[:200]!r}")
        if KEY_SHAPE.search(line.encode()):
            self.leaks.append(f"log line: something shaped like an API key in {line[:200]!r}")


def _echoable(request: httpx.Request) -> list[bytes]:
    """Request headers an answer may quote back (``X-Space-Id`` in a 404), credentials aside."""
    return [
        value.encode()
        for name, value in request.headers.items()
        if name.lower() not in ("authorization", "x-api-key")
    ]


def _creates_key(method: str, path: str, status: int) -> bool:
    """The responses that show a new key's plaintext, once."""
    return method == "POST" and (
        (path == "/v1/api-keys" and status == 201)
        or (path == "/v1/users/accept-invite" and status == 200)
    )


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.formatter_ = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        line = self.formatter_.format(record)  # includes the traceback, if any
        extra = {
            k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")
        }
        self.lines.append(f"{line} {extra}" if extra else line)


_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


@contextmanager
def capture_logs() -> Iterator[list[str]]:
    """Every log record of the process, as formatted lines: the root logger's and those of the
    loggers that do not propagate to it (``spacegate`` has its own handler). Spacegate's own
    loggers are turned up to DEBUG meanwhile, the most an operator could ask for."""
    collector = _Collector()
    loggers = [logging.getLogger()] + [
        lg
        for lg in logging.root.manager.loggerDict.values()
        if isinstance(lg, logging.Logger) and not lg.propagate
    ]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(collector)
        if lg.name.startswith("spacegate"):
            lg.setLevel(logging.DEBUG)
    try:
        yield collector.lines
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(collector)
            lg.setLevel(level)
