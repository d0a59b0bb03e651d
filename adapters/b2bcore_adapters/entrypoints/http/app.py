"""The FastAPI application: one route per command and query of ``B2BCore``.

Commands are POSTs answered with the aggregate's id and new version (201 when
they create one); queries are GETs answered with ``plain()`` views. See
docs/http.md for authentication, ETag/If-Match, idempotency and error bodies.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from inspect import Parameter, Signature
from typing import Annotated, Any, cast, get_args, get_type_hints
from uuid import UUID

from eventsourcing.persistence import OperationalError, PersistenceError
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, create_model
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from b2bcore import AsyncB2BCore, B2BCore
from b2bcore.application import commands as c
from b2bcore.application.queries import BOUNDS, PARAMETERS, QUERIES
from b2bcore.application.tenants import Held, Tenants
from b2bcore.application.unit_of_work import UnitOfWork
from b2bcore.domain.account import Account
from b2bcore.domain.acknowledgement import Acknowledgement
from b2bcore.domain.aggregate import MAX_WHOLE_NUMBER, DomainAggregate
from b2bcore.domain.asset import Asset
from b2bcore.domain.errors import (
    AlreadyExistsError,
    B2BCoreError,
    BusinessRuleError,
    ConcurrencyError,
    ConfigurationError,
    ConflictError,
    DomainError,
    NotFoundError,
    ProjectionError,
    ReadModelBehindError,
    StoreClosedError,
)
from b2bcore.domain.feedback import Feedback
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore.domain.sales_rep import SalesRep
from b2bcore_adapters.entrypoints.http import models
from b2bcore_adapters.entrypoints.http.auth import Role, Token, authenticate
from b2bcore_adapters.entrypoints.http.body_limit import MAX_BODY_BYTES, BodyLimit
from b2bcore_adapters.entrypoints.http.errors import ApiError, error_body, shown
from b2bcore_adapters.entrypoints.http.head import HeadAsGet
from b2bcore_adapters.entrypoints.http.idempotency import (
    IdempotencyStore,
    KeyTakenError,
    Outcome,
    idempotency_store_for,
)
from b2bcore_adapters.entrypoints.http.json_body import json_body
from b2bcore_adapters.entrypoints.http.query_string import declared_query
from b2bcore_adapters.entrypoints.http.schema import schema_of
from b2bcore_adapters.render.formats import ReportFormat
from b2bcore_adapters.render.html import CONTENT_SECURITY_POLICY
from b2bcore_adapters.render.monthly_report import to_html
from b2bcore_adapters.render.plain import (
    ACCOUNT_FIELDS,
    DEAL_FIELDS,
    JSON,
    listing,
    plain,
)

#: What a command route returns: a created aggregate's id, more fields of
#: the answer (the new assets of a won deal…), or nothing.
Result = UUID | dict[str, JSON] | None
#: The most problems a 422 lists: one per item of a long list is no help.
MAX_PROBLEMS = 20
#: Where the documentation pages' scripts and styles are served.
DOCS_ASSETS = "/docs/assets"
#: The header naming the tenant a request asks of.
TENANT_HEADER = "B2B-Tenant"


def etag(version: int) -> str:
    return f'"{version}"'


#: An ETag as the API writes them (a quoted version), or a weak one.
ENTITY_TAG = re.compile(r'(W/)?"[0-9]+"', re.ASCII)
#: The most digits a version has: a longer tag names none (and Python reads
#: no number of over 4,300 digits).
VERSION_DIGITS = len(str(MAX_WHOLE_NUMBER))


def matching_versions(header: str | None) -> frozenset[int] | None:
    """The versions an If-Match ``header`` accepts; None for any (no header,
    or ``*``). A weak tag (``W/"2"``) names none: If-Match compares strongly
    (RFC 9110, 13.1.1). A header of another form is refused (400)."""
    if header is None or header.strip() == "*":
        return None
    tags = [tag.strip() for tag in header.split(",")]
    if not all(ENTITY_TAG.fullmatch(tag) for tag in tags):
        raise ApiError(
            400,
            "validation",
            "request",
            "If-Match",
            'must be a quoted version ("2"), several ("2", "3") or *',
        )
    return frozenset(
        int(tag[1:-1])
        for tag in tags
        if tag.startswith('"') and len(tag) - 2 <= VERSION_DIGITS
    )


bearer = HTTPBearer(auto_error=False, description="An API token (docs/http.md).")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def query_parameter(name: str) -> Any:
    """What the API says of a query parameter: its meaning and its range
    (``b2bcore.application.queries.PARAMETERS`` and ``BOUNDS``)."""
    low, high = BOUNDS.get(name, (None, None))
    return Query(ge=low, le=high, description=PARAMETERS.get(name))


AsOf = Annotated[models.Day | None, query_parameter("as_of")]
KnownAt = Annotated[models.Moment | None, query_parameter("known_at")]


class Gate:
    """Who may ask what of which store: the tokens, and the ``Api`` of the
    one store served or of each tenant (``Tenants``), opened on first use
    and again after the tenant moves. On a server of tenants a token
    reaches only the tenants it is bound to; one bound to several names the
    tenant in ``B2B-Tenant``. A server of ``only`` one of them serves it as
    one store (its tokens bound to none), where the directory says it is."""

    def __init__(
        self,
        store: B2BCore | Tenants,
        tokens: Sequence[Token],
        idempotency: IdempotencyStore | None = None,
        only: str | None = None,
    ) -> None:
        self.tokens = tuple(tokens)
        self.tenants = store if isinstance(store, Tenants) else None
        self.only = only
        of_tenants = self.tenants is not None and only is None
        for token in self.tokens:
            if bool(token.tenants) != of_tenants:
                raise ConfigurationError(
                    f"API token of {token.subject!r}: "
                    + (
                        "name the tenants it may reach (SUBJECT:ROLE:SHA256:TENANT)"
                        if of_tenants
                        else "names tenants, but the server serves one store"
                    )
                )
        self.single = None
        if isinstance(store, B2BCore):
            self.single = Api(store, idempotency or idempotency_store_for(store))
        self.apis: dict[str, Api] = {}
        self.lock = threading.Lock()

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

    @contextlib.asynccontextmanager
    async def api(self, token: Token, named: str | None) -> AsyncIterator[Api]:
        """The ``Api`` of the store ``token`` asks of (``named``: the
        request's ``B2B-Tenant``), for one request: a tenant's core is held
        until the request ends (``Tenants.hold``), and a tenant moved since
        the last request gets an ``Api`` over its core where it now is."""
        if named is not None and (self.tenants is None or self.only is not None):
            raise ApiError(
                400,
                "validation",
                "request",
                TENANT_HEADER,
                "this server serves one store, not tenants",
            )
        if self.single is not None:
            yield self.single
            return
        name = self.only or self.tenant_of(token, named)
        api, held = await run_in_threadpool(self.tenant_api, name)
        try:
            yield api
        except PersistenceError as error:
            # Its store was erased under the request (a PostgreSQL schema's
            # tables are then not there): a retry finds the tenant.
            if not isinstance(error, OperationalError) and await run_in_threadpool(
                held.stale
            ):
                raise OperationalError(
                    f"tenant {name} moved or was removed meanwhile"
                ) from error
            raise
        finally:
            held.close()

    def tenant_api(self, name: str) -> tuple[Api, Held]:
        """Tenant ``name``'s ``Api`` and the hold on its core."""
        assert self.tenants is not None
        try:
            held = self.tenants.hold(name)
        except NotFoundError:
            with self.lock:
                self.apis.pop(name, None)  # removed: 404 from here on
            raise
        try:
            with self.lock:
                api = self.apis.get(name)
                if api is None or api.core is not held.core:
                    api = Api(held.core, idempotency_store_for(held.core))
                    self.apis[name] = api
        except BaseException:
            held.close()
            raise
        return api, held

    @staticmethod
    def tenant_of(token: Token, named: str | None) -> str:
        if named is None:
            if len(token.tenants) == 1:
                return next(iter(token.tenants))
            raise ApiError(
                400,
                "validation",
                "request",
                TENANT_HEADER,
                "the token reaches several tenants: name one in B2B-Tenant",
            )
        if named not in token.tenants:
            raise ApiError(
                403,
                "forbidden",
                f"token of {token.subject}",
                TENANT_HEADER,
                "the token does not reach that tenant",
            )
        return named


class Api:
    """What every route works on: the core of one store (and ``aio``, its
    asyncio face, which every route awaits) and its idempotency keys. One
    command at a time runs in a process; reads take no lock and run at once
    on the pool's threads. Across processes, the store keeps commands whole:
    see ``execute``."""

    def __init__(self, core: B2BCore, store: IdempotencyStore) -> None:
        self.core = core
        self.aio = AsyncB2BCore(core)
        self.store = store
        self.lock = threading.RLock()

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


def gate(request: Request) -> Gate:
    return cast(Gate, request.app.state.gate)


def reader(request: Request, credentials: Credentials) -> Token:
    return gate(request).principal(credentials, Role.READ)


def writer(request: Request, credentials: Credentials) -> Token:
    return gate(request).principal(credentials, Role.WRITE)


async def current_api(
    request: Request,
    credentials: Credentials,
    tenant: Annotated[
        str | None,
        Header(
            alias=TENANT_HEADER,
            description="The tenant asked of, for a token that reaches several.",
            max_length=40,
        ),
    ] = None,
) -> AsyncIterator[Api]:
    # Async, so a request costs one trip to the thread pool (Gate.api's).
    token = gate(request).principal(credentials, Role.READ)
    async with gate(request).api(token, tenant) as api:
        request.state.api = api
        yield api


CurrentApi = Annotated[Api, Depends(current_api)]


Reader = Annotated[Token, Depends(reader)]
Writer = Annotated[Token, Depends(writer)]


#: The longest ``Idempotency-Key`` kept (a UUID is 36 characters).
IDEMPOTENCY_KEY_LENGTH = 200


def command_headers(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Run the command once per key (docs/http.md): 1 to"
            f" {IDEMPOTENCY_KEY_LENGTH} printable ASCII characters.",
        ),
    ] = None,
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The ETag the aggregate must have: "2", several or *.',
        ),
    ] = None,
) -> None:
    """Declares the headers every command reads (``Api.execute`` reads them)
    and refuses (400) one given twice or malformed, before the command runs."""
    for name in ("Idempotency-Key", "If-Match"):
        if len(request.headers.getlist(name)) > 1:
            raise ApiError(400, "validation", "request", name, "must be given once")
    if idempotency_key is not None and not (
        0 < len(idempotency_key) <= IDEMPOTENCY_KEY_LENGTH
        and idempotency_key.isascii()
        and idempotency_key.isprintable()
    ):
        raise ApiError(
            400,
            "validation",
            "request",
            "Idempotency-Key",
            f"must be 1 to {IDEMPOTENCY_KEY_LENGTH} printable ASCII characters",
        )
    matching_versions(if_match)


router = APIRouter()
commands = APIRouter(dependencies=[Depends(command_headers), Depends(json_body)])


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
    field = "id" if isinstance(error, AlreadyExistsError) else "version"
    return JSONResponse(error_body("conflict", subject, field, rule), status_code=409)


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
    headers = dict(error.headers or {})
    if "GET" in headers.get("Allow", "").split(", "):
        headers["Allow"] += ", HEAD"  # HeadAsGet answers HEAD wherever GET
    return JSONResponse(
        error_body(
            kind,
            "request",
            "path",
            f"{request.method} {request.url.path}: {error.detail}",
        ),
        status_code=error.status_code,
        headers=headers,
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


def store_closed(request: Request, error: Exception) -> JSONResponse:
    """The core was closed under the request (a server shutting down): a
    save it had begun may stand, so the client looks before repeating."""
    assert isinstance(error, StoreClosedError)
    return JSONResponse(
        error_body("unavailable", "store", "connection", str(error)),
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
    store: B2BCore | Tenants,
    tokens: Sequence[Token],
    idempotency: IdempotencyStore | None = None,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    tenant: str | None = None,
) -> FastAPI:
    """The API over one store's core, or over the tenants of a directory
    (each token bound to the tenants it reaches) or over one ``tenant`` of
    it, open to ``tokens``; idempotency keys are kept in ``idempotency``
    (default: beside each store's event log); a request body larger than
    ``max_body_bytes`` is refused (413)."""
    # FastAPIOffline: /docs and /redoc with their scripts served by the API
    # itself, not from a CDN, so they work without internet access.
    # The API's AsyncB2BCore is not closed with the app: the core is its
    # owner's to close, and the pool's idle threads end with the process.
    app = FastAPIOffline(
        title="b2bcore",
        summary="Accounts, assets and the sales pipeline, from one event log.",
        version="1",
        static_url=DOCS_ASSETS,
        dependencies=[Depends(declared_query)],
    )
    app.state.gate = Gate(store, tokens, idempotency, only=tenant)
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
    app.add_exception_handler(StoreClosedError, store_closed)
    app.add_exception_handler(ProjectionError, projection_stopped)
    app.add_exception_handler(HTTPException, http_error)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)

    @app.middleware("http")
    async def read_position(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Every report says how far behind the log its read models were."""
        response = await call_next(request)
        api = getattr(request.state, "api", None)
        if request.method == "GET" and response.status_code == 200 and api:
            status = await run_in_threadpool(api.core.read_status)
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

    app.add_middleware(HeadAsGet)  # outermost: the others see a GET
    return app


# -- commands: one route per declaration (b2bcore.application.commands) ----------------

#: The collection each aggregate's commands sit below, and its OpenAPI tag.
RESOURCES: dict[type[DomainAggregate], tuple[str, str]] = {
    Account: ("accounts", "accounts"),
    Asset: ("assets", "assets"),
    Lead: ("leads", "leads"),
    Opportunity: ("opportunities", "opportunities"),
    SalesRep: ("sales-reps", "sales reps"),
    Acknowledgement: ("alerts", "reports"),
    Feedback: ("feedback", "feedback"),
}


def path_of(declared: type[c.Command[Any]]) -> str:
    """``POST /assets`` creates an asset; ``POST /assets/{asset_id}/install``
    installs one."""
    collection, _ = RESOURCES[declared.ACTS_ON]
    target = declared.target_field()
    if target is None:
        return f"/{collection}"
    return f"/{collection}/{{{target.name}}}/{declared.ROUTE}"


def result_of(declared: type[c.Command[Any]]) -> Any:
    """What running the command returns (``Command[UUID]``: ``UUID``)."""
    base = next(b for b in getattr(declared, "__orig_bases__", ()) if get_args(b))
    return get_args(base)[0]


def answer_model(declared: type[c.Command[Any]]) -> type[BaseModel]:
    """The answer's schema: the id and version of the aggregate created or
    acted on, and the command's result when it has a name."""
    fields: dict[str, Any] = {"id": (UUID, ...), "version": (int | None, ...)}
    if declared.RESULT:
        fields[declared.RESULT] = (result_of(declared), ...)
    model: type[BaseModel] = create_model(f"{declared.__name__}Answer", **fields)
    return model


def add_command_route(declared: type[c.Command[Any]]) -> None:
    """``commands``' route running ``declared``: the path gives its target
    (and the route's other fields), the body the rest, the token its actor."""
    body_model = models.body_of(declared)
    hints = get_type_hints(declared)
    in_path = models.path_fields(declared)

    async def endpoint(
        request: Request, token: Token, api: Api, body: BaseModel, **path: Any
    ) -> JSONResponse:
        command = models.command_of(declared, body, path, actor=token.subject)

        def run() -> Result:
            result = api.core.handle(command)
            return {declared.RESULT: plain(result)} if declared.RESULT else result

        return await api.aio.run(
            api.execute, request, token, body, command.target(), run
        )

    parameter = functools.partial(Parameter, kind=Parameter.KEYWORD_ONLY)
    endpoint.__signature__ = Signature(  # type: ignore[attr-defined]
        [
            *(
                parameter(
                    name, annotation=models.PATH_TYPES.get(hints[name], hints[name])
                )
                for name in in_path
            ),
            parameter("body", annotation=body_model),
            parameter("request", annotation=Request),
            parameter("token", annotation=Writer),
            parameter("api", annotation=CurrentApi),
        ]
    )
    creates = result_of(declared) is UUID
    commands.post(
        path_of(declared),
        status_code=201 if creates else 200,
        tags=[RESOURCES[declared.ACTS_ON][1]],
        name="_".join(declared.label().split()),
        summary=declared.label().capitalize(),
        description=declared.__doc__,
        response_model=answer_model(declared),
    )(endpoint)


for _declared in c.COMMANDS:
    add_command_route(_declared)


# -- accounts -------------------------------------------------------------


#: The most items one listing answers.
MAX_LISTED = 10_000
Limit = Annotated[int, Query(ge=1, le=MAX_LISTED, description=PARAMETERS["limit"])]
NamePart = Annotated[
    str | None,
    Query(max_length=200, description=PARAMETERS["name"]),
]


@router.get("/accounts", tags=["accounts"])
async def accounts(
    token: Reader,
    api: CurrentApi,
    name: NamePart = None,
    known_at: KnownAt = None,
    limit: Limit = 1_000,
) -> JSONResponse:
    """Every account by name, with its id (the JSON of ``b2b accounts``)."""
    found = (await api.aio.run(api.core.accounts, name=name, known_at=known_at))[:limit]
    return read(listing(found, ACCOUNT_FIELDS))


@router.get("/opportunities", tags=["opportunities"])
async def opportunities(
    token: Reader,
    api: CurrentApi,
    account_id: UUID | None = None,
    name: NamePart = None,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    limit: Limit = 1_000,
) -> JSONResponse:
    """The deals opened by a date, newest first (the JSON of ``b2b deals``)."""
    found = await api.aio.run(
        api.core.opportunities,
        account_id=account_id,
        name=name,
        as_of=as_of,
        known_at=known_at,
    )
    return read(listing(found[:limit], DEAL_FIELDS))


@router.get(
    "/accounts/{account_id}/monthly-report",
    tags=["accounts"],
    responses={200: {"content": {"text/html": {}}}},
)
async def monthly_report(
    account_id: UUID,
    token: Reader,
    api: CurrentApi,
    month: Annotated[models.Day, query_parameter("month")],
    format: ReportFormat = ReportFormat.JSON,
    known_at: KnownAt = None,
) -> Response:
    """The monthly asset report for the account's customer (docs/monthly-report.md),
    as JSON or as a self-contained HTML page."""
    report = await api.aio.run(
        api.core.monthly_report, account_id, month=month, known_at=known_at
    )
    if format is ReportFormat.HTML:
        return HTMLResponse(
            to_html(report),
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
        )
    return read(plain(report))


@commands.post("/contacts/{contact_id}/forget", tags=["contacts"])
async def forget_contact(
    contact_id: UUID,
    body: models.WithReason,
    request: Request,
    token: Writer,
    api: CurrentApi,
) -> JSONResponse:
    return await api.aio.run(
        api.execute,
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


# -- the log --------------------------------------------------------------


@router.get("/log/position", tags=["log"])
async def log_position(
    token: Reader,
    api: CurrentApi,
) -> JSONResponse:
    status = await api.aio.run(api.core.read_status)
    return read(
        {
            "position": status.head,
            "read_models": {"position": status.position, "behind": status.behind},
        }
    )


@router.get("/audit/verify", tags=["log"])
async def verify_log(token: Reader, api: CurrentApi) -> JSONResponse:
    """Link new events into the hash chain and verify the whole log (one
    at a time with the commands: it links new events into the chain)."""
    return read(plain(await api.aio.run(api.core.verify_log)))


@router.get("/aggregates/{aggregate_id}", tags=["log"])
async def aggregate_version(
    aggregate_id: UUID,
    token: Reader,
    api: CurrentApi,
) -> JSONResponse:
    """Whether events were recorded for the id, and its version."""
    version = await api.aio.run(api.version_of, aggregate_id)
    return read({"exists": version is not None, "version": version}, version)


# -- queries: a GET per query of the catalogue (b2bcore.application.queries) -


def add_query_route(name: str, route: str) -> None:
    """``router``'s ``GET /route`` answering ``B2BCore.name``: its positional
    parameters from the path, the others from the query string, the answer
    its ``plain()`` JSON (with the version as ETag for one aggregate)."""
    method = getattr(B2BCore, name)
    hints = get_type_hints(method)
    signature = inspect.signature(method)
    view = route.count("/") == 1 and route.endswith("}")

    async def endpoint(token: Token, api: Api, **given: Any) -> JSONResponse:
        found = await api.aio.run(getattr(api.core, name), **given)
        return read(plain(found), found.version if view else None)

    parameters = [
        Parameter(
            p.name,
            Parameter.KEYWORD_ONLY,
            annotation=hints[p.name]
            if p.kind is Parameter.POSITIONAL_OR_KEYWORD  # in the path
            else Annotated[
                models.REQUEST_TYPES.get(hints[p.name], hints[p.name]),
                query_parameter(p.name),
            ],
            default=p.default,
        )
        for p in list(signature.parameters.values())[1:]
    ]
    endpoint.__signature__ = Signature(  # type: ignore[attr-defined]
        [
            Parameter("token", Parameter.KEYWORD_ONLY, annotation=Reader),
            Parameter("api", Parameter.KEYWORD_ONLY, annotation=CurrentApi),
            *sorted(parameters, key=lambda p: p.default is not Parameter.empty),
        ]
    )
    first = route.split("/", maxsplit=1)[0]
    router.get(
        f"/{route}",
        tags=["reports" if first in ("reports", "alerts") else first],
        name=name,
        summary=name.replace("_", " ").capitalize(),
        description=inspect.getdoc(method),
        response_model=schema_of(hints["return"]),
    )(endpoint)


_served = {getattr(r, "path", None) for r in router.routes}
for _name, _route in QUERIES.items():
    if _route is not None and f"/{_route}" not in _served:
        add_query_route(_name, _route)
