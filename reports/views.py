from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports import selectors, services
from reports.base import MIMETYPES, exporters_for_user, get_exporter
from reports.models import RunStatus


@login_required
def report_list(request):
    return render(request, "reports/report_list.html", {"exporters": exporters_for_user(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def report_request(request, identifier):
    exporter = get_exporter(identifier)
    if exporter is None or exporter not in exporters_for_user(request.user):
        raise Http404
    form = exporter.params_form(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.run_request(actor=request.user, identifier=identifier, params=form.to_params())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The report is being generated; it appears below when ready."))
            return redirect("reports:reportrun_list")
    return render(request, "reports/report_request.html", {"exporter": exporter, "form": form})


def _runs_page(request):
    allowed = [e.identifier for e in exporters_for_user(request.user)]
    runs = selectors.runs_for_user(request.user).filter(exporter__in=allowed)
    if request.GET.get("scheduled") == "1":
        runs = runs.exclude(schedule_key="")
    page = Paginator(runs, 30).get_page(request.GET.get("page"))
    names = {e.identifier: e.verbose_name for e in exporters_for_user(request.user)}
    for run in page:
        run.verbose_name = names.get(run.exporter, run.exporter)
    return page


@login_required
def reportrun_list(request):
    page = _runs_page(request)
    active = any(run.active for run in page)
    return render(request, "reports/reportrun_list.html", {"page": page, "active": active})


@login_required
def reportrun_rows(request):
    """The rows alone, polled by htmx while a run is queued or running."""
    page = _runs_page(request)
    active = any(run.active for run in page)
    return render(request, "reports/_reportrun_rows.html", {"page": page, "active": active})


@login_required
def reportrun_download(request, pk):
    run = selectors.reportrun_for_user(request.user, pk)
    if run.status != RunStatus.DONE or not run.file:
        raise Http404
    path = services._media_path(run.file)
    if not path.is_file():
        raise Http404
    inline = run.format == "html"
    response = FileResponse(
        path.open("rb"), as_attachment=not inline, filename=run.filename, content_type=MIMETYPES[run.format]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
