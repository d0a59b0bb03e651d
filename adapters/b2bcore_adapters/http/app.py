"""The FastAPI application: one route per command and query of ``B2BCore``.

Commands are POSTs answered with the aggregate's id and new version (201 when
they create one); queries are GETs answered with ``plain()`` views. See
docs/http.md for authentication, ETag/If-Match, idempotency and error bodies.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, cast
from uuid import UUID

from eventsourcing.persistence import OperationalError
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from b2bcore import B2BCore
from b2bcore.errors import (
    B2BCoreError,
    BusinessRuleError,
    ConcurrencyError,
    ConflictError,
    DomainError,
    NotFoundError,
    ProjectionError,
    ReadModelBehindError,
)
from b2bcore.ids import deterministic_id
from b2bcore.reports.dimensions import Dimension
from b2bcore.unit_of_work import UnitOfWork
from b2bcore.values import Grade
from b2bcore_adapters.formats import ReportFormat
from b2bcore_adapters.html import CONTENT_SECURITY_POLICY
from b2bcore_adapters.http import models
from b2bcore_adapters.http.auth import Role, Token, authenticate
from b2bcore_adapters.http.body_limit import MAX_BODY_BYTES, BodyLimit
from b2bcore_adapters.http.errors import error_body, shown
from b2bcore_adapters.http.idempotency import (
    IdempotencyStore,
    KeyTakenError,
    Outcome,
    idempotency_store_for,
)
from b2bcore_adapters.monthly_report import to_html
from b2bcore_adapters.plain import ACCOUNT_FIELDS, DEAL_FIELDS, JSON, listing, plain

#: What a command route returns: a created aggregate's id, more fields of
#: the answer (the new assets of a won deal…), or nothing.
Result = UUID | dict[str, JSON] | None
MAX_VERSION = 2**31
MAX_DAYS = 36_500
#: The most problems a 422 lists: one per item of a long list is no help.
MAX_PROBLEMS = 20
#: Where the documentation pages' scripts and styles are served.
DOCS_ASSETS = "/docs/assets"


class ApiError(Exception):
    """A refused request: ``status`` and the body's subject, field and rule."""

    def __init__(
        self, status: int, kind: str, subject: str, field: str, rule: str
    ) -> None:
        self.status = status
        self.kind = kind
        self.subject = subject
        self.field = field
        self.rule = rule
        super().__init__(f"{subject}: {field}: {rule}")


def etag(version: int) -> str:
    return f'"{version}"'


def matching_versions(header: str | None) -> frozenset[int] | None:
    """The versions an If-Match ``header`` accepts; None for any (no header,
    or ``*``). A weak tag (``W/"2"``) names none: If-Match compares strongly
    (RFC 9110, 13.1.1)."""
    tags = set() if header is None else {tag.strip() for tag in header.split(",")}
    if header is None or "*" in tags:
        return None
    return frozenset(
        int(tag[1:-1])
        for tag in tags
        if tag[:1] == tag[-1:] == '"' and tag[1:-1].isdigit()
    )


bearer = HTTPBearer(auto_error=False, description="An API token (docs/http.md).")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
AsOf = Annotated[date | None, Query(description="Business date (default today).")]
KnownAt = Annotated[
    datetime | None, Query(description="Recorded time (timezone-aware).")
]
Version = Annotated[int | None, Query(ge=1, le=MAX_VERSION)]
By = Annotated[Dimension | None, Query(description="Cut by a dimension.")]


class Api:
    """What every route works on: the core, the tokens, the idempotency
    keys. One command at a time runs in a process; reads take no lock. Across
    processes, the store keeps commands whole: see ``execute``."""

    def __init__(
        self, core: B2BCore, tokens: Sequence[Token], store: IdempotencyStore
    ) -> None:
        self.core = core
        self.tokens = tuple(tokens)
        self.store = store
        self.lock = threading.RLock()

    def principal(
        self, credentials: HTTPAuthorizationCredentials | None, role: Role
    ) -> Token:
        if credentials is None:
            raise ApiError(
                401,
                "unauthenticated",
                "request",
                "Authorization",
                "send an API token: Authorization: Bearer TOKEN",
            )
        token = authenticate(self.tokens, credentials.credentials)
        if token is None:
            raise ApiError(
                401,
                "unauthenticated",
                "request",
                "Authorization",
                "the API token is not known",
            )
        if role is Role.WRITE and token.role is not Role.WRITE:
            raise ApiError(
                403,
                "forbidden",
                f"token of {token.subject}",
                "role",
                "commands need a token with role write",
            )
        return token

    def version_of(self, aggregate_id: UUID) -> int | None:
        last = self.core.event_log.recorder.select_events(
            aggregate_id, desc=True, limit=1
        )
        return last[0].originator_version if last else None

    def precondition_failed(self, request: Request, target: UUID) -> ApiError:
        expected = request.headers.get("If-Match", "")
        weak = any(tag.strip().startswith("W/") for tag in expected.split(","))
        return ApiError(
            412,
            "precondition_failed",
            str(target),
            "If-Match",
            f"the aggregate is at version {self.version_of(target)}, not {expected}"
            + ("; a weak ETag never matches (strong comparison)" if weak else ""),
        )

    def replay(self, key: str | None, fingerprint: str) -> JSONResponse | None:
        """The first answer given under ``key``, if any."""
        first = None if key is None else self.store.find(key)
        if first is None:
            return None
        if first.fingerprint != fingerprint:
            raise ApiError(
                422,
                "validation",
                "request",
                "Idempotency-Key",
                "the key was used before for a different request",
            )
        return answer(first)

    def execute(
        self,
        request: Request,
        token: Token,
        body: BaseModel,
        target: UUID | None,
        run: Callable[[], Result],
    ) -> JSONResponse:
        """Run a command once per idempotency key, conditioned on the version
        of ``target`` the request's If-Match names. The key's outcome commits
        in the transaction that records the command's events, and the save
        is refused (412) if another writer, in any process, moved ``target``
        since the version named. A request that loses a race for its key to
        another process gets that process's answer."""
        key = request.headers.get("Idempotency-Key")
        fingerprint = hashlib.sha256(
            f"{request.method} {request.url.path}\n{body.model_dump_json()}".encode()
        ).hexdigest()
        scoped = None if key is None else f"{token.subject}\n{key}"
        versions = matching_versions(request.headers.get("If-Match"))
        expected = {} if target is None or versions is None else {target: versions}
        kept: list[str] = []

        def keep(cursor: Any, *_: object) -> None:
            if scoped is not None:
                self.store.record_within(cursor, scoped, outcome)
                kept.append(scoped)

        with self.lock:
            if (first := self.replay(scoped, fingerprint)) is not None:
                return first
            try:
                with self.core.unit_of_work(expected) as unit:
                    outcome = self.outcome(fingerprint, target, run(), unit)
                    unit.then = keep
            except (B2BCoreError, KeyTakenError) as error:
                # Another process may have run the same key meanwhile.
                if (first := self.replay(scoped, fingerprint)) is not None:
                    return first
                if (
                    isinstance(error, ConcurrencyError)
                    and error.aggregate_id in expected
                ):
                    raise self.precondition_failed(
                        request, error.aggregate_id
                    ) from None
                raise
            if scoped is not None and not kept:  # no events, or memory://
                self.store.record(scoped, outcome)
        return answer(outcome)

    def outcome(
        self, fingerprint: str, target: UUID | None, result: Result, unit: UnitOfWork
    ) -> Outcome:
        """The answer to a command that returned ``result``, before its unit
        records it: the created or targeted aggregate's id and version."""
        status, more = 200, {}
        if isinstance(result, UUID):
            target, status = result, 201
        elif result is not None:
            more = result
        version = None
        if target is not None:
            version = unit.version(target) or self.version_of(target)
        return Outcome(
            fingerprint,
            status,
            {"id": str(target), "version": version, **more},
            None if version is None else etag(version),
        )


def answer(outcome: Outcome) -> JSONResponse:
    headers = {} if outcome.etag is None else {"ETag": outcome.etag}
    return JSONResponse(outcome.body, status_code=outcome.status, headers=headers)


def read(document: JSON, version: int | None = None) -> JSONResponse:
    headers = {} if version is None else {"ETag": etag(version)}
    return JSONResponse(document, headers=headers)


def current_api(request: Request) -> Api:
    return cast(Api, request.app.state.api)


CurrentApi = Annotated[Api, Depends(current_api)]


def reader(api: CurrentApi, credentials: Credentials) -> Token:
    return api.principal(credentials, Role.READ)


def writer(api: CurrentApi, credentials: Credentials) -> Token:
    return api.principal(credentials, Role.WRITE)


Reader = Annotated[Token, Depends(reader)]
Writer = Annotated[Token, Depends(writer)]


#: The longest ``Idempotency-Key`` kept (a UUID is 36 characters).
IDEMPOTENCY_KEY_LENGTH = 200


def command_headers(
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Run the command once per key (docs/http.md).",
            min_length=1,
            max_length=IDEMPOTENCY_KEY_LENGTH,
        ),
    ] = None,
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description="The ETag the aggregate must have."),
    ] = None,
) -> None:
    """Declares the headers every command reads (``Api.execute`` reads them)."""


router = APIRouter()
commands = APIRouter(dependencies=[Depends(command_headers)])


def api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    return JSONResponse(
        error_body(error.kind, error.subject, error.field, error.rule),
        status_code=error.status,
        headers=headers,
    )


def domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    if isinstance(error, BusinessRuleError):
        status, kind = 409, "business_rule"
    else:
        status, kind = 422, "validation"
    return JSONResponse(
        error_body(kind, error.subject, error.field, error.rule), status_code=status
    )


def not_found(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NotFoundError)
    subject = f"{error.kind} {error.aggregate_id}"
    rule = str(error).removeprefix(f"{subject}: ")
    return JSONResponse(error_body("not_found", subject, "id", rule), status_code=404)


def conflict(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ConflictError)
    subject = f"{error.kind} {error.aggregate_id}"
    rule = str(error).removeprefix(f"{subject}: ")
    return JSONResponse(
        error_body("conflict", subject, "version", rule), status_code=409
    )


def invalid_request(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        {
            "field": shown(".".join(str(part) for part in e["loc"])),
            "rule": shown(e["msg"]),
        }
        for e in error.errors()[:MAX_PROBLEMS]
    ]
    first = problems[0] if problems else {"field": "request", "rule": "invalid"}
    body = error_body("validation", "request", first["field"], first["rule"])
    body["error"]["errors"] = problems
    return JSONResponse(body, status_code=422)


def http_error(request: Request, error: Exception) -> JSONResponse:
    """What Starlette and FastAPI refuse themselves (an unknown route, a method
    a route does not take, a body that cannot be parsed), in the same body."""
    assert isinstance(error, HTTPException)
    if error.status_code == 400:
        # FastAPI's answer to a body it could not parse, other than malformed
        # JSON (which is a RequestValidationError): JSON nested past Python's
        # recursion limit, above all.
        rule = (
            "JSON nested too deeply"
            if isinstance(error.__cause__, RecursionError)
            else "could not be parsed as JSON"
        )
        return JSONResponse(
            error_body("validation", "request", "body", rule), status_code=422
        )
    kind = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http")
    return JSONResponse(
        error_body(
            kind,
            "request",
            "path",
            f"{request.method} {request.url.path}: {error.detail}",
        ),
        status_code=error.status_code,
        headers=error.headers,
    )


def out_of_range(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse(
        error_body("validation", "request", "value", f"out of range: {error}"),
        status_code=422,
    )


def unavailable(request: Request, error: Exception) -> JSONResponse:
    """The database is busy or unreachable: nothing was recorded, retry."""
    return JSONResponse(
        error_body("unavailable", "database", "connection", f"retry later: {error}"),
        status_code=503,
        headers={"Retry-After": "1"},
    )


def read_models_behind(request: Request, error: Exception) -> JSONResponse:
    """The read models have not reached the log head the query waited for."""
    assert isinstance(error, ReadModelBehindError)
    return JSONResponse(
        error_body("unavailable", "read models", "position", str(error)),
        status_code=503,
        headers={"Retry-After": "1"},
    )


def projection_stopped(request: Request, error: Exception) -> JSONResponse:
    """A poison event stopped the read models: an operator must act."""
    assert isinstance(error, ProjectionError)
    return JSONResponse(
        error_body("unavailable", "read models", "position", str(error)),
        status_code=503,
    )


def create_app(
    core: B2BCore,
    tokens: Sequence[Token],
    idempotency: IdempotencyStore | None = None,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> FastAPI:
    """The API over ``core``, open to ``tokens``; idempotency keys are kept
    in ``idempotency`` (default: beside ``core``'s event log); a request body
    larger than ``max_body_bytes`` is refused (413)."""
    # FastAPIOffline: /docs and /redoc with their scripts served by the API
    # itself, not from a CDN, so they work without internet access.
    app = FastAPIOffline(
        title="b2bcore",
        summary="Accounts, assets and the sales pipeline, from one event log.",
        version="1",
        static_url=DOCS_ASSETS,
    )
    app.state.api = Api(core, tokens, idempotency or idempotency_store_for(core))
    app.include_router(router)
    app.include_router(commands)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(ConflictError, conflict)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(OverflowError, out_of_range)
    app.add_exception_handler(OperationalError, unavailable)
    app.add_exception_handler(ReadModelBehindError, read_models_behind)
    app.add_exception_handler(ProjectionError, projection_stopped)
    app.add_exception_handler(HTTPException, http_error)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)

    @app.middleware("http")
    async def read_position(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Every report says how far behind the log its read models were."""
        response = await call_next(request)
        if request.method == "GET" and response.status_code == 200:
            status = await run_in_threadpool(core.read_status)
            response.headers["B2B-Read-Position"] = str(status.position)
            response.headers["B2B-Log-Head"] = str(status.head)
        return response

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """No answer is sniffed into another type; none but the documentation's
        scripts and styles is kept by a cache, answers to tokens above all."""
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if not request.url.path.startswith(DOCS_ASSETS):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


# -- accounts -------------------------------------------------------------


@commands.post("/accounts", status_code=201, tags=["accounts"])
def register_account(
    body: models.RegisterAccount,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        None,
        lambda: api.core.register_account(
            name=body.name,
            grade=body.grade,
            sector=body.sector,
            region=body.region,
            country=body.country,
            business_line=body.business_line,
            preferred_channel=body.preferred_channel,
            account_id=body.account_id,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/accounts/{account_id}/grade", tags=["accounts"])
def change_account_grade(
    account_id: UUID,
    body: models.ChangeGrade,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        account_id,
        lambda: api.core.change_account_grade(
            account_id,
            grade=body.grade,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/accounts/{account_id}/attributes", tags=["accounts"])
def change_account_attributes(
    account_id: UUID,
    body: models.ChangeAttributes,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        account_id,
        lambda: api.core.change_account_attributes(
            account_id,
            name=body.name,
            sector=body.sector,
            region=body.region,
            country=body.country,
            business_line=body.business_line,
            preferred_channel=body.preferred_channel,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


#: The most items one listing answers.
MAX_LISTED = 10_000
Limit = Annotated[int, Query(ge=1, le=MAX_LISTED, description="Only the first N.")]
NamePart = Annotated[
    str | None,
    Query(max_length=200, description="Only names containing this (any case)."),
]


@router.get("/accounts", tags=["accounts"])
def accounts(
    token: Reader,
    api: CurrentApi,
    name: NamePart = None,
    known_at: KnownAt = None,
    limit: Limit = 1_000,
) -> JSONResponse:
    """Every account by name, with its id (the JSON of ``b2b accounts``)."""
    found = api.core.accounts(name=name, known_at=known_at)[:limit]
    return read(listing(found, ACCOUNT_FIELDS))


@router.get("/opportunities", tags=["opportunities"])
def opportunities(
    token: Reader,
    api: CurrentApi,
    account_id: UUID | None = None,
    name: NamePart = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    limit: Limit = 1_000,
) -> JSONResponse:
    """The deals opened by a date, newest first (the JSON of ``b2b deals``)."""
    found = api.core.opportunities(
        account_id=account_id, name=name, as_of=as_of, known_at=known_at
    )[:limit]
    return read(listing(found, DEAL_FIELDS))


@router.get("/accounts/{account_id}", tags=["accounts"])
def account(
    account_id: UUID,
    token: Reader,
    api: CurrentApi,
    version: Version = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    view = api.core.account(account_id, version=version, as_of=as_of, known_at=known_at)
    return read(plain(view), view.version)


@router.get("/accounts/{account_id}/events", tags=["accounts"])
def account_events(account_id: UUID, token: Reader, api: CurrentApi) -> JSONResponse:
    """Every event of the account and its assets, deals and leads, in log
    order, with provenance."""
    return read(plain(api.core.account_events(account_id)))


@router.get("/accounts/{account_id}/history", tags=["reports"])
def account_history(
    account_id: UUID,
    token: Reader,
    api: CurrentApi,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    return read(
        plain(api.core.account_history(account_id, as_of=as_of, known_at=known_at))
    )


@router.get(
    "/accounts/{account_id}/monthly-report",
    tags=["accounts"],
    responses={200: {"content": {"text/html": {}}}},
)
def monthly_report(
    account_id: UUID,
    token: Reader,
    api: CurrentApi,
    month: Annotated[date, Query(description="The month's first day")],
    format: ReportFormat = ReportFormat.JSON,
    known_at: KnownAt = None,
) -> Response:
    """The monthly asset report for the account's customer (docs/monthly-report.md),
    as JSON or as a self-contained HTML page."""
    report = api.core.monthly_report(account_id, month=month, known_at=known_at)
    if format is ReportFormat.HTML:
        return HTMLResponse(
            to_html(report),
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
        )
    return read(plain(report))


# -- assets ---------------------------------------------------------------


@commands.post("/assets", status_code=201, tags=["assets"])
def purchase_asset(
    body: models.PurchaseAsset,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        None,
        lambda: api.core.purchase_asset(
            account_id=body.account_id,
            product=body.product,
            order_reference=body.order_reference,
            contact=body.contact,
            value=body.value.money(),
            installments=models.installments(body.installments),
            owner=body.owner,
            asset_id=body.asset_id,
            opportunity_id=body.opportunity_id,
            upsell=body.upsell,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/install", tags=["assets"])
def install_asset(
    asset_id: UUID,
    body: models.InstallAsset,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.install_asset(
            asset_id,
            usage_end_on=body.usage_end_on,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/renew", tags=["assets"])
def renew_asset(
    asset_id: UUID,
    body: models.RenewAsset,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.renew_asset(
            asset_id,
            usage_end_on=body.usage_end_on,
            value=None if body.value is None else body.value.money(),
            installments=models.installments(body.installments),
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/upgrade", tags=["assets"])
def upgrade_asset(
    asset_id: UUID,
    body: models.UpgradeAsset,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.upgrade_asset(
            asset_id,
            product=body.product,
            value=body.value.money(),
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/replace", tags=["assets"])
def replace_asset(
    asset_id: UUID,
    body: models.ReplaceAsset,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.replace_asset(
            asset_id,
            successor_id=body.successor_id,
            note=body.note,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/obsolete", tags=["assets"])
def make_asset_obsolete(
    asset_id: UUID,
    body: models.MakeObsolete,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.make_asset_obsolete(
            asset_id,
            reason_code=body.reason_code,
            note=body.note,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/inspections", tags=["assets"])
def schedule_inspection(
    asset_id: UUID,
    body: models.ScheduleInspection,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: {
            "number": api.core.schedule_inspection(
                asset_id,
                due_on=body.due_on,
                on=body.on,
                reason=body.reason,
                actor=token.subject,
            )
        },
    )


@commands.post("/assets/{asset_id}/inspections/{number}/complete", tags=["assets"])
def complete_inspection(
    asset_id: UUID,
    number: int,
    body: models.CompleteInspection,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.complete_inspection(
            asset_id,
            number=number,
            findings=body.findings,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/satisfaction", tags=["assets"])
def record_satisfaction(
    asset_id: UUID,
    body: models.RecordSatisfaction,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.record_satisfaction(
            asset_id,
            score=body.score,
            comment=body.comment,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/usage", tags=["assets"])
def record_usage(
    asset_id: UUID,
    body: models.RecordUsage,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.record_usage(
            asset_id,
            period=body.period,
            count=body.count,
            distance_km=body.distance_km,
            region=body.region,
            pattern=body.pattern,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/competitor-contacts", tags=["assets"])
def report_competitor_contact(
    asset_id: UUID,
    body: models.ReportCompetitorContact,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.report_competitor_contact(
            asset_id,
            competitor=body.competitor,
            note=body.note,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/assets/{asset_id}/installments/{number}/payments", tags=["assets"])
def pay_installment(
    asset_id: UUID,
    number: int,
    body: models.PayInstallment,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        asset_id,
        lambda: api.core.pay_installment(
            asset_id,
            number=number,
            amount=body.amount.money(),
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@router.get("/assets/{asset_id}", tags=["assets"])
def asset(
    asset_id: UUID,
    token: Reader,
    api: CurrentApi,
    version: Version = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    view = api.core.asset(asset_id, version=version, as_of=as_of, known_at=known_at)
    return read(plain(view), view.version)


# -- leads ----------------------------------------------------------------


@commands.post("/leads", status_code=201, tags=["leads"])
def capture_lead(
    body: models.CaptureLead,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        None,
        lambda: api.core.capture_lead(
            company=body.company,
            source=body.source,
            temperature=body.temperature,
            contact=body.contact,
            need=body.need,
            account_id=body.account_id,
            lead_id=body.lead_id,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/leads/{lead_id}/temperature", tags=["leads"])
def change_lead_temperature(
    lead_id: UUID,
    body: models.ChangeTemperature,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        lead_id,
        lambda: api.core.change_lead_temperature(
            lead_id,
            temperature=body.temperature,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/leads/{lead_id}/qualify", tags=["leads"])
def qualify_lead(
    lead_id: UUID,
    body: models.QualifyLead,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        lead_id,
        lambda: api.core.qualify_lead(
            lead_id,
            contact=body.contact,
            need=body.need,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/leads/{lead_id}/disqualify", tags=["leads"])
def disqualify_lead(
    lead_id: UUID,
    body: models.WithReason,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        lead_id,
        lambda: api.core.disqualify_lead(
            lead_id,
            reason=body.reason,
            on=body.on,
            actor=token.subject,
        ),
    )


@commands.post("/leads/{lead_id}/convert", status_code=201, tags=["leads"])
def convert_lead(
    lead_id: UUID,
    body: models.ConvertLead,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        lead_id,
        lambda: api.core.convert_lead(
            lead_id,
            name=body.name,
            amount=body.amount.money(),
            owner=body.owner,
            business_line=body.business_line,
            region=body.region,
            country=body.country,
            product=body.product,
            expected_close_on=body.expected_close_on,
            account_id=body.account_id,
            competitors=body.competitors,
            opportunity_id=body.opportunity_id,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@router.get("/leads/{lead_id}", tags=["leads"])
def lead(
    lead_id: UUID,
    token: Reader,
    api: CurrentApi,
    version: Version = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    view = api.core.lead(lead_id, version=version, as_of=as_of, known_at=known_at)
    return read(plain(view), view.version)


# -- opportunities --------------------------------------------------------


@commands.post("/opportunities", status_code=201, tags=["opportunities"])
def open_opportunity(
    body: models.OpenOpportunity,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        None,
        lambda: api.core.open_opportunity(
            account_id=body.account_id,
            name=body.name,
            amount=body.amount.money(),
            owner=body.owner,
            business_line=body.business_line,
            region=body.region,
            country=body.country,
            product=body.product,
            expected_close_on=body.expected_close_on,
            tier=body.tier,
            stage=body.stage,
            competitors=body.competitors,
            opportunity_id=body.opportunity_id,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/opportunities/{opportunity_id}/tier", tags=["opportunities"])
def change_tier(
    opportunity_id: UUID,
    body: models.ChangeTier,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        opportunity_id,
        lambda: api.core.change_tier(
            opportunity_id,
            tier=body.tier,
            stage=body.stage,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post(
    "/opportunities/{opportunity_id}/gates/{gate}/review", tags=["opportunities"]
)
def review_gate(
    opportunity_id: UUID,
    gate: int,
    body: models.ReviewGate,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        opportunity_id,
        lambda: {
            "finding_numbers": api.core.review_gate(
                opportunity_id,
                gate=gate,
                findings=[(f.area, f.description) for f in body.findings],
                on=body.on,
                reason=body.reason,
                actor=token.subject,
            )
        },
    )


@commands.post(
    "/opportunities/{opportunity_id}/findings/{number}/resolve",
    tags=["opportunities"],
)
def resolve_finding(
    opportunity_id: UUID,
    number: int,
    body: models.ResolveFinding,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        opportunity_id,
        lambda: api.core.resolve_finding(
            opportunity_id,
            number=number,
            resolution=body.resolution,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post(
    "/opportunities/{opportunity_id}/gates/{gate}/pass", tags=["opportunities"]
)
def pass_gate(
    opportunity_id: UUID,
    gate: int,
    body: models.Command,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        opportunity_id,
        lambda: api.core.pass_gate(
            opportunity_id,
            gate=gate,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post(
    "/opportunities/{opportunity_id}/gates/{gate}/fail", tags=["opportunities"]
)
def fail_gate(
    opportunity_id: UUID,
    gate: int,
    body: models.WithReason,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        opportunity_id,
        lambda: api.core.fail_gate(
            opportunity_id,
            gate=gate,
            reason=body.reason,
            on=body.on,
            actor=token.subject,
        ),
    )


@commands.post("/opportunities/{opportunity_id}/win", tags=["opportunities"])
def win_opportunity(
    opportunity_id: UUID,
    body: models.WinOpportunity,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        opportunity_id,
        lambda: {
            "asset_ids": [
                str(a)
                for a in api.core.win_opportunity(
                    opportunity_id,
                    value=body.value.money(),
                    order=[line.order_line() for line in body.order],
                    upsell=body.upsell,
                    on=body.on,
                    reason=body.reason,
                    actor=token.subject,
                )
            ]
        },
    )


@commands.post("/opportunities/{opportunity_id}/lose", tags=["opportunities"])
def lose_opportunity(
    opportunity_id: UUID,
    body: models.LoseOpportunity,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        opportunity_id,
        lambda: api.core.lose_opportunity(
            opportunity_id,
            reason_code=body.reason_code,
            competitor=body.competitor,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/opportunities/{opportunity_id}/drop", tags=["opportunities"])
def drop_opportunity(
    opportunity_id: UUID,
    body: models.WithReason,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        opportunity_id,
        lambda: api.core.drop_opportunity(
            opportunity_id,
            reason=body.reason,
            on=body.on,
            actor=token.subject,
        ),
    )


@commands.post("/opportunities/{opportunity_id}/postmortem", tags=["opportunities"])
def record_postmortem(
    opportunity_id: UUID,
    body: models.RecordPostmortem,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        opportunity_id,
        lambda: api.core.record_postmortem(
            opportunity_id,
            summary=body.summary,
            root_causes=body.root_causes,
            lessons=body.lessons,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@router.get("/opportunities/{opportunity_id}", tags=["opportunities"])
def opportunity(
    opportunity_id: UUID,
    token: Reader,
    api: CurrentApi,
    version: Version = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    view = api.core.opportunity(
        opportunity_id, version=version, as_of=as_of, known_at=known_at
    )
    return read(plain(view), view.version)


@router.get("/opportunities/{opportunity_id}/timeline", tags=["reports"])
def timeline(
    opportunity_id: UUID,
    token: Reader,
    api: CurrentApi,
    as_of: AsOf = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    return read(
        plain(api.core.timeline(opportunity_id, as_of=as_of, known_at=known_at))
    )


# -- sales reps -----------------------------------------------------------


@commands.post("/sales-reps", status_code=201, tags=["sales reps"])
def register_sales_rep(
    body: models.RegisterSalesRep,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        None,
        lambda: api.core.register_sales_rep(
            name=body.name,
            manager=body.manager,
            office=body.office,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/sales-reps/{name}/reassign", tags=["sales reps"])
def reassign_sales_rep(
    name: str,
    body: models.ReassignSalesRep,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    rep_id = deterministic_id("sales_rep", name.strip())
    return api.execute(
        request,
        token,
        body,
        rep_id,
        lambda: api.core.reassign_sales_rep(
            name,
            manager=body.manager,
            office=body.office,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


# -- alerts ---------------------------------------------------------------


@router.get("/alerts", tags=["reports"])
def alerts(
    token: Reader,
    api: CurrentApi,
    as_of: AsOf = None,
    unacknowledged: bool = False,
    known_at: KnownAt = None,
) -> JSONResponse:
    found = api.core.alerts(
        as_of=as_of, unacknowledged=unacknowledged, known_at=known_at
    )
    return read(plain(found))


@commands.post("/alerts/{alert_id}/acknowledge", tags=["reports"])
def acknowledge_alert(
    alert_id: UUID,
    body: models.AcknowledgeAlert,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        alert_id,
        lambda: api.core.acknowledge_alert(
            alert_id,
            note=body.note,
            on=body.on,
            reason=body.reason,
            actor=token.subject,
        ),
    )


@commands.post("/contacts/{contact_id}/forget", tags=["contacts"])
def forget_contact(
    contact_id: UUID,
    body: models.WithReason,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return api.execute(
        request,
        token,
        body,
        None,
        # What overwriting the key left pending ("" when nothing: audit.md).
        lambda: {
            "pending": api.core.forget_contact(
                contact_id, on=body.on, reason=body.reason, actor=token.subject
            ).pending
        },
    )


# -- reports --------------------------------------------------------------


@router.get("/reports/renewals", tags=["reports"])
def renewal_queue(
    token: Reader,
    api: CurrentApi,
    as_of: AsOf = None,
    within: Annotated[int, Query(ge=0, le=MAX_DAYS)] = 90,
    owner: str | None = None,
    grade: Grade | None = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    queue = api.core.renewal_queue(
        as_of=as_of, within=within, owner=owner, grade=grade, known_at=known_at
    )
    return read(plain(queue))


@router.get("/reports/asset-kpis", tags=["reports"])
def asset_kpis(
    token: Reader, api: CurrentApi, start: date, end: date, known_at: KnownAt = None
) -> JSONResponse:
    return read(plain(api.core.asset_kpis(start=start, end=end, known_at=known_at)))


@router.get("/reports/pipeline-kpis", tags=["reports"])
def pipeline_kpis(
    token: Reader,
    api: CurrentApi,
    as_of: AsOf = None,
    by: By = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    return read(plain(api.core.pipeline_kpis(as_of=as_of, by=by, known_at=known_at)))


@router.get("/reports/tiers", tags=["reports"])
def tier_matrix(
    token: Reader,
    api: CurrentApi,
    as_of: AsOf = None,
    by: Dimension = Dimension.OWNER,
    known_at: KnownAt = None,
) -> JSONResponse:
    return read(plain(api.core.tier_matrix(as_of=as_of, by=by, known_at=known_at)))


@router.get("/reports/dashboard", tags=["reports"])
def rep_dashboard(
    token: Reader,
    api: CurrentApi,
    as_of: AsOf = None,
    owner: str | None = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    board = api.core.rep_dashboard(owner=owner, as_of=as_of, known_at=known_at)
    return read(plain(board))


@router.get("/reports/win-loss", tags=["reports"])
def win_loss(
    token: Reader,
    api: CurrentApi,
    as_of: AsOf = None,
    by: By = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    return read(plain(api.core.win_loss(as_of=as_of, by=by, known_at=known_at)))


@router.get("/reports/segmentation", tags=["reports"])
def segmentation(
    token: Reader,
    api: CurrentApi,
    as_of: AsOf = None,
    currency: str | None = None,
    known_at: KnownAt = None,
) -> JSONResponse:
    shares = api.core.segmentation(as_of=as_of, currency=currency, known_at=known_at)
    return read(plain(shares))


# -- the log --------------------------------------------------------------


@router.get("/log/position", tags=["log"])
def log_position(
    token: Reader,
    api: CurrentApi,
) -> JSONResponse:
    status = api.core.read_status()
    return read(
        {
            "position": status.head,
            "read_models": {"position": status.position, "behind": status.behind},
        }
    )


@router.get("/audit/verify", tags=["log"])
def verify_log(token: Reader, api: CurrentApi) -> JSONResponse:
    """Link new events into the hash chain and verify the whole log."""
    with api.lock:
        return read(plain(api.core.verify_log()))


@router.get("/aggregates/{aggregate_id}", tags=["log"])
def aggregate_version(
    aggregate_id: UUID,
    token: Reader,
    api: CurrentApi,
) -> JSONResponse:
    """Whether events were recorded for the id, and its version."""
    version = api.version_of(aggregate_id)
    return read({"exists": version is not None, "version": version}, version)
