"""Fieldwork pages: thin views over selectors (reads, scope-checked) and services (writes)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fieldwork import conf, selectors, services
from fieldwork.forms import (
    DiaryForm,
    HouseholdFilterForm,
    HouseholdForm,
    ImportForm,
    IncomeForm,
    LeaveDecisionForm,
    LeaveForm,
    MeetingForm,
    MemberForm,
    MonitoringAdvanceForm,
    MonitoringStartForm,
    ProblemForm,
    ProblemUpdateForm,
    VisitForm,
)
from fieldwork.importers import export_households, import_households
from fieldwork.models import CHECK_ITEMS, Household, LeaveStatus, ProblemStatus, monitoring_choices
from villages.masking import mask_id_number, mask_phone
from villages.selectors import audience, events_for, is_read_only
from villages.services import log_event

PAGE_SIZE = 50


def _form_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where it can."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require_writer(user) -> None:
    if is_read_only(user) or not selectors.writable_villages(user).exists():
        raise PermissionDenied


def _month(request) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = int(request.GET.get("year", today.year)), int(request.GET.get("month", today.month))
        date(year, month, 1)
    except (TypeError, ValueError):
        return today.year, today.month
    if not 2000 <= year <= 2100:
        return today.year, today.month
    return year, month


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- households


@login_required
def household_list(request):
    form = HouseholdFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    households = selectors.households_for_user(
        request.user,
        q=filters.get("q") or "",
        group=filters.get("group"),
        category=filters.get("category") or "",
        not_visited_days=filters.get("not_visited"),
    )
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "groups": selectors.groups_for_user(request.user),
        "categories": monitoring_choices()[1:],
        "can_write": not is_read_only(request.user),
    }
    return render(request, "fieldwork/household_list.html", context)


@login_required
def household_detail(request, pk):
    household = selectors.household_for_user(request.user, pk)
    reveal = request.GET.get("reveal") == "1" and not is_read_only(request.user)
    if reveal:
        log_event("fieldwork.household.revealed", household, request.user, {})
    context = {
        "household": household,
        "history": selectors.household_history(household),
        "phone": household.phone if reveal else mask_phone(household.phone),
        "id_number": household.id_number if reveal else mask_id_number(household.id_number),
        "revealed": reveal,
        "can_write": not is_read_only(request.user),
        "today": timezone.localdate(),
        "late_days": conf.monitoring_max_days(),
        "events": events_for(household).order_by("-created", "-pk")[:30],
    }
    return render(request, "fieldwork/household_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request):
    _require_writer(request.user)
    villages = selectors.writable_villages(request.user)
    form = HouseholdForm(request.POST or None, villages=villages, groups=selectors.groups_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                actor=request.user, village=form.cleaned_data["village"], **form.values()
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Household saved."))
            return redirect("fieldwork:household_detail", household.pk)
    return render(request, "fieldwork/household_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk):
    household = selectors.household_for_user(request.user, pk, write=True)
    groups = household.village.children.all()
    form = HouseholdForm(
        request.POST or None, instance=household, villages=selectors.writable_villages(request.user), groups=groups
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(actor=request.user, household=household, **form.values())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Household saved."))
            return redirect("fieldwork:household_detail", household.pk)
    return render(request, "fieldwork/household_form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request, pk):
    household = selectors.household_for_user(request.user, pk, write=True)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_save(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("fieldwork:household_detail", household.pk)
    return render(request, "fieldwork/member_form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, pk, member_pk):
    household = selectors.household_for_user(request.user, pk, write=True)
    member = household.members.filter(pk=member_pk).first()
    if member is None:
        raise Http404
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_save(actor=request.user, household=household, member=member, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("fieldwork:household_detail", household.pk)
    return render(request, "fieldwork/member_form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def income_create(request, pk):
    household = selectors.household_for_user(request.user, pk, write=True)
    form = IncomeForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        try:
            services.income_set(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("fieldwork:household_detail", household.pk)
    return render(request, "fieldwork/income_form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_start(request, pk):
    household = selectors.household_for_user(request.user, pk, write=True)
    form = MonitoringStartForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.monitoring_start(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("fieldwork:household_detail", household.pk)
    return render(request, "fieldwork/monitoring_form.html", {"form": form, "household": household})


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_advance(request, pk):
    record = selectors.monitoring_record_for_user(request.user, pk, write=True)
    form = MonitoringAdvanceForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.monitoring_advance(actor=request.user, record=record, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("fieldwork:household_detail", record.household_id)
    context = {"form": form, "household": record.household, "record": record}
    return render(request, "fieldwork/monitoring_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def household_import(request):
    _require_writer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, villages=selectors.writable_villages(request.user))
    report = None
    if request.method == "POST" and form.is_valid():
        report = import_households(
            actor=request.user,
            village=form.cleaned_data["village"],
            upload=form.cleaned_data["file"],
            valid_only=form.cleaned_data["valid_only"],
        )
        if report.imported:
            messages.success(request, _("%(n)s households imported.") % {"n": report.created})
    return render(request, "fieldwork/household_import.html", {"form": form, "report": report})


@login_required
@require_GET
def household_export(request):
    form = HouseholdFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    households = selectors.households_for_user(
        request.user,
        q=filters.get("q") or "",
        group=filters.get("group"),
        category=filters.get("category") or "",
        not_visited_days=filters.get("not_visited"),
    )
    response = HttpResponse(
        export_households(households.iterator(chunk_size=500)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="households-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
@require_GET
def household_search(request):
    """Households for the visit form's picker: by name, number or group; or nearest to a position."""
    lon, lat = request.GET.get("lon"), request.GET.get("lat")
    if lon or lat:
        try:
            fix = services.gps_fix(lon, lat)
        except ValidationError:
            return JsonResponse({"results": [], "error": _("The GPS position is out of range.")}, status=400)
        rows = selectors.nearest_households(request.user, fix.lon, fix.lat)
        results = [_household_json(r["household"], r["metres"]) for r in rows]
    else:
        q = request.GET.get("q", "").strip()[:50]
        households = selectors.households_for_user(request.user, q=q)[:20] if q else []
        results = [_household_json(h) for h in households]
    return JsonResponse({"results": results})


def _household_json(household: Household, metres: int | None = None) -> dict:
    return {
        "id": household.pk,
        "label": str(household),
        "group": household.group.name if household.group_id else "",
        "metres": metres,
    }


# ---------------------------------------------------------------- visits


@login_required
@require_GET
def visit_list(request):
    visits = selectors.visits_for_user(request.user, village=_int(request.GET.get("village")))
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "fieldwork/visit_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request):
    _require_writer(request.user)
    household = None
    household_pk = _int(request.POST.get("household") or request.GET.get("household"))
    if household_pk:
        household = selectors.household_for_user(request.user, household_pk, write=True)
    initial = {"visited_at": timezone.localtime().replace(second=0, microsecond=0), "household": household_pk}
    form = VisitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if household is None:
            form.add_error(None, _("Choose the household you visited."))
        else:
            try:
                visit = _save_visit(request, form, household)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return redirect("fieldwork:visit_detail", visit.pk)
    context = {
        "form": form,
        "household": household,
        "check_items": [(code, label, form[f"check_{code}"]) for code, label in CHECK_ITEMS],
        "gps_poor_m": conf.gps_poor_accuracy_m(),
        "max_side": conf.photo_max_side_px(),
    }
    return render(request, "fieldwork/visit_form.html", context)


def _save_visit(request, form, household):
    data = form.cleaned_data
    visit, created = services.visit_record(
        actor=request.user,
        household=household,
        visited_at=data["visited_at"],
        purpose=data["purpose"],
        findings=data["findings"],
        needs=data["needs"],
        help_given=data["help_given"],
        gps=data.get("gps"),
        checks=form.checks(),
        follow_ups=form.follow_ups(),
        client_uuid=data.get("client_uuid"),
    )
    if not created:
        return visit
    for upload in request.FILES.getlist("photos")[:10]:
        services.photo_add(actor=request.user, upload=upload, visit=visit)
    if data.get("raise_problem"):
        services.problem_raise_from_visit(actor=request.user, visit=visit)
    messages.success(request, _("Visit saved."))
    if visit.gps_poor and visit.location:
        messages.warning(request, _("The GPS accuracy was poor; the position was saved and flagged."))
    if visit.outside_village:
        messages.warning(request, _("The position is outside the village boundary; the visit was saved and flagged."))
    return visit


@login_required
@require_GET
def visit_detail(request, pk):
    visit = selectors.visit_for_user(request.user, pk)
    context = {"visit": visit, **selectors.visit_detail(visit), "can_write": not is_read_only(request.user)}
    return render(request, "fieldwork/visit_detail.html", context)


@login_required
@require_POST
def visit_raise_problem(request, pk):
    visit = selectors.visit_for_user(request.user, pk, write=True)
    problem = services.problem_raise_from_visit(actor=request.user, visit=visit)
    messages.success(request, _("Problem raised."))
    return redirect("fieldwork:problem_detail", problem.pk)


@login_required
@require_POST
def visit_photo_add(request, pk):
    visit = selectors.visit_for_user(request.user, pk, write=True)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("Choose a photo."))
    else:
        try:
            services.photo_add(actor=request.user, upload=upload, visit=visit)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("fieldwork:visit_detail", visit.pk)


@login_required
@require_GET
def photo_file(request, pk):
    """Photos are never public media: each request is scope-checked, then the file is streamed."""
    photo = selectors.photo_for_user(request.user, pk)
    # Re-encoded photos are small (≤ PHOTO_MAX_SIDE_PX): read whole, so no file handle outlives the request.
    try:
        with photo.image.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def follow_up_done(request, pk):
    follow_up = selectors.follow_up_for_user(request.user, pk, write=True)
    services.follow_up_done(actor=request.user, follow_up=follow_up, on=timezone.localdate())
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/") else "home")


# ---------------------------------------------------------------- problems


@login_required
@require_GET
def problem_list(request):
    status = request.GET.get("status", "open")
    problems = selectors.problems_for_user(request.user, status=status, q=request.GET.get("q", "").strip()[:50])
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": [("open", _("Not closed")), *ProblemStatus.choices, ("all", _("All"))],
        "today": timezone.localdate(),
    }
    return render(request, "fieldwork/problem_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def problem_create(request):
    _require_writer(request.user)
    form = ProblemForm(request.POST or None, villages=selectors.writable_villages(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = None
        if data.get("household"):
            household = selectors.household_for_user(request.user, data["household"], write=True)
        try:
            problem, _created = services.problem_raise(
                actor=request.user,
                village=data["village"],
                title=data["title"],
                description=data["description"],
                household=household,
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("fieldwork:problem_detail", problem.pk)
    return render(request, "fieldwork/problem_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def problem_detail(request, pk):
    problem = selectors.problem_for_user(request.user, pk, write=request.method == "POST")
    form = ProblemUpdateForm(request.POST or None, initial={"status": problem.status, "due_on": problem.due_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_update(actor=request.user, problem=problem, **form.cleaned_data)
        except ValidationError as exc:
            problem.refresh_from_db()  # the service changed the instance before refusing it
            _form_errors(form, exc)
        else:
            messages.success(request, _("Problem updated."))
            return redirect("fieldwork:problem_detail", problem.pk)
    context = {
        "problem": problem,
        "form": form,
        # Its dispute cases are listed by grievances' `related_cases` tag (scoped, summaries masked).
        "projects": selectors.linked(problem, "projects"),
        "events": events_for(problem),
        "can_write": not is_read_only(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "fieldwork/problem_detail.html", context)


# ---------------------------------------------------------------- meetings


@login_required
@require_GET
def meeting_list(request):
    meetings = selectors.meetings_for_user(request.user, village=_int(request.GET.get("village")))
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "fieldwork/meeting_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    _require_writer(request.user)
    villages = selectors.writable_villages(request.user)
    initial = {"held_at": timezone.localtime().replace(second=0, microsecond=0)}
    form = MeetingForm(request.POST or None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = _save_meeting(request, form)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("fieldwork:meeting_detail", meeting.pk)
    return render(request, "fieldwork/meeting_form.html", {"form": form})


def _save_meeting(request, form):
    data = form.cleaned_data
    village = data["village"]
    names, households = [], []
    by_number = {h.number: h for h in Household.objects.filter(village=village)}
    for line in data["attendees"].splitlines():
        line = line.strip()
        if line in by_number:
            households.append(by_number[line])
        elif line:
            names.append(line)
    meeting, _created = services.meeting_record(
        actor=request.user,
        village=village,
        kind=data["kind"],
        held_at=data["held_at"],
        topics=data["topics"],
        place=data["place"],
        decisions=data["decisions"],
        minutes=data["minutes"],
        households=households,
        names=names,
        follow_ups=data["follow_ups"],
        problems=[p.strip() for p in data["problems"].splitlines() if p.strip()],
    )
    for upload in request.FILES.getlist("photos")[:10]:
        services.photo_add(actor=request.user, upload=upload, meeting=meeting)
    return meeting


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting = selectors.meeting_for_user(request.user, pk)
    context = {
        "meeting": meeting,
        "attendance": meeting.attendance.select_related("person", "household"),
        "follow_ups": meeting.follow_ups.all(),
        "problems": meeting.problems.all(),
        "photos": meeting.photos.all(),
        "cases": selectors.linked(meeting, "cases"),
        "can_write": not is_read_only(request.user),
    }
    return render(request, "fieldwork/meeting_detail.html", context)


# ---------------------------------------------------------------- attendance, leave, diary


def _field_villages_or_403(user):
    villages = selectors.field_villages(user)
    if not villages:
        raise PermissionDenied
    return villages


@login_required
@require_GET
def attendance(request):
    """The cadre's month: check-in button, calendar, leave, diary; officers see leave waiting for them."""
    year, month = _month(request)
    villages = selectors.field_villages(request.user)
    village = villages[0] if villages else None
    today = timezone.localdate()
    pending = [
        leave
        for leave in selectors.leave_requests_for_user(request.user).filter(status=LeaveStatus.PENDING)
        if services.leave_can_decide(request.user, leave)
    ]
    context = {
        "village": village,
        "calendar": selectors.cadre_calendar(request.user, village, year, month, today=today) if village else None,
        "figures": selectors.monthly_figures(village, year, month) if village else None,
        "leaves": selectors.leave_requests_for_user(request.user).filter(user=request.user)[:20],
        "pending": pending,
        "diary": selectors.diary_for_user(request.user).filter(user=request.user)[:10],
        "year": year,
        "month": month,
        "today": today,
    }
    return render(request, "fieldwork/attendance.html", context)


@login_required
@require_POST
def checkin_create(request):
    villages = _field_villages_or_403(request.user)
    village = villages[0]
    chosen = _int(request.POST.get("village"))
    if chosen:
        village = next((v for v in villages if v.pk == chosen), None)
        if village is None:
            raise Http404
    try:
        gps = services.gps_fix(request.POST.get("lon"), request.POST.get("lat"), request.POST.get("accuracy"))
        checkin, created = services.checkin_record(actor=request.user, village=village, gps=gps)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("fieldwork:attendance")
    if not created:
        messages.info(request, _("You have already checked in today."))
    else:
        messages.success(
            request, _("Checked in at %(time)s.") % {"time": f"{timezone.localtime(checkin.checked_at):%H:%M}"}
        )
        if checkin.outside_village:
            messages.warning(request, _("The position is outside the village boundary; the check-in was flagged."))
    return redirect("fieldwork:attendance")


@login_required
@require_http_methods(["GET", "POST"])
def leave_create(request):
    villages = _field_villages_or_403(request.user)
    form = LeaveForm(
        request.POST or None, villages=selectors.writable_villages(request.user).filter(pk__in=[v.pk for v in villages])
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.leave_request(
                actor=request.user,
                village=data["village"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Leave requested."))
            return redirect("fieldwork:attendance")
    return render(request, "fieldwork/leave_form.html", {"form": form, "township_days": conf.leave_township_max_days()})


@login_required
@require_http_methods(["GET", "POST"])
def leave_detail(request, pk):
    leave = selectors.leave_request_for_user(request.user, pk, write=request.method == "POST")
    can_decide = leave.status == LeaveStatus.PENDING and services.leave_can_decide(request.user, leave)
    form = LeaveDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if form.is_valid():
            services.leave_decide(actor=request.user, leave=leave, **form.cleaned_data)
            messages.success(request, _("Decision saved."))
            return redirect("fieldwork:attendance")
    return render(request, "fieldwork/leave_detail.html", {"leave": leave, "form": form, "can_decide": can_decide})


@login_required
@require_http_methods(["GET", "POST"])
def diary_create(request):
    villages = _field_villages_or_403(request.user)
    villages = selectors.writable_villages(request.user).filter(pk__in=[v.pk for v in villages])
    form = DiaryForm(request.POST or None, villages=villages, initial={"day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.diary_write(actor=request.user, village=data["village"], day=data["day"], text=data["text"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Diary entry saved."))
            return redirect("fieldwork:diary_list")
    return render(request, "fieldwork/diary_form.html", {"form": form})


@login_required
@require_GET
def diary_list(request):
    entries = selectors.diary_for_user(request.user)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "fieldwork/diary_list.html", {"page": page})


# ---------------------------------------------------------------- the 三个一 dashboard


@login_required
@require_GET
def dashboard(request):
    year, month = _month(request)
    today = timezone.localdate()
    rows = selectors.three_ones_rows(request.user, year, month, today=today)
    sort = request.GET.get("sort", "")
    if sort in {"visit_rate", "days_present", "visits", "meetings", "problems_solved"}:
        rows.sort(key=lambda r: (r[sort], r["village"].code))
    villages = selectors.field_villages(request.user)
    calendar = None
    if villages:
        calendar = selectors.cadre_calendar(request.user, villages[0], year, month, today=today)
    context = {
        "rows": rows,
        "calendar": calendar,
        "village": villages[0] if villages else None,
        "year": year,
        "month": month,
        "today": today,
        "sort": sort,
        "late_monitoring": selectors.monitoring_late_for_user(request.user, today),
        "prev": _shift(year, month, -1),
        "next": _shift(year, month, 1),
    }
    return render(request, "fieldwork/dashboard.html", context)


def _shift(year: int, month: int, delta: int) -> dict:
    index = year * 12 + month - 1 + delta
    return {"year": index // 12, "month": index % 12 + 1}


# ---------------------------------------------------------------- home panels


def panel_today(request) -> dict:
    """The cadre's home panel: today's 三个一 at a glance and the visit button."""
    villages = selectors.field_villages(request.user)
    if not villages:
        return {"village": None}
    today = timezone.localdate()
    village = villages[0]
    calendar = selectors.cadre_calendar(request.user, village, today.year, today.month, today=today)
    figures = selectors.monthly_figures(village, today.year, today.month)
    return {"village": village, "calendar": calendar, "figures": figures}


def panel_villages(request) -> dict:
    today = timezone.localdate()
    rows = selectors.three_ones_rows(request.user, today.year, today.month, today=today)
    return {"rows": rows[:8], "total": len(rows), "who": audience(request.user)}
