"""The words of the generated story: company names, sectors, regions,
products, people, findings and reasons, with how often each occurs.

Pure data and a weighted choice; every draw takes the caller's
``random.Random`` so the story stays a function of its seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

import attrs

from b2bcore import (
    ContactChannel,
    FeedbackCategory,
    Grade,
    LossReason,
    ObsoleteReason,
    ReviewArea,
    Severity,
    Temperature,
    UsagePattern,
)

T = TypeVar("T")


class Weighted(Generic[T]):
    """Items drawn in proportion to their weights."""

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.items: tuple[T, ...] = tuple(weights)
        self._cumulative = tuple(accumulate(weights.values()))

    def draw(self, rng: random.Random) -> T:
        return rng.choices(self.items, cum_weights=self._cumulative)[0]


def one_of(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


# -- accounts -----------------------------------------------------------------

GRADES = Weighted({Grade.KEY: 10, Grade.MAJOR: 30, Grade.STANDARD: 60})

#: The syllables of company names (two of them, then the sector's word).
SYLLABLES = tuple(
    "한대성신영동서남미래세진우현태광명선경화일중국제"
    "원승해빛솔보인정유창건효청산아라온누리하늘도담결"
)


@attrs.frozen
class Sector:
    name: str
    #: What a company of the sector calls itself after its name (물류, 전자…).
    words: tuple[str, ...]
    patterns: Weighted[UsagePattern]


_BUSINESS = Weighted({UsagePattern.BUSINESS: 7, UsagePattern.COMMUTE: 3})
_COMMUTE = Weighted({UsagePattern.COMMUTE: 6, UsagePattern.BUSINESS: 4})
_LEISURE = Weighted({UsagePattern.LEISURE: 6, UsagePattern.BUSINESS: 4})

SECTORS = Weighted(
    {
        Sector(
            "manufacturing", ("산업", "정밀", "전자", "화학", "기계"), _BUSINESS
        ): 22,
        Sector("logistics", ("물류", "로지스", "운수", "해운"), _BUSINESS): 15,
        Sector("retail", ("유통", "상사", "리테일"), _BUSINESS): 12,
        Sector("construction", ("건설", "개발", "종합건설"), _BUSINESS): 10,
        Sector("it services", ("테크", "소프트", "정보통신", "시스템즈"), _COMMUTE): 14,
        Sector("pharmaceuticals", ("제약", "바이오", "헬스케어"), _BUSINESS): 7,
        Sector("finance", ("캐피탈", "금융", "파트너스"), _COMMUTE): 6,
        Sector("hospitality", ("호텔", "리조트", "관광"), _LEISURE): 6,
        Sector("education", ("교육", "에듀"), _COMMUTE): 4,
        Sector("public sector", ("공사", "공단"), _BUSINESS): 4,
    }
)


@attrs.frozen
class Region:
    """Where an account sits: a Korean region, or a country abroad."""

    name: str
    country: str
    #: The sales office that owns the region's accounts.
    office: str
    #: Where the vehicles run (usage is reported per site).
    sites: tuple[str, ...]
    #: What an overseas subsidiary adds to its name ("Vietnam"); "" at home.
    label: str = ""


SEOUL_HQ, SUWON, BUSAN = "Seoul HQ", "Suwon", "Busan"

DOMESTIC_REGIONS = Weighted(
    {
        Region("Seoul", "KR", SEOUL_HQ, ("Gangnam", "Jongno", "Mapo", "Yeouido")): 34,
        Region(
            "Gyeonggi", "KR", SUWON, ("Suwon", "Seongnam", "Yongin", "Pyeongtaek")
        ): 24,
        Region("Busan", "KR", BUSAN, ("Haeundae", "Busanjin", "Gangseo")): 10,
        Region("Incheon", "KR", SEOUL_HQ, ("Songdo", "Bupyeong", "Yeongjong")): 8,
        Region("Daegu", "KR", BUSAN, ("Suseong", "Dalseo")): 6,
        Region("Daejeon", "KR", SUWON, ("Yuseong", "Seo-gu")): 6,
        Region("Gwangju", "KR", BUSAN, ("Buk-gu", "Gwangsan")): 5,
        Region("Ulsan", "KR", BUSAN, ("Nam-gu", "Onsan")): 4,
        Region("Jeju", "KR", BUSAN, ("Jeju City", "Seogwipo")): 3,
    }
)

OVERSEAS_REGIONS = Weighted(
    {
        Region(
            "Ho Chi Minh City", "VN", SEOUL_HQ, ("District 1", "Thu Duc"), "Vietnam"
        ): 5,
        Region("Tokyo", "JP", SEOUL_HQ, ("Minato", "Shinagawa"), "Japan"): 4,
        Region("Shanghai", "CN", SEOUL_HQ, ("Pudong", "Minhang"), "China"): 3,
        Region("Singapore", "SG", SEOUL_HQ, ("Jurong", "Changi"), "Singapore"): 2,
        Region("Los Angeles", "US", SEOUL_HQ, ("Torrance", "Irvine"), "USA"): 2,
        Region("Frankfurt", "DE", SEOUL_HQ, ("Eschborn", "Offenbach"), "GmbH"): 1,
    }
)

#: The share of accounts that are overseas subsidiaries.
OVERSEAS_SHARE = 0.08

CHANNELS: Mapping[Grade, Weighted[ContactChannel]] = {
    Grade.KEY: Weighted(
        {ContactChannel.VISIT: 6, ContactChannel.PHONE: 2, ContactChannel.EMAIL: 2}
    ),
    Grade.MAJOR: Weighted(
        {
            ContactChannel.PHONE: 4,
            ContactChannel.EMAIL: 3,
            ContactChannel.VISIT: 2,
            ContactChannel.MESSENGER: 1,
        }
    ),
    Grade.STANDARD: Weighted(
        {
            ContactChannel.EMAIL: 4,
            ContactChannel.MESSENGER: 3,
            ContactChannel.WEB: 2,
            ContactChannel.PHONE: 1,
        }
    ),
}

SURNAMES = tuple("김이박최정강조윤장임한오서신권황안송류홍")
GIVEN_NAMES = (
    "지은",
    "민준",
    "서연",
    "도윤",
    "하은",
    "지호",
    "수빈",
    "예준",
    "현우",
    "지민",
    "유진",
    "승민",
    "은지",
    "태윤",
    "민서",
    "준혁",
    "소연",
    "재원",
    "다은",
    "성훈",
)
CONTACT_ROLES = (
    "fleet manager",
    "general affairs",
    "purchasing lead",
    "HR benefits",
    "CFO office",
)

# -- the sales team -----------------------------------------------------------


@attrs.frozen
class Office:
    name: str
    manager: str
    reps: tuple[str, ...]


OFFICES = (
    Office(SEOUL_HQ, "oh.sungho", ("kim.seoyeon", "lee.jihoon", "choi.yuna")),
    Office(SUWON, "shin.eunji", ("park.minjun", "jung.hyunwoo")),
    Office(BUSAN, "lim.jaewon", ("kang.minseo", "yoon.dohyun", "han.soojin")),
)

# -- products -----------------------------------------------------------------


@attrs.frozen
class Product:
    """A fleet subscription, priced per vehicle and month (KRW)."""

    name: str
    monthly_fee: int
    #: What an upgrade or a replacement moves the fleet to.
    successor: str | None


PRODUCTS = {
    p.name: p
    for p in (
        Product("Shared fleet Basic", 190_000, "Shared fleet Plus"),
        Product("Shared fleet Plus", 240_000, "Premium sedan fleet"),
        Product("Premium sedan fleet", 340_000, "Dedicated vehicles"),
        Product("EV fleet", 280_000, "Premium sedan fleet"),
        Product("Van fleet", 260_000, "EV fleet"),
        Product("Dedicated vehicles", 420_000, None),
    )
}
PRODUCT_MIX = Weighted(
    {
        PRODUCTS["Shared fleet Basic"]: 30,
        PRODUCTS["Shared fleet Plus"]: 22,
        PRODUCTS["EV fleet"]: 18,
        PRODUCTS["Van fleet"]: 14,
        PRODUCTS["Premium sedan fleet"]: 10,
        PRODUCTS["Dedicated vehicles"]: 6,
    }
)

#: Vehicles per subscription, by grade (inclusive bounds).
FLEET_SIZES: Mapping[Grade, tuple[int, int]] = {
    Grade.KEY: (12, 40),
    Grade.MAJOR: (5, 15),
    Grade.STANDARD: (1, 6),
}
#: Contract terms in months, and installment counts.
TERMS = Weighted({12: 5, 24: 3, 36: 2})
INSTALLMENT_COUNTS = Weighted({1: 1, 2: 2, 4: 4, 6: 2, 12: 3})

# -- while installed ----------------------------------------------------------

INSPECTION_FINDINGS = (
    "all vehicles in service",
    "all vehicles in service; two tyre replacements recommended",
    "brake pads worn on one vehicle, replaced",
    "dashcam firmware outdated on three vehicles",
    "minor body damage on two vehicles",
    "charging cable replaced on one EV",
    "interior cleaning below standard, vendor warned",
    "telematics unit offline on one vehicle",
)
PRAISE = (
    "fast support",
    "drivers like the new cars",
    "booking app works well",
    "good value for the fleet",
    "vehicles always clean",
    "",
)
COMPLAINTS = (
    "vehicles often not clean",
    "roadside assistance was late twice",
    "booking app crashes at peak hours",
    "too expensive for how little we drive",
    "not enough vehicles on Monday mornings",
)

# -- the voice of the customer ------------------------------------------------

#: Complaints by what they are about: (text, the need it names, how it was
#: resolved).
COMPLAINT_TOPICS: Mapping[FeedbackCategory, tuple[tuple[str, str, str], ...]] = {
    FeedbackCategory.DELIVERY: (
        (
            "two cars late for the morning shift",
            "cars on site before the shift",
            "handover moved an hour earlier",
        ),
        (
            "not enough vehicles on Monday mornings",
            "more cars on Mondays",
            "two spare cars parked on site on Mondays",
        ),
    ),
    FeedbackCategory.SERVICE: (
        (
            "roadside assistance was late twice",
            "faster roadside assistance",
            "assistance partner replaced in the region",
        ),
        (
            "vehicles often not clean",
            "cleaner vehicles",
            "cleaning vendor warned, weekly checks added",
        ),
    ),
    FeedbackCategory.PRODUCT: (
        (
            "booking app crashes at peak hours",
            "a reliable booking app",
            "app fix released, fleet manager called back",
        ),
    ),
    FeedbackCategory.BILLING: (
        (
            "invoice charged a vehicle twice",
            "correct invoices",
            "credit note issued",
        ),
    ),
    FeedbackCategory.PRICE: (
        (
            "too expensive for how little we drive",
            "a plan for low usage",
            "offered a smaller fleet at the renewal",
        ),
    ),
}
COMPLAINT_CATEGORIES = Weighted(
    {
        FeedbackCategory.DELIVERY: 3,
        FeedbackCategory.SERVICE: 4,
        FeedbackCategory.PRODUCT: 2,
        FeedbackCategory.BILLING: 2,
        FeedbackCategory.PRICE: 1,
    }
)
SEVERITIES = Weighted(
    {Severity.LOW: 30, Severity.MEDIUM: 45, Severity.HIGH: 20, Severity.CRITICAL: 5}
)
#: What customers say they need when surveyed or interviewed.
NEEDS_HEARD = (
    "faster delivery",
    "EVs for the sales team",
    "one-way trips between sites",
    "monthly usage reports",
    "more vans",
    "a single invoice for all fleets",
    "a plan for low usage",
)
SURVEY_TOPICS = Weighted(
    {
        FeedbackCategory.SERVICE: 5,
        FeedbackCategory.PRODUCT: 3,
        FeedbackCategory.ORDERING: 2,
        FeedbackCategory.BILLING: 1,
    }
)

COMPETITORS = ("Lotte Rental", "SK Rent-a-car", "GreenCar", "Hyundai Capital")
COMPETITOR_NOTES = (
    "offered a 15 % lower monthly fee",
    "pitched a long-term lease to the CFO",
    "invited the fleet manager to an EV test drive",
    "sent a proposal for the next fiscal year",
)

CHURN_REASONS = Weighted(
    {
        ObsoleteReason.PRICE: 30,
        ObsoleteReason.BUDGET: 20,
        ObsoleteReason.COMPETITOR: 25,
        ObsoleteReason.FEATURES: 10,
        ObsoleteReason.SUPPORT: 10,
        ObsoleteReason.OTHER: 5,
    }
)
CHURN_NOTES: Mapping[ObsoleteReason, tuple[str, ...]] = {
    ObsoleteReason.PRICE: ("fee too high for their usage", "asked for 20 % off"),
    ObsoleteReason.BUDGET: (
        "fleet budget cut for the next fiscal year",
        "cost-saving programme froze all mobility spending",
    ),
    ObsoleteReason.COMPETITOR: ("switched to a competitor's long-term lease",),
    ObsoleteReason.FEATURES: (
        "needed one-way trips between sites",
        "needed vans with refrigeration",
    ),
    ObsoleteReason.SUPPORT: (
        "unhappy with roadside assistance response times",
        "too many vehicles out of service",
    ),
    ObsoleteReason.OTHER: ("office relocated", "merged into the parent company"),
}

# -- leads and deals ----------------------------------------------------------

TEMPERATURES = Weighted(
    {Temperature.HOT: 25, Temperature.WARM: 45, Temperature.COLD: 30}
)
LEAD_SOURCES = (
    "website inquiry",
    "Seoul Mobility Show",
    "customer referral",
    "outbound call",
    "fleet-cost webinar",
    "partner referral",
)
ACCOUNT_LEAD_SOURCES = (
    "quarterly business review",
    "customer inquiry",
    "account review",
)
NEEDS = (
    "shared cars for site visits",
    "replace company-owned sedans",
    "commuter cars for the night shift",
    "EVs to meet the ESG target",
    "vans for deliveries between warehouses",
    "cars for visiting executives",
)
EXPANSION_NEEDS = (
    "more vehicles for a new site",
    "vans for the new warehouse",
    "EVs for the sales team",
    "premium sedans for executives",
)
DISQUALIFICATIONS = (
    "no budget this fiscal year",
    "fleet too small for a B2B contract",
    "outside our service area",
    "already under contract with a competitor until next year",
    "duplicate of an existing lead",
)

DEAL_COMPETITORS = Weighted({0: 3, 1: 5, 2: 2})
#: The margin (percent of the price) the VRB estimates a deal at.
MARGINS = Weighted({6: 1, 10: 3, 14: 4, 18: 4, 22: 3, 28: 1})
REPRICINGS = (
    "vehicles from a cheaper leasing partner",
    "maintenance moved in-house",
    "fleet mix changed to smaller cars",
)
EXPECTED_CLOSE_MOVES = (
    "budget approval moved to next quarter",
    "the customer's board meets later",
    "waiting for the site to open",
)
REASSIGNMENTS = (
    "rep on parental leave",
    "territories rebalanced",
    "rep moved to key accounts",
)
RESCOPES = (
    "customer cut the fleet size",
    "two more sites added to the scope",
    "term shortened to a year",
)
FINDINGS: Mapping[ReviewArea, tuple[tuple[str, str], ...]] = {
    ReviewArea.FINANCE: (
        ("payment terms of 90 days exceed policy", "customer accepted 60 days"),
        ("discount above 15 % needs approval", "approved by the finance director"),
        ("margin below the 20 % target", "fleet mix changed to lift the margin"),
    ),
    ReviewArea.LEGAL: (
        ("insurance clause for night use", "clause 7.2 amended"),
        ("liability cap missing", "cap agreed at one year's fees"),
        ("data-processing agreement needed", "DPA signed"),
    ),
    ReviewArea.PURCHASING: (
        ("vendor registration pending", "registered in the customer's portal"),
        ("customer requires three quotes", "quotes submitted"),
    ),
    ReviewArea.TECHNICAL: (
        ("charging points at the site not confirmed", "site survey done"),
        ("telematics integration with their ERP", "CSV export agreed instead"),
        ("parking capacity at the site", "customer reserved the bays"),
    ),
}
FINDING_AREAS = Weighted(
    {
        ReviewArea.FINANCE: 4,
        ReviewArea.LEGAL: 3,
        ReviewArea.PURCHASING: 2,
        ReviewArea.TECHNICAL: 3,
    }
)
GATE_FAILURES = (
    "margin below the VRB floor",
    "unlimited liability demanded by the customer",
    "no delivery capacity in the region",
    "customer credit check failed",
)
LOSS_REASONS = Weighted(
    {
        LossReason.PRICE: 30,
        LossReason.COMPETITOR: 25,
        LossReason.BUDGET: 15,
        LossReason.TIMING: 10,
        LossReason.NO_DECISION: 10,
        LossReason.FEATURES: 7,
        LossReason.SUPPORT: 3,
    }
)
#: Loss reasons that name the competitor who won.
LOST_TO_A_COMPETITOR = frozenset({LossReason.PRICE, LossReason.COMPETITOR})
DROP_REASONS = (
    "customer froze all new spending",
    "project cancelled after a reorganisation",
    "merged into another deal of the account",
    "customer chose to keep its own cars",
)
STALLED = "no response after three follow-ups"
WIN_REASONS = (
    "best total cost over the term",
    "fastest delivery",
    "EV range and charging support",
    "reference from another key account",
)
POSTMORTEMS: Mapping[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "won": (
        "won on total cost and delivery time",
        ("early site survey", "finance approved the discount in time"),
        ("involve the VRB before the proposal",),
    ),
    "lost": (
        "lost at the proposal stage",
        ("price gap against the incumbent", "late technical answers"),
        ("qualify the budget at tier 3", "bring a TCO comparison"),
    ),
    "dropped": (
        "dropped before a decision",
        ("no executive sponsor",),
        ("confirm the sponsor before tier 2",),
    ),
}
