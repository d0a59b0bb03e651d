"""Every query of the catalogue (``b2bcore.application.queries``) the HTTP API serves,
asked over the (주)효원 story: each answers 200, and its body is what the
OpenAPI document says (the response schema made from the view or report
type, unknown keys refused)."""

from __future__ import annotations

import inspect
import re
from datetime import date
from uuid import UUID

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from b2bcore import B2BCore, FixedClock, NotFoundError, ValidationError
from b2bcore.application.queries import QUERIES
from b2bcore.domain.values import (
    ContactChannel,
    FeedbackCategory,
    FeedbackKind,
    Severity,
    Temperature,
)
from b2bcore_adapters.demo.book import AS_OF, record_hyowon
from b2bcore_adapters.entrypoints.http import create_app
from b2bcore_adapters.entrypoints.http.app import router
from tests.entrypoints.http.http_api import READER, TOKENS
from tests.helpers import lose_ev_pilot

#: The values of the query parameters a query needs.
NEEDED = {"start": "2024-01-01", "end": AS_OF.isoformat(), "month": "2024-10-01"}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('queries') / 'story.db'}"
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        account, asset, deal = record_hyowon(core)
        lose_ev_pilot(core, account, asset)
        lead = core.capture_lead(
            company="Hyowon Busan",
            source="fair",
            temperature=Temperature.WARM,
            on=date(2024, 3, 1),
        )
        complaint = core.record_feedback(
            account_id=account,
            asset_id=asset,
            kind=FeedbackKind.COMPLAINT,
            channel=ContactChannel.PHONE,
            category=FeedbackCategory.DELIVERY,
            severity=Severity.HIGH,
            needs=("faster delivery",),
            on=date(2024, 9, 2),
        )
    ids = {
        "account_id": account,
        "asset_id": asset,
        "opportunity_id": deal,
        "lead_id": lead,
        "feedback_id": complaint,
    }
    return url, {k: str(v) for k, v in ids.items()}


SERVED = sorted(name for name, route in QUERIES.items() if route is not None)


@pytest.mark.parametrize("name", SERVED)
def test_every_served_query_answers_as_its_schema_says(
    name: str, story: tuple[str, dict[str, str]]
) -> None:
    url, ids = story
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        app = create_app(core, TOKENS)
        path = f"/{QUERIES[name]}".format(**ids)
        (route,) = (
            r
            for r in router.routes
            if isinstance(r, APIRoute)
            and "GET" in (r.methods or ())
            and re.fullmatch(r.path_regex, path)
        )
        needed = {
            p.name: NEEDED[p.name]
            for p in route.dependant.query_params
            if p.field_info.is_required()
        }
        response = TestClient(app).get(path, params=needed, headers=READER)

    assert response.status_code == 200, response.text
    if route.response_model is not None:
        TypeAdapter(route.response_model).validate_python(response.json())


#: The parameters that take a business date.
DATED = ("as_of", "start", "end", "month")


def dated_parameters(name: str) -> list[str]:
    parameters = inspect.signature(getattr(B2BCore, name)).parameters
    return [p for p in DATED if p in parameters]


@pytest.mark.parametrize("day", [date.min, date.max], ids=["first day", "last day"])
@pytest.mark.parametrize("name", [n for n in sorted(QUERIES) if dated_parameters(n)])
def test_every_query_answers_at_the_calendar_s_ends_or_refuses_by_name(
    name: str, day: date, story: tuple[str, dict[str, str]]
) -> None:
    """Asked as of 0001-01-01 or 9999-12-31, a query answers, or refuses
    naming the date (the renewal queue as of 9999-12-31 was an
    OverflowError: its 90 days ran past the calendar)."""
    url, ids = story
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        method = getattr(core, name)
        ids_first = [
            UUID(ids[p.name])
            for p in inspect.signature(method).parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        dated = dict.fromkeys(dated_parameters(name), day)
        refused: Exception | None = None
        try:
            method(*ids_first, **dated)
        except (ValidationError, NotFoundError) as error:
            refused = error

    # Refused by the date it was given, or not found before it was recorded.
    assert (
        refused is None
        or (isinstance(refused, ValidationError) and refused.field in DATED)
        or (isinstance(refused, NotFoundError) and day == date.min)
    ), refused


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in sorted(QUERIES)
        if inspect.signature(getattr(B2BCore, n)).parameters.get("account_id")
        and inspect.signature(getattr(B2BCore, n)).parameters["account_id"].kind
        is inspect.Parameter.KEYWORD_ONLY
    ],
)
def test_an_account_filter_naming_no_account_is_not_found(
    name: str, story: tuple[str, dict[str, str]]
) -> None:
    """``account_id`` given a deal's id answered an empty report."""
    url, ids = story
    with B2BCore.open(url, clock=FixedClock(AS_OF)) as core:
        method = getattr(core, name)
        method(account_id=UUID(ids["account_id"]))
        with pytest.raises(NotFoundError, match="that id is an opportunity"):
            method(account_id=UUID(ids["opportunity_id"]))
