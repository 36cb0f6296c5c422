"""Macros in the admin: leads write and delete them, specialists read them (and insert
them from the ticket page's picker). Every change goes through helpdesk.tickets.macros."""

from typing import Any

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.core.adminforms import ServiceChangeForm, ServiceModelAdmin
from helpdesk.tickets import macros
from helpdesk.tickets.models import Macro
from helpdesk.tickets.placeholders import PLACEHOLDERS


class MacroForm(ServiceChangeForm):
    class Meta:
        model = Macro
        fields = ("name", "body", "status")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Translated per request (a lazy string interpolated at import would be English).
        if "body" not in self.fields:
            return  # read only (a specialist's view): the body is shown as text
        names = ", ".join("{{" + name + "}}" for name in PLACEHOLDERS)
        self.fields["body"].help_text = gettext(
            "Placeholders: %(names)s. They are filled in for each ticket."
        ) % {"names": names}

    def apply(self, *, actor: Any) -> list[str]:
        data = self.cleaned_data
        saved = macros.macro_save(
            macro=self.instance if self.instance.pk else None,
            name=data["name"],
            body=data["body"],
            status=data["status"],
            actor=actor,
        )
        if self.instance.pk is None:
            self.instance.pk = saved.pk
            self.instance._state.adding = False
        return []


@admin.register(Macro)
class MacroAdmin(ServiceModelAdmin):
    form = MacroForm
    list_display = ("name", "status_after", "updated_at")
    search_fields = ("name", "body")
    ordering = ("name",)

    @admin.display(description=_("status after sending"), ordering="status")
    def status_after(self, obj: Macro) -> str:
        if not obj.status:
            return "—"
        return format_html("<span>{}</span>", obj.get_status_display())

    def delete_object(self, *, obj: Any, actor: Any) -> None:
        macros.macro_delete(macro=obj, actor=actor)
