"""Public-side fixtures: the cases app's register (孙七 eligible for 低保, 周八 in township B,
赵六 refused) and fixed "today", a fresh rate-limit window for each test, and helpers that
take a case to its 公示 through the cases services (never writing cases tables here)."""

import pytest
from django.core.cache import cache

from doudi.cases import services
from doudi.cases.tests.conftest import DAY, application, register, today

__all__ = ["DAY", "application", "publicized", "register", "today"]


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def publicized(user, data, day=DAY):
    """A case received, checked, surveyed and in its 公示 from `day`."""
    case = services.case_receive(user=user, data=data, today=day)
    case = services.case_check(case=case, user=user, today=day)
    case = services.case_survey(case=case, user=user, notes="入户查看，情况属实")
    return services.case_publicize(case=case, user=user, today=day)
