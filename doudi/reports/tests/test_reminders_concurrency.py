"""Two home page loads sending the day's reminders at once (PostgreSQL): each reminder is written
once, and no notification goes out without its reminder row (the unique key decides)."""

import threading

import pytest
from django.db import connection, connections

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from doudi.core.models import Region
from doudi.reports import reminders
from doudi.reports.models import Reminder
from doudi.reports.tests.test_reminders_tasks import WED, _task
from doudi.workbench.models import Notification
from doudi.workbench.notifications import notify

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_senders_at_once_notify_each_item_once(users, regions):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency is tested on PostgreSQL")
    _task(users, TOWNSHIP_A)
    _task(users, TOWNSHIP_B)
    county = Region.objects.get(code=COUNTY)
    barrier, results, errors = threading.Barrier(2), [], []

    def send():
        try:
            barrier.wait()
            results.append(reminders.send(WED, notify, county))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(results) == Reminder.objects.count() == Notification.objects.count() > 0
    assert reminders.send(WED, notify, county) == 0
