"""The leads' satisfaction report: per week, kind and specialist, with CSV."""

import csv
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from helpdesk.csat.models import CsatReport
from helpdesk.csat.selectors import csat_report


class CsatReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = csat_report()
        if request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="csat-week.csv"'
            writer = csv.writer(response)
            writer.writerow(["week", "kind", "specialist", "answers", "average", "% satisfied"])
            for r in rows:
                writer.writerow(
                    [
                        r.week.isoformat(),
                        r.kind,
                        r.specialist,
                        r.answers,
                        r.average,
                        r.satisfied_percent,
                    ]
                )
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Satisfaction report"),
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/csat_report.html", context)


admin.site.register(CsatReport, CsatReportAdmin)
