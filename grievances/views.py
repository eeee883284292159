from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grievances import exports, selectors, services
from grievances.forms import (
    AgreementRecordForm,
    AssignForm,
    CaseForm,
    ClassifyForm,
    CloseForm,
    ConfirmationForm,
    ConfirmForm,
    DeadlineForm,
    LedgerFilterForm,
    PartyForm,
    ProjectLinkForm,
    ReasonForm,
    ReferForm,
    ReturnVisitForm,
    SessionForm,
)
from grievances.models import Case, Status
from grievances.services import PartyData
from villages.selectors import get_in_scope, is_read_only


def _form_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: field errors on their fields, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def case_list(request):
    cases = selectors.cases_for_user(request.user)
    status = request.GET.get("status", "")
    if status == "open":
        cases = cases.filter(status__in=services.open_statuses())
    elif status in Status.values:
        cases = cases.filter(status=status)
    if request.GET.get("overdue"):
        cases = cases.filter(overdue=True, status__in=services.open_statuses())
    query = request.GET.get("q", "").strip()[:50]
    if query:
        cases = selectors.cases_matching(cases, query)
    page = Paginator(cases.prefetch_related("parties"), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": query,
        "status": status,
        "statuses": Status.choices,
        "can_intake": selectors.villages_for_intake(request.user).exists(),
    }
    return render(request, "grievances/case_list.html", context)


# Where a case can come from in fieldwork: query parameter → (link field, fieldwork model).
ORIGINS = {
    "problem": ("source_problem", "Problem"),
    "visit": ("source_visit", "Visit"),
    "meeting": ("source_meeting", "Meeting"),
}


def _origins(request) -> dict:
    """The visit, meeting or problem named in the query string (scoped; ignored until the link exists)."""
    links = {}
    for param, (field, model_name) in ORIGINS.items():
        pk = request.GET.get(param)
        if pk and hasattr(Case, field):
            model = apps.get_model("fieldwork", model_name)
            links[field] = get_in_scope(model.objects.all(), request.user, pk, area_field="village")
    return links


def _prefill(links: dict) -> dict:
    origin = links.get("source_problem") or links.get("source_visit") or links.get("source_meeting")
    if origin is None:
        return {}
    household = getattr(origin, "household", None)
    text = getattr(origin, "description", "") or getattr(origin, "needs", "") or getattr(origin, "topics", "")
    source = "visit" if "source_visit" in links else ("meeting" if "source_meeting" in links else "walk_in")
    return {
        "village": origin.village_id,
        "group": getattr(household, "group_id", None),
        "title": str(getattr(origin, "title", ""))[:120],
        "facts": text,
        "source": source,
        "applicant_name": getattr(household, "head_name", ""),
    }


def _intake_kwargs(data: dict) -> dict:
    parties = [
        PartyData(
            name=data["applicant_name"],
            role="applicant",
            id_number=data["applicant_id_number"],
            phone=data["applicant_phone"],
        )
    ]
    if data["respondent_name"]:
        parties.append(
            PartyData(
                name=data["respondent_name"],
                role="respondent",
                id_number=data["respondent_id_number"],
                phone=data["respondent_phone"],
            )
        )
    point = (data["longitude"], data["latitude"]) if data.get("longitude") is not None else None
    keys = ("group", "source", "source_note", "category", "title", "facts", "risk", "level", "received_on", "deadline")
    return {**{key: data[key] for key in keys}, "point": point, "parties": parties, "client_uuid": data["client_uuid"]}


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    if is_read_only(request.user):
        raise PermissionDenied
    villages = selectors.villages_for_intake(request.user)
    if not villages.exists():
        raise PermissionDenied
    links = _origins(request)
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, villages=villages, initial=_prefill(links))
    if request.method == "POST" and form.is_valid():
        kwargs = _intake_kwargs(form.cleaned_data)
        try:
            if "source_problem" in links:
                case, created = services.case_from_problem(
                    actor=request.user, problem=links["source_problem"], **kwargs
                )
            else:
                case, created = services.case_receive(
                    actor=request.user, village=form.cleaned_data["village"], links=links, **kwargs
                )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if created:
                messages.success(request, _("Case %(number)s received.") % {"number": case.number})
            return redirect("grievances:case_detail", pk=case.pk)
    return render(request, "grievances/case_form.html", {"form": form, "origin": links})


def _detail_context(request, case, *, revealed=None) -> dict:
    can_act = selectors.can_act(request.user, case) and not is_read_only(request.user)
    return {
        "case": case,
        "parties": revealed if revealed is not None else selectors.parties_for(case),
        "revealed": revealed is not None,
        "can_act": can_act,
        "can_reveal": selectors.can_reveal(request.user, case),
        "verbs": [(verb, services.verb_label(verb)) for verb in services.allowed_verbs(case)] if can_act else [],
        "sessions": case.sessions.all(),
        "agreement": getattr(case, "agreement", None),
        "return_visits": case.return_visits.all(),
        "events": selectors.timeline(case),
        "links": selectors.links_for(case),
    }


@login_required
def case_detail(request, pk):
    case = selectors.case_for_user(request.user, pk)
    return render(request, "grievances/case_detail.html", _detail_context(request, case))


@login_required
@require_POST
def case_reveal(request, pk):
    case = selectors.case_for_user(request.user, pk)
    if not selectors.can_reveal(request.user, case):
        raise PermissionDenied
    revealed = services.parties_reveal(actor=request.user, case=case)
    return render(request, "grievances/case_detail.html", _detail_context(request, case, revealed=revealed))


# verb → (form, service call taking (user, case, cleaned data))
ACTIONS = {
    "classify": (ClassifyForm, lambda u, c, d: services.case_classify(actor=u, case=c, **d)),
    "assign": (AssignForm, lambda u, c, d: services.case_assign(actor=u, case=c, **d)),
    "start": (ConfirmForm, lambda u, c, d: services.case_start_mediation(actor=u, case=c)),
    "agree": (AgreementRecordForm, lambda u, c, d: services.agreement_record(actor=u, case=c, **d)),
    "fail": (ReasonForm, lambda u, c, d: services.case_fail(actor=u, case=c, **d)),
    "perform": (ConfirmForm, lambda u, c, d: services.case_perform(actor=u, case=c)),
    "revisit": (ReturnVisitForm, lambda u, c, d: services.return_visit_record(actor=u, case=c, **d)),
    "close": (CloseForm, lambda u, c, d: services.case_close(actor=u, case=c, **d)),
    "escalate": (ReasonForm, lambda u, c, d: services.case_escalate(actor=u, case=c, **d)),
    "refer": (ReferForm, lambda u, c, d: services.case_refer(actor=u, case=c, **d)),
    "reopen": (ReasonForm, lambda u, c, d: services.case_reopen(actor=u, case=c, **d)),
    "deadline": (DeadlineForm, lambda u, c, d: services.case_set_deadline(actor=u, case=c, **d)),
    "session": (SessionForm, lambda u, c, d: services.session_record(actor=u, case=c, **d)),
    "party": (
        PartyForm,
        lambda u, c, d: services.party_add(actor=u, case=c, data=PartyData(**d)),
    ),
    "project": (
        ProjectLinkForm,
        lambda u, c, d: services.case_link(actor=u, case=c, field="related_project", target=d["related_project"]),
    ),
    "confirmation": (
        ConfirmationForm,
        lambda u, c, d: services.agreement_confirm(actor=u, agreement=_agreement(c), **d),
    ),
}


def _agreement(case):
    agreement = getattr(case, "agreement", None)
    if agreement is None:
        raise ValidationError(_("This case has no agreement yet."))
    return agreement


def _form_for(verb, case, user, data=None):
    form_class = ACTIONS[verb][0]
    if form_class is AssignForm:
        return form_class(data, case=case, user=user)
    if form_class in (ClassifyForm, AgreementRecordForm, ReturnVisitForm, SessionForm, PartyForm, ProjectLinkForm):
        return form_class(data, case=case)
    return form_class(data)


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request, pk, verb):
    if verb not in ACTIONS:
        raise Http404
    case = selectors.case_for_user(request.user, pk, write=True)
    form = _form_for(verb, case, request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            ACTIONS[verb][1](request.user, case, form.cleaned_data)
        except ValidationError as error:
            case.refresh_from_db()
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("grievances:case_detail", pk=case.pk)
    title = services.verb_label(verb) if verb in services.TRANSITIONS else _action_title(verb)
    return render(request, "grievances/case_action.html", {"case": case, "form": form, "verb": verb, "title": title})


def _action_title(verb: str) -> str:
    return {
        "deadline": _("change the deadline"),
        "session": _("record a mediation session"),
        "party": _("add a party"),
        "confirmation": _("record court confirmation"),
        "project": _("relate to a project"),
    }[verb]


@login_required
def agreement_docx(request, pk):
    """The agreement for signing; it carries the parties' names in full, so only handlers get it."""
    case = selectors.case_for_user(request.user, pk)
    if not selectors.can_reveal(request.user, case):
        raise PermissionDenied
    agreement = getattr(case, "agreement", None)
    if agreement is None:
        raise Http404
    parties = services.parties_reveal(actor=request.user, case=case, purpose="print")
    content = exports.agreement_docx(case, agreement, parties)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="agreement-{case.number}.docx"'
    return response


def _ledger_params(request):
    today = timezone.localdate()
    defaults = {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat()}
    form = LedgerFilterForm(request.GET or defaults)
    if not form.is_valid():
        form = LedgerFilterForm(defaults)
        form.is_valid()
        if request.GET:
            messages.error(request, _("The filters were not valid; showing this year."))
    data = form.cleaned_data
    params = {
        "start": data["start"],
        "end": data["end"],
        "category": data.get("category") or None,
        "level": data.get("level") or None,
        "status": data.get("status") or None,
    }
    return form, params


@login_required
def case_ledger(request):
    form, params = _ledger_params(request)
    rows = selectors.ledger(request.user, **params)
    page = Paginator(rows.prefetch_related("parties"), 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "figures": selectors.ledger_figures(request.user, **params),
        "query": request.GET.urlencode(),
        "can_reveal_any": not is_read_only(request.user) and selectors.villages_for_intake(request.user).exists(),
    }
    return render(request, "grievances/case_ledger.html", context)


@login_required
def case_ledger_xlsx(request):
    """The ledger as Excel. Parties are masked; `?reveal=1` writes them in full for the cases the
    user may reveal (each such case logged as a reveal "export"), masked for the rest."""
    _form, params = _ledger_params(request)
    rows = list(selectors.ledger(request.user, **params).prefetch_related("parties"))
    revealed = set()
    if request.GET.get("reveal") == "1":
        revealed = {case.pk for case in rows if selectors.can_reveal(request.user, case)}
        services.reveals_record(actor=request.user, case_ids=sorted(revealed), purpose="export")
    content = exports.ledger_xlsx(rows, selectors.figures_for(rows), params, revealed=revealed)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="disputes-{params["start"]}-{params["end"]}.xlsx"'
    return response


def panel_overdue(request) -> dict:
    cases = selectors.overdue_cases(request.user)
    return {"cases": cases.prefetch_related("parties")[:10], "count": cases.count()}


def panel_mine(request) -> dict:
    cases = selectors.cases_for_user(request.user).filter(status__in=services.open_statuses())
    return {
        "open": cases.count(),
        "overdue": cases.filter(overdue=True).count(),
        "mine": cases.filter(handler=request.user).order_by("deadline").prefetch_related("parties")[:5],
    }
