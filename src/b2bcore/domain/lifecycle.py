"""The asset lifecycle, declared once: which action each status accepts,
which status an action leads to, and the status on a business date from the
days its steps were taken. The ``Asset`` aggregate enforces it, the reports
derive an asset's status on a date from it, and the test kit's strategies
draw only the commands it accepts.

``PURCHASED --install--> INSTALLED --replace / make obsolete--> OBSOLETE``
(a purchased asset may be made obsolete too); payments are taken, and
recorded facts corrected, until the asset is obsolete; everything else needs
it installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import Enum
from types import MappingProxyType

from b2bcore.domain.values import AssetStatus


class AssetAction(Enum):
    """What can be done to an asset; the value reads in a refusal ("cannot
    renew an asset in status obsolete")."""

    INSTALL = "install"
    RENEW = "renew"
    CORRECT_USAGE_END = "correct the usage end of"
    UPGRADE = "upgrade"
    REPLACE = "replace"
    MAKE_OBSOLETE = "make obsolete"
    SCHEDULE_INSPECTION = "schedule an inspection"
    COMPLETE_INSPECTION = "complete an inspection"
    RECORD_SATISFACTION = "record satisfaction"
    RECORD_USAGE = "record usage"
    REPORT_COMPETITOR_CONTACT = "report a competitor contact"
    PAY_INSTALLMENT = "pay an installment"
    #: Open the deal that renews the asset (``b2bcore.domain.policies``).
    OPEN_RENEWAL_DEAL = "open a renewal deal for"
    #: Correct (or reverse) a payment, satisfaction score, usage month or
    #: inspection already recorded.
    CORRECT = "correct a recorded fact of"


#: What each status accepts.
ACCEPTS: Mapping[AssetStatus, frozenset[AssetAction]] = MappingProxyType(
    {
        AssetStatus.PURCHASED: frozenset(
            {
                AssetAction.INSTALL,
                AssetAction.MAKE_OBSOLETE,
                AssetAction.PAY_INSTALLMENT,
                AssetAction.CORRECT,
            }
        ),
        AssetStatus.INSTALLED: frozenset(AssetAction) - {AssetAction.INSTALL},
        AssetStatus.OBSOLETE: frozenset(),
    }
)
#: The actions that change the status, and to what.
LEADS_TO: Mapping[AssetAction, AssetStatus] = MappingProxyType(
    {
        AssetAction.INSTALL: AssetStatus.INSTALLED,
        AssetAction.REPLACE: AssetStatus.OBSOLETE,
        AssetAction.MAKE_OBSOLETE: AssetStatus.OBSOLETE,
    }
)


def accepts(status: AssetStatus, action: AssetAction) -> bool:
    return action in ACCEPTS[status]


def status_on(
    day: date,
    *,
    purchased_on: date,
    installed_on: date | None,
    obsolete_on: date | None,
) -> AssetStatus | None:
    """The status on ``day`` of an asset whose steps were taken on these
    days (None before its purchase): the latest step reached by then."""
    if day < purchased_on:
        return None
    if obsolete_on is not None and obsolete_on <= day:
        return LEADS_TO[AssetAction.MAKE_OBSOLETE]
    if installed_on is not None and installed_on <= day:
        return LEADS_TO[AssetAction.INSTALL]
    return AssetStatus.PURCHASED
