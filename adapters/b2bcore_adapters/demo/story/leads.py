"""A lead's story: captured by marketing as an MQL (hot, warm or cold),
sometimes warming up, qualified into a sales lead once it has a contact and
a need, then converted into a Tier 4 deal, disqualified, or left waiting."""

from __future__ import annotations

import random
from contextlib import suppress
from datetime import date
from uuid import UUID

from b2bcore import Temperature
from b2bcore.domain.aggregate import Provenance
from b2bcore.domain.lead import Lead
from b2bcore.domain.opportunity import Opportunity
from b2bcore_adapters.demo.story.calendar import Cursor, PastTheEnd
from b2bcore_adapters.demo.story.parties import MARKETING, acting, contact_person
from b2bcore_adapters.demo.story.vocabulary import DISQUALIFICATIONS, NEEDS, one_of

WARMER = {Temperature.COLD: Temperature.WARM, Temperature.WARM: Temperature.HOT}
WARMING_SHARE = 0.2
#: What becomes of a lead that does not turn into a deal.
DISQUALIFIED_SHARE = 0.6
LEFT_QUALIFIED_SHARE = 0.15


def capture(
    lead_id: UUID,
    *,
    company: str,
    source: str,
    temperature: Temperature,
    on: date,
    account_id: UUID | None = None,
) -> Lead:
    return Lead.capture(
        lead_id,
        company=company,
        source=source,
        temperature=temperature,
        account_id=account_id,
        on=on,
        meta=acting(MARKETING),
    )


def qualify(
    lead: Lead,
    cursor: Cursor,
    rng: random.Random,
    *,
    contact: str,
    need: str,
    by: str,
) -> None:
    """Work the lead until it is a sales lead (SQL); a cold or warm one
    sometimes warms up first. Raises PastTheEnd when the story ends first."""
    warmer = WARMER.get(lead.temperature)
    if warmer is not None and rng.random() < WARMING_SHARE:
        lead.change_temperature(
            on=cursor.wait(2, 14),
            temperature=warmer,
            meta=Provenance(MARKETING, reason="asked for a proposal"),
        )
    lead.qualify(on=cursor.wait(2, 20), contact=contact, need=need, meta=acting(by))


def convert(lead: Lead, deal: Opportunity) -> None:
    """The sales lead became ``deal``, opened the same day."""
    lead.convert(on=deal.opened_on, opportunity_id=deal.id, meta=acting(deal.owner))


def leave(lead: Lead, cursor: Cursor, rng: random.Random) -> None:
    """A lead that does not become a deal: disqualified, qualified and left
    there, or still waiting as an MQL on the last day."""
    roll = rng.random()
    with suppress(PastTheEnd):
        if roll < DISQUALIFIED_SHARE:
            lead.disqualify(
                on=cursor.wait(3, 45),
                meta=Provenance(MARKETING, reason=one_of(rng, DISQUALIFICATIONS)),
            )
        elif roll < DISQUALIFIED_SHARE + LEFT_QUALIFIED_SHARE:
            qualify(
                lead,
                cursor,
                rng,
                contact=contact_person(rng),
                need=one_of(rng, NEEDS),
                by=MARKETING,
            )
