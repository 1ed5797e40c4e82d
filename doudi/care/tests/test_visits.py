"""The 附件1 form over HTTP: a good visit opens problems; bad input is refused in Chinese,
the typed form kept, nothing saved; a draft sent twice is stored once."""

import pytest
from django.urls import reverse

from doudi.care.models import Problem, Visit, VisitPhoto
from doudi.care.tests.conftest import photo, visit_post

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def _url(person):
    return reverse("care:visit_new", args=[person.pk])


def test_form_shows_register_facts_and_ticks(client, care_county, users):
    client.force_login(users["helper_a1"])
    page = client.get(_url(care_county["老张"])).content.decode()
    assert "老张" in page and "东关村" in page and "龙港镇" in page
    assert 'value="tekun" id="id_categories_1" checked' in page or ('value="tekun"' in page and "checked" in page)
    for text in (
        "衣食住行医是否存在困难",
        "赡养扶养义务",
        "烟囱堵塞",
        "适老化改造",
        "探访记录",
        "存在问题",
        "解决措施及时限",
        "走访排查人签字",
        "困难群众签字",
    ):
        assert text in page, text
    assert "<script>" not in page and "onclick" not in page


def test_visit_saved_with_photos_and_problems(client, care_county, users):
    client.force_login(users["helper_a1"])
    data = visit_post(q2="no", q2_note="儿子在外地打工，半年未回", q3="yes", q3_note="烟囱堵塞", photos=[photo()])
    response = client.post(_url(care_county["老张"]), data, **FETCH)
    assert response.status_code == 200 and response.json()["ok"]
    visit = Visit.objects.get()
    assert (visit.name, visit.age, visit.q2, visit.q3) == ("老张", 77, False, True)
    assert visit.visitor_signature.read().startswith(b"\x89PNG") and VisitPhoto.objects.count() == 1
    problems = {p.question: p for p in Problem.objects.all()}
    assert set(problems) == {2, 3}  # "否" to question 2 and "是" to question 3 need action
    assert problems[3].description == "烟囱堵塞" and problems[3].state == "open" and problems[3].owner == "township"
    assert problems[3].deadline is not None and problems[3].transitions.count() == 1
    page = client.get(response.json()["url"]).content.decode()
    assert "困难群众走访排查记录表" in page and "烟囱堵塞" in page and "东关村" in page


def test_same_draft_twice_is_stored_once(client, care_county, users):
    client.force_login(users["helper_a1"])
    first = client.post(_url(care_county["老张"]), visit_post(key="same"), **FETCH).json()
    again = client.post(_url(care_county["老张"]), visit_post(key="same"), **FETCH).json()
    assert first["url"] == again["url"] and again["created"] is False and Visit.objects.count() == 1


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"q3": None}, "第 3 项请选择“是”或“否”"),
        ({"q1": None, "q4": None}, "第 1 项请选择"),
        ({"person_signature": ""}, "缺少困难群众签字"),
        ({"visitor_signature": ""}, "缺少走访排查人签字"),
        ({"visitor_signature": "data:image/png;base64,AAAA"}, "走访排查人签字不是 PNG 图片"),
        ({"visited_on": "2999-01-01"}, "走访时间不能晚于今天"),
        ({"health": ["healthy", "chronic"]}, "选了“健康”"),
    ],
)
def test_bad_input_refused_and_form_kept(client, care_county, users, changes, message):
    client.force_login(users["helper_a1"])
    data = visit_post(record="这段探访记录要保留", **changes)
    response = client.post(_url(care_county["老张"]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "这段探访记录要保留" in page
    assert client.post(_url(care_county["老张"]), data, **FETCH).json()["errors"]
    assert not Visit.objects.exists() and not Problem.objects.exists()


def test_bad_photo_refused(client, care_county, users):
    client.force_login(users["helper_a1"])
    response = client.post(_url(care_county["老张"]), visit_post(photos=[photo("x.jpg", b"GIF89a" + b"0" * 50)]), **FETCH)
    assert response.status_code == 400 and "不是 JPEG 或 PNG" in response.json()["errors"][0]
    assert not Visit.objects.exists()


def test_person_outside_helpers_village_refused(client, care_county, users):
    client.force_login(users["helper_a1"])
    outside = care_county["西关人"]
    assert client.get(_url(outside)).status_code == 404
    response = client.post(_url(outside), visit_post(record="保留我"))
    page = response.content.decode()
    assert response.status_code == 400 and "不在您负责的村" in page and "保留我" in page and "西关人" not in page
    missing = client.post(reverse("care:visit_new", args=[999999]), visit_post(), **FETCH)
    assert missing.json()["errors"] == response_errors(client, outside)
    assert not Visit.objects.exists()


def response_errors(client, person):
    return client.post(_url(person), visit_post(), **FETCH).json()["errors"]


def test_visit_export_masks_id_numbers(client, care_county, users):
    import io

    import openpyxl

    client.force_login(users["helper_a1"])
    client.post(_url(care_county["老张"]), visit_post(record="身份证 " + care_county["王妻"].id_number), **FETCH)
    response = client.get(reverse("care:visits") + "?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
    assert "老张" in text and care_county["老张"].id_number not in text and care_county["王妻"].id_number not in text
    assert care_county["老张"].id_number[:6] + "********" in text
