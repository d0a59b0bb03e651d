"""``HashChain`` follows the log page by page and yields to another process
that linked a page first."""

from __future__ import annotations

from b2bcore import B2BCore
from b2bcore.audit.chainstore import MemoryChainLinkStore
from b2bcore.audit.hashchain import HashChain, logged
from b2bcore.audit.verification import ChainLink, extend


class StaleHeadOnce(MemoryChainLinkStore):
    """Answers the first ``head()`` as if nothing were linked, like a process
    that read the head just before another one appended."""

    def __init__(self) -> None:
        super().__init__()
        self.stale = True

    def head(self) -> ChainLink | None:
        if self.stale:
            self.stale = False
            return None
        return super().head()


def recorded(core: B2BCore, count: int) -> None:
    for n in range(count):
        core.register_sales_rep(name=f"rep {n}", manager="choi", office="Suwon")


def test_the_chain_links_the_log_page_by_page(memory_core: B2BCore) -> None:
    recorded(memory_core, 5)
    chain = HashChain(
        memory_core.event_log.recorder, MemoryChainLinkStore(), page_size=2
    )

    assert chain.catch_up() == 5
    assert chain.catch_up() == 0
    status = chain.verify()
    assert (status.ok, status.count) == (True, 5)


def test_a_page_linked_by_another_process_is_left_to_it(memory_core: B2BCore) -> None:
    recorded(memory_core, 3)
    recorder = memory_core.event_log.recorder
    store = StaleHeadOnce()
    first_two = recorder.select_notifications(start=1, limit=2)
    store.append(extend(None, [logged(n) for n in first_two]))

    linked = HashChain(recorder, store).catch_up()

    assert linked == 1
    assert [link.position for link in store.links(0, 10)] == [1, 2, 3]
    assert HashChain(recorder, store).verify().ok
