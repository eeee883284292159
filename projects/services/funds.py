"""Writes to funders, grants, budgets, projects, sites, outputs, evidence, assets and notices."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely import wkb

from projects import rules
from projects.models import (
    STAGE_ORDER,
    Asset,
    Attachment,
    BudgetChange,
    BudgetLine,
    DepartmentBudget,
    EvidencePhoto,
    Funder,
    Grant,
    Indicator,
    IndicatorActual,
    Payment,
    PaymentStatus,
    Project,
    ProjectBudget,
    ProjectSite,
    ProjectStep,
    PublicNotice,
    Stage,
)
from projects.services.base import BENEFICIARY_ROLES, PLANNING_ROLES, _log, _require, _require_role
from villages.geo import geodesic_area_m2, geodesic_length_m
from villages.models import HQ_ROLES, Role
from villages.money import money

# ---------------------------------------------------------------- funders, grants, budgets


@transaction.atomic
def funder_upsert(*, actor, code: str, name: str, kind: str) -> Funder:
    funder = Funder.objects.filter(code=code).first() or Funder(code=code)
    if funder.pk and (funder.name, funder.kind) == (name, kind):
        return funder
    funder.name, funder.kind = name, kind
    funder.full_clean()
    funder.save()
    _log("projects.funder.saved", funder, actor, {"code": code})
    return funder


@transaction.atomic
def grant_create(
    *,
    actor,
    funder: Funder,
    area,
    code: str,
    name: str,
    purpose: str,
    amount,
    starts_on: date,
    ends_on: date,
    conditions: str = "",
) -> Grant:
    _require_role(actor, HQ_ROLES, area)
    grant = Grant(
        funder=funder,
        area=area,
        code=code,
        name=name,
        purpose=purpose,
        amount=rules.parse_money(amount),
        starts_on=starts_on,
        ends_on=ends_on,
        conditions=conditions,
    )
    grant.full_clean()
    grant.save()
    _log("projects.grant.created", grant, actor, {"amount": str(grant.amount)}, area=area)
    return grant


@transaction.atomic
def department_budget_create(*, actor, area, year: int, code: str, name: str, amount) -> DepartmentBudget:
    _require_role(actor, HQ_ROLES, area)
    budget = DepartmentBudget(area=area, year=year, code=code, name=name, amount=rules.parse_money(amount))
    budget.full_clean()
    budget.save()
    _log("projects.department_budget.created", budget, actor, {"amount": str(budget.amount)}, area=area)
    return budget


@transaction.atomic
def project_budget_create(
    *, actor, project: Project, grant: Grant, name: str, department_budget: DepartmentBudget | None = None
) -> ProjectBudget:
    _require_role(actor, HQ_ROLES, project.village)
    _require(
        project.village.path.startswith(grant.area.path),
        _("This grant may not be spent in the project's village."),
        "out_of_scope",
    )
    _require(
        department_budget is None or project.village.path.startswith(department_budget.area.path),
        _("This department budget does not cover the project's village."),
        "out_of_scope",
    )
    _require(
        not ProjectBudget.objects.filter(project=project, grant=grant).exists(),
        _("This grant already has a budget for this project; add lines to it."),
        "exists",
    )
    budget = ProjectBudget(project=project, grant=grant, name=name, department_budget=department_budget)
    budget.full_clean()
    budget.save()
    _log("projects.project_budget.created", project, actor, {"grant": grant.code, "budget": budget.pk})
    return budget


def _grant_allocated(grant: Grant, *, excluding: BudgetLine | None = None) -> Decimal:
    lines = BudgetLine.objects.filter(project_budget__grant=grant)
    if excluding is not None:
        lines = lines.exclude(pk=excluding.pk)
    return money(lines.aggregate(total=Sum("current_amount"))["total"] or Decimal("0.00"))


def _department_allocated(department: DepartmentBudget, *, excluding: BudgetLine | None = None) -> Decimal:
    lines = BudgetLine.objects.filter(project_budget__department_budget=department)
    if excluding is not None:
        lines = lines.exclude(pk=excluding.pk)
    return money(lines.aggregate(total=Sum("current_amount"))["total"] or Decimal("0.00"))


def _check_department(project_budget: ProjectBudget, amount: Decimal, *, excluding: BudgetLine | None = None) -> None:
    """Detail lines under a department budget stay within it (部门预算 → 项目预算 → 明细预算)."""
    if project_budget.department_budget_id is None:
        return
    department = DepartmentBudget.objects.select_for_update().get(pk=project_budget.department_budget_id)
    _require(
        _department_allocated(department, excluding=excluding) + amount <= department.amount,
        _("No budget, no spending: the budget lines would exceed the department budget %(name)s.")
        % {"name": department.name},
        "no_budget",
    )


@transaction.atomic
def budget_line_create(
    *, actor, project_budget: ProjectBudget, code: str, name: str, economic_category: str, amount
) -> BudgetLine:
    _require_role(actor, HQ_ROLES, project_budget.project.village)
    amount = rules.parse_money(amount)
    grant = Grant.objects.select_for_update().get(pk=project_budget.grant_id)
    _require(
        _grant_allocated(grant) + amount <= grant.amount,
        _("No budget, no spending: the budget lines would exceed the grant."),
        "no_budget",
    )
    _check_department(project_budget, amount)
    line = BudgetLine(
        project_budget=project_budget,
        code=code,
        name=name,
        economic_category=economic_category,
        original_amount=amount,
        current_amount=amount,
    )
    line.full_clean()
    line.save()
    _log("projects.budget_line.created", project_budget.project, actor, {"line": code, "amount": str(amount)})
    return line


@transaction.atomic
def budget_change_request(*, actor, line: BudgetLine, new_amount, reason: str) -> BudgetChange:
    _require_role(actor, HQ_ROLES, line.project_budget.project.village)
    _require(bool(reason.strip()), _("Give the reason for the change."), "reason")
    change = BudgetChange(
        line=line,
        old_amount=line.current_amount,
        new_amount=rules.parse_money(new_amount, field="new_amount", allow_zero=True),
        reason=reason.strip(),
        requested_by=actor,
    )
    change.full_clean()
    change.save()
    _log(
        "projects.budget_change.requested",
        line.project_budget.project,
        actor,
        {"line": line.code, "old": str(change.old_amount), "new": str(change.new_amount)},
    )
    return change


@transaction.atomic
def budget_change_decide(*, actor, change: BudgetChange, approve: bool) -> BudgetChange:
    """Approve or reject; a change is decided by someone other than who asked, with the leader's role."""
    change = BudgetChange.objects.select_for_update().get(pk=change.pk)
    line = BudgetLine.objects.select_for_update().get(pk=change.line_id)
    project = line.project_budget.project
    _require(change.status == BudgetChange.Status.PROPOSED, _("This change has already been decided."), "decided")
    _require(change.requested_by_id != actor.pk, _("No person may request and approve the same change."), "same")
    _require_role(actor, {Role.PAY_LEADER, Role.PAY_VICE_CHAIR, Role.PAY_EXEC_VICE_CHAIR}, project.village)
    if approve:
        from projects.selectors import line_committed

        _require(
            change.new_amount >= line_committed(line),
            _("No budget, no spending: the line cannot be cut below what is already committed."),
            "no_budget",
        )
        grant = line.project_budget.grant
        _require(
            _grant_allocated(grant, excluding=line) + change.new_amount <= grant.amount,
            _("No budget, no spending: the budget lines would exceed the grant."),
            "no_budget",
        )
        _check_department(line.project_budget, change.new_amount, excluding=line)
        line.current_amount = change.new_amount
        line.save(update_fields=["current_amount"])
    change.status = BudgetChange.Status.APPROVED if approve else BudgetChange.Status.REJECTED
    change.decided_by, change.decided_at = actor, timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    verb = "approved" if approve else "rejected"
    _log(f"projects.budget_change.{verb}", project, actor, {"line": line.code, "new": str(change.new_amount)})
    return change


# ---------------------------------------------------------------- projects, sites, outputs


@transaction.atomic
def project_create(
    *,
    actor,
    village,
    code: str,
    name: str,
    type: str,
    implementer: str,
    responsible_person: str,
    starts_on: date,
    ends_on: date,
    works: str = "",
    subsidy_standard: str = "",
    benefit: str = "",
    source_problem=None,
) -> Project:
    _require_role(actor, PLANNING_ROLES, village)
    project = Project(
        village=village,
        code=code,
        name=name,
        type=type,
        implementer=implementer,
        responsible_person=responsible_person,
        starts_on=starts_on,
        ends_on=ends_on,
        works=works,
        subsidy_standard=subsidy_standard,
        benefit=benefit,
    )
    if source_problem is not None:
        _require(source_problem.village_id == village.pk, _("The problem was raised in another village."), "problem")
        project.source_problem = source_problem
    project.full_clean()
    project.save()
    ProjectStep.objects.create(project=project, stage=Stage.APPLICATION, on=timezone.localdate(), actor=actor)
    _log("projects.project.created", project, actor, {"code": code, "type": type})
    if source_problem is not None:
        _hand_over_problem(actor=actor, problem=source_problem, project=project)
    return project


@transaction.atomic
def beneficiary_add(*, actor, project: Project, household) -> None:
    """A household of the project's own village becomes a beneficiary (once)."""
    _require_role(actor, BENEFICIARY_ROLES, project.village)
    _require(
        household.village_id == project.village_id,
        _("Only households of %(village)s can benefit from this project.") % {"village": project.village.name},
        "village",
    )
    _require(
        not project.beneficiaries.filter(pk=household.pk).exists(),
        _("This household is already a beneficiary."),
        "exists",
    )
    project.full_clean()
    project.beneficiaries.add(household)
    _log("projects.beneficiary.added", project, actor, {"household": household.pk, "number": household.number})


@transaction.atomic
def beneficiary_remove(*, actor, project: Project, household) -> None:
    _require_role(actor, BENEFICIARY_ROLES, project.village)
    _require(
        project.beneficiaries.filter(pk=household.pk).exists(), _("This household is not a beneficiary."), "missing"
    )
    project.beneficiaries.remove(household)
    _log("projects.beneficiary.removed", project, actor, {"household": household.pk, "number": household.number})


def _hand_over_problem(*, actor, problem, project: Project) -> None:
    """Tell fieldwork the problem became this project (fieldwork marks it handed over and logs it)."""
    from fieldwork.services import problem_hand_over  # imported here: fieldwork may import projects' reads

    problem_hand_over(
        actor=actor, problem=problem, target="project", note=_("Became project %(code)s") % {"code": project.code}
    )


@transaction.atomic
def project_advance(*, actor, project: Project, stage: str, on: date, note: str = "") -> ProjectStep:
    """Move the project to the next lifecycle stage (one at a time, never backwards)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_role(actor, PLANNING_ROLES, project.village)
    _require(stage in STAGE_ORDER, _("Unknown stage."), "stage")
    _require(
        STAGE_ORDER.index(stage) == project.stage_index() + 1,
        _("A project moves one stage at a time: the next stage is %(next)s.")
        % {"next": Stage(STAGE_ORDER[min(project.stage_index() + 1, len(STAGE_ORDER) - 1)]).label},
        "stage",
    )
    if stage == Stage.APPROVED:
        _require_role(actor, HQ_ROLES, project.village, _("Only the union HQ approves projects."))
    if stage in (Stage.PRE_WORK_NOTICE, Stage.COMPLETION_NOTICE):
        kind = PublicNotice.Kind.PRE_WORK if stage == Stage.PRE_WORK_NOTICE else PublicNotice.Kind.COMPLETION
        _require(
            project.notices.filter(kind=kind).exists(),
            _("Record the public notice first."),
            "notice",
        )
    if stage == Stage.UNDER_CONSTRUCTION:
        notice = project.notices.filter(kind=PublicNotice.Kind.PRE_WORK).first()
        _require(
            notice is not None and notice.posted_until < on,
            _("Work starts only after the pre-work notice has been posted for its full period."),
            "notice",
        )
    if stage == Stage.ASSETS_REGISTERED:
        _require(project.assets.exists(), _("Register at least one asset first."), "assets")
    step = ProjectStep(project=project, stage=stage, on=on, actor=actor, note=note)
    step.full_clean()
    step.save()
    project.stage = stage
    project.save(update_fields=["stage"])
    _log("projects.project.advanced", project, actor, {"stage": stage, "on": on.isoformat()})
    return step


def _to_geos(geometry) -> GEOSGeometry:
    try:
        geom = geometry if isinstance(geometry, GEOSGeometry) else GEOSGeometry(str(geometry))
    except (GEOSException, ValueError, TypeError):
        raise ValidationError(_("The geometry could not be read; paste GeoJSON or draw it."), code="geometry") from None
    if geom.srid is None:
        geom.srid = 4326
    return geom


def measure_geometry(geom: GEOSGeometry) -> dict:
    """Geodesic length (lines), area (polygons) and count (points) of a WGS-84 geometry."""
    shape = wkb.loads(bytes(geom.wkb))
    kind = geom.geom_type
    if "LineString" in kind:
        return {"length_m": Decimal(str(round(geodesic_length_m(shape), 1))), "area_m2": None, "count": 1}
    if "Polygon" in kind:
        return {"length_m": None, "area_m2": Decimal(str(round(geodesic_area_m2(shape), 1))), "count": 1}
    return {"length_m": None, "area_m2": None, "count": geom.num_geom if kind == "MultiPoint" else 1}


@transaction.atomic
def site_add(*, actor, project: Project, kind: str, name: str, geometry) -> ProjectSite:
    _require_role(actor, PLANNING_ROLES, project.village)
    geom = _to_geos(geometry)
    _require(geom.srid == 4326, _("Coordinates must be longitude and latitude (WGS-84)."), "geometry")
    _require(geom.geom_type != "GeometryCollection" and not geom.empty, _("Draw one shape."), "geometry")
    _require(geom.valid, _("The shape is invalid: %(reason)s") % {"reason": geom.valid_reason}, "geometry")
    boundary = project.village.boundary
    _require(
        boundary is None or boundary.buffer(0.0005).contains(geom),
        _("The shape lies outside the village %(village)s.") % {"village": project.village.name},
        "geometry",
    )
    site = ProjectSite(project=project, kind=kind, name=name, geometry=geom, **measure_geometry(geom))
    site.full_clean()
    site.save()
    _log("projects.site.added", project, actor, {"site": site.pk, "label": site.label})
    return site


@transaction.atomic
def indicator_add(
    *, actor, project: Project, kind: str, name: str, unit: str, target, comparator: str = "ge", site_kind: str = ""
) -> Indicator:
    _require_role(actor, PLANNING_ROLES, project.village)
    indicator = Indicator(
        project=project,
        kind=kind,
        name=name,
        unit=unit,
        target=rules.parse_money(target, field="target", allow_zero=True),
        comparator=comparator,
        site_kind=site_kind,
    )
    indicator.full_clean()
    indicator.save()
    _log("projects.indicator.added", project, actor, {"indicator": indicator.pk, "name": name})
    return indicator


def measured_actual(indicator: Indicator) -> Decimal | None:
    """The actual read off the drawn sites: metres, 亩 or a count, depending on the unit."""
    if not indicator.site_kind:
        return None
    sites = list(indicator.project.sites.filter(kind=indicator.site_kind))
    if not sites:
        return None
    if indicator.unit == "m":
        return sum((Decimal(s.length_m or 0) for s in sites), Decimal("0")).quantize(Decimal("0.01"))
    if indicator.unit == "亩":
        m2 = sum((Decimal(s.area_m2 or 0) for s in sites), Decimal("0"))
        return (m2 * Decimal("15") / Decimal("10000")).quantize(Decimal("0.01"))
    return Decimal(sum(s.count for s in sites)).quantize(Decimal("0.01"))


@transaction.atomic
def actual_report(
    *,
    actor,
    indicator: Indicator,
    value=None,
    reported_on: date,
    note: str = "",
    evidence: EvidencePhoto | None = None,
    from_sites: bool = False,
) -> IndicatorActual:
    project = indicator.project
    _require_role(actor, PLANNING_ROLES, project.village)
    if from_sites:
        value = measured_actual(indicator)
        _require(value is not None, _("No drawn sites of this kind to measure."), "sites")
    else:
        _require(value is not None and str(value).strip() != "", _("Enter the actual value."), "value")
        value = rules.parse_money(value, field="value", allow_zero=True)
    _require(
        evidence is None or evidence.project_id == project.pk, _("The evidence belongs to another project."), "evidence"
    )
    actual = IndicatorActual(
        indicator=indicator,
        value=value,
        reported_on=reported_on,
        note=note,
        computed=from_sites,
        evidence=evidence,
        reported_by=actor,
    )
    actual.full_clean()
    actual.save()
    _log("projects.indicator.reported", project, actor, {"indicator": indicator.pk, "value": str(value)})
    return actual


@transaction.atomic
def photo_add(
    *,
    actor,
    project: Project,
    phase: str,
    photo,
    taken_at: datetime,
    caption: str = "",
    location=None,
    site: ProjectSite | None = None,
) -> EvidencePhoto:
    _require_role(actor, PLANNING_ROLES, project.village)
    _require(site is None or site.project_id == project.pk, _("The site belongs to another project."), "site")
    clean = rules.clean_upload(photo, images_only=True)
    if location is None and clean.position is not None:
        location = Point(*clean.position, srid=4326)  # EXIF is dropped from the file; the position is kept here
    evidence = EvidencePhoto(
        project=project,
        site=site,
        phase=phase,
        photo=clean.file,
        caption=caption,
        location=location,
        taken_at=taken_at,
        uploaded_by=actor,
    )
    evidence.full_clean()
    evidence.save()
    _log("projects.photo.added", project, actor, {"photo": evidence.pk, "phase": phase})
    return evidence


@transaction.atomic
def attachment_add(
    *,
    actor,
    kind: str,
    title: str,
    file,
    grant: Grant | None = None,
    project: Project | None = None,
    step: ProjectStep | None = None,
    payment: Payment | None = None,
) -> Attachment:
    targets = [t for t in (grant, project, step, payment) if t is not None]
    _require(len(targets) == 1, _("Attach the document to one record."), "target")
    area = grant.area if grant else (project or (step.project if step else None) or payment.project).village
    _require_role(actor, PLANNING_ROLES, area)
    if payment is not None:
        _require(
            payment.status in (PaymentStatus.DRAFT, PaymentStatus.SENT_BACK),
            _("Documents are added while the payment is being prepared."),
            "status",
        )
    clean = rules.clean_upload(file, max_side=rules.document_image_max_side())
    attachment = Attachment(
        kind=kind,
        title=title or Path(file.name or "").name[:200],
        file=clean.file,
        size=clean.size,
        grant=grant,
        project=project,
        step=step,
        payment=payment,
        uploaded_by=actor,
    )
    attachment.full_clean()
    attachment.save()
    _log(
        "projects.attachment.added",
        payment or project or (step and step.project) or grant,
        actor,
        {
            "attachment": attachment.pk,
            "kind": kind,
        },
    )
    return attachment


@transaction.atomic
def asset_register(
    *,
    actor,
    project: Project,
    name: str,
    asset_class: str,
    owner_level: str,
    owner: str,
    value,
    maintainer: str,
    registered_on: date,
) -> Asset:
    _require_role(actor, PLANNING_ROLES, project.village)
    _require(
        project.stage_index() >= STAGE_ORDER.index(Stage.ACCEPTED),
        _("Assets are registered after acceptance."),
        "stage",
    )
    asset = Asset(
        project=project,
        name=name,
        asset_class=asset_class,
        owner_level=owner_level,
        owner=owner,
        value=rules.parse_money(value, field="value", allow_zero=True),
        maintainer=maintainer,
        registered_on=registered_on,
    )
    asset.full_clean()
    asset.save()
    _log("projects.asset.registered", project, actor, {"asset": asset.pk, "value": str(asset.value)})
    return asset


@transaction.atomic
def notice_create(
    *, actor, project: Project, kind: str, posted_from: date, posted_until: date, place: str
) -> PublicNotice:
    from projects.notices import notice_content

    _require_role(actor, PLANNING_ROLES, project.village)
    days = (posted_until - posted_from).days + 1
    _require(
        days >= rules.notice_min_days(),
        _("A public notice stays up at least %(days)s days.") % {"days": rules.notice_min_days()},
        "notice_days",
    )
    _require(
        not project.notices.filter(kind=kind).exists(), _("This notice has already been recorded."), "notice_exists"
    )
    notice = PublicNotice(
        project=project,
        kind=kind,
        posted_from=posted_from,
        posted_until=posted_until,
        place=place,
        content=notice_content(project, kind),
        created_by=actor,
    )
    notice.full_clean()
    notice.save()
    _log("projects.notice.created", project, actor, {"notice": notice.pk, "kind": kind, "days": days})
    return notice


@transaction.atomic
def notice_photo_record(*, actor, notice: PublicNotice, photo) -> PublicNotice:
    _require_role(actor, PLANNING_ROLES, notice.project.village)
    clean = rules.clean_upload(photo, images_only=True, max_side=rules.document_image_max_side())
    replaced = notice.photo.name if notice.photo else ""
    notice.photo = clean.file
    notice.full_clean()
    notice.save(update_fields=["photo"])
    _log("projects.notice.photographed", notice.project, actor, {"notice": notice.pk, "replaced": bool(replaced)})
    if replaced and replaced != notice.photo.name:
        # A new photo replaces the old one (nothing links to it any more); only once the row has it.
        storage = notice.photo.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    return notice
