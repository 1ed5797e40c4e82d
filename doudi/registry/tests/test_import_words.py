"""A generated county written two ways imports to the same register: once with the interface codes (docs/interfaces.md)
codes and the full headers in UTF-8, once with Chinese words (some as other registers
spell them), the short headers and GB18030, as Excel in China saves it; its regions file
too (上级代码)."""

import csv

from django.db import transaction

from doudi.core import codes
from doudi.core.services import regions_load
from doudi.registry.models import Benefit, Household, Person
from doudi.registry.services import registry_import
from doudi.synth import county_regions, generate, write_regions_csv, write_registry_csv

# Column → the code table its Chinese words come from.
CODED = {
    "户籍性质(城镇/农村)": codes.HUKOU,
    "与户主关系": codes.RELATIONS,
    "残疾类别": codes.DISABILITY_KINDS,
    "自理能力": codes.SELF_CARE,
    "在校阶段": codes.SCHOOL_STAGES,
    "保障类别": codes.CATEGORY_SHORT,
    "供养方式(分散/集中)": codes.SUPPORT_MODES,
}
YES_NO = {"是否重病", "是否就业", "有履行能力的法定义务人(是/否)"}
SHORT = {
    "户籍性质(城镇/农村)": "户籍性质",
    "有履行能力的法定义务人(是/否)": "有履行能力的法定义务人",
    "身份证号(个人类别填写)": "身份证号",
    "供养方式(分散/集中)": "供养方式",
}
# Words other registers use, so the second file is not just the labels again.
OTHER_WORDS = {
    "残疾类别": lambda w: f"{w}残疾" if w else w,
    "与户主关系": lambda w: {"户主": "本人", "配偶": "妻子"}.get(w, w),
    "保障类别": lambda w: {"低保": "农村低保", "特困": "特困供养人员"}.get(w, w),
    "供养方式(分散/集中)": lambda w: f"{w}供养" if w else w,
}


def _table(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path, rows, encoding):
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)


def _coded(header: str, cell: str) -> str:
    if header in CODED and cell:
        return next(code for code, label in CODED[header].items() if label == cell)
    if header == "残疾等级" and cell:
        return str(codes.disability_level(cell))
    if header in YES_NO:
        return {"是": "true", "否": "false"}[cell]
    return cell


def _variants(tmp_path):
    regions = county_regions(3)
    source = tmp_path / "source"
    write_registry_csv(source, generate(3, regions, 400))
    write_regions_csv(tmp_path / "区划.csv", regions)
    coded, words = tmp_path / "coded", tmp_path / "words"
    coded.mkdir(), words.mkdir()
    for name in ("家庭", "成员", "保障"):
        header, *rows = _table(source / f"{name}.csv")
        _write(coded / f"{name}.csv", [header] + [[_coded(h, c) for h, c in zip(header, row)] for row in rows], "utf-8")
        worded = [[OTHER_WORDS.get(h, lambda w: w)(c) for h, c in zip(header, row)] for row in rows]
        _write(words / f"{name}.csv", [[SHORT.get(h, h) for h in header]] + worded, "gb18030")
    regions_rows = _table(tmp_path / "区划.csv")
    regions_rows[0] = ["区划代码", "名称", "级别", "上级代码"]
    _write(tmp_path / "区划-gbk.csv", regions_rows, "gb18030")
    return (tmp_path / "区划.csv", coded), (tmp_path / "区划-gbk.csv", words)


def _snapshot() -> dict:
    households = list(
        Household.objects.order_by("code").values_list(
            "code",
            "region_id",
            "hukou",
            "address",
            "financial_assets",
            "vehicle_count",
            "vehicle_value",
            "property_count",
            "business_count",
            "medical_expense_12m",
            "education_expense_12m",
        )
    )
    persons = list(
        Person.objects.order_by("id_number").values_list(
            "id_number",
            "name",
            "sex",
            "birth_date",
            "household__code",
            "relation",
            "disability_kind",
            "disability_level",
            "serious_illness",
            "self_care",
            "employed",
            "school_stage",
            "income_wage",
            "income_business",
            "income_property",
            "income_transfer",
            "income_exempt",
            "capable_supporter",
            "phone",
            "bank_name",
            "bank_account",
        )
    )
    benefits = sorted(
        Benefit.objects.values_list(
            "household__code",
            "person_key",
            "person__id_number",
            "category",
            "since",
            "until",
            "monthly_amount",
            "support_mode",
            "institution",
        )
    )
    return {"households": households, "persons": persons, "benefits": benefits}


def _import_fresh(regions_file, folder) -> tuple[dict, dict]:
    """Imports into an empty register and rolls it back: each variant starts fresh."""
    with transaction.atomic():
        regions_load(path=regions_file)
        summary = registry_import(paths=[folder])
        snapshot = _snapshot()
        transaction.set_rollback(True)
    assert Household.objects.count() == 0
    return summary, snapshot


def test_county_in_chinese_words_short_headers_and_gb18030_imports_like_the_coded_one(db, tmp_path):
    coded, words = _variants(tmp_path)
    assert (words[1] / "成员.csv").read_bytes().decode("gb18030").startswith("户编号,姓名,身份证号")
    coded_summary, coded_snapshot = _import_fresh(*coded)
    words_summary, words_snapshot = _import_fresh(*words)
    assert coded_summary["persons_new"] == 400 and coded_summary["benefits_new"] > 100
    same = lambda summary: {k: v for k, v in summary.items() if k not in ("batch", "encoding_note")}  # noqa: E731
    assert same(words_summary) == same(coded_summary) and "GB18030" in words_summary["encoding_note"]
    for table in ("households", "persons", "benefits"):
        assert words_snapshot[table] == coded_snapshot[table], table
    categories = {b[3] for b in coded_snapshot["benefits"]}
    assert {"dibao", "tekun", "low_income"} <= categories
    assert {p[6] for p in coded_snapshot["persons"]} > {""}  # some disabled members: the words were exercised
