"""A small county for care: who must be visited in the helper's village (东关村), one
person in the neighbouring village and one in the other township."""

import base64
import datetime as dt
import io

import pytest

from conftest import COUNTY, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, person_id
from doudi.registry.models import Benefit, Household, Person

# A real 1×1 PNG, as a <canvas> would send (a signature).
PNG_BYTES = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def _person(household, name, birth, seq, relation="head", **extra):
    return Person.objects.create(
        id_number=person_id(COUNTY, birth, seq),
        name=name,
        sex=extra.pop("sex", "M"),
        birth_date=dt.date.fromisoformat(f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"),
        household=household,
        relation=relation,
        **extra,
    )


@pytest.fixture
def care_county(users):
    def household(code, village):
        return Household.objects.create(code=code, region_id=village, hukou="rural", address=f"{code}号")

    h1, h2, h3 = household("C001", VILLAGE_A1), household("C002", VILLAGE_A1), household("C003", VILLAGE_A1)
    h4, h5 = household("C004", VILLAGE_A2), household("C005", VILLAGE_B1)
    people = {
        "老张": _person(h1, "老张", "19480101", 1),  # 分散供养特困, lives alone
        "王户主": _person(h2, "王户主", "19700202", 2),  # 低保户 head
        "王妻": _person(h2, "王妻", "19720303", 4, "spouse", sex="F"),
        "李奶奶": _person(
            h3, "李奶奶", "19500505", 6, sex="F", self_care="none", disability_level=2, disability_kind="physical"
        ),  # no benefit: a suggestion only
        "西关人": _person(h4, "西关人", "19600606", 8),
        "中村人": _person(h5, "中村人", "19610707", 10),
    }
    since = dt.date(2023, 1, 1)
    Benefit.objects.create(
        household=h1,
        person=people["老张"],
        person_key=people["老张"].id_number,
        category="tekun",
        since=since,
        monthly_amount=1280,
        support_mode="dispersed",
    )
    for h in (h2, h4, h5):
        Benefit.objects.create(household=h, category="dibao", since=since, monthly_amount=900)
    return people


def visit_post(**changes):
    data = {
        "visited_on": "2025-01-06",
        "categories": ["tekun"],
        "health": ["healthy"],
        "q1": "no",
        "q2": "yes",
        "q3": "no",
        "q4": "no",
        "record": "入户查看，生活正常",
        "visitor_signature": SIGNATURE,
        "person_signature": SIGNATURE,
        "client_key": "k-" + changes.pop("key", "1"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def photo(name="p.jpg", content=JPEG_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def bytes_io(data: bytes):
    return io.BytesIO(data)
