"""Every declared command, recorded once through each front end made from the
declarations — ``B2BCore.handle``, ``b2b <aggregate> <command>`` and the HTTP
route — in one story: each succeeds, and all three give the same answer
(the aggregate's id and version, and the command's named result). Then each
refused through all three: a typed error, exit 1 or a 4xx, nothing recorded."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest
from fastapi.testclient import TestClient

from b2bcore import B2BCore, B2BCoreError, FixedClock, Money, ValidationError
from b2bcore.application import commands as c
from b2bcore.domain.aggregate import MAX_WHOLE_NUMBER
from b2bcore.domain.ids import deterministic_id, renewal_deal_id
from b2bcore.domain.values import (
    BusinessLine,
    ContactChannel,
    FeedbackCategory,
    FeedbackKind,
    Grade,
    Installment,
    LossReason,
    ObsoleteReason,
    OrderLine,
    ReviewArea,
    SalesStage,
    Severity,
    Temperature,
    UsagePattern,
)
from b2bcore.reports.alerts import AlertKind
from b2bcore_adapters.entrypoints.cli.main import main
from b2bcore_adapters.entrypoints.cli.record import GROUPS, NOT_OPTIONS, sub_command
from b2bcore_adapters.entrypoints.http import create_app
from b2bcore_adapters.entrypoints.http.app import path_of
from b2bcore_adapters.entrypoints.http.models import path_fields
from b2bcore_adapters.render.plain import plain
from tests.entrypoints.http.http_api import TOKENS, WRITER

TODAY = date(2024, 12, 31)
USD = "USD"


def ids(name: str) -> UUID:
    return deterministic_id("every-command test", name)


ACCOUNT, FIRST, SECOND, THIRD = ids("account"), ids("first"), ids("second"), ids("3")
LEAD, DROPPED_LEAD, CONVERTED = ids("lead"), ids("dropped lead"), ids("converted")
DEAL, LOST, DROPPED, FAILED = ids("deal"), ids("lost"), ids("dropped"), ids("failed")
COMPLAINT = ids("complaint")
FOURTH, RENEWAL = ids("fourth"), ids("renewal")


def plan(total: int, first_due: date) -> tuple[Installment, ...]:
    half = Money.of(total // 2, USD)
    return (Installment(1, first_due, half), Installment(2, first_due, half))


def deal_terms(deal_id: UUID, name: str) -> dict[str, Any]:
    return {
        "account_id": ACCOUNT,
        "name": name,
        "amount": Money.of(50_000, USD),
        "owner": "park",
        "business_line": BusinessLine.DOMESTIC,
        "region": "Seoul",
        "country": "KR",
        "product": "Forklift X2",
        "expected_close_on": date(2024, 9, 30),
        "opportunity_id": deal_id,
        "on": date(2024, 3, 1),
    }


def purchase(asset_id: UUID, on: date) -> c.PurchaseAsset:
    return c.PurchaseAsset(
        account_id=ACCOUNT,
        product="Forklift X2",
        order_reference=f"PO-{asset_id.hex[:6]}",
        contact="김지은",
        value=Money.of(1_200, USD),
        installments=plan(1_200, date(2024, 2, 1)),
        owner="park",
        asset_id=asset_id,
        on=on,
    )


def story(dissatisfaction: Callable[[], UUID]) -> Iterator[c.Command[Any]]:
    """Every command once, in an order the rules allow; ``dissatisfaction``
    finds the alert the low score raised."""
    yield c.RegisterAccount(
        name="(주)효원",
        grade=Grade.MAJOR,
        sector="logistics",
        region="Seoul",
        country="KR",
        business_line=BusinessLine.DOMESTIC,
        preferred_channel=ContactChannel.EMAIL,
        account_id=ACCOUNT,
        on=date(2024, 1, 2),
    )
    yield c.ChangeAccountGrade(ACCOUNT, grade=Grade.KEY, on=date(2024, 1, 3))
    yield c.ChangeAccountAttributes(ACCOUNT, sector="3PL", on=date(2024, 1, 3))
    for asset_id in (FIRST, SECOND, THIRD):
        yield purchase(asset_id, date(2024, 1, 15))
        yield c.InstallAsset(
            asset_id, usage_end_on=date(2024, 12, 31), on=date(2024, 1, 20)
        )
    yield c.RenewAsset(
        FIRST,
        usage_end_on=date(2025, 12, 31),
        value=Money.of(1_400, USD),
        installments=(Installment(3, date(2025, 1, 1), Money.of(1_400, USD)),),
        on=date(2024, 2, 1),
    )
    yield c.CorrectUsageEnd(
        FIRST, usage_end_on=date(2026, 1, 31), reason="typo", on=date(2024, 2, 2)
    )
    yield c.UpgradeAsset(
        FIRST, product="Forklift X3", value=Money.of(1_600, USD), on=date(2024, 2, 3)
    )
    yield c.ScheduleInspection(FIRST, due_on=date(2024, 3, 1), on=date(2024, 2, 4))
    yield c.CompleteInspection(FIRST, number=1, findings="ok", on=date(2024, 3, 1))
    yield c.CorrectInspection(
        FIRST, number=1, findings="worn tyres", reason="typo", on=date(2024, 3, 5)
    )
    yield c.RecordSatisfaction(FIRST, score=2, comment="slow", on=date(2024, 3, 2))
    yield c.CorrectSatisfaction(
        FIRST, recorded_on=date(2024, 3, 2), score=3, reason="typo", on=date(2024, 3, 5)
    )
    yield c.RecordUsage(
        FIRST,
        period=date(2024, 2, 1),
        count=120,
        distance_km=900,
        region="Seoul",
        pattern=UsagePattern.BUSINESS,
        on=date(2024, 3, 3),
    )
    yield c.CorrectUsage(
        FIRST,
        period=date(2024, 2, 1),
        count=102,
        distance_km=900,
        reason="typo",
        on=date(2024, 3, 5),
    )
    yield c.ReportCompetitorContact(
        FIRST, competitor="Doosan", note="visit", on=date(2024, 3, 4)
    )
    yield c.PayInstallment(
        FIRST, number=1, amount=Money.of(600, USD), on=date(2024, 2, 1)
    )
    yield c.CorrectPayment(
        FIRST, number=1, paid_on=date(2024, 2, 3), reason="typo", on=date(2024, 3, 5)
    )
    yield c.ReversePayment(FIRST, number=1, reason="bounced", on=date(2024, 3, 6))
    yield purchase(FOURTH, date(2024, 1, 15))
    yield c.InstallAsset(FOURTH, usage_end_on=date(2024, 6, 30), on=date(2024, 1, 20))
    yield c.OpenRenewalDeals(ACCOUNT, on=date(2024, 5, 1))
    yield c.WinOpportunity(
        renewal_deal_id(FOURTH, None), value=Money.of(1_300, USD), on=date(2024, 5, 10)
    )
    yield c.OpenRenewalDeal(
        FOURTH, tier=3, opportunity_id=RENEWAL, on=date(2024, 11, 1)
    )
    yield c.LoseOpportunity(
        RENEWAL, reason_code=LossReason.BUDGET, on=date(2024, 11, 15)
    )
    yield c.ReplaceAsset(SECOND, successor_id=THIRD, note="X3", on=date(2024, 4, 1))
    yield c.MakeAssetObsolete(
        THIRD, reason_code=ObsoleteReason.BUDGET, on=date(2024, 5, 1)
    )
    yield c.CaptureLead(
        company="Hyowon Busan",
        source="trade fair",
        temperature=Temperature.WARM,
        account_id=ACCOUNT,
        lead_id=LEAD,
        on=date(2024, 2, 1),
    )
    yield c.ChangeLeadTemperature(
        LEAD, temperature=Temperature.HOT, on=date(2024, 2, 2)
    )
    yield c.QualifyLead(LEAD, contact="이지은", need="fleet", on=date(2024, 2, 3))
    yield c.ConvertLead(
        LEAD, **{**deal_terms(CONVERTED, "Busan fleet"), "account_id": None}
    )
    yield c.CaptureLead(
        company="Nobody",
        source="web",
        temperature=Temperature.COLD,
        lead_id=DROPPED_LEAD,
        on=date(2024, 2, 1),
    )
    yield c.DisqualifyLead(DROPPED_LEAD, reason="no budget", on=date(2024, 2, 2))
    for deal_id, name in (
        (DEAL, "Seoul"),
        (LOST, "EV"),
        (DROPPED, "Old"),
        (FAILED, "X"),
    ):
        yield c.OpenOpportunity(**deal_terms(deal_id, name))
    yield c.ChangeTier(
        DEAL, tier=3, stage=SalesStage.OPPORTUNITY_DEVELOPMENT, on=date(2024, 3, 2)
    )
    yield c.ReviewGate(
        DEAL,
        gate=1,
        findings=((ReviewArea.FINANCE, "margin"),),
        cost=Money.of(30_000, USD),
        price=Money.of(50_000, USD),
        on=date(2024, 3, 3),
    )
    yield c.ResolveFinding(DEAL, number=1, resolution="repriced", on=date(2024, 3, 4))
    yield c.PassGate(DEAL, gate=1, on=date(2024, 3, 5))
    yield c.ChangeOpportunityAmount(
        DEAL, amount=Money.of(52_000, USD), reason="scope", on=date(2024, 3, 6)
    )
    yield c.ReassignOpportunity(
        DEAL, owner="kim", reason="park on leave", on=date(2024, 3, 6)
    )
    yield c.MoveExpectedClose(
        DEAL, expected_close_on=date(2024, 10, 31), reason="budget", on=date(2024, 3, 6)
    )
    yield c.ReviewGate(FAILED, gate=1, on=date(2024, 3, 3))
    yield c.FailGate(FAILED, gate=1, reason="no fit", on=date(2024, 3, 4))
    yield c.WinOpportunity(
        DEAL,
        value=Money.of(48_000, USD),
        order=(
            OrderLine(
                "Forklift X2",
                Money.of(48_000, USD),
                "PO-WIN",
                "박민준",
                plan(48_000, date(2024, 5, 1)),
            ),
        ),
        on=date(2024, 4, 1),
    )
    yield c.LoseOpportunity(
        LOST, reason_code=LossReason.PRICE, competitor="Doosan", on=date(2024, 4, 2)
    )
    yield c.RecordPostmortem(
        LOST,
        summary="priced out",
        root_causes=("price",),
        lessons=("review earlier", "bundle service"),
        on=date(2024, 4, 3),
    )
    yield c.DropOpportunity(DROPPED, reason="reorganised", on=date(2024, 4, 2))
    yield c.CorrectTierMove(
        DEAL, position=1, moved_on=date(2024, 3, 1), reason="CRM lag", on=TODAY
    )
    yield c.CorrectOutcomeDate(
        DROPPED, closed_on=date(2024, 4, 1), reason="letter dated 1 April", on=TODAY
    )
    yield c.RecordFeedback(
        account_id=ACCOUNT,
        asset_id=FIRST,
        kind=FeedbackKind.COMPLAINT,
        channel=ContactChannel.PHONE,
        category=FeedbackCategory.DELIVERY,
        severity=Severity.HIGH,
        text="late again",
        needs=("faster delivery", "24h support"),
        feedback_id=COMPLAINT,
        on=date(2024, 4, 2),
    )
    yield c.ResolveComplaint(COMPLAINT, resolution="expedited", on=date(2024, 4, 5))
    yield c.RegisterSalesRep(name="park", manager="choi", office="Suwon")
    yield c.ReassignSalesRep("park", manager="lee", office="Busan")
    yield c.AcknowledgeAlert(dissatisfaction(), note="called them")


def answer_of(core: B2BCore, command: c.Command[Any], result: Any) -> Any:
    """The answer the front ends give: id, version and the named result."""
    subject = result if isinstance(result, UUID) else command.target()
    assert subject is not None
    version = core.event_log.recorder.select_events(subject, desc=True, limit=1)
    answer: dict[str, Any] = {"id": subject, "version": version[0].originator_version}
    if command.RESULT:
        answer[command.RESULT] = result
    return plain(answer)


def given(command: c.Command[Any]) -> dict[str, Any]:
    """The fields a caller gives: those set away from their defaults, but
    who records it."""
    return {
        f.name: getattr(command, f.name)
        for f in attrs.fields(type(command))
        if f.name not in NOT_OPTIONS
        and (f.default is attrs.NOTHING or getattr(command, f.name) != f.default)
    }


def as_json(name: str, value: Any) -> Any:
    """A field's value as the HTTP API's JSON bodies give it (a finding is
    an object; a contact its name)."""
    if name == "findings" and not isinstance(value, str):
        return [{"area": a.value, "description": d} for a, d in value]
    if name == "order":
        return [{**plain(line), "contact": line.contact.name} for line in value]
    return plain(value)


def cli_arguments(command: c.Command[Any]) -> list[str]:
    """``b2b <group> <command> TARGET --field value …`` for ``command``."""
    declared = type(command)
    arguments = [GROUPS[declared.ACTS_ON][0], sub_command(declared)]
    target = declared.target_field()
    for name, value in given(command).items():
        if target is not None and name == target.name:
            arguments.insert(2, str(value))
        elif isinstance(value, bool):
            arguments.append(f"--{'' if value else 'no-'}{name.replace('_', '-')}")
        elif isinstance(value, Money):
            arguments += [
                f"--{name.replace('_', '-')}",
                f"{value.amount} {value.currency}",
            ]
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            for text in value:
                arguments += [f"--{name.replace('_', '-')}", text]
        else:
            shown = as_json(name, value)
            text = shown if isinstance(shown, str) else json.dumps(shown)
            arguments += [f"--{name.replace('_', '-')}", str(text)]
    return arguments


def http_request(command: c.Command[Any]) -> tuple[str, dict[str, Any]]:
    """The path and JSON body of ``command``'s route."""
    declared = type(command)
    in_path = path_fields(declared)
    values = given(command)
    path = path_of(declared).format(**{n: getattr(command, n) for n in in_path})
    return path, {n: as_json(n, v) for n, v in values.items() if n not in in_path}


def dissatisfaction_of(core: B2BCore) -> Callable[[], UUID]:
    def find() -> UUID:
        return next(
            a.id
            for a in core.alerts(as_of=TODAY)
            if a.kind is AlertKind.DISSATISFACTION
        )

    return find


def recorded_by_handle(url: str) -> list[Any]:
    with B2BCore.open(url, clock=FixedClock(TODAY)) as core:
        return [
            answer_of(core, command, core.handle(command))
            for command in story(dissatisfaction_of(core))
        ]


def recorded_by_cli(url: str, capsys: pytest.CaptureFixture[str]) -> list[Any]:
    answers = []
    with B2BCore.open(url, clock=FixedClock(TODAY)) as core:
        for command in story(dissatisfaction_of(core)):
            arguments = cli_arguments(command)
            code = main(["--db", url, *arguments])
            out, err = capsys.readouterr()
            assert (code, err) == (0, ""), (arguments, err)
            answers.append(json.loads(out))
    return answers


def recorded_by_http(url: str) -> list[Any]:
    answers = []
    with B2BCore.open(url, clock=FixedClock(TODAY)) as core:
        api = TestClient(create_app(core, TOKENS))
        for command in story(dissatisfaction_of(core)):
            path, body = http_request(command)
            response = api.post(path, json=body, headers=WRITER)
            assert response.status_code in (200, 201), (path, response.text)
            answers.append(response.json())
    return answers


def test_the_story_records_every_declared_command() -> None:
    recorded = {type(command) for command in story(lambda: ids("alert"))}
    assert recorded == set(c.COMMANDS)


def test_every_command_answers_alike_from_python_the_cli_and_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls: Sequence[str] = [
        f"sqlite:///{tmp_path / name}.db" for name in ("handle", "cli", "http")
    ]
    by_handle = recorded_by_handle(urls[0])
    by_cli = recorded_by_cli(urls[1], capsys)
    by_http = recorded_by_http(urls[2])

    assert by_cli == by_handle
    assert by_http == by_handle


def refused(command: c.Command[Any]) -> c.Command[Any]:
    """``command`` as the store must refuse it once the story is recorded:
    aimed at an aggregate never recorded, or, for one that creates an
    aggregate, the same again (its id is taken)."""
    target = type(command).target_field()
    if target is None:
        return command
    missing: Any = "nobody" if target.name == "name" else ids("never recorded")
    return attrs.evolve(command, **{target.name: missing})


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Any]]:
    """A store holding the story, and the story's commands."""
    url = f"sqlite:///{tmp_path_factory.mktemp('every') / 'story.db'}"
    with B2BCore.open(url, clock=FixedClock(TODAY)) as core:
        commands = []
        for command in story(dissatisfaction_of(core)):
            core.handle(command)
            commands.append(command)
    return url, commands


def test_every_command_refused_from_python_the_cli_and_http_records_nothing(
    recorded: tuple[str, list[Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, commands = recorded
    with B2BCore.open(url, clock=FixedClock(TODAY)) as core:
        api = TestClient(create_app(core, TOKENS))
        head = core.log_position()
        for command in map(refused, commands):
            with pytest.raises(B2BCoreError):
                core.handle(command)
            path, body = http_request(command)
            response = api.post(path, json=body, headers=WRITER)
            assert response.status_code in (404, 409), (path, response.text)
            code = main(["--db", url, *cli_arguments(command)])
            out, err = capsys.readouterr()
            assert (code, out) == (1, ""), cli_arguments(command)
            assert err.startswith("error: "), err
        assert core.log_position() == head
    assert {type(c) for c in commands} == set(c.COMMANDS)


#: A refused text's rule, and a refused number's or amount's.
CONTROL = "must not hold a control character"
TOO_LARGE = "is beyond the largest"


def with_hostile_part(value: Any) -> Iterator[tuple[str, Any, str]]:
    """``value`` with one hostile part at a time, each with the path of that
    part and the rule that refuses it: a control character (NUL, an escape,
    a right-to-left override) in a text, a whole number or an amount beyond
    the largest; in a field's own value, a value object's (a contact's
    email, an installment's amount), each item of a tuple."""
    if isinstance(value, str):
        for hostile in (f"{value}\x00", f"\x1b[2J{value}", f"\u202e{value}"):
            yield "", hostile, CONTROL
    elif isinstance(value, Money):
        yield "", Money.from_minor(-MAX_WHOLE_NUMBER - 1, value.currency), TOO_LARGE
    elif isinstance(value, int) and not isinstance(value, bool | Enum):
        yield "", MAX_WHOLE_NUMBER + 1, TOO_LARGE
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            for path, changed, rule in with_hostile_part(getattr(value, field.name)):
                try:
                    hostile = attrs.evolve(value, **{field.name: changed})
                except ValidationError:  # the value refuses it itself
                    continue
                yield f".{field.name}{path}", hostile, rule
    elif isinstance(value, tuple):
        for n, item in enumerate(value):
            for path, changed, rule in with_hostile_part(item):
                yield f"[{n}]{path}", (*value[:n], changed, *value[n + 1 :]), rule


def test_a_control_character_or_an_overlarge_number_anywhere_is_refused() -> None:
    """Before each command of the story, the same command with a NUL, an
    escape or a bidi override in one of its texts, or a whole number or an
    amount beyond the largest: a ValidationError naming that part, nothing
    recorded (a NUL reached PostgreSQL's read tables, and 2**63 SQLite's,
    and stopped every projection)."""
    tried: set[str] = set()
    with B2BCore.open("memory://", clock=FixedClock(TODAY)) as core:
        for command in story(dissatisfaction_of(core)):
            for field in attrs.fields(type(command)):
                value = getattr(command, field.name)
                for path, changed, rule in with_hostile_part(value):
                    head = core.log_position()
                    hostile = attrs.evolve(command, **{field.name: changed})
                    with pytest.raises(ValidationError) as refused:
                        core.handle(hostile)
                    assert refused.value.field == f"{field.name}{path}"
                    assert rule in refused.value.rule
                    assert core.log_position() == head, hostile
                    tried.add(f"{type(command).__name__}.{field.name}{path}")
            core.handle(command)
    assert {
        "RegisterAccount.name",
        "PurchaseAsset.contact",
        "PurchaseAsset.value",
        "PurchaseAsset.installments[0].amount",
        "RecordUsage.distance_km",
    } <= tried
