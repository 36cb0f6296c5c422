"""The leads' SLA attainment report in the admin: per week or month and per kind, with
CSV. Registered by helpdesk/tickets/admin.py."""

import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from sla.reports import attainment_report


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
        period = "month" if request.GET.get("period") == "month" else "week"
        rows = attainment_report(period=period)
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="sla-attainment-{period}.csv"'
            writer = csv.writer(response)
            writer.writerow(
                [
                    period,
                    "kind",
                    "items",
                    "met",
                    "breached",
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
                        r.kind,
                        r.items,
                        r.met,
                        r.breached,
                        r.exempt,
                        r.pending,
                        _blank(r.percent_met),
                        _blank(r.median_minutes),
                        _blank(r.p90_minutes),
                    ]
                )
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("SLA attainment report"),
            "rows": rows,
            "period": period,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sla_report.html", context)


def _blank(value: float | None) -> str:
    return "" if value is None else str(value)
