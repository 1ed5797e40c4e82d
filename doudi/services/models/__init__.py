"""The services app's tables, one module per area (institutions, hotline, goods, donations, rescue)."""

from doudi.services.models.donations import Donation, DonationBalance, DonationSpend, DonationStep
from doudi.services.models.goods import GOODS_KINDS, GoodsBalance, GoodsEntry
from doudi.services.models.hotline import WorkOrder, WorkOrderStep
from doudi.services.models.institutions import (
    DutyShift,
    EmergencyPlan,
    Finding,
    FindingStep,
    Inspection,
    Institution,
    Resident,
)
from doudi.services.models.relief import NEEDS, Affected, Disaster, ReliefVisit
from doudi.services.models.rescue import ColdSpell, Encounter, Patrol, Referral, SearchNotice

__all__ = [
    "GOODS_KINDS",
    "NEEDS",
    "Affected",
    "ColdSpell",
    "Disaster",
    "Donation",
    "DonationBalance",
    "DonationSpend",
    "DonationStep",
    "DutyShift",
    "EmergencyPlan",
    "Encounter",
    "Finding",
    "FindingStep",
    "GoodsBalance",
    "GoodsEntry",
    "Inspection",
    "Institution",
    "Patrol",
    "Referral",
    "ReliefVisit",
    "Resident",
    "SearchNotice",
    "WorkOrder",
    "WorkOrderStep",
]
