"""参数管理 page (issue 11 A3): every parameter in force for a county on a date, editing into
DOUDI_POLICY_DIR with validation and an audit entry; county administrators of their own county only."""

import datetime as dt
import re

import pytest
import yaml

from conftest import COUNTY
from doudi.core.models import AuditEntry, Region, User
from doudi.core.roles import Role
from doudi.core.services import user_create
from doudi.rules.parameters import ROOT
from doudi.rules.policy import parameter

URL = "/assessment/parameters/"
pytestmark = pytest.mark.django_db


def login(client, name):
    client.force_login(User.objects.get(username=name))
    return client


def visible(html: str) -> str:
    """The page's text as a reader sees it: no tags, no attribute values."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL))


@pytest.fixture
def county_dir(tmp_path, monkeypatch):
    folder = tmp_path / "policy"
    folder.mkdir()
    monkeypatch.setenv("DOUDI_POLICY_DIR", str(folder))
    return folder


def edit(**changes):
    data = {
        "region": COUNTY,
        "parameter": "dibao.standard.rural",
        "start": "2025-03-01",
        "value": "700",
        "ref": "沁民发〔2025〕9号",
        "note": "",
    }
    data.update(changes)
    return data


def test_the_administrator_sees_every_parameter_in_force(client, users, monkeypatch):
    monkeypatch.delenv("DOUDI_POLICY_DIR", raising=False)
    response = login(client, "admin").get(URL, {"date": "2025-01-01"})
    html = response.content.decode()
    assert response.status_code == 200
    text = visible(html)
    row = html[html.index("农村低保标准") :]
    row = row[: row.index("</tr>")]
    assert "640" in row and "沁民发〔2024〕21号（演示）" in row and "2024-07-01" in row and "140521.yaml" in row
    assert "发放周期：特困人员" in text and "按季" in text and "资金分担比例：困难群众基本生活救助补助资金" in text
    assert "dibao.standard.rural" not in text and str(ROOT) not in html
    assert "DOUDI_POLICY_DIR" in text and "修改参数" in text  # how to enable editing
    older = visible(login(client, "admin").get(URL, {"date": "2024-06-01"}).content.decode())
    assert "沁民发〔2024〕3号（演示）" in older


@pytest.mark.parametrize("name", ["staff", "clerk_a", "finance", "supervisor", "helper_a1"])
def test_other_roles_are_refused(client, users, county_dir, name):
    assert login(client, name).get(URL).status_code == 403
    assert login(client, name).post(URL, edit()).status_code == 403
    assert not list(county_dir.glob("*.yaml"))


def test_another_county_is_refused(client, users, county_dir):
    Region.objects.create(code="140522", name="阳城县", level="county", parent_id="1405")
    assert login(client, "admin").get(URL, {"region": "140522"}).status_code == 404
    assert login(client, "admin").post(URL, edit(region="140522")).status_code == 404
    assert not list(county_dir.glob("*.yaml")) and not AuditEntry.objects.exists()


def test_editing_without_the_folder_is_refused(client, users, monkeypatch):
    monkeypatch.delenv("DOUDI_POLICY_DIR", raising=False)
    response = login(client, "admin").post(URL, edit())
    assert response.status_code == 400 and "DOUDI_POLICY_DIR" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_an_edit_writes_a_dated_value_to_the_county_file_and_the_audit(client, users, county_dir):
    response = login(client, "admin").post(URL, edit(note="年度提标"))
    assert response.status_code == 302, response.content.decode()
    path = county_dir / "140521.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    values = data["parameters"]["dibao.standard.rural"]["values"]
    assert [str(v["from"]) for v in values] == ["2024-01-01", "2024-07-01", "2025-03-01"]  # copied, then added
    assert values[-1]["value"] == 700 and values[-1]["ref"] == "沁民发〔2025〕9号" and values[-1]["note"] == "年度提标"
    assert "dibao.increment.elderly" in data["parameters"]  # the shipped county file was copied first
    assert parameter("dibao.standard.rural", COUNTY, dt.date(2025, 3, 1)).value == 700
    assert parameter("dibao.standard.rural", COUNTY, dt.date(2025, 2, 1)).value == 640
    audit = AuditEntry.objects.get(entity="parameter")
    assert audit.user.username == "admin" and audit.role == Role.COUNTY_ADMIN and audit.reason == "沁民发〔2025〕9号"
    assert audit.entity_key.startswith(COUNTY) and ["640", "700"] in [list(v) for v in audit.changes.values()]
    page = visible(client.get(response["Location"]).content.decode())
    assert "已保存" in page and "140521.yaml（县参数目录）" in visible(client.get(URL, {"date": "2025-03-01"}).content.decode())


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"ref": ""}, "文号"),
        ({"start": "2024-07-01"}, "日期重叠"),
        ({"value": "700元"}, "不是数字"),
        ({"value": "0.5", "parameter": "dibao.taper.months"}, "应为整数"),
        ({"parameter": "dibao.standard.ruralx"}, "未知参数"),
        ({"start": "2025-02-30"}, "日期"),
        ({"parameter": "schedule.tekun", "value": "weekly"}, "monthly:日 或 quarterly:日"),
        ({"parameter": "fund.dibao", "value": "nosuchfund"}, "没有定义资金分担比例"),
    ],
)
def test_a_bad_edit_is_refused_with_the_reason_and_nothing_written(client, users, county_dir, changes, reason):
    response = login(client, "admin").post(URL, edit(**changes))
    html = response.content.decode()
    assert response.status_code == 400 and reason in visible(html), visible(html)[-2000:]
    assert str(county_dir) not in html
    assert not list(county_dir.glob("*.yaml")) and not AuditEntry.objects.exists()
    assert parameter("dibao.standard.rural", COUNTY, dt.date(2025, 3, 1)).value == 640


def test_a_second_edit_goes_to_the_same_file(client, users, county_dir):
    login(client, "admin").post(URL, edit())
    before = (county_dir / "140521.yaml").read_text(encoding="utf-8")
    response = client.post(URL, edit(start="2025-03-01", value="710", ref="另一个文号"))
    assert response.status_code == 400 and "日期重叠" in visible(response.content.decode())
    assert (county_dir / "140521.yaml").read_text(encoding="utf-8") == before
    assert client.post(URL, edit(parameter="schedule.tekun", value="monthly:15", start="2025-04-01")).status_code == 302
    assert parameter("schedule.tekun", COUNTY, dt.date(2025, 4, 1)).value == "monthly:15"
    assert AuditEntry.objects.filter(entity="parameter").count() == 2


def test_a_county_without_its_own_parameters_is_told_so(client, users, county_dir):
    Region.objects.create(code="140522", name="阳城县", level="county", parent_id="1405")
    user_create(username="admin2", password="pass-admin2", role=Role.COUNTY_ADMIN, region_code="140522")
    text = visible(login(client, "admin2").get(URL).content.decode())
    assert "本县未配置参数，使用晋城市（1405）的参数" in text and "1405.yaml" in text
    response = client.post(URL, edit(region="140522", parameter="dibao.standard.urban", value="800"))
    assert response.status_code == 302
    data = yaml.safe_load((county_dir / "140522.yaml").read_text(encoding="utf-8"))
    assert data["region"] == "140522" and data["name"] == "阳城县" and list(data["parameters"]) == ["dibao.standard.urban"]
    assert "未配置参数" not in visible(client.get(URL).content.decode())


def test_the_assess_page_decides_on_the_county_folder(client, users, county_dir):
    from doudi.assessment.tests.test_views_assess import form_data

    (county_dir / "140521.yaml").write_text(
        'region: "140521"\nparameters:\n  dibao.standard.rural:\n    unit: yuan\n'
        '    values: [{from: 2024-01-01, value: 700, ref: "沁民发〔2025〕1号"}]\n',
        encoding="utf-8",
    )
    html = login(client, "clerk_a").post("/assessment/", form_data()).content.decode()
    granted = html[html.index('id="granted"') : html.index('id="refused"')]
    assert ">550<" in granted  # 700 − 150


def test_every_value_in_force_reads_back_from_its_edit_text():
    from doudi.assessment import parameter_text
    from doudi.rules.parameters import coerce, load_tree
    from doudi.rules.policy import Policy
    from doudi.rules.schema import spec_for

    for county in ("140521", "500240"):
        for entry, _file in Policy(county[:2], load_tree()).in_force(county, dt.date(2025, 1, 1)):
            spec = spec_for(entry.name)
            text = parameter_text.input_text(spec, entry.value)
            assert coerce(parameter_text.parse(spec, text), spec, "页面", entry.name) == entry.value, (entry.name, text)
    spec = spec_for("fund_shares.assistance")
    assert parameter_text.parse(spec, "省级：0.6，县级: 0.4") == {"province": 0.6, "county": 0.4}
    assert parameter_text.parse(spec_for("schedule.tekun"), "按月15日") == "monthly:15"
    assert parameter_text.parse(spec_for("price_subsidy.deadline"), "10个工作日") == "working_days:10"
    assert parameter_text.parse(spec_for("dibao_single.serious_illness"), "否") is False


def test_the_banner_tag_for_pages_that_decide_or_pay():
    from django.template import Context, Template

    page = Template("{% load policy_notice %}{% policy_notice code %}")
    assert page.render(Context({"code": "140521100201"})) == ""
    banner = page.render(Context({"code": "140522100"}))
    assert 'class="msg warning policy-notice"' in banner and "本县未配置参数，使用晋城市（1405）的参数" in banner
    assert page.render(Context({"code": None})) == ""


def test_a_broken_county_file_is_reported_and_the_previous_values_stay(client, users, county_dir):
    path = county_dir / "140521.yaml"
    path.write_text(
        'region: "140521"\nparameters:\n  dibao.standard.rural:\n    unit: yuan\n'
        '    values: [{from: 2024-01-01, value: 700, ref: "沁民发〔2025〕1号"}]\n',
        encoding="utf-8",
    )
    assert "沁民发〔2025〕1号" in visible(login(client, "admin").get(URL).content.decode())
    path.write_text(path.read_text(encoding="utf-8").replace("unit: yuan", "unit: yuanx"), encoding="utf-8")
    html = client.get(URL).content.decode()
    text = visible(html)
    assert "参数文件有错误，未生效" in text and "140521.yaml" in text and "单位应为 yuan" in text
    assert "沁民发〔2025〕1号" in text and str(county_dir) not in html
    response = client.post(URL, edit())
    assert response.status_code == 400 and str(county_dir) not in response.content.decode()
    assert "yuanx" in path.read_text(encoding="utf-8")
