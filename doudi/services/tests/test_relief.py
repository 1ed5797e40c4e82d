"""Disaster relief (issue 17 item 5): an event, its affected households from the register and new,
the list import (GB18030, refused rows named, nothing written), rent aid, the referral to 临时救助,
the not-yet-home list; and the done-when: the households paid through a bank file before the
festival deadline — built, checked and approved by different people, the bank file written, the
bank's return applied."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, person_id
from doudi.core.tabular.errors import ImportRejected
from doudi.payments import bankfiles
from doudi.payments.models import PaymentLine
from doudi.payments.workflow import run_transition
from doudi.services import relief, relief_import, relief_pay
from doudi.services import selectors_relief as sel
from doudi.services.common import ServiceError
from doudi.services.models import Affected, ReliefVisit

pytestmark = pytest.mark.django_db


def card(seed: int) -> str:
    """A 19-digit account with a correct Luhn check digit."""
    body = f"621700{seed:012d}"
    total = 0
    for i, digit in enumerate(reversed(body)):
        d = int(digit) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


@pytest.fixture
def event(users):
    return relief.disaster_create(
        user=users["staff"],
        data={
            "name": "2026年11月低温雨雪冰冻灾害",
            "kind": "freeze",
            "on": "2026-11-20",
            "level": "4",
            "due": "2027-02-05",
            "areas": [TOWNSHIP_A, VILLAGE_B1],
            "description": "持续低温冰冻，部分房屋倒塌",
        },
    )


def new_household(**changes):
    data = {
        "name": "赵受灾",
        "id_number": person_id(COUNTY, "19700101", 31),
        "village": VILLAGE_A2,
        "phone": "13800000031",
        "bank_name": "农村信用社",
        "bank_account": card(31),
        "persons": "3",
        "house": "collapsed",
        "crop_loss": "1200",
        "placement": "away",
        "placement_note": "投亲靠友",
        "needs": ["food", "heating"],
        "relief_amount": "1500",
    }
    data.update(changes)
    return data


def test_event_and_households_from_register_and_new(users, people, event):
    clerk = users["clerk_a"]
    people["a"].bank_account = card(1)
    people["a"].save()
    from_register = relief.affected_add(
        user=clerk, disaster=event, data={"register": "S001", "house": "severe", "relief_amount": "800"}
    )
    assert from_register.household.code == "S001" and from_register.name == "刘老汉"
    assert from_register.bank_account == card(1) and from_register.persons == 1
    fresh = relief.affected_add(user=clerk, disaster=event, data=new_household())
    assert fresh.household is None and fresh.needs == ["food", "heating"] and fresh.losses == Decimal("1200.00")
    # the county sees both; another township's clerk sees neither household but the event (its village is an area)
    assert sel.affected_for(users["staff"]).count() == 2
    assert sel.affected_for(users["clerk_b"]).count() == 0
    assert sel.disasters_for(users["clerk_b"]).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id_number": person_id(COUNTY, "19700101", 31)[:17] + "Y"}, "身份证号无效"),
        ({"id_number": "14052119700101"}, "身份证号无效"),
        ({"village": "140521100999"}, "未知的村"),
        ({"village": VILLAGE_B1}, "不在您的管辖范围内"),
        ({"bank_account": "=HYPERLINK(1)"}, "银行账号不能以 ="),
        ({"bank_account": "@6217000000000000"}, "银行账号不能以 ="),
        ({"bank_account": "621700\n0000000001"}, "控制字符"),
        ({"bank_account": "6217000000000000001"}, "校验不通过"),
        ({"crop_loss": "-5"}, "应为 0 或正数"),
        ({"needs": ["wifi"]}, "生活需求"),
    ],
)
def test_bad_input_refused_nothing_written(users, event, changes, message):
    with pytest.raises(ServiceError, match=message):
        relief.affected_add(user=users["clerk_a"], disaster=event, data=new_household(**changes))
    assert not Affected.objects.exists()


def test_household_twice_and_outside_area_refused(users, people, event):
    relief.affected_add(user=users["clerk_a"], disaster=event, data={"register": "S001"})
    with pytest.raises(ServiceError, match="不能重复登记"):
        relief.affected_add(user=users["clerk_a"], disaster=event, data={"register": people["a"].id_number})
    outside = relief.disaster_create(
        user=users["staff"],
        data={"name": "火灾", "kind": "fire", "on": "2026-11-25", "level": "none", "due": "2027-02-05", "areas": [VILLAGE_B1]},
    )
    with pytest.raises(ServiceError, match="不在本次灾害的受灾区域内"):
        relief.affected_add(user=users["staff"], disaster=outside, data=new_household())
    assert Affected.objects.count() == 1


def test_only_county_declares_and_area_in_scope(users):
    data = {"name": "洪涝", "kind": "flood", "on": "2026-11-01", "level": "none", "due": "2027-02-05", "areas": [TOWNSHIP_A]}
    with pytest.raises(ServiceError):
        relief.disaster_create(user=users["clerk_a"], data=data)
    with pytest.raises(ServiceError, match="未知的受灾区域"):
        relief.disaster_create(user=users["staff"], data={**data, "areas": ["999999100"]})
    with pytest.raises(ServiceError, match="春节"):
        relief.disaster_create(user=users["staff"], data={**data, "due": ""})  # 2027's festival is not in the calendar yet


def _csv(rows, encoding="gb18030") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "户主姓名",
            "身份证号",
            "村（社区）代码",
            "银行账号",
            "受灾人数",
            "房屋损失",
            "安置情况",
            "生活需求",
            "核定救助金额（元）",
        ]
    )
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def test_import_gb18030_all_or_nothing(users, event, tmp_path):
    good = [
        ["钱一", person_id(COUNTY, "19600101", 41), VILLAGE_A1, card(41), "2", "倒塌", "在外安置", "口粮、取暖", "1000"],
        ["孙二", person_id(COUNTY, "19600101", 42), VILLAGE_A2, card(42), "4", "一般损坏", "已返家", "衣被", "600"],
    ]
    bad = good + [
        ["李三", person_id(COUNTY, "19600101", 43), VILLAGE_B1, card(43), "1", "", "", "", "500"],
        ["周四", "110101199003077777", VILLAGE_A1, "", "1", "", "", "", "500"],
        ["钱一", person_id(COUNTY, "19600101", 41), VILLAGE_A1, card(41), "2", "", "", "", "1000"],
    ]
    path = tmp_path / "名单.csv"
    path.write_bytes(_csv(bad))
    with pytest.raises(ImportRejected) as refused:
        relief_import.affected_import(user=users["clerk_a"], disaster=event, path=path)
    text = "；".join(map(str, refused.value.errors))
    assert "第4行" in text and "李三" in text and "不在您的管辖范围内" in text
    assert "第5行" in text and "身份证号无效" in text
    assert "第6行" in text and "与第2行是同一户" in text
    assert not Affected.objects.exists()
    path.write_bytes(_csv(good))
    assert relief_import.affected_import(user=users["clerk_a"], disaster=event, path=path) == 2
    first = Affected.objects.get(name="钱一")
    assert first.house == "collapsed" and first.placement == "away" and first.needs == ["food", "heating"]


def _pay_through_bank(users, run, tmp_path, failed=()):
    run_transition(run=run, action="check", user=users["staff2"])
    run_transition(run=run, action="approve", user=users["finance"])
    bankfiles.bank_send(run=run, user=users["staff"])
    target = tmp_path / "send.csv"
    bankfiles.bank_file(run=run, layout="generic", target=target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    answer = io.StringIO()
    writer = csv.writer(answer)
    writer.writerow(["流水号", "处理结果", "失败原因"])
    for row in rows:
        bad = any(row["身份证号"] == n for n in failed)
        writer.writerow([row["流水号"], "失败" if bad else "成功", "账户已销户" if bad else ""])
    bankfiles.return_import(
        run=run, layout="generic", name="回盘.csv", content=answer.getvalue().encode("utf-8-sig"), user=users["staff"]
    )
    run.refresh_from_db()
    return rows


def test_paid_through_bank_file_before_the_festival(users, people, event, tmp_path):
    """Done when (#17): a disaster event's households are paid through a bank file before the festival deadline."""
    clerk = users["clerk_a"]
    a = relief.affected_add(user=clerk, disaster=event, data=new_household())
    b = relief.affected_add(
        user=clerk,
        disaster=event,
        data=new_household(name="吴二", id_number=person_id(COUNTY, "19720101", 32), bank_account=card(32), house="general"),
    )
    relief.rent_grant(user=clerk, affected=a, data={"rent_from": "2026-12", "rent_to": "2027-05"})
    a.refresh_from_db()
    assert a.rent_monthly == Decimal("300")
    with pytest.raises(ServiceError, match="房屋倒塌"):
        relief.rent_grant(user=clerk, affected=b, data={"rent_from": "2026-12", "rent_to": "2027-01"})
    with pytest.raises(ServiceError):  # a township clerk does not build payroll runs
        relief_pay.relief_run_build(user=clerk, disaster=event, data={"period": "2026-12"})
    run, missing = relief_pay.relief_run_build(user=users["staff"], disaster=event, data={"period": "2026-12"})
    assert missing == 0 and run.kind == "relief" and run.due == dt.date(2027, 2, 5)
    assert run.holders == 2 and run.amount == Decimal("3300.00")  # 1500 + 1500 + one rent month of 300
    with pytest.raises(Exception, match="经办与审核分离|不能"):
        run_transition(run=run, action="check", user=users["staff"])  # the builder cannot check it
    rows = _pay_through_bank(users, run, tmp_path)
    assert run.state == "reconciled" and len(rows) == 2
    assert {r["发放项目"] for r in rows} == {"救灾资金发放（2026年11月低温雨雪冰冻灾害）"}
    assert not PaymentLine.objects.filter(run=run).exclude(status="paid").exists()
    progress = relief_pay.relief_progress(event, dt.date(2026, 12, 20))
    assert progress == {**progress, "owed": 2, "paid": 2, "late": False}
    # paying a household twice for the same event: refused (the amount is fixed, nothing new to pay this month)
    with pytest.raises(ServiceError, match="不能再修改核定金额"):
        relief.affected_update(user=clerk, affected=a, data={"relief_amount": "3000", "placement": "away"})
    with pytest.raises(ServiceError, match="不能重新生成"):
        relief_pay.relief_run_build(user=users["staff"], disaster=event, data={"period": "2026-12"})
    january, _ = relief_pay.relief_run_build(user=users["staff"], disaster=event, data={"period": "2027-01"})
    assert january.amount == Decimal("300.00") and january.holders == 1  # only the next rent month
    figures = sel.relief_figures(COUNTY, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert figures == [
        {
            "disaster": event.pk,
            "name": event.name,
            "township": TOWNSHIP_A,
            "township_name": "龙港镇",
            "households": 2,
            "person_times": 6,
            "amount": Decimal("3300.00"),
            "rent_amount": Decimal("300.00"),
        }
    ]
    assert sel.relief_figures(TOWNSHIP_B, dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == []


def test_failed_line_paid_again_next_run_and_late_shown(users, event, tmp_path):
    a = relief.affected_add(user=users["clerk_a"], disaster=event, data=new_household(house="general"))
    run, _ = relief_pay.relief_run_build(user=users["staff"], disaster=event, data={"period": "2026-12"})
    _pay_through_bank(users, run, tmp_path, failed=[a.id_number])
    assert relief_pay.holder_status(event)[a.id_number]["relief"] == "failed"
    assert relief_pay.relief_progress(event, dt.date(2027, 2, 6))["late"] is True
    again, _ = relief_pay.relief_run_build(user=users["staff"], disaster=event, data={"period": "2027-01"})
    line = PaymentLine.objects.get(run=again)
    assert line.amount == Decimal("1500.00") and line.reissue_of is not None


def test_referral_to_temp_assist_and_visits(users, people, event):
    clerk = users["clerk_a"]
    a = relief.affected_add(user=clerk, disaster=event, data=new_household())
    case = relief.affected_refer(user=clerk, affected=a, data={"reason": "房屋倒塌，救灾资金不足以维持基本生活"})
    a.refresh_from_db()
    assert a.case == case and case.category == "temp_assist" and case.temp.cause == "disaster"
    with pytest.raises(ServiceError, match="已转入临时救助"):
        relief.affected_refer(user=clerk, affected=a, data={"reason": "再次"})
    today = timezone.localdate()
    rows = sel.away_list(users["staff"], today=today)
    assert [r["a"].pk for r in rows] == [a.pk] and rows[0]["last"] is None
    assert rows[0]["overdue"] == ((today - event.on).days > 30)
    relief.visit_record(user=clerk, affected=a, data={"on": today.isoformat(), "note": "借住亲戚家，缺取暖煤"})
    rows = sel.away_list(users["staff"], today=today)
    assert rows[0]["last"] == today and rows[0]["overdue"] is False
    with pytest.raises(ServiceError):
        relief.visit_record(user=users["clerk_b"], affected=a, data={"on": today.isoformat(), "note": "x"})
    assert ReliefVisit.objects.count() == 1


def test_import_xlsx_with_register_household(users, people, event, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["户主姓名", "身份证号", "台账户编号", "村(社区)代码", "银行账号", "房屋损失", "核定救助金额(元)"])
    sheet.append(["", "", "S001", "", card(51), "严重损坏", 800])
    sheet.append(["郑五", person_id(COUNTY, "19610101", 52), "", VILLAGE_A1, card(52), "", 500])
    path = tmp_path / "名单.xlsx"
    book.save(path)
    assert relief_import.affected_import(user=users["clerk_a"], disaster=event, path=path) == 2
    linked = Affected.objects.get(household__code="S001")
    assert linked.name == "刘老汉" and linked.bank_account == card(51) and linked.relief_amount == Decimal("800.00")
