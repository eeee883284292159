import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import forms, selectors, services
from projects.compliance import compliance_run
from projects.labels import thousands
from projects.models import (
    STAGE_ORDER,
    Attachment,
    BudgetChange,
    BudgetLine,
    DepartmentBudget,
    EconomicCategory,
    FindingCategory,
    Grant,
    Indicator,
    Payment,
    PaymentStatus,
    Project,
    ProjectBudget,
    ProjectSite,
    Stage,
)
from projects.notices import notice_docx, notice_rows
from villages.masking import mask_name
from villages.models import FIELD_ROLES, HQ_ROLES, PAYMENT_ROLES, Area, Level, Role
from villages.money import money
from villages.selectors import (
    active_assignments,
    events_for,
    filter_in_scope,
    has_role,
    is_read_only,
    roles_for,
    villages_for_user,
)


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _attempt(request, call, success: str) -> bool:
    """Run a service; a broken rule becomes a message and nothing changes (the service is atomic)."""
    try:
        call()
    except ValidationError as exc:
        _errors(request, exc)
        return False
    messages.success(request, success)
    return True


# ---------------------------------------------------------------- projects


@login_required
def project_list(request):
    projects = selectors.projects_for_user(request.user).order_by("village__name", "code")
    page = Paginator(projects, 50).get_page(request.GET.get("page"))
    on_page = Q(project_budget__project__in=[p.pk for p in page])
    overview = selectors.spend_figures(request.user, "project", lines=on_page)
    rows = [(p, overview.get(p.pk)) for p in page]
    can_create = bool(roles_for(request.user) & services.PLANNING_ROLES)
    return render(request, "projects/project_list.html", {"page": page, "rows": rows, "can_create": can_create})


@login_required
def project_add(request):
    villages = villages_for_user(request.user)
    if is_read_only(request.user) or not roles_for(request.user) & services.PLANNING_ROLES:
        raise PermissionDenied
    form = forms.ProjectForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            return redirect("projects:project_detail", project.pk)
    return render(request, "projects/project_add.html", {"form": form})


def _next_stage(project) -> str | None:
    index = project.stage_index() + 1
    return STAGE_ORDER[index] if index < len(STAGE_ORDER) else None


@login_required
def project_detail(request, pk):
    project = selectors.project_for_user(request.user, pk)
    can_write = has_role(request.user, services.PLANNING_ROLES, project.village) and not _read_only_here(
        request.user, project
    )
    sites = list(project.sites.all())
    next_stage = _next_stage(project)
    lines = BudgetLine.objects.filter(project_budget__project=project).select_related("project_budget__grant")
    overview = selectors.spend_figures(request.user, "line", lines=Q(project_budget__project=project))
    context = {
        "project": project,
        "steps": project.steps.select_related("actor").prefetch_related("attachments"),
        "stages": [(value, label, project.steps.filter(stage=value).first()) for value, label in Stage.choices],
        "sites": sites,
        "sites_geojson": _sites_geojson(sites),
        "boundary_geojson": project.village.boundary.geojson if project.village.boundary else "",
        "outputs": selectors.outputs_against_targets(request.user, project=project),
        "lines": [(line, overview.get(line.pk)) for line in lines],
        "payments": project.payments.order_by("-created")[:50],
        "photos": project.photos.all(),
        "documents": Attachment.objects.filter(Q(project=project) | Q(step__project=project)),
        "assets": project.assets.all(),
        "notices": project.notices.all(),
        "paid": selectors.project_paid(project),
        "can_write": can_write,
        "can_pay": has_role(request.user, Role.PAY_HANDLER, project.village),
        "next_stage": next_stage,
        "next_stage_label": Stage(next_stage).label if next_stage else "",
        "site_form": forms.SiteForm(),
        "advance_form": forms.AdvanceForm(initial={"stage": next_stage}),
        "indicator_form": forms.IndicatorForm(),
        "photo_form": forms.PhotoForm(),
        "asset_form": forms.AssetForm(),
        "notice_form": forms.NoticeForm(),
        **_beneficiary_context(request.user, project),
        "events": events_for(project).order_by("-created")[:30],
    }
    return render(request, "projects/project_detail.html", context)


def _beneficiary_context(user, project) -> dict:
    """Beneficiary households: names in full for those who work in the village, masked for everyone else."""
    can_name = has_role(user, services.BENEFICIARY_ROLES, project.village) and not _read_only_here(user, project)
    full = has_role(user, FIELD_ROLES | {Role.PAY_HANDLER}, project.village) or user.is_superuser
    households = list(project.beneficiaries.order_by("number"))
    rows = [(h, h.head_name if full else mask_name(h.head_name)) for h in households]
    candidates = []
    if can_name:
        candidates = project.village.households.exclude(pk__in=[h.pk for h in households]).order_by("number")
    return {
        "beneficiaries": rows,
        "beneficiary_names_full": full,
        "can_name_beneficiaries": can_name,
        "beneficiary_candidates": candidates,
    }


def _read_only_here(user, project) -> bool:
    roles = roles_for(user, project.village)
    return bool(roles) and roles <= {Role.AUDITOR, Role.FUNDER}


def _sites_geojson(sites: list[ProjectSite]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(site.geometry.geojson),
                "properties": {"id": site.pk, "label": f"{site.name} · {site.label}", "kind": site.kind},
            }
            for site in sites
        ],
    }


def _project_post(request, pk, form_class, handle, success: str):
    project = selectors.project_for_user(request.user, pk, write=True)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        _attempt(request, lambda: handle(project, form.cleaned_data), success)
    else:
        _form_errors(request, form)
    return redirect("projects:project_detail", project.pk)


@login_required
@require_POST
def site_add(request, pk):
    def handle(project, data):
        services.site_add(
            actor=request.user, project=project, kind=data["kind"], name=data["name"], geometry=data["geometry"]
        )

    return _project_post(request, pk, forms.SiteForm, handle, _("The site has been added."))


@login_required
@require_POST
def site_measure(request):
    """Geodesic length and area of a drawn or pasted shape, for the form to show before saving."""
    try:
        geom = GEOSGeometry(request.POST.get("geometry", "")[:200_000])
    except (GEOSException, ValueError, TypeError):
        return JsonResponse({"error": _("The geometry could not be read; paste GeoJSON or draw it.")}, status=400)
    if not geom.valid:
        return JsonResponse(
            {"error": _("The shape is invalid: %(reason)s") % {"reason": geom.valid_reason}}, status=400
        )
    size = services.measure_geometry(geom)
    text = ""
    if size["length_m"] is not None:
        text = f"{thousands(size['length_m'].quantize(Decimal('1')))} m"
    elif size["area_m2"] is not None:
        mu = size["area_m2"] * 15 / 10000
        text = f"{thousands(size['area_m2'].quantize(Decimal('1')))} m² · {mu:,.2f} 亩"
    else:
        text = f"{size['count']}"
    return JsonResponse({"text": text, **{k: (str(v) if v is not None else None) for k, v in size.items()}})


@login_required
@require_POST
def project_advance(request, pk):
    def handle(project, data):
        services.project_advance(
            actor=request.user, project=project, stage=data["stage"], on=data["on"], note=data["note"]
        )

    return _project_post(request, pk, forms.AdvanceForm, handle, _("The project has moved to its next stage."))


@login_required
@require_POST
def indicator_add(request, pk):
    def handle(project, data):
        services.indicator_add(actor=request.user, project=project, **data)

    return _project_post(request, pk, forms.IndicatorForm, handle, _("The indicator has been added."))


@login_required
@require_POST
def actual_add(request, pk):
    def handle(project, data):
        indicator = Indicator.objects.filter(project=project, pk=data["indicator"]).first()
        if indicator is None:
            raise ValidationError(_("Unknown indicator."))
        services.actual_report(
            actor=request.user,
            indicator=indicator,
            value=data["value"] or None,
            reported_on=data["reported_on"],
            note=data["note"],
            from_sites=data["from_sites"],
        )

    return _project_post(request, pk, forms.ActualForm, handle, _("The actual has been recorded."))


@login_required
@require_POST
def photo_add(request, pk):
    def handle(project, data):
        location = None
        if data["longitude"] is not None and data["latitude"] is not None:
            location = Point(data["longitude"], data["latitude"], srid=4326)
        services.photo_add(
            actor=request.user,
            project=project,
            phase=data["phase"],
            photo=data["photo"],
            taken_at=data["taken_at"],
            caption=data["caption"],
            location=location,
        )

    return _project_post(request, pk, forms.PhotoForm, handle, _("The photo has been added."))


@login_required
@require_POST
def asset_add(request, pk):
    def handle(project, data):
        services.asset_register(actor=request.user, project=project, **data)

    return _project_post(request, pk, forms.AssetForm, handle, _("The asset has been registered."))


@login_required
@require_POST
def notice_add(request, pk):
    def handle(project, data):
        services.notice_create(actor=request.user, project=project, **data)

    return _project_post(request, pk, forms.NoticeForm, handle, _("The public notice has been recorded."))


def _household_in_scope(user, pk):
    model = Project._meta.get_field("beneficiaries").related_model
    household = filter_in_scope(model.objects.all(), user, area_field="village").filter(pk=pk).first()
    if household is None:
        raise ValidationError(_("Unknown household."), code="household")
    return household


@login_required
@require_POST
def beneficiary_add(request, pk):
    def handle(project, data):
        household = _household_in_scope(request.user, data["household"])
        services.beneficiary_add(actor=request.user, project=project, household=household)

    return _project_post(request, pk, forms.BeneficiaryForm, handle, _("The household has been added."))


@login_required
@require_POST
def beneficiary_remove(request, pk):
    def handle(project, data):
        household = _household_in_scope(request.user, data["household"])
        services.beneficiary_remove(actor=request.user, project=project, household=household)

    return _project_post(request, pk, forms.BeneficiaryForm, handle, _("The household has been removed."))


# ---------------------------------------------------------------- notices


@login_required
def notice_detail(request, pk):
    notice = selectors.notice_for_user(request.user, pk)
    can_write = has_role(request.user, services.PLANNING_ROLES, notice.project.village)
    return render(
        request,
        "projects/notice_detail.html",
        {"notice": notice, "rows": notice_rows(notice), "photo_form": forms.NoticePhotoForm(), "can_write": can_write},
    )


@login_required
def notice_docx_download(request, pk):
    notice = selectors.notice_for_user(request.user, pk)
    response = HttpResponse(
        notice_docx(notice), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}.docx"'
    return response


@login_required
@require_POST
def notice_photo(request, pk):
    notice = selectors.notice_for_user(request.user, pk, write=True)
    form = forms.NoticePhotoForm(request.POST, request.FILES)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.notice_photo_record(actor=request.user, notice=notice, photo=form.cleaned_data["photo"]),
            _("The photo of the posted notice has been recorded."),
        )
    else:
        _form_errors(request, form)
    return redirect("projects:notice_detail", notice.pk)


# ---------------------------------------------------------------- grants and budgets


@login_required
def grant_list(request):
    grants = selectors.grants_for_user(request.user).order_by("-starts_on", "code")
    figures = selectors.spend_figures(request.user, "grant")
    return render(request, "projects/grant_list.html", {"rows": [(g, figures.get(g.pk)) for g in grants]})


@login_required
def grant_detail(request, pk):
    grant = selectors.grants_for_user(request.user).filter(pk=pk).first()
    if grant is None:
        grant = selectors.grant_for_user(request.user, pk)  # raises 404
    lines = selectors.spend_figures(request.user, "line", lines=Q(project_budget__grant=grant))
    budgets = []
    for budget in grant.budgets.select_related("project__village", "department_budget").order_by("project__code"):
        visible = selectors.projects_for_user(request.user).filter(pk=budget.project_id).exists()
        if visible:
            budgets.append((budget, [(line, lines.get(line.pk)) for line in budget.lines.all()]))
    can_change = has_role(request.user, HQ_ROLES, grant.area) and not is_read_only(request.user)
    changes = BudgetChange.objects.filter(line__project_budget__grant=grant).select_related(
        "line", "requested_by", "decided_by"
    )
    budget_form = None
    if can_change:
        budget_form = forms.ProjectBudgetForm(
            projects=_budget_projects(request.user, grant), departments=_departments(request.user)
        )
    return render(
        request,
        "projects/grant_detail.html",
        {
            "grant": grant,
            "budgets": budgets,
            "changes": changes,
            "can_change": can_change,
            "documents": grant.attachments.all(),
            "budget_form": budget_form,
            "line_form": forms.BudgetLineForm(),
            "categories": EconomicCategory.choices,
        },
    )


def _budget_projects(user, grant):
    """Projects in scope, in the grant's area, that the grant does not fund yet."""
    return (
        selectors.projects_for_user(user)
        .filter(village__path__startswith=grant.area.path)
        .exclude(budgets__grant=grant)
        .order_by("code")
    )


def _departments(user):
    return filter_in_scope(DepartmentBudget.objects.select_related("area"), user).order_by("-year", "code")


@login_required
@require_POST
def project_budget_add(request, pk):
    grant = selectors.grant_for_user(request.user, pk, write=True)
    form = forms.ProjectBudgetForm(
        request.POST, projects=_budget_projects(request.user, grant), departments=_departments(request.user)
    )
    if form.is_valid():
        _attempt(
            request,
            lambda: services.project_budget_create(actor=request.user, grant=grant, **form.cleaned_data),
            _("The project budget has been recorded."),
        )
    else:
        _form_errors(request, form)
    return redirect("projects:grant_detail", grant.pk)


@login_required
@require_POST
def budget_line_add(request, pk):
    """A new detail line; changing an existing line's amount goes through a budget change instead."""
    grant = selectors.grant_for_user(request.user, pk, write=True)
    form = forms.BudgetLineForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("projects:grant_detail", grant.pk)
    data = dict(form.cleaned_data)
    budget = ProjectBudget.objects.filter(grant=grant, pk=data.pop("project_budget")).first()
    if budget is None:
        messages.error(request, _("Unknown project budget."))
    else:
        _attempt(
            request,
            lambda: services.budget_line_create(actor=request.user, project_budget=budget, **data),
            _("The budget line has been recorded."),
        )
    return redirect("projects:grant_detail", grant.pk)


def _hq_areas(user):
    """Where the user may set up a department budget: the areas of their union HQ roles."""
    if user.is_superuser:
        return Area.objects.exclude(level__in=[Level.VILLAGE, Level.GROUP]).order_by("path")
    ids = [a.area_id for a in active_assignments(user) if a.role in HQ_ROLES]
    return Area.objects.filter(pk__in=ids).order_by("path")


@login_required
def department_budget_list(request):
    areas = _hq_areas(request.user)
    can_create = areas.exists() and not is_read_only(request.user)
    initial = {"year": timezone.localdate().year, "area": areas.first() if len(areas) == 1 else None}
    form = forms.DepartmentBudgetForm(request.POST or None, areas=areas, initial=initial)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            if _attempt(
                request,
                lambda: services.department_budget_create(actor=request.user, **form.cleaned_data),
                _("The department budget has been recorded."),
            ):
                return redirect("projects:department_budget_list")
        else:
            _form_errors(request, form)
    budgets = list(_departments(request.user))
    allocated = dict(
        BudgetLine.objects.filter(project_budget__department_budget__in=budgets)
        .values_list("project_budget__department_budget")
        .annotate(total=Sum("current_amount"))
        .values_list("project_budget__department_budget", "total")
    )
    rows = []
    for budget in budgets:
        used = money(allocated.get(budget.pk) or Decimal("0"))
        rows.append({"budget": budget, "allocated": used, "remaining": budget.amount - used})
    return render(
        request,
        "projects/department_budget_list.html",
        {"rows": rows, "form": form if can_create else None},
    )


@login_required
@require_POST
def budget_change_add(request, pk):
    grant = selectors.grant_for_user(request.user, pk, write=True)
    form = forms.BudgetChangeForm(request.POST)
    if form.is_valid():
        line = BudgetLine.objects.filter(project_budget__grant=grant, pk=form.cleaned_data["line"]).first()
        if line is None:
            messages.error(request, _("Unknown budget line."))
        else:
            _attempt(
                request,
                lambda: services.budget_change_request(
                    actor=request.user,
                    line=line,
                    new_amount=form.cleaned_data["new_amount"],
                    reason=form.cleaned_data["reason"],
                ),
                _("The budget change has been requested."),
            )
    else:
        _form_errors(request, form)
    return redirect("projects:grant_detail", grant.pk)


@login_required
@require_POST
def budget_change_decide(request, pk):
    grant = selectors.grant_for_user(request.user, pk, write=True)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        change = BudgetChange.objects.filter(line__project_budget__grant=grant, pk=form.cleaned_data["change"]).first()
        if change is None:
            messages.error(request, _("Unknown budget change."))
        else:
            _attempt(
                request,
                lambda: services.budget_change_decide(
                    actor=request.user, change=change, approve=form.cleaned_data["approve"] == "1"
                ),
                _("The budget change has been decided."),
            )
    return redirect("projects:grant_detail", grant.pk)


# ---------------------------------------------------------------- payments


@login_required
def payment_list(request):
    payments = selectors.payments_for_user(request.user).order_by("-created", "-pk")
    status = request.GET.get("status")
    if status in PaymentStatus.values:
        payments = payments.filter(status=status)
    page = Paginator(payments, 50).get_page(request.GET.get("page"))
    return render(
        request, "projects/payment_list.html", {"page": page, "statuses": PaymentStatus.choices, "status": status}
    )


@login_required
def payment_add(request, pk):
    project = selectors.project_for_user(request.user, pk, write=True)
    if not has_role(request.user, Role.PAY_HANDLER, project.village):
        raise PermissionDenied
    lines = BudgetLine.objects.filter(project_budget__project=project)
    form = forms.PaymentForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_prepare(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The payment has been prepared; add its documents and invoices, then submit."))
            return redirect("projects:payment_detail", payment.pk)
    return render(request, "projects/payment_add.html", {"form": form, "project": project})


def _chain(payment: Payment) -> list[dict]:
    steps = list(payment.steps.select_related("actor").order_by("acted_at", "pk"))
    rows = []
    for index, role in enumerate(PAYMENT_ROLES):
        done = [s for s in steps if s.step == index]
        state = "waiting" if payment.waiting_role == role and payment.step == index else ""
        if payment.status == PaymentStatus.COMPLETED or index < payment.step:
            state = "done"
        rows.append({"index": index + 1, "role": Role(role).label, "actions": done, "state": state})
    return rows


@login_required
def payment_detail(request, pk):
    payment = selectors.payment_for_user(request.user, pk)
    village = payment.project.village
    waiting = payment.waiting_role
    may_act = (
        bool(waiting)
        and has_role(request.user, waiting, village)
        and not _read_only_here(request.user, payment.project)
    )
    preparing = payment.status in (PaymentStatus.DRAFT, PaymentStatus.SENT_BACK)
    context = {
        "payment": payment,
        "chain": _chain(payment),
        "may_act": may_act,
        "preparing": preparing,
        "is_handler": preparing and has_role(request.user, Role.PAY_HANDLER, village),
        "act_form": forms.ActForm(initial={"version": payment.version}),
        "attachment_form": forms.AttachmentForm(),
        "invoice_form": forms.InvoiceForm(initial={"seller": payment.payee}),
        "is_cashier_step": payment.step == PAYMENT_ROLES.index(Role.PAY_CASHIER),
        "is_accountant_step": payment.step == PAYMENT_ROLES.index(Role.PAY_ACCOUNTANT),
        "events": events_for(payment).order_by("-created")[:30],
        "findings": payment.findings.filter(resolved=False),
    }
    return render(request, "projects/payment_detail.html", context)


@login_required
@require_POST
def payment_act(request, pk):
    payment = selectors.payment_for_user(request.user, pk, write=True)
    form = forms.ActForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("projects:payment_detail", payment.pk)
    data = form.cleaned_data
    common = {"actor": request.user, "payment": payment, "expected_version": data["version"]}
    if data["action"] == "submit":
        call, done = (lambda: services.payment_submit(note=data["note"], **common)), _("Submitted.")
    elif data["action"] == "approve":
        call = lambda: services.payment_approve(  # noqa: E731
            note=data["note"],
            transfer_reference=data["transfer_reference"],
            voucher_number=data["voucher_number"],
            **common,
        )
        done = _("Done; the payment has moved to the next step.")
    else:
        call, done = (lambda: services.payment_send_back(reason=data["note"], **common)), _("Sent back.")
    _attempt(request, call, done)
    return redirect("projects:payment_detail", payment.pk)


@login_required
@require_POST
def payment_attach(request, pk):
    payment = selectors.payment_for_user(request.user, pk, write=True)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.attachment_add(actor=request.user, payment=payment, **form.cleaned_data),
            _("The document has been attached."),
        )
    else:
        _form_errors(request, form)
    return redirect("projects:payment_detail", payment.pk)


@login_required
@require_POST
def invoice_add(request, pk):
    payment = selectors.payment_for_user(request.user, pk, write=True)
    form = forms.InvoiceForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.invoice_add(actor=request.user, payment=payment, **form.cleaned_data),
            _("The invoice has been recorded."),
        )
    else:
        _form_errors(request, form)
    return redirect("projects:payment_detail", payment.pk)


@login_required
def approval_queue(request):
    items = selectors.approval_queue(request.user)
    return render(request, "projects/approval_queue.html", {"items": items})


# ---------------------------------------------------------------- review and compliance


REVIEW_PAGE_SIZE = 50


@login_required
def review(request):
    if not roles_for(request.user) & (HQ_ROLES | {Role.AUDITOR, Role.FUNDER}) and not request.user.is_superuser:
        raise PermissionDenied
    indicators = Paginator(selectors.output_indicators(request.user), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("outputs")
    )
    outputs = selectors.outputs_against_targets(request.user, indicator_ids=[i.pk for i in indicators])
    # A city has thousands of villages and projects: figures from GROUP BYs (not the overview's
    # 40,000 line rows), and the long tables paged, each on its own.
    villages = _figure_rows(request.user, "village", Area.objects.defer("boundary"))
    projects = _figure_rows(request.user, "project", Project.objects.only("pk", "code", "name"))
    context = {
        "overview": {
            "total": selectors.spend_total(request.user),
            "grants": _figure_rows(request.user, "grant", Grant.objects),
        },
        "villages": Paginator(villages, REVIEW_PAGE_SIZE).get_page(request.GET.get("villages")),
        "projects": Paginator(projects, REVIEW_PAGE_SIZE).get_page(request.GET.get("projects")),
        "outputs": outputs,
        "indicators": indicators,
        "queue": selectors.queue_by_role(request.user),
    }
    return render(request, "projects/review.html", context)


def _figure_rows(user, by: str, objects) -> list[selectors.Row]:
    """Rows of (object, figures) for everything `by` with a budget in the user's scope, by code."""
    figures = selectors.spend_figures(user, by)
    found = objects.filter(pk__in=list(figures)).order_by("code", "pk")
    return [selectors.Row(obj, figures[obj.pk]) for obj in found]


def may_see_findings(user) -> bool:
    return user.is_superuser or bool(roles_for(user) & (HQ_ROLES | {Role.AUDITOR}))


@login_required
def finding_list(request):
    if not may_see_findings(request.user):
        raise PermissionDenied
    category = request.GET.get("category") if request.GET.get("category") in FindingCategory.values else None
    findings = selectors.compliance_findings(request.user, category=category)
    counts = {}
    for f in selectors.compliance_findings(request.user).values_list("category", flat=True):
        counts[f] = counts.get(f, 0) + 1
    categories = [(value, label, counts.get(value, 0)) for value, label in FindingCategory.choices]
    page = Paginator(findings, 100).get_page(request.GET.get("page"))
    can_run = bool(roles_for(request.user) & HQ_ROLES) or request.user.is_superuser
    return render(
        request,
        "projects/finding_list.html",
        {"page": page, "categories": categories, "category": category, "can_run": can_run},
    )


@login_required
@require_POST
def compliance_run_now(request):
    if not (roles_for(request.user) & HQ_ROLES or request.user.is_superuser):
        raise PermissionDenied
    counts = compliance_run(actor=request.user)
    messages.success(request, _("Checks run: %(count)s findings.") % {"count": sum(counts.values())})
    return redirect(reverse("projects:finding_list"))


# ---------------------------------------------------------------- home panels


def panel_queue(request) -> dict:
    return {"items": selectors.approval_queue(request.user)[:8]}


def panel_review(request) -> dict:
    return {
        "total": selectors.spend_total(request.user),
        "grants": _figure_rows(request.user, "grant", Grant.objects)[:6],
    }
