"""A household entered new at an application (not through an import): created in the register
when its case is confirmed (doudi.cases, 审核确认), each member a Person, audited like every
other register write (AuditEntry, the household's change log).

The household code is `N` + the village code + a sequence within the village (N140521100201-0001),
so it never meets the codes an import brings (those come from the county's own system).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from doudi.core import codes, idnumber, pinyin
from doudi.core.models import AuditEntry, Region
from doudi.registry.models import Household, Person


class NewHouseholdRefused(ValueError):
    """Bad data for a new household; the message is for the user (Chinese)."""


def _members(members: list[dict]) -> list[dict]:
    out, seen = [], set()
    for n, raw in enumerate(members, start=1):
        name = str(raw.get("name") or "").strip()
        number, problem = idnumber.try_normalize(str(raw.get("id_number") or ""))
        if not name or len(name) > 32:
            raise NewHouseholdRefused(f"第 {n} 位家庭成员：请填写姓名（不超过32个字）")
        if number is None:
            raise NewHouseholdRefused(f"第 {n} 位家庭成员 {name}：身份证号无效（{problem}）")
        if number in seen:
            raise NewHouseholdRefused(f"家庭成员 {name} 的身份证号重复填写")
        relation = str(raw.get("relation") or "other").strip()
        if relation not in codes.RELATIONS:
            raise NewHouseholdRefused(f"家庭成员 {name}：与户主关系应为 {'、'.join(codes.RELATIONS.values())} 之一")
        seen.add(number)
        out.append({"name": name, "id_number": number, "relation": relation})
    if not out:
        raise NewHouseholdRefused("新建家庭至少须有申请人本人")
    if sum(m["relation"] == "head" for m in out) != 1:
        raise NewHouseholdRefused("新建家庭须有且只有一位户主")
    return out


def _next_code(village: str) -> str:
    prefix = f"N{village}-"
    last = Household.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def household_create(*, village: str, hukou: str, members: list[dict], reason: str, user, address: str = "") -> Household:
    """Creates the household and its members (the first with relation "head" is the head);
    NewHouseholdRefused for bad data or a member already in the register, nothing written."""
    if not reason.strip():
        raise NewHouseholdRefused("新建家庭必须写明依据")
    region = Region.objects.filter(code=village, level=Region.Level.VILLAGE).first()
    if region is None:
        raise NewHouseholdRefused(f"未知的村（居）区划代码：{village}")
    if hukou not in codes.HUKOU:
        raise NewHouseholdRefused("请选择新建家庭的户籍性质（城镇或农村）")
    people = _members(members)
    known = list(Person.objects.filter(id_number__in=[m["id_number"] for m in people]).values_list("name", flat=True))
    if known:
        raise NewHouseholdRefused(f"{'、'.join(known)} 已在台账中，请按台账家庭办理，不能重复建档")
    for attempt in range(3):
        try:
            with transaction.atomic():
                household = Household.objects.create(
                    code=_next_code(village), region=region, hukou=hukou, address=address.strip()[:200]
                )
                Person.objects.bulk_create(
                    [
                        Person(
                            household=household,
                            id_number=m["id_number"],
                            name=m["name"],
                            name_initials=pinyin.initials(m["name"]),
                            sex=idnumber.facts(m["id_number"]).sex,
                            birth_date=idnumber.facts(m["id_number"]).birth_date,
                            relation=m["relation"],
                        )
                        for m in people
                    ]
                )
                AuditEntry.objects.create(
                    user=user if getattr(user, "pk", None) else None,
                    role=getattr(user, "role", ""),
                    action="create",
                    entity="household",
                    entity_key=household.code,
                    household_code=household.code,
                    changes={
                        "region": [None, village],
                        "hukou": [None, hukou],
                        # "name" (姓名) on the household's change log: every member with their relation.
                        "name": [None, "、".join(f"{m['name']}（{codes.RELATIONS[m['relation']]}）" for m in people)],
                    },
                    reason=reason[:200],
                )
                return household
        except IntegrityError:
            if attempt == 2 or Person.objects.filter(id_number__in=[m["id_number"] for m in people]).exists():
                raise NewHouseholdRefused("家庭成员已由他人同时建档，请刷新后按台账家庭办理") from None
    raise NewHouseholdRefused("新建家庭未能完成，请重试")  # pragma: no cover
