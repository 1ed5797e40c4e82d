"""Commands that decide or pay say when a county runs on another region's parameters."""

import pytest


@pytest.mark.django_db
def test_commands_that_decide_or_pay_name_a_county_without_its_own_parameters(tmp_path):
    """evaluate, compare and price-subsidy print the notice on stderr, as assess and payroll do."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from doudi.core.models import Region

    Region.objects.create(code="14", name="山西省", level="province")
    Region.objects.create(code="1405", name="晋城市", level="city", parent_id="14")
    Region.objects.create(code="140522", name="阳城县", level="county", parent_id="1405")
    for command, args in (
        ("evaluate", ["--month", "2025-01", "--region", "140522"]),
        ("compare", ["--as-of", "2025-01-01", "--region", "140522", "--out", str(tmp_path / "w.csv")]),
        ("price-subsidy", ["--month", "2022-07", "--cpi", "2.7", "--food", "6.3", "--region", "140522"]),
    ):
        err = io.StringIO()
        try:
            call_command(command, *args, stderr=err, stdout=io.StringIO())
        except CommandError:
            pass  # an empty register or no department data: the notice comes first either way
        assert "阳城县（140522）本县未配置参数，使用晋城市（1405）的参数" in err.getvalue(), command
