"""cProfile of the benchmark rows that miss their targets, each on its own
scenario, so a profile in docs/performance.md can be made again:

    python -m benchmarks.profiles write-available   # or any SCENARIOS name
    python -m benchmarks.profiles all --top 25

Prints the top lines of each profile (by own time, then by cumulative
time) on stdout. The books are those of ``make bench-quick`` (recorded on
first use into ``benchmarks/``); everything else goes to a temporary folder.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from b2bcore import B2BCore, Consistency
from benchmarks import postgres
from benchmarks.history import log_of, sqlite_url
from benchmarks.loading import asset_story
from benchmarks.queries import LAST_DAY, RENEWAL_DAYS, YEAR
from benchmarks.sizes import QUICK
from benchmarks.write_path import customer_story, import_data_sets

HERE = Path(__file__).parent
#: A scenario: set up in a folder, then the profiled call.
Scenario = Callable[[ExitStack, Path], Callable[[], object]]


def _story(consistency: Consistency) -> Scenario:
    def setup(stack: ExitStack, folder: Path) -> Callable[[], object]:
        core = stack.enter_context(
            B2BCore.open(sqlite_url(folder / "write.db"), consistency=consistency)
        )
        numbers = itertools.count()
        customer_story(core, next(numbers))
        return lambda: [customer_story(core, next(numbers)) for _ in range(200)]

    return setup


def _import(consistency: Consistency) -> Scenario:
    def setup(stack: ExitStack, folder: Path) -> Callable[[], object]:
        core = stack.enter_context(
            B2BCore.open(sqlite_url(folder / "import.db"), consistency=consistency)
        )
        return lambda: import_data_sets(core)

    return setup


def _load(store: str) -> Scenario:
    def setup(stack: ExitStack, folder: Path) -> Callable[[], object]:
        url = (
            stack.enter_context(postgres.schema())
            if store == "postgres"
            else sqlite_url(folder / "load.db")
        )
        core = stack.enter_context(B2BCore.open(url))
        account, asset = asset_story(5)
        core.save(account, asset)
        return lambda: [core.asset(asset.id) for _ in range(2_000)]

    return setup


def _rebuild(stack: ExitStack, folder: Path) -> Callable[[], object]:
    core = stack.enter_context(
        B2BCore.open(
            sqlite_url(log_of(HERE, QUICK.rebuild_events)),
            consistency=Consistency.AVAILABLE,
        )
    )
    return core.projector.rebuild


def _report(name: str) -> Scenario:
    def setup(stack: ExitStack, folder: Path) -> Callable[[], object]:
        core = stack.enter_context(
            B2BCore.open(sqlite_url(log_of(HERE, QUICK.rebuild_events)))
        )
        core.catch_up()
        reports: dict[str, Callable[[], object]] = {
            "renewal-queue": lambda: core.renewal_queue(
                as_of=LAST_DAY, within=RENEWAL_DAYS
            ),
            "asset-kpis": lambda: core.asset_kpis(start=YEAR[0], end=YEAR[1]),
            "pipeline-kpis": lambda: core.pipeline_kpis(as_of=LAST_DAY),
            "alerts": lambda: core.alerts(as_of=LAST_DAY),
            "dashboard": lambda: core.rep_dashboard(as_of=LAST_DAY),
        }
        return reports[name]

    return setup


def _catch_up(stack: ExitStack, folder: Path) -> Callable[[], object]:
    core = stack.enter_context(
        B2BCore.open(
            sqlite_url(folder / "catch-up.db"), consistency=Consistency.AVAILABLE
        )
    )
    numbers = itertools.count()
    customer_story(core, next(numbers))
    core.catch_up()

    def samples() -> None:
        for _ in range(100):
            customer_story(core, next(numbers))
            core.catch_up()

    return samples


SCENARIOS: dict[str, Scenario] = {
    "write-available": _story(Consistency.AVAILABLE),
    "write-log-head": _story(Consistency.LOG_HEAD),
    "import-available": _import(Consistency.AVAILABLE),
    "import-log-head": _import(Consistency.LOG_HEAD),
    "load-sqlite": _load("sqlite"),
    "load-postgres": _load("postgres"),
    "rebuild": _rebuild,
    "renewal-queue": _report("renewal-queue"),
    "asset-kpis": _report("asset-kpis"),
    "pipeline-kpis": _report("pipeline-kpis"),
    "alerts": _report("alerts"),
    "dashboard": _report("dashboard"),
    "catch-up": _catch_up,
}


@contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="b2bcore-profile-") as folder:
        yield Path(folder)


def profile(name: str, top: int) -> str:
    """The top ``top`` lines of scenario ``name``'s profile, by own time and
    by cumulative time."""
    with ExitStack() as stack:
        folder = stack.enter_context(_folder())
        action = SCENARIOS[name](stack, folder)
        profiler = cProfile.Profile()
        profiler.runcall(action)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"== {name}\n")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    for name in names:
        print(profile(name, args.top))


if __name__ == "__main__":
    main()
