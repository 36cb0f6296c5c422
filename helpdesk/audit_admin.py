"""The audit log in the admin: leads read it, filter it and export it as CSV. Nobody
adds, edits or deletes an entry, superusers included."""

import csv
from datetime import UTC, date, datetime

import auditlog.admin  # noqa: F401 - registers auditlog's own admin, replaced below
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.audit import AuditEvent
from accounts.models import User
from helpdesk.core.paginator import CappedCountPaginator

ACTION_LABELS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit log action", "created"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit log action", "changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit log action", "deleted"),
    LogEntry.Action.ACCESS: pgettext_lazy("audit log action", "viewed"),
}
# Column names, shared by the list, the detail page and the CSV header.
WHEN, WHO, ADDRESS = _("when"), _("who"), _("address")
OBJECT_TYPE, OBJECT_ID, OBJECT = _("object type"), _("object ID"), _("object")
ACTION, CHANGES = _("action"), _("changes")
EMPTY = "—"
# Related objects named per change in the list (a group's permissions can be dozens).
LIST_OBJECTS_LIMIT = 5
# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Reading an entry: the same words in the list, the detail page and the CSV.


def entry_actor(entry: LogEntry) -> str:
    """Who made the change; "system" for a command, a worker or an anonymous request."""
    if entry.actor is not None:
        return entry.actor.email
    return entry.actor_email or gettext("system")


def entry_object_type(entry: LogEntry) -> str:
    model = entry.content_type.model_class()
    return capfirst(model._meta.verbose_name) if model else entry.content_type.model


def _field_label(model: type[models.Model] | None, name: str) -> str:
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except (AttributeError, FieldDoesNotExist):
        return capfirst(name.replace("_", " "))


def _value(model: type[models.Model] | None, name: str, raw: object) -> str:
    """One stored value as a lead reads it: choice labels, yes/no, local times."""
    if raw in (None, "None", ""):
        return EMPTY
    raw = str(raw)
    try:
        field = model._meta.get_field(name)
    except (AttributeError, FieldDoesNotExist):
        return raw
    if not field.concrete:
        return raw
    if field.choices:
        return str({str(key): label for key, label in field.flatchoices}.get(raw, raw))
    if isinstance(field, models.BooleanField):
        return gettext("Yes") if raw == "True" else gettext("No")
    try:
        if isinstance(field, models.DateTimeField):
            moment = datetime.fromisoformat(raw)
            if timezone.is_naive(moment):  # auditlog stores naive UTC
                moment = moment.replace(tzinfo=UTC)
            return formats.localize(timezone.localtime(moment))
        if isinstance(field, models.DateField):
            return formats.localize(date.fromisoformat(raw))
    except ValueError:
        return raw
    return raw


def _objects(names: list[str], limit: int | None) -> str:
    if limit is None or len(names) <= limit:
        return ", ".join(names)
    more = len(names) - limit
    rest = ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more}
    return f"{', '.join(names[:limit])} {rest}"


def entry_changes(entry: LogEntry, *, objects_limit: int | None = None) -> list[str]:
    """The entry's changes, one line each: "Role: Regular user → Super admin". A long
    list of related objects (a group's permissions) is cut at `objects_limit`."""
    model = entry.content_type.model_class()
    details = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    lines = []
    if details.get("event") in AuditEvent.values:
        lines.append(str(AuditEvent(details["event"]).label))
    # In the model's field order: auditlog stores them in no particular order.
    order = {field.name: i for i, field in enumerate(model._meta.get_fields())} if model else {}
    changes = sorted((entry.changes_dict or {}).items(), key=lambda item: order.get(item[0], -1))
    for name, change in changes:
        label = _field_label(model, name)
        if isinstance(change, dict):  # many-to-many: {"operation", "objects"}
            text = (
                gettext("%(field)s: added %(objects)s")
                if change.get("operation") == "add"
                else gettext("%(field)s: removed %(objects)s")
            )
            objects = _objects(change.get("objects", []), objects_limit)
            lines.append(text % {"field": label, "objects": objects})
            continue
        old, new = (_value(model, name, value) for value in change)
        if entry.action in (LogEntry.Action.CREATE, LogEntry.Action.DELETE):
            value = new if entry.action == LogEntry.Action.CREATE else old
            lines.append(gettext("%(field)s: %(value)s") % {"field": label, "value": value})
        else:
            text = gettext("%(field)s: %(old)s → %(new)s")
            lines.append(text % {"field": label, "old": old, "new": new})
    if details.get("reason"):
        lines.append(gettext("Reason: %(reason)s") % {"reason": details["reason"]})
    return lines


def _lines_html(lines: list[str]) -> str:
    return format_html_join("", "<div>{}</div>", ((line,) for line in lines))


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def audit_log_csv(entries: QuerySet[LogEntry]) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    # A byte-order mark, so spreadsheet apps read the accents and Japanese as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    header = (WHEN, WHO, ADDRESS, OBJECT_TYPE, OBJECT_ID, OBJECT, ACTION, CHANGES)
    writer.writerow(capfirst(label) for label in header)
    for entry in entries.select_related("content_type", "actor").iterator(chunk_size=500):
        writer.writerow(
            _cell(value)
            for value in (
                timezone.localtime(entry.timestamp).isoformat(timespec="seconds"),
                entry_actor(entry),
                entry.remote_addr or "",
                entry_object_type(entry),
                entry.object_pk,
                entry.object_repr,
                ACTION_LABELS.get(entry.action, entry.action),
                "; ".join(entry_changes(entry)),
            )
        )
    return response


# Filters.


class ActorFilter(admin.SimpleListFilter):
    title = _("who made the change")
    parameter_name = "actor"
    SYSTEM = "system"

    def lookups(self, request, model_admin):
        actors = User.objects.filter(
            pk__in=LogEntry.objects.filter(actor__isnull=False).values("actor_id")
        ).order_by("email")
        return [(self.SYSTEM, _("system"))] + [
            (str(pk), email) for pk, email in actors.values_list("pk", "email")
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() == self.SYSTEM:
            return queryset.filter(actor__isnull=True)
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(actor_id=int(self.value()))


class ObjectTypeFilter(admin.SimpleListFilter):
    title = OBJECT_TYPE
    parameter_name = "content_type"

    def lookups(self, request, model_admin):
        types = ContentType.objects.filter(
            pk__in=LogEntry.objects.order_by().values("content_type_id").distinct()
        )
        choices = [
            (str(ct.pk), capfirst(ct.model_class()._meta.verbose_name_plural))
            for ct in types
            if ct.model_class() is not None
        ]
        return sorted(choices, key=lambda choice: str(choice[1]))

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(content_type_id=int(self.value()))


class ActionFilter(admin.SimpleListFilter):
    title = ACTION
    parameter_name = "action__exact"

    def lookups(self, request, model_admin):
        actions = (LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE)
        return [(str(action), ACTION_LABELS[action]) for action in actions]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(action=int(self.value()))


class DateFilter(admin.DateFieldListFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("date")


# The admin.

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("when", "who", "address", "object_link", "action_label", "change_lines")
    list_display_links = ("when",)
    list_filter = (
        ActorFilter,
        ObjectTypeFilter,
        ActionFilter,
        ("timestamp", DateFilter),
    )
    date_hierarchy = "timestamp"
    search_fields = ("object_repr", "actor_email")
    search_help_text = _("Search by object (an email address, an account, a ticket) or by who.")
    list_select_related = ("content_type", "actor")
    ordering = ("-timestamp", "-pk")
    list_per_page = 50
    show_full_result_count = False
    paginator = CappedCountPaginator
    actions = ("export_csv",)

    fields = (
        "when",
        "who",
        "address",
        "object_type",
        "object_name",
        "action_label",
        "all_change_lines",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ("css/admin-audit-log.css",)}

    # Read-only for everyone: an audit log that its readers can edit proves nothing.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=WHEN, ordering="timestamp")
    def when(self, entry: LogEntry) -> str:
        return formats.date_format(timezone.localtime(entry.timestamp), "SHORT_DATETIME_FORMAT")

    @admin.display(description=WHO, ordering="actor__email")
    def who(self, entry: LogEntry) -> str:
        return entry_actor(entry)

    @admin.display(description=ADDRESS, empty_value=EMPTY)
    def address(self, entry: LogEntry) -> str | None:
        return entry.remote_addr

    @admin.display(description=OBJECT_TYPE)
    def object_type(self, entry: LogEntry) -> str:
        return entry_object_type(entry)

    @admin.display(description=OBJECT)
    def object_name(self, entry: LogEntry) -> str:
        return entry.object_repr

    @admin.display(description=OBJECT)
    def object_link(self, entry: LogEntry) -> str:
        """The object's type and name, linking to its own history in the log."""
        query = urlencode({"content_type": entry.content_type_id, "object_pk": entry.object_pk})
        return format_html(
            '<a href="?{}" title="{}">{}: {}</a>',
            query,
            gettext("Every change to this object"),
            entry_object_type(entry),
            entry.object_repr,
        )

    @admin.display(description=ACTION)
    def action_label(self, entry: LogEntry) -> str:
        return str(ACTION_LABELS.get(entry.action, entry.action))

    @admin.display(description=CHANGES)
    def change_lines(self, entry: LogEntry) -> str:
        # The list stays scannable; the entry's own page and the CSV name every object.
        return _lines_html(entry_changes(entry, objects_limit=LIST_OBJECTS_LIMIT))

    @admin.display(description=CHANGES)
    def all_change_lines(self, entry: LogEntry) -> str:
        return _lines_html(entry_changes(entry))

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[LogEntry]) -> HttpResponse:
        return audit_log_csv(queryset)

    def get_urls(self):
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="auditlog_logentry_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The list as it is filtered and searched now, every page of it, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(reverse("admin:auditlog_logentry_changelist"))
        return audit_log_csv(changelist.queryset)
