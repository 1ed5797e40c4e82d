"""The services app's tables, one module per area (institutions, hotline, goods)."""
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

__all__ = ["GOODS_KINDS", "DutyShift", "EmergencyPlan", "Finding", "FindingStep", "GoodsBalance", "GoodsEntry",
           "Inspection", "Institution", "Resident", "WorkOrder", "WorkOrderStep"]
