"""The demo county's logins: one per role, the same everywhere a demo needs them (the demo
command, each app's demo data). Only for `doudi demo`: the password is public."""

from doudi.core.models import Region
from doudi.core.roles import Role
from doudi.core.services import user_create

DEMO_COUNTY = "140521"
DEMO_PASSWORD = "doudi2026"


def demo_users() -> list[tuple[str, str, str]]:
    """One login per role; township clerks for the first two townships. None of them is made
    to change the password at sign-in (user_create), so the public demo password keeps working."""
    county = Region.objects.get(code=DEMO_COUNTY)
    townships = list(Region.objects.filter(parent=county).order_by("code")[:2])
    village = Region.objects.filter(parent=townships[0]).order_by("code").first()
    # staff2 checks what staff builds: money needs a second person (maker-checker).
    plan = [
        ("admin", Role.COUNTY_ADMIN, county),
        ("staff", Role.COUNTY_STAFF, county),
        ("staff2", Role.COUNTY_STAFF, county),
        ("clerk1", Role.TOWNSHIP_CLERK, townships[0]),
        ("clerk2", Role.TOWNSHIP_CLERK, townships[1]),
        ("helper1", Role.VILLAGE_HELPER, village),
        ("finance", Role.FINANCE, county),
        ("supervisor", Role.SUPERVISOR, county),
        ("uploader", Role.DEPT_UPLOADER, county),
        # 困境儿童 (issue 16): helper1's village has its 儿童主任, clerk1's township its 儿童督导员.
        ("childdir1", Role.CHILD_DIRECTOR, village),
        ("childsup1", Role.CHILD_SUPERVISOR, townships[0]),
    ]
    for username, role, region in plan:
        user_create(username=username, password=DEMO_PASSWORD, role=role, region_code=region.code)
    return [(u, Role(r).label, f"{reg.name}（{reg.code}）") for u, r, reg in plan]
