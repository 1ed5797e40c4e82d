"""Chinese personal names, drawn fast from pools built once.

Why pools: Faker builds each name through several layers of indirection; at 1.6 million
persons that alone would take minutes. Here surnames come from Faker's zh_CN frequency
table (a public statistic) turned into a flat lookup array, and given names from our own
lists by birth cohort, because a woman born in 1940 is 秀英 or 桂兰 while one born in
2015 is 梓涵 — the register is elderly-heavy and should read like it.
"""

from __future__ import annotations

import itertools
import random
from functools import lru_cache

# Surnames particularly common in Shanxi get a bump over the national table.
_SHANXI_BOOST = {
    "王": 1.3,
    "李": 1.1,
    "张": 1.1,
    "郭": 2.2,
    "赵": 1.4,
    "杨": 1.2,
    "贾": 2.5,
    "韩": 1.6,
    "武": 3.0,
    "段": 2.5,
    "牛": 3.0,
    "卫": 3.0,
    "申": 3.0,
    "常": 2.0,
    "秦": 1.5,
    "范": 1.6,
}
_TABLE_SIZE = 20_000

# Given names by cohort (born before 1960, 1960–1979, 1980–1999, 2000 on) and sex. Whole
# names where a generation used set names, characters to combine where it did not.
_WHOLE = {
    ("old", "F"): "秀英 桂兰 玉兰 秀兰 凤英 桂英 玉梅 秀珍 淑珍 兰英 翠花 桂花 金花 玉珍 凤兰 秀梅 "
    "春花 荷花 改英 爱英 引弟 巧云 素珍 月娥 银花 彩霞 二女 梅香 拴妮 存花",
    ("old", "M"): "建国 国华 福贵 有才 满仓 根生 铁柱 拴柱 保国 振华 德胜 文华 志刚 永福 树林 "
    "长青 金锁 福生 来福 双喜 天顺 海旺 富贵 全福 宝山 有福 得胜 三虎 二虎 四海",
    ("mid", "F"): "丽华 红梅 秀芳 海燕 建英 晓红 爱华 丽萍 红霞 卫红 俊英 美玲 彩云 翠萍 "
    "艳芳 雪梅 慧敏 淑英 春梅 小红 亚琴 丽娟 玉霞 建萍 晋花 林香",
    ("mid", "M"): "建军 卫东 红军 国强 建平 志强 永红 海军 建华 晋生 文斌 忠义 宏伟 小平 "
    "建伟 向东 跃进 国庆 利民 振国 保平 红兵 满堂 双全 晋军 永平",
    ("young", "F"): "婷婷 丹丹 晓燕 佳佳 丽娜 雪娇 欢欢 文静 莉莉 倩倩 婷 敏 静 娜 丽 艳 芳 燕 霞 娟 "
    "晶晶 亚楠 瑞芳 晓丽 红艳 媛媛 晋芳 雅琴",
    ("young", "M"): "伟 强 磊 军 勇 杰 涛 斌 超 鹏 浩 刚 亮 峰 晓东 志伟 建伟 文博 俊杰 晓峰 鹏飞 "
    "海涛 晓龙 宇航 晋鹏 少华 立军 瑞军",
    ("kid", "F"): "梓涵 欣怡 子涵 诗涵 雨涵 一诺 语汐 若汐 可馨 欣悦 梓萱 思琪 佳怡 雨桐 "
    "沐晴 依诺 紫萱 美琪 雅琪 芷若 心怡 梦琪 嘉怡 语桐 安琪 诗雨",
    ("kid", "M"): "浩然 梓轩 宇轩 子轩 皓轩 俊熙 一鸣 博文 子墨 沐阳 宇航 浩宇 铭轩 睿泽 "
    "梓豪 俊宇 嘉懿 煜祺 天佑 子豪 奕辰 思远 晨阳 亦凡 宇泽 梓睿",
}
_FIRST = {
    "old": {"F": "秀玉桂凤金银翠兰春冬巧素", "M": "福德永金宝有长树天文国志"},
    "mid": {"F": "丽红美爱建晓亚俊彩春翠海", "M": "建卫红国志永海文宏晓振利"},
    "young": {"F": "晓佳雅丽文婷欣静倩红雪慧", "M": "志晓俊鹏文浩宇海少立伟建"},
    "kid": {"F": "梓欣子诗雨可思佳语紫嘉一", "M": "浩梓宇子俊博睿嘉铭天奕思"},
}
_SECOND = {
    "old": {"F": "英兰珍花梅香娥凤云", "M": "贵才生林福山顺旺成"},
    "mid": {"F": "华梅芳燕萍霞英玲琴", "M": "军东强平华斌伟明义"},
    "young": {"F": "娜婷燕丽娟芳敏静洁", "M": "伟强杰鹏涛磊超斌龙"},
    "kid": {"F": "涵怡萱琪桐诺馨悦彤", "M": "轩然航辰泽宇睿豪阳"},
}


def cohort(birth_year: int) -> str:
    if birth_year < 1960:
        return "old"
    if birth_year < 1980:
        return "mid"
    if birth_year < 2000:
        return "young"
    return "kid"


@lru_cache(maxsize=1)
def surname_table() -> tuple[str, ...]:
    """A flat array where each surname appears in proportion to its frequency, so a draw
    is one index instead of a weighted search."""
    from faker.providers.person.zh_CN import Provider

    weights = {
        name: share * _SHANXI_BOOST.get(name, 1.0)
        for name, share in Provider.last_names.items()
        if len(name) == 1 or share >= 0.01
    }
    total = sum(weights.values())
    table: list[str] = []
    for name, weight in weights.items():  # insertion order of Faker's table: deterministic
        table += [name] * max(1, round(weight / total * _TABLE_SIZE))
    return tuple(table)


@lru_cache(maxsize=8)
def given_names(group: str, sex: str) -> tuple[str, ...]:
    """Pool of given names for a cohort and sex: the whole names (weighted double) plus
    every first × second character combination, deterministic order."""
    whole = _WHOLE[(group, sex)].split()
    combos = ["".join(pair) for pair in itertools.product(_FIRST[group][sex], _SECOND[group][sex]) if pair[0] != pair[1]]
    return tuple(whole * 2 + combos)


class NamePicker:
    """Draws names with the caller's Random so output depends on the seed alone."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.surnames = surname_table()
        self.pools = {(g, s): given_names(g, s) for g in _FIRST for s in "FM"}

    def surname(self) -> str:
        table = self.surnames
        return table[int(self.rng.random() * len(table))]

    def other_surname(self, avoid: str) -> str:
        """A spouse's surname: different from the household's (same-surname marriages
        exist but are rare enough to leave out)."""
        while True:
            name = self.surname()
            if name != avoid:
                return name

    def given(self, birth_year: int, sex: str) -> str:
        pool = self.pools[(cohort(birth_year), sex)]
        return pool[int(self.rng.random() * len(pool))]

    def full(self, surname: str, birth_year: int, sex: str) -> str:
        return surname + self.given(birth_year, sex)
