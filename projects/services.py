"""Every write to grants, budgets, projects, outputs, evidence and payments.

The payment chain is enforced here, on the server: the role for the step, segregation of
duties, the hard rules, and one winner when two people act on the same step at once.
"""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely import wkb

from projects import rules
from projects.events import EVENT_LABELS
from projects.models import (
    STAGE_ORDER,
    STEP_COUNT,
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
    Invoice,
    Method,
    Payment,
    PaymentStatus,
    PaymentStep,
    Project,
    ProjectBudget,
    ProjectSite,
    ProjectStep,
    PublicNotice,
    Stage,
)
from villages.geo import geodesic_area_m2, geodesic_length_m
from villages.models import HQ_ROLES, PAYMENT_ROLES, Role
from villages.selectors import has_role
from villages.services import log_event

CASHIER_STEP = PAYMENT_ROLES.index(Role.PAY_CASHIER)
ACCOUNTANT_STEP = PAYMENT_ROLES.index(Role.PAY_ACCOUNTANT)
COMMITTED_STATUSES = (PaymentStatus.IN_CHAIN, PaymentStatus.COMPLETED)
# Who may set up funders, grants, budgets and projects: union HQ, and cadres for their own village's projects.
PLANNING_ROLES = HQ_ROLES | {Role.FIRST_SECRETARY, Role.TEAM_MEMBER, Role.COUNTY_OFFICER}


def _log(kind: str, obj, actor, data: dict, *, area=None):
    """log_event with a readable line for the timeline: what happened, to which record."""
    label = EVENT_LABELS.get(kind)
    message = f"{label} · {obj}" if label else ""
    return log_event(kind, obj, actor, data, area=area, message=message)


def _require(condition: bool, message: str, code: str) -> None:
    if not condition:
        raise ValidationError(message, code=code)


def _require_role(actor, roles, area, message: str | None = None) -> None:
    _require(
        has_role(actor, roles, area),
        message or _("You do not hold a role that may do this here."),
        "role",
    )


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
    budget = ProjectBudget(project=project, grant=grant, name=name, department_budget=department_budget)
    budget.full_clean()
    budget.save()
    _log("projects.project_budget.created", project, actor, {"grant": grant.code, "budget": budget.pk})
    return budget


def _grant_allocated(grant: Grant, *, excluding: BudgetLine | None = None) -> Decimal:
    lines = BudgetLine.objects.filter(project_budget__grant=grant)
    if excluding is not None:
        lines = lines.exclude(pk=excluding.pk)
    return lines.aggregate(total=Sum("current_amount"))["total"] or Decimal("0.00")


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
    rules.check_upload(photo, images_only=True)
    _require(site is None or site.project_id == project.pk, _("The site belongs to another project."), "site")
    evidence = EvidencePhoto(
        project=project,
        site=site,
        phase=phase,
        photo=photo,
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
    rules.check_upload(file)
    attachment = Attachment(
        kind=kind,
        title=title or file.name,
        file=file,
        size=file.size,
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
    rules.check_upload(photo, images_only=True)
    notice.photo = photo
    notice.full_clean()
    notice.save(update_fields=["photo"])
    _log("projects.notice.photographed", notice.project, actor, {"notice": notice.pk})
    return notice


# ---------------------------------------------------------------- payments


def _next_number() -> str:
    year = timezone.localdate().year
    count = Payment.objects.filter(number__startswith=f"ZF{year}-").count()
    return f"ZF{year}-{count + 1:05d}"


@transaction.atomic
def payment_prepare(
    *,
    actor,
    project: Project,
    budget_line: BudgetLine,
    type: str,
    purpose: str,
    payee: str,
    amount,
    method: str = Method.TRANSFER,
    cash_reason: str = "",
    payee_account: str = "",
    number: str = "",
) -> Payment:
    """The handler (经办人) prepares a draft; the rules are checked when it is submitted."""
    _require_role(actor, Role.PAY_HANDLER, project.village, _("Only a handler (经办人) prepares payments."))
    _require(
        budget_line.project_budget.project_id == project.pk,
        _("Funds are kept separate: this budget line belongs to another project."),
        "wrong_grant",
    )
    payment = Payment(
        number=number or _next_number(),
        project=project,
        budget_line=budget_line,
        type=type,
        purpose=purpose,
        payee=payee.strip(),
        payee_account=payee_account.strip(),
        amount=rules.parse_money(amount),
        method=method,
        cash_reason=cash_reason.strip(),
        step_since=timezone.now(),
        created_by=actor,
    )
    payment.full_clean()
    payment.save()
    _log("projects.payment.prepared", payment, actor, {"amount": str(payment.amount), "line": budget_line.code})
    return payment


@transaction.atomic
def payment_update(*, actor, payment: Payment, **fields) -> Payment:
    """Change a draft or sent-back payment (amount, payee, method …) before it is submitted again."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    _require_role(actor, Role.PAY_HANDLER, payment.project.village, _("Only a handler (经办人) prepares payments."))
    _require(
        payment.status in (PaymentStatus.DRAFT, PaymentStatus.SENT_BACK),
        _("A payment in the chain cannot be changed; send it back first."),
        "status",
    )
    allowed = {"purpose", "payee", "payee_account", "amount", "method", "cash_reason", "type"}
    _require(set(fields) <= allowed, _("These fields cannot be changed."), "fields")
    if "amount" in fields:
        fields["amount"] = rules.parse_money(fields["amount"])
    for key, value in fields.items():
        setattr(payment, key, value)
    payment.full_clean()
    payment.save(update_fields=sorted(fields))
    _log("projects.payment.updated", payment, actor, {k: str(v) for k, v in fields.items()})
    return payment


@transaction.atomic
def invoice_add(*, actor, payment: Payment, code: str, number: str, issued_on: date, amount, seller: str) -> Invoice:
    _require_role(actor, Role.PAY_HANDLER, payment.project.village, _("Only a handler (经办人) prepares payments."))
    _require(
        payment.status in (PaymentStatus.DRAFT, PaymentStatus.SENT_BACK),
        _("Invoices are added while the payment is being prepared."),
        "status",
    )
    code, number = (code or "").strip(), (number or "").strip()
    rules.check_invoice_format(code, number)
    project = payment.project
    _require(
        project.starts_on <= issued_on <= project.ends_on,
        _("Irregular invoice, no payment: the invoice date lies outside the project period."),
        "invoice_date",
    )
    _require(
        seller.strip() == payment.payee,
        _("Irregular invoice, no payment: the invoice's seller is not the payee."),
        "invoice_payee",
    )
    key = f"{code}:{number}"
    _require(
        not Invoice.objects.filter(key=key).exists(),
        _("Irregular invoice, no payment: invoice %(number)s has already been used.") % {"number": number},
        "invoice_duplicate",
    )
    invoice = Invoice(
        payment=payment,
        code=code,
        number=number,
        key=key,
        issued_on=issued_on,
        amount=rules.parse_money(amount),
        seller=seller.strip(),
    )
    invoice.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        # Someone saved the same invoice a moment ago: the unique key is the last word.
        raise ValidationError(
            _("Irregular invoice, no payment: invoice %(number)s has already been used.") % {"number": number},
            code="invoice_duplicate",
        ) from None
    _log("projects.payment.invoice_added", payment, actor, {"invoice": key, "amount": str(invoice.amount)})
    return invoice


def check_hard_rules(payment: Payment, *, line: BudgetLine) -> None:
    """无预算不支出, 手续不全不付款, 发票不规范不付款, 能转账拒付现金: raise on the first broken rule."""
    from projects.selectors import line_committed

    available = line.current_amount - line_committed(line, excluding=payment)
    _require(
        payment.amount <= available,
        _("No budget, no spending: the budget line has %(available)s yuan uncommitted, the payment needs %(amount)s.")
        % {"available": available, "amount": payment.amount},
        "no_budget",
    )
    kinds = set(payment.attachments.values_list("kind", flat=True))
    missing = [k for k in rules.required_attachments(payment.type) if k not in kinds]
    if missing:
        from projects.models import AttachmentKind

        names = "、".join(str(AttachmentKind(k).label) for k in missing)
        raise ValidationError(
            _("Incomplete paperwork, no payment: missing %(documents)s.") % {"documents": names}, code="paperwork"
        )
    if rules.needs_invoice(payment.type):
        invoices = list(payment.invoices.all())
        total = sum((i.amount for i in invoices), Decimal("0.00"))
        _require(bool(invoices), _("Irregular invoice, no payment: this payment needs an invoice."), "invoice_missing")
        _require(
            total == payment.amount,
            _("Irregular invoice, no payment: the invoices add up to %(total)s yuan, the payment is %(amount)s.")
            % {"total": total, "amount": payment.amount},
            "invoice_amount",
        )
        _require(
            all(i.seller == payment.payee for i in invoices),
            _("Irregular invoice, no payment: the invoice's seller is not the payee."),
            "invoice_payee",
        )
        project = payment.project
        _require(
            all(project.starts_on <= i.issued_on <= project.ends_on for i in invoices),
            _("Irregular invoice, no payment: the invoice date lies outside the project period."),
            "invoice_date",
        )
    if payment.method == Method.CASH:
        _require(
            bool(payment.cash_reason),
            _("Transfer, not cash: a cash payment needs a stated reason."),
            "cash_reason",
        )
        _require(
            payment.amount <= rules.cash_limit(),
            _("Transfer, not cash: cash payments stay under %(limit)s yuan.") % {"limit": rules.cash_limit()},
            "cash_limit",
        )
    else:
        _require(bool(payment.payee_account), _("Transfer, not cash: give the payee's bank account."), "account")


def _lock(payment: Payment, expected_version: int | None) -> Payment:
    locked = Payment.objects.select_for_update().select_related("project__village").get(pk=payment.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(
            _("Someone else has acted on this payment in the meantime; reload the page."), code="conflict"
        )
    return locked


def _check_actor(actor, payment: Payment) -> str:
    """The actor holds the waiting step's role for the area and has acted at no other step."""
    _require(payment.status != PaymentStatus.COMPLETED, _("This payment has completed the chain."), "completed")
    role = PAYMENT_ROLES[payment.step]
    _require_role(
        actor,
        role,
        payment.project.village,
        _("This step needs the role %(role)s for this area.") % {"role": Role(role).label},
    )
    other_steps = payment.steps.filter(actor=actor).exclude(step=payment.step).exists()
    prepared_it = payment.created_by_id == actor.pk and payment.step != 0
    _require(
        not (other_steps or prepared_it),
        _("Segregation of duties: no person may act at two steps of one payment."),
        "segregation",
    )
    return role


def _advance(payment: Payment, *, expected_step: int, changes: dict) -> None:
    """Conditional update on the expected step and version: of two concurrent actions, one wins."""
    updated = Payment.objects.filter(pk=payment.pk, step=expected_step, version=payment.version).update(
        version=F("version") + 1, step_since=timezone.now(), **changes
    )
    if updated != 1:
        raise ValidationError(
            _("Someone else has acted on this payment in the meantime; reload the page."), code="conflict"
        )
    payment.refresh_from_db()


@transaction.atomic
def payment_submit(*, actor, payment: Payment, expected_version: int | None = None, note: str = "") -> Payment:
    """Step 1 (经办人办理): the handler submits; every hard rule is checked, the amount is committed."""
    payment = _lock(payment, expected_version)
    _require(
        payment.status in (PaymentStatus.DRAFT, PaymentStatus.SENT_BACK) and payment.step == 0,
        _("This payment is already in the chain."),
        "status",
    )
    role = _check_actor(actor, payment)
    # Lock the line too: two submissions against one line cannot both take its last yuan.
    line = BudgetLine.objects.select_for_update().get(pk=payment.budget_line_id)
    check_hard_rules(payment, line=line)
    PaymentStep.objects.create(
        payment=payment,
        step=0,
        role=role,
        action=PaymentStep.Action.DONE,
        actor=actor,
        acted_at=timezone.now(),
        note=note[:500],
    )
    _advance(payment, expected_step=0, changes={"step": 1, "status": PaymentStatus.IN_CHAIN, "sent_back_reason": ""})
    _log(
        "projects.payment.submitted",
        payment,
        actor,
        {"step": 0, "role": role, "amount": str(payment.amount), "method": payment.method},
    )
    return payment


STEP_VERBS = {1: "approved", 2: "checked", 3: "approved", 4: "paid", 5: "booked", 6: "verified"}


@transaction.atomic
def payment_approve(
    *,
    actor,
    payment: Payment,
    expected_version: int | None = None,
    note: str = "",
    transfer_reference: str = "",
    voucher_number: str = "",
    paid_on: date | None = None,
) -> Payment:
    """Steps 2–7: approve, check, approve, pay (transfer reference), book (voucher number), verify."""
    payment = _lock(payment, expected_version)
    _require(
        payment.status == PaymentStatus.IN_CHAIN and payment.step >= 1,
        _("This payment is not waiting for approval."),
        "status",
    )
    role = _check_actor(actor, payment)
    step = payment.step
    changes: dict = {}
    if step == CASHIER_STEP:
        reference = transfer_reference.strip()
        if payment.method == Method.TRANSFER:
            _require(bool(reference), _("The cashier records the bank transfer reference."), "transfer_reference")
        changes.update(transfer_reference=reference[:60], paid_on=paid_on or timezone.localdate())
    if step == ACCOUNTANT_STEP:
        _require(bool(voucher_number.strip()), _("The accountant records the voucher number."), "voucher_number")
        changes["voucher_number"] = voucher_number.strip()[:40]
    PaymentStep.objects.create(
        payment=payment,
        step=step,
        role=role,
        action=PaymentStep.Action.DONE,
        actor=actor,
        acted_at=timezone.now(),
        note=note[:500],
    )
    if step + 1 >= STEP_COUNT:
        changes["status"] = PaymentStatus.COMPLETED
    else:
        changes["step"] = step + 1
    _advance(payment, expected_step=step, changes=changes)
    data = {"step": step, "role": role}
    data.update({k: str(v) for k, v in changes.items() if k in ("transfer_reference", "voucher_number", "paid_on")})
    _log(f"projects.payment.{STEP_VERBS[step]}", payment, actor, data)
    return payment


@transaction.atomic
def payment_send_back(*, actor, payment: Payment, reason: str, expected_version: int | None = None) -> Payment:
    """Any approver (steps 2–7) sends the payment back to the handler with a reason; it is no longer committed."""
    payment = _lock(payment, expected_version)
    _require(
        payment.status == PaymentStatus.IN_CHAIN and payment.step >= 1,
        _("This payment is not waiting for approval."),
        "status",
    )
    reason = (reason or "").strip()
    _require(bool(reason), _("Give the reason for sending it back."), "reason")
    role = _check_actor(actor, payment)
    step = payment.step
    PaymentStep.objects.create(
        payment=payment,
        step=step,
        role=role,
        action=PaymentStep.Action.SENT_BACK,
        actor=actor,
        acted_at=timezone.now(),
        note=reason[:500],
    )
    if step > CASHIER_STEP:
        # The money has left the account: books and verification go back to the cashier, not to the handler.
        changes = {"step": CASHIER_STEP, "sent_back_reason": reason[:500]}
    else:
        changes = {"step": 0, "status": PaymentStatus.SENT_BACK, "sent_back_reason": reason[:500]}
    _advance(payment, expected_step=step, changes=changes)
    _log(
        "projects.payment.sent_back",
        payment,
        actor,
        {"step": step, "role": role, "to_step": changes["step"], "reason": reason[:500]},
    )
    return payment
