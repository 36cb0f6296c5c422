"""The leads' SLA attainment report in the admin: per week or month, per kind or per
specialist, with CSV. Registered by helpdesk/tickets/admin.py."""

import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from sla.reports import BY_KIND, BY_SPECIALIST, MONTH, WEEK, ReportRow, attainment_report


class SlaAttainmentReportAdmin(admin.ModelAdmin):
    """Leads' SLA attainment report: per week or month and per kind, with CSV."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = MONTH if request.GET.get("period") == MONTH else WEEK
        by = BY_SPECIALIST if request.GET.get("by") == BY_SPECIALIST else BY_KIND
        rows = attainment_report(period=period, by=by)
        if request.GET.get("format") == "csv":
            return _csv(rows, period=period, by=by)
        context = {
            **self.admin_site.each_context(request),
            "title": _("SLA attainment report"),
            "rows": rows,
            "period": period,
            "by": by,
            "per_specialist": by == BY_SPECIALIST,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sla_report.html", context)


def _csv(rows: list[ReportRow], *, period: str, by: str) -> HttpResponse:
    """Every column of the page, and the specialist's in the per-specialist report."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sla-attainment-{period}-{by}.csv"'
    writer = csv.writer(response)
    per_specialist = by == BY_SPECIALIST
    writer.writerow(
        [
            period,
            *(["specialist"] if per_specialist else []),
            "kind",
            "items",
            "met",
            "breached",
            "stopped",
            "exempt",
            "pending",
            "% met",
            "median first reply (min)",
            "p90 first reply (min)",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                r.period.isoformat(),
                *([r.specialist] if per_specialist else []),
                r.kind,
                r.items,
                r.met,
                r.breached,
                r.stopped,
                r.exempt,
                r.pending,
                _blank(r.percent_met),
                _blank(r.median_minutes),
                _blank(r.p90_minutes),
            ]
        )
    return response


def _blank(value: float | None) -> str:
    return "" if value is None else str(value)
