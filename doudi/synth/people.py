"""One synthetic person: ID number, health, work, school, contacts.

Shares are rough figures for China's low-income population (older, sicker and more often
disabled than the general population); they are tuned so the totals tests check come out
near the intended values, not taken from any single statistic.
"""

from __future__ import annotations

import datetime as dt
import random

from doudi.core.idnumber import with_check_digit

DAYS_PER_YEAR = 365.2425

# (kind code, weight) by age group: the elderly lose sight and hearing, the young are
# more often born with intellectual or mental disabilities.
_KINDS_OLD = (("limb", 35), ("visual", 20), ("hearing", 20), ("speech", 2), ("intellectual", 3), ("mental", 5), ("multiple", 15))
_KINDS_YOUNG = (
    ("limb", 30),
    ("visual", 8),
    ("hearing", 7),
    ("speech", 5),
    ("intellectual", 20),
    ("mental", 18),
    ("multiple", 12),
)
_LEVELS = ((1, 12), (2, 28), (3, 28), (4, 32))
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
)
# (bank, card BIN, weight): cards are 19 digits with a Luhn check digit, like real debit cards.
_BANKS = (
    ("农村信用社", "622991", 42),
    ("中国邮政储蓄银行", "621799", 20),
    ("中国农业银行", "622848", 20),
    ("中国建设银行", "621700", 7),
    ("中国工商银行", "622202", 6),
    ("中国银行", "621661", 5),
)


def _table(pairs) -> tuple:
    """Expands (value, weight) pairs into a flat tuple, drawn from with one index."""
    return tuple(value for value, weight in pairs for _ in range(weight))


KINDS_OLD, KINDS_YOUNG, LEVELS, BANKS = (
    _table(_KINDS_OLD),
    _table(_KINDS_YOUNG),
    _table(_LEVELS),
    _table((bank[:2], bank[2]) for bank in _BANKS),
)


def pick(rng: random.Random, table: tuple):
    return table[int(rng.random() * len(table))]


class Person:
    """A member while their household is being built; turned into a 成员 row at the end."""

    __slots__ = (
        "relation",
        "age",
        "sex",
        "surname",
        "name",
        "birth",
        "id_number",
        "disability_kind",
        "disability_level",
        "ill",
        "self_care",
        "employed",
        "school",
        "income",
        "supporter",
        "capable_supporter",
        "phone",
        "bank",
        "account",
    )

    def __init__(self, relation: str, age: int, sex: str):
        self.relation, self.age, self.sex = relation, age, sex
        self.surname = self.name = self.id_number = self.phone = self.bank = self.account = ""
        self.birth: dt.date | None = None
        self.disability_kind, self.disability_level = "", None
        self.ill = self.employed = self.supporter = self.capable_supporter = False
        self.self_care, self.school = "full", ""
        # Monthly income in cents: wage, business, property, transfer, exempt.
        self.income = [0, 0, 0, 0, 0]

    @property
    def severe(self) -> bool:
        """一/二级, or 三级 智力/精神: the disabilities the 特困 and 单人保 rules name."""
        level = self.disability_level
        return level is not None and (level <= 2 or (level == 3 and self.disability_kind in ("intellectual", "mental")))


class IdAllocator:
    """Hands out 18-digit ID numbers, unique by construction.

    Within one county code and birth date the 3-digit sequence of each sex is taken in
    turn from a random starting point (parity = sex, as GB 11643 says), so no number is
    issued twice and no set of issued numbers needs to be kept. Use one allocator per
    county code; the county prefix makes numbers of different counties distinct."""

    def __init__(self, county: str, rng: random.Random):
        self.county, self.rng = county, rng
        self.used: dict[int, list[int]] = {}

    def issue(self, birth: dt.date, sex: str) -> tuple[str, dt.date]:
        """(number, birth date): the date moves a day later in the (rare) case all 500
        sequence numbers of that day and sex are taken."""
        while True:
            key = birth.toordinal() * 2 + (sex == "M")
            slot = self.used.get(key)
            if slot is None:
                slot = self.used[key] = [int(self.rng.random() * 500), 0]
            if slot[1] < 500:
                break
            birth += dt.timedelta(days=1)
        sequence = 2 * ((slot[0] + slot[1]) % 500) + (sex == "M")
        slot[1] += 1
        first17 = f"{self.county}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
        return with_check_digit(first17), birth


def birth_date(rng: random.Random, as_of: dt.date, age: int) -> dt.date:
    """A birth date giving exactly `age` full years on `as_of`."""
    latest = as_of.toordinal() - int(age * DAYS_PER_YEAR) - 1
    return dt.date.fromordinal(latest - int(rng.random() * 364))


def health(rng: random.Random, person: Person, disability_odds: float) -> None:
    """Disability, serious illness and self-care, all more likely with age."""
    age = person.age
    if rng.random() < disability_odds:
        person.disability_kind = pick(rng, KINDS_OLD if age >= 60 else KINDS_YOUNG)
        person.disability_level = pick(rng, LEVELS)
    person.ill = rng.random() < (0.01 if age < 18 else 0.04 if age < 60 else 0.08)
    partial, none = (0.01, 0.005) if age < 60 else (0.08, 0.03) if age < 80 else (0.22, 0.10)
    if person.disability_level == 1:
        partial, none = 0.40, 0.30
    elif person.disability_level == 2:
        partial, none = max(partial, 0.30), max(none, 0.10)
    roll = rng.random()
    if age >= 6 and roll < none:
        person.self_care = "none"
    elif age >= 6 and roll < none + partial:
        person.self_care = "partial"


def disability_odds(age: int) -> float:
    """Chance a person of this age holds a 残疾人证 (about 8 % over the register)."""
    return 0.025 if age < 18 else 0.055 if age < 60 else 0.075 if age < 80 else 0.10


def schooling(rng: random.Random, person: Person) -> None:
    """School stage by age: nearly everyone 6–14, most 15–17, a few 18–22."""
    age = person.age
    if 3 <= age <= 5:
        person.school = "preschool" if rng.random() < 0.85 else ""
    elif 6 <= age <= 11:
        person.school = "primary"
    elif 12 <= age <= 14:
        person.school = "junior"
    elif 15 <= age <= 17:
        roll = rng.random()
        person.school = "senior" if roll < 0.6 else "vocational" if roll < 0.9 else ""
    elif 18 <= age <= 22:
        roll = rng.random()
        person.school = "college" if roll < 0.14 else "university" if roll < 0.26 else ""


def can_work(person: Person) -> bool:
    """Working age, not a student, not severely disabled or seriously ill."""
    return 18 <= person.age < 60 and not person.school and not person.ill and not person.severe


def phone(rng: random.Random, person: Person, is_head: bool) -> str:
    """An 11-digit mobile number for most adults; the very old and children have none."""
    age = person.age
    odds = 0.85 if is_head else 0.0 if age < 16 else 0.15 if age >= 80 else 0.55
    if rng.random() >= odds:
        return ""
    return pick(rng, _MOBILE_PREFIXES) + f"{int(rng.random() * 100_000_000):08d}"


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:  # doubled positions, counted from the digit left of the check
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


_ROUND_KEYS = (0x5BD1E995, 0x1B873593, 0x68E31DA4, 0x2545F491)


def _scramble(serial: int) -> int:
    """An invertible mix of 0 ≤ serial < 10^12 (a 4-round Feistel network on two 6-digit
    halves): distinct serials give distinct accounts, consecutive ones look unrelated."""
    left, right = divmod(serial, 10**6)
    for key in _ROUND_KEYS:
        left, right = right, (left + ((right ^ key) * 0x9E3779B1 >> 11)) % 10**6
    return left * 10**6 + right


def bank_card(rng: random.Random, serial: int) -> tuple[str, str]:
    """(bank, 19-digit card number). `serial` must be unique in the output: the 12-digit
    account part is a scramble of it, so numbers never collide yet look random."""
    bank, bin_ = pick(rng, BANKS)
    body = f"{bin_}{_scramble(serial):012d}"
    return bank, body + _luhn_digit(body)
