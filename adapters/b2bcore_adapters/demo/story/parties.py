"""Who is in the generated story: the sales team, the back-office actors
that record payments, usage and inspections, and the customers (who each
account is, who owns it, how it pays and how content it is)."""

from __future__ import annotations

import random
from datetime import date
from functools import cache
from uuid import UUID

import attrs

from b2bcore import B2BCore, BusinessLine, ContactChannel, Grade
from b2bcore.domain.account import Account
from b2bcore.domain.aggregate import Provenance
from b2bcore_adapters.demo.story.vocabulary import (
    CHANNELS,
    CONTACT_ROLES,
    DOMESTIC_REGIONS,
    GIVEN_NAMES,
    GRADES,
    OFFICES,
    OVERSEAS_REGIONS,
    OVERSEAS_SHARE,
    SECTORS,
    SURNAMES,
    SYLLABLES,
    Region,
    Sector,
    one_of,
)

#: Who records what the sales reps do not.
BILLING = "billing"
FLEET_OPERATIONS = "fleet-ops"
TELEMATICS = "telematics"
SURVEYS = "cx-survey"
MARKETING = "marketing"


@cache
def acting(actor: str) -> Provenance:
    """``actor`` recording a change with no particular reason (one shared,
    immutable value per actor)."""
    return Provenance(actor)


class SalesTeam:
    """The reps, their managers and offices; an account's owner works in the
    office of its region."""

    def __init__(self) -> None:
        self._reps = {office.name: office.reps for office in OFFICES}

    @property
    def size(self) -> int:
        return sum(len(reps) for reps in self._reps.values())

    def register(self, core: B2BCore, on: date) -> None:
        for office in OFFICES:
            for rep in office.reps:
                core.register_sales_rep(
                    name=rep,
                    manager=office.manager,
                    office=office.name,
                    on=on,
                    actor=office.manager,
                )

    def owner_for(self, region: Region, rng: random.Random) -> str:
        return one_of(rng, self._reps[region.office])

    def reps(self, region: Region) -> tuple[str, ...]:
        """The reps of the office serving ``region``."""
        return tuple(self._reps[region.office])


@attrs.frozen
class Customer:
    """A company in the story and how it behaves; ``id`` is its account's,
    None for a prospect that never became an account."""

    id: UUID | None
    name: str
    grade: Grade
    sector: Sector
    region: Region
    business_line: BusinessLine
    channel: ContactChannel
    owner: str
    contact: str
    #: When it entered the book: its account's registration, or a
    #: prospect's first lead.
    registered_on: date
    #: Shares of installments paid late, and never paid.
    late_share: float
    unpaid_share: float
    #: The chance a satisfaction survey comes back unhappy.
    unhappy_share: float

    @property
    def country(self) -> str:
        return self.region.country

    def register(self) -> Account:
        assert self.id is not None
        return Account.register(
            self.id,
            name=self.name,
            grade=self.grade,
            sector=self.sector.name,
            region=self.region.name,
            country=self.country,
            business_line=self.business_line,
            preferred_channel=self.channel,
            on=self.registered_on,
            meta=acting(self.owner),
        )


def draw_customer(
    account_id: UUID | None,
    registered_on: date,
    team: SalesTeam,
    rng: random.Random,
) -> Customer:
    grade = GRADES.draw(rng)
    sector = SECTORS.draw(rng)
    overseas = rng.random() < OVERSEAS_SHARE
    region = (OVERSEAS_REGIONS if overseas else DOMESTIC_REGIONS).draw(rng)
    return Customer(
        id=account_id,
        name=company_name(sector, region, rng),
        grade=grade,
        sector=sector,
        region=region,
        business_line=BusinessLine.OVERSEAS if overseas else BusinessLine.DOMESTIC,
        channel=CHANNELS[grade].draw(rng),
        owner=team.owner_for(region, rng),
        contact=contact_person(rng),
        registered_on=registered_on,
        late_share=_payment_habit(rng),
        unpaid_share=0.25 if rng.random() < 0.03 else 0.0,
        unhappy_share=0.45 if rng.random() < 0.12 else 0.04,
    )


def company_name(sector: Sector, region: Region, rng: random.Random) -> str:
    """A Korean-flavoured name: two syllables and the sector's word, as
    (주)한빛물류 or 대성전자(주); an overseas subsidiary adds its country."""
    base = one_of(rng, SYLLABLES) + one_of(rng, SYLLABLES) + one_of(rng, sector.words)
    if region.label:
        return f"{base} {region.label}"
    return f"(주){base}" if rng.random() < 0.7 else f"{base}(주)"


def contact_person(rng: random.Random) -> str:
    return (
        f"{one_of(rng, SURNAMES)}{one_of(rng, GIVEN_NAMES)} "
        f"({one_of(rng, CONTACT_ROLES)})"
    )


def _payment_habit(rng: random.Random) -> float:
    """Most accounts pay on time; some are sometimes late, a few often."""
    roll = rng.random()
    if roll < 0.75:
        return 0.02
    if roll < 0.93:
        return 0.2
    return 0.55
