"""The rolling window: every file checked once a cycle, spread over the runs, oldest first,
each run bounded in bytes and in queries."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.fixity.models import FixityCheck, FixityRun
from apps.fixity.services import files_audit
from tests.fixity.conftest import NOW

pytestmark = pytest.mark.django_db
HOURS = datetime.timedelta(hours=1)


@pytest.fixture
def four_runs_a_day(settings):
    settings.FIXITY_CYCLE_DAYS = 1
    settings.FIXITY_RUN_MINUTES = 6 * 60
    return settings


def _checks_by_path() -> dict[str, list[datetime.datetime]]:
    found = defaultdict(list)
    for path, when in FixityCheck.objects.order_by("checked_at").values_list("path", "checked_at"):
        found[path].append(when)
    return found


def test_each_run_checks_its_share_oldest_first_and_every_file_once_a_cycle(
    make_raw, four_runs_a_day
):
    raws = [make_raw(f"item {n}".encode()) for n in range(12)]
    order = []
    for run in range(8):  # two days: two cycles of four runs
        report = files_audit(now=NOW + run * 6 * HOURS)
        assert report.checked == 3  # 12 files / 4 runs a cycle
        order.append(
            set(FixityCheck.objects.filter(run_id=report.run_id).values_list("path", flat=True))
        )
    first_cycle, second_cycle = order[:4], order[4:]
    paths = {raw.content_path for raw in raws}
    assert set().union(*first_cycle) == paths == set().union(*second_cycle)
    assert second_cycle == first_cycle  # oldest check first: the same order again
    # (A check is stamped with the run's clock plus the seconds the run took to reach it.)
    for times in _checks_by_path().values():
        assert len(times) == 2 and times[1] - times[0] < datetime.timedelta(days=1, seconds=1)
    assert FixityRun.objects.order_by("-started_at").first().files_checked_in_cycle == 12


def test_never_checked_files_go_first(make_raw, four_runs_a_day):
    for n in range(4):
        make_raw(f"old {n}".encode())
    files_audit(all_files=True, now=NOW)
    new = make_raw(b"just stored")
    report = files_audit(now=NOW + 6 * HOURS)
    assert report.checked == 2  # ceil(5 / 4)
    checked = FixityCheck.objects.filter(run_id=report.run_id).values_list("path", flat=True)
    assert new.content_path in checked


def test_files_past_their_cycle_are_all_checked_whatever_the_share(make_raw, four_runs_a_day):
    for n in range(8):
        make_raw(f"item {n}".encode())
    files_audit(all_files=True, now=NOW)
    # The audit did not run for two days (workers down): every file is overdue.
    report = files_audit(now=NOW + 48 * HOURS)
    assert report.checked == 8 and not report.stopped_by_budget


def test_a_run_stops_at_its_byte_budget_and_the_next_goes_on_from_there(make_raw, settings):
    settings.FIXITY_CYCLE_DAYS, settings.FIXITY_RUN_MINUTES = 1, 24 * 60  # a run's share: all
    raws = [make_raw(bytes(range(256)) * 40 + bytes([n])) for n in range(6)]
    sizes = {raw.content_path: raw.compressed_size for raw in raws}
    settings.FIXITY_MAX_BYTES_PER_RUN = 2 * max(sizes.values())  # two files' worth
    first = files_audit(now=NOW)  # all six are due, but over the budget
    assert first.stopped_by_budget and first.checked == 2
    assert first.bytes_read <= settings.FIXITY_MAX_BYTES_PER_RUN
    second = files_audit(now=NOW + HOURS)
    assert second.checked == 2 and second.stopped_by_budget
    checked = {
        run: set(FixityCheck.objects.filter(run_id=run).values_list("path", flat=True))
        for run in (first.run_id, second.run_id)
    }
    assert not checked[first.run_id] & checked[second.run_id]
    # A file larger than the budget is still checked, alone, so it cannot stall the audit.
    settings.FIXITY_MAX_BYTES_PER_RUN = 1
    third = files_audit(now=NOW + 2 * HOURS)
    assert third.checked == 1 and third.stopped_by_budget


def test_all_checks_every_file_now_whatever_the_budget(make_raw, settings):
    for n in range(5):
        make_raw(f"item {n}".encode())
    settings.FIXITY_MAX_BYTES_PER_RUN = 1
    assert files_audit(all_files=True, now=NOW).checked == 5
    assert files_audit(all_files=True, now=NOW + HOURS).checked == 5
    assert FixityCheck.objects.count() == 10


def _queries_of_a_run(**kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        files_audit(**kwargs)
    return len(queries)


@pytest.mark.parametrize("all_files", [False, True])
def test_a_run_makes_as_many_queries_for_33_files_as_for_3(make_raw, settings, all_files):
    settings.FIXITY_CYCLE_DAYS, settings.FIXITY_RUN_MINUTES = 1, 24 * 60  # the share: all
    for n in range(3):
        make_raw(f"few {n}".encode())
    few = _queries_of_a_run(all_files=all_files, now=NOW)
    for n in range(30):
        make_raw(f"many {n}".encode())
    many = _queries_of_a_run(all_files=all_files, now=NOW + 48 * HOURS)
    assert FixityCheck.objects.filter(checked_at__gte=NOW + 48 * HOURS).count() == 33
    assert many == few <= 20
