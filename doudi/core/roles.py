"""Roles of docs/domain.md §1 and what each may do. One table, consulted everywhere."""

from django.db import models


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县民政局管理员"
    COUNTY_STAFF = "county_staff", "县民政局工作人员"
    TOWNSHIP_CLERK = "township_clerk", "乡镇社会救助经办员"
    VILLAGE_HELPER = "village_helper", "村级民政协理员"
    FINANCE = "finance", "财政局"
    SUPERVISOR = "supervisor", "纪检监督（只读）"
    DEPT_UPLOADER = "dept_uploader", "部门数据报送"
    CHILD_DIRECTOR = "child_director", "儿童主任"
    CHILD_SUPERVISOR = "child_supervisor", "儿童督导员"


VIEW_REGISTRY = "view_registry"
EDIT_REGISTRY = "edit_registry"
IMPORT_REGISTRY = "import_registry"
UNMASK_ID = "unmask_id"
UNMASK_BANK = "unmask_bank"
VIEW_AUDIT = "view_audit"
MANAGE_USERS = "manage_users"
# Rules (issue 3): one-household 测算, monthly batch evaluation, 政策测算 simulation.
ASSESS = "assess"
RUN_EVALUATION = "run_evaluation"
SIMULATE_POLICY = "simulate_policy"
# Finding people (issue 4): department data, comparison, warnings, 人情保 register.
UPLOAD_DATASET = "upload_dataset"
RUN_COMPARISON = "run_comparison"
VIEW_WARNINGS = "view_warnings"
HANDLE_WARNINGS = "handle_warnings"
VIEW_CADRE_REGISTER = "view_cadre_register"
# Money (issue 5): payroll runs, finance approval, bank files, funds.
VIEW_PAYROLL = "view_payroll"
BUILD_PAYROLL = "build_payroll"
APPROVE_PAYROLL = "approve_payroll"
MANAGE_PRICE_SUBSIDY = "manage_price_subsidy"
# 临时救助备用金: clerks draw for their township, the county allocates; finance and supervisors read.
VIEW_RESERVE = "view_reserve"
DRAW_RESERVE = "draw_reserve"
ALLOCATE_RESERVE = "allocate_reserve"

_REGISTRY_READ = {VIEW_REGISTRY, VIEW_AUDIT}
_CASEWORK = {ASSESS, VIEW_WARNINGS, HANDLE_WARNINGS, VIEW_PAYROLL}
_RESERVE_DRAW = {VIEW_RESERVE, DRAW_RESERVE}
_COUNTY_WORK = (
    _CASEWORK
    | _RESERVE_DRAW
    | {RUN_EVALUATION, SIMULATE_POLICY, UPLOAD_DATASET, RUN_COMPARISON, BUILD_PAYROLL, MANAGE_PRICE_SUBSIDY, ALLOCATE_RESERVE}
)
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(
        _REGISTRY_READ
        | _COUNTY_WORK
        | {EDIT_REGISTRY, IMPORT_REGISTRY, UNMASK_ID, UNMASK_BANK, MANAGE_USERS, VIEW_CADRE_REGISTER}
    ),
    Role.COUNTY_STAFF: frozenset(_REGISTRY_READ | _COUNTY_WORK | {EDIT_REGISTRY, IMPORT_REGISTRY, UNMASK_ID}),
    Role.TOWNSHIP_CLERK: frozenset(_REGISTRY_READ | _CASEWORK | _RESERVE_DRAW | {EDIT_REGISTRY, IMPORT_REGISTRY, UNMASK_ID}),
    Role.VILLAGE_HELPER: frozenset({VIEW_REGISTRY, VIEW_WARNINGS, ASSESS}),
    Role.FINANCE: frozenset({VIEW_REGISTRY, UNMASK_BANK, VIEW_PAYROLL, APPROVE_PAYROLL, VIEW_RESERVE}),
    Role.SUPERVISOR: frozenset(_REGISTRY_READ | {VIEW_WARNINGS, VIEW_CADRE_REGISTER, VIEW_PAYROLL, VIEW_RESERVE}),
    Role.DEPT_UPLOADER: frozenset({UPLOAD_DATASET}),
    Role.CHILD_DIRECTOR: frozenset(),  # children's grants below
    Role.CHILD_SUPERVISOR: frozenset(),
}


def can(user, permission: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return permission in PERMISSIONS.get(user.role, frozenset())


# Cases (issue 14): applications from 受理 to 审核确认. Villages collect applications on
# someone's behalf (CAS-12); township clerks receive any township's applications and
# process their own (一门受理, CAS-1); 审核确认 is the county's unless a parameter delegates
# it to townships (CAS-3, checked in doudi/cases/services.py); supervisors read the
# clerks' decisions against the rules (改判).
VIEW_CASES = "view_cases"
RECEIVE_CASES = "receive_cases"
PROCESS_CASES = "process_cases"
APPROVE_CASES = "approve_cases"
VIEW_CASE_OVERRIDES = "view_case_overrides"
_CASE_GRANTS = {
    Role.COUNTY_ADMIN: {VIEW_CASES, RECEIVE_CASES, PROCESS_CASES, APPROVE_CASES, VIEW_CASE_OVERRIDES},
    Role.COUNTY_STAFF: {VIEW_CASES, RECEIVE_CASES, PROCESS_CASES, APPROVE_CASES},
    Role.TOWNSHIP_CLERK: {VIEW_CASES, RECEIVE_CASES, PROCESS_CASES, APPROVE_CASES},
    Role.VILLAGE_HELPER: {VIEW_CASES, RECEIVE_CASES},
    Role.SUPERVISOR: {VIEW_CASES, VIEW_CASE_OVERRIDES},
}
PERMISSIONS.update({role: PERMISSIONS[role] | grants for role, grants in _CASE_GRANTS.items()})


# Care and visits (issue 16, doudi/care): helpers record visits in their village; townships and
# the county handle the problems found and see coverage and set special-group flags (a helper
# sees them on the person's care page). Supervisors read visits, problems and coverage.
VIEW_CARE = "view_care"
RECORD_VISIT = "record_visit"
MANAGE_GROUPS = "manage_groups"
HANDLE_PROBLEMS = "handle_problems"
VIEW_COVERAGE = "view_coverage"
_CARE_ALL = {VIEW_CARE, RECORD_VISIT, MANAGE_GROUPS, HANDLE_PROBLEMS, VIEW_COVERAGE}
for _role, _extra in {
    Role.COUNTY_ADMIN: _CARE_ALL,
    Role.COUNTY_STAFF: _CARE_ALL,
    Role.TOWNSHIP_CLERK: _CARE_ALL,
    Role.VILLAGE_HELPER: {VIEW_CARE, RECORD_VISIT},
    Role.SUPERVISOR: {VIEW_CARE, VIEW_COVERAGE},
}.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra


# Reports (issue 18, doudi/reports): statutory tables computed from the records. Townships
# and the county view, download and submit their own tables (a township only its own, by
# scope); supervisors read them. Helpers and uploaders have no use for them (least privilege).
VIEW_REPORTS = "view_reports"
SUBMIT_REPORTS = "submit_reports"
for _role, _extra in {
    Role.COUNTY_ADMIN: {VIEW_REPORTS, SUBMIT_REPORTS},
    Role.COUNTY_STAFF: {VIEW_REPORTS, SUBMIT_REPORTS},
    Role.TOWNSHIP_CLERK: {VIEW_REPORTS, SUBMIT_REPORTS},
    Role.SUPERVISOR: {VIEW_REPORTS},
}.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra


# County parameters (issue 11): the county administrator reads and edits the parameters in force
# (the county's file in DOUDI_POLICY_DIR); every edit is audited.
MANAGE_PARAMETERS = "manage_parameters"
PERMISSIONS[Role.COUNTY_ADMIN] = PERMISSIONS[Role.COUNTY_ADMIN] | {MANAGE_PARAMETERS}


# Services around the vulnerable (issue 17, doudi/services): institutions (安全检查, 应急预案,
# 值班值守), the hotline (社会救助服务热线 and 12345 work orders) and in-kind goods. Townships and
# the county keep their own records (by scope); supervisors read them. Helpers, finance and
# uploaders have no use for them (least privilege).
VIEW_INSTITUTIONS = "view_institutions"
MANAGE_INSTITUTIONS = "manage_institutions"
VIEW_HOTLINE = "view_hotline"
HANDLE_HOTLINE = "handle_hotline"
VIEW_GOODS = "view_goods"
HANDLE_GOODS = "handle_goods"
_SERVICES_ALL = {VIEW_INSTITUTIONS, MANAGE_INSTITUTIONS, VIEW_HOTLINE, HANDLE_HOTLINE, VIEW_GOODS, HANDLE_GOODS}
for _role, _extra in {
    Role.COUNTY_ADMIN: _SERVICES_ALL,
    Role.COUNTY_STAFF: _SERVICES_ALL,
    Role.TOWNSHIP_CLERK: _SERVICES_ALL,
    Role.SUPERVISOR: {VIEW_INSTITUTIONS, VIEW_HOTLINE, VIEW_GOODS},
}.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra


# Dashboard and supervision (issue 18, doudi/reports): leaders read the dashboard for their
# region (a township clerk sees the township view); the county 民政局 inspects (督导检查),
# hands findings over on the spot and closes them (整改清零); the responsible township reports
# its rectification with evidence; supervisors (纪检) read everything in scope.
VIEW_DASHBOARD = "view_dashboard"
VIEW_SUPERVISION = "view_supervision"
INSPECT = "inspect"
RECTIFY = "rectify"
for _role, _extra in {
    Role.COUNTY_ADMIN: {VIEW_DASHBOARD, VIEW_SUPERVISION, INSPECT, RECTIFY},
    Role.COUNTY_STAFF: {VIEW_DASHBOARD, VIEW_SUPERVISION, INSPECT, RECTIFY},
    Role.TOWNSHIP_CLERK: {VIEW_DASHBOARD, VIEW_SUPERVISION, RECTIFY},
    Role.SUPERVISOR: {VIEW_DASHBOARD, VIEW_SUPERVISION},
}.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra


# Who saw full ID numbers and bank accounts (issue 12 B): the county administrator and the supervisor.
VIEW_UNMASK_LOG = "view_unmask_log"
for _role in (Role.COUNTY_ADMIN, Role.SUPERVISOR):
    PERMISSIONS[_role] = PERMISSIONS[_role] | {VIEW_UNMASK_LOG}


# Donations and street rescue (issue 17, doudi/services): the 捐赠专户 is the county's — county
# staff record gifts and confirm every write of money (a second person, maker-checker); township
# clerks record spends on named people of their township, confirmed by the county. Street rescue
# (patrols, people met, 寻亲公告, returnee referrals) is kept by townships and the county alike.
# Supervisors read both; helpers, finance and uploaders have no use for them (least privilege).
VIEW_DONATIONS = "view_donations"
HANDLE_DONATIONS = "handle_donations"
CONFIRM_DONATIONS = "confirm_donations"
VIEW_RESCUE = "view_rescue"
HANDLE_RESCUE = "handle_rescue"
_GIVING_ALL = {VIEW_DONATIONS, HANDLE_DONATIONS, CONFIRM_DONATIONS, VIEW_RESCUE, HANDLE_RESCUE}
for _role, _extra in {
    Role.COUNTY_ADMIN: _GIVING_ALL,
    Role.COUNTY_STAFF: _GIVING_ALL,
    Role.TOWNSHIP_CLERK: {VIEW_DONATIONS, HANDLE_DONATIONS, VIEW_RESCUE, HANDLE_RESCUE},
    Role.SUPERVISOR: {VIEW_DONATIONS, VIEW_RESCUE},
}.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra


# Care agreements, 困境儿童 and 集中供养 demand (issue 16 items 5–7, doudi/care): townships and the
# county sign and replace 照料服务协议, record guardians, 兜底监护 and 结对帮扶, and the wish to be
# placed with its outcome; helpers and supervisors read them in scope (VIEW_CARE).
MANAGE_AGREEMENTS = "manage_agreements"
MANAGE_CHILD_CARE = "manage_child_care"
MANAGE_PLACEMENT = "manage_placement"
for _role in (Role.COUNTY_ADMIN, Role.COUNTY_STAFF, Role.TOWNSHIP_CLERK):
    PERMISSIONS[_role] = PERMISSIONS[_role] | {MANAGE_AGREEMENTS, MANAGE_CHILD_CARE, MANAGE_PLACEMENT}


# Children (issue 16, 困境儿童关爱): the village 儿童主任 and the township 儿童督导员 log in with
# their own role. Least privilege: the 困境儿童 pages (list, child page, 儿童主任名册) and visits to
# those children — nothing of the register's household pages, no payments, bank accounts or
# full ID numbers, no register edits, no other care records (elderly, agreements, problems).
# A 儿童主任 records visits to the children of their village; a 儿童督导员 reads the township's
# children and the visits the 儿童主任 made there. Roles that already read or record every
# care record get the same rights over children, so the care pages can ask for these.
VIEW_CHILDREN = "view_children"  # 困境儿童 list and pages, 儿童主任名册
VIEW_CHILD_VISITS = "view_child_visits"  # visits to 困境儿童 (VIEW_CARE: every visit)
RECORD_CHILD_VISIT = "record_child_visit"  # the visit form, for a 困境儿童 (RECORD_VISIT: anyone)
for _role, _grants in list(PERMISSIONS.items()):
    if VIEW_CARE in _grants:
        PERMISSIONS[_role] = PERMISSIONS[_role] | {VIEW_CHILDREN, VIEW_CHILD_VISITS}
    if RECORD_VISIT in _grants:
        PERMISSIONS[_role] = PERMISSIONS[_role] | {RECORD_CHILD_VISIT}
PERMISSIONS[Role.CHILD_DIRECTOR] = frozenset({VIEW_CHILDREN, VIEW_CHILD_VISITS, RECORD_CHILD_VISIT})
PERMISSIONS[Role.CHILD_SUPERVISOR] = frozenset({VIEW_CHILDREN, VIEW_CHILD_VISITS})


# Disaster relief (issue 17, doudi/services: 冬春救助, 受灾群众): the county declares a disaster event;
# townships and the county record the affected households of their area (losses, placement, rent
# aid, referral to 临时救助, visits); the relief money goes out as payroll runs (BUILD_PAYROLL, then
# the usual maker-checker and finance approval). Supervisors read; helpers, finance (who approve
# the runs in the payroll pages) and uploaders have no use for these pages (least privilege).
VIEW_RELIEF = "view_relief"
HANDLE_RELIEF = "handle_relief"
DECLARE_DISASTER = "declare_disaster"
for _role, _extra in {
    Role.COUNTY_ADMIN: {VIEW_RELIEF, HANDLE_RELIEF, DECLARE_DISASTER},
    Role.COUNTY_STAFF: {VIEW_RELIEF, HANDLE_RELIEF, DECLARE_DISASTER},
    Role.TOWNSHIP_CLERK: {VIEW_RELIEF, HANDLE_RELIEF},
    Role.SUPERVISOR: {VIEW_RELIEF},
}.items():
    PERMISSIONS[_role] = PERMISSIONS[_role] | _extra
