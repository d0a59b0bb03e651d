"""An import seals each person's contact once, however many rows carry it:
the events, the snapshots and the read rows of the store hold one ciphertext
of it, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from b2bcore import B2BCore, Contact, deterministic_id
from b2bcore_adapters.importers import import_csv
from tests.application.test_forget_contact import stored_values
from tests.importers.importing import write

ACCOUNTS = """
account,name,grade,sector,region,country,business_line,preferred_channel,registered_on
HYO,(주)효원,key,logistics,Seoul,KR,domestic,visit,2023-01-02
"""
HEADER = (
    "asset,account,product,order_reference,contact,value,currency,owner,"
    "purchased_on,installments,every_months,upsell,opportunity,installed_on,"
    "usage_end_on,obsolete_on,obsolete_reason,obsolete_note"
)
SEALED = re.compile(
    rb'"_type_":"sealed_contact","_data_":\["([0-9a-f-]{36})","([^"]+)"'
)


def asset_row(number: int, contact: str) -> str:
    return (
        f"CAR-{number},HYO,Sedan fleet,,{contact},12000000,KRW,park.minjun,"
        "2023-01-10,3,1,false,,2023-01-20,2024-01-19,,,"
    )


def ciphertexts(url: str) -> dict[str, set[bytes]]:
    """Each person's sealed contacts found anywhere in the store at ``url``."""
    found: dict[str, set[bytes]] = defaultdict(set)
    for value in stored_values(url):
        for person, sealed in SEALED.findall(value):
            found[person.decode()].add(sealed)
    return found


def test_an_import_stores_each_persons_contact_as_one_ciphertext(
    durable_url: str, tmp_path: Path
) -> None:
    unknown, kim = Contact("unknown"), Contact("Kim Jiwoo")
    rows = [asset_row(n, "unknown") for n in range(40)]
    rows += [asset_row(n, "Kim Jiwoo") for n in range(40, 45)]
    with B2BCore.open(durable_url, snapshot_interval=2) as core:
        import_csv(core, "accounts", write(tmp_path, "accounts.csv", ACCOUNTS))

        report = import_csv(
            core, "assets", write(tmp_path, "assets.csv", "\n".join([HEADER, *rows]))
        )
        core.projector.catch_up()

        assert (report.imported, report.rejected) == (45, ())
        assert {p: len(c) for p, c in ciphertexts(durable_url).items()} == {
            str(unknown.id): 1,
            str(kim.id): 1,
        }
        assert core.asset(deterministic_id("asset", "CAR-44")).contact == kim
