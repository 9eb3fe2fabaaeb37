"""Schemathesis's engine (what ``st run`` drives) run in process against a live Spacegate.

Every phase runs: the schema's examples, the coverage phase (boundary and negative values,
methods the path does not serve), fuzzing and stateful sequences that follow the schema's
links. The outcome is summarised as counts plus one readable line per failure.
"""

from __future__ import annotations

import collections
import copy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from tests.guarantees.exposure import Scanner

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "unsupported_method",
)
SEED = 20240611


@dataclass
class Outcome:
    cases: int = 0
    server_errors: int = 0
    conformance_failures: int = 0
    cases_by_phase: collections.Counter[str] = field(default_factory=collections.Counter)
    #: Links followed in the stateful phase (declared in the schema, not inferred).
    links_followed: set[str] = field(default_factory=set)
    checks_run: collections.Counter[str] = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def config(
    base_url: str,
    key: str,
    org_id: str,
    *,
    max_examples: int,
    stateful_examples: int,
    provider_url: str,
    provider_id: str,
) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "base-url": base_url,
            "workers": 1,
            # Both schemes carry the same key (two different keys are refused as ambiguous).
            "auth": {
                "openapi": {
                    "HTTPBearer": {"bearer": key},
                    "APIKeyHeader": {"api_key": key},
                }
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "generation": {"max-examples": max_examples, "database": "none"},
            # No operation creates an org: name the caller's, so org routes get past 404. A random
            # provider address or provider id is refused, so creations (and the sequences that
            # start from them) draw these fields from real values most of the time.
            "parameters": {
                "org_id": org_id,
                "body.base_url": {"dictionary": "provider_urls", "probability": 0.8},
                "body.provider_id": {"dictionary": "provider_ids", "probability": 0.8},
            },
            "dictionaries": {
                "provider_urls": {"values": [provider_url]},
                "provider_ids": {"values": [provider_id]},
            },
            # Sequences are cheap and find what single calls cannot: give them more examples.
            "phases": {
                "stateful": {"max-steps": 10, "generation": {"max-examples": stateful_examples}}
            },
            "cache": {"enabled": False},
            "request-timeout": 30,
            "warnings": False,
        }
    )


def run(spec: dict[str, Any], cfg: SchemathesisConfig, scanner: Scanner | None = None) -> Outcome:
    # Schemathesis annotates the document it is given (inferred links): give it its own copy.
    schema = schemathesis.openapi.from_dict(copy.deepcopy(spec), config=cfg)
    outcome = Outcome()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _scenario(event, outcome, scanner)
        elif isinstance(event, events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            outcome.errors.append(f"fatal: {event.exception!r}")
    return outcome


def _scenario(event: events.ScenarioFinished, outcome: Outcome, scanner: Scanner | None) -> None:
    recorder = event.recorder
    outcome.cases += len(recorder.cases)
    outcome.cases_by_phase[str(event.phase)] += len(recorder.cases)
    for node in recorder.cases.values():
        if node.transition is not None and not node.transition.is_inferred:
            outcome.links_followed.add(node.transition.id)
    for case_id, checks in recorder.checks.items():
        for check in checks:
            outcome.checks_run[check.name] += 1
            if check.status != Status.FAILURE or check.failure_info is None:
                continue
            if check.name == "not_a_server_error":
                outcome.server_errors += 1
            else:
                outcome.conformance_failures += 1
            case = recorder.cases[case_id].value
            response = recorder.find_response(case_id=case_id)
            shown = b"" if response is None else response.content[:500]
            outcome.failures.append(
                f"[{event.phase}] {recorder.label}: {check.name}: "
                f"{check.failure_info.failure.title}\n    {case.as_curl_command()}\n"
                f"    -> {response.status_code if response else '?'} {shown!r}"
            )
    if scanner is not None:
        for interaction in recorder.interactions.values():
            response = interaction.response
            if response is None:
                continue
            request = interaction.request
            body = request.body if isinstance(request.body, bytes) else b""
            scanner.scan_response(
                request.method,
                urlsplit(request.uri).path,
                response.status_code,
                response.content,
                [(k, v) for k, values in response.headers.items() for v in values],
                sent=request.uri.encode() + b"\n" + body,
            )
