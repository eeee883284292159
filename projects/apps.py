from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects and funds")

    def ready(self):
        from projects import views
        from villages import schedules
        from villages.panels import NavItem, Panel, register_nav, register_panel

        schedules.declare(
            "projects.run_compliance", "projects.tasks.run_compliance", "D", first_run=schedules.tomorrow_at(2)
        )

        register_panel(
            Panel("projects.queue", "projects/_panel_queue.html", views.panel_queue, audiences=("hq",), order=20)
        )
        register_panel(
            Panel(
                "projects.review",
                "projects/_panel_review.html",
                views.panel_review,
                audiences=("hq", "readonly"),
                order=30,
            )
        )
        register_nav(NavItem("projects.projects", _("Projects"), "projects:project_list", order=30))
        register_nav(
            NavItem("projects.payments", _("Payments"), "projects:payment_list", audiences=("hq", "readonly"), order=31)
        )
        register_nav(
            NavItem("projects.queue", _("Approval queue"), "projects:approval_queue", audiences=("hq",), order=32)
        )
        register_nav(
            NavItem("projects.review", _("Spend review"), "projects:review", audiences=("hq", "readonly"), order=33)
        )
        register_nav(
            NavItem(
                "projects.findings",
                _("Compliance findings"),
                "projects:finding_list",
                audiences=("hq", "readonly"),
                order=34,
                visible=views.may_see_findings,
            )
        )
