"""`{% related_cases obj %}`: the dispute cases linked to a project or a fieldwork problem.

Used on the project and problem pages, so that projects and fieldwork need not import the
grievances models. Only cases in the viewer's scope are listed; each shows its number, category,
status, level, the day it was received and the summary with the parties' names, phones and ID
numbers masked (as on the case pages: a full view is a logged reveal there); parties are never
listed here.
"""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from grievances import selectors

register = template.Library()

# Model (app_label.model_name) → the case's field that links to it.
LINK_FIELDS = {"projects.project": "related_project", "fieldwork.problem": "source_problem"}
LIMIT = 50


def cases_linked_to(user, obj) -> list:
    field = LINK_FIELDS.get(obj._meta.label_lower)
    if field is None or not getattr(user, "is_authenticated", False):
        return []
    cases = selectors.cases_for_user(user).filter(**{field: obj}).order_by("-received_on", "-pk")
    return list(cases.prefetch_related("parties")[:LIMIT])


def _item(user, case):
    summary = f" · {case.masked_title}"
    return format_html(
        '<li><a href="{}">{}</a> · {} · {} · {} <small class="muted">{} {}{}</small></li>',
        reverse("grievances:case_detail", args=[case.pk]),
        case.number,
        case.category_label,
        case.get_status_display(),
        case.get_level_display(),
        _("received on"),
        date_format(case.received_on, "SHORT_DATE_FORMAT"),
        summary,
    )


@register.simple_tag(takes_context=True)
def related_cases(context, obj):
    user = getattr(context.get("request"), "user", None)
    cases = cases_linked_to(user, obj)
    if not cases:
        return ""
    items = format_html_join("", "{}", ((_item(user, case),) for case in cases))
    return format_html(
        '<section class="card related-cases"><h2>{}</h2><ul class="plain">{}</ul></section>', _("Dispute cases"), items
    )
