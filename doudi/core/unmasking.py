"""Why a full ID number or bank account is shown (issue 12 B, 个人信息保护法 §6 最小必要): a
reason from a short list, with a note required for 其他, asked for at the moment of unmasking
(the person page's buttons, an unmasked export). Without one nothing is shown and nothing is
logged. One list and one check, used by registry.services.person_unmask, core/exports.py and
the unmask log page (filter by reason)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

NOTE_MAX = 200


class UnmaskReason(models.TextChoices):
    IDENTITY = "identity", "核对身份"
    BANK = "bank", "银行代发核对"
    HOME_VISIT = "home_visit", "入户调查"
    PETITION = "petition", "信访处理"
    OTHER = "other", "其他（须说明）"
    # Rows written before a reason was asked for (migration 0003); never offered.
    UNRECORDED = "unrecorded", "（未记录）"


# What a user may pick, in the order offered.
SELECTABLE = [(code, label) for code, label in UnmaskReason.choices if code != UnmaskReason.UNRECORDED]


class ReasonMissing(ValueError):
    """No usable reason: a Chinese message; nothing was shown or written."""


@dataclass(frozen=True)
class Reason:
    kind: str
    note: str = ""

    @property
    def label(self) -> str:
        return UnmaskReason(self.kind).label

    def text(self) -> str:
        """One line for an audit entry: the label, then the note (银行代发核对：退票); for 其他
        the note alone (it is the reason; the kind is kept beside it)."""
        if self.kind == UnmaskReason.OTHER:
            return self.note
        return f"{self.label}：{self.note}" if self.note else self.label


def reason_from(kind: str | None, note: str | None = "") -> Reason:
    """The reason given with an unmasking, or ReasonMissing (a Chinese message)."""
    kind, note = (kind or "").strip(), " ".join((note or "").split())
    if not kind:
        raise ReasonMissing("请选择查看完整号码的原因；查看将被记录")
    if kind not in {code for code, _ in SELECTABLE}:
        raise ReasonMissing("查看原因不在可选范围内，请重新选择")
    if kind == UnmaskReason.OTHER and not note:
        raise ReasonMissing("原因选择“其他”时须写明具体原因")
    if len(note) > NOTE_MAX:
        raise ReasonMissing(f"原因说明不能超过 {NOTE_MAX} 个字")
    return Reason(kind, note)


def reason_from_query(params) -> Reason:
    """An export's reason: `reason_kind` (a code) with `reason` as its note; `reason` alone
    (the older form of the address) is a listed reason when it is one's label, else 其他 with
    that text as the note."""
    kind = params.get("reason_kind", "").strip()
    note = params.get("reason", "")
    if not kind and note.strip():
        labels = {label: code for code, label in SELECTABLE}
        kind = labels.get(note.strip(), UnmaskReason.OTHER)
        if kind != UnmaskReason.OTHER:
            note = ""
    return reason_from(kind, note)
