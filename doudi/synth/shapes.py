"""Household shapes: who lives together, how old they are, which category the household
is in. Low-income households are small and old: many elderly living alone or as a couple,
some 留守 grandparents raising grandchildren, some families with a disabled or sick member.
"""

from __future__ import annotations

import random

from doudi.synth.people import Person, pick

# Shape weights per household; the mean size comes out near 2.1 persons.
_SHAPES = (
    ("solo_elder", 30),
    ("solo_adult", 9),
    ("elder_couple", 12),
    ("elder_with_child", 7),
    ("couple_kids", 12),
    ("single_parent", 7),
    ("three_gen", 7),
    ("skipped_gen", 7),
    ("adult_with_parent", 8),
    ("siblings", 3),
    ("other", 1),
)
SHAPES = tuple(name for name, weight in _SHAPES for _ in range(weight))
# Chance the household's members are 特困 (only shapes without a capable supporter).
TEKUN_ODDS = {"solo_elder": 0.30, "solo_adult": 0.30, "elder_couple": 0.15, "siblings": 0.25}
# Household category of everyone else, by person count roughly 低保 64 %, 边缘 12 %, 低收入 24 %.
_OTHER_CATEGORIES = tuple(["dibao"] * 64 + ["dibao_edge"] * 12 + ["low_income"] * 24)


def elder_age(rng: random.Random) -> int:
    """60–98, most around 70 (mean ≈ 75); one in a thousand is a centenarian."""
    if rng.random() < 0.001:
        return 100 + int(rng.random() * 4)
    return 60 + int(rng.triangular(0, 38, 8))


def adult_age(rng: random.Random, low: int = 18, high: int = 59) -> int:
    """Working age, skewed older: the young have mostly left to work in cities."""
    return int(rng.triangular(low, high + 1, high))


def _opposite(sex: str) -> str:
    return "F" if sex == "M" else "M"


def _spouse(rng: random.Random, head: Person) -> Person:
    # Husbands are usually a little older than wives.
    gap = int(rng.triangular(-2, 8, 2))
    age = head.age - gap if head.sex == "M" else head.age + gap
    return Person("spouse", max(18, age), _opposite(head.sex))


def _children(rng: random.Random, parent_age: int, count: int, relation: str = "child") -> list[Person]:
    """Children of a parent of `parent_age` (born when the parent was 20–38)."""
    kids = []
    for _ in range(count):
        age = parent_age - int(rng.triangular(20, 38, 26))
        if age < 0:  # a young parent: any age the parent could have had a child at
            age = int(rng.random() * max(1, parent_age - 19))
        kids.append(Person(relation, max(0, age), "M" if rng.random() < 0.52 else "F"))
    return kids


def _parents(rng: random.Random, head_age: int) -> list[Person]:
    """One or both of the head's parents (widowed mothers are the commonest case)."""
    age = head_age + int(rng.triangular(20, 38, 26))
    roll = rng.random()
    if roll < 0.55:
        return [Person("parent", age, "F")]
    if roll < 0.75:
        return [Person("parent", age + 2, "M")]
    return [Person("parent", age + 2, "M"), Person("parent", age, "F")]


def _head(rng: random.Random, age: int, male_odds: float = 0.6) -> Person:
    return Person("head", age, "M" if rng.random() < male_odds else "F")


def skeleton(rng: random.Random, shape: str) -> list[Person]:
    """Members of a household of this shape, head first, with relation, age and sex."""
    if shape == "solo_elder":  # widows outnumber widowers
        return [_head(rng, elder_age(rng), 0.42)]
    if shape == "solo_adult":
        return [_head(rng, adult_age(rng, 25), 0.65)]
    if shape == "elder_couple":
        head = _head(rng, elder_age(rng), 0.92)
        return [head, _spouse(rng, head)]
    if shape == "elder_with_child":  # an old parent with an unmarried (often disabled) child
        head = _head(rng, elder_age(rng), 0.5)
        return [head] + _children(rng, head.age, 1)
    if shape in ("couple_kids", "single_parent"):
        head = _head(rng, adult_age(rng, 25, 55), 0.85 if shape == "couple_kids" else 0.35)
        kids = _children(rng, head.age, 1 + (rng.random() < 0.45) + (rng.random() < 0.1))
        return [head] + ([_spouse(rng, head)] if shape == "couple_kids" else []) + kids
    if shape == "three_gen":
        head = _head(rng, adult_age(rng, 35, 59), 0.85)
        kids = _children(rng, head.age, 1 + (rng.random() < 0.4))
        return [head, _spouse(rng, head)] + _parents(rng, head.age) + kids
    if shape == "skipped_gen":  # grandparents raising grandchildren whose parents are away or gone
        head = _head(rng, elder_age(rng), 0.7)
        spouse = [_spouse(rng, head)] if rng.random() < 0.55 else []
        grandkids = _children(rng, head.age - 26, 1 + (rng.random() < 0.35), "grandchild")
        return [head] + spouse + grandkids
    if shape == "adult_with_parent":
        head = _head(rng, adult_age(rng, 30, 59), 0.6)
        return [head] + _parents(rng, head.age)[:2]
    if shape == "siblings":
        head = _head(rng, elder_age(rng) if rng.random() < 0.6 else adult_age(rng, 40), 0.7)
        return [head, Person("sibling", max(18, head.age + int(rng.triangular(-8, 8, 0))), pick_sex(rng))]
    head = _head(rng, adult_age(rng, 40), 0.5)  # "other": e.g. a nephew caring for an aunt
    return [head, Person("other", elder_age(rng), pick_sex(rng))]


def pick_sex(rng: random.Random) -> str:
    return "M" if rng.random() < 0.5 else "F"


def trim(members: list[Person], size: int) -> list[Person]:
    """At most `size` members, head kept: used for the last household of a village so
    the number of persons matches the target exactly."""
    return members[: max(1, size)]


def choose_shape(rng: random.Random) -> str:
    return pick(rng, SHAPES)


def choose_category(rng: random.Random, shape: str, members: list[Person]) -> str:
    """'tekun' (every member 特困) or the household category dibao / dibao_edge / low_income.
    特困 needs no labour capacity: here everyone is 60+, or the single adult is severely
    disabled (the caller makes sure of that)."""
    odds = TEKUN_ODDS.get(shape, 0.0)
    if odds and rng.random() < odds and (shape == "solo_adult" or all(m.age >= 60 for m in members)):
        return "tekun"
    return pick(rng, _OTHER_CATEGORIES)
