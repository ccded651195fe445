"""Fuzz the running API against its own OpenAPI document (schemathesis): no 5xx, no answer outside the schema.

Bounded: a few dozen generated requests per operation, each against a real
uvicorn server with the real classifier (about a minute in all)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from heard.web.app import create_app
from heard.web.limits import Limits
from tests.serving import make_store, serving


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, classifier) -> Iterator[str]:
    db = make_store(tmp_path_factory.mktemp("fuzz") / "t.duckdb")
    # Small classify batches keep each generated request cheap; the limits stay part of the contract.
    with serving(create_app(db, classifier=classifier, limits=Limits(rate=0))) as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(live: str):
    return schemathesis.openapi.from_url(live + "/openapi.json")


OPERATIONS = ["POST /v1/classify", "GET /v1/posts", "GET /v1/posts/{id}", "GET /v1/threads/{id}", "GET /v1/report",
              "GET /v1/activity", "GET /healthz"]


def test_every_operation_is_fuzzed(api_schema) -> None:
    found = sorted(result.ok().label for result in api_schema.get_all_operations())
    assert found == sorted(OPERATIONS)


CASES = [(label, GenerationMode.POSITIVE) for label in OPERATIONS] + [
    (label, GenerationMode.NEGATIVE) for label in OPERATIONS[:4]]  # the rest take no input to get wrong


@pytest.mark.parametrize("label, mode", CASES, ids=[f"{label} {mode.value}" for label, mode in CASES])
def test_the_api_keeps_its_schema(api_schema, label: str, mode: GenerationMode) -> None:
    operation = next(r.ok() for r in api_schema.get_all_operations() if r.ok().label == label)

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def run(case) -> None:
        # An opaque cursor is any string to the schema, but only ours are accepted (400 otherwise):
        # for the posts page, schema-valid requests may be refused, never answered outside the schema.
        excluded = [positive_data_acceptance] if label == "GET /v1/posts" else []
        case.call_and_validate(timeout=60, excluded_checks=excluded)

    run()
